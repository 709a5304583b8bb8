/* test_decorr_dims.c -- the dimension order of decorr.h's and ph-decorr's
 * pair.h's array functions: each runs on 6x10 and 10x6 grids with kernels
 * wider than high, against a naive DFT or a direct sum, so a call with nx
 * and ny (or a kernel's knx and kny) swapped fails.
 *
 * The noise model is one J term whose kernel is the 3 x 1 row [0.2 0.6
 * 0.2]: its transfer K(kx) = 0.6 + 0.4 cos(2 pi kx / nx) depends on kx
 * only and never vanishes, so the filter is D = 1 / K(kx) exactly. */
#include "check.h"
#include "sci/decorr.h"
#include "dims.h"
#include "pair.h"

static const double row3[3] = {0.2, 0.6, 0.2};

static double dfilter(long kx, long nx) { return 1.0 / (0.6 + 0.4 * cos(2 * M_PI * kx / nx)); }

static ph_decorr *new_filtered(long nx, long ny)
{
    ph_decorr *d = ph_decorr_new(nx, ny);
    if (!d)
        return NULL;
    ph_decorr_term t = {.kernel = row3, .knx = 3, .kny = 1, .sigma = 2.0};
    ph_decorr_model m = {.j = &t, .nj = 1};
    if (ph_decorr_set_model(d, &m, 1)) {
        ph_decorr_free(d);
        return NULL;
    }
    return d;
}

/* The filtered decorrelator on grid shape s of dims.h (*nx, *ny set). */
static ph_decorr *shape_decorr(int s, long *nx, long *ny)
{
    *nx = dims_shape[s][0];
    *ny = dims_shape[s][1];
    ph_decorr *d = new_filtered(*nx, *ny);
    EXPECT(d != NULL);
    return d;
}

/* out = Re F^-1[F(in) D^p G] with G = F(CSZ(k)) (conjugated when conj) or
 * 1 when k is NULL: the reference every operation is checked against. */
static void reference(const double *in, long nx, long ny, int p, const double *k, long knx,
                      long kny, int conjk, double *out)
{
    long n = nx * ny;
    double _Complex *f = malloc(n * sizeof *f), *g = malloc(n * sizeof *g);
    double *c = malloc(n * sizeof *c);
    dims_dft_real(in, nx, ny, f);
    if (k) {
        dims_csz(k, knx, kny, nx, ny, c);
        dims_dft_real(c, nx, ny, g);
    }
    for (long ky = 0; ky < ny; ky++)
        for (long kx = 0; kx < nx; kx++) {
            long i = ky * nx + kx;
            f[i] *= pow(dfilter(kx, nx), p);
            if (k)
                f[i] *= conjk ? conj(g[i]) : g[i];
        }
    dims_idft_real(f, nx, ny, out);
    free(f);
    free(g);
    free(c);
}

TEST(decorr_filter_and_kernel_nonsquare)
{
    for (int s = 0; s < 2; s++) {
        long nx, ny;
        ph_decorr *d = shape_decorr(s, &nx, &ny);
        if (!d)
            return;
        long h = nx / 2 + 1, n = nx * ny;
        EXPECT(d->nx == nx && d->ny == ny && d->nc == ny * h);
        double err = 0;
        for (long ky = 0; ky < ny; ky++)
            for (long kx = 0; kx < h; kx++)
                err = fmax(err, fabs(d->filter[ky * h + kx] - dfilter(kx, nx)));
        EXPECT_NEAR(err, 0, 1e-12);
        /* F^-1[D] cropped to 5 wide x 3 high */
        double *delta = calloc(n, sizeof *delta), *full = malloc(n * sizeof *full), k[15], kref[15];
        delta[0] = 1;
        reference(delta, nx, ny, 1, NULL, 0, 0, 0, full);
        dims_icsz(full, nx, ny, 5, 3, kref);
        EXPECT(ph_decorr_kernel(d, 5, 3, k, NULL, NULL) == 0);
        EXPECT_NEAR(dims_maxdiff(k, kref, 15), 0, 1e-12);
        free(delta);
        free(full);
        ph_decorr_free(d);
    }
}

TEST(decorr_apply_stamp_matched_nonsquare)
{
    for (int s = 0; s < 2; s++) {
        long nx, ny;
        ph_decorr *d = shape_decorr(s, &nx, &ny);
        if (!d)
            return;
        long n = nx * ny;
        double *img = malloc(n * sizeof *img), *ref = malloc(n * sizeof *ref),
               *out = malloc(n * sizeof *out), k[15], st[9], sout[25], sref[25];
        dims_fill(img, n, 21 + s);
        dims_fill(k, 15, 23 + s);
        dims_fill(st, 9, 25 + s);
        ph_decorr_image(d, img, out);
        reference(img, nx, ny, 1, NULL, 0, 0, 0, ref);
        EXPECT_NEAR(dims_maxdiff(out, ref, n), 0, 1e-12);
        /* a 3x3 stamp decorrelated, cropped to 5x5 */
        double *delta = calloc(n, sizeof *delta);
        delta[0] = 1;
        reference(delta, nx, ny, 1, st, 3, 3, 0, ref);
        dims_icsz(ref, nx, ny, 5, 5, sref);
        EXPECT(ph_decorr_stamp(d, st, 3, 5, sout, NULL) == 0);
        EXPECT_NEAR(dims_maxdiff(sout, sref, 25), 0, 1e-12);
        /* matched filter with a 5 wide x 3 high kernel */
        memcpy(ph_decorr_plane(d), img, n * sizeof *img);
        EXPECT(ph_decorr_matched_filter(d, k, 5, 3) == 0);
        reference(img, nx, ny, 2, k, 5, 3, 1, ref);
        EXPECT_NEAR(dims_maxdiff(ph_decorr_plane(d), ref, n), 0, 1e-12);
        free(delta);
        free(img);
        free(ref);
        free(out);
        ph_decorr_free(d);
    }
}

TEST(decorr_variance_nonsquare)
{
    for (int s = 0; s < 2; s++) {
        long nx, ny;
        ph_decorr *d = shape_decorr(s, &nx, &ny);
        if (!d)
            return;
        long n = nx * ny;
        /* k: 3 wide x 1 high, k2: 1 wide x 3 high; k (*) k2 is 3 x 3 */
        double var[60], k[3] = {0.1, 0.7, 0.2}, k2[3] = {0.3, 0.5, 0.2}, kk[9], h[60], h2[60],
                                                                    ref[60];
        float acc[60] = {0};
        for (long i = 0; i < n; i++)
            var[i] = 1.0 + 0.1 * (double)((i * 7) % 11);
        ph_decorr_convolve_full(k, 3, 1, k2, 1, 3, kk);
        double *delta = calloc(n, sizeof *delta);
        delta[0] = 1;
        reference(delta, nx, ny, 1, kk, 3, 3, 0, h);
        for (long i = 0; i < n; i++)
            h2[i] = h[i] * h[i];
        /* circular var (*) h2 with h2 a full-frame kernel centred at [0][0] */
        for (long y = 0; y < ny; y++)
            for (long x = 0; x < nx; x++) {
                double a = 0;
                for (long j = 0; j < ny; j++)
                    for (long i = 0; i < nx; i++)
                        a += h2[j * nx + i] * var[dims_wrap(y - j, ny) * nx + dims_wrap(x - i, nx)];
                ref[y * nx + x] = 2.0 * a;
            }
        memcpy(ph_decorr_plane(d), var, n * sizeof *var);
        EXPECT(ph_decorr_variance_add(d, k, 3, 1, k2, 1, 3, 2.0, acc) == 0);
        double err = 0;
        for (long i = 0; i < n; i++)
            err = fmax(err, fabs(acc[i] - ref[i]) / ref[i]);
        EXPECT_NEAR(err, 0, 1e-6);
        free(delta);
        ph_decorr_free(d);
    }
}

TEST(decorr_convolve_full_and_extend_nonsquare)
{
    /* a: 5 wide x 3 high, b: 3 wide x 1 high -> 7 wide x 3 high */
    double a[15], out[21], ref[21] = {0};
    dims_fill(a, 15, 31);
    ph_decorr_convolve_full(a, 5, 3, row3, 3, 1, out);
    for (long y = 0; y < 3; y++)
        for (long x = 0; x < 5; x++)
            for (long i = 0; i < 3; i++)
                ref[y * 7 + x + i] += a[y * 5 + x] * row3[i];
    EXPECT_NEAR(dims_maxdiff(out, ref, 21), 0, 1e-15);
    for (int s = 0; s < 2; s++) {
        long nx = dims_shape[s][0], ny = dims_shape[s][1], n = nx * ny;
        double img[60], k[15], o[60], r[60];
        dims_fill(img, n, 33 + s);
        dims_fill(k, 15, 35 + s);
        ph_decorr_convolve_extend(img, nx, ny, k, 5, 3, o);
        dims_convolve(img, nx, ny, k, 5, 3, 2, r);
        EXPECT_NEAR(dims_maxdiff(o, r, n), 0, 1e-12);
    }
}

TEST(decorr_truncated_kernel_nonsquare)
{
    /* One kernel 5 wide x 3 high: sizes round(2 * 5) -> 11 wide and
     * round(2 * 3) -> 7 high, on a 16 x 8 grid. */
    double k5x3[15] = {0, 0.05, 0.1, 0.05, 0, 0.05, 0.1, 0.3, 0.1, 0.05, 0, 0.05, 0.1, 0.05, 0};
    ph_decorr_term t = {.kernel = k5x3, .knx = 5, .kny = 3, .sigma = 1.0};
    ph_decorr_model m = {.j = &t, .nj = 1};
    long knx = 0, kny = 0;
    double *k = NULL;
    EXPECT(ph_decorr_truncated_kernel(&m, 2.0, &knx, &kny, &k, NULL) == 0);
    EXPECT(knx == 11 && kny == 7);
    free(k);
}

TEST(pair_new_nonsquare)
{
    double psf[9] = {0, 0.1, 0, 0.1, 0.6, 0.1, 0, 0.1, 0};
    dc_pair p = {.psf_sci = psf, .n_sci = 3, .psf_ref = psf, .n_ref = 3, .rms_sci = 1,
                 .rms_ref = 1};
    for (int s = 0; s < 2; s++) {
        long nx = dims_shape[s][0], ny = dims_shape[s][1];
        ph_decorr *d = dc_new(nx, ny, &p);
        EXPECT(d != NULL);
        if (!d)
            return;
        EXPECT(d->nx == nx && d->ny == ny && d->nc == ny * (nx / 2 + 1));
        ph_decorr_free(d);
        /* the default kernel size is bounded by the smaller side: 5 */
        EXPECT(dc_default_kernel_size(&p, nx, ny) == 5);
    }
}

int main(void)
{
    RUN(decorr_filter_and_kernel_nonsquare);
    RUN(decorr_apply_stamp_matched_nonsquare);
    RUN(decorr_variance_nonsquare);
    RUN(decorr_convolve_full_and_extend_nonsquare);
    RUN(decorr_truncated_kernel_nonsquare);
    RUN(pair_new_nonsquare);
    return check_done();
}
