/* startab.h -- the STARS table: a template's point sources on the science
 * grid (HACKING.md "Aligned template"). ph-align writes it, ph-subtract
 * reads it (to match the drawn stars exactly and to measure the static-star
 * residuals, common/sci/resid.h) and carries it into the difference file, and
 * ph-decorr carries it on.
 *
 * Columns (one row per source): X, Y (science pixel, 0-based), FLUX (the
 * amplitude of the aligned EPSF drawn there: the star is FLUX * EPSF(pixel -
 * (X, Y))), TX, TY (template pixel), TFLUX (its flux on the template, in its
 * PSF's normalisation), FLUXERR (of TFLUX), CHI2 (reduced chi^2 of the
 * template fit), DRAWN (1: drawn from the PSF model on the aligned image;
 * 0: listed only, the pixels were interpolated -- ph-align --method phrosty).
 */
#ifndef PH_STARTAB_H
#define PH_STARTAB_H

#include "io/fits.h"

typedef struct ph_startab {
    long n;
    double *x, *y, *flux, *tx, *ty, *tflux, *fluxerr, *chi2, *drawn;
} ph_startab;

/* n rows, zeroed. */
int ph_startab_alloc(ph_startab *t, long n);
void ph_startab_free(ph_startab *t);

/* Read HDU STARS of `path`; *found = 0 (and t->n = 0, nothing recorded) when
 * there is none. Errors: unreadable file, a missing column, a non-finite
 * position or flux. */
int ph_startab_read(const char *path, ph_startab *t, int *found);

/* Append it as HDU STARS. */
int ph_startab_write(ph_fits_out *o, const ph_startab *t);

#endif
