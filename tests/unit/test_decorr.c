/* test_decorr.c -- common/decorr against brute force: explicit DFT sums
 * for the filter, direct circular sums for its application, the stamps,
 * the kernel and the variance, a Monte-Carlo check of the variance formula
 * with spatially varying noise, the truncated variant and the "extend"
 * convolution. Small non-square grids with asymmetric kernels, so that any
 * transposition or sign error shows. */
#include "check.h"
#include "sci/decorr.h"
#include "base/log.h"
#include "base/rng.h"

#include <complex.h>

enum { NY = 12, NX = 15 };

/* An asymmetric odd kernel: a sheared Gaussian plus a small off-centre
 * bump, positive. */
static void make_kernel(double *k, long ny, long nx, double sx, double sy, double shear)
{
    long cy = (ny - 1) / 2, cx = (nx - 1) / 2;
    for (long y = 0; y < ny; y++)
        for (long x = 0; x < nx; x++) {
            double u = x - cx + shear * (y - cy), v = y - cy;
            k[y * nx + x] = exp(-0.5 * (u * u / (sx * sx) + v * v / (sy * sy)));
        }
    k[0 * nx + (nx - 1)] += 0.05;
}

/* F CSZ(k) at (ky, kx) by the definition: sum_m k(m) e^{-2 pi i (ky my/ny + kx mx/nx)}. */
static double complex dft_kernel(const double *k, long kny, long knx, long ky, long kx)
{
    double complex s = 0;
    for (long j = 0; j < kny; j++)
        for (long i = 0; i < knx; i++) {
            double my = j - (kny - 1) / 2, mx = i - (knx - 1) / 2;
            s += k[j * knx + i] * cexp(-2 * M_PI * I * (ky * my / NY + kx * mx / NX));
        }
    return s;
}

typedef struct model3 {
    double kj1[5 * 7], kj2[3 * 3], ki1[7 * 5], mk[3 * 5];
    ph_decorr_term j[2], i[2];
    ph_decorr_model m;
} model3;

/* Two J terms (one a delta), two I terms (one a delta), a final kernel. */
static void make_model(model3 *s, int with_match)
{
    make_kernel(s->kj1, 5, 7, 1.2, 0.8, 0.4);
    make_kernel(s->ki1, 7, 5, 0.7, 1.5, -0.3);
    make_kernel(s->mk, 3, 5, 0.6, 0.5, 0.2);
    s->j[0] = (ph_decorr_term){s->kj1, 7, 5, 3.0};
    s->j[1] = (ph_decorr_term){NULL, 0, 0, 1.5};
    s->i[0] = (ph_decorr_term){s->ki1, 5, 7, 2.0};
    s->i[1] = (ph_decorr_term){NULL, 0, 0, 0.7};
    s->m = (ph_decorr_model){s->j, 2, s->i, 2, with_match ? s->mk : NULL, 5, 3};
}

/* A decorrelator of NX x NY for make_model(s, with_match). */
static ph_decorr *model_decorr(model3 *s, int with_match)
{
    make_model(s, with_match);
    ph_decorr *d = ph_decorr_new(NX, NY);
    EXPECT(d && ph_decorr_set_model(d, &s->m, 1) == 0);
    return d;
}

/* den(ky, kx) of the model by explicit DFTs. */
static double den_bruteforce(const model3 *s, long ky, long kx)
{
    double dj = 0, di = 0;
    for (int t = 0; t < 2; t++) {
        const ph_decorr_term *a = &s->m.j[t], *b = &s->m.i[t];
        double pa = a->kernel ? pow(cabs(dft_kernel(a->kernel, a->kny, a->knx, ky, kx)), 2) : 1;
        double pb = b->kernel ? pow(cabs(dft_kernel(b->kernel, b->kny, b->knx, ky, kx)), 2) : 1;
        dj += a->sigma * a->sigma * pa / 4;
        di += b->sigma * b->sigma * pb / 4;
    }
    double pm = s->m.match ? pow(cabs(dft_kernel(s->m.match, 3, 5, ky, kx)), 2) : 1;
    return dj + di * pm;
}

TEST(filter_matches_explicit_dft)
{
    for (int wm = 0; wm < 2; wm++) {
        model3 s;
        ph_decorr *d = model_decorr(&s, wm);
        double den0 = den_bruteforce(&s, 0, 0), worst = 0;
        for (long ky = 0; ky < NY; ky++)
            for (long kx = 0; kx <= NX / 2; kx++) {
                double want = sqrt(den0 / den_bruteforce(&s, ky, kx));
                double got = d->filter[ky * (NX / 2 + 1) + kx];
                worst = fmax(worst, fabs(got - want) / want);
                EXPECT(got >= 1 - 1e-12); /* non-negative kernels: |K(k)| <= K(0) */
            }
        EXPECT_NEAR(worst, 0, 1e-13);
        EXPECT_NEAR(d->filter[0], 1, 0);
        EXPECT_REL(d->den0, den0, 1e-13);
        /* unnormalised: den^(-1/2) itself */
        EXPECT(ph_decorr_set_model(d, &s.m, 0) == 0);
        EXPECT_REL(d->filter[0], 1 / sqrt(den0), 1e-13);
        ph_decorr_free(d);
    }
}

TEST(delta_kernels_give_identity)
{
    ph_decorr_term j = {NULL, 0, 0, 2}, i = {NULL, 0, 0, 5};
    ph_decorr_model m = {&j, 1, &i, 1, NULL, 0, 0};
    ph_decorr *d = ph_decorr_new(NX, NY);
    EXPECT(ph_decorr_set_model(d, &m, 1) == 0);
    for (long k = 0; k < d->nc; k++)
        EXPECT_NEAR(d->filter[k], 1, 1e-15);
    EXPECT_NEAR(d->den0, 29, 1e-12);
    double img[NY * NX], out[NY * NX];
    for (int k = 0; k < NY * NX; k++)
        img[k] = sin(k * 0.37) + k % 5;
    ph_decorr_image(d, img, out);
    for (int k = 0; k < NY * NX; k++)
        EXPECT_NEAR(out[k], img[k], 1e-13);
    ph_decorr_free(d);
}

/* The full-frame real-space kernel F^-1[D F CSZ(k)] by an explicit inverse
 * DFT (k NULL: F^-1[D]), from the brute-force filter. */
static void full_kernel_bruteforce(const model3 *s, const double *k, long kny, long knx,
                                   double *out)
{
    double den0 = den_bruteforce(s, 0, 0);
    double complex spec[NY][NX];
    for (long ky = 0; ky < NY; ky++)
        for (long kx = 0; kx < NX; kx++)
            spec[ky][kx] = sqrt(den0 / den_bruteforce(s, ky, kx)) *
                           (k ? dft_kernel(k, kny, knx, ky, kx) : 1);
    for (long y = 0; y < NY; y++)
        for (long x = 0; x < NX; x++) {
            double complex v = 0;
            for (long ky = 0; ky < NY; ky++)
                for (long kx = 0; kx < NX; kx++)
                    v += spec[ky][kx] * cexp(2 * M_PI * I * ((double)ky * y / NY + (double)kx * x / NX));
            out[y * NX + x] = creal(v) / (NY * NX);
        }
}

/* (u (*) h)(y, x) = sum_m h(m) u(y - m) on the torus, h a full-frame kernel
 * with its centre at [0][0]. */
static void circ_bruteforce(const double *u, const double *h, double *out)
{
    for (long y = 0; y < NY; y++)
        for (long x = 0; x < NX; x++) {
            double s = 0;
            for (long my = 0; my < NY; my++)
                for (long mx = 0; mx < NX; mx++)
                    s += h[my * NX + mx] * u[((y - my + NY) % NY) * NX + (x - mx + NX) % NX];
            out[y * NX + x] = s;
        }
}

TEST(application_kernel_and_stamp_match_direct_sums)
{
    model3 s;
    ph_decorr *d = model_decorr(&s, 1);
    double h[NY * NX], img[NY * NX], want[NY * NX], got[NY * NX];
    full_kernel_bruteforce(&s, NULL, 0, 0, h);
    ph_rng r;
    ph_rng_seed(&r, 5);
    for (int k = 0; k < NY * NX; k++)
        img[k] = ph_rng_gauss(&r) + 0.1 * k;
    circ_bruteforce(img, h, want);
    ph_decorr_image(d, img, got);
    for (int k = 0; k < NY * NX; k++)
        EXPECT_NEAR(got[k], want[k], 1e-12 * 30);

    /* the kernel crop: element [j][i] is offset (j - 2, i - 3) */
    double k5[5 * 7], lost, sum;
    EXPECT(ph_decorr_kernel(d, 7, 5, k5, &lost, &sum) == 0);
    double sa = 0, sc = 0, ssum = 0;
    for (int k = 0; k < NY * NX; k++)
        sa += fabs(h[k]);
    for (long j = 0; j < 5; j++)
        for (long i = 0; i < 7; i++) {
            double w = h[((j - 2 + NY) % NY) * NX + (i - 3 + NX) % NX];
            EXPECT_NEAR(k5[j * 7 + i], w, 1e-13);
            sc += fabs(w);
            ssum += w;
        }
    EXPECT_NEAR(lost, 1 - sc / sa, 1e-13);
    EXPECT_NEAR(sum, ssum, 1e-13);

    /* a 5x5 stamp decorrelated and cropped to 3x3 and to 7x7 */
    double st[25], full[NY * NX], o3[9], o7[49];
    make_kernel(st, 5, 5, 1.0, 1.3, 0.5);
    full_kernel_bruteforce(&s, st, 5, 5, full);
    EXPECT(ph_decorr_stamp(d, st, 5, 3, o3, &lost) == 0);
    EXPECT(ph_decorr_stamp(d, st, 5, 7, o7, NULL) == 0);
    double fs = 0, cs = 0;
    for (int k = 0; k < NY * NX; k++)
        fs += full[k];
    for (long j = 0; j < 7; j++)
        for (long i = 0; i < 7; i++) {
            double w = full[((j - 3 + NY) % NY) * NX + (i - 3 + NX) % NX];
            EXPECT_NEAR(o7[j * 7 + i], w, 1e-13);
            if (j >= 2 && j <= 4 && i >= 2 && i <= 4) {
                EXPECT_NEAR(o3[(j - 2) * 3 + i - 2], w, 1e-13);
                cs += w;
            }
        }
    EXPECT_NEAR(lost, 1 - cs / fs, 1e-13);
    ph_decorr_free(d);
}

TEST(variance_matches_direct_sums)
{
    model3 s;
    ph_decorr *d = model_decorr(&s, 1);
    double v1[NY * NX], v2[NY * NX], h1[NY * NX], h2[NY * NX], t1[NY * NX], t2[NY * NX];
    float acc[NY * NX] = {0};
    for (int k = 0; k < NY * NX; k++) {
        v1[k] = 1 + (k % NX > 7 ? 3 : 0);       /* a step along x */
        v2[k] = 2 + 0.5 * sin(0.3 * (k / NX)); /* varies along y */
    }
    /* term 1: kernel ki1 (*) mk (the I side with the final kernel) */
    double kk[9 * 9];
    ph_decorr_convolve_full(s.ki1, 5, 7, s.mk, 5, 3, kk);
    full_kernel_bruteforce(&s, kk, 9, 9, h1);
    full_kernel_bruteforce(&s, s.kj1, 5, 7, h2);
    for (int k = 0; k < NY * NX; k++) {
        h1[k] *= h1[k];
        h2[k] *= h2[k];
    }
    circ_bruteforce(v1, h1, t1);
    circ_bruteforce(v2, h2, t2);
    memcpy(ph_decorr_plane(d), v1, sizeof v1);
    EXPECT(ph_decorr_variance_add(d, s.ki1, 5, 7, s.mk, 5, 3, 1.0, acc) == 0);
    memcpy(ph_decorr_plane(d), v2, sizeof v2);
    EXPECT(ph_decorr_variance_add(d, s.kj1, 7, 5, NULL, 0, 0, 0.5, acc) == 0);
    for (int k = 0; k < NY * NX; k++)
        EXPECT_REL(acc[k], t1[k] + 0.5 * t2[k], 2e-7);
    ph_decorr_free(d);
}

/* The variance formula as a statement about noise: many realisations of a
 * difference with per-pixel variances (a sharp step and a gradient), the
 * empirical variance of the decorrelated result per column against the
 * predicted V_D. 48 rows x 1500 realisations per column: 0.5 % scatter. */
TEST(variance_formula_monte_carlo)
{
    enum { MY = 48, MX = 40, R = 1500 };
    double ks[9 * 9], ko[11 * 11];
    make_kernel(ks, 9, 9, 1.3, 1.0, 0.3);
    make_kernel(ko, 11, 11, 1.8, 1.4, -0.4);
    ph_decorr_term j = {ko, 11, 11, 3.0}, i = {ks, 9, 9, 2.0};
    ph_decorr_model m = {&j, 1, &i, 1, NULL, 0, 0};
    ph_decorr *d = ph_decorr_new(MX, MY);
    EXPECT(d && ph_decorr_set_model(d, &m, 1) == 0);
    static double vs[MY * MX], vt[MY * MX], sumsq[MY * MX], a[MY * MX], b[MY * MX];
    static float pred[MY * MX], wrong[MY * MX];
    for (int k = 0; k < MY * MX; k++) {
        int x = k % MX;
        vs[k] = 9.0 * (x < 20 ? 1.0 : 4.0); /* a step in the science variance */
        vt[k] = 4.0 * (1 + 2.0 * x / MX);    /* a gradient in the template's */
    }
    memcpy(ph_decorr_plane(d), vt, sizeof vt);
    EXPECT(ph_decorr_variance_add(d, ks, 9, 9, NULL, 0, 0, 1, pred) == 0);
    memcpy(ph_decorr_plane(d), vs, sizeof vs);
    EXPECT(ph_decorr_variance_add(d, ko, 11, 11, NULL, 0, 0, 1, pred) == 0);
    /* a wrong prediction, to show the test can fail: the template term
     * with the science kernel (the pairing of sigmas and PSFs swapped) */
    memcpy(ph_decorr_plane(d), vt, sizeof vt);
    EXPECT(ph_decorr_variance_add(d, ko, 11, 11, NULL, 0, 0, 1, wrong) == 0);
    memcpy(ph_decorr_plane(d), vs, sizeof vs);
    EXPECT(ph_decorr_variance_add(d, ks, 9, 9, NULL, 0, 0, 1, wrong) == 0);
    ph_rng r;
    ph_rng_seed(&r, 2024);
    for (int t = 0; t < R; t++) {
        for (int k = 0; k < MY * MX; k++) {
            a[k] = ph_rng_gauss(&r) * sqrt(vs[k]);
            b[k] = ph_rng_gauss(&r) * sqrt(vt[k]);
        }
        /* DIFF = S (*) P_o - T (*) P_s, circular */
        ph_fft_convolve_circular(a, MX, MY, ko, 11, 11, a);
        ph_fft_convolve_circular(b, MX, MY, ks, 9, 9, b);
        for (int k = 0; k < MY * MX; k++)
            a[k] -= b[k];
        ph_decorr_image(d, a, a);
        for (int k = 0; k < MY * MX; k++)
            sumsq[k] += a[k] * a[k];
    }
    double worst = 0, worst_wrong = 0;
    for (int x = 0; x < MX; x++) {
        double e = 0, p = 0, w = 0;
        for (int y = 0; y < MY; y++) {
            e += sumsq[y * MX + x] / R;
            p += pred[y * MX + x];
            w += wrong[y * MX + x];
        }
        worst = fmax(worst, fabs(e / p - 1));
        worst_wrong = fmax(worst_wrong, fabs(e / w - 1));
    }
    printf("# variance Monte Carlo: worst column |empirical/predicted - 1| = %.4f "
           "(swapped kernels: %.3f)\n", worst, worst_wrong);
    EXPECT(worst < 0.025);       /* 5 sigma of the 0.5 % scatter */
    EXPECT(worst_wrong > 0.05);  /* the test has the power to see a wrong pairing */
    ph_decorr_free(d);
}

TEST(matched_filter_and_full_convolution)
{
    model3 s;
    ph_decorr *d = model_decorr(&s, 0);
    /* full convolution of two kernels = brute force */
    double a[3 * 5], b[5 * 7], f[7 * 11];
    make_kernel(a, 3, 5, 0.7, 0.9, 0.2);
    make_kernel(b, 5, 7, 1.1, 0.6, -0.3);
    ph_decorr_convolve_full(a, 5, 3, b, 7, 5, f);
    for (long y = 0; y < 7; y++)
        for (long x = 0; x < 11; x++) {
            double w = 0;
            for (long j = 0; j < 5; j++)
                for (long i = 0; i < 7; i++) {
                    long ay = y - j, ax = x - i;
                    if (ay >= 0 && ay < 3 && ax >= 0 && ax < 5)
                        w += b[j * 7 + i] * a[ay * 5 + ax];
                }
            EXPECT_NEAR(f[y * 11 + x], w, 1e-15);
        }
    /* matched filter: image (*) g with g(m) = hk(-m), hk = F^-1[D F k] */
    double img[NY * NX], hk[NY * NX], g[NY * NX], want[NY * NX];
    for (int k = 0; k < NY * NX; k++)
        img[k] = cos(k * 0.61) * (k % 7);
    full_kernel_bruteforce(&s, b, 5, 7, hk);
    for (long y = 0; y < NY; y++)
        for (long x = 0; x < NX; x++)
            g[y * NX + x] = hk[((NY - y) % NY) * NX + (NX - x) % NX];
    double dimg[NY * NX];
    ph_decorr_image(d, img, dimg);
    circ_bruteforce(dimg, g, want);
    memcpy(ph_decorr_plane(d), img, sizeof img);
    EXPECT(ph_decorr_matched_filter(d, b, 7, 5) == 0);
    for (int k = 0; k < NY * NX; k++)
        EXPECT_NEAR(ph_decorr_plane(d)[k], want[k], 1e-11);
    ph_decorr_free(d);
}

static void transpose(const double *a, long ny, long nx, double *t)
{
    for (long y = 0; y < ny; y++)
        for (long x = 0; x < nx; x++)
            t[x * ny + y] = a[y * nx + x];
}

/* sfft-reference §12.12, the orientation canary: SFFT's (x, y) arrays are
 * our (y, x) arrays transposed; decorrelating the transposed problem must
 * give the transposed answer (filter, image, stamp, variance). */
TEST(transpose_equivariant)
{
    model3 s, t;
    make_model(&s, 1);
    make_model(&t, 1);
    transpose(s.kj1, 5, 7, t.kj1);
    transpose(s.ki1, 7, 5, t.ki1);
    transpose(s.mk, 3, 5, t.mk);
    t.j[0] = (ph_decorr_term){t.kj1, 5, 7, 3.0};
    t.i[0] = (ph_decorr_term){t.ki1, 7, 5, 2.0};
    t.m.mny = 5;
    t.m.mnx = 3;
    ph_decorr *a = ph_decorr_new(NX, NY), *b = ph_decorr_new(NY, NX);
    EXPECT(ph_decorr_set_model(a, &s.m, 1) == 0 && ph_decorr_set_model(b, &t.m, 1) == 0);
    double img[NY * NX], imgt[NY * NX], o[NY * NX], ot[NY * NX], back[NY * NX];
    for (int k = 0; k < NY * NX; k++)
        img[k] = sin(1.7 * k) + 0.01 * k;
    transpose(img, NY, NX, imgt);
    ph_decorr_image(a, img, o);
    ph_decorr_image(b, imgt, ot);
    transpose(ot, NX, NY, back);
    for (int k = 0; k < NY * NX; k++)
        EXPECT_NEAR(back[k], o[k], 1e-12);
    /* a stamp and the variance */
    double st[25], stt[25], so[49], sot[49], sob[49];
    make_kernel(st, 5, 5, 1.0, 1.3, 0.5);
    transpose(st, 5, 5, stt);
    EXPECT(ph_decorr_stamp(a, st, 5, 7, so, NULL) == 0 && ph_decorr_stamp(b, stt, 5, 7, sot, NULL) == 0);
    transpose(sot, 7, 7, sob);
    for (int k = 0; k < 49; k++)
        EXPECT_NEAR(sob[k], so[k], 1e-13);
    float va[NY * NX] = {0}, vb[NY * NX] = {0};
    double vt[NY * NX];
    for (int k = 0; k < NY * NX; k++)
        img[k] = 1 + (k % NX > 7 ? 3 : 0) + 0.1 * (k / NX);
    transpose(img, NY, NX, vt);
    memcpy(ph_decorr_plane(a), img, sizeof img);
    memcpy(ph_decorr_plane(b), vt, sizeof vt);
    EXPECT(ph_decorr_variance_add(a, s.ki1, 5, 7, s.mk, 5, 3, 1, va) == 0);
    EXPECT(ph_decorr_variance_add(b, t.ki1, 7, 5, t.mk, 3, 5, 1, vb) == 0);
    for (long y = 0; y < NY; y++)
        for (long x = 0; x < NX; x++)
            EXPECT_REL(vb[x * NY + y], va[y * NX + x], 1e-6);
    ph_decorr_free(a);
    ph_decorr_free(b);
}

TEST(errors)
{
    model3 s;
    make_model(&s, 0);
    ph_decorr *d = ph_decorr_new(NX, NY);
    ph_error_clear();
    /* a kernel whose transform vanishes at k = 0 (sum 0): no noise there */
    double zero[3] = {1, 0, -1};
    ph_decorr_term j = {zero, 3, 1, 1.0};
    ph_decorr_model m = {&j, 1, NULL, 0, NULL, 0, 0};
    EXPECT(ph_decorr_set_model(d, &m, 1) != 0);
    EXPECT(strstr(ph_error_message(), "noise power vanishes") != NULL);
    ph_error_clear();
    ph_decorr_term big = {s.kj1, 7, 5, 1.0};
    ph_decorr *tiny = ph_decorr_new(4, 4);
    m.j = &big;
    EXPECT(ph_decorr_set_model(tiny, &m, 1) != 0);
    EXPECT(strstr(ph_error_message(), "larger than the image") != NULL);
    ph_error_clear();
    ph_decorr_term neg = {NULL, 0, 0, -1};
    m.j = &neg;
    EXPECT(ph_decorr_set_model(d, &m, 1) != 0);
    EXPECT(strstr(ph_error_message(), "non-negative") != NULL);
    ph_error_clear();
    m.nj = 0;
    EXPECT(ph_decorr_set_model(d, &m, 1) != 0);
    ph_error_clear();
    EXPECT(ph_decorr_set_model(d, &s.m, 1) == 0);
    double out[16];
    EXPECT(ph_decorr_kernel(d, 4, 4, out, NULL, NULL) != 0);
    EXPECT(strstr(ph_error_message(), "must be odd") != NULL);
    ph_error_clear();
    EXPECT(ph_decorr_new(5, 0) == NULL);
    ph_error_clear();
    ph_decorr_free(tiny);
    ph_decorr_free(d);
}

TEST(truncated_kernel_sizes_and_sum)
{
    model3 s;
    make_model(&s, 1);
    long ky, kx;
    double *k, lost;
    /* Lmax: 7 along y (ki1), 7 along x (kj1): grid 16, size round(2 * 7) + 1 = 15 */
    EXPECT(ph_decorr_truncated_kernel(&s.m, 2.0, &kx, &ky, &k, &lost) == 0);
    EXPECT(ky == 15 && kx == 15);
    double sum = 0;
    for (long i = 0; i < ky * kx; i++)
        sum += k[i];
    EXPECT_NEAR(sum, 1, 1e-14);
    /* equals the untruncated construction on a 16x16 grid, cropped and rescaled */
    ph_decorr *d = ph_decorr_new(16, 16);
    double c[15 * 15], csum;
    EXPECT(ph_decorr_set_model(d, &s.m, 0) == 0 && ph_decorr_kernel(d, 15, 15, c, NULL, &csum) == 0);
    for (long i = 0; i < 225; i++)
        EXPECT_NEAR(k[i], c[i] / csum, 1e-14);
    free(k);
    ph_decorr_free(d);
    /* ratio 1.5 on Lmax 7: round(10.5) = 10 (half to even) -> 11 */
    EXPECT(ph_decorr_truncated_kernel(&s.m, 1.5, &kx, &ky, &k, NULL) == 0);
    EXPECT(ky == 11 && kx == 11);
    free(k);
    ph_decorr_term dj = {NULL, 0, 0, 1}, di = {NULL, 0, 0, 1};
    ph_decorr_model md = {&dj, 1, &di, 1, NULL, 0, 0};
    ph_error_clear();
    EXPECT(ph_decorr_truncated_kernel(&md, 2.0, &kx, &ky, &k, NULL) != 0);
    ph_error_clear();
}

TEST(convolve_extend_matches_definition)
{
    enum { CY = 9, CX = 11 };
    double img[CY * CX], k[5 * 3], out[CY * CX];
    for (int i = 0; i < CY * CX; i++)
        img[i] = (i * 37 % 17) - 3.0;
    for (int i = 0; i < 15; i++)
        k[i] = (i + 1) * 0.1 * (i % 2 ? -1 : 1);
    ph_decorr_convolve_extend(img, CX, CY, k, 3, 5, out);
    for (long y = 0; y < CY; y++)
        for (long x = 0; x < CX; x++) {
            double s = 0;
            for (long j = 0; j < 5; j++)
                for (long i = 0; i < 3; i++) {
                    long sy = y - (j - 2), sx = x - (i - 1);
                    sy = sy < 0 ? 0 : sy >= CY ? CY - 1 : sy;
                    sx = sx < 0 ? 0 : sx >= CX ? CX - 1 : sx;
                    s += k[j * 3 + i] * img[sy * CX + sx];
                }
            EXPECT_NEAR(out[y * CX + x], s, 1e-13);
        }
    /* a constant image gives sum(k) times the constant everywhere (extend) */
    for (int i = 0; i < CY * CX; i++)
        img[i] = 2.5;
    ph_decorr_convolve_extend(img, CX, CY, k, 3, 5, out);
    double ks = 0;
    for (int i = 0; i < 15; i++)
        ks += k[i];
    for (int i = 0; i < CY * CX; i++)
        EXPECT_NEAR(out[i], 2.5 * ks, 1e-13);
}

int main(void)
{
    RUN(filter_matches_explicit_dft);
    RUN(delta_kernels_give_identity);
    RUN(application_kernel_and_stamp_match_direct_sums);
    RUN(variance_matches_direct_sums);
    RUN(variance_formula_monte_carlo);
    RUN(matched_filter_and_full_convolution);
    RUN(transpose_equivariant);
    RUN(errors);
    RUN(truncated_kernel_sizes_and_sum);
    RUN(convolve_extend_matches_definition);
    return check_done();
}
