/* test_sfft_elem.c -- the per-pixel arithmetic both SFFT engines share
 * (common/sci/sfft_elem.h; the GPU kernels call nothing else), each against an
 * independent computation: the P and E grid forms give the circular
 * correlation on the image torus (a brute-force sum over the torus), the
 * CSZ placement equals fft.c's ph_fft_kernel_csz, the spectrum products equal
 * C99 complex arithmetic bit for bit, the coordinate powers pow(), the sums
 * a long double sum, the background the polynomial written out. */
#include "check.h"
#include "sci/fft.h"
#include "base/rng.h"
#include "sci/sfft.h"
#include "sci/sfft_elem.h"

#include <complex.h>
#include <stdint.h>

static double ipow(double x, int n)
{
    double r = 1;
    while (n-- > 0)
        r *= x;
    return r;
}

TEST(grid_source_places_the_image_and_its_periodic_extension)
{
    long n = 10, m = 20;
    int ext = 3;
    for (long i = 0; i < m; i++) {
        /* the P form: the image, then zeros */
        EXPECT(ph_sfft_grid_source(i, n, m, -1) == (i < n ? i : -1));
        /* the E form: position i stands for image offset i (i < n + ext)
         * or i - m (the last ext positions), taken modulo n */
        long want = i < n + ext ? i % n : i >= m - ext ? ((i - m) % n + n) % n : -1;
        EXPECT(ph_sfft_grid_source(i, n, m, ext) == want);
    }
}

/* The P form of u (masked, times cx^i cy^j) and the E form of v on an
 * mx x my grid: their circular correlation on the grid at every lag |r| <=
 * R equals the correlation of the two fit images on the nx x ny torus --
 * the property the engines' fit rests on (sfft_cpu.c). The lag window is
 * then read with ph_sfft_window_px from a grid of a wider row stride. */
TEST(p_and_e_forms_correlate_as_the_torus)
{
    enum { NX = 9, NY = 7, R = 3, MX = NX + 2 * R + 1, MY = NY + 2 * R + 2, STRIDE = MX + 3 };
    ph_rng rng;
    ph_rng_seed(&rng, 11);
    double u[NX * NY], v[NX * NY], cx[2 * NX], cy[2 * NY];
    uint8_t mask[NX * NY];
    for (int i = 0; i < NX * NY; i++) {
        u[i] = ph_rng_gauss(&rng);
        v[i] = ph_rng_gauss(&rng);
        mask[i] = ph_rng_uniform(&rng) < 0.7;
    }
    for (int d = 0; d < 2; d++) {
        for (long x = 0; x < NX; x++)
            cx[d * NX + x] = ph_sfft_coord_pow(x, NX, d);
        for (long y = 0; y < NY; y++)
            cy[d * NY + y] = ph_sfft_coord_pow(y, NY, d);
    }
    /* u: masked, times cx (i = 1); v: unmasked, times cy (j = 1) */
    double P[MY * MX], E[MY * MX], corr[MY * STRIDE];
    for (long gy = 0; gy < MY; gy++)
        for (long gx = 0; gx < MX; gx++) {
            P[gy * MX + gx] = ph_sfft_fit_grid_px(u, mask, cx + NX, NULL, NY, NX, MY, MX, -1, gy, gx);
            E[gy * MX + gx] = ph_sfft_fit_grid_px(v, NULL, NULL, cy + NY, NY, NX, MY, MX, R, gy, gx);
        }
    memset(corr, 0, sizeof corr);
    for (long ry = 0; ry < MY; ry++)
        for (long rx = 0; rx < MX; rx++) {
            double s = 0;
            for (long gy = 0; gy < MY; gy++)
                for (long gx = 0; gx < MX; gx++)
                    s += P[gy * MX + gx] * E[((gy + ry) % MY) * MX + (gx + rx) % MX];
            corr[ry * STRIDE + rx] = s;
        }
    double win[(2 * R + 1) * (2 * R + 1)];
    for (long t = 0; t < (2 * R + 1) * (2 * R + 1); t++)
        win[t] = ph_sfft_window_px(corr, STRIDE, MY, MX, R, 0.5, t);
    for (int ry = -R; ry <= R; ry++)
        for (int rx = -R; rx <= R; rx++) {
            double s = 0;
            for (long y = 0; y < NY; y++)
                for (long x = 0; x < NX; x++) {
                    long xs = ((x + rx) % NX + NX) % NX, ys = ((y + ry) % NY + NY) % NY;
                    double uu = mask[y * NX + x] ? u[y * NX + x] * (x + 1.0) / NX : 0;
                    s += uu * v[ys * NX + xs] * (ys + 1.0) / NY;
                }
            EXPECT_NEAR(win[(ry + R) * (2 * R + 1) + rx + R], 0.5 * s, 1e-12);
        }
}

TEST(fit_pixel_and_row_sums)
{
    enum { NX = 13, NY = 4 };
    ph_rng rng;
    ph_rng_seed(&rng, 3);
    double src[NX * NY], cx[NX], cy[NY];
    uint8_t mask[NX * NY];
    for (int i = 0; i < NX * NY; i++) {
        src[i] = 100 * ph_rng_gauss(&rng);
        mask[i] = ph_rng_uniform(&rng) < 0.6;
    }
    for (int x = 0; x < NX; x++)
        cx[x] = ph_rng_uniform(&rng);
    for (int y = 0; y < NY; y++)
        cy[y] = ph_rng_uniform(&rng);
    for (long y = 0; y < NY; y++) {
        long double ref = 0, ref1 = 0;
        for (long x = 0; x < NX; x++) {
            double want = mask[y * NX + x] ? src[y * NX + x] * cy[y] * cx[x] : 0;
            EXPECT_NEAR(ph_sfft_fit_px(src, mask, cx, cy[y], NX, y, x), want, 1e-12 * fabs(want));
            /* no source: the polynomial alone; no mask: every pixel */
            EXPECT(ph_sfft_fit_px(NULL, NULL, NULL, 2.0, NX, y, x) == 2.0);
            EXPECT(ph_sfft_fit_px(src, NULL, NULL, 1.0, NX, y, -1) == 0.0);
            EXPECT(ph_sfft_fit_px(src, NULL, NULL, 1.0, NX, -1, x) == 0.0);
            if (mask[y * NX + x])
                ref += (long double)src[y * NX + x] * cx[x];
            ref1 += cx[x];
        }
        EXPECT_NEAR(ph_sfft_fit_row_sum(src, mask, cx, cy, NX, y), (double)(ref * cy[y]), 1e-10);
        EXPECT_NEAR(ph_sfft_fit_row_sum(NULL, NULL, cx, NULL, NX, y), (double)ref1, 1e-12);
    }
}

TEST(coordinate_powers_are_sfft_coordinates)
{
    long n = 4088;
    for (long x = 0; x < n; x += 97)
        for (int d = 0; d <= 5; d++) {
            double c = (x + 1) / (double)n;
            EXPECT_NEAR(ph_sfft_coord_pow(x, n, d), pow(c, d), 4e-16 * d);
        }
    EXPECT(ph_sfft_coord_pow(4087, 4088, 3) == 1.0);
    EXPECT(ph_sfft_coord_pow(17, 4088, 0) == 1.0);
    EXPECT(ph_sfft_coord_pow(17, 4088, 1) == 18 / 4088.0);
}

TEST(padding_and_cropping)
{
    double img[6] = {1, 2, 3, 4, 5, 6}; /* 3 wide, 2 high */
    long stride = 5;
    double grid[4 * 5];
    for (long y = 0; y < 4; y++)
        for (long x = 0; x < stride; x++)
            grid[y * stride + x] = ph_sfft_pad_px(img, 3, 2, x, y);
    for (long y = 0; y < 4; y++)
        for (long x = 0; x < stride; x++)
            EXPECT(grid[y * stride + x] == (y < 2 && x < 3 ? img[y * 3 + x] : 0));
    for (long t = 0; t < 6; t++)
        EXPECT(ph_sfft_crop_px(grid, stride, t / 3, t % 3) == img[t]);
}

/* The CSZ placement (centre at [0][0], wrapped) equals fft.c's
 * ph_fft_kernel_csz, on a grid of any row stride. */
TEST(csz_placement_equals_ph_kernel_csz)
{
    enum { L = 7, MY = 12, MX = 10, STRIDE = 2 * (MX / 2 + 1) };
    double k[L * L], ref[MY * MX], grid[MY * STRIDE];
    for (int t = 0; t < L * L; t++)
        k[t] = t + 1;
    EXPECT(ph_fft_kernel_csz(k, L, L, MX, MY, ref) == 0);
    memset(grid, 0, sizeof grid);
    for (long t = 0; t < L * L; t++)
        grid[ph_sfft_csz_offset(t, L, MY, MX, STRIDE)] += k[t];
    for (long y = 0; y < MY; y++)
        for (long x = 0; x < STRIDE; x++)
            EXPECT(grid[y * STRIDE + x] == (x < MX ? ref[y * MX + x] : 0));
}

/* The products are C99 complex arithmetic, bit for bit. */
TEST(products_are_complex_arithmetic)
{
    ph_rng rng;
    ph_rng_seed(&rng, 5);
    for (int i = 0; i < 1000; i++) {
        double complex a = ph_rng_gauss(&rng) * 1e3 + I * ph_rng_gauss(&rng),
                       b = ph_rng_gauss(&rng) + I * ph_rng_gauss(&rng) * 1e-3,
                       o = ph_rng_gauss(&rng) + I * ph_rng_gauss(&rng);
        double s = ph_rng_uniform(&rng);
        ph_sfft_z za = {creal(a), cimag(a)}, zb = {creal(b), cimag(b)}, zo = {creal(o), cimag(o)};
        double complex c0 = conj(a) * b, c1 = a * b * s, c2 = o + a * b * s;
        ph_sfft_z r0 = ph_sfft_prod(za, zb, PH_SFFT_CONJ, 1.0, zo);
        ph_sfft_z r1 = ph_sfft_prod(za, zb, PH_SFFT_MUL, s, zo);
        ph_sfft_z r2 = ph_sfft_prod(za, zb, PH_SFFT_ADD, s, zo);
        EXPECT(r0.re == creal(c0) && r0.im == cimag(c0));
        EXPECT(r1.re == creal(c1) && r1.im == cimag(c1));
        EXPECT(r2.re == creal(c2) && r2.im == cimag(c2));
    }
}

TEST(window_reads_wrapped_lags)
{
    enum { MY = 9, MX = 8, STRIDE = 10, R = 2 };
    double r[MY * STRIDE];
    for (int y = 0; y < MY; y++)
        for (int x = 0; x < STRIDE; x++)
            r[y * STRIDE + x] = x < MX ? 100 * y + x : NAN;
    for (int ry = -R; ry <= R; ry++)
        for (int rx = -R; rx <= R; rx++) {
            int y = ry < 0 ? MY + ry : ry, x = rx < 0 ? MX + rx : rx;
            EXPECT(ph_sfft_window_px(r, STRIDE, MY, MX, R, 2.0,
                                     (ry + R) * (2 * R + 1) + rx + R) == 2.0 * (100 * y + x));
        }
}

TEST(background_and_difference_pixels)
{
    enum { NX = 11, NY = 6, DB = 2, STRIDE = 14 };
    double powx[(DB + 1) * NX], powy[(DB + 1) * NY], bg[6] = {0.5, -1, 2, 0.25, 3, -0.75};
    for (int d = 0; d <= DB; d++) {
        for (long x = 0; x < NX; x++)
            powx[d * NX + x] = ph_sfft_coord_pow(x, NX, d);
        for (long y = 0; y < NY; y++)
            powy[d * NY + y] = ph_sfft_coord_pow(y, NY, d);
    }
    double J[NX * NY], model[NY * STRIDE];
    for (int i = 0; i < NX * NY; i++)
        J[i] = i * 0.37;
    for (int i = 0; i < NY * STRIDE; i++)
        model[i] = 1000.0 - i;
    for (long y = 0; y < NY; y++)
        for (long x = 0; x < NX; x++) {
            /* SFFT's term order (sfft.h): p outer, q inner */
            double want = 0;
            for (int q = 0; q < 6; q++) {
                int p, qq;
                ph_sfft_term_powers(DB, q, &p, &qq);
                want += bg[q] * ipow((x + 1.0) / NX, p) * ipow((y + 1.0) / NY, qq);
            }
            double b = ph_sfft_background_px(bg, DB, powx, powy, NX, NY, x, y);
            EXPECT_NEAR(b, want, 1e-14);
            EXPECT_NEAR(ph_sfft_diff_px(J, model, STRIDE, 1e-3, b, NX, x, y),
                        J[y * NX + x] - model[y * STRIDE + x] * 1e-3 - want, 1e-13);
        }
}

int main(void)
{
    RUN(grid_source_places_the_image_and_its_periodic_extension);
    RUN(p_and_e_forms_correlate_as_the_torus);
    RUN(fit_pixel_and_row_sums);
    RUN(coordinate_powers_are_sfft_coordinates);
    RUN(padding_and_cropping);
    RUN(csz_placement_equals_ph_kernel_csz);
    RUN(products_are_complex_arithmetic);
    RUN(window_reads_wrapped_lags);
    RUN(background_and_difference_pixels);
    return check_done();
}
