/* mmm.h -- DAOPHOT's MMM sky estimator (Stetson 1987; the IDL Astronomy
 * Library's mmm.pro), as SFFT's SkyLevel_Estimator.SLE runs it (defaults:
 * no high-bad cut, no read noise, at least 20 sky values, at most 50
 * iterations). SFFT uses its sigma as the sky sigma of each exposure in its
 * decorrelation test (sfft-reference §13.1) and to scale the score image
 * (§7). Not common/sci/stats.h's ph_mmm_background, which is photutils'
 * 3 median - 2 mean after sigma clipping.
 *
 * Outline: sort; keep the values within a symmetric window around the
 * median; then iterate: Chauvenet-style rejection limits r*sigma around the
 * current mode (r from the number of values), recompute mean and sigma
 * incrementally, take the median as the mean of the central 20 % of the
 * kept values, mode = 3 median - 2 mean when median < mean (else the mean),
 * damped when the correction changes sign; stop when the window no longer
 * moves.
 */
#ifndef PH_DECORR_MMM_H
#define PH_DECORR_MMM_H

#include <stddef.h>

/* Mode, sigma and skew of the sky values x[0..n) (NaNs skipped; x is not
 * modified). Returns 0, or -1 when the estimate fails (fewer than 20 finite
 * values, no convergence): then *sigma = -1 as in DAOPHOT, and no error is
 * recorded (the caller says what the values were). Any output may be NULL. */
int dc_mmm(const double *x, size_t n, double *mode, double *sigma, double *skew);

#endif
