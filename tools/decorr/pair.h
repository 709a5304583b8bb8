/* pair.h -- ph-decorr's work on arrays: phrosty's single science/template
 * pair expressed in common/sci/decorr.h's general model (sfft-reference §6-7),
 * the decorrelated PSF, the variance of the decorrelated difference and the
 * score image. No file I/O here (diffio.c, products.c).
 *
 * Roles (SFFT's SpaceSFFT_CupyFlow.find_decorrelation, sci_is_target):
 *   J side: the science image, its noise filtered by the ROTATED template
 *           PSF (the cross-convolution), sigma = science sky rms;
 *   I side: the aligned template, its noise filtered by the science PSF and
 *           then the matching kernel (a delta unless it is considered),
 *           sigma = template sky rms.
 */
#ifndef PH_DECORR_PAIR_H
#define PH_DECORR_PAIR_H

#include "sci/decorr.h"

#include <stddef.h>

typedef struct dc_pair {
    const double *psf_sci; /* science PSF P_s, odd n_sci x n_sci */
    long n_sci;
    const double *psf_ref; /* template PSF rotated into the science frame */
    long n_ref;
    const double *match;   /* matching kernel, or NULL to ignore it (phrosty) */
    long n_match;
    double rms_sci, rms_ref; /* sky rms of science and template */
} dc_pair;

/* The decorrelation state for an nx x ny difference of this pair: the
 * filter D (D(0) = 1) is computed. NULL on error (recorded). */
ph_decorr *dc_new(long nx, long ny, const dc_pair *p);

/* Default DECORR_KERNEL size: 2 x the largest kernel (PSFs, matching kernel
 * when used), made odd (SFFT's KERatio 2), at most the image size. */
long dc_default_kernel_size(const dc_pair *p, long nx, long ny);

/* The PSF of the difference when none is given: P_s (*) P_ref / sum(P_ref),
 * zero boundary, cropped to n_sci (SFFT's cross-convolution of the PSFs,
 * sfft-reference §4). out: n_sci x n_sci. */
int dc_conv_psf(const dc_pair *p, double *out);

/* DECORR_PSF: the PSF of the difference decorrelated and cropped to
 * outn x outn, then normalised to sum 1. *lost: flux fraction outside the
 * crop (PSFLOSS), before the normalisation. */
int dc_psf(ph_decorr *d, const double *conv_psf, long n, long outn, double *out, double *lost);

/* Variance of the decorrelated difference (sfft-reference §7), one plane at
 * a time: fill ph_decorr_plane(d) with the template variance and call
 * dc_variance_ref, with the science variance and call dc_variance_sci; acc
 * (nx x ny, zeroed by the caller) collects
 *   V_ref (*) h_s^2 + V_sci (*) h_o^2,  h_s = F^-1[D F(P_s [(*) M])],
 *   h_o = F^-1[D F(P_ref)].
 * The matching kernel enters h_s only when it is considered (p->match):
 * then D_dec has exactly the variance den(0) on a flat background; SFFT
 * leaves it out in all cases (a minor compensation, its comment says). */
int dc_variance_ref(ph_decorr *d, const dc_pair *p, float *acc);
int dc_variance_sci(ph_decorr *d, const dc_pair *p, float *acc);
/* Clip the round-off negatives of a variance sum (|v| <= 1e-12 max) to 0. */
void dc_variance_finish(float *acc, size_t n);

/* Score image (sfft-spec §5): with DIFF in the plane buffer, the plane
 * becomes F^-1[F(DIFF) D conj(F(P_ref (*) P_s) D)] divided by its DAOPHOT-
 * MMM sky sigma (*sigma), SFFT's create_score_image with the ROTATED
 * template PSF (SFFT uses the unrotated one: a bug). */
int dc_score(ph_decorr *d, const dc_pair *p, double *sigma);

/* Number of non-finite values and the index of the first (or -1). */
size_t dc_count_nonfinite(const double *x, size_t n, long *first);
/* Number of negative values and the index of the first (or -1). */
size_t dc_count_negative(const double *x, size_t n, long *first);

/* Convert n doubles to floats in place (the floats occupy the first half
 * of the buffer): saves a float32 copy of every 4088^2 output plane. */
float *dc_to_float_inplace(double *buf, size_t n);

#endif
