/* mmm.c -- see mmm.h. Index conventions follow DAOPHOT: on the sorted
 * values s[0..n), the kept window is s[lo+1 .. hi] (lo is the last
 * rejected value below, -1 when none), so it holds hi - lo values; sums are
 * of s - median to keep them small. */
#include "mmm.h"

#include <math.h>
#include <stdlib.h>

enum { MMM_MINSKY = 20, MMM_MAXITER = 50 };

static int cmpd(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sum of s[a..b] - mid and of its squares (a > b: nothing). */
static void window_sums(const double *s, long a, long b, double mid, double *sum, double *sumsq)
{
    double t = 0, t2 = 0;
    for (long i = a; i <= b; i++) {
        double v = s[i] - mid;
        t += v;
        t2 += v * v;
    }
    *sum = t;
    *sumsq = t2;
}

/* Move the lower edge of the window to the cut: lo becomes the last index
 * with s[lo] <= cut1 < ... (or -1). Returns 1 if it moved; the sums follow. */
static int move_low(const double *s, long last, double cut1, double mid, long *lo, double *sum,
                    double *sumsq)
{
    long newlo = *lo;
    int inside = s[newlo + 1] >= cut1; /* the first kept value passes: maybe take more */
    if (newlo == -1 && inside)
        return 0;
    if (inside && s[newlo > 0 ? newlo : 0] < cut1)
        return 0;
    long step = inside ? -1 : 1;
    for (;;) {
        newlo += step;
        if (newlo == -1 || newlo == last)
            break;
        if (s[newlo] <= cut1 && s[newlo + 1] >= cut1)
            break;
    }
    double t, t2;
    if (inside) /* values s[newlo+1 .. lo] join */
        window_sums(s, newlo + 1, *lo, mid, &t, &t2);
    else /* values s[lo+1 .. newlo] leave */
        window_sums(s, *lo + 1, newlo, mid, &t, &t2);
    *sum -= step * t;
    *sumsq -= step * t2;
    *lo = newlo;
    return 1;
}

/* The same for the upper edge: hi becomes the last kept index. */
static int move_high(const double *s, long last, double cut2, double mid, long *hi, double *sum,
                     double *sumsq)
{
    long newhi = *hi;
    int inside = s[newhi] <= cut2;
    if (newhi == last && inside)
        return 0;
    if (inside && s[newhi + 1 < last ? newhi + 1 : last] > cut2)
        return 0;
    long step = inside ? 1 : -1;
    for (;;) {
        newhi += step;
        if (newhi == last || newhi == -1)
            break;
        if (s[newhi] <= cut2 && s[newhi + 1] >= cut2)
            break;
    }
    double t, t2;
    if (inside) /* values s[hi+1 .. newhi] join */
        window_sums(s, *hi + 1, newhi, mid, &t, &t2);
    else /* values s[newhi+1 .. hi] leave */
        window_sums(s, newhi + 1, *hi, mid, &t, &t2);
    *sum += step * t;
    *sumsq += step * t2;
    *hi = newhi;
    return 1;
}

static int estimate(const double *s, long n, double *mode, double *sigma, double *skew)
{
    long last = n - 1;
    double mid = 0.5 * s[(n - 1) / 2] + 0.5 * s[n / 2];
    double half = fmin(mid - s[0], s[last] - mid);
    double cut1 = mid - half, cut2 = mid + half;
    long lo = -1, hi = -1;
    for (long i = 0; i < n; i++)
        if (s[i] >= cut1 && s[i] <= cut2) {
            if (lo < 0)
                lo = i;
            hi = i;
        }
    if (hi < 0)
        return -1;
    double sum, sumsq;
    window_sums(s, lo, hi, mid, &sum, &sumsq);
    lo -= 1;

    long m = hi - lo;
    double med = 0.5 * s[(lo + hi + 1) / 2] + 0.5 * s[(lo + hi) / 2 + 1];
    double mean = sum / m;
    double sig = sqrt(sumsq / m - mean * mean);
    mean += mid;
    double mod = med < mean ? 3 * med - 2 * mean : mean;

    double clamp = 1, old = 0;
    int moved = 1;
    for (int iter = 1; moved; iter++) {
        if (iter > MMM_MAXITER || hi - lo < MMM_MINSKY)
            return -1;
        /* rejection limit in sigmas, a fit to Chauvenet's criterion */
        double r = log10((double)(hi - lo));
        r = fmax(2.0, (-0.1042 * r + 1.1695) * r + 0.8895);
        double cut = r * sig + 0.5 * fabs(mean - mod);
        cut1 = mod - cut;
        cut2 = mod + cut;
        moved = move_low(s, last, cut1, mid, &lo, &sum, &sumsq);
        moved |= move_high(s, last, cut2, mid, &hi, &sum, &sumsq);

        m = hi - lo;
        if (m < MMM_MINSKY)
            return -1;
        mean = sum / m;
        double var = sumsq / m - mean * mean;
        sig = sqrt(var > 0 ? var : 0);
        mean += mid;
        /* median: mean of the central 20 % of the window, symmetric about its
         * centre (rounding half to even, as numpy's round) */
        double centre = (lo + 1 + hi) / 2.0;
        double side = nearbyint(0.2 * (double)(hi - lo)) / 2.0 + 0.25;
        long a = (long)nearbyint(centre - side), b = (long)nearbyint(centre + side);
        double t = 0;
        for (long i = a; i <= b; i++)
            t += s[i];
        med = t / (double)(b - a + 1);
        double dmod = med < mean ? 3 * med - 2 * mean - mod : mean - mod;
        if (dmod * old < 0) /* the correction changed sign: damp it */
            clamp *= 0.5;
        mod += clamp * dmod;
        old = dmod;
    }
    *mode = mod;
    *sigma = sig;
    *skew = (mean - mod) / fmax(1.0, sig);
    return 0;
}

int dc_mmm(const double *x, size_t n, double *mode, double *sigma, double *skew)
{
    double md = NAN, sg = -1, sk = 0;
    double *s = malloc((n ? n : 1) * sizeof *s);
    size_t m = 0;
    if (s) {
        for (size_t i = 0; i < n; i++)
            if (!isnan(x[i]))
                s[m++] = x[i];
        qsort(s, m, sizeof *s, cmpd);
    }
    int st = s && m >= MMM_MINSKY ? estimate(s, (long)m, &md, &sg, &sk) : -1;
    if (st)
        sg = -1;
    free(s);
    if (mode)
        *mode = md;
    if (sigma)
        *sigma = sg;
    if (skew)
        *skew = sk;
    return st;
}
