/* ptsrc.h -- point sources of an image, found and fitted with its
 * oversampled PSF (ovpsf.h): position, flux and local background.
 *
 * Why: an undersampled image cannot be interpolated onto another pixel grid
 * without changing every star's shape (by 15-50% of the peak for Roman's
 * Y106 at any roll), but a star is fully described by its position and
 * flux. ph-align fits the template's stars here, removes them, resamples
 * the smooth remainder and draws the stars back exactly on the science
 * grid; ph-subtract then matches them exactly in the cross-convolution.
 *
 * Finding: a candidate is a pixel that is the largest of its 5x5
 * neighbourhood, with value / sqrt(var) >= peak_snr, not BAD or OUTSIDE.
 * Saturated cores are left alone: a candidate with a flagged pixel in its
 * 3x3 core, or whose core holds two or more pixels within 1e-4 of the
 * maximum (a clip plateau: OpenUniverse2024 clips at 1e5 e- without a
 * flag), is not fitted.
 *
 * Fitting: the model flux * PSF(pixel - (x, y)) + a background plane over a
 * box of `box` x `box` pixels around the candidate, weighted by 1 / var,
 * unusable pixels (flagged, var <= 0, not finite) left out; Gauss-Newton in
 * (flux, x, y, and the plane's three terms: a neighbour's wing does not bias
 * the flux) with numerical position derivatives, at most 20 steps.
 * Candidates are fitted from the brightest down, each on the image with the
 * brighter ones' models removed, and kept provisionally when the fit
 * converges; then, twice, every source is fitted again with all the others'
 * models removed (blends: two Roman stars 4 px apart each fail the chi^2
 * test alone) and kept only when it passes the test below.
 *
 * Accepted as a point source: converged, flux / flux_err >= snr_min, the
 * position within 1.5 px of the candidate pixel, and a reduced chi^2 within
 * chi2_max plus what a PSF model wrong by `model_err` of its value in every
 * pixel would add at that flux (sum w (model_err * model)^2 / dof: 0.4 for a
 * 2e5 e- Roman star at 1%). Extended sources -- compact galaxies give 70 to
 * 200 -- fail it and stay in the image: a galaxy fitted as a star would
 * leave its remainder minus a PSF core to the interpolation, which shows
 * (median max|z| 7-16 at galaxies above 3e4 e-, against 4-5 left alone).
 *
 * A star on a galaxy's core fails the test with a plane under it (chi^2 46
 * for 3e4 e- 2.8 px from the centre of a 7e4 e- disc), and so does a star
 * hit by a cosmic ray; either left to the interpolation leaves a residual
 * of the star's size. So a source the plane fit rejects is fitted again
 * over a quadratic background and accepted when it passes the test then,
 * or when it is bright (S/N >= explained_snr, 50) and its PSF leaves at
 * most resid_frac (4%) of the source's weighted power to the residual:
 * chi^2 dof / (chi^2 dof + S/N^2). That star leaves 3.2%; ph-sim's
 * galaxies leave 8.5-47% and OpenUniverse2024's (the look-alike template)
 * 4.5% and more.
 */
#ifndef PH_PTSRC_H
#define PH_PTSRC_H

#include "io/ovpsf.h"

#include <stdint.h>

typedef struct ph_ptsrc {
    double x, y;       /* 0-based pixel position of the PSF centre */
    double flux;       /* in the PSF's normalisation (ovpsf.h: the phase-0 stamp sums to 1) */
    double flux_err;
    double bg;         /* local background per pixel (the plane at the box centre) */
    double chi2;       /* reduced chi^2 of the fit */
    int npix;          /* box pixels used */
} ph_ptsrc;

typedef struct ph_ptsrc_opts {
    double peak_snr;   /* candidate threshold on value / sqrt(var) (5) */
    double snr_min;    /* flux / flux_err of an accepted source (10) */
    int box;           /* odd fit box side (0: from the PSF's FWHM, 7 ... 15) */
    double chi2_max;   /* reduced chi^2 allowed beyond the model-error term (4) */
    double model_err;  /* PSF model error allowed, relative to the model (0.03) */
    uint8_t badbits;   /* mask bits that make a pixel unusable */
    long max_sources;  /* keep at most this many, brightest first (0: no limit) */
    double resid_frac; /* or: S/N >= explained_snr and the PSF + quadratic fit leaves at
                        * most this fraction of the source's power (0.04; 0: off) */
    double explained_snr; /* (50) */
} ph_ptsrc_opts;

void ph_ptsrc_defaults(ph_ptsrc_opts *o);

/* Find and fit the point sources of img (nx x ny, var and mask may be
 * NULL: then var = |img| + the image's robust sky variance and nothing is
 * flagged). *out (malloc'ed, caller frees) gets *n sources sorted by
 * decreasing flux. Errors (recorded, file names the image): out of memory. */
int ph_ptsrc_find(const float *img, const float *var, const uint8_t *mask, long nx, long ny,
                  const ph_ovpsf *psf, const ph_ptsrc_opts *o, const char *file, ph_ptsrc **out,
                  long *n);

/* Add s * flux * PSF(m (pixel - (x, y))) to img over the pixels within the
 * PSF grid's radius (m may be NULL: identity). */
void ph_ptsrc_draw(const ph_ovpsf *psf, const double m[2][2], double x, double y, double flux,
                   float *img, long nx, long ny);
void ph_ptsrc_draw_d(const ph_ovpsf *psf, const double m[2][2], double x, double y, double flux,
                     double *img, long nx, long ny);

#endif
