/* lcaxis.c -- see lcaxis.h. */
#include "lcaxis.h"

#include <math.h>
#include <stdio.h>

int lc_ticks(double lo, double hi, int target, double *ticks, int max, int *ndec)
{
    *ndec = 0;
    if (!(hi > lo) || !isfinite(lo) || !isfinite(hi) || target < 1)
        return 0;
    double raw = (hi - lo) / target;
    double p10 = pow(10.0, floor(log10(raw)));
    static const double nice[] = {1, 2, 5, 10};
    double step = p10;
    double best = INFINITY;
    for (int i = 0; i < 4; i++) {
        double d = fabs(log(nice[i] * p10 / raw));
        if (d < best) {
            best = d;
            step = nice[i] * p10;
        }
    }
    int e = (int)floor(log10(step) + 1e-9);
    *ndec = e < 0 ? -e : 0;
    /* Start at the first multiple of step at or above lo; count from it in
     * whole steps so the values do not drift by repeated addition. */
    double k0 = ceil(lo / step - 1e-9);
    int n = 0;
    for (double k = k0; n < max; k++) {
        double v = k * step;
        if (v > hi + 1e-9 * step)
            break;
        ticks[n++] = fabs(v) < 1e-12 * step ? 0.0 : v;
    }
    return n;
}

void lc_pad_range(double *lo, double *hi, double frac, double minhalf)
{
    if (!isfinite(*lo) || !isfinite(*hi) || !(*hi > *lo)) {
        double c = isfinite(*lo) ? *lo : isfinite(*hi) ? *hi : 0.0;
        *lo = c - minhalf;
        *hi = c + minhalf;
        return;
    }
    double w = *hi - *lo;
    *lo -= frac * w;
    *hi += frac * w;
}

void lc_tick_label(double v, int ndec, char *buf, int size)
{
    snprintf(buf, (size_t)size, "%.*f", ndec, v);
    /* "-0", "-0.00": the sign of a rounded zero is noise */
    const char *p = buf + (buf[0] == '-');
    for (; *p == '0' || *p == '.'; p++)
        ;
    if (buf[0] == '-' && *p == '\0')
        snprintf(buf, (size_t)size, "%.*f", ndec, 0.0);
}
