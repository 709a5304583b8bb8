/* test_ptsrc.c -- point sources found and fitted with an oversampled PSF:
 * positions and fluxes against the stars drawn (analytic pixel-integrated
 * Gaussians, noise), blends, what is not a point source (compact galaxies,
 * a clipped core), and a star on a galaxy's core. */
#include "check.h"
#include "base/log.h"
#include "sci/ptsrc.h"
#include "base/rng.h"

#include <stdlib.h>
#include <string.h>

enum { N = 160 };
static const double SKYVAR = 100; /* e-^2: read noise and sky */
static const double SIG = 0.5;    /* the PSF: undersampled, 43% in the central pixel */

static double Phi(double x) { return 0.5 * erfc(-x / M_SQRT2); }

/* A unit-flux circular Gaussian of sigma s integrated over the native pixel
 * whose centre is at (u, v) from the source. */
static double gauss_pix(double u, double v, double s)
{
    return (Phi((u + 0.5) / s) - Phi((u - 0.5) / s)) * (Phi((v + 0.5) / s) - Phi((v - 0.5) / s));
}

static void psf_init(ph_ovpsf *p)
{
    const int o = 4;
    const long h = 40;
    long g = 2 * h + 1;
    double *v = malloc((size_t)g * g * sizeof *v);
    for (long j = 0; j < g; j++)
        for (long i = 0; i < g; i++)
            v[j * g + i] = gauss_pix((double)(i - h) / o, (double)(j - h) / o, SIG);
    EXPECT(ph_ovpsf_init(p, o, h, v, "test") == 0);
    free(v);
}

static void add_star(double *img, double x, double y, double flux, double s)
{
    for (long j = 0; j < N; j++)
        for (long i = 0; i < N; i++)
            if (fabs(i - x) < 12 && fabs(j - y) < 12)
                img[j * N + i] += flux * gauss_pix(i - x, j - y, s);
}

/* An exponential disc of scale length a, axis ratio q, position angle 30
 * deg, centred at (x, y), total flux f, as the image shows it: seen
 * through the PSF (a Gaussian of sigma SIG) and integrated over each pixel,
 * both on a 9x9 sub-grid. Its core is what a polynomial background cannot
 * follow. */
static void add_disc(double *img, double x, double y, double f, double a, double q)
{
    enum { SUB = 9 };
    const double c = cos(M_PI / 6), s = sin(M_PI / 6);
    long x0 = (long)floor(x - 12 * a), y0 = (long)floor(y - 12 * a);
    long w = (long)ceil(24 * a) + 1, ws = w * SUB, kr = (long)ceil(4 * SIG * SUB);
    double *d = calloc((size_t)ws * ws, sizeof *d), *t = calloc((size_t)ws * ws, sizeof *t);
    double *k = malloc((size_t)(2 * kr + 1) * sizeof *k), ks = 0, sum = 0;
    for (long i = -kr; i <= kr; i++)
        ks += k[i + kr] = exp(-0.5 * (i / (SIG * SUB)) * (i / (SIG * SUB)));
    for (long j = 0; j < ws; j++)
        for (long i = 0; i < ws; i++) {
            double u = x0 - 0.5 + (i + 0.5) / SUB - x, v = y0 - 0.5 + (j + 0.5) / SUB - y;
            double ru = c * u + s * v, rv = (-s * u + c * v) / q;
            d[j * ws + i] = exp(-sqrt(ru * ru + rv * rv) / a);
        }
    for (long j = 0; j < ws; j++) /* the PSF, separable: rows, then columns */
        for (long i = 0; i < ws; i++) {
            double acc = 0;
            for (long m = -kr; m <= kr; m++)
                if (i + m >= 0 && i + m < ws)
                    acc += k[m + kr] * d[j * ws + i + m];
            t[j * ws + i] = acc / ks;
        }
    for (long j = 0; j < ws; j++)
        for (long i = 0; i < ws; i++) {
            double acc = 0;
            for (long m = -kr; m <= kr; m++)
                if (j + m >= 0 && j + m < ws)
                    acc += k[m + kr] * t[(j + m) * ws + i];
            d[j * ws + i] = acc / ks;
            sum += d[j * ws + i];
        }
    for (long j = 0; j < ws; j++)
        for (long i = 0; i < ws; i++) {
            long px = x0 + i / SUB, py = y0 + j / SUB;
            if (px >= 0 && py >= 0 && px < N && py < N)
                img[py * N + px] += f * d[j * ws + i] / sum;
        }
    free(d);
    free(t);
    free(k);
}

/* Noise: Poisson as Gaussian of the expected value plus the sky's; the
 * variance plane holds the expected variance. */
static void noisy(const double *model, float *img, float *var, uint64_t seed)
{
    ph_rng r;
    ph_rng_seed(&r, seed);
    for (long k = 0; k < N * N; k++) {
        var[k] = (float)(SKYVAR + fmax(model[k], 0));
        img[k] = (float)(model[k] + sqrt(var[k]) * ph_rng_gauss(&r));
    }
}

/* the source of `s` nearest to (x, y), or NULL beyond 1 px */
static const ph_ptsrc *near(const ph_ptsrc *s, long n, double x, double y)
{
    const ph_ptsrc *best = NULL;
    double bd = 1;
    for (long i = 0; i < n; i++) {
        double d = hypot(s[i].x - x, s[i].y - y);
        if (d < bd) {
            bd = d;
            best = &s[i];
        }
    }
    return best;
}

/* 30 isolated stars of 3e3 to 1e5 e- at random phases: every one found,
 * positions to a few hundredths of a pixel, flux pulls of unit width. */
TEST(isolated_stars_found_with_their_flux)
{
    ph_ovpsf p;
    psf_init(&p);
    double *m = calloc((size_t)N * N, sizeof *m), sx[30], sy[30], sf[30];
    float *img = malloc((size_t)N * N * sizeof *img), *var = malloc((size_t)N * N * sizeof *var);
    ph_rng r;
    ph_rng_seed(&r, 11);
    for (int k = 0; k < 30; k++) {
        sx[k] = 12 + (k % 6) * 27 + ph_rng_uniform(&r);
        sy[k] = 12 + (k / 6) * 27 + ph_rng_uniform(&r);
        sf[k] = 3e3 * pow(1e5 / 3e3, ph_rng_uniform(&r));
        add_star(m, sx[k], sy[k], sf[k], SIG);
    }
    noisy(m, img, var, 12);
    ph_ptsrc_opts o;
    ph_ptsrc_defaults(&o);
    ph_ptsrc *s = NULL;
    long n = 0;
    EXPECT(ph_ptsrc_find(img, var, NULL, N, N, &p, &o, "test", &s, &n) == 0);
    EXPECT(n == 30);
    double sum2 = 0, worst = 0;
    int found = 0;
    for (int k = 0; k < 30; k++) {
        const ph_ptsrc *t = near(s, n, sx[k], sy[k]);
        if (!t)
            continue;
        found++;
        double pull = (t->flux - sf[k]) / t->flux_err;
        sum2 += pull * pull;
        worst = fmax(worst, hypot(t->x - sx[k], t->y - sy[k]) * sqrt(sf[k] / 3e3));
        EXPECT(t->chi2 < 2);
    }
    EXPECT(found == 30);
    double rms = sqrt(sum2 / (found ? found : 1));
    EXPECT(rms > 0.6 && rms < 1.4);
    EXPECT(worst < 0.08); /* position error, scaled to a 3e3 e- star */
    for (long i = 1; i < n; i++)
        EXPECT(s[i].flux <= s[i - 1].flux);
    free(s);
    free(m);
    free(img);
    free(var);
    ph_ovpsf_free(&p);
}

/* Two stars 3.5 px apart, and a star with a faint neighbour: each fitted
 * with the other removed. A compact galaxy (a Gaussian of sigma 1.2 px), an
 * exponential disc of 1.5 px and a clipped core are not point sources. */
TEST(blends_split_galaxies_and_clipped_cores_left)
{
    ph_ovpsf p;
    psf_init(&p);
    double *m = calloc((size_t)N * N, sizeof *m);
    float *img = malloc((size_t)N * N * sizeof *img), *var = malloc((size_t)N * N * sizeof *var);
    add_star(m, 40.3, 40.6, 5e4, SIG);
    add_star(m, 43.8, 40.2, 3e4, SIG);
    add_star(m, 120.2, 40.7, 4e4, 1.2);  /* compact galaxy */
    add_disc(m, 40.1, 120.4, 8e4, 1.5 / 1.678, 0.7);
    add_star(m, 120.6, 120.3, 2e5, SIG); /* to be clipped */
    noisy(m, img, var, 5);
    for (long j = 117; j < 124; j++)
        for (long i = 117; i < 124; i++)
            img[j * N + i] = fminf(img[j * N + i], 3e4f);
    ph_ptsrc_opts o;
    ph_ptsrc_defaults(&o);
    ph_ptsrc *s = NULL;
    long n = 0;
    EXPECT(ph_ptsrc_find(img, var, NULL, N, N, &p, &o, "test", &s, &n) == 0);
    const ph_ptsrc *a = near(s, n, 40.3, 40.6), *b = near(s, n, 43.8, 40.2);
    EXPECT(a && b);
    if (a && b) {
        EXPECT(fabs(a->flux / 5e4 - 1) < 0.02 && fabs(b->flux / 3e4 - 1) < 0.02);
        EXPECT(hypot(a->x - 40.3, a->y - 40.6) < 0.02 && hypot(b->x - 43.8, b->y - 40.2) < 0.02);
    }
    EXPECT(!near(s, n, 120.2, 40.7));
    EXPECT(!near(s, n, 40.1, 120.4));
    EXPECT(!near(s, n, 120.6, 120.3));
    EXPECT(n == 2);
    free(s);
    free(m);
    free(img);
    free(var);
    ph_ovpsf_free(&p);
}

/* A 3e4 e- star on a 7.3e4 e- disc of re 6 px, 4 and 2.8 px from its
 * centre: the plane background fails the chi^2 test, the quadratic
 * fallback finds the star with its flux (to 1.2%), over noise
 * realisations; with the fallback off (resid_frac 0) it is not found.
 * Closer to a compact core (re 3.6 px, 4 px away, at some phases) it stays
 * in the image, as ptsrc.h says. The disc alone is not a point source. */
TEST(star_on_a_galaxy)
{
    ph_ovpsf p;
    psf_init(&p);
    double *m = malloc((size_t)N * N * sizeof *m);
    float *img = malloc((size_t)N * N * sizeof *img), *var = malloc((size_t)N * N * sizeof *var);
    const double re[2] = {6, 6}, dist[2] = {4, 2.8};
    ph_ptsrc_opts o;
    ph_ptsrc_defaults(&o);
    for (int c = 0; c < 2; c++) {
        double sx = 80.2 - 0.92 * dist[c], sy = 79.7 + 0.39 * dist[c];
        memset(m, 0, (size_t)N * N * sizeof *m);
        add_disc(m, 80.2, 79.7, 7.3e4, re[c] / 1.678, 0.6);
        add_star(m, sx, sy, 3e4, SIG);
        int found = 0, off = 0;
        double sum = 0;
        for (uint64_t seed = 1; seed <= 6; seed++) {
            noisy(m, img, var, seed);
            ph_ptsrc *s = NULL;
            long n = 0;
            EXPECT(ph_ptsrc_find(img, var, NULL, N, N, &p, &o, "test", &s, &n) == 0);
            const ph_ptsrc *t = near(s, n, sx, sy);
            if (t) {
                found++;
                sum += t->flux / 3e4;
                EXPECT(hypot(t->x - sx, t->y - sy) < 0.05);
            }
            free(s);
            ph_ptsrc_opts z = o;
            z.resid_frac = 0;
            EXPECT(ph_ptsrc_find(img, var, NULL, N, N, &p, &z, "test", &s, &n) == 0);
            off += near(s, n, sx, sy) != NULL;
            free(s);
        }
        EXPECT(found == 6);
        EXPECT(fabs(sum / (found ? found : 1) - 1) < 0.03);
        EXPECT(off == 0);
    }
    /* the disc alone */
    memset(m, 0, (size_t)N * N * sizeof *m);
    add_disc(m, 80.2, 79.7, 7.3e4, 3.6 / 1.678, 0.6);
    noisy(m, img, var, 3);
    ph_ptsrc *s = NULL;
    long n = 0;
    EXPECT(ph_ptsrc_find(img, var, NULL, N, N, &p, &o, "test", &s, &n) == 0);
    EXPECT(n == 0);
    free(s);
    free(m);
    free(img);
    free(var);
    ph_ovpsf_free(&p);
}

int main(void)
{
    RUN(isolated_stars_found_with_their_flux);
    RUN(blends_split_galaxies_and_clipped_cores_left);
    RUN(star_on_a_galaxy);
    return check_done();
}
