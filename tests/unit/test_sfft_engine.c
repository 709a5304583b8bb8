/* test_sfft_engine.c -- the CPU engine's memory plan (common/sci/sfft_cpu.c):
 * transforms made when a correlation first needs them and released after
 * the last one ('keep'), the difference handed over in the engine's own
 * buffer, and at most two transform buffers for kernel order 0. Checked
 * against a brute-force correlation on the image torus, the caller-buffer
 * difference, and the size of a transform buffer. test_sfft.c checks the
 * fit itself against a brute-force least squares. */
#include "check.h"
#include "sci/fft.h"
#include "base/log.h"
#include "base/rng.h"
#include "sci/sfft.h"

#include <stdint.h>

enum { NX = 45, NY = 38 };

static void scene(uint64_t seed, double *Im, double *Jm, uint8_t *fit)
{
    ph_rng r;
    ph_rng_seed(&r, seed);
    for (long i = 0; i < NX * NY; i++) {
        Im[i] = 10 * ph_rng_gauss(&r) + (i % 31 == 0) * 500;
        Jm[i] = 0.9 * Im[i] + ph_rng_gauss(&r);
        fit[i] = ph_rng_uniform(&r) < 0.6;
    }
}

/* sum_x u(x) v(x + r) on the torus, u = masked I, v = masked J. */
static double torus_corr(const double *Im, const double *Jm, const uint8_t *fit, int rx, int ry)
{
    double s = 0;
    for (long y = 0; y < NY; y++)
        for (long x = 0; x < NX; x++) {
            long xs = ((x + rx) % NX + NX) % NX, ys = ((y + ry) % NY + NY) % NY;
            if (fit[y * NX + x] && fit[ys * NX + xs])
                s += Im[y * NX + x] * Jm[ys * NX + xs];
        }
    return s;
}

/* A window asked again after its image's transform was released (keep 0)
 * is made again: the same values, the torus correlation. */
TEST(released_transforms_are_made_again)
{
    double Im[NX * NY], Jm[NX * NY], w1[81], w2[81], w3[81];
    uint8_t fit[NX * NY];
    scene(1, Im, Jm, fit);
    ph_sfft_engine *e = ph_sfft_cpu_engine_new(NX, NY, 2);
    EXPECT(e && e->load(e, PH_SFFT_I, Im) == 0 && e->load(e, PH_SFFT_J, Jm) == 0);
    EXPECT(e->fit_spectra(e, fit, 2, 0, 0) == 0);
    EXPECT(e->corr_window(e, 0, 1, 4, w1, 0) == 0); /* Jm's transform released */
    EXPECT(e->corr_window(e, 0, 1, 4, w2, 1) == 0); /* made again, kept */
    EXPECT(e->corr_window(e, 0, 1, 4, w3, 0) == 0);
    for (int t = 0; t < 81; t++) {
        EXPECT(w1[t] == w2[t] && w2[t] == w3[t]);
        double want = torus_corr(Im, Jm, fit, t % 9 - 4, t / 9 - 4);
        EXPECT_NEAR(w1[t], want, 1e-9 * (1 + fabs(want)));
    }
    e->fit_done(e);
    ph_sfft_engine_free(e);
}

/* ph_sfft_difference_new hands over the buffer it computed in: the same
 * values as ph_sfft_difference into the caller's array, for an order-0
 * kernel (no accumulator) and an order-2 one with a background. */
TEST(difference_in_its_own_buffer_equals_the_callers)
{
    int cases[2][3] = {{0, 0, 3}, {2, 1, 2}};
    for (int c = 0; c < 2; c++) {
        double Im[NX * NY], Jm[NX * NY], D[NX * NY], *Dn = NULL;
        uint8_t fit[NX * NY];
        scene(2 + c, Im, Jm, fit);
        ph_sfft_params p = {cases[c][2], cases[c][0], cases[c][1], 1};
        ph_sfft_engine *e = ph_sfft_cpu_engine_new(NX, NY, 2);
        e->load(e, PH_SFFT_I, Im);
        e->load(e, PH_SFFT_J, Jm);
        ph_sfft_solution s;
        EXPECT(ph_sfft_fit(e, fit, &p, 1e-18, &s) == 0);
        EXPECT(ph_sfft_difference(e, &s, D) == 0);
        EXPECT(ph_sfft_difference_new(e, &s, &Dn) == 0 && Dn);
        int same = 1;
        for (long i = 0; Dn && i < NX * NY; i++)
            same &= D[i] == Dn[i];
        EXPECT(same);
        /* the engine goes on with a new buffer */
        double *D2 = NULL;
        EXPECT(ph_sfft_difference_new(e, &s, &D2) == 0 && D2 && D2 != Dn);
        EXPECT(D2 && Dn && D2[7] == Dn[7]);
        ph_sfft_free_big(D2);
        ph_sfft_free_big(Dn);
        ph_sfft_solution_free(&s);
        ph_sfft_engine_free(e);
    }
}

/* Kernel order 0, background order 0 (ph-subtract's psf method): the
 * cross-convolution, the fit and the difference each hold at most two
 * transform buffers. */
TEST(order_zero_needs_two_transform_buffers)
{
    double Im[NX * NY], Jm[NX * NY], k[25], *D = NULL;
    uint8_t fit[NX * NY];
    scene(4, Im, Jm, fit);
    for (int t = 0; t < 25; t++)
        k[t] = t == 12 ? 0.6 : 0.0167;
    ph_sfft_params p = {3, 0, 0, 1};
    ph_sfft_engine *e = ph_sfft_cpu_engine_new(NX, NY, 2);
    EXPECT(e->crossconv(e, PH_SFFT_J, Jm, k, 5, Jm) == 0);
    EXPECT(e->crossconv(e, PH_SFFT_I, Im, k, 5, Im) == 0);
    ph_sfft_solution s;
    EXPECT(ph_sfft_fit(e, fit, &p, 1e-18, &s) == 0);
    EXPECT(ph_sfft_difference_new(e, &s, &D) == 0);
    /* the fit's grid is the larger: (n + 4w) made fast */
    long my = ph_sfft_fast_size(NY + 4 * 3), mx = ph_sfft_fast_size(NX + 4 * 3);
    double block = (double)my * ph_fft2_stride(mx) * sizeof(double);
    EXPECT(e->peak_bytes > 0 && e->peak_bytes <= 2 * block);
    ph_sfft_free_big(D);
    ph_sfft_solution_free(&s);
    ph_sfft_engine_free(e);
}

int main(void)
{
    ph_verbosity = 0;
    RUN(released_transforms_are_made_again);
    RUN(difference_in_its_own_buffer_equals_the_callers);
    RUN(order_zero_needs_two_transform_buffers);
    return check_done();
}
