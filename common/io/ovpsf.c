/* ovpsf.c -- see ovpsf.h. Quintic B-spline interpolation after Unser,
 * Aldroubi & Eden (1993) and Thevenaz, Blu & Unser (2000): the samples are
 * prefiltered into spline coefficients (two causal/anti-causal recursive
 * passes per axis, mirror boundary), the value at a point is the sum of six
 * by six coefficients times the quintic B-spline weights. */
#include "io/ovpsf.h"

#include "base/log.h"
#include "base/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NPOLE 2
static const double poles[NPOLE] = {-0.43057534709997379, -0.043096288203264653};

/* Mirror-boundary prefilter of one line of n samples, stride s. */
static void prefilter_line(double *c, long n, long s)
{
    if (n < 2)
        return;
    double lambda = 1;
    for (int k = 0; k < NPOLE; k++)
        lambda *= (1 - poles[k]) * (1 - 1 / poles[k]);
    for (long i = 0; i < n; i++)
        c[i * s] *= lambda;
    for (int k = 0; k < NPOLE; k++) {
        double z = poles[k];
        /* causal initial value: the mirrored sum, truncated where z^i < 1e-16 */
        long horizon = (long)ceil(log(1e-16) / log(fabs(z)));
        if (horizon > n)
            horizon = n;
        double sum = 0, zi = 1;
        for (long i = 0; i < horizon; i++, zi *= z)
            sum += zi * c[i * s];
        c[0] = sum;
        for (long i = 1; i < n; i++)
            c[i * s] += z * c[(i - 1) * s];
        c[(n - 1) * s] = z / (z * z - 1) * (z * c[(n - 2) * s] + c[(n - 1) * s]);
        for (long i = n - 2; i >= 0; i--)
            c[i * s] = z * (c[(i + 1) * s] - c[i * s]);
    }
}

/* The six quintic B-spline weights for taps floor(t) - 2 ... floor(t) + 3
 * at fractional part f = t - floor(t): beta5(d) for the distance d of each
 * tap, beta5(d) = [(3-d)^5 - 6 (2-d)_+^5 + 15 (1-d)_+^5] / 120, |d| < 3. */
static void weights5(double f, double w[6])
{
    for (int k = 0; k < 6; k++) {
        double d = fabs(f - (double)(k - 2));
        double p3 = 3 - d, p2 = 2 - d, p1 = 1 - d;
        double v = p3 * p3 * p3 * p3 * p3;
        if (p2 > 0)
            v -= 6 * p2 * p2 * p2 * p2 * p2;
        if (p1 > 0)
            v += 15 * p1 * p1 * p1 * p1 * p1;
        w[k] = v / 120;
    }
}

int ph_ovpsf_init(ph_ovpsf *p, int o, long h, const double *values, const char *file)
{
    memset(p, 0, sizeof *p);
    if (o < 2)
        return ph_error(PH_EFAIL, file, "oversampled PSF: OVERSAMP %d is not >= 2", o);
    if (h < 2 * o)
        return ph_error(PH_EFAIL, file,
                        "oversampled PSF: the grid spans less than 2 native pixels (half-size %ld "
                        "samples at OVERSAMP %d)",
                        h, o);
    long g = 2 * h + 1;
    size_t n = (size_t)g * g;
    for (size_t i = 0; i < n; i++)
        if (!isfinite(values[i]))
            return ph_error(PH_EFAIL, file, "oversampled PSF: sample %zu is not finite", i);
    p->v = ph_malloc(n * sizeof *p->v, "oversampled PSF");
    p->coef = ph_malloc(n * sizeof *p->coef, "oversampled PSF spline");
    if (!p->v || !p->coef) {
        ph_ovpsf_free(p);
        return PH_EFAIL;
    }
    p->o = o;
    p->h = h;
    memcpy(p->v, values, n * sizeof *p->v);
    memcpy(p->coef, values, n * sizeof *p->coef);
    for (long y = 0; y < g; y++)
        prefilter_line(p->coef + y * g, g, 1);
    for (long x = 0; x < g; x++)
        prefilter_line(p->coef + x, g, g);
    return PH_OK;
}

void ph_ovpsf_free(ph_ovpsf *p)
{
    free(p->v);
    free(p->coef);
    memset(p, 0, sizeof *p);
}

double ph_ovpsf_radius(const ph_ovpsf *p) { return (double)p->h / p->o; }

static long mirror(long i, long g)
{
    /* whole-sample symmetric extension, as the prefilter assumes */
    long period = 2 * g - 2;
    if (period <= 0)
        return 0;
    i %= period;
    if (i < 0)
        i += period;
    return i < g ? i : period - i;
}

double ph_ovpsf_eval(const ph_ovpsf *p, double u, double v)
{
    double tx = p->h + u * p->o, ty = p->h + v * p->o;
    long g = 2 * p->h + 1;
    if (!(tx >= 0 && ty >= 0 && tx <= g - 1 && ty <= g - 1))
        return 0;
    long ix = (long)floor(tx), iy = (long)floor(ty);
    double wx[6], wy[6];
    weights5(tx - ix, wx);
    weights5(ty - iy, wy);
    double s = 0;
    int interior = ix >= 2 && iy >= 2 && ix + 3 < g && iy + 3 < g;
    for (int j = 0; j < 6; j++) {
        long yy = iy - 2 + j;
        if (!interior)
            yy = mirror(yy, g);
        const double *row = p->coef + yy * g;
        double r = 0;
        for (int i = 0; i < 6; i++) {
            long xx = ix - 2 + i;
            r += wx[i] * row[interior ? xx : mirror(xx, g)];
        }
        s += wy[j] * r;
    }
    return s;
}

void ph_ovpsf_box(const ph_ovpsf *p, const double m[2][2], double x0, double y0, long bx, long by,
                  long bw, long bh, double *out)
{
    for (long j = 0; j < bh; j++) {
        double dy = (double)(by + j) - y0;
        for (long i = 0; i < bw; i++) {
            double dx = (double)(bx + i) - x0;
            double u = dx, v = dy;
            if (m) {
                u = m[0][0] * dx + m[0][1] * dy;
                v = m[1][0] * dx + m[1][1] * dy;
            }
            out[j * bw + i] = ph_ovpsf_eval(p, u, v);
        }
    }
}

double ph_ovpsf_stamp(const ph_ovpsf *p, const double m[2][2], double dx, double dy, long n,
                      double *out)
{
    double c = (double)(n - 1) / 2;
    ph_ovpsf_box(p, m, c + dx, c + dy, 0, 0, n, n, out);
    double s = 0;
    for (long i = 0; i < n * n; i++)
        s += out[i];
    return s;
}

int ph_ovpsf_transform(const ph_ovpsf *in, const double m[2][2], double scale, ph_ovpsf *out)
{
    long g = 2 * in->h + 1;
    double *v = ph_malloc((size_t)g * g * sizeof *v, "transformed PSF");
    if (!v)
        return PH_EFAIL;
    for (long j = 0; j < g; j++)
        for (long i = 0; i < g; i++) {
            double dx = (double)(i - in->h) / in->o, dy = (double)(j - in->h) / in->o;
            double u = m[0][0] * dx + m[0][1] * dy, w = m[1][0] * dx + m[1][1] * dy;
            v[j * g + i] = scale * ph_ovpsf_eval(in, u, w);
        }
    int st = ph_ovpsf_init(out, in->o, in->h, v, NULL);
    free(v);
    return st;
}

void ph_ovpsf_scale(ph_ovpsf *p, double s)
{
    long n = (2 * p->h + 1) * (2 * p->h + 1);
    for (long i = 0; i < n; i++) {
        p->v[i] *= s;
        p->coef[i] *= s;
    }
}

int ph_ovpsf_read(const char *path, const char *extname, ph_ovpsf *p, int *found)
{
    memset(p, 0, sizeof *p);
    *found = 0;
    ph_fits fp;
    if (ph_fits_open(&fp, path))
        return PH_EFAIL;
    if (!ph_fits_has_hdu(&fp, extname)) {
        ph_fits_close(&fp);
        return PH_OK;
    }
    *found = 1;
    long nx = 0, ny = 0, o = 0;
    double *d = NULL;
    ph_header *hdr = NULL;
    int st = ph_fits_goto(&fp, extname);
    if (!st)
        st = ph_fits_read_header(&fp, &hdr);
    if (!st)
        st = ph_fits_read_double(&fp, &nx, &ny, &d);
    ph_fits_close(&fp);
    if (!st && (nx != ny || nx % 2 == 0))
        st = ph_error(PH_EFAIL, path, "HDU %s: the oversampled PSF is %ldx%ld, not odd and square",
                      extname, nx, ny);
    if (!st && (ph_header_get_long(hdr, "OVERSAMP", &o) || o < 2 || o > 64))
        st = ph_error(PH_EFAIL, path, "HDU %s: OVERSAMP is missing or not in 2 ... 64", extname);
    if (!st)
        st = ph_ovpsf_init(p, (int)o, (nx - 1) / 2, d, path);
    free(d);
    ph_header_free(hdr);
    return st;
}

int ph_ovpsf_write(ph_fits_out *o, const char *extname, const ph_ovpsf *p, const ph_header *hdr)
{
    ph_header *h = hdr ? ph_header_copy(hdr) : ph_header_new();
    if (!h)
        return PH_EFAIL;
    int k = ph_header_set_long(h, "OVERSAMP", p->o, "samples per native pixel");
    k |= ph_header_set_long(h, "OVSCEN", p->h + 1, "1-based sample of the PSF centre (both axes)");
    int st = k ? ph_error(PH_EFAIL, o->path, "cannot format the %s header", extname) : PH_OK;
    long g = 2 * p->h + 1;
    if (!st)
        st = ph_fits_write_double(o, extname, g, g, p->v, h);
    ph_header_free(h);
    return st;
}
