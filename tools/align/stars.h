/* stars.h -- the template's point sources carried onto the science grid
 * exactly (common/sci/ptsrc.h explains why): fitted on the template with its
 * oversampled PSF and removed before the resampling, then drawn back at
 * their science positions with the template PSF in the science frame. They
 * are listed in the STARS table (common/io/startab.h).
 */
#ifndef ALIGN_STARS_H
#define ALIGN_STARS_H

#include "io/ovpsf.h"
#include "sci/ptsrc.h"
#include "resample.h"
#include "io/startab.h"
#include "io/wcs.h"

/* The template PSF in the science frame: `tpl` through m (science offsets
 * to template offsets), scaled so that its phase-0 native stamp of n pixels
 * sums to 1 (*norm: the factor that took; the stamp goes to `stamp`, n x n). */
int align_stars_psf(const ph_ovpsf *tpl, const double m[2][2], long n, ph_ovpsf *out,
                    double *stamp, double *norm, const char *file);

/* Fit the template's point sources; with `remove`, take them out of `sci`
 * (in place). */
int align_stars_fit(float *sci, const float *var, const uint8_t *mask, long nx, long ny,
                    const ph_ovpsf *psf, const ph_ptsrc_opts *o, int remove, const char *file,
                    ph_ptsrc **src, long *n);

/* The sources' science positions through both WCSs, listed in `placed`
 * with amplitude flux * scale for the science-frame model `rpsf` (scale =
 * the resampler's flux factor * norm / |det m|, which gives each star the
 * flux the resampling would); with `draw`, drawn on the resampled planes
 * `out` (OUTSIDE pixels stay 0). Sources whose science position is off the
 * science image are left out. */
int align_stars_place(const ph_ptsrc *src, long n, ph_wcs *twcs, ph_wcs *swcs,
                      const ph_ovpsf *rpsf, double scale, int draw, align_planes *out,
                      ph_startab *placed);

#endif
