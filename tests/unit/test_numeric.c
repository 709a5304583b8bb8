/* test_numeric.c -- stats, FFT helpers, linear solves, the RNG, bands. */
#include "base/bands.h"
#include "check.h"
#include "sci/fft.h"
#include "sci/linalg.h"
#include "base/log.h"
#include "base/rng.h"
#include "sci/stats.h"

static int cmpd(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

TEST(median_matches_sort)
{
    ph_rng r;
    ph_rng_seed(&r, 1);
    for (int n = 1; n < 200; n += 7) {
        double x[200], s[200];
        for (int i = 0; i < n; i++)
            x[i] = s[i] = floor(ph_rng_uniform(&r) * 20); /* many ties */
        qsort(s, n, sizeof *s, cmpd);
        double want = n % 2 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
        EXPECT_NEAR(ph_median(x, n), want, 0);
    }
    double y[] = {NAN, 3, 1, NAN, 2};
    EXPECT_NEAR(ph_median(y, 5), 2, 0);
    EXPECT(isnan(ph_median(y, 1)));
    EXPECT_NEAR(ph_percentile((double[]){1, 2, 3, 4}, 4, 25), 1.75, 1e-15); /* numpy */
}

TEST(sigma_clip_and_mmm)
{
    /* astropy.stats.sigma_clipped_stats([1..10, 1000]) = (5.5, 5.5, 2.8723) */
    double x[11];
    for (int i = 0; i < 10; i++)
        x[i] = i + 1;
    x[10] = 1000;
    double mean, med, std;
    size_t k = ph_sigma_clip(x, 11, 3, 10, &mean, &med, &std);
    EXPECT(k == 10);
    EXPECT_NEAR(mean, 5.5, 1e-12);
    EXPECT_NEAR(med, 5.5, 1e-12);
    EXPECT_NEAR(std, 2.8722813232690143, 1e-12);
    EXPECT_NEAR(ph_mmm_background(x, 11), 3 * 5.5 - 2 * 5.5, 1e-12);
    EXPECT_NEAR(ph_sex_mode(1, 1, 0), 1, 0);
    EXPECT_NEAR(ph_sex_mode(10, 9, 10), 2.5 * 9 - 1.5 * 10, 1e-12);
    EXPECT_NEAR(ph_sex_mode(20, 9, 10), 9, 0);
}

TEST(gauss_and_poisson_moments)
{
    ph_rng r;
    ph_rng_seed(&r, 42);
    double s = 0, s2 = 0;
    int n = 200000;
    for (int i = 0; i < n; i++) {
        double g = ph_rng_gauss(&r);
        s += g;
        s2 += g * g;
    }
    EXPECT_NEAR(s / n, 0, 0.01);
    EXPECT_NEAR(s2 / n, 1, 0.01);
    double lam[] = {0.7, 5, 112, 1e4};
    for (int j = 0; j < 4; j++) {
        s = s2 = 0;
        for (int i = 0; i < n; i++) {
            double k = ph_rng_poisson(&r, lam[j]);
            s += k;
            s2 += k * k;
        }
        double m = s / n, v = s2 / n - m * m;
        EXPECT_REL(m, lam[j], 0.01);
        EXPECT_REL(v, lam[j], 0.03);
    }
    /* deterministic */
    ph_rng a, b;
    ph_rng_seed2(&a, 7, 3);
    ph_rng_seed2(&b, 7, 3);
    EXPECT(ph_rng_u64(&a) == ph_rng_u64(&b));
    ph_rng_seed2(&b, 7, 4);
    EXPECT(ph_rng_u64(&a) != ph_rng_u64(&b));
}

/* Direct convolutions to compare the FFT ones with. */
static double direct(const double *img, long ny, long nx, const double *k, long kn, long y, long x,
                     int circular)
{
    long c = (kn - 1) / 2;
    double s = 0;
    for (long j = 0; j < kn; j++)
        for (long i = 0; i < kn; i++) {
            long yy = y - (j - c), xx = x - (i - c);
            if (circular) {
                yy = (yy % ny + ny) % ny;
                xx = (xx % nx + nx) % nx;
            } else if (yy < 0 || yy >= ny || xx < 0 || xx >= nx)
                continue;
            s += k[j * kn + i] * img[yy * nx + xx];
        }
    return s;
}

TEST(convolutions_match_direct)
{
    enum { NY = 23, NX = 31, KN = 5 };
    double img[NY * NX], k[KN * KN], out[NY * NX], ksum = 0;
    ph_rng r;
    ph_rng_seed(&r, 3);
    for (int i = 0; i < NY * NX; i++)
        img[i] = ph_rng_gauss(&r);
    for (int i = 0; i < KN * KN; i++)
        ksum += (k[i] = ph_rng_uniform(&r) + (i == 3 ? 5 : 0)); /* asymmetric */
    EXPECT(ph_fft_convolve_same(img, NX, NY, k, KN, KN, 0, out) == 0);
    double worst = 0;
    for (long y = 0; y < NY; y++)
        for (long x = 0; x < NX; x++)
            worst = fmax(worst, fabs(out[y * NX + x] - direct(img, NY, NX, k, KN, y, x, 0)));
    EXPECT(worst < 1e-12);
    EXPECT(ph_fft_convolve_same(img, NX, NY, k, KN, KN, 1, out) == 0);
    EXPECT_NEAR(out[100], direct(img, NY, NX, k, KN, 100 / NX, 100 % NX, 0) / ksum, 1e-12);
    EXPECT(ph_fft_convolve_circular(img, NX, NY, k, KN, KN, out) == 0);
    worst = 0;
    for (long y = 0; y < NY; y++)
        for (long x = 0; x < NX; x++)
            worst = fmax(worst, fabs(out[y * NX + x] - direct(img, NY, NX, k, KN, y, x, 1)));
    EXPECT(worst < 1e-12);
    /* CSZ puts the centre at [0][0]; iCSZ undoes it */
    double full[NY * NX], back[KN * KN];
    EXPECT(ph_fft_kernel_csz(k, KN, KN, NX, NY, full) == 0);
    EXPECT(full[0] == k[2 * KN + 2] && full[NX - 1] == k[2 * KN + 1]);
    ph_fft_kernel_icsz(full, NX, NY, KN, KN, back);
    EXPECT(!memcmp(back, k, sizeof k));
    ph_error_clear();
    EXPECT(ph_fft_kernel_csz(k, 4, 4, NX, NY, full) != 0);
    ph_error_clear();
}

TEST(small_convolution_and_fft_identity)
{
    double a[9] = {0, 0, 0, 0, 1, 0, 0, 0, 0}, b[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9}, o[9];
    ph_fft_convolve_small(a, 3, 3, b, 3, 3, o);
    EXPECT(!memcmp(o, b, sizeof o)); /* delta (*) b = b */
    ph_fft2 *p = ph_fft2_new(10, 6);
    double *x = ph_fft_alloc_real(60), *y = ph_fft_alloc_real(60);
    ph_cplx *c = ph_fft_alloc_cplx(ph_fft2_ncplx(p));
    for (int i = 0; i < 60; i++)
        x[i] = sin(i * 0.3) + i;
    ph_fft2_forward(p, x, c);
    EXPECT_NEAR(creal(c[0]), 60 * 59 / 2.0 + 0 + 0, 10); /* DC = sum */
    ph_fft2_inverse(p, c, y);
    double worst = 0;
    for (int i = 0; i < 60; i++)
        worst = fmax(worst, fabs(y[i] / 60 - x[i]));
    EXPECT(worst < 1e-12);
    ph_fft_free(x);
    ph_fft_free(y);
    ph_fft_free(c);
    ph_fft2_free(p);
}

TEST(symmetric_solves)
{
    /* SPD: Cholesky */
    double A[9] = {4, 1, 0, 1, 3, 1, 0, 1, 2}, b[3] = {1, 2, 3};
    ph_solve_info info;
    EXPECT(ph_linalg_solve_symmetric(3, A, b, &info, "test") == 0);
    EXPECT(!info.used_lu && info.rcond > 0.1);
    /* x solves the original system */
    double A0[9] = {4, 1, 0, 1, 3, 1, 0, 1, 2};
    for (int i = 0; i < 3; i++)
        EXPECT_NEAR(A0[3 * i] * b[0] + A0[3 * i + 1] * b[1] + A0[3 * i + 2] * b[2], i + 1.0, 1e-12);
    /* indefinite symmetric: LU */
    double B[4] = {0, 1, 1, 0}, c[2] = {2, 3};
    EXPECT(ph_linalg_solve_symmetric(2, B, c, &info, "test") == 0);
    EXPECT(info.used_lu && c[0] == 3 && c[1] == 2);
    /* singular */
    double S[4] = {1, 1, 1, 1}, d[2] = {1, 1};
    ph_error_clear();
    EXPECT(ph_linalg_solve_symmetric(2, S, d, &info, "kernel system") != 0);
    EXPECT(strstr(ph_error_message(), "singular") != NULL);
    ph_error_clear();
}

TEST(bands_table)
{
    const ph_band *b = ph_band_find(" y106 ");
    EXPECT(b && !strcmp(b->name, "Y106"));
    EXPECT(ph_band_find("F106") == b);
    EXPECT(ph_band_find("F184") && !strcmp(ph_band_find("F184")->name, "F184"));
    EXPECT(ph_band_find("horsey") == NULL);
    /* pipeline-reference §1.1: zero points of OU2024 images */
    EXPECT_NEAR(ph_band_zeropoint(b, 302.275), 32.6617, 1e-4);
    EXPECT_NEAR(ph_band_zeropoint(ph_band_find("R062"), 161.025), 32.2511, 1e-4);
    EXPECT_NEAR(ph_band_zeropoint(ph_band_find("K213"), 901.175), 33.4034, 1e-4);
}

int main(void)
{
    RUN(median_matches_sort);
    RUN(sigma_clip_and_mmm);
    RUN(gauss_and_poisson_moments);
    RUN(convolutions_match_direct);
    RUN(small_convolution_and_fft_identity);
    RUN(symmetric_solves);
    RUN(bands_table);
    return check_done();
}
