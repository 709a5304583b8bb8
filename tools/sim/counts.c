/* counts.c -- see counts.h. */
#include "counts.h"
#include "sim.h"

#include <math.h>

/* Objects in the 8 OU2024 catalogues per bin [edge[i], edge[i+1]), and
 * the catalogues' total sky area (8 x 52.734 arcmin^2). */
#define OU2024_AREA_ARCMIN2 421.87

static const double star_edge[] = {13.9, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 26.7};
static const double star_n[] = {13, 30, 42, 69, 64, 116, 129, 152, 207, 229, 215, 195, 49};

static const double gal_edge[] = {16.0, 17.5, 18.0, 18.5, 19.0, 19.5, 20.0, 20.5, 21.0, 21.5,
                                  22.0, 22.5, 23.0, 23.5, 24.0, 24.5, 25.0, 25.5, 26.0, 26.5,
                                  27.0, 27.5, 28.0, 28.5, 29.0, 29.5, 30.0, 30.5, 31.0, 31.5};
static const double gal_n[] = {6,    11,   34,   73,   101,  136,   234,   382,   573,   775,
                               912,  1382, 1876, 2673, 3289, 4434,  6137,  6766,  7257,  8311,
                               8512, 8735, 9820, 11261, 11685, 11432, 10005, 7181, 3592};

typedef struct table {
    const double *edge, *n;
    int nbin;
} table;

static table get(int type)
{
    if (type == SIM_STAR)
        return (table){star_edge, star_n, (int)(sizeof star_n / sizeof *star_n)};
    return (table){gal_edge, gal_n, (int)(sizeof gal_n / sizeof *gal_n)};
}

void sim_counts_range(int type, double *lo, double *hi)
{
    table t = get(type);
    *lo = t.edge[0];
    *hi = t.edge[t.nbin];
}

/* Objects in [lo, hi): each bin counted in proportion to its overlap. */
static double in_range(table t, double lo, double hi)
{
    double sum = 0;
    for (int i = 0; i < t.nbin; i++) {
        double a = fmax(lo, t.edge[i]), b = fmin(hi, t.edge[i + 1]);
        if (b > a)
            sum += t.n[i] * (b - a) / (t.edge[i + 1] - t.edge[i]);
    }
    return sum;
}

double sim_counts_density(int type, double lo, double hi)
{
    return in_range(get(type), lo, hi) / OU2024_AREA_ARCMIN2;
}

double sim_counts_draw_mag(int type, int dist, double lo, double hi, ph_rng *r)
{
    double u = ph_rng_uniform(r);
    if (dist == SIM_MAGS_UNIFORM)
        return lo + (hi - lo) * u;
    table t = get(type);
    double total = in_range(t, lo, hi);
    if (!(total > 0))
        return NAN;
    /* Invert the piecewise-linear cumulative distribution. */
    double want = u * total, last = lo;
    for (int i = 0; i < t.nbin; i++) {
        double a = fmax(lo, t.edge[i]), b = fmin(hi, t.edge[i + 1]);
        if (b <= a)
            continue;
        double w = t.n[i] * (b - a) / (t.edge[i + 1] - t.edge[i]);
        if (w > 0 && want < w)
            return a + (b - a) * want / w;
        want -= w;
        if (w > 0)
            last = b;
    }
    return last; /* u * total rounded up to the total */
}

double sim_counts_galaxy_re(double mag, ph_rng *r)
{
    double lg = log10(0.29) - 0.085 * (mag - 24.5) + 0.15 * ph_rng_gauss(r);
    return fmin(fmax(pow(10.0, lg), 0.05), 2.0);
}
