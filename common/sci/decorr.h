/* decorr.h -- noise decorrelation of difference images (sfft-reference §6-7;
 * Hu et al. 2022, ApJ 936, 157, §5; SFFT's DeCorrelation_Calculator).
 *
 * A difference image is a sum of images whose noise went through different
 * kernels (PSF cross-convolution, matching kernels, stacking), so its noise
 * is correlated. If each input image has white noise of standard deviation
 * sigma, the noise power spectrum of the difference is, on the nx x ny torus,
 *
 *   den(k) = sum_j sigma_j^2 |F CSZ(K_j)|^2 / NJ^2
 *          + |F CSZ(M)|^2 sum_i sigma_i^2 |F CSZ(K_i)|^2 / NI^2
 *
 * with two lists of (kernel, sigma): the J side (images not convolved by the
 * final matching kernel M; the science side), the I side (images the final
 * kernel M is applied to; the reference side); each list is averaged, hence
 * the 1/N^2. The decorrelation filter is
 *
 *   D(k) = den(k)^(-1/2) / den(0)^(-1/2)        (D(0) = 1: flux preserved)
 *
 * and the decorrelated difference Re F^-1[F(DIFF) D] has white noise of
 * variance den(0). D is real and even, so it is stored as a half spectrum
 * of doubles in FFTW's r2c layout: ny rows of (nx/2 + 1), element
 * [ky * (nx/2 + 1) + kx].
 *
 * phrosty's single pair (SFFT's SpaceSFFT_CupyFlow.find_decorrelation) is
 * J = [(rotated template PSF, science sky rms)], I = [(science PSF, template
 * sky rms)], M = the matching kernel or a delta (Consider_Matching_Kernel).
 * The stacked case of SFFT's own test (sfft-reference §6.4, §13.1) is the
 * same formula with five entries per side, evaluated on a small grid and
 * truncated: ph_decorr_truncated_kernel().
 *
 * Sizes are given width first, (nx, ny) and (knx, kny), as FITS's NAXIS1
 * and NAXIS2. Kernels are odd knx x kny arrays, row-major [y][x], centre at
 * [(kny-1)/2][(knx-1)/2] (fft.h); "CSZ" is the embedding of fft.h
 * (ph_fft_kernel_csz). Arrays are row-major [y * nx + x]. Everything here is
 * transpose-equivariant, so SFFT's (x, y) arrays and our (y, x) arrays give
 * the same numbers, transposed. Errors are recorded with ph_error (log.h).
 */
#ifndef PH_DECORR_H
#define PH_DECORR_H

#include "sci/fft.h"

/* One image entering the difference: the kernel its noise went through and
 * its white-noise standard deviation (sky rms). kernel NULL: no kernel (a
 * delta), as SFFT's None. */
typedef struct ph_decorr_term {
    const double *kernel; /* odd knx x kny, or NULL */
    long knx, kny;
    double sigma;
} ph_decorr_term;

/* The noise model of a difference: the J list, the I list and the final
 * matching kernel applied to the I side (NULL: a delta). nj >= 1. */
typedef struct ph_decorr_model {
    const ph_decorr_term *j;
    int nj;
    const ph_decorr_term *i;
    int ni;
    const double *match;
    long mnx, mny;
} ph_decorr_model;

/* A decorrelation filter on one grid, with the FFT plan and the buffers the
 * operations below share. Owned by the caller; fields are read-only. */
typedef struct ph_decorr {
    long nx, ny;     /* the image grid */
    long nc;         /* ny * (nx/2 + 1): half-spectrum length */
    double *filter;  /* D, half spectrum, D(0) = 1 */
    double den0;     /* den(0): variance of the decorrelated white noise */
    double fmax;     /* largest D(k): the noise amplification at high k */
    ph_fft2 *plan;
    double *plane;   /* ny * nx: the plane buffer (see ph_decorr_plane) */
    ph_cplx *spec;   /* nc: work spectra */
    ph_cplx *spec2;
} ph_decorr;

/* Plans and buffers for an nx x ny grid (FFT threads as set by
 * ph_fft_set_threads before the call); the filter is computed by
 * ph_decorr_set_model. Memory: 2 real planes + 2 half spectra (complex) +
 * 1 half spectrum (real): about 4.5 float64 planes (600 MB at 4088^2).
 * NULL on error. */
ph_decorr *ph_decorr_new(long nx, long ny);
void ph_decorr_free(ph_decorr *d);

/* Compute D for `m` (2 or 3 FFTs). Errors: a kernel of even size or larger
 * than the grid, a sigma that is negative or not finite, den(k) <= 0 or not
 * finite at some k (kernels whose transforms vanish together: the noise
 * cannot be whitened there). normalise = 0 keeps den^(-1/2) unscaled (what
 * SFFT's truncated variant uses before its real-space normalisation). */
int ph_decorr_set_model(ph_decorr *d, const ph_decorr_model *m, int normalise);

/* The plane buffer (ny * nx doubles, FFTW-aligned): fill it with an image
 * (e.g. read a FITS plane straight into it) and call ph_decorr_apply_plane;
 * the result replaces it. Its content is undefined after the other calls. */
double *ph_decorr_plane(ph_decorr *d);

/* plane <- Re F^-1[F(plane) D]: circular, full frame (sfft-reference §6.2). */
void ph_decorr_apply_plane(ph_decorr *d);

/* Convenience for whole arrays: out <- decorrelated `in` (may be equal). */
void ph_decorr_image(ph_decorr *d, const double *in, double *out);

/* Decorrelate a stamp (a PSF): CSZ-embed the odd kn x kn `stamp` in the
 * grid, multiply by D, transform back, crop the outn x outn centre (outn
 * odd, may differ from kn) into `out`. *lost (may be NULL) = 1 - sum(out) /
 * sum(full result): the flux fraction outside the crop. Not renormalised. */
int ph_decorr_stamp(ph_decorr *d, const double *stamp, long kn, long outn, double *out,
                    double *lost);

/* The real-space decorrelation kernel F^-1[D], centred, cropped to
 * knx x kny (odd). *lost (may be NULL) = 1 - sum|crop| / sum|full| (SFFT's
 * "lost weight"); *sum (may be NULL) = sum of the crop. */
int ph_decorr_kernel(ph_decorr *d, long knx, long kny, double *k, double *lost, double *sum);

/* One input image's share of the variance of the decorrelated difference
 * (sfft-reference §7):
 *
 *   acc += weight * var (*) h^2,   h = F^-1[D F CSZ(k (*) k2)]
 *
 * circular, the square taken pixel by pixel on the full-frame kernel h.
 * `var` is taken from the plane buffer (fill it first); k2 may be NULL.
 * For phrosty: var_ref with k = science PSF (k2 = matching kernel when it
 * is considered), var_sci with k = rotated template PSF. 5 FFTs. */
int ph_decorr_variance_add(ph_decorr *d, const double *k, long knx, long kny, const double *k2,
                           long k2nx, long k2ny, double weight, float *acc);

/* Matched filter of the decorrelated plane with the decorrelated kernel k
 * (sfft-spec §5, the score before its noise normalisation):
 *   plane <- Re F^-1[F(plane) D conj(F CSZ(k) D)].
 * For phrosty's score, k = science PSF (*) rotated template PSF, full size
 * (ph_decorr_convolve_full). */
int ph_decorr_matched_filter(ph_decorr *d, const double *k, long knx, long kny);

/* The full linear convolution of two odd kernels: out is
 * (any + bny - 1) x (anx + bnx - 1), centred (what CSZ(a) (*) CSZ(b) is on
 * any grid large enough). */
void ph_decorr_convolve_full(const double *a, long anx, long any, const double *b, long bnx,
                             long bny, double *out);

/* ---- SFFT's truncated real-space variant (sfft-reference §6.4) ---- */

/* Upstream SFFT's DeCorrelation_Calculator.DCC: D without normalisation on
 * a small grid of side 2^(ceil(log2 Lmax) + 1) per axis (Lmax: the largest
 * size along that axis of the non-NULL kernels of J, I and M; at least one
 * is required), back to real space, cropped to round(keratio * Lmax) made
 * odd (round half to even, as Python), divided by its sum. *k is allocated (free()); its size in *knx x *kny.
 * *lost (may be NULL): the "lost weight" as in ph_decorr_kernel. */
int ph_decorr_truncated_kernel(const ph_decorr_model *m, double keratio, long *knx, long *kny,
                               double **k, double *lost);

/* Real-space convolution (u (*) k)(y, x) = sum_m k(m) u(y - my, x - mx)
 * with "extend" boundaries (pixels outside take the nearest edge value),
 * as astropy's convolve(boundary='extend', normalize_kernel=False) on
 * NaN-free data: how SFFT's test applies the truncated kernel. out must not
 * alias img. */
void ph_decorr_convolve_extend(const double *img, long nx, long ny, const double *k, long knx,
                               long kny, double *out);

#endif
