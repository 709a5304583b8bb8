/* test_psffit_elem.c -- the per-pixel arithmetic of the forced PSF fit
 * that the CPU and the GPU batch share (common/sci/psffit_elem.h), each against
 * an independent computation: usable pixels and the position checks by
 * their definitions, the annulus against a scan of the whole image, the
 * spline weights against cubic polynomials (reproduced exactly by a
 * not-a-knot spline) and the stamp samples, the shifted stamp built from
 * ph_psffit_spline_column and ph_psffit_spline_dot against a separable cubic, the fit
 * sums against an injected model, and the GPU's MMM on sorted values
 * against stats.c's ph_mmm_background (quickselect, another order). */
#include "check.h"
#include "sci/psffit.h"
#include "sci/psffit_elem.h"
#include "spline_case.h"
#include "base/rng.h"
#include "sci/stats.h"

#include <stdint.h>
#include <stdlib.h>

TEST(usable_pixels_and_positions)
{
    float data[6] = {1, NAN, 3, 4, INFINITY, 6}, var[6] = {1, 1, 0, -1, 1, INFINITY};
    uint8_t mask[6] = {0, 0, 0, 0, 0, 0};
    ph_fit_plane p = {data, var, mask, 2, 3, 2};
    int want[6] = {1, 0, 0, 0, 0, 0};
    for (int i = 0; i < 6; i++)
        EXPECT(ph_psffit_usable(&p, i) == want[i]);
    mask[0] = 4;
    EXPECT(ph_psffit_usable(&p, 0) == 1); /* bit not flagged */
    mask[0] = 6;
    EXPECT(ph_psffit_usable(&p, 0) == 0);
    p.mask = NULL;
    EXPECT(ph_psffit_usable(&p, 0) == 1);
    /* pixel i spans [i - 0.5, i + 0.5) */
    EXPECT(ph_psffit_on_image(&p, -0.5, -0.5) && !ph_psffit_on_image(&p, -0.5001, 0));
    EXPECT(ph_psffit_on_image(&p, 2.4999, 1.4999) && !ph_psffit_on_image(&p, 2.5, 0));
    EXPECT(!ph_psffit_on_image(&p, 0, 1.5) && !ph_psffit_on_image(&p, NAN, 0));
    EXPECT(ph_psffit_centre_index(&p, 1.49, 0.5) == 1 * 3 + 1);
    EXPECT(ph_psffit_centre_index(&p, 1.5, 0.49) == 0 * 3 + 2);
    /* astropy's overlap_slices: first = ceil(x0 - box / 2) */
    EXPECT(ph_psffit_box_first(10.0, 5) == 8 && ph_psffit_box_first(10.5, 5) == 8);
    EXPECT(ph_psffit_box_first(10.51, 5) == 9 && ph_psffit_box_first(-3.2, 5) == -5);
}

/* The bounds hold every pixel of the annulus: a scan of the whole image
 * finds the same pixels. */
TEST(annulus_bounds_hold_the_annulus)
{
    float data[1] = {0};
    ph_fit_plane p = {data, data, NULL, 0, 60, 45};
    double pos[4][2] = {{30.2, 20.7}, {3.1, 2.9}, {58.6, 44.4}, {-4.0, 50.0}};
    for (int c = 0; c < 4; c++) {
        double x0 = pos[c][0], y0 = pos[c][1], r_in = 5.5, r_out = 12.25;
        long xa, xb, ya, yb, in_box = 0, all = 0;
        ph_psffit_annulus_bounds(&p, x0, y0, r_out, &xa, &xb, &ya, &yb);
        EXPECT(xa >= 0 && ya >= 0 && xb <= 59 && yb <= 44);
        for (long y = ya; y <= yb; y++)
            for (long x = xa; x <= xb; x++)
                in_box += ph_psffit_in_annulus(x, y, x0, y0, r_in, r_out);
        for (long y = 0; y < 45; y++)
            for (long x = 0; x < 60; x++) {
                double d = hypot(x - x0, y - y0);
                all += d >= r_in && d < r_out;
            }
        EXPECT(in_box == all);
        EXPECT(c == 3 || all > 0);
    }
}

/* A not-a-knot cubic spline reproduces cubics exactly; at a knot its
 * weights are the unit vector; outside [0, n-1] it is not evaluated. */
TEST(spline_weights_reproduce_cubics)
{
    enum { N = 9 };
    double psf[N * N], y[N];
    ph_psf_spline s;
    EXPECT(spline_case(&s, psf, y, N) == 0);
    for (double u = 0; u <= N - 1; u += 0.0731) {
        ph_spline_pos at = ph_psffit_spline_locate(N, u);
        EXPECT(at.in && at.j >= 0 && at.j <= N - 2);
        double v = 0, sum = 0;
        for (int k = 0; k < N; k++) {
            double w = ph_psffit_spline_weight(s.C, N, &at, k);
            v += w * y[k];
            sum += w;
        }
        EXPECT_NEAR(v, cubic(u), 1e-12);
        EXPECT_NEAR(sum, 1, 1e-12);
    }
    for (int j = 0; j < N; j++) {
        ph_spline_pos at = ph_psffit_spline_locate(N, j);
        for (int k = 0; k < N; k++)
            EXPECT_NEAR(ph_psffit_spline_weight(s.C, N, &at, k), k == j, 1e-12);
    }
    EXPECT(!ph_psffit_spline_locate(N, -1e-9).in && !ph_psffit_spline_locate(N, N - 1 + 1e-9).in);
    EXPECT(!ph_psffit_spline_locate(N, NAN).in);
    ph_psffit_spline_free(&s);
}

/* The shifted stamp from the shared pieces: weights along y and x, the
 * columns of each row, one dot product per pixel, on a separable cubic
 * stamp whose shifted value is known. */
TEST(shifted_stamp_from_columns_and_dots)
{
    enum { N = 11, B = 5 };
    double psf[N * N];
    for (int j = 0; j < N; j++)
        for (int i = 0; i < N; i++)
            psf[j * N + i] = cubic(i) * (1 + 0.2 * j - 0.01 * j * j);
    ph_psf_spline s;
    EXPECT(ph_psffit_spline_init(&s, psf, N) == 0);
    double x0 = 20.37, y0 = 7.81, c = 5, wy[N], wx[B][N], T[N];
    long bx = ph_psffit_box_first(x0, B), by = ph_psffit_box_first(y0, B);
    for (int i = 0; i < B; i++) {
        ph_spline_pos ax = ph_psffit_spline_locate(N, (bx + i) - x0 + c);
        for (int k = 0; k < N; k++)
            wx[i][k] = ph_psffit_spline_weight(s.C, N, &ax, k);
    }
    for (int r = 0; r < B; r++) {
        ph_spline_pos ay = ph_psffit_spline_locate(N, (by + r) - y0 + c);
        for (int k = 0; k < N; k++)
            wy[k] = ph_psffit_spline_weight(s.C, N, &ay, k);
        for (int j = 0; j < N; j++)
            T[j] = ph_psffit_spline_column(wy, psf, N, j);
        for (int i = 0; i < B; i++) {
            double u = bx + i - x0 + c, v = by + r - y0 + c;
            EXPECT_NEAR(ph_psffit_spline_dot(T, wx[i], N), cubic(u) * (1 + 0.2 * v - 0.01 * v * v),
                        1e-12);
        }
    }
    ph_psffit_spline_free(&s);
}

/* data = F model + sky exactly: the fit gives F and the weighted-least-
 * squares error; unusable and off-image pixels are skipped; too few
 * pixels and a zero model are reported. */
TEST(fit_sums_and_solution)
{
    enum { NX = 8, NY = 7, B = 5 };
    float data[NX * NY], var[NX * NY];
    double model[B * B], F = 1234.5, sky = 3.25;
    for (int i = 0; i < B * B; i++)
        model[i] = 0.01 + 0.02 * (i % 7) + 0.001 * i;
    long bx = 4, by = 3; /* the box's last column is off the image */
    for (int i = 0; i < NX * NY; i++) {
        data[i] = NAN;
        var[i] = 2 + i % 3;
    }
    double spp = 0;
    int n = 0;
    for (long j = by; j < by + B; j++)
        for (long i = bx; i < bx + B; i++) {
            if (i >= NX || j >= NY)
                continue;
            double P = model[(j - by) * B + (i - bx)];
            data[j * NX + i] = (float)(F * P + sky);
            if (i == 5 && j == 4)
                var[j * NX + i] = 0; /* unusable */
            else {
                spp += P * P / var[j * NX + i];
                n++;
            }
        }
    ph_fit_plane p = {data, var, NULL, 0, NX, NY};
    double swpp, swdp, flux = NAN, err = NAN;
    int npix = ph_psffit_sums(&p, model, bx, by, B, sky, &swpp, &swdp);
    EXPECT(npix == n && npix == 4 * 4 - 1);
    EXPECT_NEAR(swpp, spp, 1e-12 * spp);
    EXPECT(ph_psffit_solve(npix, B, 0, swpp, swdp, &flux, &err) == PH_FIT_OK);
    EXPECT_NEAR(flux, F, 1e-4); /* the data are floats */
    EXPECT_NEAR(err, 1 / sqrt(spp), 1e-12);
    EXPECT(ph_psffit_solve(npix, B, 1, swpp, swdp, &flux, &err) == PH_FIT_FEW_PIXELS);
    EXPECT(ph_psffit_solve(12, B, 0, swpp, swdp, &flux, &err) == PH_FIT_FEW_PIXELS);
    EXPECT(ph_psffit_solve(13, B, 0, 0.0, 0.0, &flux, &err) == PH_FIT_NO_PSF);
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The GPU's sky (MMM on sorted values, the clip moving the run's ends)
 * against ph_mmm_background (quickselect and compaction); the median and
 * the mean/std of a run against stats.c. */
TEST(mmm_on_sorted_values_equals_ph_mmm_background)
{
    ph_rng rng;
    ph_rng_seed(&rng, 17);
    double a[700], b[700];
    for (int c = 0; c < 40; c++) {
        int m = 10 + (int)(ph_rng_uniform(&rng) * 690);
        for (int i = 0; i < m; i++) {
            a[i] = 5 + 2 * ph_rng_gauss(&rng);
            if (ph_rng_uniform(&rng) < 0.1) /* stars in the annulus */
                a[i] += 50 * ph_rng_uniform(&rng) * (1 + c % 3);
        }
        double ref = ph_mmm_background(a, (size_t)m), mu, sd, mu2, sd2;
        memcpy(b, a, (size_t)m * sizeof *a);
        qsort(b, (size_t)m, sizeof *b, cmp);
        EXPECT_NEAR(ph_psffit_mmm_sorted(b, m), ref, 1e-12 * (1 + fabs(ref)));
        EXPECT(ph_psffit_median_sorted(b, 0, m) == ph_median(a, (size_t)m));
        ph_psffit_mean_std_run(b, 0, m, &mu, &sd);
        ph_mean_std(a, (size_t)m, &mu2, &sd2);
        EXPECT_NEAR(mu, mu2, 1e-12 * (1 + fabs(mu2)));
        EXPECT_NEAR(sd, sd2, 1e-12 * sd2);
    }
    /* no values: no sky; equal values: their value (sd 0 keeps them all) */
    EXPECT(isnan(ph_psffit_mmm_sorted(b, 0)));
    double same[12];
    for (int i = 0; i < 12; i++)
        same[i] = 2.5;
    EXPECT(ph_psffit_mmm_sorted(same, 12) == 2.5);
}

int main(void)
{
    RUN(usable_pixels_and_positions);
    RUN(annulus_bounds_hold_the_annulus);
    RUN(spline_weights_reproduce_cubics);
    RUN(shifted_stamp_from_columns_and_dots);
    RUN(fit_sums_and_solution);
    RUN(mmm_on_sorted_values_equals_ph_mmm_background);
    return check_done();
}
