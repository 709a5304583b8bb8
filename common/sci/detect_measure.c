/* detect_measure.c -- per-object measurements and cleaning, after
 * SExtractor's scan.c preanalyse(), analyse.c examineiso() (mthresh),
 * photom.c computeautoflux() and growth.c
 * makeavergrowth() (FLUX_RADIUS). pipeline-reference.md §2.3.
 * Cleaning is in detect_clean.c. */
#include "sci/detect_internal.h"
#include "base/log.h"
#include "base/util.h"

#include <stdlib.h>
#include <string.h>

void det_preanalyse(const det_ctx *c, const uint32_t *pix, long n, double thresh,
                    const double *center, ph_object *o)
{
    memset(o, 0, sizeof *o);
    int xmin = INT32_MAX, xmax = -1, ymin = INT32_MAX, ymax = -1;
    double rv = 0, tv = 0;
    float peak = -INFINITY, cpeak = -INFINITY;
    for (long i = 0; i < n; i++) {
        int x = (int)(pix[i] % c->nx), y = (int)(pix[i] / c->nx);
        float cv = c->filt[pix[i]], v = det_dv(c, pix[i]);
        cpeak = cv > cpeak ? cv : cpeak;
        peak = v > peak ? v : peak;
        rv += cv;
        tv += v;
        xmin = x < xmin ? x : xmin;
        xmax = x > xmax ? x : xmax;
        ymin = y < ymin ? y : ymin;
        ymax = y > ymax ? y : ymax;
    }
    o->npix = n;
    o->fdflux = (float)rv;
    o->fdpeak = cpeak;
    o->peak = peak;
    o->flux_iso = tv;
    o->xmin = xmin;
    o->xmax = xmax;
    o->ymin = ymin;
    o->ymax = ymax;

    /* Moments weighted by the filtered values, relative to the box corner
     * to avoid round-off on large images. */
    double mx = 0, my = 0, mx2 = 0, my2 = 0, mxy = 0, thresh2 = (thresh + peak) / 2.0;
    long dnpix = 0, area2 = 0;
    for (long i = 0; i < n; i++) {
        double x = (double)(pix[i] % c->nx) - xmin, y = (double)(pix[i] / c->nx) - ymin;
        double cv = c->filt[pix[i]], v = det_dv(c, pix[i]);
        if (v > thresh)
            dnpix++;
        if (v > thresh2)
            area2++;
        mx += cv * x;
        my += cv * y;
        mx2 += cv * x * x;
        my2 += cv * y * y;
        mxy += cv * x * y;
    }
    double xm = mx / rv, ym = my / rv, xm2, ym2, xym;
    if (center) {
        /* ANALYSE_ROBUST for deblended objects: moments about the centre of
         * the branch before gatherup. */
        double xn = center[0] - xmin, yn = center[1] - ymin;
        xm2 = mx2 / rv + xn * xn - 2 * xm * xn;
        ym2 = my2 / rv + yn * yn - 2 * ym * yn;
        xym = mxy / rv + xn * yn - xm * yn - xn * ym;
        xm = xn;
        ym = yn;
    } else {
        xm2 = mx2 / rv - xm * xm;
        ym2 = my2 / rv - ym * ym;
        xym = mxy / rv - xm * ym;
    }
    double temp2 = xm2 * ym2 - xym * xym;
    if (temp2 < 0.00694) { /* fully correlated x/y: SExtractor's fix */
        xm2 += 0.0833333;
        ym2 += 0.0833333;
        temp2 = xm2 * ym2 - xym * xym;
    }
    double temp = xm2 - ym2;
    double theta = fabs(temp) > 0.0 ? atan2(2.0 * xym, temp) / 2.0 : M_PI / 4.0;
    temp = sqrt(0.25 * temp * temp + xym * xym);
    double pmx2 = 0.5 * (xm2 + ym2) + temp, pmy2 = 0.5 * (xm2 + ym2) - temp;
    o->x = xm + xmin;
    o->y = ym + ymin;
    o->x2 = xm2;
    o->y2 = ym2;
    o->xy = xym;
    o->a = (float)sqrt(pmx2);
    o->b = (float)sqrt(pmy2 > 0 ? pmy2 : 0);
    o->theta = theta * 180.0 / M_PI;
    o->cxx = (float)(ym2 / temp2);
    o->cyy = (float)(xm2 / temp2);
    o->cxy = (float)(-2 * xym / temp2);
    double darea = (double)area2 - dnpix, t1t2 = thresh / thresh2;
    if (t1t2 > 0.0) {
        o->abcor = (darea < 0.0 ? darea : -1.0) /
                   (2 * M_PI * log(t1t2 < 1.0 ? t1t2 : 0.99) * o->a * o->b);
        if (o->abcor > 1.0)
            o->abcor = 1.0;
    } else {
        o->abcor = 1.0;
    }
}

double det_mthresh(const det_ctx *c, const uint32_t *pix, long n)
{
    const int m = c->p->minarea;
    if (n < m)
        return 0.0;
    /* SExtractor's heap (examineiso()) keeps the m largest values, but its
     * first m pixels are only heap-ordered by the (m+1)-th pixel, which is
     * itself never considered; with exactly m pixels the result is the
     * first pixel's value. The pixel order is SExtractor's list order, for
     * which ours (raster order) stands in. */
    if (n == m)
        return c->filt[pix[0]] - c->thresh;
    float top[64];
    int k = m < 64 ? m : 64, have = 0;
    for (long i = 0; i < n; i++) {
        if (i == m)
            continue;
        float v = c->filt[pix[i]] - c->thresh;
        if (have < k) {
            int j = have++;
            while (j > 0 && top[j - 1] < v) {
                top[j] = top[j - 1];
                j--;
            }
            top[j] = v;
        } else if (v > top[k - 1]) {
            int j = k - 1;
            while (j > 0 && top[j - 1] < v) {
                top[j] = top[j - 1];
                j--;
            }
            top[j] = v;
        }
    }
    return top[k - 1];
}

/* ---- FLUX_AUTO and FLUX_RADIUS ------------------------------------------ */

typedef struct meas {
    const det_ctx *c;
    const int32_t *seg;
    const uint8_t *unmasked;
    int32_t self;           /* label of the object */
} meas;

/* Is pixel i data for this object? Other detections are not (SExtractor
 * blanks them), except objects eaten by cleaning. */
static inline int usable(const meas *m, size_t i)
{
    float v = m->c->img[i];
    if (!isfinite(v))
        return 0;
    int32_t s = m->seg[i];
    return s == 0 || s == m->self || (s > 0 && m->unmasked[s - 1]);
}

/* The value of pixel (x, y) for aperture sums: masked pixels are replaced
 * by their mirror through (mx, my) when that is usable, else 0. */
static inline double corrected(const meas *m, int x, int y, double mx, double my)
{
    const det_ctx *c = m->c;
    size_t i = (size_t)y * c->nx + x;
    if (usable(m, i))
        return c->img[i];
    if (c->p->mask_correct) {
        int x2 = (int)(2 * mx + 0.49999 - x), y2 = (int)(2 * my + 0.49999 - y);
        if (x2 >= 0 && x2 < c->nx && y2 >= 0 && y2 < c->ny) {
            size_t j = (size_t)y2 * c->nx + x2;
            if (usable(m, j))
                return c->img[j];
        }
    }
    return 0.0;
}

static inline int rint_sx(double x)
{
    return (int)floor(x + 0.5);
}

/* The box holding the ellipse cxx dx^2 + cyy dy^2 + cxy dx dy <= r^2,
 * clipped to the image. */
static void ellipse_box(const det_ctx *c, const ph_object *o, double r, int *x0, int *x1,
                        int *y0, int *y1)
{
    double dxlim = o->cxx - o->cxy * o->cxy / (4.0 * o->cyy);
    dxlim = dxlim > 0.0 ? r / sqrt(dxlim) : 0.0;
    double dylim = o->cyy - o->cxy * o->cxy / (4.0 * o->cxx);
    dylim = dylim > 0.0 ? r / sqrt(dylim) : 0.0;
    *x0 = rint_sx(o->x - dxlim);
    *x1 = rint_sx(o->x + dxlim) + 1;
    *y0 = rint_sx(o->y - dylim);
    *y1 = rint_sx(o->y + dylim) + 1;
    *x0 = *x0 < 0 ? 0 : *x0;
    *y0 = *y0 < 0 ? 0 : *y0;
    *x1 = *x1 > c->nx ? (int)c->nx : *x1;
    *y1 = *y1 > c->ny ? (int)c->ny : *y1;
}

static void auto_flux(const meas *m, ph_object *o)
{
    const det_ctx *c = m->c;
    const ph_detect_params *p = c->p;
    o->kron_radius = 0;
    o->flux_auto = 0;
    if (!(o->a * o->b > 0) || !isfinite(o->cxx) || !isfinite(o->cyy))
        return;
    /* First moment of the light within 6 "sigmas" (usable pixels only). */
    int x0, x1, y0, y1;
    const double klim2 = DET_KRON_NSIG * DET_KRON_NSIG;
    ellipse_box(c, o, DET_KRON_NSIG, &x0, &x1, &y0, &y1);
    double r1 = 0, v1 = 0;
    long area = 0;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) {
            double dx = x - o->x, dy = y - o->y;
            double r2 = o->cxx * dx * dx + o->cyy * dy * dy + o->cxy * dx * dy;
            if (r2 > klim2)
                continue;
            area++;
            size_t i = (size_t)y * c->nx + x;
            if (usable(m, i)) {
                r1 += sqrt(r2) * c->img[i];
                v1 += c->img[i];
            }
        }
    if (!area)
        return;
    double kf = r1 > 0.0 && v1 > 0.0 ? p->kron_fact * r1 / v1 : p->kron_min;
    if (kf < p->kron_min)
        kf = p->kron_min;
    /* The flux within kf (in units of a, b), neighbours corrected. */
    ellipse_box(c, o, kf, &x0, &x1, &y0, &y1);
    double tv = 0;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) {
            double dx = x - o->x, dy = y - o->y;
            if (o->cxx * dx * dx + o->cyy * dy * dy + o->cxy * dx * dy <= kf * kf)
                tv += corrected(m, x, y, o->x, o->y);
        }
    o->flux_auto = tv;
    o->kron_radius = tv > 0.0 ? kf : 0.0;
}

/* The growth curve of pixels within `rmax` of the centre (all of them when
 * rmax >= raper), as makeavergrowth() builds it. */
static void growth_curve(const meas *m, const ph_object *o, double rlim, double rmax,
                         double *growth)
{
    const det_ctx *c = m->c;
    const double mx = o->x, my = o->y;
    const double raper = rlim + 1.5, rext2 = raper * raper;
    const double stepdens = DET_GROWTH_NSTEP / rlim, step = 1 / stepdens;
    const double prevmargin = 0.75, nextmargin = step - 0.75;
    /* With bins narrower than 1.5 px every pixel is near a bin edge. */
    const int always_sub = nextmargin <= prevmargin;
    const double sc = 1.0 / DET_GROWTH_OVERSAMP, sc2 = sc * sc, off = 0.5 * (sc - 1.0);
    const double rmax2 = rmax < raper ? rmax * rmax : rext2;
    const double r = rmax < raper ? rmax : raper;
    double part[4][DET_GROWTH_NSTEP];
    memset(growth, 0, DET_GROWTH_NSTEP * sizeof *growth);
    memset(part, 0, sizeof part);
    int x0 = (int)(mx - raper + 0.499999), x1 = (int)(mx + raper + 1.499999);
    int y0 = (int)(my - raper + 0.499999), y1 = (int)(my + raper + 1.499999);
    /* The same box, cut to the disc of radius r (same pixels as SExtractor
     * within it). */
    if (x0 < (int)floor(mx - r))
        x0 = (int)floor(mx - r);
    if (x1 > (int)ceil(mx + r) + 1)
        x1 = (int)ceil(mx + r) + 1;
    if (y0 < (int)floor(my - r))
        y0 = (int)floor(my - r);
    if (y1 > (int)ceil(my + r) + 1)
        y1 = (int)ceil(my + r) + 1;
    x0 = x0 < 0 ? 0 : x0;
    y0 = y0 < 0 ? 0 : y0;
    x1 = x1 > c->nx ? (int)c->nx : x1;
    y1 = y1 > c->ny ? (int)c->ny : y1;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) {
            double dx = x - mx, dy = y - my, r2 = dx * dx + dy * dy;
            if (!(r2 < rext2) || !(r2 < rmax2))
                continue;
            double pix = corrected(m, x, y, mx, my);
            double rr = sqrt(r2);
            double d = always_sub ? 0.0 : fmod(rr, step);
            if (always_sub || d < prevmargin || d > nextmargin) {
                /* Near a bin edge: 5 x 5 sub-pixels. Neighbouring
                 * sub-pixels mostly share a bin: four partial curves keep
                 * the additions from waiting on each other. */
                double sy = dy + off, v = sc2 * pix;
                int k = 0;
                for (int j = 0; j < DET_GROWTH_OVERSAMP; j++, sy += sc) {
                    double sx = dx + off, sy2 = sy * sy;
                    for (int i = 0; i < DET_GROWTH_OVERSAMP; i++, sx += sc, k++) {
                        int b = (int)(sqrt(sx * sx + sy2) * stepdens);
                        if (b < DET_GROWTH_NSTEP)
                            part[k & 3][b] += v;
                    }
                }
            } else {
                int b = (int)(rr * stepdens);
                if (b < DET_GROWTH_NSTEP)
                    growth[b] += pix;
            }
        }
    for (int i = 0; i < DET_GROWTH_NSTEP; i++)
        growth[i] += (part[0][i] + part[1][i]) + (part[2][i] + part[3][i]);
    for (int i = 1; i < DET_GROWTH_NSTEP; i++)
        growth[i] += growth[i - 1];
}

static void flux_radius(const meas *m, ph_object *o)
{
    double rlim = DET_GROWTH_NSIG * o->a;
    o->flux_radius = 0;
    if (!(rlim > 0) || !isfinite(rlim))
        return;
    const double raper = rlim + 1.5, step = rlim / DET_GROWTH_NSTEP;
    const double tv = m->c->p->fluxfrac * o->flux_auto;
    double growth[DET_GROWTH_NSTEP];
    /* Only the bins up to the one where the curve reaches tv matter, and a
     * pixel at radius r feeds bins within r +- 0.71: build the curve from
     * the pixels inside rmax, and widen rmax until that bin is exact.
     * Most objects need a disc of about 2 a instead of 7.5 a. */
    int i = 0;
    for (double rmax = 2.0 * o->a + 1.5;; rmax = 2 * rmax + 2.0) {
        growth_curve(m, o, rlim, rmax, growth);
        i = 0;
        while (i < DET_GROWTH_NSTEP - 1 && growth[i] < tv)
            i++;
        if (rmax >= raper || (i + 1) * step + 0.75 <= rmax)
            break;
    }
    /* Linear inside the bin (growth.c). */
    double rad;
    if (i) {
        double dg = growth[i] - growth[i - 1];
        rad = step * (dg != 0.0 ? i + (tv - growth[i - 1]) / dg : i);
    } else {
        rad = step * (growth[0] != 0.0 ? tv / growth[0] : 0.0);
    }
    o->flux_radius = rad > rlim ? rlim : rad;
}

void det_measure(const det_ctx *c, const int32_t *seg, const uint8_t *unmasked, long self,
                 ph_object *o)
{
    meas m = {c, seg, unmasked, (int32_t)(self + 1)};
    auto_flux(&m, o);
    flux_radius(&m, o);
}
