/* epsf_joint.c -- the joint fit of the constant core model and every
 * star's flux and centre (stage 1 of epsf.c for order 0). */
#include "epsf_priv.h"
#include "linalg.h"
#include "log.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Joint Gauss-Newton steps for the core model (one term) and every star's
 * flux and centre together. Alternating between the two converges very
 * slowly for an undersampled PSF: centres pulled towards pixel centres
 * (pixel locking) and a wider model explain the data almost as well as
 * the truth, and each half-step keeps the other's error. The joint normal
 * matrix has a 3x3 block per star; those are eliminated (Schur
 * complement) and the dense model system is solved by Cholesky
 * (linalg.h). */
int epsf_joint_core(const ctx *c, epsf_model *e, star *stars, int ns, const epsf_params *p,
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
                    if (!epsf_star_pixel(c, e, s, P, R, i, j, 1e-3, &w, &r, Js))
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
                bad = ph_linalg_solve3(Nss, unit, e3);
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
            epsf_lattice_apply(g, (int)o, 1, lc, e->m, grad);
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
        epsf_normalise(e, &cx, &cy, NULL);
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
        epsf_normalise(e, &cx, &cy, NULL);
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
