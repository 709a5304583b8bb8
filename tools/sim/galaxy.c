/* galaxy.c -- see galaxy.h. */
#include "galaxy.h"
#include "base/log.h"
#include "base/util.h"

#include <math.h>
#include <stdlib.h>

enum { NX = 4096, NGL = 64, NCACHE = 64 };
#define DKAPPA 0.004

struct sersic_table {
    double n;
    int nk;
    double *f; /* nk + 1 values, step DKAPPA */
};

static sersic_table *cache[NCACHE];
static int ncache;

/* Regularised lower incomplete gamma P(a, x): series below a + 1, else
 * the continued fraction of Q = 1 - P (Lentz). */
static double gamma_p(double a, double x)
{
    double lg = lgamma(a);
    if (x <= 0)
        return 0.0;
    if (x < a + 1) {
        double ap = a, del = 1.0 / a, sum = del;
        for (int i = 0; i < 1000 && fabs(del) > fabs(sum) * 1e-16; i++) {
            ap += 1;
            del *= x / ap;
            sum += del;
        }
        return sum * exp(-x + a * log(x) - lg);
    }
    double b = x + 1 - a, c = 1e300, d = 1 / b, h = d;
    for (int i = 1; i < 1000; i++) {
        double an = -i * (i - a);
        b += 2;
        d = an * d + b;
        if (fabs(d) < 1e-300)
            d = 1e-300;
        c = b + an / c;
        if (fabs(c) < 1e-300)
            c = 1e-300;
        d = 1 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1) < 1e-16)
            break;
    }
    return 1.0 - exp(-x + a * log(x) - lg) * h;
}

double sersic_bn(double n)
{
    /* Half the light inside r_e: P(2n, b) = 1/2. Start from Ciotti &
     * Bertin (1999), A&A 352, 447, eq. 18, then Newton (dP/db is the
     * gamma density). */
    double n2 = n * n, n3 = n2 * n, n4 = n3 * n, a = 2 * n;
    double b = 2.0 * n - 1.0 / 3.0 + 4.0 / (405.0 * n) + 46.0 / (25515.0 * n2) +
               131.0 / (1148175.0 * n3) - 2194697.0 / (30690717750.0 * n4);
    for (int it = 0; it < 50; it++) {
        double f = gamma_p(a, b) - 0.5, df = exp(-b + (a - 1) * log(b) - lgamma(a));
        double step = f / df;
        b -= step;
        if (fabs(step) < 1e-14 * b)
            break;
    }
    return b;
}

/* Gauss-Legendre nodes and weights on [0, 1] (Newton on P_N). */
static void gauss_legendre(int N, double *x, double *w)
{
    for (int i = 0; i < N; i++) {
        double z = cos(M_PI * (i + 0.75) / (N + 0.5)), pp = 0;
        for (int it = 0; it < 100; it++) {
            double p1 = 1.0, p2 = 0.0;
            for (int j = 1; j <= N; j++) {
                double p3 = p2;
                p2 = p1;
                p1 = ((2.0 * j - 1.0) * z * p2 - (j - 1.0) * p3) / j;
            }
            pp = N * (z * p1 - p2) / (z * z - 1.0);
            double dz = p1 / pp;
            z -= dz;
            if (fabs(dz) < 1e-15)
                break;
        }
        x[i] = 0.5 * (1.0 - z);
        w[i] = 1.0 / ((1.0 - z * z) * pp * pp);
    }
}

static sersic_table *build(double n)
{
    double b = sersic_bn(n), st = SIM_SERSIC_TRUNC, h = st / NX;
    double gx[NGL], gw[NGL];
    gauss_legendre(NGL, gx, gw);
    double *A = malloc((NX + 1) * sizeof *A);
    sersic_table *t = calloc(1, sizeof *t);
    if (!A || !t) {
        free(A);
        free(t);
        ph_error(PH_EFAIL, NULL, "out of memory for a Sersic table");
        return NULL;
    }
    /* Projection A(x) = 2 int_0^Y I(sqrt(x^2 + y^2)) dy, Y = sqrt(st^2 - x^2),
     * with y = Y u^4 so that the cusp of large n at r = 0 is smooth in u. */
    for (int i = 0; i <= NX; i++) {
        double x = i * h, Y = sqrt(fmax(st * st - x * x, 0.0)), s = 0.0;
        for (int k = 0; k < NGL; k++) {
            double u = gx[k], u3 = u * u * u, y = Y * u3 * u;
            double r = sqrt(x * x + y * y);
            s += gw[k] * exp(-b * pow(r, 1.0 / n)) * 4.0 * Y * u3;
        }
        A[i] = 2.0 * s;
    }
    /* F(kappa) = 2 int_0^st A(x) cos(2 pi kappa x) dx, trapezoid, normalised. */
    t->n = n;
    t->nk = (int)ceil(SIM_SERSIC_KAPPA / DKAPPA);
    t->f = malloc((size_t)(t->nk + 2) * sizeof *t->f);
    if (!t->f) {
        free(A);
        free(t);
        ph_error(PH_EFAIL, NULL, "out of memory for a Sersic table");
        return NULL;
    }
    double f0 = 0.0;
    for (int j = 0; j <= t->nk; j++) {
        double th = 2.0 * M_PI * j * DKAPPA * h;
        double complex_re = 1.0, complex_im = 0.0, cr = cos(th), ci = sin(th), s = 0.5 * A[0];
        for (int i = 1; i <= NX; i++) {
            double re = complex_re * cr - complex_im * ci;
            complex_im = complex_re * ci + complex_im * cr;
            complex_re = re;
            s += (i == NX ? 0.5 : 1.0) * A[i] * complex_re;
        }
        if (j == 0)
            f0 = s;
        t->f[j] = s / f0;
    }
    t->f[t->nk + 1] = 0.0;
    free(A);
    return t;
}

const sersic_table *sersic_get(double n)
{
    if (!(n >= 0.3 && n <= 8.0)) {
        ph_error(PH_EUSAGE, NULL, "Sersic index %g is outside 0.3 ... 8", n);
        return NULL;
    }
    for (int i = 0; i < ncache; i++)
        if (cache[i]->n == n)
            return cache[i];
    if (ncache == NCACHE) {
        ph_error(PH_EFAIL, NULL, "more than %d distinct Sersic indices", NCACHE);
        return NULL;
    }
    sersic_table *t = build(n);
    if (t)
        cache[ncache++] = t;
    return t;
}

void sersic_cache_free(void)
{
    for (int i = 0; i < ncache; i++) {
        free(cache[i]->f);
        free(cache[i]);
    }
    ncache = 0;
}

double sersic_ft(const sersic_table *t, double kappa)
{
    double u = kappa / DKAPPA;
    if (!(u < t->nk))
        return 0.0;
    int i = (int)u;
    double f = u - i;
    return t->f[i] + f * (t->f[i + 1] - t->f[i]);
}

static double galaxy_ft(double kx, double ky, void *ctx)
{
    const sim_galaxy_ft *g = ctx;
    double a = g->t[0][0] * kx + g->t[0][1] * ky, b = g->t[1][0] * kx + g->t[1][1] * ky;
    return sersic_ft(g->tab, sqrt(a * a + b * b));
}

double sim_galaxy_setup(sim_galaxy_ft *g, ph_source_ft *src, const sersic_table *tab,
                        const double J[2][2], double re_arcsec, double q, double pa_deg)
{
    /* M = S R J maps pixel offsets to circularised arcsec: R turns (xi, eta)
     * into (major, minor) components, S = diag(sqrt q, 1/sqrt q). The
     * profile I(|M x| / r_e) |det M| has the transform F(r_e |M^-T k|). */
    double pa = pa_deg * M_PI / 180.0, sq = sqrt(q);
    double R[2][2] = {{sin(pa), cos(pa)}, {cos(pa), -sin(pa)}};
    double M[2][2];
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++)
            M[i][j] = (i ? 1.0 / sq : sq) * (R[i][0] * J[0][j] + R[i][1] * J[1][j]);
    double det = M[0][0] * M[1][1] - M[0][1] * M[1][0];
    /* M^-T = (1/det) [[M11, -M10], [-M01, M00]] */
    g->tab = tab;
    g->t[0][0] = re_arcsec * M[1][1] / det;
    g->t[0][1] = -re_arcsec * M[1][0] / det;
    g->t[1][0] = -re_arcsec * M[0][1] / det;
    g->t[1][1] = re_arcsec * M[0][0] / det;
    /* Smallest singular value of t bounds |t k| from below. */
    double a = g->t[0][0], b = g->t[0][1], c = g->t[1][0], d = g->t[1][1];
    double s1 = a * a + b * b + c * c + d * d, dt = fabs(a * d - b * c);
    double smin = sqrt(fmax((s1 - sqrt(fmax(s1 * s1 - 4 * dt * dt, 0))) / 2, 1e-300));
    src->ft = galaxy_ft;
    src->ctx = g;
    src->kmax = SIM_SERSIC_KAPPA / smin;
    double pix = sqrt(fabs(J[0][0] * J[1][1] - J[0][1] * J[1][0]));
    return SIM_SERSIC_TRUNC * re_arcsec / sq / pix;
}
