/* subtract.h -- ph-subtract's work on arrays (no file I/O): the inputs are
 * checked and sanitised, cross-convolved, the SFFT kernel is fitted on the
 * pixels detected in both images, and the difference is formed
 * (sfft-reference.md §4-5, the contract in HACKING.md "Difference file").
 *
 * Images are row-major [y * nx + x]; masks carry the ph image bits of
 * io/image.h (1 DETECTED, 2 BAD, 4 OUTSIDE).
 */
#ifndef PH_SUBTRACT_H
#define PH_SUBTRACT_H

#include "io/ovpsf.h"
#include "sci/resid.h"
#include "sci/sfft.h"
#include "stars.h"

#include <stdint.h>

/* Output MASK bits (HACKING.md): */
enum {
    PH_DIFF_FIT = 1,     /* the pixel entered the kernel fit */
    PH_DIFF_BAD = 2,     /* BAD in either image */
    PH_DIFF_OUTSIDE = 4, /* OUTSIDE in either image: DIFF set to 0 */
    PH_DIFF_CLIPPED = 8, /* left out of the fit as an outlier of the first fit */
};

enum { PH_SUB_CLIP_GROW = 2 }; /* px around each outlier also left out */

/* The fitting pixels (never BAD or OUTSIDE in either image):
 *   DETECTED  DETECTED in both masks (SFFT's, sfft-reference §5.1);
 *   ALL       every pixel;
 *   SIGNAL    where either cross-convolved image is PH_SUB_SIGNAL_K sigma above
 *             zero, grown by PH_SUB_SIGNAL_GROW px: every source whatever its
 *             size (stars constrain the kernel most), and no pure-sky pixel,
 *             whose template noise pulls a least-squares kernel towards a
 *             smoothing one (measured: kernel centre 0.32 on a sparse field). */
enum { PH_SUB_FIT_DETECTED = 0, PH_SUB_FIT_ALL = 1, PH_SUB_FIT_SIGNAL = 2, PH_SUB_FIT_STARS = 3 };

/* STARS (the psf method's default): the kernel fitted on the boxes of
 * PH_SUB_STAR_BOX px about the drawn template stars with S/N >=
 * PH_SUB_STAR_SNR (in the SIGNAL pixels), whose template side is the PSF
 * model, free of noise: nothing pulls the kernel towards smoothing (kernel
 * centre 1.000 where SIGNAL gave 0.87 on an OU2024-density field; a least-
 * squares photometric ratio over every source was diluted by the template
 * noise, x 0.946). With fewer than PH_SUB_MIN_STARS such stars, a
 * half-width of at most PH_SUB_FALLBACK_W (and with none, SIGNAL); without
 * drawn stars at all (no STARS table), SIGNAL with the kernel asked for. */
enum { PH_SUB_STAR_BOX = 6, PH_SUB_MIN_STARS = 5, PH_SUB_FALLBACK_W = 2 };
#define PH_SUB_STAR_SNR 50.0
enum { PH_SUB_SIGNAL_GROW = 2 };
#define PH_SUB_SIGNAL_K 3.0

/* What the run needs, already read and checked by ui.c. */
typedef struct sub_in {
    long nx, ny;
    double *sci, *ref;            /* SCI planes: science, aligned reference, in arrays of
                                   * ph_sfft_alloc_big that the run takes over: convolved in
                                   * place they become out->csci and out->cref (freed with
                                   * out, also when the run fails) */
    const float *sci_var, *ref_var; /* their VAR planes (the residual statistics) */
    const uint8_t *sci_mask, *ref_mask;
    const double *psf_sci;        /* n_sci^2, odd */
    long n_sci;
    const double *psf_ref;        /* rotated reference PSF, n_ref^2, odd */
    long n_ref;
    const char *sci_name, *ref_name; /* for messages */
    double ex_x0, ex_y0, ex_r;    /* keep this circle (0-based centre, px) out of the
                                   * fit: the transient; ex_r <= 0 or NaN centre: none */
    int fit_pixels;               /* PH_SUB_FIT_*: which pixels the kernel is fitted on */
    const ph_startab *stars;      /* the template's stars (NULL or n = 0: none); the drawn
                                   * ones are matched exactly when `correct` */
    int correct;
    const ph_ovpsf *ov_sci, *ov_ref; /* their oversampled PSFs (needed with stars) */
    int star_r;                   /* cut radius of the star correction */
    long guard;                   /* keep pixels within this of BAD, OUTSIDE or the border
                                   * out of the fit (0: none) */
    double clip;                  /* refit without the pixels beyond clip sigma of the first
                                   * fit (0: one fit) */
} sub_in;

typedef struct sub_out {
    double *diff, *csci, *cref;   /* nx * ny each (ph_sfft_free_big) */
    uint8_t *mask;                /* nx * ny */
    ph_sfft_solution sol;
    double *match_kernel;         /* L * L at the image centre */
    double *conv_psf;             /* n_sci^2, normalised to sum 1 */
    double conv_frac;             /* its sum before normalisation / the science PSF's sum */
    long nbad, noutside;
    long nstarfix;                /* drawn stars matched exactly */
    long nclip;                   /* fitting pixels clipped as outliers */
    ph_resid_stats res;           /* static-star residuals on DIFF (resid.h) */
} sub_out;

/* Check and sanitise one SCI plane: a non-finite value where the mask has
 * neither BAD nor OUTSIDE is an error naming the pixel; elsewhere it is
 * replaced by 0 (SFFT does not fill NaNs, so one NaN would make the whole
 * cross-convolved image NaN, sfft-reference §4). `plane` names the plane in
 * the message ("SCI", "VAR"). */
int sub_sanitise(float *img, const uint8_t *mask, long nx, long ny, const char *file,
                 const char *plane);

/* The fitting mask (sfft-reference §5.1): DETECTED in the science mask AND
 * in the aligned reference's (ph-align sets that bit where the bilinearly
 * resampled template mask is >= 0.1), and BAD or OUTSIDE in neither (with
 * `all`: every pixel BAD or OUTSIDE in neither); and the output MASK bits. Returns the number of fitting pixels. */
long sub_fit_mask(const uint8_t *sci_mask, const uint8_t *ref_mask, long n, int all, uint8_t *fit,
                  uint8_t *outmask);

/* Keep in `fit` only the pixels within r (Chebyshev) of the drawn stars of
 * `t` with S/N >= snr_min whose own pixel is in `fit` (*nstars: how many).
 * Returns how many pixels left, -1 on out of memory. */
long sub_starboxes(const ph_startab *t, double snr_min, long r, long nx, long ny, uint8_t *fit,
                   uint8_t *outmask, long *nstars);

/* Keep in `fit` only the SIGNAL pixels above (sigma^2 of each cross-convolved
 * image: its variance times the squared sum of its kernel), clearing
 * PH_DIFF_FIT in outmask for the others. Returns how many left, -1 on out of
 * memory (recorded). */
long sub_signal(const double *csci, const double *cref, const float *vsci, const float *vref,
                double wsci, double wref, long nx, long ny, uint8_t *fit, uint8_t *outmask);

/* Take the pixels within r of (x0, y0) out of the fit (fit = 0, and the
 * PH_DIFF_FIT bit of outmask). A transient on its host galaxy is among the
 * DETECTED pixels of the science image; left in, the kernel reshapes the
 * host to absorb part of it (a -8% to -21% flux bias on 1024^2 ph-sim
 * scenes, where the host holds ~5% of the fitting pixels). Returns how many
 * pixels left the fit. */
long sub_exclude(uint8_t *fit, uint8_t *outmask, long nx, long ny, double x0, double y0, double r);

/* Take the pixels within Chebyshev distance r of a BAD or OUTSIDE pixel (in
 * either mask) or of the image border out of the fit: the cross-convolution
 * and the kernel carry the zeros there (sanitised BAD pixels, no template
 * data, the zero boundary) up to a PSF plus a kernel radius into the image,
 * which a fit over every pixel would absorb into the photometric ratio.
 * *removed counts them. */
int sub_guard(uint8_t *fit, uint8_t *outmask, const uint8_t *sci_mask, const uint8_t *ref_mask,
              long nx, long ny, long r, long *removed);

/* Outliers of a first fit: fitting pixels where |diff| > k sigma, sigma^2 =
 * wsci vsci + ratio^2 wref vref (the variances scaled by the squared sums of
 * the cross-convolution kernels: an overestimate near a source, where the
 * variance is peaked, so no star core is taken for an outlier), grown by
 * PH_SUB_CLIP_GROW px, leave the fit (fit = 0) and get PH_DIFF_CLIPPED in
 * outmask. Returns how many, or -1 (out of memory, recorded). */
long sub_clip(const double *diff, const float *vsci, const float *vref, double wsci, double wref,
              double ratio, double k, long nx, long ny, uint8_t *fit, uint8_t *outmask);

/* The whole subtraction on engine `e`. Allocates the arrays of `out`
 * (CSCI and CREF are in->sci and in->ref). */
int sub_run(ph_sfft_engine *e, const ph_sfft_params *p, double min_rcond, const sub_in *in,
            sub_out *out);

void sub_out_free(sub_out *out);

#endif
