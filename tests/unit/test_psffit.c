/* test_psffit.c -- common/psffit against independent truths: the spline
 * reproduces cubic polynomials exactly (the not-a-knot property) and its
 * samples; the circle/pixel overlap against the circle's area and a fine
 * midpoint sum; the fit recovers an injected model exactly and its error is
 * the weighted-least-squares formula; 1000 injected point sources of an
 * analytic pixel-integrated Gaussian on noise have unit pulls and no bias
 * at SNR > 50 (issue 8). photutils itself is compared in
 * tests/cli/ph-phot.bats. */
#include "check.h"
#include "base/log.h"
#include "sci/psffit.h"
#include "spline_case.h"
#include "base/rng.h"
#include "sci/stats.h"

#include <stdint.h>

TEST(spline_reproduces_cubics)
{
    enum { N = 9 };
    double psf[N * N], w[N], y[N];
    ph_psf_spline s;
    EXPECT(spline_case(&s, psf, y, N) == 0);
    for (double u = 0; u <= N - 1; u += 0.173) {
        EXPECT(ph_psffit_spline_weights(&s, u, w) == 1);
        double v = 0;
        for (int k = 0; k < N; k++)
            v += w[k] * y[k];
        EXPECT_NEAR(v, cubic(u), 1e-12);
    }
    EXPECT(ph_psffit_spline_weights(&s, -0.01, w) == 0);
    EXPECT(ph_psffit_spline_weights(&s, N - 1 + 1e-9, w) == 0);
    EXPECT(w[0] == 0 && w[N - 1] == 0);
    ph_psffit_spline_free(&s);
}

/* A separable bi-cubic stamp: the box of a shifted model is the product of
 * the cubics at the shifted coordinates; zero outside the grid. */
TEST(spline_box_is_tensor_product)
{
    enum { N = 11 };
    double psf[N * N], out[7 * 7], work[3 * 7 * N];
    for (int j = 0; j < N; j++)
        for (int i = 0; i < N; i++)
            psf[j * N + i] = cubic(i) * (1 + 0.2 * j - 0.01 * j * j);
    ph_psf_spline s;
    EXPECT(ph_psffit_spline_init(&s, psf, N) == 0);
    double x0 = 40.37, y0 = 12.81, c = 5;
    ph_psffit_spline_box(&s, x0, y0, 37, 10, 7, 7, out, work);
    for (int r = 0; r < 7; r++)
        for (int i = 0; i < 7; i++) {
            double u = 37 + i - x0 + c, v = 10 + r - y0 + c;
            EXPECT_NEAR(out[r * 7 + i], cubic(u) * (1 + 0.2 * v - 0.01 * v * v), 1e-12);
        }
    /* samples at integer shifts are copied */
    ph_psffit_spline_box(&s, 20.0, 30.0, 16, 27, 7, 7, out, work);
    for (int r = 0; r < 7; r++)
        for (int i = 0; i < 7; i++)
            EXPECT_NEAR(out[r * 7 + i], psf[(r + 2) * N + i + 1], 1e-14);
    /* a shift that puts the box partly off the stamp: zero there */
    ph_psffit_spline_box(&s, 0.0, 0.0, 3, -3, 7, 7, out, work);
    EXPECT(out[0 * 7 + 6] == 0); /* u = 9 - 0 + 5 = 14 > 10 */
    EXPECT(out[0 * 7 + 0] != 0); /* u = 8, v = 2 */
    EXPECT(s.nea > 0);
    ph_psffit_spline_free(&s);
}

TEST(spline_rejects_small_or_even)
{
    double psf[36] = {1};
    ph_psf_spline s;
    EXPECT(ph_psffit_spline_init(&s, psf, 3) != 0);
    ph_error_clear();
    EXPECT(ph_psffit_spline_init(&s, psf, 6) != 0);
    ph_error_clear();
}

TEST(box_start_as_astropy)
{
    EXPECT(ph_psffit_box_start(10.0, 5) == 8);
    EXPECT(ph_psffit_box_start(10.49, 5) == 8);
    EXPECT(ph_psffit_box_start(10.5, 5) == 8); /* ties round down */
    EXPECT(ph_psffit_box_start(10.51, 5) == 9);
    EXPECT(ph_psffit_box_start(-0.2, 5) == -2);
}

TEST(circle_overlap)
{
    /* sum over pixels = pi r^2, for several centres and radii */
    double rs[] = {0.3, 1.0, 2.5, 3.0, 7.3};
    for (int k = 0; k < 5; k++) {
        double r = rs[k], x0 = 0.137 * k, y0 = -0.291 + 0.05 * k, sum = 0;
        for (int y = -10; y <= 10; y++)
            for (int x = -10; x <= 10; x++)
                sum += ph_psffit_circle_rect_overlap(x - 0.5 - x0, x + 0.5 - x0, y - 0.5 - y0,
                                                     y + 0.5 - y0, r);
        EXPECT_NEAR(sum, M_PI * r * r, 1e-12);
    }
    /* single pixels against a 4000^2 midpoint sum */
    struct { double xa, xb, ya, yb, r; } c[] = {
        {2.2, 3.2, -0.5, 0.5, 3.0}, {1.7, 2.7, 1.4, 2.4, 3.0}, {-0.5, 0.5, -0.5, 0.5, 0.6},
        {-3.1, -2.1, 0.9, 1.9, 3.0}, {0, 1, 0, 1, 1.2}};
    for (int k = 0; k < 5; k++) {
        int m = 4000, in = 0;
        for (int j = 0; j < m; j++)
            for (int i = 0; i < m; i++) {
                double x = c[k].xa + (i + 0.5) / m * (c[k].xb - c[k].xa);
                double y = c[k].ya + (j + 0.5) / m * (c[k].yb - c[k].ya);
                in += x * x + y * y <= c[k].r * c[k].r;
            }
        EXPECT_NEAR(ph_psffit_circle_rect_overlap(c[k].xa, c[k].xb, c[k].ya, c[k].yb, c[k].r),
                    (double)in / ((double)m * m), 2e-6);
    }
    EXPECT_NEAR(ph_psffit_circle_rect_overlap(-0.5, 0.5, -0.5, 0.5, 3), 1, 1e-15);
    /* subpixel sampling: 5x5 centres of the pixel [1, 2] x [0, 1], r = 1.5:
     * x^2 + y^2 < 2.25 counted by hand: x 1.1 (y 0.1 ... 0.9: 5), x 1.3
     * (y < 0.748: 4), x 1.5 (none: the tie is outside), 1.7, 1.9 (none) */
    EXPECT_NEAR(ph_psffit_circle_pixel_weight(1, 2, 0, 1, 1.5, 5), 9.0 / 25, 1e-15);
    EXPECT_NEAR(ph_psffit_circle_pixel_weight(1, 2, 0, 1, 1.5, 0),
                ph_psffit_circle_rect_overlap(1, 2, 0, 1, 1.5), 0);
    EXPECT_NEAR(ph_psffit_circle_rect_overlap(5, 6, 5, 6, 3), 0, 0);
}

/* Pixel-integrated Gaussian of unit flux centred at (x0, y0), pixel (i, j). */
static double gpix(double sigma, double x0, double y0, long i, long j)
{
    double s = sigma * sqrt(2.0);
    double gx = 0.5 * (erf((i + 0.5 - x0) / s) - erf((i - 0.5 - x0) / s));
    double gy = 0.5 * (erf((j + 0.5 - y0) / s) - erf((j - 0.5 - y0) / s));
    return gx * gy;
}

enum { NI = 64, NP = 25 };

static void gauss_stamp(double sigma, double *psf)
{
    double c = (NP - 1) / 2.0, sum = 0;
    for (int j = 0; j < NP; j++)
        for (int i = 0; i < NP; i++)
            sum += psf[j * NP + i] = gpix(sigma, c, c, i, j);
    for (int k = 0; k < NP * NP; k++)
        psf[k] /= sum;
}

TEST(fit_recovers_its_model_exactly)
{
    double psf[NP * NP], box[25], work[3 * 5 * NP];
    gauss_stamp(1.3, psf);
    ph_psf_spline s;
    EXPECT(ph_psffit_spline_init(&s, psf, NP) == 0);
    static float data[NI * NI], var[NI * NI];
    static uint8_t mask[NI * NI];
    double x0 = 31.27, y0 = 30.61, F = 1234.5;
    long bx = ph_psffit_box_start(x0, 5), by = ph_psffit_box_start(y0, 5);
    ph_psffit_spline_box(&s, x0, y0, bx, by, 5, 5, box, work);
    double swpp = 0;
    for (int k = 0; k < NI * NI; k++)
        data[k] = 3.0f, var[k] = 2.0f + 0.01f * (k % NI);
    for (int r = 0; r < 5; r++)
        for (int i = 0; i < 5; i++) {
            long k = (by + r) * NI + bx + i;
            data[k] = (float)(3.0 + F * box[r * 5 + i]);
            swpp += box[r * 5 + i] * box[r * 5 + i] / var[k];
        }
    ph_fit_plane p = {data, var, mask, 6, NI, NI};
    ph_fit_opts o = {5, 15, 25, 1};
    ph_fit_result res;
    EXPECT(ph_psffit_batch(&p, &s, &o, 1, &x0, &y0, &res) == 0);
    EXPECT(res.status == PH_FIT_OK);
    EXPECT_NEAR(res.sky, 3.0, 1e-12);
    EXPECT(res.npix == 25);
    EXPECT_REL(res.flux, F, 2e-6); /* float32 data */
    EXPECT_REL(res.flux_err, 1 / sqrt(swpp), 1e-6);
    /* one masked pixel in the box: 24 used; with full_box it fails */
    mask[(by + 4) * NI + bx] = 2;
    o.full_box = 0;
    EXPECT(ph_psffit_batch(&p, &s, &o, 1, &x0, &y0, &res) == 0);
    EXPECT(res.status == PH_FIT_OK && res.npix == 24);
    EXPECT_REL(res.flux, F, 2e-6);
    o.full_box = 1;
    EXPECT(ph_psffit_batch(&p, &s, &o, 1, &x0, &y0, &res) == 0);
    EXPECT(res.status == PH_FIT_FEW_PIXELS && isnan(res.flux));
    /* the centre masked; off the image; no sky */
    mask[(long)31 * NI + 31] = 4;
    EXPECT(ph_psffit_batch(&p, &s, &o, 1, &x0, &y0, &res) == 0);
    EXPECT(res.status == PH_FIT_MASKED);
    double xo = -0.51, yo = 10;
    EXPECT(ph_psffit_batch(&p, &s, &o, 1, &xo, &yo, &res) == 0);
    EXPECT(res.status == PH_FIT_OFF_IMAGE);
    xo = 10, yo = NI - 0.5;
    EXPECT(ph_psffit_batch(&p, &s, &o, 1, &xo, &yo, &res) == 0);
    EXPECT(res.status == PH_FIT_OFF_IMAGE);
    o.r_in = 200, o.r_out = 300;
    xo = 20, yo = 20;
    EXPECT(ph_psffit_batch(&p, &s, &o, 1, &xo, &yo, &res) == 0);
    EXPECT(res.status == PH_FIT_NO_SKY);
    ph_psffit_spline_free(&s);
}

/* issue 8: 1000 point sources of known flux on noise, known PSF. */
TEST(injection_pulls_and_bias)
{
    const double sigma = 1.6, sky_var = 100.0;
    double psf[NP * NP];
    gauss_stamp(sigma, psf);
    ph_psf_spline s;
    EXPECT(ph_psffit_spline_init(&s, psf, NP) == 0);
    static float data[NI * NI], var[NI * NI], clean[NI * NI];
    ph_rng rng;
    ph_rng_seed(&rng, 8);
    enum { NS = 1000 };
    static double pull[NS], frac[NS], fracq[NS];
    int nhi = 0, n = 0;
    double bias_hi = 0, biasq_hi = 0;
    ph_fit_plane p = {data, var, NULL, 0, NI, NI};
    ph_fit_plane q = {clean, var, NULL, 0, NI, NI};
    ph_fit_opts o = {5, 15, 25, 0};
    for (int t = 0; t < NS; t++) {
        double x0 = 31.5 + ph_rng_uniform(&rng), y0 = 31.5 + ph_rng_uniform(&rng);
        double F = pow(10, 2.3 + 2.7 * ph_rng_uniform(&rng)); /* 200 ... 1e5 */
        for (int j = 0; j < NI; j++)
            for (int i = 0; i < NI; i++) {
                long k = j * NI + i;
                double m = F * gpix(sigma, x0, y0, i, j);
                var[k] = (float)(sky_var + m);
                clean[k] = (float)(5.0 + m);
                data[k] = (float)(5.0 + m + sqrt(sky_var + m) * ph_rng_gauss(&rng));
            }
        ph_fit_result r, rq;
        EXPECT(ph_psffit_batch(&p, &s, &o, 1, &x0, &y0, &r) == 0);
        EXPECT(ph_psffit_batch(&q, &s, &o, 1, &x0, &y0, &rq) == 0);
        if (r.status != PH_FIT_OK || rq.status != PH_FIT_OK)
            continue;
        pull[n] = (r.flux - F) / r.flux_err;
        frac[n] = r.flux / F - 1;
        fracq[n] = rq.flux / F - 1;
        if (F / r.flux_err > 50) {
            bias_hi += frac[n];
            biasq_hi += fracq[n];
            nhi++;
        }
        n++;
    }
    EXPECT(n == NS);
    double mean, std;
    ph_mean_std(pull, (size_t)n, &mean, &std);
    printf("# injection: %d sources, pull mean %.4f std %.4f; SNR > 50: %d, bias %.2e "
           "(noiseless %.2e)\n", n, mean, std, nhi, bias_hi / nhi, biasq_hi / nhi);
    EXPECT_NEAR(mean, 0, 0.05);
    EXPECT_NEAR(std, 1, 0.05);
    EXPECT(nhi > 200);
    EXPECT(fabs(bias_hi / nhi) < 1e-3);
    EXPECT(fabs(biasq_hi / nhi) < 1e-3);
    ph_psffit_spline_free(&s);
}

TEST(aperture_sum_of_a_flat_image)
{
    static float data[NI * NI], var[NI * NI];
    for (int k = 0; k < NI * NI; k++)
        data[k] = 7.0f, var[k] = 1;
    ph_fit_plane p = {data, var, NULL, 0, NI, NI};
    int bad;
    EXPECT_NEAR(ph_psffit_aperture_sum(&p, 20.3, 30.8, 3.0, 2.0, 0, &bad), 5.0 * M_PI * 9, 1e-9);
    EXPECT(bad == 0);
    EXPECT(isnan(ph_psffit_aperture_sum(&p, 1.0, 30.0, 3.0, 0.0, 0, &bad)));
    EXPECT(bad > 0);
    data[30 * NI + 20] = NAN;
    EXPECT(isnan(ph_psffit_aperture_sum(&p, 20.3, 30.8, 3.0, 2.0, 0, &bad)) && bad == 1);
}

int main(void)
{
    RUN(spline_reproduces_cubics);
    RUN(spline_box_is_tensor_product);
    RUN(spline_rejects_small_or_even);
    RUN(box_start_as_astropy);
    RUN(circle_overlap);
    RUN(fit_recovers_its_model_exactly);
    RUN(injection_pulls_and_bias);
    RUN(aperture_sum_of_a_flat_image);
    return check_done();
}
