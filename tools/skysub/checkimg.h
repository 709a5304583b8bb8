/* checkimg.h -- ph-skysub --check-images DIR: the intermediate products,
 * named after the output's stem:
 *   STEM_sky.fits     the sky (background of the masked image), float32
 *   STEM_skyrms.fits  its rms map, float32
 *   STEM_seg.fits     the segmentation map, int32 (0 = sky, k = object k)
 *   STEM_cat.csv      one row per object: number, x_image, y_image
 *                     (1-based, as SExtractor's X_IMAGE), a_image, b_image,
 *                     theta_image, npix, flux_iso, flux_auto, kron_radius,
 *                     flux_radius, flags, in_detmask
 * Each file is written atomically. */
#ifndef PH_SKYSUB_CHECKIMG_H
#define PH_SKYSUB_CHECKIMG_H

#include "sci/background.h"
#include "sci/detect.h"
#include "io/header.h"

#include <stdint.h>

int checkimg_write(const char *dir, const char *stem, ph_bkg *sky, const int32_t *seg,
                   const ph_detection *det, double radius_cut, const ph_header *wcs);

#endif
