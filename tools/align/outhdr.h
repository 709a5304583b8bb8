/* outhdr.h -- the SCI header of the aligned template (HACKING.md, "Aligned
 * template"): the science image's WCS cards, every other card of the
 * template's header (its metadata: FILTER, MJD-OBS, SKYRMS, PH_NAME, ...),
 * the template's meta keys again with the TPL prefix (io/header.h), and the
 * alignment keys:
 *   ALKERNEL  interpolation kernel           ALVARWT   squared|linear
 *   ALSHIFTX, ALSHIFTY  template position of the science centre minus it, px
 *   ALROT     rotation applied to the PSF, deg CCW (after the mirror if ALFLIP)
 *   ALROTSF   SFFT's pattern-rotation angle, deg (equals ALROT without a flip)
 *   ALFLIP    T if the parities differ       ALPSFMOD  rotate|affine|sfft
 *   ALOVERLP  fraction of science pixels with template data
 *   ALAREA    pixel-area ratio applied (science pixel in template pixels;
 *             1 with --flux-scale none; the mean with jacobian, see ALFLUX)
 *   ALFLUX    mean|jacobian|none
 *   ALMAPSTP  mapping grid step, px          ALMAPERR  its measured error bound, px
 *   ALPSFSUM  PSF sum after resampling, before normalisation
 *   ALANCHX, ALANCHY  template pixel (0-based) where the orientation was measured
 *   ALMETHOD  psf|phrosty                    ALNSTAR   stars drawn from the PSF model
 */
#ifndef ALIGN_OUTHDR_H
#define ALIGN_OUTHDR_H

#include "align.h"
#include "io/header.h"
#include "resample.h"

typedef struct align_keys {
    ph_interp kernel;
    int var_linear;
    align_flux flux;
    align_psf_mode psf_mode;
    const align_geom *geom;
    double area_applied; /* NaN: per pixel (jacobian) */
    double overlap;
    const ph_pixmap *map;
    double psf_sum;
    const char *method;  /* "psf" or "phrosty" */
    long nstars;         /* stars drawn (psf method), -1: none fitted */
    const char *target, *template; /* file names, for HISTORY */
} align_keys;

int align_output_header(const ph_header *tpl, const ph_meta *tplmeta, const ph_header *sci,
                        const align_keys *k, ph_header **out);

#endif
