/* epsf_joint.c -- the joint fit of the constant core model and every
 * star's flux and centre (stage 1 of epsf.c for order 0).
 *
 * Joint Gauss-Newton steps for the core model (one term) and every star's
 * flux and centre together. Alternating between the two converges very
 * slowly for an undersampled PSF: centres pulled towards pixel centres
 * (pixel locking) and a wider model explain the data almost as well as
 * the truth, and each half-step keeps the other's error. The joint normal
 * matrix has a 3x3 block per star; those are eliminated (Schur
 * complement) and the dense model system is solved by Cholesky
 * (linalg.h). */
#include "epsf_priv.h"
#include "sci/linalg.h"
#include "base/log.h"
#include "base/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The model's part of one Gauss-Newton step, with its scratch. */
typedef struct joint {
    const ctx *c;
    epsf_model *e;
    const epsf_params *p;
    long g, G;      /* grid size, g*g */
    double *A;      /* G x G: the normal matrix of the model step */
    double *b;      /* G: its right-hand side (one block with Nms and dm) */
    double *Nms;    /* G x 3: model-star block of the star being added */
    double *dm;     /* G: the model step */
    long *touched;  /* the grid points that star reaches ... */
    char *mark;     /* ... and a mark on each */
    double *hp;     /* the band limit's high-pass kernel, or NULL */
} joint;

/* The scratch of the fit. Errors: allocation. */
static int joint_alloc(joint *J, const ctx *c, epsf_model *e, const epsf_params *p)
{
    memset(J, 0, sizeof *J);
    J->c = c, J->e = e, J->p = p;
    J->g = e->g, J->G = e->g * e->g;
    long G = J->G;
    J->A = ph_malloc((size_t)G * G * sizeof *J->A, "ePSF joint system");
    J->b = ph_malloc((size_t)G * 5 * sizeof *J->b, "ePSF joint system");
    if (!J->A || !J->b)
        return PH_EFAIL;
    J->Nms = J->b + G;
    J->dm = J->b + 4 * G;
    J->touched = ph_malloc((size_t)G * sizeof *J->touched, "ePSF joint system");
    J->mark = ph_calloc((size_t)G, 1, "ePSF joint system");
    return J->touched && J->mark ? PH_OK : PH_EFAIL;
}

static void joint_free(joint *J)
{
    free(J->hp);
    free(J->mark);
    free(J->touched);
    free(J->A);
    free(J->b);
}

/* The high-pass kernel hp[dy][dx] (circulant over the grid) of the band
 * limit (p->kmax, when below the grid's Nyquist frequency): delta minus
 * (1/G) sum over in-band frequencies of cos(2 pi k . d). Errors:
 * allocation. */
static int band_limit_kernel(joint *J)
{
    long g = J->g, G = J->G;
    double o = J->e->oversamp;
    if (!(J->p->kmax > 0 && J->p->kmax * 2 < o))
        return PH_OK;
    double *hp = J->hp = ph_calloc((size_t)G, sizeof *hp, "ePSF band limit");
    if (!hp)
        return PH_EFAIL;
    double kg = J->p->kmax / o; /* cycles per grid step */
    for (long ky = 0; ky < g; ky++)
        for (long kx = 0; kx < g; kx++) {
            double fx = (double)(kx <= g / 2 ? kx : kx - g) / g;
            double fy = (double)(ky <= g / 2 ? ky : ky - g) / g;
            if (fx * fx + fy * fy > kg * kg)
                continue;
            for (long dy = 0; dy < g; dy++)
                for (long dx = 0; dx < g; dx++)
                    hp[dy * g + dx] -= cos(2 * M_PI * (fx * dx + fy * dy)) / G;
        }
    hp[0] += 1;
    return PH_OK;
}

/* Star s's pixels into the model block (A, b), its model-star block Nms
 * at the grid points it reaches (touched[0 .. *nt), marked) and its own
 * 3x3 block Nss and right-hand side bs (flux, x, y). */
static void star_normal(joint *J, const star *s, double Nss[3][3], double bs[3], long *nt)
{
    const epsf_model *e = J->e;
    long g = J->g, G = J->G;
    int R = e->radius;
    double o = e->oversamp, P[1] = {1};
    long cx = (long)floor(s->x + 0.5), cy = (long)floor(s->y + 0.5);
    for (long j = cy - R; j <= cy + R; j++)
        for (long i = cx - R; i <= cx + R; i++) {
            double u = i - s->x, v = j - s->y, w, r, Js[4];
            if (!epsf_star_pixel(J->c, e, s, P, R, i, j, 1e-3, &w, &r, Js))
                continue;
            double wx[4], wy[4], Jm[16];
            long ix = epsf_taps(e->h + o * u, wx), iy = epsf_taps(e->h + o * v, wy), id[16];
            for (int a = 0; a < 4; a++)
                for (int q = 0; q < 4; q++) {
                    id[a * 4 + q] = (iy + a) * g + ix + q;
                    Jm[a * 4 + q] = s->f * wy[a] * wx[q];
                }
            for (int a = 0; a < 16; a++) {
                long ia = id[a];
                if (!J->mark[ia]) {
                    J->mark[ia] = 1;
                    J->touched[(*nt)++] = ia;
                    J->Nms[ia * 3] = J->Nms[ia * 3 + 1] = J->Nms[ia * 3 + 2] = 0;
                }
                double wa = w * Jm[a];
                J->b[ia] += wa * r;
                double *row = J->A + ia * G;
                for (int q = 0; q < 16; q++)
                    row[id[q]] += wa * Jm[q];
                for (int t = 0; t < 3; t++)
                    J->Nms[ia * 3 + t] += wa * Js[t];
            }
            for (int t = 0; t < 3; t++) {
                bs[t] += w * Js[t] * r;
                for (int q = 0; q < 3; q++)
                    Nss[t][q] += w * Js[t] * Js[q];
            }
        }
}

/* Eliminate star s (damped by 1 + lm): A -= Nms Nss^-1 Nms^T, b -= Nms
 * Nss^-1 bs, keeping Nss^-1, bs and Nms (s->nms) for the back-substitution.
 * A singular Nss drops the star (its terms stay in A: harmless for one
 * star). Errors: allocation. */
static int eliminate_star(joint *J, star *s, double Nss[3][3], const double bs[3], long nt)
{
    long G = J->G;
    for (int t = 0; t < 3; t++)
        Nss[t][t] *= 1 + J->p->lm;
    double inv[3][3], e3[3];
    int bad = 0;
    for (int t = 0; t < 3 && !bad; t++) {
        double unit[3] = {t == 0, t == 1, t == 2};
        bad = ph_linalg_solve3(Nss, unit, e3);
        for (int q = 0; q < 3; q++)
            inv[q][t] = e3[q];
    }
    if (bad) {
        s->use = 0;
        for (long a = 0; a < nt; a++)
            J->mark[J->touched[a]] = 0;
        return PH_OK;
    }
    memcpy(s->nss_inv, inv, sizeof inv);
    memcpy(s->bs, bs, sizeof s->bs);
    for (long a = 0; a < nt; a++) {
        long ia = J->touched[a];
        const double *na = J->Nms + ia * 3;
        double q0 = na[0] * inv[0][0] + na[1] * inv[1][0] + na[2] * inv[2][0];
        double q1 = na[0] * inv[0][1] + na[1] * inv[1][1] + na[2] * inv[2][1];
        double q2 = na[0] * inv[0][2] + na[1] * inv[1][2] + na[2] * inv[2][2];
        J->b[ia] -= q0 * bs[0] + q1 * bs[1] + q2 * bs[2];
        double *row = J->A + ia * G;
        for (long c2 = 0; c2 < nt; c2++) {
            long ib2 = J->touched[c2];
            const double *nb = J->Nms + ib2 * 3;
            row[ib2] -= q0 * nb[0] + q1 * nb[1] + q2 * nb[2];
        }
    }
    /* Keep this star's Nms for the back-substitution. */
    s->nt = nt;
    s->nms = ph_malloc((size_t)nt * 4 * sizeof(double), "ePSF joint system");
    if (!s->nms)
        return PH_EFAIL;
    for (long a = 0; a < nt; a++) {
        long ia = J->touched[a];
        s->nms[a * 4] = (double)ia;
        memcpy(s->nms + a * 4 + 1, J->Nms + ia * 3, 3 * sizeof(double));
        J->mark[ia] = 0;
    }
    return PH_OK;
}

/* The model's normal equations with every star in use eliminated.
 * Errors: allocation. */
static int reduced_system(joint *J, star *stars, int ns)
{
    memset(J->A, 0, (size_t)J->G * J->G * sizeof *J->A);
    memset(J->b, 0, (size_t)J->G * sizeof *J->b);
    for (int k = 0; k < ns; k++) {
        star *s = &stars[k];
        if (!s->use)
            continue;
        double Nss[3][3] = {{0}}, bs[3] = {0};
        long nt = 0;
        star_normal(J, s, Nss, bs, &nt);
        if (eliminate_star(J, s, Nss, bs, nt))
            return PH_EFAIL;
    }
    return PH_OK;
}

/* The mean positive diagonal of A: the scale of the penalties. */
static double diagonal_scale(const joint *J)
{
    double diag = 0;
    long nd = 0;
    for (long i = 0; i < J->G; i++)
        if (J->A[i * J->G + i] > 0)
            diag += J->A[i * J->G + i], nd++;
    return nd ? diag / nd : 1;
}

/* Smoothness (as epsf_system.c's sys_regularise, on m + dm) and a tiny
 * damping. */
static void add_smoothness(joint *J, double scale)
{
    const epsf_model *e = J->e;
    long g = J->g, G = J->G;
    double *A = J->A, *b = J->b, o = e->oversamp;
    int R = e->radius;
    double lam0 = J->p->reg * 1e-2 * scale, rw = o * fmax(3.0, R / 2.0);
    long hh = g / 2;
    for (long gy = 0; gy < g; gy++)
        for (long gx = 0; gx < g; gx++) {
            long gi = gy * g + gx;
            double r2 = ((double)(gx - hh) * (gx - hh) + (double)(gy - hh) * (gy - hh)) /
                        (rw * rw);
            double lam = lam0 * (r2 >= 1 ? 1 : (r2 > 1e-4 ? r2 : 1e-4));
            A[gi * G + gi] += 1e-3 * lam0 + J->p->lm * A[gi * G + gi];
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
}

/* Band limit: lambda_b |H (m + dm)|^2, H the projection on the grid's
 * frequencies beyond kmax (a circulant: identity minus the low-pass
 * kernel). */
static void add_band_limit(joint *J, double scale)
{
    long g = J->g, G = J->G;
    double lb = J->p->band_weight * scale;
    for (long i = 0; i < G; i++) {
        long yi = i / g, xi = i % g;
        double hm = 0;
        for (long j = 0; j < G; j++) {
            long dy = ((j / g - yi) % g + g) % g, dx = ((j % g - xi) % g + g) % g;
            double hij = J->hp[dy * g + dx];
            J->A[i * G + j] += lb * hij;
            hm += hij * J->e->m[j];
        }
        J->b[i] -= lb * hm;
    }
}

/* The sub-lattice penalty (epsf_lattice_apply) on m + dm. Errors:
 * allocation. */
static int add_lattice(joint *J, double scale)
{
    long g = J->g, G = J->G;
    double o = J->e->oversamp;
    double lc = J->p->lattice_weight * scale;
    int L = (int)(o * o);
    int *lat = ph_malloc((size_t)G * sizeof *lat, "ePSF lattice");
    if (!lat)
        return PH_EFAIL;
    for (long i = 0; i < G; i++)
        lat[i] = epsf_lattice(i, g, (int)o);
    for (long i = 0; i < G; i++)
        for (long j = 0; j < G; j++)
            J->A[i * G + j] += lc * ((lat[i] == lat[j]) - 1.0 / L);
    double *grad = ph_calloc((size_t)G, sizeof *grad, "ePSF lattice");
    if (!grad) {
        free(lat);
        return PH_EFAIL;
    }
    epsf_lattice_apply(g, (int)o, 1, lc, J->e->m, grad);
    for (long i = 0; i < G; i++)
        J->b[i] -= grad[i];
    free(grad);
    free(lat);
    return PH_OK;
}

/* Solve for the model step dm and take it. Errors: a singular system. */
static int model_step(joint *J)
{
    memcpy(J->dm, J->b, (size_t)J->G * sizeof *J->dm);
    ph_solve_info info;
    int st = ph_linalg_solve_symmetric((int)J->G, J->A, J->dm, &info, "ePSF joint system");
    if (st)
        return st;
    for (long i = 0; i < J->G; i++)
        J->e->m[i] += J->dm[i];
    return PH_OK;
}

/* Back-substitution: each star's flux and centre step given dm (centres
 * moved by 0.2 px at most); a star without flux or more than 2 px from
 * its detection is dropped. Returns the largest centre step. */
static double star_steps(joint *J, star *stars, int ns)
{
    double moved = 0;
    for (int k = 0; k < ns; k++) {
        star *s = &stars[k];
        if (!s->use || !s->nms)
            continue;
        double rb[3] = {s->bs[0], s->bs[1], s->bs[2]};
        for (long a = 0; a < s->nt; a++) {
            long ia = (long)s->nms[a * 4];
            for (int t = 0; t < 3; t++)
                rb[t] -= s->nms[a * 4 + 1 + t] * J->dm[ia];
        }
        double d[3];
        for (int t = 0; t < 3; t++)
            d[t] = s->nss_inv[t][0] * rb[0] + s->nss_inv[t][1] * rb[1] + s->nss_inv[t][2] * rb[2];
        s->f += d[0];
        s->x += fmax(-0.2, fmin(0.2, d[1]));
        s->y += fmax(-0.2, fmin(0.2, d[2]));
        moved = fmax(moved, fmax(fabs(d[1]), fabs(d[2])));
        free(s->nms);
        s->nms = NULL;
        if (!(s->f > 0) || hypot(s->x - s->x_det, s->y - s->y_det) > 2)
            s->use = 0;
    }
    return moved;
}

/* Unit flux (the stars' fluxes take the factor); the centroid fixes the
 * translation. */
static void renormalise(epsf_model *e, star *stars, int ns, int it, double moved)
{
    long G = e->g * e->g;
    double o = e->oversamp, S0 = 0;
    for (long i = 0; i < G; i++)
        S0 += e->m[i];
    S0 /= o * o;
    double cx, cy;
    epsf_normalise(e, &cx, &cy, NULL);
    for (int k = 0; k < ns; k++)
        if (stars[k].use)
            stars[k].f *= S0;
    ph_info("ePSF joint fit %d: centres moved < %.5f px, model centroid (%.4f, %.4f)", it + 1,
            moved, cx, cy);
}

/* One Gauss-Newton step of model and stars. *moved: the largest centre
 * step. Errors: allocation, a singular model system. */
static int joint_step(joint *J, star *stars, int ns, int it, double *moved)
{
    int st = reduced_system(J, stars, ns);
    if (st)
        return st;
    double scale = diagonal_scale(J);
    add_smoothness(J, scale);
    if (J->hp)
        add_band_limit(J, scale);
    if (J->p->lattice_weight > 0 && (st = add_lattice(J, scale)))
        return st;
    if ((st = model_step(J)))
        return st;
    *moved = star_steps(J, stars, ns);
    renormalise(J->e, stars, ns, it, *moved);
    return PH_OK;
}

int epsf_joint_core(const ctx *c, epsf_model *e, star *stars, int ns, const epsf_params *p,
                    int niter, const char *file)
{
    joint J;
    int st = joint_alloc(&J, c, e, p);
    if (!st)
        st = band_limit_kernel(&J);
    for (int it = 0; !st && it < niter; it++) {
        double moved = 0;
        if ((st = joint_step(&J, stars, ns, it, &moved)) || moved < 2e-4)
            break;
    }
    /* The translation the problem leaves free: the model's centroid at 0. */
    if (!st) {
        double cx, cy;
        epsf_normalise(e, &cx, &cy, NULL);
        for (int k = 0; k < ns; k++)
            stars[k].x += cx, stars[k].y += cy;
    }
    for (int k = 0; k < ns; k++) {
        free(stars[k].nms);
        stars[k].nms = NULL;
    }
    joint_free(&J);
    (void)file;
    return st;
}
