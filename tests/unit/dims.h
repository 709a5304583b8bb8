/* dims.h -- helpers for the tests that pin the dimension order of the
 * array APIs (test_fft_dims.c, test_decorr_dims.c): naive O(N^2) DFTs and
 * the CSZ embedding written out by hand, on grids that are NOT square, so
 * that a call with nx and ny swapped gives different numbers.
 * Arrays are row-major [y * nx + x]; sizes are given (nx, ny) as in FITS.
 */
#ifndef PH_TEST_DIMS_H
#define PH_TEST_DIMS_H

#include <complex.h>
#include <math.h>
#include <stdlib.h>

/* The two grids every test runs on: 6 wide x 10 high and 10 wide x 6 high. */
static const long dims_shape[2][2] = {{6, 10}, {10, 6}};

/* Deterministic values in [-1, 1) that differ from pixel to pixel. */
static inline void dims_fill(double *a, long n, unsigned seed)
{
    unsigned s = seed * 2654435761u + 12345u;
    for (long i = 0; i < n; i++) {
        s = s * 1103515245u + 12345u;
        a[i] = (double)((s >> 8) & 0xffff) / 32768.0 - 1.0;
    }
}

/* out[ky][kx] = sum_{y,x} in[y][x] exp(-2 pi i (ky y / ny + kx x / nx)), full. */
static inline void dims_dft(const double _Complex *in, long nx, long ny, double _Complex *out, int sign)
{
    for (long ky = 0; ky < ny; ky++)
        for (long kx = 0; kx < nx; kx++) {
            double _Complex s = 0;
            for (long y = 0; y < ny; y++)
                for (long x = 0; x < nx; x++) {
                    double ph = 2 * M_PI * ((double)(ky * y) / ny + (double)(kx * x) / nx);
                    s += in[y * nx + x] * cexp(sign * I * ph);
                }
            out[ky * nx + kx] = s;
        }
}

static inline void dims_dft_real(const double *in, long nx, long ny, double _Complex *out)
{
    double _Complex *c = malloc((size_t)nx * ny * sizeof *c);
    for (long i = 0; i < nx * ny; i++)
        c[i] = in[i];
    dims_dft(c, nx, ny, out, -1);
    free(c);
}

/* out = Re F^-1[in] (normalised by 1/(nx ny)). */
static inline void dims_idft_real(const double _Complex *in, long nx, long ny, double *out)
{
    double _Complex *c = malloc((size_t)nx * ny * sizeof *c);
    dims_dft(in, nx, ny, c, +1);
    for (long i = 0; i < nx * ny; i++)
        out[i] = creal(c[i]) / (double)(nx * ny);
    free(c);
}

static inline long dims_wrap(long v, long n) { return ((v % n) + n) % n; }

/* The odd knx x kny kernel placed in an nx x ny zero grid, centre at [0][0]. */
static inline void dims_csz(const double *k, long knx, long kny, long nx, long ny, double *out)
{
    for (long i = 0; i < nx * ny; i++)
        out[i] = 0;
    long cx = (knx - 1) / 2, cy = (kny - 1) / 2;
    for (long j = 0; j < kny; j++)
        for (long i = 0; i < knx; i++)
            out[dims_wrap(j - cy, ny) * nx + dims_wrap(i - cx, nx)] += k[j * knx + i];
}

/* The knx x kny crop around [0][0] of a wrapped nx x ny grid. */
static inline void dims_icsz(const double *full, long nx, long ny, long knx, long kny, double *k)
{
    long cx = (knx - 1) / 2, cy = (kny - 1) / 2;
    for (long j = 0; j < kny; j++)
        for (long i = 0; i < knx; i++)
            k[j * knx + i] = full[dims_wrap(j - cy, ny) * nx + dims_wrap(i - cx, nx)];
}

/* Direct convolution sum_m k(m) img(y - my, x - mx): wrap = 1 circular,
 * 0 zero boundary, 2 nearest edge value. */
static inline void dims_convolve(const double *img, long nx, long ny, const double *k, long knx, long kny,
                          int mode, double *out)
{
    long cx = (knx - 1) / 2, cy = (kny - 1) / 2;
    for (long y = 0; y < ny; y++)
        for (long x = 0; x < nx; x++) {
            double s = 0;
            for (long j = 0; j < kny; j++)
                for (long i = 0; i < knx; i++) {
                    long sy = y - (j - cy), sx = x - (i - cx);
                    if (mode == 1) {
                        sy = dims_wrap(sy, ny);
                        sx = dims_wrap(sx, nx);
                    } else if (mode == 2) {
                        sy = sy < 0 ? 0 : sy >= ny ? ny - 1 : sy;
                        sx = sx < 0 ? 0 : sx >= nx ? nx - 1 : sx;
                    } else if (sy < 0 || sy >= ny || sx < 0 || sx >= nx) {
                        continue;
                    }
                    s += k[j * knx + i] * img[sy * nx + sx];
                }
            out[y * nx + x] = s;
        }
}

static inline double dims_maxdiff(const double *a, const double *b, long n)
{
    double m = 0;
    for (long i = 0; i < n; i++)
        if (fabs(a[i] - b[i]) > m || isnan(a[i] - b[i]))
            m = isnan(a[i] - b[i]) ? INFINITY : fabs(a[i] - b[i]);
    return m;
}

#endif
