/* stats.h -- robust statistics on arrays.
 *
 * Functions that need to reorder data work on a scratch copy they allocate
 * (or that the caller passes as `work`); inputs are never modified. NaNs
 * are skipped everywhere; a result over zero finite values is NaN.
 */
#ifndef PH_STATS_H
#define PH_STATS_H

#include <stddef.h>

/* Median, numpy's convention (mean of the two middle values for even n). */
double ph_median(const double *x, size_t n);
double ph_median_f(const float *x, size_t n);
/* In place: reorders x (finite values only, caller guarantees). */
double ph_median_inplace(double *x, size_t n);

/* Percentile q in [0, 100], linear interpolation (numpy's default). */
double ph_percentile(const double *x, size_t n, double q);

/* Mean and population standard deviation of the finite values. */
void ph_mean_std(const double *x, size_t n, double *mean, double *std);

/* Sigma clipping as astropy's sigma_clipped_stats(sigma=nsigma,
 * maxiters=maxiter, cenfunc='median', stdfunc='std'): iterate until no value
 * is rejected. Returns the number of values kept. */
size_t ph_sigma_clip(const double *x, size_t n, double nsigma, int maxiter, double *mean,
                     double *median, double *std);

/* photutils' MMMBackground: 3 sigma clipped (10 iterations), then
 * 3 median - 2 mean. */
double ph_mmm_background(const double *x, size_t n);

/* SExtractor/photutils mode estimate from clipped statistics:
 * std == 0 -> mean; |mean - median| / std < 0.3 -> 2.5 median - 1.5 mean;
 * else median. */
double ph_sex_mode(double mean, double median, double std);

/* Robust sigma from the inter-quartile range: IQR / 1.349. */
double ph_iqr_sigma(const double *x, size_t n);

#endif
