/* stats.c -- see stats.h. Selection by quickselect (expected O(n)). */
#include "sci/stats.h"
#include "base/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Copy the finite values of x into a new array; *m their count. */
static double *finite_copy(const double *x, size_t n, size_t *m)
{
    double *c = ph_malloc((n ? n : 1) * sizeof *c, "statistics scratch");
    *m = 0;
    if (c)
        for (size_t i = 0; i < n; i++)
            if (isfinite(x[i]))
                c[(*m)++] = x[i];
    return c;
}

/* k-th smallest (0-based) of x[0..n), reordering x. */
static double select_k(double *x, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        /* median of three as the pivot */
        size_t mid = lo + (hi - lo) / 2;
        double a = x[lo], b = x[mid], c = x[hi];
        double pivot = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
        size_t i = lo, j = hi;
        while (i <= j) {
            while (x[i] < pivot)
                i++;
            while (x[j] > pivot)
                j--;
            if (i <= j) {
                double t = x[i];
                x[i] = x[j];
                x[j] = t;
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return x[k];
    }
    return x[k];
}

double ph_median_inplace(double *x, size_t n)
{
    if (!n)
        return NAN;
    double hi = select_k(x, n, n / 2);
    if (n % 2)
        return hi;
    /* the largest of the lower half, which select_k left before n/2 */
    double lo = x[0];
    for (size_t i = 1; i < n / 2; i++)
        if (x[i] > lo)
            lo = x[i];
    return 0.5 * (lo + hi);
}

double ph_median(const double *x, size_t n)
{
    size_t m;
    double *c = finite_copy(x, n, &m);
    if (!c)
        return NAN;
    double v = ph_median_inplace(c, m);
    free(c);
    return v;
}

double ph_median_f(const float *x, size_t n)
{
    double *c = ph_malloc((n ? n : 1) * sizeof *c, "statistics scratch");
    if (!c)
        return NAN;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i]))
            c[m++] = x[i];
    double v = ph_median_inplace(c, m);
    free(c);
    return v;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double ph_percentile(const double *x, size_t n, double q)
{
    size_t m;
    double *c = finite_copy(x, n, &m);
    if (!c || !m) {
        free(c);
        return NAN;
    }
    qsort(c, m, sizeof *c, cmp_double);
    double pos = q / 100.0 * (double)(m - 1);
    size_t i = (size_t)floor(pos);
    double f = pos - (double)i;
    double v = i + 1 < m ? c[i] + f * (c[i + 1] - c[i]) : c[m - 1];
    free(c);
    return v;
}

void ph_mean_std(const double *x, size_t n, double *mean, double *std)
{
    double s = 0, s2 = 0;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i])) {
            s += x[i];
            m++;
        }
    double mu = m ? s / m : NAN;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i]))
            s2 += (x[i] - mu) * (x[i] - mu);
    if (mean)
        *mean = mu;
    if (std)
        *std = m ? sqrt(s2 / m) : NAN;
}

size_t ph_sigma_clip(const double *x, size_t n, double nsigma, int maxiter, double *mean,
                     double *median, double *std)
{
    size_t m;
    double *c = finite_copy(x, n, &m);
    double *w = ph_malloc((n ? n : 1) * sizeof *w, "statistics scratch");
    double med = NAN, mu = NAN, sd = NAN;
    if (!c || !w)
        goto out;
    for (int it = 0; m && it < maxiter; it++) {
        memcpy(w, c, m * sizeof *w);
        med = ph_median_inplace(w, m);
        ph_mean_std(c, m, &mu, &sd);
        size_t k = 0;
        for (size_t i = 0; i < m; i++)
            if (fabs(c[i] - med) <= nsigma * sd)
                c[k++] = c[i];
        if (k == m)
            break;
        m = k;
    }
    if (m) {
        memcpy(w, c, m * sizeof *w);
        med = ph_median_inplace(w, m);
        ph_mean_std(c, m, &mu, &sd);
    }
out:
    if (mean)
        *mean = m ? mu : NAN;
    if (median)
        *median = m ? med : NAN;
    if (std)
        *std = m ? sd : NAN;
    free(c);
    free(w);
    return m;
}

double ph_mmm_background(const double *x, size_t n)
{
    double mean, median;
    if (!ph_sigma_clip(x, n, 3.0, 10, &mean, &median, NULL))
        return NAN;
    return 3.0 * median - 2.0 * mean;
}

double ph_sex_mode(double mean, double median, double std)
{
    if (std == 0)
        return mean;
    if (fabs(mean - median) / std < 0.3)
        return 2.5 * median - 1.5 * mean;
    return median;
}

double ph_iqr_sigma(const double *x, size_t n)
{
    return (ph_percentile(x, n, 75) - ph_percentile(x, n, 25)) / 1.3489795003921634;
}
