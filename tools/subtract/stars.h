/* stars.h -- the template's modelled stars (ph-align's STARS table) matched
 * exactly in the cross-convolution.
 *
 * Why: cross-convolution gives both images the PSF P_sci (*) P_ref only in
 * the continuum. On undersampled pixels the two discrete convolutions of a
 * star differ: sum_m Pref[m] Psci(n - m - phase) is not sum_m Psci[m]
 * Pref(n - m - phase), by 1.4% (no roll) to 4% (45 deg) of the peak for
 * Roman Y106, depending on the star's phase. For every star ph-align drew
 * from the template PSF, its term in C_object is replaced by what the
 * science side holds for a star of that flux at that phase:
 *
 *     C_object += flux * (kref (*) Rsci_phase - ksci (*) Rref_phase)
 *
 * with Rsci, Rref the science and (aligned) template ePSFs drawn at the
 * star's phase from their oversampled models (EPSF HDUs), kref, ksci the
 * normalised PSF stamps of the cross-convolution. Both are cut to
 * (2r+1)^2 pixels: what is left out is the two PSFs' well-sampled wings,
 * whose convolutions agree (and cancel) to ~1e-5 of the peak.
 */
#ifndef SUBTRACT_STARS_H
#define SUBTRACT_STARS_H

#include "io/ovpsf.h"
#include "io/startab.h"

/* Add the correction above to cref (nx x ny), cut at radius r, for the rows
 * of s that ph-align drew (DRAWN = 1); returns how many. */
long sub_stars_correct(double *cref, long nx, long ny, const ph_startab *s, const ph_ovpsf *sci,
                      const ph_ovpsf *ref, const double *ksci, long nsci, const double *kref,
                      long nref, int r);

#endif
