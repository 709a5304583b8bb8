/* psffit_elem.h -- the per-pixel and per-coefficient arithmetic of the
 * forced PSF fit (psffit.h), shared by the CPU (psffit.c) and the GPU
 * batch (cuda/phot_engine.cu), which call these functions in their loops:
 * which pixels are usable, the annulus, the spline weights and the shifted
 * PSF on the fit box, the weighted sums and the flux, and the MMM sky on
 * sorted values (the GPU's way; the CPU's ph_mmm_background selects instead
 * of sorting and sums in the input's order, which agrees to rounding).
 * tests/unit/test_psffit_elem.c checks each against an independent
 * computation.
 */
#ifndef PH_PSFFIT_ELEM_H
#define PH_PSFFIT_ELEM_H

#include "base/hd.h"

#ifdef __cplusplus
extern "C" {
#endif
#include "sci/psffit.h"
#ifdef __cplusplus
}
#endif

#include <math.h>

/* Pixel i can enter a fit: finite data, finite positive variance, no
 * flagged mask bit. */
static inline PH_HD int ph_psffit_usable(const ph_fit_plane *p, long i)
{
    return isfinite(p->data[i]) && p->var[i] > 0 && isfinite(p->var[i]) &&
           !(p->mask && (p->mask[i] & p->badbits));
}

/* (x0, y0) lies on the image (pixel i spans [i - 0.5, i + 0.5)). */
static inline PH_HD int ph_psffit_on_image(const ph_fit_plane *p, double x0, double y0)
{
    return x0 >= -0.5 && x0 < p->nx - 0.5 && y0 >= -0.5 && y0 < p->ny - 0.5;
}

/* Index of the pixel that holds (x0, y0). */
static inline PH_HD long ph_psffit_centre_index(const ph_fit_plane *p, double x0, double y0)
{
    long ic = (long)floor(x0 + 0.5), jc = (long)floor(y0 + 0.5);
    return jc * p->nx + ic;
}

/* First column (row) of a box of side `box` at x0 (y0): astropy's
 * overlap_slices. */
static inline PH_HD long ph_psffit_box_first(double x0, int box)
{
    return (long)ceil(x0 - 0.5 * box);
}

/* The pixels whose centres may lie within r_out of (x0, y0), clipped to
 * the image: [xa, xb] x [ya, yb] (empty when xb < xa or yb < ya). */
static inline PH_HD void ph_psffit_annulus_bounds(const ph_fit_plane *p, double x0, double y0,
                                                  double r_out, long *xa, long *xb, long *ya,
                                                  long *yb)
{
    *xa = (long)ceil(x0 - r_out);
    *xb = (long)floor(x0 + r_out);
    *ya = (long)ceil(y0 - r_out);
    *yb = (long)floor(y0 + r_out);
    if (*xa < 0)
        *xa = 0;
    if (*ya < 0)
        *ya = 0;
    if (*xb > p->nx - 1)
        *xb = p->nx - 1;
    if (*yb > p->ny - 1)
        *yb = p->ny - 1;
}

/* Pixel (x, y)'s centre is at r_in <= r < r_out from (x0, y0). */
static inline PH_HD int ph_psffit_in_annulus(long x, long y, double x0, double y0, double r_in,
                                             double r_out)
{
    double dx = x - x0, dy = y - y0, r2 = dx * dx + dy * dy;
    return r2 >= r_in * r_in && r2 < r_out * r_out;
}

/* Where the spline of an n-sample stamp is evaluated at u (psffit.h):
 * interval j, t = u - j, a = ((1-t)^3 - (1-t))/6, b = (t^3 - t)/6; `in`
 * 0 (and the rest 0) outside [0, n-1]. */
typedef struct ph_spline_pos {
    int in;
    long j;
    double t, a, b;
} ph_spline_pos;

static inline PH_HD ph_spline_pos ph_psffit_spline_locate(long n, double u)
{
    ph_spline_pos s;
    s.in = u >= 0 && u <= n - 1;
    s.j = 0;
    s.t = s.a = s.b = 0;
    if (!s.in)
        return s;
    s.j = (long)floor(u);
    if (s.j > n - 2)
        s.j = n - 2;
    s.t = u - s.j;
    double q = 1 - s.t;
    s.a = (q * q * q - q) / 6;
    s.b = (s.t * s.t * s.t - s.t) / 6;
    return s;
}

/* Weight of sample k in the spline value at s: a C[j][k] + b C[j+1][k],
 * plus 1 - t at k = j and t at k = j + 1 (C: the n x n matrix of second
 * derivatives, ph_psf_spline.C). */
static inline PH_HD double ph_psffit_spline_weight(const double *C, long n, const ph_spline_pos *s,
                                                   long k)
{
    double w = s->a * C[s->j * n + k] + s->b * C[(s->j + 1) * n + k];
    if (k == s->j)
        w += 1 - s->t;
    if (k == s->j + 1)
        w += s->t;
    return w;
}

/* Column j of a row of the shifted stamp: sum_k wy[k] psf[k n + j] (the
 * spline along y applied to the n x n stamp), k in order. */
static inline PH_HD double ph_psffit_spline_column(const double *wy, const double *psf, long n,
                                                   long j)
{
    double v = 0;
    for (long k = 0; k < n; k++)
        v += wy[k] * psf[k * n + j];
    return v;
}

/* sum_j a[j] b[j], j in order (a row of ph_psffit_spline_column values and the
 * weights along x: one pixel of the shifted stamp). */
static inline PH_HD double ph_psffit_spline_dot(const double *a, const double *b, long n)
{
    double v = 0;
    for (long j = 0; j < n; j++)
        v += a[j] * b[j];
    return v;
}

/* The weighted sums of the fit over the box x box pixels from (bx, by)
 * (model[(j - by) box + (i - bx)]), rows then columns in order, off-image
 * and unusable pixels skipped: *swpp = sum P^2 / var, *swdp = sum (d - sky)
 * P / var. Returns the pixels used. */
static inline PH_HD int ph_psffit_sums(const ph_fit_plane *p, const double *model, long bx,
                                       long by, int box, double sky, double *swpp, double *swdp)
{
    double spp = 0, sdp = 0;
    int npix = 0;
    for (long j = by; j < by + box; j++)
        for (long i = bx; i < bx + box; i++) {
            if (i < 0 || j < 0 || i >= p->nx || j >= p->ny)
                continue;
            long k = j * p->nx + i;
            if (!ph_psffit_usable(p, k))
                continue;
            double P = model[(j - by) * box + (i - bx)], wgt = 1.0 / p->var[k];
            spp += wgt * P * P;
            sdp += wgt * (p->data[k] - sky) * P;
            npix++;
        }
    *swpp = spp;
    *swdp = sdp;
    return npix;
}

/* The flux and its error from the sums; the status PH_FIT_OK (flux set),
 * PH_FIT_FEW_PIXELS (fewer than half the box, or than all of it with
 * full_box) or PH_FIT_NO_PSF. */
static inline PH_HD int ph_psffit_solve(int npix, int box, int full_box, double swpp, double swdp,
                                        double *flux, double *flux_err)
{
    if (full_box ? (npix < box * box) : (2 * npix < box * box))
        return PH_FIT_FEW_PIXELS;
    if (!(swpp > 0))
        return PH_FIT_NO_PSF;
    *flux = swdp / swpp;
    *flux_err = 1.0 / sqrt(swpp);
    return PH_FIT_OK;
}

/* Median of the sorted a[lo..hi), numpy's convention. */
static inline PH_HD double ph_psffit_median_sorted(const double *a, int lo, int hi)
{
    int m = hi - lo;
    return m % 2 ? a[lo + m / 2] : 0.5 * (a[lo + m / 2 - 1] + a[lo + m / 2]);
}

/* Mean and population standard deviation of a[lo..hi) (two passes, in
 * order). */
static inline PH_HD void ph_psffit_mean_std_run(const double *a, int lo, int hi, double *mean,
                                                double *std)
{
    double s = 0, s2 = 0;
    for (int i = lo; i < hi; i++)
        s += a[i];
    double mu = s / (hi - lo);
    for (int i = lo; i < hi; i++)
        s2 += (a[i] - mu) * (a[i] - mu);
    *mean = mu;
    *std = sqrt(s2 / (hi - lo));
}

/* photutils' MMMBackground of m sorted finite values (stats.h
 * ph_mmm_background): clipped at 3 sigma about the median, at most 10
 * times, then 3 median - 2 mean. On sorted values the kept set is always a
 * contiguous run, so clipping moves its two ends. NaN when m = 0 or
 * nothing is kept. */
static inline PH_HD double ph_psffit_mmm_sorted(const double *a, int m)
{
    int lo = 0, hi = m;
    double med, mu, sd;
    for (int it = 0; it < 10 && hi > lo; it++) {
        med = ph_psffit_median_sorted(a, lo, hi);
        ph_psffit_mean_std_run(a, lo, hi, &mu, &sd);
        int nlo = lo, nhi = hi;
        while (nlo < nhi && !(fabs(a[nlo] - med) <= 3.0 * sd))
            nlo++;
        while (nhi > nlo && !(fabs(a[nhi - 1] - med) <= 3.0 * sd))
            nhi--;
        if (nhi - nlo == hi - lo)
            break;
        lo = nlo;
        hi = nhi;
    }
    if (hi <= lo)
        return NAN;
    med = ph_psffit_median_sorted(a, lo, hi);
    ph_psffit_mean_std_run(a, lo, hi, &mu, &sd);
    return 3.0 * med - 2.0 * mu;
}

#endif
