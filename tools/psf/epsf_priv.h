/* epsf_priv.h -- what the files of the ePSF fit share. Not part of
 * ph-psf's interface (psf.h).
 *
 *   epsf.c          the build: stars, the core model, the whole model (stages)
 *   epsf_stars.c    the choice of stars
 *   epsf_model.c    the grid model: evaluation, normalisation, centroid, shift
 *   epsf_system.c   the linear problem for the grid: normal matrix, solve
 *   epsf_fit.c      one star against the model: flux, centre, outliers, chi^2
 *   epsf_iterate.c  the outer iterations: grid, centres, fluxes, star cuts
 *   epsf_joint.c    the joint fit of the core model and the star centres
 */
#ifndef PH_TOOL_EPSF_PRIV_H
#define PH_TOOL_EPSF_PRIV_H

#include "sci/detect.h"
#include "sci/interp.h"
#include "psf.h"

#include <math.h>
#include <stdint.h>

typedef struct star {
    double x, y, f, chi2;
    double x_det, y_det;
    double peak;         /* its brightest pixel (sky-subtracted) */
    double b;            /* local background left by the sky subtraction */
    double rad;          /* width: sigma of a pixel-integrated Gaussian fit (px) */
    int label, use;
    /* Usable pixels: mask[(j - my0) * mw + (i - mx0)] != 0 for image pixel
     * (i, j) inside the box; outside it none is. Set when the star is
     * chosen (on the image, not flagged, not another object's or next to
     * one) and cleared for outliers (cosmic rays) by the fit. */
    uint8_t *mask;
    long mx0, my0, mw;
    /* joint fit scratch */
    double nss_inv[3][3], bs[3];
    double *nms;
    long nt;
} star;

typedef struct ctx {
    const float *img;    /* sky-subtracted */
    const uint8_t *bad;
    const int32_t *seg;  /* detection labels, obj[k] is k + 1 */
    long nx, ny;
    double rms2, gain;
} ctx;

/* Is pixel (i, j) one the fit may use for star s? */
static inline int epsf_usable(const star *s, long i, long j)
{
    long a = i - s->mx0, b = j - s->my0;
    return a >= 0 && b >= 0 && a < s->mw && b < s->mw && s->mask[b * s->mw + a];
}

/* The stars for the model (epsf_stars.c): detections that are point-like,
 * isolated, unsaturated and free of flagged pixels in their core, with
 * their starting centres and fluxes, brightest first, at most p->maxstars.
 * *rhalf: the stars' median half-light radius (px); *width: the locus of
 * their Gaussian widths (px). Errors: allocation only; too few stars is
 * the caller's to judge. Free with epsf_stars_free. */
int epsf_select_stars(const ctx *c, const ph_detection *det, const epsf_params *p, star **out,
                      int *nout, double *rhalf, double *width);
void epsf_stars_free(star *st, int n);

/* Detection and epsf_select_stars on a sky-subtracted image: the stars,
 * and the segmentation map (*seg, the caller frees it; the fit uses it to
 * keep neighbours out). Errors: rms not positive, allocation. */
int epsf_find_stars(const float *img, const uint8_t *bad, long nx, long ny, double rms,
                    const epsf_params *p, int32_t **seg, star **stars, int *ns, double *rhalf,
                    double *width, const char *file);

/* ---- the grid model (epsf_model.c) ---------------------------------------- */

/* The position polynomial's terms P[0 .. nterm) at image position (x, y). */
static inline void epsf_poly(const epsf_model *e, double x, double y, double *P)
{
    double a = (x - e->xc) / e->xs, b = (y - e->yc) / e->ys;
    P[0] = 1;
    if (e->nterm > 1)
        P[1] = a, P[2] = b;
    if (e->nterm > 3)
        P[3] = a * a, P[4] = a * b, P[5] = b * b;
}

/* Bicubic taps: first index and 4 weights for grid coordinate g. */
static inline long epsf_taps(double g, double *w)
{
    double f = floor(g);
    ph_interp_weights(PH_INTERP_BICUBIC, g - f, w);
    return (long)f - 1;
}

/* The model at offset (u, v) px from a star whose polynomial terms are P. */
static inline double epsf_eval_p(const epsf_model *e, const double *P, double u, double v)
{
    double o = e->oversamp, wx[4], wy[4];
    long g = e->g;
    long ix = epsf_taps(e->h + o * u, wx), iy = epsf_taps(e->h + o * v, wy);
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

/* The sub-lattice of grid point gi: its phase (i - h) mod o, (j - h) mod o. */
static inline int epsf_lattice(long gi, long g, int o)
{
    long h = g / 2, gx = gi % g - h, gy = gi / g - h;
    return (int)(((gy % o + o) % o) * o + (gx % o + o) % o);
}

/* Windowed moments of each term: sums of m, u m and v m over the grid
 * points within 2.5 native px of the core's centroid. */
typedef struct moments {
    double s[6], sx[6], sy[6];
} moments;

/* Grid, terms and scales of model e for radius px on an nx x ny image;
 * the grid zeroed. Errors: allocation. */
int epsf_model_alloc(epsf_model *e, const epsf_params *p, int radius, long nx, long ny);

/* Normalise to unit flux (variation terms carry none) and return the
 * centroid of the core (term 0) in native pixels; mo (may be NULL) gets
 * every term's moments in the same window. */
void epsf_normalise(epsf_model *e, double *cx, double *cy, moments *mo);

/* The centroid of the model at image position (x0, y0), from its terms'
 * moments mo (epsf_normalise). */
void epsf_centroid_at(const epsf_model *e, const moments *mo, double x0, double y0, double *cx,
                      double *cy);

/* Move the model by (-cx, -cy) native px so that its centroid is at 0.
 * Errors: allocation. */
int epsf_shift_model(epsf_model *e, double cx, double cy);

/* y += lat (C x - mean) for each of T terms of grid g, oversampling o: the
 * gradient of the sub-lattice penalty (epsf_system.c). */
void epsf_lattice_apply(long g, int o, int T, double lat, const double *x, double *y);

/* ---- the linear problem (epsf_system.c) ----------------------------------- */

/* The normal equations of the grid: a band of 7 x 7 neighbours for every
 * pair of terms at every grid point, and the right-hand side. */
typedef struct system {
    long g, ng, nb; /* grid size, g*g, band entries per row */
    int T;          /* terms */
    double *band;   /* ng * nb */
    double *rhs;    /* T * ng */
} system_t;

/* Build the normal equations of model e for the stars in use (first: the
 * weights from the data, no model yet), add the smoothness penalty and
 * the edge, and solve them into e->m (from its current values). Errors:
 * allocation. */
int epsf_solve_model(const ctx *c, epsf_model *e, star *stars, int ns, const epsf_params *p,
                     int first, system_t *S);

/* ---- one star against the model (epsf_fit.c) ------------------------------ */

/* Pixel (i, j) of star s: weight, residual and the derivatives of the
 * prediction by F, x, y (step h) and b; 0 if the fit may not use it. */
int epsf_star_pixel(const ctx *c, const epsf_model *e, const star *s, const double *P, int R,
                    long i, long j, double h, double *w, double *r, double *J);

/* Refit flux and centre of star s (unless fix_centre), and its local
 * background when fit_bg; sets s->chi2, clears s->use when it fails. */
void epsf_refit(const ctx *c, const epsf_model *e, star *s, int fix_centre, int fit_bg);

/* Leave out the pixels of star s the model cannot explain; returns how
 * many (clears s->use on a hit in its core). */
int epsf_clip_outliers(const ctx *c, const epsf_model *e, star *s);

/* Reduced chi^2 of star s against model e in its core. */
double epsf_core_chi2(const ctx *c, const epsf_model *e, const star *s);

/* ---- the iterations (epsf_iterate.c, epsf_joint.c) ------------------------ */

/* Outer iterations on model e: solve the grid, move the stars by its
 * centroid, refit them, drop the outliers; niter at most. Errors: fewer
 * than nmin stars kept, allocation. chi: ns doubles of scratch. */
int epsf_iterate(const ctx *c, epsf_model *e, star *stars, int ns, const epsf_params *p,
                 double *chi, int nmin, int niter, int first, int fix_centres, const char *file);

/* The first core model from the brightest stars on the stellar locus
 * (width), then every candidate judged by it. */
int epsf_seed_core(const ctx *c, epsf_model *core, star *stars, int ns, const epsf_params *p,
                   double *chi, int nmin, double width, const char *file);

/* Joint Gauss-Newton steps (niter at most) for the constant core model e
 * and every star's flux and centre. */
int epsf_joint_core(const ctx *c, epsf_model *e, star *stars, int ns, const epsf_params *p,
                    int niter, const char *file);

#endif
