/* romanfit.c -- the band's analytic Roman PSF with its wavefront error and
 * jitter fitted to an image's stars (--model romanfit; auto's choice where
 * the stars are too few for an ePSF).
 *
 * Why: an image's PSF differs from the analytic model's defaults by its
 * jitter and its optics. On the OpenUniverse2024 look-alikes the default
 * roman stamp is 5% to 11% (relative L2) from the true PSF, and fluxes came
 * out 2% to 11% high; within the model's own family, wavefront error and
 * jitter chosen for the exposure bring it to 0.4% to 1%. Two parameters
 * need only a few stars, where an ePSF needs thirty: a 1024 x 1024 cut-out
 * holds 5 to 13.
 *
 * How: the stars epsf chooses (point-like, isolated, unsaturated, no
 * flagged core; S/N >= 50 here), each fitted over the usable pixels within
 * FIT_R of its centre as flux x the model at its sub-pixel phase plus a
 * constant, weighted by the sky and Poisson variance. The centres are
 * refined by Gauss-Newton with the default model (a symmetric PSF's centre
 * does not depend on its width), the sum of chi^2 is minimised over a
 * coarse grid of (wfe, jitter), stars far off the best fit are dropped
 * (cosmic rays, blends the choice missed), the centres are refined with the
 * best model, and a finer grid around it gives the result. Charge diffusion
 * stays at the band's default: it blurs like jitter and the two cannot be
 * told apart.
 */
#include "epsf_priv.h"
#include "sci/linalg.h"
#include "base/log.h"
#include "psf.h"
#include "sci/romanpsf.h"
#include "sci/stats.h"
#include "base/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { FIT_R = 3, FIT_N = 2 * FIT_R + 1, MIN_STARS = 3 };

typedef struct fstar {
    const star *s;
    double x, y;         /* centre, refined */
    double f, b, chi2;   /* last fit */
    int npix, use;
} fstar;

typedef struct fctx {
    const float *img;
    long nx, ny;
    double rms2, gain;
} fctx;

/* 1 / variance of a pixel of value d: sky and Poisson. (A floor for the
 * model family's own misfit, 2% of the pixel, was tried: it gives the faint
 * stars the say, and the look-alike cut-outs' stamps came out 1.7% to 3.7%
 * from the truth instead of 0.3% to 3.4%.) */
static double weight(const fctx *c, double d)
{
    return 1 / (c->rms2 + (d > 0 ? d / c->gain : 0));
}

/* The pixels of star t a fit may use: within FIT_R of its centre pixel
 * (ic, jc), on the image, usable; their stamp index, value and weight.
 * Returns how many. */
static int fit_pixels(const fctx *c, const fstar *t, long ic, long jc, int *idx, double *d,
                      double *w)
{
    int n = 0;
    for (int l = 0; l < FIT_N; l++)
        for (int k = 0; k < FIT_N; k++) {
            long i = ic + k - FIT_R, j = jc + l - FIT_R;
            if ((k - FIT_R) * (k - FIT_R) + (l - FIT_R) * (l - FIT_R) > FIT_R * FIT_R + 1 ||
                i < 0 || j < 0 || i >= c->nx || j >= c->ny || !epsf_usable(t->s, i, j))
                continue;
            idx[n] = l * FIT_N + k;
            d[n] = c->img[j * c->nx + i];
            w[n] = weight(c, d[n]);
            n++;
        }
    return n;
}

/* Linear fit of flux and background for star t with model r at its centre;
 * with deriv, also the centre shift (Gauss-Newton step, numerical
 * derivatives of the model). Returns the chi^2 (NaN: no fit). */
static double fit_star(const fctx *c, ph_romanpsf *r, fstar *t, int deriv, double *step)
{
    long ic = (long)floor(t->x + 0.5), jc = (long)floor(t->y + 0.5);
    double dx = t->x - ic, dy = t->y - jc, P[FIT_N * FIT_N], Px[FIT_N * FIT_N],
           Py[FIT_N * FIT_N], tmp[FIT_N * FIT_N];
    const double h = 0.02;
    if (ph_romanpsf_stamp(r, dx, dy, FIT_N, P))
        return NAN;
    if (deriv) {
        if (ph_romanpsf_stamp(r, dx + h, dy, FIT_N, Px) || ph_romanpsf_stamp(r, dx - h, dy, FIT_N, tmp))
            return NAN;
        for (int i = 0; i < FIT_N * FIT_N; i++)
            Px[i] = (Px[i] - tmp[i]) / (2 * h);
        if (ph_romanpsf_stamp(r, dx, dy + h, FIT_N, Py) || ph_romanpsf_stamp(r, dx, dy - h, FIT_N, tmp))
            return NAN;
        for (int i = 0; i < FIT_N * FIT_N; i++)
            Py[i] = (Py[i] - tmp[i]) / (2 * h);
    }
    /* Normal equations over the usable pixels within FIT_R of the centre. */
    int idx[FIT_N * FIT_N], np = deriv ? 4 : 2;
    double d[FIT_N * FIT_N], w[FIT_N * FIT_N], A[4][4] = {{0}}, bv[4] = {0};
    int n = fit_pixels(c, t, ic, jc, idx, d, w);
    for (int p = 0; p < n; p++) {
        int q = idx[p];
        double g[4] = {P[q], 1, deriv ? t->f * Px[q] : 0, deriv ? t->f * Py[q] : 0};
        double res = deriv ? d[p] - t->f * g[0] - t->b : d[p];
        for (int a = 0; a < np; a++) {
            bv[a] += w[p] * g[a] * res;
            for (int b = 0; b < np; b++)
                A[a][b] += w[p] * g[a] * g[b];
        }
    }
    if (n < np + 4)
        return NAN;
    double x[4];
    if (ph_linalg_solve_small(np, A, bv, x))
        return NAN;
    if (deriv) {
        /* x: corrections to f, b and the centre (dx grows with x) */
        step[0] = x[2], step[1] = x[3];
        return 0;
    }
    t->f = x[0], t->b = x[1];
    double chi2 = 0;
    for (int p = 0; p < n; p++) {
        double e = d[p] - t->f * P[idx[p]] - t->b;
        chi2 += w[p] * e * e;
    }
    t->chi2 = chi2;
    t->npix = n;
    return chi2;
}

/* A star's reduced chi^2 (flux and background fitted). */
static double red_chi2(const fstar *t) { return t->chi2 / (t->npix - 2); }

static int count_used(const fstar *fs, int n)
{
    int m = 0;
    for (int k = 0; k < n; k++)
        m += fs[k].use;
    return m;
}

/* Median reduced chi^2 of the used stars of the last fit (NaN: none);
 * *nused: how many entered it. */
static double median_red_chi2(const fstar *fs, int n, int *nused)
{
    double *red = ph_malloc((size_t)(n > 0 ? n : 1) * sizeof *red, "chi2");
    int m = 0;
    for (int k = 0; k < n && red; k++)
        if (fs[k].use && fs[k].npix > 2)
            red[m++] = red_chi2(&fs[k]);
    double med = red && m ? ph_median(red, m) : NAN;
    free(red);
    *nused = m;
    return med;
}

/* Centres of the used stars with model r: a few Gauss-Newton steps. */
static void refine_centres(const fctx *c, ph_romanpsf *r, fstar *fs, int n)
{
    for (int k = 0; k < n; k++) {
        if (!fs[k].use)
            continue;
        for (int it = 0; it < 5; it++) {
            double step[2];
            if (!isfinite(fit_star(c, r, &fs[k], 0, NULL)) ||
                fit_star(c, r, &fs[k], 1, step) != 0)
                break;
            if (fabs(step[0]) > 0.5 || fabs(step[1]) > 0.5) { /* not converging: keep it out */
                ph_debug("roman fit: star at %.2f %.2f does not converge; not used", fs[k].x,
                         fs[k].y);
                fs[k].use = 0;
                break;
            }
            fs[k].x += step[0], fs[k].y += step[1];
            if (fabs(step[0]) < 1e-3 && fabs(step[1]) < 1e-3)
                break;
        }
    }
}

/* Sum of chi^2 of the used stars with (wfe, jitter); +inf if a star has no fit. */
static double total_chi2(const fctx *c, const ph_romanpsf_opts *base, double wfe, double jit,
                         fstar *fs, int n)
{
    ph_romanpsf_opts o = *base;
    o.wfe_nm = wfe;
    o.jitter_arcsec = jit;
    ph_romanpsf *r = ph_romanpsf_new(&o);
    if (!r) {
        ph_error_clear();
        return INFINITY;
    }
    double s = 0;
    for (int k = 0; k < n; k++)
        if (fs[k].use) {
            double x = fit_star(c, r, &fs[k], 0, NULL);
            s += isfinite(x) ? x : INFINITY;
        }
    ph_romanpsf_free(r);
    return s;
}

/* Minimise over the grid wfe0 + i dw (i < nw), jit0 + j dj (j < nj), both >= 0. */
static void grid(const fctx *c, const ph_romanpsf_opts *base, double wfe0, double dw, int nw,
                 double jit0, double dj, int nj, fstar *fs, int n, double *wfe, double *jit,
                 double *best)
{
    for (int i = 0; i < nw; i++)
        for (int j = 0; j < nj; j++) {
            double w = wfe0 + i * dw, q = jit0 + j * dj;
            if (w < 0 || q < 0)
                continue;
            double x = total_chi2(c, base, w, q, fs, n);
            if (x < *best)
                *best = x, *wfe = w, *jit = q;
        }
}

int romanfit_run(const float *img, const uint8_t *bad, long nx, long ny, double rms,
                 const epsf_params *ep, const ph_romanpsf_opts *base, romanfit_result *out,
                 const char *file)
{
    memset(out, 0, sizeof *out);
    epsf_params p = *ep;
    p.snr = 50;
    p.order = 0;
    int32_t *seg = NULL;
    star *stars = NULL;
    int ns = 0;
    double rhalf, width;
    int st = epsf_find_stars(img, bad, nx, ny, rms, &p, &seg, &stars, &ns, &rhalf, &width, file);
    free(seg);
    fstar *fs = st ? NULL : ph_calloc(ns > 0 ? (size_t)ns : 1, sizeof *fs, "stars");
    if (!st && !fs)
        st = PH_EFAIL;
    if (st) {
        epsf_stars_free(stars, ns);
        return st;
    }
    fctx c = {img, nx, ny, rms * rms, p.gain > 0 ? p.gain : 1};
    for (int k = 0; k < ns; k++)
        fs[k] = (fstar){.s = &stars[k], .x = stars[k].x, .y = stars[k].y, .f = stars[k].f,
                        .use = 1};
    ph_romanpsf *r = ph_romanpsf_new(base);
    if (!r)
        st = PH_EFAIL;
    if (!st)
        refine_centres(&c, r, fs, ns);
    if (r)
        ph_romanpsf_free(r);
    int nuse = count_used(fs, ns);
    if (!st && nuse < MIN_STARS)
        st = ph_error(PH_EFAIL, file,
                      "only %d isolated unsaturated point-like stars with S/N >= %g: too few "
                      "to fit the roman model's wavefront error and jitter",
                      nuse, p.snr);
    double wfe = base->wfe_nm, jit = base->jitter_arcsec, best = INFINITY;
    if (!st) {
        grid(&c, base, 0, 30, 7, 0, 0.005, 9, fs, ns, &wfe, &jit, &best);
        /* Drop the stars the best model cannot fit (cosmic rays, blends),
         * then refine the centres with it. The fits at the best model
         * first: the grid leaves each star's of its last trial. */
        total_chi2(&c, base, wfe, jit, fs, ns);
        int m;
        double med = median_red_chi2(fs, ns, &m);
        /* (with 3 stars a median says little: all are kept) */
        for (int k = 0; k < ns && m > MIN_STARS; k++)
            if (fs[k].use && red_chi2(&fs[k]) > 3 * med && red_chi2(&fs[k]) > 3) {
                ph_debug("roman fit: star at %.2f %.2f, reduced chi^2 %.2f (median %.2f); not used",
                         fs[k].x, fs[k].y, red_chi2(&fs[k]), med);
                fs[k].use = 0;
            }
        ph_romanpsf_opts o = *base;
        o.wfe_nm = wfe, o.jitter_arcsec = jit;
        if ((r = ph_romanpsf_new(&o))) {
            refine_centres(&c, r, fs, ns);
            ph_romanpsf_free(r);
        }
        nuse = count_used(fs, ns);
        if (nuse < MIN_STARS)
            st = ph_error(PH_EFAIL, file,
                          "only %d stars fit the roman model: too few to fit its wavefront "
                          "error and jitter",
                          nuse);
    }
    if (!st) {
        best = INFINITY;
        double w0 = wfe, j0 = jit;
        grid(&c, base, w0 - 30, 10, 7, j0 - 0.005, 0.00125, 9, fs, ns, &wfe, &jit, &best);
        total_chi2(&c, base, wfe, jit, fs, ns);
        int m;
        out->chi2 = median_red_chi2(fs, ns, &m);
        for (int k = 0; k < ns; k++)
            ph_debug("roman fit star %.3f %.3f flux %.1f peak %.1f reduced chi^2 %.2f%s", fs[k].x,
                     fs[k].y, fs[k].f, fs[k].s->peak, red_chi2(&fs[k]),
                     fs[k].use ? "" : " (not used)");
        out->wfe_nm = wfe;
        out->jitter_arcsec = jit;
        out->nstars = nuse;
        out->ncand = ns;
        ph_info("roman fit: wavefront error %.0f nm, jitter %.5f\" from %d stars (of %d), median "
                "reduced chi^2 %.3g",
                wfe, jit, nuse, ns, out->chi2);
    }
    free(fs);
    epsf_stars_free(stars, ns);
    return st;
}
