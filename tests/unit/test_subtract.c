/* test_subtract.c -- ph-subtract's work on arrays (tools/subtract/subtract.c):
 * input sanitising, the fitting mask of sfft-reference §5.1, and a whole
 * run whose cross-convolution, normalisation and OUTSIDE handling are
 * checked against direct sums. */
#include "check.h"
#include "base/log.h"
#include "io/image.h"
#include "base/rng.h"
#include "subtract.h"

#include <stdint.h>

TEST(sanitise_zeroes_masked_nan_and_rejects_unmasked)
{
    float img[6] = {1, NAN, 3, INFINITY, 5, 6};
    uint8_t mask[6] = {0, PH_MASK_BAD, 0, PH_MASK_OUTSIDE, 0, 0};
    EXPECT(sub_sanitise(img, mask, 3, 2, "x.fits", "SCI") == PH_OK);
    EXPECT(img[1] == 0 && img[3] == 0 && img[0] == 1 && img[5] == 6);
    img[4] = NAN;
    EXPECT(sub_sanitise(img, mask, 3, 2, "x.fits", "VAR") == PH_EFAIL);
    EXPECT(strstr(ph_error_message(), "VAR is NaN at pixel (1, 1)"));
    EXPECT_STR(ph_error_file(), "x.fits");
    ph_error_clear();
}

TEST(fit_mask_is_detected_in_both_and_never_bad_or_outside)
{
    /* sci, ref masks and the expected fit / output bits */
    uint8_t s[8] = {1, 1, 0, 1, 3, 1, 5, 0};
    uint8_t r[8] = {1, 0, 1, 1, 1, 3, 1, 4};
    uint8_t fit[8], out[8];
    long n = sub_fit_mask(s, r, 8, 0, fit, out);
    uint8_t efit[8] = {1, 0, 0, 1, 0, 0, 0, 0};
    uint8_t eout[8] = {1, 0, 0, 1, 2, 2, 4, 4};
    EXPECT(n == 2);
    for (int i = 0; i < 8; i++) {
        EXPECT(fit[i] == efit[i]);
        EXPECT(out[i] == eout[i]);
    }
    /* all: every pixel BAD or OUTSIDE in neither, detected or not */
    n = sub_fit_mask(s, r, 8, 1, fit, out);
    uint8_t afit[8] = {1, 1, 1, 1, 0, 0, 0, 0};
    EXPECT(n == 4);
    for (int i = 0; i < 8; i++) {
        EXPECT(fit[i] == afit[i]);
        EXPECT(out[i] == (afit[i] | (eout[i] & 6)));
    }
}

TEST(exclude_takes_the_circle_out_of_the_fit)
{
    /* every pixel of a 20x10 image fits; a circle of radius 3 about
     * (4.5, 6.2) leaves: count the lattice points by brute force */
    enum { NX = 20, NY = 10 };
    uint8_t fit[NX * NY], out[NX * NY];
    memset(fit, 1, sizeof fit);
    memset(out, PH_DIFF_FIT | PH_DIFF_BAD, sizeof out);
    fit[6 * NX + 4] = 0; /* already out: not counted again */
    out[6 * NX + 4] = PH_DIFF_BAD;
    long expect = 0;
    for (int y = 0; y < NY; y++)
        for (int x = 0; x < NX; x++)
            expect += (x - 4.5) * (x - 4.5) + (y - 6.2) * (y - 6.2) <= 9.0 && fit[y * NX + x];
    EXPECT(sub_exclude(fit, out, NX, NY, 4.5, 6.2, 3.0) == expect);
    EXPECT(expect == 27);
    for (int y = 0; y < NY; y++)
        for (int x = 0; x < NX; x++) {
            int in = (x - 4.5) * (x - 4.5) + (y - 6.2) * (y - 6.2) <= 9.0;
            EXPECT(fit[y * NX + x] == !in);
            EXPECT(out[y * NX + x] == (in ? PH_DIFF_BAD : (PH_DIFF_FIT | PH_DIFF_BAD)));
        }
    /* none: radius 0 or no position; a circle off the image edge is clipped */
    EXPECT(sub_exclude(fit, out, NX, NY, NAN, 1, 3) == 0);
    EXPECT(sub_exclude(fit, out, NX, NY, 15, 5, 0) == 0);
    EXPECT(sub_exclude(fit, out, NX, NY, -1.0, -1.0, 1.5) == 1);
}

/* Linear "same" convolution with a zero boundary, by direct sums. */
static double conv_at(const float *img, long nx, long ny, const double *k, long L, long x, long y)
{
    double s = 0, ks = 0;
    long c = (L - 1) / 2;
    for (long i = 0; i < L * L; i++)
        ks += k[i];
    for (long j = 0; j < L; j++)
        for (long i = 0; i < L; i++) {
            long xs = x - (i - c), ys = y - (j - c);
            if (xs >= 0 && xs < nx && ys >= 0 && ys < ny)
                s += k[j * L + i] / ks * img[ys * nx + xs];
        }
    return s;
}

TEST(run_cross_convolves_fits_and_blanks_outside)
{
    long nx = 70, ny = 64, n = nx * ny;
    float *sci = malloc(n * sizeof *sci), *ref = malloc(n * sizeof *ref);
    uint8_t *ms = calloc(n, 1), *mr = calloc(n, 1);
    double ps[25], pr[25];
    ph_rng r;
    ph_rng_seed(&r, 9);
    /* 30 stars away from the edges (SFFT's shifts are circular) and from
     * the 5 columns without reference data; detected within 6 px, where
     * their flux has faded (SFFT zeroes the rest but keeps it in the least
     * squares, sfft-reference §5.1) */
    memset(ref, 0, n * sizeof *ref);
    for (int s = 0; s < 30; s++) {
        double x0 = 14 + ph_rng_uniform(&r) * (nx - 24), y0 = 8 + ph_rng_uniform(&r) * (ny - 16);
        for (long y = 0; y < ny; y++)
            for (long x = 0; x < nx; x++) {
                double d2 = (x - x0) * (x - x0) + (y - y0) * (y - y0);
                ref[y * nx + x] += (float)(1000 * exp(-0.5 * d2));
                if (d2 < 36)
                    ms[y * nx + x] = mr[y * nx + x] = PH_MASK_DETECTED;
            }
    }
    long nfit = 0;
    for (long i = 0; i < n; i++) {
        sci[i] = (float)(0.8 * ref[i] + 0.1 * ph_rng_gauss(&r));
        if (i % nx < 5)
            mr[i] = PH_MASK_OUTSIDE;
        nfit += ms[i] && mr[i] == PH_MASK_DETECTED;
    }
    /* one asymmetric PSF with sums 3 and 7: the run normalises both, so
     * the matching kernel is 0.8 delta */
    for (int i = 0; i < 25; i++) {
        double dx = i % 5 - 2.2, dy = i / 5 - 1.9, g = exp(-0.5 * (dx * dx + dy * dy) / 0.8);
        ps[i] = 3 * g;
        pr[i] = 7 * g;
    }
    /* the run takes over its SCI planes in double */
    double *dsci = ph_sfft_alloc_big(n * sizeof *dsci, "test"),
           *dref = ph_sfft_alloc_big(n * sizeof *dref, "test");
    for (long i = 0; i < n; i++) {
        dsci[i] = sci[i];
        dref[i] = ref[i];
    }
    sub_in in = {.nx = nx, .ny = ny, .sci = dsci, .ref = dref, .sci_mask = ms, .ref_mask = mr,
                    .psf_sci = ps, .n_sci = 5, .psf_ref = pr, .n_ref = 5, .sci_name = "s.fits",
                    .ref_name = "r.fits", .ex_x0 = NAN, .ex_y0 = NAN, .star_r = 8};
    ph_sfft_params p = {3, 1, 0, 1};
    ph_sfft_engine *e = ph_sfft_cpu_engine_new(nx, ny, 2);
    sub_out o;
    EXPECT(sub_run(e, &p, 1e-18, &in, &o) == PH_OK);
    if (o.diff) {
        double worst = 0;
        for (long y = 0; y < ny; y += 7)
            for (long x = 0; x < nx; x += 3) {
                double a = fabs(o.csci[y * nx + x] - conv_at(sci, nx, ny, pr, 5, x, y));
                double b = fabs(o.cref[y * nx + x] - conv_at(ref, nx, ny, ps, 5, x, y));
                worst = fmax(worst, fmax(a, b));
            }
        EXPECT(worst < 1e-11);
        int zero = 1;
        for (long y = 0; y < ny; y++)
            for (long x = 0; x < 5; x++)
                zero &= o.diff[y * nx + x] == 0 && (o.mask[y * nx + x] & PH_DIFF_OUTSIDE);
        EXPECT(zero);
        EXPECT(o.sol.nfit == nfit);
        EXPECT(o.noutside == 5 * ny && o.nbad == 0);
        double s = 0;
        for (int i = 0; i < 25; i++)
            s += o.conv_psf[i];
        EXPECT_NEAR(s, 1, 1e-14);
        EXPECT(o.conv_frac > 0.8 && o.conv_frac <= 1 + 1e-12);
        double ks = 0;
        for (int i = 0; i < 49; i++)
            ks += o.match_kernel[i];
        EXPECT_NEAR(ks, ph_sfft_ratio_at(&o.sol, nx / 2.0 - 0.5, ny / 2.0 - 0.5), 1e-12);
        EXPECT(fabs(ks - 0.8) < 0.01);
    }
    sub_out_free(&o);
    ph_sfft_engine_free(e);
    free(sci);
    free(ref);
    free(ms);
    free(mr);
}

/* Count the pixels of a 20 x 20 mask that are set. */
static long count(const uint8_t *m, long n, uint8_t bit)
{
    long k = 0;
    for (long i = 0; i < n; i++)
        k += (m[i] & bit) != 0;
    return k;
}

TEST(guard_band_around_bad_and_outside_and_the_border)
{
    enum { N = 20 };
    uint8_t s[N * N] = {0}, r[N * N] = {0}, fit[N * N], out[N * N];
    s[10 * N + 10] = 2;  /* BAD in the science image */
    r[3 * N + 15] = 4;   /* OUTSIDE in the reference */
    memset(fit, 1, sizeof fit);
    memset(out, 1, sizeof out);
    long removed = -1;
    EXPECT(sub_guard(fit, out, s, r, N, N, 2, &removed) == 0);
    /* brute force: Chebyshev distance <= 2 of either pixel, or of the border */
    long want = 0;
    for (int y = 0; y < N; y++)
        for (int x = 0; x < N; x++) {
            int near = (abs(x - 10) <= 2 && abs(y - 10) <= 2) || (abs(x - 15) <= 2 && abs(y - 3) <= 2) ||
                       x < 2 || y < 2 || x >= N - 2 || y >= N - 2;
            want += near;
            EXPECT(fit[y * N + x] == !near);
            EXPECT((out[y * N + x] & 1) == !near);
        }
    EXPECT(removed == want);
}

TEST(signal_keeps_every_source_and_no_sky)
{
    enum { N = 20 };
    double cs[N * N] = {0}, cr[N * N] = {0};
    float v[N * N];
    uint8_t fit[N * N], out[N * N];
    for (int i = 0; i < N * N; i++)
        v[i] = 1;
    cs[5 * N + 5] = 4;    /* 4 sigma in the science image only */
    cr[14 * N + 12] = 10; /* a source in the reference only */
    cs[2 * N + 16] = -50; /* a negative dip is no source */
    memset(fit, 1, sizeof fit);
    memset(out, 1, sizeof out);
    long removed = sub_signal(cs, cr, v, v, 1.0, 1.0, N, N, fit, out);
    /* two 5x5 blocks kept (the grown sources) */
    EXPECT(removed == N * N - 50);
    EXPECT(fit[5 * N + 5] && fit[7 * N + 7] && fit[3 * N + 3] && !fit[8 * N + 5]);
    EXPECT(fit[14 * N + 12] && fit[16 * N + 14] && !fit[2 * N + 16]);
    EXPECT(count(out, N * N, 1) == 50);
    /* sigma scales with the kernel's squared sum: 4 < 3 sqrt(4) */
    memset(fit, 1, sizeof fit);
    removed = sub_signal(cs, cr, v, v, 4.0, 1.0, N, N, fit, out);
    EXPECT(removed == N * N - 25 && fit[14 * N + 12] && !fit[5 * N + 5]);
}

TEST(clip_removes_outliers_with_a_margin)
{
    enum { N = 20 };
    double d[N * N] = {0};
    float v[N * N];
    uint8_t fit[N * N], out[N * N];
    for (int i = 0; i < N * N; i++)
        v[i] = 1, d[i] = (i % 7) - 3.0; /* |d| <= 3 sigma */
    d[9 * N + 9] = 40;
    memset(fit, 1, sizeof fit);
    memset(out, 1, sizeof out);
    fit[9 * N + 11] = 0; /* not fitted: stays as it is */
    long n = sub_clip(d, v, v, 1.0, 1.0, 2.0, 10, N, N, fit, out);
    /* sigma = sqrt(1 + 4): 40 is 17.9 sigma; a 5x5 block, less the unfitted pixel */
    EXPECT(n == 24);
    EXPECT(!fit[7 * N + 7] && !fit[11 * N + 11] && fit[6 * N + 9] && fit[12 * N + 9]);
    EXPECT(count(out, N * N, 8) == 24 && (out[9 * N + 9] & 9) == 8 && (out[9 * N + 11] & 8) == 0);
    /* below the threshold nothing moves */
    memset(fit, 1, sizeof fit);
    EXPECT(sub_clip(d, v, v, 1.0, 1.0, 2.0, 20, N, N, fit, out) == 0);
}

int main(void)
{
    ph_verbosity = 0;
    RUN(guard_band_around_bad_and_outside_and_the_border);
    RUN(signal_keeps_every_source_and_no_sky);
    RUN(clip_removes_outliers_with_a_margin);
    RUN(sanitise_zeroes_masked_nan_and_rejects_unmasked);
    RUN(fit_mask_is_detected_in_both_and_never_bad_or_outside);
    RUN(exclude_takes_the_circle_out_of_the_fit);
    RUN(run_cross_convolves_fits_and_blanks_outside);
    return check_done();
}
