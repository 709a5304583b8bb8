/* epsf_model.c -- the ePSF grid model (epsf_priv.h): its evaluation at
 * any offset, the stamp, its normalisation to unit flux at every phase,
 * its centroid and the shift that puts it at 0, its FWHM. */
#include "epsf_priv.h"
#include "sci/interp.h"
#include "base/log.h"
#include "psf.h"
#include "sci/romanpsf.h"
#include "base/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void epsf_free(epsf_model *e)
{
    free(e->m);
    memset(e, 0, sizeof *e);
}

static int nterms(int order) { return order == 0 ? 1 : order == 1 ? 3 : 6; }

int epsf_model_alloc(epsf_model *e, const epsf_params *p, int radius, long nx, long ny)
{
    e->oversamp = p->oversamp, e->radius = radius, e->order = p->order;
    e->nterm = nterms(p->order);
    e->h = (long)p->oversamp * radius + 2;
    e->g = 2 * e->h + 1;
    e->xc = (nx - 1) / 2.0, e->yc = (ny - 1) / 2.0, e->xs = nx / 2.0, e->ys = ny / 2.0;
    e->m = ph_calloc((size_t)e->nterm * e->g * e->g, sizeof *e->m, "ePSF model");
    return e->m ? PH_OK : PH_EFAIL;
}

double epsf_eval(const epsf_model *e, double x0, double y0, double u, double v)
{
    double P[6];
    epsf_poly(e, x0, y0, P);
    return epsf_eval_p(e, P, u, v);
}

void epsf_stamp(const epsf_model *e, double x0, double y0, double dx, double dy, long n,
                double *out, double *frac)
{
    double P[6], c = (n - 1) / 2.0, s = 0;
    epsf_poly(e, x0, y0, P);
    for (long j = 0; j < n; j++)
        for (long i = 0; i < n; i++) {
            double u = i - c - dx, v = j - c - dy;
            double val = fabs(u) <= e->radius && fabs(v) <= e->radius ? epsf_eval_p(e, P, u, v) : 0;
            out[j * n + i] = val;
            s += val;
        }
    *frac = s;
}

/* Normalise to unit flux (variation terms carry none) and return the
 * centroid of the core (term 0) in native pixels; mo (may be NULL) gets
 * every term's moments in the same window. */
void epsf_normalise(epsf_model *e, double *cx, double *cy, moments *mo)
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
            S[t][epsf_lattice(i, e->g, o)] += e->m[t * gg + i];
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
        int l = epsf_lattice(i, e->g, o);
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
void epsf_centroid_at(const epsf_model *e, const moments *mo, double x0, double y0, double *cx,
                      double *cy)
{
    double P[6], s = 0, sx = 0, sy = 0;
    epsf_poly(e, x0, y0, P);
    for (int t = 0; t < e->nterm; t++)
        s += P[t] * mo->s[t], sx += P[t] * mo->sx[t], sy += P[t] * mo->sy[t];
    *cx = s > 0 ? sx / s : 0, *cy = s > 0 ? sy / s : 0;
}

/* Move the model by (-cx, -cy) native px so that its centroid is at 0. */
int epsf_shift_model(epsf_model *e, double cx, double cy)
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
    epsf_poly(e, x0, y0, P);
    for (long j = 0; j < n; j++)
        for (long i = 0; i < n; i++)
            t[j * n + i] = epsf_eval_p(e, P, (i - (n - 1) / 2) / 8.0, (j - (n - 1) / 2) / 8.0);
    double w = ph_romanpsf_fwhm_halfmax(t, n, 1.0 / 8);
    free(t);
    return w;
}
