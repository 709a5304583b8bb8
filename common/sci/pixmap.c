/* pixmap.c -- see pixmap.h. The exact map chains wcsp2s (target) and
 * wcss2p (source; distortions inverted iteratively by wcslib), so TPV and
 * SIP are handled without SFFT's fitted SIP inverse (sfft-reference.md
 * §3.4, which errs by up to ~2 px on strong distortions). */
#include "sci/pixmap.h"
#include "sci/interp.h"
#include "base/log.h"
#include "base/util.h"

#include <math.h>
#include <stdlib.h>

enum { NODE_CHUNK = 16384 }; /* nodes evaluated per wcslib pass */

/* Exact map of n target points. */
static int exact(ph_wcs *target, ph_wcs *source, size_t n, const double *tx, const double *ty,
                 double *sx, double *sy)
{
    double *ra = ph_malloc(2 * n * sizeof *ra, "WCS scratch");
    if (!ra)
        return PH_EFAIL;
    double *dec = ra + n;
    int st = ph_wcs_pix2sky(target, n, tx, ty, ra, dec);
    if (!st)
        st = ph_wcs_sky2pix(source, n, ra, dec, sx, sy);
    free(ra);
    return st;
}

int ph_pixmap_build(ph_wcs *target, long nx, long ny, ph_wcs *source, long step, ph_pixmap **out)
{
    *out = NULL;
    if (step < 1 || nx < 1 || ny < 1)
        return ph_error(PH_EUSAGE, NULL, "map step %ld or image size %ldx%ld out of range", step,
                        nx, ny);
    ph_pixmap *m = ph_calloc(1, sizeof *m, "pixel map");
    if (!m)
        return PH_EFAIL;
    m->nx = nx, m->ny = ny, m->step = step, m->maxerr = NAN;
    /* Cell q (pixels q*step .. q*step + step - 1) uses nodes q .. q+3. */
    m->gnx = (nx - 1) / step + 4;
    m->gny = (ny - 1) / step + 4;
    size_t nn = (size_t)m->gnx * m->gny;
    m->sx = ph_malloc(3 * nn * sizeof(double), "pixel map nodes");
    m->wtab = ph_malloc((size_t)step * sizeof *m->wtab, "pixel map weights");
    /* Scratch for one chunk of nodes: their target positions and the four
     * shifted copies for the Jacobian (the node planes themselves may be
     * large: step 1 makes every pixel a node). */
    double *w = ph_malloc(10 * (size_t)NODE_CHUNK * sizeof *w, "pixel map scratch");
    if (!m->sx || !m->wtab || !w) {
        free(w);
        ph_pixmap_free(m);
        return PH_EFAIL;
    }
    m->sy = m->sx + nn;
    m->area = m->sx + 2 * nn;
    int st = PH_OK;
    for (size_t c0 = 0; !st && c0 < nn; c0 += NODE_CHUNK) {
        size_t c = nn - c0 < NODE_CHUNK ? nn - c0 : NODE_CHUNK;
        double *tx = w, *ty = w + NODE_CHUNK, *d = w + 2 * NODE_CHUNK;
        for (size_t i = 0; i < c; i++) {
            size_t k = c0 + i;
            tx[i] = (double)((long)(k % m->gnx) - 1) * step;
            ty[i] = (double)((long)(k / m->gnx) - 1) * step;
        }
        st = exact(target, source, c, tx, ty, m->sx + c0, m->sy + c0);
        /* Pixel-area ratio |det d(source)/d(target)| at the nodes, by central
         * differences of +-0.5 px through the exact map (truncation error of
         * order h^2 times the third derivative: negligible for any sky WCS).
         * d[2k CH + i], d[(2k+1) CH + i]: source x, y after step k (+x, -x, +y, -y). */
        for (int k = 0; !st && k < 4; k++) {
            double hx = k == 0 ? 0.5 : k == 1 ? -0.5 : 0, hy = k == 2 ? 0.5 : k == 3 ? -0.5 : 0;
            double *px = d + 2 * k * NODE_CHUNK, *py = px + NODE_CHUNK;
            for (size_t i = 0; i < c; i++)
                px[i] = tx[i] + hx, py[i] = ty[i] + hy;
            st = exact(target, source, c, px, py, px, py);
        }
        for (size_t i = 0; !st && i < c; i++) {
            const size_t C = NODE_CHUNK;
            double dxdx = d[0 * C + i] - d[2 * C + i], dydx = d[1 * C + i] - d[3 * C + i];
            double dxdy = d[4 * C + i] - d[6 * C + i], dydy = d[5 * C + i] - d[7 * C + i];
            m->area[c0 + i] = fabs(dxdx * dydy - dxdy * dydx); /* 1 px steps: no division */
        }
    }
    free(w);
    if (st) {
        ph_pixmap_free(m);
        return PH_EFAIL;
    }
    for (long r = 0; r < step; r++)
        ph_interp_weights(PH_INTERP_BICUBIC, (double)r / step, m->wtab[r]);
    if (step == 1)
        m->maxerr = 0; /* every pixel is a node: the map is exact */
    *out = m;
    return PH_OK;
}

void ph_pixmap_row(const ph_pixmap *m, long y0, double *scratch, double *sx, double *sy,
                   double *area)
{
    long q = y0 / m->step;
    const double *wy = m->wtab[y0 % m->step];
    long gnx = m->gnx;
    int nplanes = area ? 3 : 2;
    const double *node[3] = {m->sx, m->sy, m->area};
    double *out[3] = {sx, sy, area};
    /* Interpolate the four node rows to this row, then along x. */
    for (int k = 0; k < nplanes; k++) {
        double *r = scratch + k * gnx;
        const double *a = node[k] + q * gnx;
        for (long i = 0; i < gnx; i++)
            r[i] = wy[0] * a[i] + wy[1] * a[i + gnx] + wy[2] * a[i + 2 * gnx] +
                   wy[3] * a[i + 3 * gnx];
    }
    for (int k = 0; k < nplanes; k++) {
        const double *r = scratch + k * gnx;
        double *o = out[k];
        for (long x = 0; x < m->nx; x++) {
            long p = x / m->step;
            const double *w = m->wtab[x % m->step];
            o[x] = w[0] * r[p] + w[1] * r[p + 1] + w[2] * r[p + 2] + w[3] * r[p + 3];
        }
    }
}

/* Keys-interpolate the node plane `node` at target (x0, y0). */
static double node_interp(const ph_pixmap *m, const double *node, double x0, double y0)
{
    double fx = x0 / m->step, fy = y0 / m->step;
    long p = (long)floor(fx), q = (long)floor(fy);
    /* Stay on the grid; beyond its last cell the cubic extrapolates. */
    p = p < 0 ? 0 : p > m->gnx - 4 ? m->gnx - 4 : p;
    q = q < 0 ? 0 : q > m->gny - 4 ? m->gny - 4 : q;
    double wx[4], wy[4];
    ph_interp_weights(PH_INTERP_BICUBIC, fx - p, wx);
    ph_interp_weights(PH_INTERP_BICUBIC, fy - q, wy);
    double v = 0;
    for (int j = 0; j < 4; j++) {
        const double *a = node + (q + j) * m->gnx + p;
        v += wy[j] * (wx[0] * a[0] + wx[1] * a[1] + wx[2] * a[2] + wx[3] * a[3]);
    }
    return v;
}

void ph_pixmap_at(const ph_pixmap *m, double x0, double y0, double *sx, double *sy)
{
    *sx = node_interp(m, m->sx, x0, y0);
    *sy = node_interp(m, m->sy, x0, y0);
}

double ph_pixmap_area_at(const ph_pixmap *m, double x0, double y0)
{
    return node_interp(m, m->area, x0, y0);
}

/* Where the Keys cubic errs most inside a cell. It reproduces quadratics,
 * so the leading error comes from the cubic terms x^3 and y^3 (the mixed
 * x^2 y and x y^2 are reproduced by the tensor product) and is proportional
 * to t (1 - t) (1 - 2 t) along each axis: zero at the cell centre and
 * largest at t = 1/2 -+ 1/(2 sqrt 3). Those are the check points. */
static const double TCHK[2] = {0.21132486540518713, 0.78867513459481287};

/* Check coordinate k (0, 1) in cell q of an axis of n pixels; -1 if it
 * falls beyond the last pixel. */
static double cell_point(long q, int k, long step, long n)
{
    double v = ((double)q + TCHK[k]) * step;
    return v <= n - 1 ? v : -1;
}

int ph_pixmap_check(ph_pixmap *m, ph_wcs *target, ph_wcs *source, long src_nx, long src_ny,
                    double margin)
{
    if (m->step == 1) {
        m->maxerr = 0;
        m->nchecked = 0;
        return PH_OK;
    }
    long cx = (m->nx - 1 + m->step - 1) / m->step, cy = (m->ny - 1 + m->step - 1) / m->step;
    cx = cx < 1 ? 1 : cx;
    cy = cy < 1 ? 1 : cy;
    size_t n = 4 * (size_t)cx * cy;
    double *buf = ph_malloc(4 * n * sizeof *buf, "map check points");
    if (!buf)
        return PH_EFAIL;
    double *tx = buf, *ty = buf + n, *ex = buf + 2 * n, *ey = buf + 3 * n;
    size_t k = 0;
    for (long q = 0; q < cy; q++)
        for (long p = 0; p < cx; p++)
            for (int b = 0; b < 2; b++)
                for (int a = 0; a < 2; a++) {
                    double x0 = cell_point(p, a, m->step, m->nx);
                    double y0 = cell_point(q, b, m->step, m->ny);
                    if (x0 >= 0 && y0 >= 0)
                        tx[k] = x0, ty[k++] = y0;
                }
    n = k;
    int st = exact(target, source, n, tx, ty, ex, ey);
    double worst = 0;
    long used = 0;
    for (size_t i = 0; !st && i < n; i++) {
        if (!isfinite(ex[i]) || !isfinite(ey[i]))
            continue;
        if (ex[i] < -margin || ex[i] > src_nx - 1 + margin || ey[i] < -margin ||
            ey[i] > src_ny - 1 + margin)
            continue;
        double ix, iy;
        ph_pixmap_at(m, tx[i], ty[i], &ix, &iy);
        double e = fmax(fabs(ix - ex[i]), fabs(iy - ey[i]));
        worst = isfinite(e) ? fmax(worst, e) : INFINITY;
        used++;
    }
    free(buf);
    if (st)
        return PH_EFAIL;
    m->maxerr = worst;
    m->nchecked = used;
    return PH_OK;
}

int ph_pixmap_make(ph_wcs *target, long nx, long ny, ph_wcs *source, long src_nx, long src_ny,
                   long step, double tol, double margin, ph_pixmap **out)
{
    *out = NULL;
    for (;;) {
        ph_pixmap *m;
        if (ph_pixmap_build(target, nx, ny, source, step, &m) ||
            ph_pixmap_check(m, target, source, src_nx, src_ny, margin)) {
            ph_pixmap_free(m);
            return PH_EFAIL;
        }
        if (m->maxerr <= tol || step == 1) {
            *out = m;
            return PH_OK;
        }
        double err = m->maxerr;
        ph_pixmap_free(m);
        if (step <= 2)
            return ph_error(PH_EFAIL, NULL,
                            "the WCS mapping cannot be interpolated to %g px (error %.3g px at "
                            "step 2); use --map-step 1 for the exact map",
                            tol, err);
        ph_info("map error %.3g px at step %ld > %g px: halving the step", err, step, tol);
        step /= 2;
    }
}

void ph_pixmap_free(ph_pixmap *m)
{
    if (!m)
        return;
    free(m->sx);
    free(m->wtab);
    free(m);
}
