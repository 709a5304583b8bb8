/* products.h -- ph-decorr's products, each streamed through the filter's
 * one FFT buffer and written as it is made: DECORR_DIFF, DECORR_SCI,
 * DIFF_VAR, DECORR_PSF, DECORR_KERNEL, MASK, SCORE, the static-star
 * residuals and quick look, and phrosty's single-image files
 * (--phrosty-dir). Each writes into r->out (and r->score, r->pf); run.c
 * commits them. */
#ifndef PH_DECORR_PRODUCTS_H
#define PH_DECORR_PRODUCTS_H

#include "run.h"

/* Decorrelate plane `hdu` of the input and write it as float32 `extname`. */
int dc_decorrelate_plane(dc_run *r, const char *hdu, const char *extname);
int dc_write_variance(dc_run *r);
int dc_write_psf(dc_run *r);
int dc_write_kernel(dc_run *r);
int dc_write_mask(dc_run *r);
int dc_write_score(dc_run *r);
/* The static-star residuals of DECORR_DIFF (resid.h) into its header, the
 * STARS table carried on, the quick-look PNG. */
int dc_write_quality(dc_run *r);

#endif
