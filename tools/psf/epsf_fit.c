/* epsf_fit.c -- one star against the ePSF model: its pixels' weights and
 * derivatives, the Gauss-Newton refit of its flux, centre and background,
 * the outliers it leaves out, its core chi^2. */
#include "epsf_priv.h"
#include "sci/linalg.h"
#include "base/log.h"

#include <math.h>

/* Pixel (i, j) of star s for its flux, centre and background: weight,
 * residual, and the derivatives of the prediction F M(u, v) + b by F, x, y
 * (numerical, step h) and b. 0 if the pixel is not used (outside the
 * model, off the image, bad, another object's). */
int epsf_star_pixel(const ctx *c, const epsf_model *e, const star *s, const double *P, int R,
                    long i, long j, double h, double *w, double *r, double *J)
{
    double u = i - s->x, v = j - s->y;
    if (fabs(u) > R - 0.5 || fabs(v) > R - 0.5 || i < 0 || j < 0 || i >= c->nx || j >= c->ny ||
        !epsf_usable(s, i, j))
        return 0;
    double m = epsf_eval_p(e, P, u, v);
    double mu = (epsf_eval_p(e, P, u + h, v) - epsf_eval_p(e, P, u - h, v)) / (2 * h);
    double mv = (epsf_eval_p(e, P, u, v + h) - epsf_eval_p(e, P, u, v - h)) / (2 * h);
    double mod = s->f * m;
    *w = 1.0 / (c->rms2 + (mod > 0 ? mod : 0) / c->gain);
    *r = c->img[j * c->nx + i] - s->b - mod;
    J[0] = m, J[1] = -s->f * mu, J[2] = -s->f * mv, J[3] = 1;
    return 1;
}

/* Refit flux and centre of one star (Gauss-Newton, 4 steps), and its
 * local background when fit_bg (a model that reaches far enough from the
 * core to see the sky: the sky subtraction leaves errors of a few e- about
 * bright stars, which over a box of 41 x 41 pixels are percents of the
 * star's flux); chi2 per degree of freedom. */
void epsf_refit(const ctx *c, const epsf_model *e, star *s, int fix_centre, int fit_bg)
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
    epsf_poly(e, s->x, s->y, P);
    for (int it = 0; it < 4; it++) {
        double A[4][4] = {{0}}, b[4] = {0}, chi = 0;
        long npix = 0;
        long cx = (long)floor(s->x + 0.5), cy = (long)floor(s->y + 0.5);
        for (long j = cy - R; j <= cy + R; j++)
            for (long i = cx - R; i <= cx + R; i++) {
                double w, r, J[4];
                if (!epsf_star_pixel(c, e, s, P, R, i, j, h, &w, &r, J))
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
        if (ph_linalg_solve_small(np, A, b, x)) {
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
int epsf_clip_outliers(const ctx *c, const epsf_model *e, star *s)
{
    int R = e->radius, n = 0;
    double P[6];
    epsf_poly(e, s->x, s->y, P);
    long cx = (long)floor(s->x + 0.5), cy = (long)floor(s->y + 0.5);
    for (long j = cy - R; j <= cy + R; j++)
        for (long i = cx - R; i <= cx + R; i++) {
            double w, r, J[4];
            if (!epsf_star_pixel(c, e, s, P, R, i, j, 0.02, &w, &r, J))
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
                    if (epsf_usable(s, a, b))
                        s->mask[(b - s->my0) * s->mw + (a - s->mx0)] = 0;
            n++;
        }
    return n;
}

/* Reduced chi^2 of star s against model e within 2.5 px of its centre
 * (less for a model of radius 2),
 * the model's own error counted (5% of the model a pixel): what tells a
 * compact galaxy or a cosmic-ray track from a star of any brightness. */
double epsf_core_chi2(const ctx *c, const epsf_model *e, const star *s)
{
    double P[6], chi = 0, rr = fmin(2.5, e->radius - 0.5); /* within the model */
    long n = 0, cx = (long)floor(s->x + 0.5), cy = (long)floor(s->y + 0.5);
    epsf_poly(e, s->x, s->y, P);
    for (long j = cy - 3; j <= cy + 3; j++)
        for (long i = cx - 3; i <= cx + 3; i++) {
            double u = i - s->x, v = j - s->y;
            if (u * u + v * v > rr * rr || !epsf_usable(s, i, j))
                continue;
            double mod = s->f * epsf_eval_p(e, P, u, v), mp = mod > 0 ? mod : 0;
            double r = c->img[j * c->nx + i] - s->b - mod;
            chi += r * r / (c->rms2 + mp / c->gain + 0.0025 * mp * mp);
            n++;
        }
    return n > 3 ? chi / (n - 3) : INFINITY;
}
