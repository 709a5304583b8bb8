/* psffit.c -- forced PSF photometry; see psffit.h. */
#include "sci/psffit.h"
#include "sci/psffit_elem.h"

#include "base/log.h"
#include "sci/stats.h"
#include "base/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Solve A X = B for X (n x n, row-major, both destroyed; X in B) by
 * Gaussian elimination with partial pivoting. */
static int solve_dense(long n, double *A, double *B)
{
    for (long c = 0; c < n; c++) {
        long piv = c;
        for (long r = c + 1; r < n; r++)
            if (fabs(A[r * n + c]) > fabs(A[piv * n + c]))
                piv = r;
        if (A[piv * n + c] == 0)
            return -1;
        if (piv != c)
            for (long k = 0; k < n; k++) {
                double t = A[c * n + k];
                A[c * n + k] = A[piv * n + k];
                A[piv * n + k] = t;
                t = B[c * n + k];
                B[c * n + k] = B[piv * n + k];
                B[piv * n + k] = t;
            }
        for (long r = c + 1; r < n; r++) {
            double f = A[r * n + c] / A[c * n + c];
            if (f == 0)
                continue;
            for (long k = c; k < n; k++)
                A[r * n + k] -= f * A[c * n + k];
            for (long k = 0; k < n; k++)
                B[r * n + k] -= f * B[c * n + k];
        }
    }
    for (long c = n - 1; c >= 0; c--) {
        for (long k = 0; k < n; k++) {
            double v = B[c * n + k];
            for (long j = c + 1; j < n; j++)
                v -= A[c * n + j] * B[j * n + k];
            B[c * n + k] = v / A[c * n + c];
        }
    }
    return 0;
}

int ph_psffit_spline_init(ph_psf_spline *s, const double *psf, long n)
{
    memset(s, 0, sizeof *s);
    if (n < 5 || n % 2 == 0)
        return ph_error(PH_EFAIL, NULL,
                        "PSF stamp %ldx%ld: the fit needs an odd size of at least 5", n, n);
    size_t nn = (size_t)n * n;
    s->psf = ph_malloc(nn * sizeof *s->psf, "PSF");
    s->C = ph_calloc(nn, sizeof *s->C, "PSF spline");
    double *A = ph_calloc(nn, sizeof *A, "PSF spline");
    if (!s->psf || !s->C || !A) {
        free(A);
        ph_psffit_spline_free(s);
        return PH_EFAIL;
    }
    s->n = n;
    memcpy(s->psf, psf, nn * sizeof *psf);
    double sum = 0, sum2 = 0;
    for (size_t i = 0; i < nn; i++) {
        sum += psf[i];
        sum2 += psf[i] * psf[i];
    }
    s->nea = sum2 > 0 ? sum * sum / sum2 : NAN;
    /* not-a-knot ends: M0 - 2 M1 + M2 = 0 and its mirror; B rows zero */
    A[0] = 1, A[1] = -2, A[2] = 1;
    A[(n - 1) * n + n - 3] = 1, A[(n - 1) * n + n - 2] = -2, A[(n - 1) * n + n - 1] = 1;
    for (long i = 1; i < n - 1; i++) {
        A[i * n + i - 1] = 1, A[i * n + i] = 4, A[i * n + i + 1] = 1;
        s->C[i * n + i - 1] = 6, s->C[i * n + i] = -12, s->C[i * n + i + 1] = 6;
    }
    int st = solve_dense(n, A, s->C);
    free(A);
    if (st) {
        ph_psffit_spline_free(s);
        return ph_error(PH_EFAIL, NULL, "PSF spline: singular system");
    }
    return PH_OK;
}

void ph_psffit_spline_free(ph_psf_spline *s)
{
    free(s->psf);
    free(s->C);
    memset(s, 0, sizeof *s);
}

int ph_psffit_spline_weights(const ph_psf_spline *s, double u, double *w)
{
    long n = s->n;
    ph_spline_pos at = ph_psffit_spline_locate(n, u);
    for (long k = 0; k < n; k++)
        w[k] = at.in ? ph_psffit_spline_weight(s->C, n, &at, k) : 0.0;
    return at.in;
}

void ph_psffit_spline_box(const ph_psf_spline *s, double x0, double y0, long bx, long by, long bw,
                          long bh, double *out, double *work)
{
    long n = s->n;
    double c = 0.5 * (n - 1);
    double *wx = work, *wy = wx + bw * n, *T = wy + bh * n;
    int inx[bw > 0 ? bw : 1];
    for (long i = 0; i < bw; i++)
        inx[i] = ph_psffit_spline_weights(s, (bx + i) - x0 + c, wx + i * n);
    for (long r = 0; r < bh; r++) {
        double *o = out + r * bw;
        if (!ph_psffit_spline_weights(s, (by + r) - y0 + c, wy + r * n)) {
            memset(o, 0, (size_t)bw * sizeof *o);
            continue;
        }
        double *tr = T + r * n;
        for (long j = 0; j < n; j++)
            tr[j] = ph_psffit_spline_column(wy + r * n, s->psf, n, j);
        for (long i = 0; i < bw; i++)
            o[i] = inx[i] ? ph_psffit_spline_dot(tr, wx + i * n, n) : 0.0;
    }
}

const char *ph_psffit_status_text(int status)
{
    switch (status) {
    case PH_FIT_OK: return "ok";
    case PH_FIT_OFF_IMAGE: return "position off the image";
    case PH_FIT_MASKED: return "position on a masked (BAD or OUTSIDE) or unusable pixel";
    case PH_FIT_FEW_PIXELS: return "too few usable pixels in the fit box";
    case PH_FIT_NO_SKY: return "too few usable pixels in the sky annulus";
    case PH_FIT_NO_PSF: return "the PSF is zero over the fit box";
    }
    return "unknown fit status";
}

long ph_psffit_box_start(double x0, int box) { return ph_psffit_box_first(x0, box); }

double ph_psffit_local_sky(const ph_fit_plane *p, double x0, double y0, double r_in, double r_out,
                           int *npix)
{
    long xa, xb, ya, yb;
    ph_psffit_annulus_bounds(p, x0, y0, r_out, &xa, &xb, &ya, &yb);
    int m = 0;
    double sky = NAN;
    if (xb >= xa && yb >= ya) {
        double *v = malloc((size_t)(xb - xa + 1) * (yb - ya + 1) * sizeof *v);
        if (!v) {
            if (npix)
                *npix = 0;
            return NAN;
        }
        for (long y = ya; y <= yb; y++)
            for (long x = xa; x <= xb; x++) {
                long i = y * p->nx + x;
                if (ph_psffit_in_annulus(x, y, x0, y0, r_in, r_out) && ph_psffit_usable(p, i))
                    v[m++] = p->data[i];
            }
        if (m >= PH_FIT_MIN_SKY)
            sky = ph_mmm_background(v, (size_t)m);
        free(v);
    }
    if (npix)
        *npix = m;
    return sky;
}

void ph_psffit_work_free(ph_fit_work *w)
{
    free(w->buf);
    w->buf = NULL;
    w->size = 0;
}

int ph_psffit_one(const ph_fit_plane *p, const ph_psf_spline *s, const ph_fit_opts *o, double x0,
                  double y0, ph_fit_result *r, ph_fit_work *w)
{
    int b = o->box;
    size_t need = (size_t)(3 * b) * s->n + (size_t)b * b;
    if (w->size < need) {
        free(w->buf);
        w->buf = ph_malloc(need * sizeof *w->buf, "PSF fit scratch");
        w->size = w->buf ? need : 0;
        if (!w->buf)
            return PH_EFAIL;
    }
    r->flux = r->flux_err = NAN;
    r->sky = 0;
    r->npix = 0;
    if (!ph_psffit_on_image(p, x0, y0)) {
        r->status = PH_FIT_OFF_IMAGE;
        return PH_OK;
    }
    if (!ph_psffit_usable(p, ph_psffit_centre_index(p, x0, y0))) {
        r->status = PH_FIT_MASKED;
        return PH_OK;
    }
    if (o->r_out > 0) {
        int m;
        r->sky = ph_psffit_local_sky(p, x0, y0, o->r_in, o->r_out, &m);
        if (!isfinite(r->sky)) {
            r->status = PH_FIT_NO_SKY;
            return PH_OK;
        }
    }
    long bx = ph_psffit_box_first(x0, b), by = ph_psffit_box_first(y0, b);
    double *model = w->buf + (size_t)(3 * b) * s->n;
    ph_psffit_spline_box(s, x0, y0, bx, by, b, b, model, w->buf);
    double swpp, swdp;
    r->npix = ph_psffit_sums(p, model, bx, by, b, r->sky, &swpp, &swdp);
    r->status = ph_psffit_solve(r->npix, b, o->full_box, swpp, swdp, &r->flux, &r->flux_err);
    return PH_OK;
}

int ph_psffit_batch(const ph_fit_plane *p, const ph_psf_spline *s, const ph_fit_opts *o, long n,
                    const double *x0, const double *y0, ph_fit_result *r)
{
    ph_fit_work w = {0};
    int st = PH_OK;
    for (long i = 0; i < n && !st; i++)
        st = ph_psffit_one(p, s, o, x0[i], y0[i], r + i, &w);
    ph_psffit_work_free(&w);
    return st;
}

/* ---- exact circular apertures ---- */

/* Area of {0 <= X <= x, 0 <= Y <= y, X^2 + Y^2 <= r^2}, x, y >= 0. */
static double quadrant_area(double x, double y, double r)
{
    if (x > r)
        x = r;
    if (y > r)
        y = r;
    if (x * x + y * y <= r * r)
        return x * y;
    double xc = sqrt(r * r - y * y);
#define PRIM(X) (0.5 * ((X) * sqrt(fmax(r * r - (X) * (X), 0)) + r * r * asin(fmin((X) / r, 1))))
    return xc * y + PRIM(x) - PRIM(xc);
#undef PRIM
}

static double signed_area(double x, double y, double r)
{
    double a = quadrant_area(fabs(x), fabs(y), r);
    return (x < 0) != (y < 0) ? -a : a;
}

double ph_psffit_circle_rect_overlap(double xa, double xb, double ya, double yb, double r)
{
    return signed_area(xb, yb, r) - signed_area(xa, yb, r) - signed_area(xb, ya, r) +
           signed_area(xa, ya, r);
}

double ph_psffit_circle_pixel_weight(double xa, double xb, double ya, double yb, double r,
                                     int subpixels)
{
    if (subpixels <= 0)
        return ph_psffit_circle_rect_overlap(xa, xb, ya, yb, r);
    double dx = (xb - xa) / subpixels, dy = (yb - ya) / subpixels;
    int in = 0;
    for (int i = 0; i < subpixels; i++) {
        double x = xa + (i + 0.5) * dx;
        for (int j = 0; j < subpixels; j++) {
            double y = ya + (j + 0.5) * dy;
            in += x * x + y * y < r * r;
        }
    }
    return (double)in / ((double)subpixels * subpixels);
}

double ph_psffit_aperture_sum(const ph_fit_plane *p, double x0, double y0, double r, double sky,
                              int subpixels, int *nbad)
{
    long xa = (long)floor(x0 - r + 0.5), xb = (long)ceil(x0 + r - 0.5);
    long ya = (long)floor(y0 - r + 0.5), yb = (long)ceil(y0 + r - 0.5);
    int bad = 0;
    double sum = 0;
    for (long y = ya; y <= yb; y++)
        for (long x = xa; x <= xb; x++) {
            double a = ph_psffit_circle_pixel_weight(x - 0.5 - x0, x + 0.5 - x0, y - 0.5 - y0,
                                                     y + 0.5 - y0, r, subpixels);
            if (a <= 0)
                continue;
            if (x < 0 || y < 0 || x >= p->nx || y >= p->ny) {
                bad++;
                continue;
            }
            long k = y * p->nx + x;
            if (!isfinite(p->data[k]) || (p->mask && (p->mask[k] & p->badbits))) {
                bad++;
                continue;
            }
            sum += a * (p->data[k] - sky);
        }
    if (nbad)
        *nbad = bad;
    return bad ? NAN : sum;
}
