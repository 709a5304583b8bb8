/* phot.h -- ph-phot's work on arrays (no file I/O): the transient's forced
 * photometry and aperture sum, and a zero point from catalogue stars. */
#ifndef PH_PHOT_PHOT_H
#define PH_PHOT_PHOT_H

#include "io/header.h"
#include "sci/psffit.h"

/* What is measured at the transient. */
typedef struct phot_meas {
    ph_fit_result fit;   /* flux, flux_err, local sky, status */
    double aperture_sum; /* r = ap_r, exact overlap, minus stamp_bkg */
    double stamp_bkg;    /* the constant background of the stamp */
    double mag, mag_err; /* instrumental; NaN for flux <= 0 */
} phot_meas;

/* phrosty's stamp geometry (pipeline-reference §5.2): the 0-based first
 * column of the `size`-wide stamp around x0: int(x0 - 0.5) - size/2, with
 * C's truncation (as Python's int()). */
long phot_stamp_start(double x0, long size);

/* photutils Background2D with one box, as snappl's ap_phot gets it: the
 * usable pixels of the size x size stamp, 3-sigma clipped (10 iterations),
 * SExtractor's mode estimate. NaN when none. */
double phot_stamp_background(const ph_fit_plane *p, double x0, double y0, long size);

/* The PSF fit, the aperture sum (radius ap_r, pixel weights exact or
 * subpixels^2 samples; after subtracting the stamp background of a
 * `stamp` wide stamp) and the magnitudes. Returns PH_EFAIL
 * only on out of memory; a fit that cannot be made has m->fit.status set. */
int phot_measure(const ph_fit_plane *p, const ph_psf_spline *s, const ph_fit_opts *o, double x0,
                 double y0, double ap_r, int subpixels, long stamp, phot_meas *m);

/* The same with the PSF fit made at (fx, fy) (where the spline puts the
 * stamp's centre: see phot_psf_model) and the aperture, stamp and
 * magnitudes at (x0, y0); flux and flux_err divided by apcorr. */
int phot_measure_at(const ph_fit_plane *p, const ph_psf_spline *s, const ph_fit_opts *o, double x0,
                    double y0, double fx, double fy, double apcorr, double ap_r, int subpixels,
                    long stamp, phot_meas *m);

/* How well the fitted model amp x PSF(fx, fy) + sky describes the fit box:
 * the reduced chi^2 sum w (d - sky - amp P)^2 / (n - 1) over its usable
 * pixels (NaN with fewer than 2), and in *allow what a PSF wrong by 3% of
 * its value in every pixel would add (as ptsrc.h's test of a point source).
 * A static source under the transient, or a residual of the subtraction,
 * shows as a chi^2 far above 1 + *allow while the flux alone looks fine. */
double phot_fit_chi2(const ph_fit_plane *p, const ph_psf_spline *s, const ph_fit_opts *o, double fx,
                     double fy, double amp, double sky, double *allow);

/* Catalogue stars by aperture instead of the PSF fit: for each star the
 * sum of (data - local annulus sky) within radius r of (x[i] + dx, y[i] +
 * dy), exact pixel/circle overlap, divided by the PSF stamp's own sum in
 * the same circle about its centre (c + dx, c + dy): the flux in the units
 * of the PSF fit, whatever the sub-pixel phase. res[i].flux_err is NaN;
 * status PH_FIT_FEW_PIXELS where an aperture pixel is unusable or the
 * circle leaves the image, PH_FIT_NO_SKY where the annulus is too thin.
 * Returns PH_EFAIL on out of memory. */
int phot_star_apertures(const ph_fit_plane *p, const double *psf, long n, double dx, double dy,
                        double r, const ph_fit_opts *o, long nstars, const double *x,
                        const double *y, ph_fit_result *res);

/* What DECORR_PSF's header says about the model (ph-decorr --target-psf):
 * phased = 1 when the stamp was drawn at the sub-pixel phase of (psfx,
 * psfy) instead of centred (key PSFPHASE); apcorr = PSFFRAC x (1 - PSFLOSS),
 * the fraction of the point source's flux the normalised stamp stands for
 * (1 when the keys are absent). */
typedef struct phot_psf_model {
    int phased;
    double psfx, psfy; /* 0-based position the phased stamp was drawn for */
    double dx, dy;     /* its offset from the centre pixel: psfx - round(psfx) */
    double apcorr;
} phot_psf_model;
void phot_psf_model_read(const ph_header *h, phot_psf_model *m);

/* Zero point from fitted stars: zp_i = mag_i + 2.5 log10(flux_i) over
 * stars with a good fit, flux > 0 and lo < mag_i < hi; `used` (may be NULL)
 * marks them. *zpt = median, *scatter = 1.4826 x median absolute
 * deviation, *nused the count (zpt NaN when 0). */
void phot_zeropoint(long n, const double *mag, const ph_fit_result *fit, double lo, double hi,
                    double *zpt, double *scatter, long *nused, unsigned char *used);

#endif
