/* epsf.c -- an empirical PSF from the stars of an image (see psf.h).
 *
 * The model is the effective PSF (flux fraction per native pixel) sampled
 * on a grid `oversamp` times finer than the pixels, read between grid
 * points with Keys' bicubic kernel (interp.h). Every pixel of every star is
 * one exact sample of it at offset (pixel - star centre), scaled by the
 * star's flux, so with the centres and fluxes fixed the grid values are the
 * solution of a weighted linear least-squares problem
 *
 *     min  sum_pixels w (d - F_s sum_t P_t(x_s, y_s) B(u, v) m_t)^2
 *          + lambda |second differences of m_t|^2
 *
 * (B: the 16 bicubic weights; P_t: 1, or the terms of a polynomial in the
 * star's position for --epsf-order 1 or 2). Its normal matrix is banded
 * (a grid point meets the points within 3 in x and y: 49 entries a term
 * pair), built in one pass over the pixels and solved by conjugate
 * gradients. This differs from photutils' EPSFBuilder, which averages
 * residuals on the nearest grid point and smooths them: the least-squares
 * grid needs no smoothing kernel, which would widen an undersampled core.
 *
 * Outer iterations: solve the grid; normalise it (unit flux; the
 * variation terms carry no flux); move every star by the model's centroid
 * at its position and the model by its centroid at the image centre (that
 * fixes the translations the problem leaves free, a constant one and, with
 * a varying model, one that varies with the position); refit each star's
 * flux, and centre where the centres are free, to the model (Gauss-Newton);
 * drop stars whose reduced chi^2 is far above the median (galaxies, blends,
 * cosmic rays). Weights are 1 / (rms^2 + model / gain).
 *
 * Stages: (1) the core of the model (a few px) with the requested order,
 * the centres free; for a constant model (order 0) then the joint fit of
 * core and centres (joint_core); (2) the whole model with those centres
 * fixed (moved only by the centroid above).
 *
 * Star candidates: detections (detect.h) at `thresh` x rms that are not
 * deblended, truncated or forced, whose box of the model's size lies on the
 * image without a bad pixel or a pixel above 0.8 x saturation, with no
 * brighter-than-1% neighbour's segment in the box (fainter neighbours'
 * pixels are left out), S/N >= snr, and a half-light radius that is
 * star-like (within 0.7 ... 1.3 of the 30th percentile of the candidates').
 */
#include "detect.h"
#include "epsf_priv.h"
#include "interp.h"
#include "linalg.h"
#include "log.h"
#include "psf.h"
#include "romanpsf.h"
#include "stats.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void epsf_defaults(epsf_params *p)
{
    p->oversamp = 4;
    p->radius = 20;
    p->order = 0;
    p->maxstars = 300;
    p->niter = 3;
    p->kmax = 0;
    p->lattice_weight = 1;
    p->band_weight = 100;
    p->niter_core = 12;
    p->lm = 0.1;
    p->snr = 100;
    p->thresh = 5;
    p->reg = 1e-4;
    p->gain = 1;
    p->saturate = NAN;
    p->fwhm_ref = 0;
}

void epsf_free(epsf_model *e)
{
    free(e->m);
    memset(e, 0, sizeof *e);
}

static int nterms(int order) { return order == 0 ? 1 : order == 1 ? 3 : 6; }

static void poly(const epsf_model *e, double x, double y, double *P)
{
    double a = (x - e->xc) / e->xs, b = (y - e->yc) / e->ys;
    P[0] = 1;
    if (e->nterm > 1)
        P[1] = a, P[2] = b;
    if (e->nterm > 3)
        P[3] = a * a, P[4] = a * b, P[5] = b * b;
}

/* Bicubic taps: first index and 4 weights for grid coordinate g. */
static inline long taps(double g, double *w)
{
    double f = floor(g);
    ph_interp_weights(PH_INTERP_BICUBIC, g - f, w);
    return (long)f - 1;
}

static double eval_p(const epsf_model *e, const double *P, double u, double v)
{
    double o = e->oversamp, wx[4], wy[4];
    long g = e->g;
    long ix = taps(e->h + o * u, wx), iy = taps(e->h + o * v, wy);
    if (ix < 0 || iy < 0 || ix + 3 >= g || iy + 3 >= g)
        return 0;
    double s = 0;
    for (int t = 0; t < e->nterm; t++) {
        const double *m = e->m + (size_t)t * g * g;
        double st = 0;
        for (int a = 0; a < 4; a++) {
            const double *r = m + (iy + a) * g + ix;
            st += wy[a] * (wx[0] * r[0] + wx[1] * r[1] + wx[2] * r[2] + wx[3] * r[3]);
        }
        s += P[t] * st;
    }
    return s;
}

double epsf_eval(const epsf_model *e, double x0, double y0, double u, double v)
{
    double P[6];
    poly(e, x0, y0, P);
    return eval_p(e, P, u, v);
}

void epsf_stamp(const epsf_model *e, double x0, double y0, double dx, double dy, long n,
                double *out, double *frac)
{
    double P[6], c = (n - 1) / 2.0, s = 0;
    poly(e, x0, y0, P);
    for (long j = 0; j < n; j++)
        for (long i = 0; i < n; i++) {
            double u = i - c - dx, v = j - c - dy;
            double val = fabs(u) <= e->radius && fabs(v) <= e->radius ? eval_p(e, P, u, v) : 0;
            out[j * n + i] = val;
            s += val;
        }
    *frac = s;
}

/* ---- the linear problem -------------------------------------------------------- */

typedef struct system {
    long g, ng, nb; /* grid size, g*g, band entries per row */
    int T;          /* terms */
    double *band;   /* ng * nb */
    double *rhs;    /* T * ng */
} system_t;

#define BIDX(t1, t2, T, ddy, ddx) ((((t1) * (T) + (t2)) * 49) + ((ddy) + 3) * 7 + (ddx) + 3)

static void sys_add_sample(system_t *S, const double *P, long ix, long iy, const double *wx,
                           const double *wy, double w, double fd, double d)
{
    int T = S->T;
    double c[16 * 6];
    long gi[16];
    for (int a = 0; a < 4; a++)
        for (int b = 0; b < 4; b++) {
            int k = a * 4 + b;
            gi[k] = (iy + a) * S->g + ix + b;
            for (int t = 0; t < T; t++)
                c[k * T + t] = fd * P[t] * wy[a] * wx[b];
        }
    for (int k1 = 0; k1 < 16; k1++) {
        double *row = S->band + gi[k1] * S->nb;
        int a1 = k1 / 4, b1 = k1 % 4;
        for (int t1 = 0; t1 < T; t1++) {
            double c1 = w * c[k1 * T + t1];
            S->rhs[t1 * S->ng + gi[k1]] += c1 * d;
            for (int k2 = 0; k2 < 16; k2++) {
                int a2 = k2 / 4, b2 = k2 % 4;
                for (int t2 = 0; t2 < T; t2++)
                    row[BIDX(t1, t2, T, a2 - a1, b2 - b1)] += c1 * c[k2 * T + t2];
            }
        }
    }
}

/* The sub-lattice of grid point gi: its phase (i - h) mod o, (j - h) mod o. */
static inline int lattice(long gi, long g, int o)
{
    long h = g / 2, gx = gi % g - h, gy = gi / g - h;
    return (int)(((gy % o + o) % o) * o + (gx % o + o) % o);
}

/* y += lat (C x - mean): the gradient of (lat/2) sum_l (s_l - mean s)^2,
 * s_l the sum of x over sub-lattice l, for each term. Every native-pixel
 * sampling of an ePSF holds its whole flux whatever the phase, so the
 * sub-lattice sums of the grid are equal; a free flux per star otherwise
 * lets the model take any 1-pixel-periodic factor (with the stars' fluxes
 * divided by it at their phase). */
static void lattice_apply(long g, int o, int T, double lat, const double *x, double *y)
{
    long ng = g * g;
    int L = o * o;
    double sl[64];
    for (int t = 0; t < T; t++) {
        const double *xt = x + t * ng;
        double *yt = y + t * ng, mean = 0;
        for (int l = 0; l < L; l++)
            sl[l] = 0;
        for (long i = 0; i < ng; i++)
            sl[lattice(i, g, o)] += xt[i];
        for (int l = 0; l < L; l++)
            mean += sl[l] / L;
        for (long i = 0; i < ng; i++)
            yt[i] += lat * (sl[lattice(i, g, o)] - mean);
    }
}

static void sys_matvec(const system_t *S, const double *x, double *y)
{
    long g = S->g;
    int T = S->T;
    for (long gy = 0; gy < g; gy++)
        for (long gx = 0; gx < g; gx++) {
            long gi = gy * g + gx;
            const double *row = S->band + gi * S->nb;
            int y0 = gy < 3 ? -(int)gy : -3, y1 = gy + 3 >= g ? (int)(g - 1 - gy) : 3;
            int x0 = gx < 3 ? -(int)gx : -3, x1 = gx + 3 >= g ? (int)(g - 1 - gx) : 3;
            for (int t1 = 0; t1 < T; t1++) {
                double s = 0;
                for (int t2 = 0; t2 < T; t2++) {
                    const double *xt = x + (size_t)t2 * S->ng;
                    for (int dy = y0; dy <= y1; dy++) {
                        const double *r = row + BIDX(t1, t2, T, dy, 0);
                        const double *xr = xt + gi + dy * g;
                        for (int dx = x0; dx <= x1; dx++)
                            s += r[dx] * xr[dx];
                    }
                }
                y[t1 * S->ng + gi] = s;
            }
        }
}

/* Smoothness: lambda |second differences|^2 along x and y for every term,
 * plus a tiny ridge. */
static void sys_regularise(system_t *S, double lambda0, double rw_grid, int o)
{
    long g = S->g, h = g / 2;
    int T = S->T;
    static const double c[3] = {1, -2, 1};
    for (int t = 0; t < T; t++)
        for (long gy = 0; gy < g; gy++)
            for (long gx = 0; gx < g; gx++) {
                long gi = gy * g + gx;
                double r2 = ((double)(gx - h) * (gx - h) + (double)(gy - h) * (gy - h)) /
                            (rw_grid * rw_grid);
                double lambda = lambda0 * (r2 >= 1 ? 1 : (r2 > 1e-4 ? r2 : 1e-4));
                /* The wings: each star's pixels there are mostly noise
                 * (1e-4 of its flux at 5 px, 1e-5 at 10), so the grid
                 * must be smooth over a scale that grows with the radius,
                 * or the stamp's normalisation inherits percents of noise
                 * summed over thousands of pixels. */
                double rp = sqrt(r2) * rw_grid / o; /* native px */
                if (rp > 3)
                    lambda += lambda0 * 100 * (rp / 3) * (rp / 3);
                S->band[gi * S->nb + BIDX(t, t, T, 0, 0)] += 1e-3 * lambda;
                for (int axis = 0; axis < 2; axis++) {
                    long p = axis ? gy : gx;
                    if (p < 1 || p + 1 >= g)
                        continue;
                    for (int i = 0; i < 3; i++)
                        for (int j = 0; j < 3; j++) {
                            long di = i - 1, dj = j - 1;
                            long gr = axis ? gi + di * g : gi + di;
                            int ddy = axis ? (int)(dj - di) : 0, ddx = axis ? 0 : (int)(dj - di);
                            S->band[gr * S->nb + BIDX(t, t, T, ddy, ddx)] += lambda * c[i] * c[j];
                        }
                }
            }
}

/* With a background of its own for each star, a model that is a constant
 * c over the box (and every star's background moved by -F c) fits the
 * data as well: nothing in the data fixes the level of the far wings. The
 * ePSF has decayed there (the box is the stamp: 1e-5 of the flux a pixel
 * at 20 px in Y106), so the outermost pixel ring of the model (every term)
 * is held at 0 with the weight of a well-measured grid point; the
 * smoothness carries that into the wings. */
static void sys_edge(system_t *S, const epsf_model *e, double weight)
{
    long g = S->g, h = g / 2, lim = (long)e->oversamp * (e->radius - 1);
    for (int t = 0; t < S->T; t++)
        for (long gy = 0; gy < g; gy++)
            for (long gx = 0; gx < g; gx++) {
                long ax = labs(gx - h), ay = labs(gy - h);
                if ((ax > ay ? ax : ay) > lim)
                    S->band[(gy * g + gx) * S->nb + BIDX(t, t, S->T, 0, 0)] += weight;
            }
}

/* The preconditioner: at every grid point the inverse of the T x T block
 * that couples the terms there (the position polynomials are far from
 * orthogonal: 1 and a^2 share most of their weight), so that conjugate
 * gradients need about as many steps for order 2 as for order 0. */
static double *block_inverse(const system_t *S)
{
    int T = S->T;
    double *inv = ph_malloc((size_t)S->ng * T * T * sizeof *inv, "ePSF preconditioner");
    if (!inv)
        return NULL;
    for (long gi = 0; gi < S->ng; gi++) {
        double a[6][12];
        for (int i = 0; i < T; i++)
            for (int j = 0; j < T; j++) {
                a[i][j] = S->band[gi * S->nb + BIDX(i, j, T, 0, 0)];
                a[i][T + j] = i == j;
            }
        /* Gauss-Jordan; a grid point no sample reaches has only the ridge,
         * a zero pivot falls back to the identity. */
        int ok = 1;
        for (int c = 0; c < T && ok; c++) {
            double piv = a[c][c];
            if (!(fabs(piv) > 0)) {
                ok = 0;
                break;
            }
            for (int j = 0; j < 2 * T; j++)
                a[c][j] /= piv;
            for (int i = 0; i < T; i++)
                if (i != c) {
                    double f = a[i][c];
                    for (int j = 0; j < 2 * T; j++)
                        a[i][j] -= f * a[c][j];
                }
        }
        double *b = inv + gi * T * T;
        for (int i = 0; i < T; i++)
            for (int j = 0; j < T; j++)
                b[i * T + j] = ok ? a[i][T + j] : i == j;
    }
    return inv;
}

static void precondition(const system_t *S, const double *inv, const double *r, double *z)
{
    int T = S->T;
    for (long gi = 0; gi < S->ng; gi++) {
        const double *b = inv + gi * T * T;
        for (int i = 0; i < T; i++) {
            double s = 0;
            for (int j = 0; j < T; j++)
                s += b[i * T + j] * r[j * S->ng + gi];
            z[i * S->ng + gi] = s;
        }
    }
}

/* Block-Jacobi-preconditioned conjugate gradients from the current x. */
static int sys_solve(const system_t *S, double *x)
{
    long n = (long)S->T * S->ng;
    double *r = ph_malloc((size_t)n * 4 * sizeof *r, "ePSF solver");
    double *inv = r ? block_inverse(S) : NULL;
    if (!inv) {
        free(r);
        return PH_EFAIL;
    }
    double *z = r + n, *p = z + n, *q = p + n;
    sys_matvec(S, x, q);
    double bn = 0, rz = 0;
    for (long i = 0; i < n; i++) {
        r[i] = S->rhs[i] - q[i];
        bn += S->rhs[i] * S->rhs[i];
    }
    precondition(S, inv, r, z);
    for (long i = 0; i < n; i++) {
        p[i] = z[i];
        rz += r[i] * z[i];
    }
    int it;
    double rn = 0;
    for (it = 0; it < 2000; it++) {
        rn = 0;
        for (long i = 0; i < n; i++)
            rn += r[i] * r[i];
        if (rn <= 1e-22 * bn)
            break;
        sys_matvec(S, p, q);
        double pq = 0;
        for (long i = 0; i < n; i++)
            pq += p[i] * q[i];
        if (!(pq > 0))
            break;
        double alpha = rz / pq, rz1 = 0;
        for (long i = 0; i < n; i++) {
            x[i] += alpha * p[i];
            r[i] -= alpha * q[i];
        }
        precondition(S, inv, r, z);
        for (long i = 0; i < n; i++)
            rz1 += r[i] * z[i];
        double beta = rz1 / rz;
        rz = rz1;
        for (long i = 0; i < n; i++)
            p[i] = z[i] + beta * p[i];
    }
    ph_debug("ePSF solve: %d CG iterations, residual %.3g", it, sqrt(rn / (bn > 0 ? bn : 1)));
    free(inv);
    free(r);
    return PH_OK;
}

/* ---- stars ---------------------------------------------------------------------- */

static void build(const ctx *c, const epsf_model *e, star *st, int ns, int first, system_t *S)
{
    memset(S->band, 0, (size_t)S->ng * S->nb * sizeof *S->band);
    memset(S->rhs, 0, (size_t)S->T * S->ng * sizeof *S->rhs);
    int R = e->radius;
    double o = e->oversamp;
    for (int k = 0; k < ns; k++) {
        star *s = &st[k];
        if (!s->use)
            continue;
        double P[6];
        poly(e, s->x, s->y, P);
        long cx = (long)floor(s->x + 0.5), cy = (long)floor(s->y + 0.5);
        for (long j = cy - R; j <= cy + R; j++)
            for (long i = cx - R; i <= cx + R; i++) {
                double u = i - s->x, v = j - s->y;
                if (fabs(u) > R || fabs(v) > R || i < 0 || j < 0 || i >= c->nx || j >= c->ny ||
                    !usable(s, i, j))
                    continue;
                double d = c->img[j * c->nx + i] - s->b;
                double mod = first ? d : s->f * eval_p(e, P, u, v);
                double w = 1.0 / (c->rms2 + (mod > 0 ? mod : 0) / c->gain);
                double wx[4], wy[4];
                long ix = taps(e->h + o * u, wx), iy = taps(e->h + o * v, wy);
                sys_add_sample(S, P, ix, iy, wx, wy, w, s->f, d);
            }
    }
}

/* Pixel (i, j) of star s for its flux, centre and background: weight,
 * residual, and the derivatives of the prediction F M(u, v) + b by F, x, y
 * (numerical, step h) and b. 0 if the pixel is not used (outside the
 * model, off the image, bad, another object's). */
static int star_pixel(const ctx *c, const epsf_model *e, const star *s, const double *P, int R,
                      long i, long j, double h, double *w, double *r, double *J)
{
    double u = i - s->x, v = j - s->y;
    if (fabs(u) > R - 0.5 || fabs(v) > R - 0.5 || i < 0 || j < 0 || i >= c->nx || j >= c->ny ||
        !usable(s, i, j))
        return 0;
    double m = eval_p(e, P, u, v);
    double mu = (eval_p(e, P, u + h, v) - eval_p(e, P, u - h, v)) / (2 * h);
    double mv = (eval_p(e, P, u, v + h) - eval_p(e, P, u, v - h)) / (2 * h);
    double mod = s->f * m;
    *w = 1.0 / (c->rms2 + (mod > 0 ? mod : 0) / c->gain);
    *r = c->img[j * c->nx + i] - s->b - mod;
    J[0] = m, J[1] = -s->f * mu, J[2] = -s->f * mv, J[3] = 1;
    return 1;
}

int epsf_solve_small(int n, double A[4][4], double *b, double *x)
{
    for (int c = 0; c < n; c++) {
        int p = c;
        for (int r = c + 1; r < n; r++)
            if (fabs(A[r][c]) > fabs(A[p][c]))
                p = r;
        if (!(fabs(A[p][c]) > 0))
            return 1;
        if (p != c) {
            for (int k = 0; k < n; k++) {
                double t = A[c][k];
                A[c][k] = A[p][k], A[p][k] = t;
            }
            double t = b[c];
            b[c] = b[p], b[p] = t;
        }
        for (int r = c + 1; r < n; r++) {
            double f = A[r][c] / A[c][c];
            for (int k = c; k < n; k++)
                A[r][k] -= f * A[c][k];
            b[r] -= f * b[c];
        }
    }
    for (int c = n - 1; c >= 0; c--) {
        double v = b[c];
        for (int k = c + 1; k < n; k++)
            v -= A[c][k] * x[k];
        x[c] = v / A[c][c];
    }
    return 0;
}

static double det3(double M[3][3])
{
    return M[0][0] * (M[1][1] * M[2][2] - M[1][2] * M[2][1]) -
           M[0][1] * (M[1][0] * M[2][2] - M[1][2] * M[2][0]) +
           M[0][2] * (M[1][0] * M[2][1] - M[1][1] * M[2][0]);
}

int epsf_solve3(double A[3][3], const double *b, double *x)
{
    double det = det3(A);
    if (!(fabs(det) > 0))
        return 1;
    for (int k = 0; k < 3; k++) {
        double M[3][3];
        memcpy(M, A, sizeof M);
        for (int a = 0; a < 3; a++)
            M[a][k] = b[a];
        x[k] = det3(M) / det;
    }
    return 0;
}

/* Refit flux and centre of one star (Gauss-Newton, 4 steps), and its
 * local background when fit_bg (a model that reaches far enough from the
 * core to see the sky: the sky subtraction leaves errors of a few e- about
 * bright stars, which over a box of 41 x 41 pixels are percents of the
 * star's flux); chi2 per degree of freedom. */
static void refit(const ctx *c, const epsf_model *e, star *s, int fix_centre, int fit_bg)
{
    int R = e->radius;
    double P[6], h = 0.02;
    /* the parameters refitted: F, then x y unless fixed, then b */
    int idx[4], np = 0;
    idx[np++] = 0;
    if (!fix_centre)
        idx[np++] = 1, idx[np++] = 2;
    if (fit_bg)
        idx[np++] = 3;
    poly(e, s->x, s->y, P);
    for (int it = 0; it < 4; it++) {
        double A[4][4] = {{0}}, b[4] = {0}, chi = 0;
        long npix = 0;
        long cx = (long)floor(s->x + 0.5), cy = (long)floor(s->y + 0.5);
        for (long j = cy - R; j <= cy + R; j++)
            for (long i = cx - R; i <= cx + R; i++) {
                double w, r, J[4];
                if (!star_pixel(c, e, s, P, R, i, j, h, &w, &r, J))
                    continue;
                for (int a = 0; a < np; a++) {
                    b[a] += w * J[idx[a]] * r;
                    for (int q = 0; q < np; q++)
                        A[a][q] += w * J[idx[a]] * J[idx[q]];
                }
                chi += w * r * r;
                npix++;
            }
        s->chi2 = npix > np ? chi / (npix - np) : INFINITY;
        if (it == 3)
            break;
        double x[4] = {0}, d[4] = {0};
        if (epsf_solve_small(np, A, b, x)) {
            s->use = 0;
            return;
        }
        for (int a = 0; a < np; a++)
            d[idx[a]] = x[a];
        s->f += d[0];
        s->x += fmax(-0.3, fmin(0.3, d[1]));
        s->y += fmax(-0.3, fmin(0.3, d[2]));
        s->b += d[3];
    }
    if (!(s->f > 0) || hypot(s->x - s->x_det, s->y - s->y_det) > 2)
        s->use = 0;
}

/* Pixels of star s that the model cannot explain: cosmic rays and hot
 * pixels that no flag marks (OpenUniverse2024 flags none), a neighbour's
 * light past its isophote. A pixel more than 6 sigma from the model, with
 * sigma^2 = rms^2 + model / gain + (5% of the model)^2 (the model's own
 * error near the core), and its 8 neighbours (a hit spreads by charge
 * diffusion) are left out of the star's fits from now on; a hit within
 * 1.5 px of the centre drops the star. Returns the pixels left out. */
static int clip_outliers(const ctx *c, const epsf_model *e, star *s)
{
    int R = e->radius, n = 0;
    double P[6];
    poly(e, s->x, s->y, P);
    long cx = (long)floor(s->x + 0.5), cy = (long)floor(s->y + 0.5);
    for (long j = cy - R; j <= cy + R; j++)
        for (long i = cx - R; i <= cx + R; i++) {
            double w, r, J[4];
            if (!star_pixel(c, e, s, P, R, i, j, 0.02, &w, &r, J))
                continue;
            double mp = s->f * J[0] > 0 ? s->f * J[0] : 0;
            if (r * r <= 36 * (1 / w + 0.0025 * mp * mp))
                continue;
            if (hypot(i - s->x, j - s->y) <= 1.5) {
                s->use = 0;
                ph_debug("ePSF star at (%.2f, %.2f): an outlier in its core, dropped", s->x,
                         s->y);
                return n;
            }
            for (long b = j - 1; b <= j + 1; b++)
                for (long a = i - 1; a <= i + 1; a++)
                    if (usable(s, a, b))
                        s->mask[(b - s->my0) * s->mw + (a - s->mx0)] = 0;
            n++;
        }
    return n;
}

/* Windowed moments of each term: sums of m, u m and v m over the grid
 * points within 2.5 native px of the core's centroid. */
typedef struct moments {
    double s[6], sx[6], sy[6];
} moments;

/* Normalise to unit flux (variation terms carry none) and return the
 * centroid of the core (term 0) in native pixels; mo (may be NULL) gets
 * every term's moments in the same window. */
static void normalise(epsf_model *e, double *cx, double *cy, moments *mo)
{
    long gg = e->g * e->g;
    int o = e->oversamp, L = o * o;
    /* Sums of each term over each sub-lattice (the grid points one native
     * sampling at a given phase reads). A star's flux trades exactly with
     * a factor on the sub-lattice of its phase (the data cannot tell them
     * apart), and an ePSF holds its whole flux at every phase: each
     * sub-lattice of the constant term is scaled to sum 1, and the
     * variation terms carry no flux on any of them. */
    double S[6][64];
    int ok = 1;
    for (int t = 0; t < e->nterm; t++) {
        for (int l = 0; l < L; l++)
            S[t][l] = 0;
        for (long i = 0; i < gg; i++)
            S[t][lattice(i, e->g, o)] += e->m[t * gg + i];
    }
    for (int l = 0; l < L; l++)
        ok &= S[0][l] > 0;
    if (!ok) { /* a model without flux on some phase: one factor for all */
        double s0 = 0;
        for (int l = 0; l < L; l++)
            s0 += S[0][l] / L;
        for (int t = 0; t < e->nterm; t++)
            for (int l = 0; l < L; l++)
                S[t][l] = t == 0 ? s0 : S[t][l];
    }
    for (long i = 0; i < gg; i++) {
        int l = lattice(i, e->g, o);
        for (int t = 1; t < e->nterm; t++)
            e->m[t * gg + i] -= S[t][l] / S[0][l] * e->m[i];
        for (int t = 0; t < e->nterm; t++)
            e->m[t * gg + i] /= S[0][l];
    }
    if (mo) /* no core flux in the window: no centroid, no move */
        memset(mo, 0, sizeof *mo);
    /* Centroid within 2.5 native px, iterated about the current estimate. */
    double x = 0, y = 0;
    for (int it = 0; it < 6; it++) {
        moments w;
        memset(&w, 0, sizeof w);
        for (long j = 0; j < e->g; j++)
            for (long i = 0; i < e->g; i++) {
                double u = (double)(i - e->h) / e->oversamp, v = (double)(j - e->h) / e->oversamp;
                if ((u - x) * (u - x) + (v - y) * (v - y) > 2.5 * 2.5)
                    continue;
                for (int t = 0; t < e->nterm; t++) {
                    double m = e->m[t * gg + j * e->g + i];
                    w.s[t] += m, w.sx[t] += m * u, w.sy[t] += m * v;
                }
            }
        if (!(w.s[0] > 0))
            break;
        if (mo)
            *mo = w;
        if (it == 5)
            break;
        x = w.sx[0] / w.s[0], y = w.sy[0] / w.s[0];
    }
    *cx = x, *cy = y;
}

/* The centroid of the model at image position (x0, y0), from its terms'
 * moments: where a star there sits relative to the centre its fit gives.
 * Moving every star by it fixes the translations the problem leaves free:
 * the constant one, and with a varying model (order > 0) one that varies
 * with the position (a variation term shaped like the core's derivative
 * and every star moved in proportion explain the data equally well). */
static void centroid_at(const epsf_model *e, const moments *mo, double x0, double y0, double *cx,
                        double *cy)
{
    double P[6], s = 0, sx = 0, sy = 0;
    poly(e, x0, y0, P);
    for (int t = 0; t < e->nterm; t++)
        s += P[t] * mo->s[t], sx += P[t] * mo->sx[t], sy += P[t] * mo->sy[t];
    *cx = s > 0 ? sx / s : 0, *cy = s > 0 ? sy / s : 0;
}

/* Move the model by (-cx, -cy) native px so that its centroid is at 0. */
static int shift_model(epsf_model *e, double cx, double cy)
{
    long g = e->g, gg = g * g;
    double *t = ph_malloc((size_t)gg * sizeof *t, "ePSF model");
    if (!t)
        return PH_EFAIL;
    double o = e->oversamp;
    for (int k = 0; k < e->nterm; k++) {
        double *m = e->m + k * gg;
        for (long j = 0; j < g; j++)
            for (long i = 0; i < g; i++)
                t[j * g + i] = ph_interp_sample(m, g, g, i + o * cx, j + o * cy, PH_INTERP_BICUBIC, 0);
        memcpy(m, t, (size_t)gg * sizeof *t);
    }
    free(t);
    return PH_OK;
}

double epsf_fwhm(const epsf_model *e, double x0, double y0)
{
    /* Resampled 8x (bicubic) so that the half-maximum crossing is found on
     * the same footing as ph_romanpsf_fwhm_epsf's. */
    long n = 8 * 2 * 8 + 1;
    double *t = ph_malloc((size_t)n * n * sizeof *t, "ePSF FWHM"), P[6];
    if (!t)
        return NAN;
    poly(e, x0, y0, P);
    for (long j = 0; j < n; j++)
        for (long i = 0; i < n; i++)
            t[j * n + i] = eval_p(e, P, (i - (n - 1) / 2) / 8.0, (j - (n - 1) / 2) / 8.0);
    double w = ph_fwhm_halfmax(t, n, 1.0 / 8);
    free(t);
    return w;
}

/* Build the normal equations of the model for the current stars, add the
 * smoothness penalty (scaled by the mean diagonal) and solve. The
 * sub-lattice penalty of the joint fit is left out here: it slows the
 * conjugate gradients badly, and with the centres fixed the fluxes (which
 * start from box sums) do not drift along that degeneracy. */
static int solve_model(const ctx *c, epsf_model *e, star *stars, int ns, const epsf_params *p,
                       int first, system_t *S)
{
    build(c, e, stars, ns, first, S);
    double diag = 0;
    long nd = 0;
    for (long i = 0; i < S->ng; i++) {
        double d = S->band[i * S->nb + BIDX(0, 0, e->nterm, 0, 0)];
        if (d > 0)
            diag += d, nd++;
    }
    double dm = nd ? diag / nd : 1;
    sys_regularise(S, p->reg * dm, p->oversamp * fmax(3.0, e->radius / 2.0), e->oversamp);
    if (e->radius >= 8)
        sys_edge(S, e, dm);
    return sys_solve(S, e->m);
}

static int model_alloc(epsf_model *e, const epsf_params *p, int radius, long nx, long ny)
{
    e->oversamp = p->oversamp, e->radius = radius, e->order = p->order;
    e->nterm = nterms(p->order);
    e->h = (long)p->oversamp * radius + 2;
    e->g = 2 * e->h + 1;
    e->xc = (nx - 1) / 2.0, e->yc = (ny - 1) / 2.0, e->xs = nx / 2.0, e->ys = ny / 2.0;
    e->m = ph_calloc((size_t)e->nterm * e->g * e->g, sizeof *e->m, "ePSF model");
    return e->m ? PH_OK : PH_EFAIL;
}

/* Outer iterations on model e (see the top of the file); stops early
 * when no centre moves by more than 1e-4 px. first: the first weights
 * from the data (no model yet). */
static int iterate(const ctx *c, epsf_model *e, star *stars, int ns, const epsf_params *p,
                   double *chi, int nmin, int niter, int first, int fix_centres, const char *file)
{
    system_t S = {.g = e->g, .ng = e->g * e->g, .nb = 49L * e->nterm * e->nterm, .T = e->nterm};
    S.band = ph_malloc((size_t)S.ng * S.nb * sizeof *S.band, "ePSF normal matrix");
    S.rhs = ph_malloc((size_t)e->nterm * S.ng * sizeof *S.rhs, "ePSF normal matrix");
    int st = S.band && S.rhs ? PH_OK : PH_EFAIL;
    for (int it = 0; !st && it < niter; it++) {
        if ((st = solve_model(c, e, stars, ns, p, first && it == 0, &S)))
            break;
        double cx, cy;
        moments mo;
        normalise(e, &cx, &cy, &mo);
        int nuse = 0;
        double moved = 0;
        /* The model follows the stars (by its centroid at the image's
         * centre): the weights and the flux refit below use it where they
         * now are, rather than 2 centroids away from the data. */
        if ((st = shift_model(e, cx, cy)))
            break;
        for (int k = 0; k < ns; k++)
            if (stars[k].use) {
                double x = stars[k].x, y = stars[k].y, sx, sy;
                centroid_at(e, &mo, x, y, &sx, &sy);
                stars[k].x += sx, stars[k].y += sy;
                refit(c, e, &stars[k], fix_centres, e->radius >= 8);
                /* only against the whole model (the core's first
                 * iterations are too rough to tell a hit from a misfit) */
                if (stars[k].use && e->radius >= 8 && clip_outliers(c, e, &stars[k]))
                    refit(c, e, &stars[k], fix_centres, e->radius >= 8);
                moved = fmax(moved, fmax(fabs(stars[k].x - x), fabs(stars[k].y - y)));
                if (stars[k].use)
                    chi[nuse++] = stars[k].chi2;
            }
        if (nuse < nmin) {
            st = ph_error(PH_EFAIL, file, "the ePSF fit kept only %d stars (%d needed)", nuse, nmin);
            break;
        }
        double med = ph_median(chi, (size_t)nuse);
        e->chi2 = med;
        int kept = 0;
        for (int k = 0; k < ns; k++)
            if (stars[k].use) {
                if (stars[k].chi2 > 3 * med && nuse - 1 >= nmin)
                    stars[k].use = 0, nuse--;
                else
                    kept++;
            }
        e->nstars = kept;
        ph_info("ePSF radius %d, iteration %d: %d stars, centroid shift (%.4f, %.4f) px, centres "
                "moved < %.4f px, median chi2 %.3f, FWHM %.4f px",
                e->radius, it + 1, kept, cx, cy, moved, med, epsf_fwhm(e, e->xc, e->yc));
        if (moved < 1e-4)
            break;
    }
    /* The centroid of the last solve was moved into the star centres: solve
     * once more about them (resampling the model instead would smooth it),
     * and move the model by what is left (a few 1e-4 px). */
    if (!st)
        st = solve_model(c, e, stars, ns, p, 0, &S);
    if (!st) {
        double cx, cy;
        normalise(e, &cx, &cy, NULL);
        ph_info("ePSF: final centroid offset (%.5f, %.5f) px", cx, cy);
        st = shift_model(e, cx, cy);
    }
    free(S.band);
    free(S.rhs);
    return st;
}

/* Joint Gauss-Newton steps for the core model (one term) and every star's
 * flux and centre together. Alternating between the two converges very
 * slowly for an undersampled PSF: centres pulled towards pixel centres
 * (pixel locking) and a wider model explain the data almost as well as
 * the truth, and each half-step keeps the other's error. The joint normal
 * matrix has a 3x3 block per star; those are eliminated (Schur
 * complement) and the dense model system is solved by Cholesky
 * (linalg.h). */
static int joint_core(const ctx *c, epsf_model *e, star *stars, int ns, const epsf_params *p,
                      int niter, const char *file)
{
    long g = e->g, G = g * g;
    int R = e->radius;
    double o = e->oversamp;
    double *A = ph_malloc((size_t)G * G * sizeof *A, "ePSF joint system");
    double *b = ph_malloc((size_t)G * 5 * sizeof *b, "ePSF joint system");
    if (!A || !b) {
        free(A), free(b);
        return PH_EFAIL;
    }
    double *Nms = b + G;     /* G x 3, per star */
    double *dm = b + 4 * G;  /* the model step */
    long *touched = ph_malloc((size_t)G * sizeof *touched, "ePSF joint system");
    char *mark = ph_calloc((size_t)G, 1, "ePSF joint system");
    int st = touched && mark ? PH_OK : PH_EFAIL;
    double (*step)[3] = ph_malloc((size_t)(ns > 0 ? ns : 1) * sizeof *step, "ePSF joint system");
    if (!step)
        st = PH_EFAIL;
    /* The high-pass kernel hp[dy][dx] (circulant over the grid): delta
     * minus (1/G) sum over in-band frequencies of cos(2 pi k . d). */
    double *hp = NULL;
    if (!st && p->kmax > 0 && p->kmax * 2 < o) {
        hp = ph_calloc((size_t)G, sizeof *hp, "ePSF band limit");
        if (!hp)
            st = PH_EFAIL;
        double kg = p->kmax / o; /* cycles per grid step */
        for (long ky = 0; hp && ky < g; ky++)
            for (long kx = 0; kx < g; kx++) {
                double fx = (double)(kx <= g / 2 ? kx : kx - g) / g;
                double fy = (double)(ky <= g / 2 ? ky : ky - g) / g;
                if (fx * fx + fy * fy > kg * kg)
                    continue;
                for (long dy = 0; dy < g; dy++)
                    for (long dx = 0; dx < g; dx++)
                        hp[dy * g + dx] -= cos(2 * M_PI * (fx * dx + fy * dy)) / G;
            }
        if (hp)
            hp[0] += 1;
    }
    for (int it = 0; !st && it < niter; it++) {
        memset(A, 0, (size_t)G * G * sizeof *A);
        memset(b, 0, (size_t)G * sizeof *b);
        double P[1] = {1};
        for (int k = 0; k < ns; k++) {
            star *s = &stars[k];
            if (!s->use)
                continue;
            double Nss[3][3] = {{0}}, bs[3] = {0};
            long nt = 0;
            long cx = (long)floor(s->x + 0.5), cy = (long)floor(s->y + 0.5);
            for (long j = cy - R; j <= cy + R; j++)
                for (long i = cx - R; i <= cx + R; i++) {
                    double u = i - s->x, v = j - s->y, w, r, Js[4];
                    if (!star_pixel(c, e, s, P, R, i, j, 1e-3, &w, &r, Js))
                        continue;
                    double wx[4], wy[4], Jm[16];
                    long ix = taps(e->h + o * u, wx), iy = taps(e->h + o * v, wy), id[16];
                    for (int a = 0; a < 4; a++)
                        for (int q = 0; q < 4; q++) {
                            id[a * 4 + q] = (iy + a) * g + ix + q;
                            Jm[a * 4 + q] = s->f * wy[a] * wx[q];
                        }
                    for (int a = 0; a < 16; a++) {
                        long ia = id[a];
                        if (!mark[ia]) {
                            mark[ia] = 1;
                            touched[nt++] = ia;
                            Nms[ia * 3] = Nms[ia * 3 + 1] = Nms[ia * 3 + 2] = 0;
                        }
                        double wa = w * Jm[a];
                        b[ia] += wa * r;
                        double *row = A + ia * G;
                        for (int q = 0; q < 16; q++)
                            row[id[q]] += wa * Jm[q];
                        for (int t = 0; t < 3; t++)
                            Nms[ia * 3 + t] += wa * Js[t];
                    }
                    for (int t = 0; t < 3; t++) {
                        bs[t] += w * Js[t] * r;
                        for (int q = 0; q < 3; q++)
                            Nss[t][q] += w * Js[t] * Js[q];
                    }
                }
            /* Eliminate the star: A -= Nms Nss^-1 Nms^T, b -= Nms Nss^-1 bs. */
            for (int t = 0; t < 3; t++)
                Nss[t][t] *= 1 + p->lm;
            double inv[3][3], e3[3];
            int bad = 0;
            for (int t = 0; t < 3 && !bad; t++) {
                double unit[3] = {t == 0, t == 1, t == 2};
                bad = epsf_solve3(Nss, unit, e3);
                for (int q = 0; q < 3; q++)
                    inv[q][t] = e3[q];
            }
            if (bad) {
                s->use = 0;
                for (long a = 0; a < nt; a++)
                    mark[touched[a]] = 0;
                continue; /* its terms stay in A: harmless for one star */
            }
            memcpy(s->nss_inv, inv, sizeof inv);
            memcpy(s->bs, bs, sizeof bs);
            for (long a = 0; a < nt; a++) {
                long ia = touched[a];
                const double *na = Nms + ia * 3;
                double q0 = na[0] * inv[0][0] + na[1] * inv[1][0] + na[2] * inv[2][0];
                double q1 = na[0] * inv[0][1] + na[1] * inv[1][1] + na[2] * inv[2][1];
                double q2 = na[0] * inv[0][2] + na[1] * inv[1][2] + na[2] * inv[2][2];
                b[ia] -= q0 * bs[0] + q1 * bs[1] + q2 * bs[2];
                double *row = A + ia * G;
                for (long c2 = 0; c2 < nt; c2++) {
                    long ib2 = touched[c2];
                    const double *nb = Nms + ib2 * 3;
                    row[ib2] -= q0 * nb[0] + q1 * nb[1] + q2 * nb[2];
                }
            }
            /* Keep this star's Nms for the back-substitution. */
            s->nt = nt;
            s->nms = ph_malloc((size_t)nt * 4 * sizeof(double), "ePSF joint system");
            if (!s->nms) {
                st = PH_EFAIL;
                break;
            }
            for (long a = 0; a < nt; a++) {
                long ia = touched[a];
                s->nms[a * 4] = (double)ia;
                memcpy(s->nms + a * 4 + 1, Nms + ia * 3, 3 * sizeof(double));
                mark[ia] = 0;
            }
        }
        if (st)
            break;
        /* Smoothness (as sys_regularise, on m + dm) and a tiny damping. */
        double diag = 0;
        long nd = 0;
        for (long i = 0; i < G; i++)
            if (A[i * G + i] > 0)
                diag += A[i * G + i], nd++;
        double lam0 = p->reg * 1e-2 * (nd ? diag / nd : 1), rw = o * fmax(3.0, R / 2.0);
        long hh = g / 2;
        for (long gy = 0; gy < g; gy++)
            for (long gx = 0; gx < g; gx++) {
                long gi = gy * g + gx;
                double r2 = ((double)(gx - hh) * (gx - hh) + (double)(gy - hh) * (gy - hh)) /
                            (rw * rw);
                double lam = lam0 * (r2 >= 1 ? 1 : (r2 > 1e-4 ? r2 : 1e-4));
                A[gi * G + gi] += 1e-3 * lam0 + p->lm * A[gi * G + gi];
                for (int axis = 0; axis < 2; axis++) {
                    long pp = axis ? gy : gx, stp = axis ? g : 1;
                    if (pp < 1 || pp + 1 >= g)
                        continue;
                    static const double cc[3] = {1, -2, 1};
                    double dm0 = 0;
                    for (int q = 0; q < 3; q++)
                        dm0 += cc[q] * e->m[gi + (q - 1) * stp];
                    for (int q = 0; q < 3; q++) {
                        long gq = gi + (q - 1) * stp;
                        b[gq] -= lam * cc[q] * dm0;
                        for (int t = 0; t < 3; t++)
                            A[gq * G + gi + (t - 1) * stp] += lam * cc[q] * cc[t];
                    }
                }
            }
        /* Band limit: lambda_b |H (m + dm)|^2, H the projection on the grid's
         * frequencies beyond kmax (a circulant: identity minus the low-pass
         * kernel). */
        if (hp) {
            double lb = p->band_weight * (nd ? diag / nd : 1);
            for (long i = 0; i < G; i++) {
                long yi = i / g, xi = i % g;
                double hm = 0;
                for (long j = 0; j < G; j++) {
                    long dy = ((j / g - yi) % g + g) % g, dx = ((j % g - xi) % g + g) % g;
                    double hij = hp[dy * g + dx];
                    A[i * G + j] += lb * hij;
                    hm += hij * e->m[j];
                }
                b[i] -= lb * hm;
            }
        }
        if (p->lattice_weight > 0) {
            double lc = p->lattice_weight * (nd ? diag / nd : 1);
            int L = (int)(o * o);
            int *lat = ph_malloc((size_t)G * sizeof *lat, "ePSF lattice");
            if (!lat) {
                st = PH_EFAIL;
                break;
            }
            for (long i = 0; i < G; i++)
                lat[i] = lattice(i, g, (int)o);
            for (long i = 0; i < G; i++)
                for (long j = 0; j < G; j++)
                    A[i * G + j] += lc * ((lat[i] == lat[j]) - 1.0 / L);
            double *grad = ph_calloc((size_t)G, sizeof *grad, "ePSF lattice");
            if (!grad) {
                free(lat);
                st = PH_EFAIL;
                break;
            }
            lattice_apply(g, (int)o, 1, lc, e->m, grad);
            for (long i = 0; i < G; i++)
                b[i] -= grad[i];
            free(grad);
            free(lat);
        }
        memcpy(dm, b, (size_t)G * sizeof *dm);
        ph_solve_info info;
        if ((st = ph_solve_symmetric((int)G, A, dm, &info, "ePSF joint system")))
            break;
        for (long i = 0; i < G; i++)
            e->m[i] += dm[i];
        double moved = 0;
        for (int k = 0; k < ns; k++) {
            star *s = &stars[k];
            if (!s->use || !s->nms)
                continue;
            double rb[3] = {s->bs[0], s->bs[1], s->bs[2]};
            for (long a = 0; a < s->nt; a++) {
                long ia = (long)s->nms[a * 4];
                for (int t = 0; t < 3; t++)
                    rb[t] -= s->nms[a * 4 + 1 + t] * dm[ia];
            }
            double d[3];
            for (int t = 0; t < 3; t++)
                d[t] = s->nss_inv[t][0] * rb[0] + s->nss_inv[t][1] * rb[1] +
                       s->nss_inv[t][2] * rb[2];
            s->f += d[0];
            s->x += fmax(-0.2, fmin(0.2, d[1]));
            s->y += fmax(-0.2, fmin(0.2, d[2]));
            moved = fmax(moved, fmax(fabs(d[1]), fabs(d[2])));
            free(s->nms);
            s->nms = NULL;
            if (!(s->f > 0) || hypot(s->x - s->x_det, s->y - s->y_det) > 2)
                s->use = 0;
        }
        /* Unit flux; the centroid fixes the translation. */
        double S0 = 0;
        for (long i = 0; i < G; i++)
            S0 += e->m[i];
        S0 /= o * o;
        double cx, cy;
        normalise(e, &cx, &cy, NULL);
        for (int k = 0; k < ns; k++)
            if (stars[k].use)
                stars[k].f *= S0;
        ph_info("ePSF joint fit %d: centres moved < %.5f px, model centroid (%.4f, %.4f)", it + 1,
                moved, cx, cy);
        if (moved < 2e-4)
            break;
    }
    /* The translation the problem leaves free: the model's centroid at 0. */
    if (!st) {
        double cx, cy;
        normalise(e, &cx, &cy, NULL);
        for (int k = 0; k < ns; k++)
            stars[k].x += cx, stars[k].y += cy;
    }
    for (int k = 0; k < ns; k++) {
        free(stars[k].nms);
        stars[k].nms = NULL;
    }
    free(step);
    free(hp);
    free(mark);
    free(touched);
    free(A);
    free(b);
    (void)file;
    return st;
}

/* Reduced chi^2 of star s against model e within 2.5 px of its centre
 * (less for a model of radius 2),
 * the model's own error counted (5% of the model a pixel): what tells a
 * compact galaxy or a cosmic-ray track from a star of any brightness. */
static double core_chi2(const ctx *c, const epsf_model *e, const star *s)
{
    double P[6], chi = 0, rr = fmin(2.5, e->radius - 0.5); /* within the model */
    long n = 0, cx = (long)floor(s->x + 0.5), cy = (long)floor(s->y + 0.5);
    poly(e, s->x, s->y, P);
    for (long j = cy - 3; j <= cy + 3; j++)
        for (long i = cx - 3; i <= cx + 3; i++) {
            double u = i - s->x, v = j - s->y;
            if (u * u + v * v > rr * rr || !usable(s, i, j))
                continue;
            double mod = s->f * eval_p(e, P, u, v), mp = mod > 0 ? mod : 0;
            double r = c->img[j * c->nx + i] - s->b - mod;
            chi += r * r / (c->rms2 + mp / c->gain + 0.0025 * mp * mp);
            n++;
        }
    return n > 3 ? chi / (n - 3) : INFINITY;
}

/* The first core model, from the brightest candidates whose width is
 * within 15% of the stellar locus (at most 40: among bright point-like
 * sources, stars outnumber compact galaxies and cosmic rays, whose counts
 * rise steeply towards faint fluxes), then every candidate judged by it:
 * its flux and centre refitted, its core chi^2 (core_chi2) must be below
 * 2, or 3 times the seeds' median if that is larger. Seeds whose median
 * is above 5 are no stars: an error. With fewer than nmin
 * such seeds, or for a model that varies over the image (whose stars'
 * widths vary with it), all candidates build the first model. */
static int seed_core(const ctx *c, epsf_model *core, star *stars, int ns, const epsf_params *p,
                     double *chi, int nmin, double width, const char *file)
{
    int nseed = 0, cap = nmin > 40 ? nmin : 40;
    for (int k = 0; k < ns; k++) { /* brightest first */
        stars[k].use = nseed < cap && fabs(log(stars[k].rad / width)) <= 0.15;
        nseed += stars[k].use;
    }
    if (nseed < nmin || nseed == ns || p->order > 0) {
        for (int k = 0; k < ns; k++)
            stars[k].use = 1;
        return iterate(c, core, stars, ns, p, chi, nmin, 2, 1, 0, file);
    }
    int st = iterate(c, core, stars, ns, p, chi, nmin, 2, 1, 0, file);
    if (st)
        return st;
    int nk = 0;
    for (int k = 0; k < ns; k++)
        if (stars[k].use)
            chi[nk++] = core_chi2(c, core, &stars[k]);
    double med = ph_median(chi, (size_t)nk);
    /* Stars share one PSF: the brightest point-like sources that do not
     * (cosmic rays, blends) cannot seed a model. */
    if (!(med <= 5))
        return ph_error(PH_EFAIL, file,
                        "the %d brightest point-like sources do not share one PSF (median core "
                        "chi^2 %.3g against their common model): cosmic rays, blends or "
                        "galaxies, not stars; use a PSF model (a25:, file:, roman)",
                        nk, med);
    double lim = fmax(2, 3 * med);
    int added = 0, nout = 0;
    for (int k = 0; k < ns; k++) {
        star *s = &stars[k];
        if (s->use)
            continue;
        nout++;
        s->use = 1;
        refit(c, core, s, 0, 0);
        if (s->use && core_chi2(c, core, s) <= lim)
            added++;
        else
            s->use = 0;
    }
    ph_info("ePSF: the %d brightest stars near the locus gave the first core model; %d of the %d "
            "other candidates fit it (core chi2 <= %.3g)",
            nk, added, nout, lim);
    return PH_OK;
}

int epsf_min_stars(int order) { return order == 0 ? 30 : order == 1 ? 60 : 120; }

/* Can the stars have supported this model? A model from too few stars
 * fits them better than their noise allows (its grid absorbs the noise:
 * median reduced chi^2 0.2 to 0.45 from 8 to 16 stars on the OU2024
 * look-alikes, 0.73 to 0.95 from 24 to 55); one built on blends or
 * galaxies fits them badly; one built on cosmic rays is sharper than the
 * optics allow (a wider PSF than the band's is no error: defocus,
 * jitter, another telescope). (Its flux is the same at every phase by
 * construction: normalise().) */
static int check_model(const epsf_model *e, const epsf_params *p, const char *file)
{
    if (!(e->chi2 >= 0.5 && e->chi2 <= 3))
        return ph_error(PH_EFAIL, file,
                        e->chi2 < 0.5
                            ? "the ePSF fits its %d stars better than their noise (median reduced "
                              "chi^2 %.2f, below 0.5): too few stars for its grid; lower "
                              "--epsf-snr, or use a PSF model (a25:, file:, roman)"
                            : "the ePSF does not fit its %d stars (median reduced chi^2 %.2f, "
                              "above 3): blends, galaxies or a PSF that varies over the image "
                              "(--epsf-order 1)",
                        e->nstars, e->chi2);
    if (p->fwhm_ref > 0) {
        double w = epsf_fwhm(e, e->xc, e->yc);
        if (!(w >= 0.8 * p->fwhm_ref))
            return ph_error(PH_EFAIL, file,
                            "the ePSF from %d stars has a FWHM of %.2f px, sharper than the band's "
                            "optics allow (%.2f): its 'stars' are cosmic rays or hot pixels; use "
                            "a PSF model (a25:, file:, roman)",
                            e->nstars, w, p->fwhm_ref);
    }
    return PH_OK;
}

int epsf_find_stars(const float *img, const uint8_t *bad, long nx, long ny, double rms,
                    const epsf_params *p, int32_t **seg, star **stars, int *ns, double *rhalf,
                    double *width, const char *file)
{
    *seg = NULL;
    *stars = NULL;
    *ns = 0;
    if (!(rms > 0))
        return ph_error(PH_EFAIL, file, "the sky rms is not positive: cannot select stars");
    if (!(*seg = ph_malloc((size_t)nx * ny * sizeof **seg, "segmentation map")))
        return PH_EFAIL;
    ph_detect_params dp;
    ph_detect_defaults(&dp);
    dp.thresh = p->thresh * rms;
    ph_detection det = {0};
    int st = ph_detect(img, NULL, 0, nx, ny, &dp, NULL, *seg, &det);
    ctx c = {img, bad, *seg, nx, ny, rms * rms, p->gain > 0 ? p->gain : 1};
    if (!st)
        st = epsf_select_stars(&c, &det, p, stars, ns, rhalf, width);
    ph_detection_free(&det);
    return st;
}

int epsf_build(const float *img, const uint8_t *bad, long nx, long ny, double rms,
               const epsf_params *p, epsf_model *e, const char *file)
{
    memset(e, 0, sizeof *e);
    int32_t *seg = NULL;
    star *stars = NULL;
    int ns = 0;
    double rhalf = 1, width = 1;
    double t0 = ph_now();
    int st = epsf_find_stars(img, bad, nx, ny, rms, p, &seg, &stars, &ns, &rhalf, &width, file);
    double t2 = ph_now(), t1 = t2;
    ctx c = {img, bad, seg, nx, ny, rms * rms, p->gain > 0 ? p->gain : 1};
    int nmin = epsf_min_stars(p->order);
    if (!st && ns < nmin)
        st = ph_error(PH_EFAIL, file,
                      "only %d isolated unsaturated point-like stars with S/N >= %g (%d needed for "
                      "an order-%d ePSF); lower --epsf-snr, or use a PSF model (a25:, file:, "
                      "roman)",
                      ns, p->snr, nmin, p->order);
    epsf_model core = {0};
    double *chi = st ? NULL : ph_malloc((size_t)ns * sizeof *chi, "ePSF chi2");
    if (!st && !chi)
        st = PH_EFAIL;
    /* Stage 1: centres and shape of the core, many cheap iterations. */
    /* The core: 3 px, or 2.5 half-light radii for a wider PSF (6 at most). */
    int rc = (int)ceil(2.5 * rhalf);
    rc = rc < 3 ? 3 : rc > 6 ? 6 : rc;
    rc = p->radius < rc ? p->radius : rc;
    ph_info("ePSF: half-light radius %.2f px, core radius %d px", rhalf, rc);
    epsf_params pc = *p;
    /* A well-sampled PSF (half-light radius above 1.5 px) needs no fine
     * core grid to place the stars: 2 samples a pixel keep that step fast. */
    if (rhalf > 1.5 && pc.oversamp > 2)
        pc.oversamp = 2;
    if (!st)
        st = model_alloc(&core, &pc, rc, nx, ny);
    if (!st)
        st = seed_core(&c, &core, stars, ns, &pc, chi, nmin, width, file);
    /* The joint fit has one constant core model: on a PSF that varies
     * (order > 0) it does not converge (the constant model misfits the
     * stars at the edges), so there the centres are those of the varying
     * core model above. Stage 1 fits the core with the requested order for
     * the same reason: a constant core would reject the stars where the
     * PSF differs most from the mean (chi^2 cut), exactly those that
     * constrain the variation. */
    if (!st && p->order == 0)
        st = joint_core(&c, &core, stars, ns, &pc, p->niter_core, file);
    double t3 = ph_now();
    if (!st)
        ph_info("ePSF core model: FWHM %.4f px", epsf_fwhm(&core, core.xc, core.yc));
    epsf_free(&core);
    /* Stage 2: the whole model with those centres, then refined together. */
    if (!st)
        st = model_alloc(e, p, p->radius, nx, ny);
    if (!st)
        st = iterate(&c, e, stars, ns, p, chi, nmin, p->niter, 0, p->niter_core > 0 || p->order > 0, file);
    e->ncand = ns;
    ph_info("ePSF: %.2f s detection and stars, %.2f s core and centres, %.2f s model",
            t1 - t0, t3 - t2, ph_now() - t3);
    if (!st)
        st = check_model(e, p, file);
    for (int k = 0; !st && k < ns; k++)
        if (stars[k].use)
            ph_debug("ePSF star %.4f %.4f %.2f %.3f", stars[k].x, stars[k].y, stars[k].f,
                     stars[k].chi2);
    free(chi);
    epsf_stars_free(stars, ns);
    free(seg);
    if (st)
        epsf_free(e);
    return st;
}
