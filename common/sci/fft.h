/* fft.h -- the CPU FFT backend (FFTW3, threaded) and the kernel helpers
 * built on it.
 *
 * Sizes are given width first, (nx, ny), as FITS's NAXIS1 and NAXIS2, in
 * every function here; arrays are row-major [y * nx + x].
 *
 * Real-to-complex 2-D transforms of nx x ny images; the spectrum has ny
 * rows of (nx/2 + 1). Transforms are unnormalised, as in FFTW: an inverse
 * of a forward multiplies by nx*ny. Plans are made with FFTW_ESTIMATE so
 * that the same inputs always give bit-identical outputs (FFTW_MEASURE may
 * pick a different algorithm on every run).
 *
 * Memory for transforms comes from ph_fft_alloc_* (FFTW-aligned; free with
 * ph_fft_free), so one plan can run on any buffer of its size.
 *
 * Kernels: a kernel is an odd knx x kny array with its centre at
 * [(kny-1)/2][(knx-1)/2] (offset 0). Convolution is
 * (u * k)(y, x) = sum_m k(m) u(y - my, x - mx).
 */
#ifndef PH_FFT_H
#define PH_FFT_H

#include <complex.h>
#include <stddef.h>

typedef double _Complex ph_cplx;

/* Threads used by plans made after this call (default: 1). */
void ph_fft_set_threads(int nthreads);

double *ph_fft_alloc_real(size_t n);
ph_cplx *ph_fft_alloc_cplx(size_t n);
void ph_fft_free(void *p);

typedef struct ph_fft2 ph_fft2;

/* Plans for nx x ny; NULL on error (recorded). */
ph_fft2 *ph_fft2_new(long nx, long ny);
void ph_fft2_free(ph_fft2 *p);
long ph_fft2_ncplx(const ph_fft2 *p); /* ny * (nx/2 + 1) */

/* In-place plans for nx x ny: the real image in rows of ph_fft2_stride(nx)
 * = 2 (nx/2 + 1) doubles (the last ones padding, ignored), transformed into
 * its spectrum (ny rows of nx/2 + 1) in the same memory and back. The results
 * equal those of the out-of-place plans bit for bit (FFTW_ESTIMATE picks
 * the same algorithm; checked at 4200 x 4200). NULL on error (recorded). */
ph_fft2 *ph_fft2_new_inplace(long nx, long ny);
long ph_fft2_stride(long nx);
void ph_fft2_forward_inplace(ph_fft2 *p, double *data);
void ph_fft2_inverse_inplace(ph_fft2 *p, double *data);

/* out = F(in); `in` is preserved. */
void ph_fft2_forward(ph_fft2 *p, const double *in, ph_cplx *out);
/* out = F^-1(in) * (nx*ny) (unnormalised); `in` is DESTROYED. */
void ph_fft2_inverse(ph_fft2 *p, ph_cplx *in, double *out);

/* CSZ embedding (sfft-reference §1.5): the odd kernel placed in an nx x ny
 * zero array with its centre at [0][0] (wrapping). `out` has ny*nx. */
int ph_fft_kernel_csz(const double *k, long knx, long kny, long nx, long ny, double *out);
/* Inverse: crop the knx x kny kernel around [0][0] of a wrapped array. */
void ph_fft_kernel_icsz(const double *full, long nx, long ny, long knx, long kny, double *k);

/* Linear convolution with zero boundary, output the same size as the
 * image ("same" mode), via FFT at (ny + kny - 1) x (nx + knx - 1): what
 * SFFT's cross-convolution does. `normalise`: divide the kernel by its sum
 * first. img and out may be the same array. */
int ph_fft_convolve_same(const double *img, long nx, long ny, const double *k, long knx, long kny,
                         int normalise, double *out);

/* Circular convolution on the nx x ny torus via FFT. */
int ph_fft_convolve_circular(const double *img, long nx, long ny, const double *k, long knx,
                             long kny, double *out);

/* Direct (real-space) linear convolution of two small kernels, output
 * cropped to a's size and centred ("same"): used for PSF (*) PSF. */
void ph_fft_convolve_small(const double *a, long anx, long any, const double *b, long bnx, long bny,
                           double *out);

#endif
