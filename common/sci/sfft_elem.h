/* sfft_elem.h -- the per-pixel and per-coefficient arithmetic of the SFFT
 * engines (sfft.h): what one transform-grid pixel, one spectrum bin, one
 * lag or one difference pixel is. The CPU engine (sfft_cpu.c) calls these
 * in its threaded row loops, the GPU engine (cuda/subtract_engine.cu) in
 * its grid-stride kernels, so both compute the same numbers by the same
 * operations in the same order; tests/unit/test_sfft_elem.c checks each
 * against an independent computation. (On a GPU, nvcc may fuse a multiply
 * and an add: the results then differ in the last bit.)
 *
 * Grids: a transform grid is my x mx real values, row y at y * stride
 * (stride >= mx: 2 (mx/2 + 1) for an in-place real-to-complex transform,
 * whose spectrum then occupies the same memory as my x (mx/2 + 1) complex
 * values). Images are nx x ny (sizes width first), row-major [y * nx + x].
 */
#ifndef PH_SFFT_ELEM_H
#define PH_SFFT_ELEM_H

#include "base/hd.h"

#include <stddef.h>
#include <stdint.h>

/* The transform grid of the fit and the difference (sfft_cpu.c explains
 * it): my x mx >= (ny + 4w) x (nx + 4w), fast. Grid position i of m holds
 * image pixel ph_sfft_grid_source(i, n, m, ext): the image on [0, n); for
 * ext < 0 ("P form", zero-padded) -1 (zero) beyond; otherwise ("E form")
 * the periodic extension by ext on both sides, -1 between. */
static inline PH_HD long ph_sfft_grid_source(long i, long n, long m, int ext)
{
    if (i < n)
        return i;
    if (ext < 0)
        return -1;
    if (i < n + ext)
        return i - n;
    if (i >= m - ext)
        return n - (m - i);
    return -1;
}

/* The SFFT coordinate power ((x + 1) / n)^d (x 0-based), by d repeated
 * multiplications. */
static inline PH_HD double ph_sfft_coord_pow(long x, long n, int d)
{
    double c = (x + 1) / (double)n, v = 1;
    for (int k = 0; k < d; k++)
        v *= c;
    return v;
}

/* Pixel (x, y) of a fit image: src (NULL: 1) where mask (NULL: every
 * pixel) is set, times cx[x] (NULL: 1) and fy (the row's cy[y]); 0 where
 * x or y is -1 (outside the image) or the mask is 0. */
static inline PH_HD double ph_sfft_fit_px(const double *src, const uint8_t *mask, const double *cx,
                                          double fy, long nx, long y, long x)
{
    if (x < 0 || y < 0)
        return 0.0;
    size_t p = (size_t)y * nx + x;
    if (mask && !mask[p])
        return 0.0;
    return (src ? src[p] : 1.0) * fy * (cx ? cx[x] : 1.0);
}

/* Grid pixel (gx, gy) of a fit image in the form `ext` (ph_sfft_grid_source). */
static inline PH_HD double ph_sfft_fit_grid_px(const double *src, const uint8_t *mask,
                                               const double *cx, const double *cy, long ny,
                                               long nx, long my, long mx, int ext, long gy, long gx)
{
    long y = ph_sfft_grid_source(gy, ny, my, ext), x = ph_sfft_grid_source(gx, nx, mx, ext);
    if (y < 0)
        return 0.0;
    return ph_sfft_fit_px(src, mask, cx, cy ? cy[y] : 1.0, nx, y, x);
}

/* Sum over row y of a fit image, in x order, the row's cy[y] applied last
 * (the image sum is then the row sums added in y order). */
static inline PH_HD double ph_sfft_fit_row_sum(const double *src, const uint8_t *mask,
                                               const double *cx, const double *cy, long nx, long y)
{
    double t = 0;
    for (long x = 0; x < nx; x++) {
        size_t p = (size_t)y * nx + x;
        if (!mask || mask[p])
            t += (src ? src[p] : 1.0) * (cx ? cx[x] : 1.0);
    }
    return t * (cy ? cy[y] : 1.0);
}

/* Grid pixel (x, y) of the zero-padded image of the cross-convolution:
 * the image on [0, nx) x [0, ny), 0 beyond. */
static inline PH_HD double ph_sfft_pad_px(const double *img, long nx, long ny, long x, long y)
{
    return y < ny && x < nx ? img[(size_t)y * nx + x] : 0.0;
}

/* Where element t of an L x L kernel goes in its CSZ embedding (sfft-
 * reference §1.5) on a my x mx grid of row stride `stride`: the centre at
 * [0][0], negative offsets wrapped. */
static inline PH_HD size_t ph_sfft_csz_offset(long t, long L, long my, long mx, long stride)
{
    long c = (L - 1) / 2;
    long y = ((t / L - c) % my + my) % my, x = ((t % L - c) % mx + mx) % mx;
    return (size_t)y * stride + x;
}

/* One spectrum bin. */
typedef struct ph_sfft_z {
    double re, im;
} ph_sfft_z;

enum {
    PH_SFFT_CONJ = 0, /* conj(a) b (correlation) */
    PH_SFFT_MUL = 1,  /* a b scale (convolution) */
    PH_SFFT_ADD = 2,  /* out + a b scale (a sum of convolutions) */
};

/* The product of two bins for `mode`; `out` is the previous value (read
 * only for PH_SFFT_ADD). The operations are those of C99 complex
 * arithmetic on finite values: (ar br - ai bi, ar bi + ai br). */
static inline PH_HD ph_sfft_z ph_sfft_prod(ph_sfft_z a, ph_sfft_z b, int mode, double scale,
                                           ph_sfft_z out)
{
    ph_sfft_z r;
    if (mode == PH_SFFT_CONJ) {
        r.re = a.re * b.re + a.im * b.im;
        r.im = a.re * b.im - a.im * b.re;
        return r;
    }
    r.re = (a.re * b.re - a.im * b.im) * scale;
    r.im = (a.re * b.im + a.im * b.re) * scale;
    if (mode == PH_SFFT_ADD) {
        r.re = out.re + r.re;
        r.im = out.im + r.im;
    }
    return r;
}

/* Element t of a lag window of half-width R, (2R+1)^2 row-major with lag
 * (rx, ry) at [(ry + R)(2R + 1) + rx + R]: the circular correlation r
 * (my x mx, row stride `stride`) at that lag, times norm. */
static inline PH_HD double ph_sfft_window_px(const double *r, long stride, long my, long mx, int R,
                                             double norm, long t)
{
    long n = 2 * R + 1, ry = t / n - R, rx = t % n - R;
    long y = (ry % my + my) % my, x = (rx % mx + mx) % mx;
    return r[(size_t)y * stride + x] * norm;
}

/* Image pixel (x, y) of a grid of row stride `stride` holding the image
 * at its origin. */
static inline PH_HD double ph_sfft_crop_px(const double *grid, long stride, long y, long x)
{
    return grid[(size_t)y * stride + x];
}

/* The differential background sum_pq bg[pq] cx^p cy^q at (x, y), the terms
 * in SFFT's order (p outer, q inner, p + q <= db); powx[d * nx + x],
 * powy[d * ny + y] the coordinate powers. */
static inline PH_HD double ph_sfft_background_px(const double *bg, int db, const double *powx,
                                                 const double *powy, long nx, long ny, long x,
                                                 long y)
{
    double t = 0;
    int q = 0;
    for (int i = 0; i <= db; i++)
        for (int j = 0; j <= db - i; j++, q++)
            t += bg[q] * powx[(size_t)i * nx + x] * powy[(size_t)j * ny + y];
    return t;
}

/* Difference pixel (x, y): J - model norm - background, the model on a
 * grid of row stride `stride` (unnormalised inverse transform). */
static inline PH_HD double ph_sfft_diff_px(const double *J, const double *model, long stride,
                                           double norm, double background, long nx, long x, long y)
{
    return J[(size_t)y * nx + x] - model[(size_t)y * stride + x] * norm - background;
}

#endif
