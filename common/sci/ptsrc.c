/* ptsrc.c -- see ptsrc.h. */
#include "sci/ptsrc.h"

#include "base/log.h"
#include "sci/stats.h"
#include "base/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void ph_ptsrc_defaults(ph_ptsrc_opts *o)
{
    o->peak_snr = 5;
    o->snr_min = 10;
    o->box = 0;
    o->chi2_max = 4;
    o->model_err = 0.03;
    o->badbits = 2 | 4;
    o->max_sources = 0;
    o->resid_frac = 0.06;
    o->explained_snr = 50;
}

/* Smallest singular value of m (NULL: 1): |m d| >= s |d|. */
static double smin(const double m[2][2])
{
    if (!m)
        return 1;
    double a = m[0][0] * m[0][0] + m[0][1] * m[0][1] + m[1][0] * m[1][0] + m[1][1] * m[1][1];
    double det = fabs(m[0][0] * m[1][1] - m[0][1] * m[1][0]);
    double d = a * a - 4 * det * det;
    return sqrt(fmax((a - sqrt(fmax(d, 0))) / 2, 1e-12));
}

/* The box of pixels the drawn PSF can reach. */
static void reach(const ph_ovpsf *psf, const double m[2][2], double x, double y, long nx, long ny,
                  long *x0, long *x1, long *y0, long *y1)
{
    double r = ph_ovpsf_radius(psf) / smin(m);
    *x0 = (long)fmax(0, ceil(x - r));
    *x1 = (long)fmin(nx - 1, floor(x + r));
    *y0 = (long)fmax(0, ceil(y - r));
    *y1 = (long)fmin(ny - 1, floor(y + r));
}

static double model_at(const ph_ovpsf *psf, const double m[2][2], double dx, double dy)
{
    if (!m)
        return ph_ovpsf_eval(psf, dx, dy);
    return ph_ovpsf_eval(psf, m[0][0] * dx + m[0][1] * dy, m[1][0] * dx + m[1][1] * dy);
}

/* Add the source to a float image (imgf) or, when imgf is NULL, to a
 * double one (imgd). */
static void draw(const ph_ovpsf *psf, const double m[2][2], double x, double y, double flux,
                 float *imgf, double *imgd, long nx, long ny)
{
    long x0, x1, y0, y1;
    reach(psf, m, x, y, nx, ny, &x0, &x1, &y0, &y1);
    for (long j = y0; j <= y1; j++)
        for (long i = x0; i <= x1; i++) {
            double v = flux * model_at(psf, m, i - x, j - y);
            if (imgf)
                imgf[j * nx + i] += (float)v;
            else
                imgd[j * nx + i] += v;
        }
}

void ph_ptsrc_draw(const ph_ovpsf *psf, const double m[2][2], double x, double y, double flux,
                   float *img, long nx, long ny)
{
    draw(psf, m, x, y, flux, img, NULL, nx, ny);
}

void ph_ptsrc_draw_d(const ph_ovpsf *psf, const double m[2][2], double x, double y, double flux,
                     double *img, long nx, long ny)
{
    draw(psf, m, x, y, flux, NULL, img, nx, ny);
}

/* FWHM of the PSF along x, native px (half-maximum crossing). */
static double fwhm_x(const ph_ovpsf *psf)
{
    double p0 = ph_ovpsf_eval(psf, 0, 0), r = ph_ovpsf_radius(psf);
    for (double u = 0.01; u < r; u += 0.01)
        if (ph_ovpsf_eval(psf, u, 0) < 0.5 * p0)
            return 2 * u;
    return 2 * r;
}

typedef struct image_view {
    float *work;        /* the image minus the models fitted so far */
    const float *var;
    const uint8_t *mask;
    uint8_t badbits;
    double skyvar;      /* when var is NULL */
    long nx, ny;
} image_view;

static int usable(const image_view *v, long k, double *w)
{
    if (v->mask && (v->mask[k] & v->badbits))
        return 0;
    double var = v->var ? v->var[k] : fabs(v->work[k]) + v->skyvar;
    if (!(var > 0) || !isfinite(v->work[k]) || !isfinite(var))
        return 0;
    *w = 1 / var;
    return 1;
}

/* Parameters: flux, x, y, then the background about the box centre (u, v
 * = pixel - centre): b0 + bx u + by v for a plane, + bxx u^2 + bxy u v +
 * byy v^2 for a quadratic. */
enum { NP_PLANE = 6, NP_QUAD = 9, NP_MAX = NP_QUAD };

/* Solve the symmetric np x np system a x = b (Gaussian elimination with
 * partial pivoting); the inverse's [0][0] into *inv00. 0 or -1 if singular. */
static int solve(int np, double a[NP_MAX][NP_MAX], double b[NP_MAX], double x[NP_MAX],
                 double *inv00)
{
    double m[NP_MAX][2 * NP_MAX + 1];
    int last = 2 * np;
    for (int i = 0; i < np; i++) {
        for (int j = 0; j < np; j++) {
            m[i][j] = a[i][j];
            m[i][np + j] = i == j;
        }
        m[i][last] = b[i];
    }
    for (int c = 0; c < np; c++) {
        int piv = c;
        for (int r = c + 1; r < np; r++)
            if (fabs(m[r][c]) > fabs(m[piv][c]))
                piv = r;
        if (!(fabs(m[piv][c]) > 1e-300))
            return -1;
        if (piv != c)
            for (int j = 0; j <= last; j++) {
                double t = m[c][j];
                m[c][j] = m[piv][j];
                m[piv][j] = t;
            }
        for (int r = 0; r < np; r++) {
            if (r == c)
                continue;
            double f = m[r][c] / m[c][c];
            for (int j = c; j <= last; j++)
                m[r][j] -= f * m[c][j];
        }
    }
    for (int i = 0; i < np; i++)
        x[i] = m[i][last] / m[i][i];
    *inv00 = m[0][np] / m[0][0];
    return 0;
}

/* The background terms' basis at offset (u, v) from the box centre. */
static void bg_basis(int np, double u, double v, double *f)
{
    f[0] = 1;
    f[1] = u;
    f[2] = v;
    if (np == NP_QUAD) {
        f[3] = u * u;
        f[4] = u * v;
        f[5] = v * v;
    }
}

/* The background polynomial c (about centre (cx, cy)) re-expressed about
 * (ncx, ncy): the box follows the source. */
static void bg_move(int np, double *c, double du, double dv)
{
    if (np == NP_QUAD) {
        c[0] += c[1] * du + c[2] * dv + c[3] * du * du + c[4] * du * dv + c[5] * dv * dv;
        c[1] += 2 * c[3] * du + c[4] * dv;
        c[2] += 2 * c[5] * dv + c[4] * du;
    } else {
        c[0] += c[1] * du + c[2] * dv;
    }
}

/* Fit one source starting at s (flux, x, y, bg) with a background of
 * np - 3 terms about the box centre (a plane: a neighbour's wing does not
 * bias the flux; a quadratic: nor the core of a galaxy the star sits on).
 * 0 converged, -1 not. *allow gets the chi^2 a PSF model error of
 * `model_err` of the model in every pixel would add at the solution. */
static int fit_one(const image_view *v, const ph_ovpsf *psf, int box, double model_err, int np,
                   ph_ptsrc *s, double *allow)
{
    const double e = 1e-3;
    int h = box / 2, converged = 0, nb = np - 3;
    double inv00 = NAN, c[NP_MAX - 3] = {s->bg}, f[NP_MAX - 3];
    long cx = (long)floor(s->x + 0.5), cy = (long)floor(s->y + 0.5);
    for (int it = 0; it < 20 && !converged; it++) {
        cx = (long)floor(s->x + 0.5), cy = (long)floor(s->y + 0.5);
        double A[NP_MAX][NP_MAX] = {{0}}, B[NP_MAX] = {0};
        int n = 0;
        for (long j = cy - h; j <= cy + h; j++) {
            if (j < 0 || j >= v->ny)
                continue;
            for (long i = cx - h; i <= cx + h; i++) {
                double w;
                if (i < 0 || i >= v->nx || !usable(v, j * v->nx + i, &w))
                    continue;
                double u = i - s->x, t = j - s->y;
                double m0 = ph_ovpsf_eval(psf, u, t);
                double gx = (ph_ovpsf_eval(psf, u - e, t) - ph_ovpsf_eval(psf, u + e, t)) / (2 * e);
                double gy = (ph_ovpsf_eval(psf, u, t - e) - ph_ovpsf_eval(psf, u, t + e)) / (2 * e);
                double J[NP_MAX] = {m0, s->flux * gx, s->flux * gy};
                bg_basis(np, (double)(i - cx), (double)(j - cy), f);
                double r = v->work[j * v->nx + i] - s->flux * m0;
                for (int b = 0; b < nb; b++) {
                    J[3 + b] = f[b];
                    r -= c[b] * f[b];
                }
                for (int a = 0; a < np; a++) {
                    B[a] += w * J[a] * r;
                    for (int b = 0; b < np; b++)
                        A[a][b] += w * J[a] * J[b];
                }
                n++;
            }
        }
        if (n < 2 * np)
            return -1;
        double d[NP_MAX];
        if (solve(np, A, B, d, &inv00))
            return -1;
        for (int k = 1; k < 3; k++)
            if (fabs(d[k]) > 0.5)
                d[k] = d[k] > 0 ? 0.5 : -0.5;
        long ncx = (long)floor(s->x + d[1] + 0.5), ncy = (long)floor(s->y + d[2] + 0.5);
        s->flux += d[0];
        s->x += d[1];
        s->y += d[2];
        for (int b = 0; b < nb; b++)
            c[b] += d[3 + b];
        bg_move(np, c, (double)(ncx - cx), (double)(ncy - cy));
        converged = fabs(d[1]) < 1e-5 && fabs(d[2]) < 1e-5 && fabs(d[0]) <= 1e-7 * fabs(s->flux) + 1e-9;
        s->npix = n;
    }
    if (!converged || !(s->flux > 0))
        return -1;
    /* chi^2 at the solution, and what the model error would add */
    cx = (long)floor(s->x + 0.5), cy = (long)floor(s->y + 0.5);
    double chi = 0, me = 0;
    int n = 0;
    for (long j = cy - h; j <= cy + h; j++)
        for (long i = cx - h; i <= cx + h; i++) {
            double w;
            if (j < 0 || j >= v->ny || i < 0 || i >= v->nx || !usable(v, j * v->nx + i, &w))
                continue;
            double m = s->flux * ph_ovpsf_eval(psf, i - s->x, j - s->y), r = v->work[j * v->nx + i] - m;
            bg_basis(np, (double)(i - cx), (double)(j - cy), f);
            for (int b = 0; b < nb; b++)
                r -= c[b] * f[b];
            chi += w * r * r;
            me += w * (model_err * m) * (model_err * m);
            n++;
        }
    s->bg = c[0];
    s->chi2 = n > np ? chi / (n - np) : NAN;
    *allow = n > np ? me / (n - np) : 0;
    s->flux_err = inv00 > 0 ? sqrt(inv00) : NAN;
    return 0;
}

typedef struct cand {
    long k;
    float peak;
} cand;

static int by_peak(const void *a, const void *b)
{
    float pa = ((const cand *)a)->peak, pb = ((const cand *)b)->peak;
    return pa < pb ? 1 : pa > pb ? -1 : (((const cand *)a)->k > ((const cand *)b)->k) - (((const cand *)a)->k < ((const cand *)b)->k);
}

static int by_flux(const void *a, const void *b)
{
    double fa = ((const ph_ptsrc *)a)->flux, fb = ((const ph_ptsrc *)b)->flux;
    return fa < fb ? 1 : fa > fb ? -1 : 0;
}

/* A clip plateau or a flagged pixel in the 3x3 core of candidate k. */
static int saturated_core(const image_view *v, const float *img, long k)
{
    long x = k % v->nx, y = k / v->nx;
    float mx = img[k];
    int near = 0;
    for (long j = y - 1; j <= y + 1; j++)
        for (long i = x - 1; i <= x + 1; i++) {
            long q = j * v->nx + i;
            if (v->mask && (v->mask[q] & v->badbits))
                return 1;
            if (fabsf(img[q] - mx) <= 1e-4f * fabsf(mx))
                near++;
        }
    return near >= 2;
}

static int accept(const ph_ptsrc *s, const ph_ptsrc_opts *o, double cx, double cy, double allow)
{
    if (!(s->flux_err > 0) || s->flux / s->flux_err < o->snr_min)
        return 0;
    if (fabs(s->x - cx) > 1.5 || fabs(s->y - cy) > 1.5)
        return 0;
    return s->chi2 <= o->chi2_max + allow;
}

/* A bright source whose PSF model leaves at most o->resid_frac of its
 * weighted power to the residual (chi^2 (npix - np) / (chi^2 (npix - np) +
 * (flux / flux_err)^2)): a star on a galaxy's core, or hit by a cosmic ray,
 * is mostly point source even where the chi^2 test fails; compact galaxies
 * leave 0.045 and more (OpenUniverse2024, S/N >= 50). */
static int explained(const ph_ptsrc *s, const ph_ptsrc_opts *o, double cx, double cy, int np)
{
    if (!(o->resid_frac > 0) || !(s->flux_err > 0) || s->flux / s->flux_err < o->explained_snr)
        return 0;
    if (fabs(s->x - cx) > 1.5 || fabs(s->y - cy) > 1.5 || !isfinite(s->chi2))
        return 0;
    double r = s->chi2 * (s->npix - np), snr = s->flux / s->flux_err;
    return r <= o->resid_frac * (r + snr * snr);
}

int ph_ptsrc_find(const float *img, const float *var, const uint8_t *mask, long nx, long ny,
                  const ph_ovpsf *psf, const ph_ptsrc_opts *o, const char *file, ph_ptsrc **out,
                  long *nout)
{
    *out = NULL;
    *nout = 0;
    image_view v = {.var = var, .mask = mask, .badbits = o->badbits, .nx = nx, .ny = ny};
    if (!var) {
        /* robust sky variance from a sparse sample */
        long ns = 0, step = (nx * ny) / 100000 + 1;
        double *s = ph_malloc((size_t)(nx * ny / step + 1) * sizeof *s, "sky sample");
        if (!s)
            return PH_EFAIL;
        for (long k = 0; k < nx * ny; k += step)
            if (isfinite(img[k]) && !(mask && (mask[k] & o->badbits)))
                s[ns++] = img[k];
        double med = ph_median_inplace(s, ns);
        for (long i = 0; i < ns; i++)
            s[i] = fabs(s[i] - med);
        double mad = 1.4826 * ph_median_inplace(s, ns);
        free(s);
        v.skyvar = mad > 0 ? mad * mad : 1;
    }
    int box = o->box;
    if (box <= 0) {
        box = 2 * (int)ceil(1.5 * fwhm_x(psf)) + 1;
        box = box < 7 ? 7 : box > 15 ? 15 : box;
    }
    v.work = ph_malloc((size_t)nx * ny * sizeof *v.work, "point-source work image");
    long cap = 4096, nc = 0;
    cand *c = ph_malloc((size_t)cap * sizeof *c, "point-source candidates");
    if (!v.work || !c) {
        free(v.work);
        free(c);
        return PH_EFAIL;
    }
    memcpy(v.work, img, (size_t)nx * ny * sizeof *v.work);

    /* candidates: local maxima of their 5x5 neighbourhood above the threshold */
    for (long y = 2; y < ny - 2; y++)
        for (long x = 2; x < nx - 2; x++) {
            long k = y * nx + x;
            double w;
            float p = img[k];
            if (!(p > 0) || !usable(&v, k, &w) || p * sqrt(w) < o->peak_snr)
                continue;
            int ismax = 1;
            for (long j = y - 2; j <= y + 2 && ismax; j++)
                for (long i = x - 2; i <= x + 2; i++) {
                    long q = j * nx + i;
                    if (q != k && (img[q] > p || (img[q] == p && q < k))) {
                        ismax = 0;
                        break;
                    }
                }
            if (!ismax || saturated_core(&v, img, k))
                continue;
            if (nc == cap) {
                cand *t = realloc(c, (size_t)(cap *= 2) * sizeof *c);
                if (!t) {
                    free(v.work);
                    free(c);
                    return ph_error(PH_EFAIL, file, "out of memory (point-source candidates)");
                }
                c = t;
            }
            c[nc].k = k;
            c[nc++].peak = p;
        }
    qsort(c, (size_t)nc, sizeof *c, by_peak);

    ph_ptsrc *s = ph_malloc((size_t)(nc ? nc : 1) * sizeof *s, "point sources");
    if (!s) {
        free(v.work);
        free(c);
        return PH_EFAIL;
    }
    /* Pass 1, provisional: every candidate that converges to a point near
     * its pixel with enough S/N is fitted and removed, brightest first, so
     * that the pass after sees blends separated. */
    double peak = ph_ovpsf_eval(psf, 0, 0);
    long ns = 0;
    for (long i = 0; i < nc; i++) {
        double cx = (double)(c[i].k % nx), cy = (double)(c[i].k / nx), allow;
        ph_ptsrc t = {.x = cx, .y = cy, .flux = c[i].peak / (peak > 0 ? peak : 1)};
        if (fit_one(&v, psf, box, o->model_err, NP_PLANE, &t, &allow) ||
            !accept(&t, o, cx, cy, INFINITY))
            continue;
        int dup = 0;
        for (long q = 0; q < ns && !dup; q++)
            dup = fabs(s[q].x - t.x) < 1 && fabs(s[q].y - t.y) < 1;
        if (dup)
            continue;
        s[ns++] = t;
        ph_ptsrc_draw(psf, NULL, t.x, t.y, -t.flux, v.work, nx, ny);
    }
    /* Passes 2 and 3: each source put back and refitted with its neighbours
     * removed; a point source (the chi^2 test) is removed again, anything
     * else stays in the image. The third pass refits the kept ones without
     * the provisional models of the rejected. */
    long keep = ns;
    for (int pass = 0; pass < 2; pass++) {
        long k = 0;
        for (long i = 0; i < keep; i++) {
            ph_ptsrc t = s[i];
            ph_ptsrc_draw(psf, NULL, t.x, t.y, t.flux, v.work, nx, ny);
            double cx = floor(t.x + 0.5), cy = floor(t.y + 0.5), allow;
            if (fit_one(&v, psf, box, o->model_err, NP_PLANE, &t, &allow) ||
                !accept(&t, o, cx, cy, allow)) {
                /* a star on a galaxy's core: the plane cannot follow the
                 * galaxy's curvature; a quadratic can over the box */
                t = s[i];
                if (fit_one(&v, psf, box, o->model_err, NP_QUAD, &t, &allow) ||
                    !explained(&t, o, cx, cy, NP_QUAD))
                    continue; /* left in the image */
            }
            ph_ptsrc_draw(psf, NULL, t.x, t.y, -t.flux, v.work, nx, ny);
            s[k++] = t;
        }
        keep = k;
    }
    if (o->max_sources > 0 && keep > o->max_sources)
        keep = o->max_sources;
    free(v.work);
    free(c);
    qsort(s, (size_t)keep, sizeof *s, by_flux);
    *out = s;
    *nout = keep;
    return PH_OK;
}
