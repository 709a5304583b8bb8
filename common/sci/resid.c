/* resid.c -- see resid.h. */
#include "sci/resid.h"

#include "base/log.h"
#include "sci/stats.h"
#include "base/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

void ph_resid_defaults(ph_resid_opts *o)
{
    o->snr_min = 100;
    o->badbits = 2 | 4;
    o->excl_x = o->excl_y = NAN;
    o->excl_r = 0;
}

static int isolated(const ph_resid_stars *s, long i)
{
    for (long j = 0; j < s->n; j++) {
        if (j == i || !(s->flux[j] > 0.1 * s->flux[i]))
            continue;
        double dx = s->x[j] - s->x[i], dy = s->y[j] - s->y[i];
        if (dx * dx + dy * dy < 36)
            return 0;
    }
    return 1;
}

long ph_resid_select(const ph_resid_stars *s, const ph_resid_opts *o, const uint8_t *mask,
                     long nx, long ny, long *sel)
{
    long n = 0;
    for (long i = 0; i < s->n; i++) {
        if (!(s->snr[i] >= o->snr_min))
            continue;
        long cx = (long)floor(s->x[i] + 0.5), cy = (long)floor(s->y[i] + 0.5);
        if (cx < 4 || cy < 4 || cx >= nx - 4 || cy >= ny - 4)
            continue;
        if (o->excl_r > 0 && isfinite(o->excl_x) &&
            hypot(s->x[i] - o->excl_x, s->y[i] - o->excl_y) <= o->excl_r)
            continue;
        int bad = 0;
        for (long y = cy - 4; y <= cy + 4 && !bad && mask; y++)
            for (long x = cx - 4; x <= cx + 4; x++)
                if (mask[y * nx + x] & o->badbits) {
                    bad = 1;
                    break;
                }
        if (!bad && isolated(s, i))
            sel[n++] = i;
    }
    return n;
}

int ph_resid_measure(const ph_resid_src *src, const ph_resid_stars *s, const long *sel,
                     long nsel, double snr_min, ph_resid_stats *out)
{
    out->snr_min = snr_min;
    out->nstars = 0;
    out->zmed = out->zp90 = out->frac_med = NAN;
    double *z = ph_malloc((size_t)(nsel > 0 ? nsel : 1) * 2 * sizeof *z, "residual statistics");
    if (!z)
        return PH_EFAIL;
    double *f = z + (nsel > 0 ? nsel : 1);
    long n = 0;
    for (long k = 0; k < nsel; k++) {
        long i = sel[k], cx = (long)floor(s->x[i] + 0.5), cy = (long)floor(s->y[i] + 0.5);
        double zm = 0, dm = 0, cm = 0;
        for (long y = cy - 3; y <= cy + 3; y++)
            for (long x = cx - 3; x <= cx + 3; x++) {
                double d = fabs(src->diff(src->ctx, x, y));
                dm = d > dm ? d : dm;
                if (src->conv) {
                    double c = fabs(src->conv(src->ctx, x, y));
                    cm = c > cm ? c : cm;
                }
                if (labs(x - cx) <= 2 && labs(y - cy) <= 2) {
                    double sg = src->sigma(src->ctx, x, y), v = sg > 0 ? d / sg : NAN;
                    if (!(v <= zm)) /* a NaN sigma makes the star's z NaN */
                        zm = v;
                }
            }
        if (!isfinite(zm))
            continue;
        z[n] = zm;
        f[n++] = src->conv && cm > 0 ? dm / cm : NAN;
    }
    out->nstars = n;
    if (n > 0) {
        out->zmed = ph_percentile(z, (size_t)n, 50);
        out->zp90 = ph_percentile(z, (size_t)n, 90);
        if (src->conv)
            out->frac_med = ph_median(f, (size_t)n);
    }
    free(z);
    return PH_OK;
}

double ph_resid_sigma_at(void *ctx, long x, long y)
{
    const ph_resid_var *v = ctx;
    double s = 0;
    for (int side = 0; side < 2; side++) {
        const double *k = side ? v->ksci : v->kref;
        const float *var = side ? v->vref : v->vsci;
        long n = side ? v->nsci : v->nref, c = (n - 1) / 2;
        double acc = 0;
        for (long j = 0; j < n; j++) {
            long yy = y - (j - c);
            if (yy < 0 || yy >= v->ny)
                continue;
            for (long i = 0; i < n; i++) {
                long xx = x - (i - c);
                if (xx < 0 || xx >= v->nx)
                    continue;
                double w = k[j * n + i];
                acc += w * w * var[yy * v->nx + xx];
            }
        }
        s += side ? v->ratio * v->ratio * acc : acc;
    }
    return s > 0 ? sqrt(s) : NAN;
}

int ph_resid_keys(ph_header *h, const ph_resid_stats *s, const char *what)
{
    char c1[72], c2[72], c3[72];
    snprintf(c1, sizeof c1, "static stars measured (%s)", what);
    snprintf(c2, sizeof c2, "median of their max |z| in 5x5 (%s)", what);
    snprintf(c3, sizeof c3, "90th percentile of max |z| (%s)", what);
    int st = ph_header_set_long(h, "RESNSTAR", s->nstars, c1);
    st |= ph_header_set_double(h, "RESSNR", s->snr_min, "smallest star S/N measured");
    if (s->nstars > 0) {
        st |= ph_header_set_double(h, "RESZMED", s->zmed, c2);
        st |= ph_header_set_double(h, "RESZP90", s->zp90, c3);
    } else {
        ph_header_del(h, "RESZMED");
        ph_header_del(h, "RESZP90");
    }
    if (isfinite(s->frac_med))
        st |= ph_header_set_double(h, "RESFRAC", s->frac_med,
                                   "median max|DIFF| 7x7 / star peak in CSCI");
    return st ? ph_error(PH_EFAIL, NULL, "cannot set the residual keys") : PH_OK;
}
