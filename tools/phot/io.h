/* io.h -- ph-phot's files: the decorrelated file of ph-decorr (HACKING.md
 * "Decorrelated file") and the 100x100 stamps phrosty writes. */
#ifndef PH_PHOT_IO_H
#define PH_PHOT_IO_H

#include "header.h"
#include "meta.h"
#include "psfstamp.h"

#include <stdint.h>

typedef struct ph_phot_input {
    const char *path;
    long nx, ny;
    ph_header *hdr;  /* DECORR_DIFF's: science WCS, meta, TPL* keys */
    ph_meta sci, tpl;
    float *diff, *var, *zpimg; /* DECORR_DIFF, DIFF_VAR, DECORR_SCI (NULL unless asked) */
    uint8_t *mask;
    ph_psf psf;      /* DECORR_PSF */
} ph_phot_input;

/* Read the header and the PSF (and check that every plane is there), then
 * the planes: DECORR_DIFF, DIFF_VAR, MASK, and DECORR_SCI when want_zpimg. */
int ph_phot_input_read(const char *path, int want_zpimg, ph_phot_input *in);
void ph_phot_input_free(ph_phot_input *in);

/* Write a size x size float32 stamp of `plane` (nx x ny) around (x0, y0) to
 * DIR/stamp_<what>_<S>-<T>, phrosty's name exactly (gzip-compressed when it
 * ends in .gz), NaN outside the image, header `hdr` with CRPIX shifted.
 * `what` may be NULL for stamp_<S>. */
int ph_phot_write_stamp(const char *dir, const char *what, const char *sname, const char *tname,
                        const float *plane, long nx, long ny, const ph_header *hdr, double x0,
                        double y0, long size);

/* The image in HDU `hdu` of `path` if it has one, else its first 2-D
 * image, as float32, with its header (ph-subtract's DIFF, or phrosty's
 * single-image diff_ file). */
int ph_phot_read_plane(const char *path, const char *hdu, long *nx, long *ny, float **plane,
                       ph_header **hdr);

#endif
