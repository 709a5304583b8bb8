/* epsf_system.c -- the linear problem of the ePSF grid (epsf.c's top
 * comment): the banded normal matrix built in one pass over the stars'
 * pixels, the smoothness, edge and sub-lattice penalties, and the solve by
 * block-Jacobi-preconditioned conjugate gradients (linalg.h). */
#include "epsf_priv.h"
#include "sci/linalg.h"
#include "base/log.h"
#include "base/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

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


/* y += lat (C x - mean): the gradient of (lat/2) sum_l (s_l - mean s)^2,
 * s_l the sum of x over sub-lattice l, for each term. Every native-pixel
 * sampling of an ePSF holds its whole flux whatever the phase, so the
 * sub-lattice sums of the grid are equal; a free flux per star otherwise
 * lets the model take any 1-pixel-periodic factor (with the stars' fluxes
 * divided by it at their phase). */
void epsf_lattice_apply(long g, int o, int T, double lat, const double *x, double *y)
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
            sl[epsf_lattice(i, g, o)] += xt[i];
        for (int l = 0; l < L; l++)
            mean += sl[l] / L;
        for (long i = 0; i < ng; i++)
            yt[i] += lat * (sl[epsf_lattice(i, g, o)] - mean);
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

/* The system and its preconditioner, for ph_linalg_cg's callbacks. */
typedef struct cg_ctx {
    const system_t *S;
    const double *inv; /* block_inverse */
} cg_ctx;

static void cg_matvec(void *ctx, const double *x, double *y)
{
    sys_matvec(((const cg_ctx *)ctx)->S, x, y);
}

static void precondition(void *ctx, const double *r, double *z)
{
    const system_t *S = ((const cg_ctx *)ctx)->S;
    const double *inv = ((const cg_ctx *)ctx)->inv;
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

/* Block-Jacobi-preconditioned conjugate gradients from the current x, to
 * a relative residual of 1e-11 or 2000 iterations. */
static int sys_solve(const system_t *S, double *x)
{
    double *inv = block_inverse(S);
    if (!inv)
        return PH_EFAIL;
    cg_ctx cc = {S, inv};
    ph_linalg_cg_info info = {0, 0};
    int st = ph_linalg_cg((long)S->T * S->ng, cg_matvec, precondition, &cc, S->rhs, x, 2000,
                          1e-22, &info);
    if (!st)
        ph_debug("ePSF solve: %d CG iterations, residual %.3g", info.iters, info.resid);
    free(inv);
    return st;
}

/* The normal equations of model e from the stars in use: each usable
 * pixel of each star is one sample (sys_add_sample). first: the weights
 * from the data (no model yet). */
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
        epsf_poly(e, s->x, s->y, P);
        long cx = (long)floor(s->x + 0.5), cy = (long)floor(s->y + 0.5);
        for (long j = cy - R; j <= cy + R; j++)
            for (long i = cx - R; i <= cx + R; i++) {
                double u = i - s->x, v = j - s->y;
                if (fabs(u) > R || fabs(v) > R || i < 0 || j < 0 || i >= c->nx || j >= c->ny ||
                    !epsf_usable(s, i, j))
                    continue;
                double d = c->img[j * c->nx + i] - s->b;
                double mod = first ? d : s->f * epsf_eval_p(e, P, u, v);
                double w = 1.0 / (c->rms2 + (mod > 0 ? mod : 0) / c->gain);
                double wx[4], wy[4];
                long ix = epsf_taps(e->h + o * u, wx), iy = epsf_taps(e->h + o * v, wy);
                sys_add_sample(S, P, ix, iy, wx, wy, w, s->f, d);
            }
    }
}

/* Build the normal equations of the model for the current stars, add the
 * smoothness penalty (scaled by the mean diagonal) and solve. The
 * sub-lattice penalty of the joint fit is left out here: it slows the
 * conjugate gradients badly, and with the centres fixed the fluxes (which
 * start from box sums) do not drift along that degeneracy. */
int epsf_solve_model(const ctx *c, epsf_model *e, star *stars, int ns, const epsf_params *p,
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
