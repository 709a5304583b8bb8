/* psffit.h -- forced PSF photometry: a PSF stamp shifted to a sub-pixel
 * position, a weighted linear fit of its amplitude, a local sky from an
 * annulus, exact circular aperture sums (pipeline-reference.md §4.2-4.4).
 *
 * The shifted PSF is the one photutils fits (ImagePSF / FittableImageModel,
 * i.e. scipy's RectBivariateSpline with kx = ky = 3, s = 0): the tensor
 * product of 1-D not-a-knot cubic interpolating splines through the stamp's
 * pixel values, its origin at the centre pixel (n-1)/2, zero outside the
 * stamp's grid [0, n-1]^2. The value of the model centred at (x0, y0) at
 * image pixel (i, j) is the spline at (i - x0 + c, j - y0 + c), c = (n-1)/2.
 * A 1-D spline value is linear in the samples, sum_k w_k(u) y_k, with
 *   w(u) = (1-t) e_j + t e_{j+1} + a(t) C[j,:] + b(t) C[j+1,:],
 *   j = floor(u) (at most n-2), t = u - j, a = ((1-t)^3 - (1-t))/6,
 *   b = (t^3 - t)/6,
 * where C maps samples to second derivatives (M = C y: M_{i-1} + 4 M_i +
 * M_{i+1} = 6 (y_{i-1} - 2 y_i + y_{i+1}) inside, third derivative
 * continuous at the second and the last-but-one sample).
 *
 * The fit (photutils' forced PSFPhotometry, linear in the flux): over the
 * `box` x `box` pixels with the first column ceil(x0 - box/2) (astropy's
 * overlap_slices) and likewise for rows, minus pixels that are flagged in
 * the mask, not finite, or have a variance <= 0,
 *   flux = sum w d P / sum w P^2,  flux_err = 1 / sqrt(sum w P^2),
 * w = 1/variance, d = data - local sky. The local sky is photutils'
 * MMMBackground (common/sci/stats.h ph_mmm_background) of the usable pixels
 * whose centres lie at r_in <= r < r_out from (x0, y0).
 *
 * Everything here works on arrays; no file I/O. A GPU version of the batch
 * (cuda/phot_engine.cu) computes the same numbers.
 */
#ifndef PH_PSFFIT_H
#define PH_PSFFIT_H

#include <stddef.h>
#include <stdint.h>

/* The PSF with its spline matrix. */
typedef struct ph_psf_spline {
    long n;        /* odd size, >= 5 */
    double *psf;   /* n*n copy, row-major */
    double *C;     /* n*n: second derivatives M = C y */
    double nea;    /* (sum P)^2 / sum P^2 of the stamp, px^2 */
} ph_psf_spline;

/* Copy the stamp and build C. Errors (recorded, no file): n even or < 5,
 * out of memory. */
int ph_psffit_spline_init(ph_psf_spline *s, const double *psf, long n);
void ph_psffit_spline_free(ph_psf_spline *s);

/* w[0..n) for the spline value at u (stamp coordinate); returns 0 and all
 * zeros when u is outside [0, n-1], else 1. */
int ph_psffit_spline_weights(const ph_psf_spline *s, double u, double *w);

/* The model of unit flux centred at (x0, y0) on image pixels
 * [bx, bx+bw) x [by, by+bh): out[(j-by)*bw + (i-bx)]. `work` holds at
 * least (bw + bh + bh) * n doubles. */
void ph_psffit_spline_box(const ph_psf_spline *s, double x0, double y0, long bx, long by, long bw,
                          long bh, double *out, double *work);

/* One image to measure on. Pixels are usable when finite, var > 0 and
 * (mask & badbits) == 0 (mask may be NULL). */
typedef struct ph_fit_plane {
    const float *data;
    const float *var;
    const uint8_t *mask;
    uint8_t badbits;
    long nx, ny;
} ph_fit_plane;

typedef struct ph_fit_opts {
    int box;          /* odd fit box side (5) */
    double r_in;      /* sky annulus (15, 25); r_out <= 0: no local sky */
    double r_out;
    int full_box;     /* 1: every box pixel must be usable (field stars) */
} ph_fit_opts;

enum {
    PH_FIT_OK = 0,
    PH_FIT_OFF_IMAGE,  /* the position is not on the image */
    PH_FIT_MASKED,     /* the pixel at the position is unusable */
    PH_FIT_FEW_PIXELS, /* too few usable pixels in the box (or not all, full_box) */
    PH_FIT_NO_SKY,     /* fewer than PH_FIT_MIN_SKY usable annulus pixels */
    PH_FIT_NO_PSF,     /* the PSF is zero over the usable box pixels */
};
#define PH_FIT_MIN_SKY 10

typedef struct ph_fit_result {
    double flux, flux_err; /* NaN unless status OK */
    double sky;            /* local sky per pixel (0 without an annulus) */
    int npix;              /* box pixels used */
    int status;            /* PH_FIT_* */
} ph_fit_result;

/* Words for a status ("position off the image", ...). */
const char *ph_psffit_status_text(int status);

/* First column of the fit box (astropy overlap_slices). */
long ph_psffit_box_start(double x0, int box);

/* Local sky: MMM of the usable annulus pixels; NaN (and *npix < the
 * minimum) when too few. *npix may be NULL. */
double ph_psffit_local_sky(const ph_fit_plane *p, double x0, double y0, double r_in, double r_out,
                           int *npix);

/* Scratch for one thread. */
typedef struct ph_fit_work {
    double *buf;
    size_t size;
} ph_fit_work;
void ph_psffit_work_free(ph_fit_work *w);

/* One forced fit. Returns 0, or PH_EFAIL on out of memory (recorded). */
int ph_psffit_one(const ph_fit_plane *p, const ph_psf_spline *s, const ph_fit_opts *o, double x0,
                  double y0, ph_fit_result *r, ph_fit_work *w);

/* n forced fits (the CPU batch). */
int ph_psffit_batch(const ph_fit_plane *p, const ph_psf_spline *s, const ph_fit_opts *o, long n,
                    const double *x0, const double *y0, ph_fit_result *r);

/* Exact area of the intersection of the circle of radius r centred at the
 * origin with the rectangle [xa, xb] x [ya, yb]. */
double ph_psffit_circle_rect_overlap(double xa, double xb, double ya, double yb, double r);

/* The fraction of the pixel [xa, xb] x [ya, yb] (relative to the centre)
 * inside the circle of radius r: exact when subpixels = 0, else photutils'
 * 'subpixel' method (the share of subpixels x subpixels sub-pixel centres
 * strictly inside). */
double ph_psffit_circle_pixel_weight(double xa, double xb, double ya, double yb, double r,
                                     int subpixels);

/* Aperture sum of (data - sky) over the circle of radius r at (x0, y0),
 * each pixel weighted by ph_psffit_circle_pixel_weight. NaN when a pixel with a
 * weight is unusable (*nbad counts them; may be NULL) or the circle leaves
 * the image. */
double ph_psffit_aperture_sum(const ph_fit_plane *p, double x0, double y0, double r, double sky,
                              int subpixels, int *nbad);

/* The GPU batch of the same fits (cuda/phot_engine.cu, ph_psffit_gpu_*)
 * is declared in cuda/ph_cuda.h with the other CUDA entry points. */

#endif
