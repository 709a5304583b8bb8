/* test_fft_dims.c -- the dimension order of fft.h's array functions: each
 * runs on 6x10 and 10x6 grids (and non-square kernels) against a naive DFT
 * or a direct sum, so a call with nx and ny swapped fails. */
#include "check.h"
#include "dims.h"
#include "sci/fft.h"
#include "base/log.h"

TEST(fft2_forward_inverse_nonsquare)
{
    for (int s = 0; s < 2; s++) {
        long nx = dims_shape[s][0], ny = dims_shape[s][1], h = nx / 2 + 1, n = nx * ny;
        ph_fft2 *p = ph_fft2_new(nx, ny);
        EXPECT(p != NULL);
        if (!p)
            return;
        EXPECT(ph_fft2_ncplx(p) == ny * h);
        double *img = ph_fft_alloc_real(n), *back = ph_fft_alloc_real(n);
        ph_cplx *spec = ph_fft_alloc_cplx(ny * h), *ref = malloc(n * sizeof *ref);
        dims_fill(img, n, 1 + s);
        ph_fft2_forward(p, img, spec);
        dims_dft_real(img, nx, ny, ref);
        double err = 0;
        for (long ky = 0; ky < ny; ky++)
            for (long kx = 0; kx < h; kx++)
                err = fmax(err, cabs(spec[ky * h + kx] - ref[ky * nx + kx]));
        EXPECT_NEAR(err, 0, 1e-10);
        ph_fft2_inverse(p, spec, back);
        for (long i = 0; i < n; i++)
            back[i] /= (double)n;
        EXPECT_NEAR(dims_maxdiff(back, img, n), 0, 1e-12);
        ph_fft_free(img);
        ph_fft_free(back);
        ph_fft_free(spec);
        free(ref);
        ph_fft2_free(p);
    }
}

TEST(fft2_inplace_nonsquare)
{
    for (int s = 0; s < 2; s++) {
        long nx = dims_shape[s][0], ny = dims_shape[s][1], h = nx / 2 + 1, n = nx * ny;
        long st = ph_fft2_stride(nx);
        EXPECT(st == 2 * h);
        ph_fft2 *p = ph_fft2_new_inplace(nx, ny);
        EXPECT(p != NULL);
        if (!p)
            return;
        double *img = malloc(n * sizeof *img), *buf = ph_fft_alloc_real(ny * st);
        ph_cplx *ref = malloc(n * sizeof *ref);
        dims_fill(img, n, 3 + s);
        for (long y = 0; y < ny; y++)
            for (long x = 0; x < st; x++)
                buf[y * st + x] = x < nx ? img[y * nx + x] : 0;
        ph_fft2_forward_inplace(p, buf);
        dims_dft_real(img, nx, ny, ref);
        const ph_cplx *spec = (const ph_cplx *)buf;
        double err = 0;
        for (long ky = 0; ky < ny; ky++)
            for (long kx = 0; kx < h; kx++)
                err = fmax(err, cabs(spec[ky * h + kx] - ref[ky * nx + kx]));
        EXPECT_NEAR(err, 0, 1e-10);
        ph_fft2_inverse_inplace(p, buf);
        err = 0;
        for (long y = 0; y < ny; y++)
            for (long x = 0; x < nx; x++)
                err = fmax(err, fabs(buf[y * st + x] / (double)n - img[y * nx + x]));
        EXPECT_NEAR(err, 0, 1e-12);
        free(img);
        free(ref);
        ph_fft_free(buf);
        ph_fft2_free(p);
    }
}

TEST(kernel_csz_icsz_nonsquare)
{
    for (int s = 0; s < 2; s++) {
        long nx = dims_shape[s][0], ny = dims_shape[s][1], n = nx * ny;
        long knx = 5, kny = 3; /* a kernel wider than high on both grids */
        double k[15], kout[15], kref[15], *full = malloc(n * sizeof *full),
                                          *ref = malloc(n * sizeof *ref);
        dims_fill(k, 15, 5 + s);
        EXPECT(ph_fft_kernel_csz(k, knx, kny, nx, ny, full) == 0);
        dims_csz(k, knx, kny, nx, ny, ref);
        EXPECT_NEAR(dims_maxdiff(full, ref, n), 0, 0);
        dims_fill(full, n, 7 + s);
        ph_fft_kernel_icsz(full, nx, ny, knx, kny, kout);
        dims_icsz(full, nx, ny, knx, kny, kref);
        EXPECT_NEAR(dims_maxdiff(kout, kref, 15), 0, 0);
        free(full);
        free(ref);
    }
}

TEST(convolutions_nonsquare)
{
    for (int s = 0; s < 2; s++) {
        long nx = dims_shape[s][0], ny = dims_shape[s][1], n = nx * ny;
        long knx = 5, kny = 3;
        double k[15], *img = malloc(n * sizeof *img), *out = malloc(n * sizeof *out),
                      *ref = malloc(n * sizeof *ref);
        dims_fill(k, 15, 9 + s);
        dims_fill(img, n, 11 + s);
        EXPECT(ph_fft_convolve_same(img, nx, ny, k, knx, kny, 0, out) == 0);
        dims_convolve(img, nx, ny, k, knx, kny, 0, ref);
        EXPECT_NEAR(dims_maxdiff(out, ref, n), 0, 1e-12);
        EXPECT(ph_fft_convolve_circular(img, nx, ny, k, knx, kny, out) == 0);
        dims_convolve(img, nx, ny, k, knx, kny, 1, ref);
        EXPECT_NEAR(dims_maxdiff(out, ref, n), 0, 1e-12);
        /* small (*) small: zero boundary, cropped to a's size */
        ph_fft_convolve_small(img, nx, ny, k, knx, kny, out);
        dims_convolve(img, nx, ny, k, knx, kny, 0, ref);
        EXPECT_NEAR(dims_maxdiff(out, ref, n), 0, 1e-12);
        free(img);
        free(out);
        free(ref);
    }
}

int main(void)
{
    RUN(fft2_forward_inverse_nonsquare);
    RUN(fft2_inplace_nonsquare);
    RUN(kernel_csz_icsz_nonsquare);
    RUN(convolutions_nonsquare);
    return check_done();
}
