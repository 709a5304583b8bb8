/* sfft.h -- SFFT image subtraction (Hu et al. 2022, ApJ 936, 157) as
 * phrosty runs it: the polynomial delta-basis kernel fitted by least squares
 * whose normal equations are built from FFT cross-correlations.
 *
 * Names follow sfft-reference.md (the long spec; section numbers below are
 * its own): I is the image that gets convolved (phrosty: the cross-convolved
 * aligned template, C_object, "REF"), J the image it is matched to (the
 * cross-convolved science image, C_target). The model (§5.3) is
 *
 *     M(x) = sum_ij sum_ab a_ijab [I_ij (*) K_ab](x) + sum_pq b_pq T_pq(x)
 *     I_ij = cx^i cy^j I,   T_pq = cx^p cy^q,
 *     cx = (x0 + 1) / N0,   cy = (y0 + 1) / N1       (x0, y0 0-based)
 *
 * with N0 = NAXIS1 = nx (along x), N1 = NAXIS2 = ny, K_00 = delta, K_ab =
 * delta_ab - delta_00 ("modified delta basis"), (a, b) in [-w, w]^2 with a
 * along x, and every shift circular on the nx x ny torus. The difference is
 * DIFF = J - M(I) (science minus matched reference, §5.2).
 *
 * Layout: images are row-major [y * nx + x] like every ph array; kernels are
 * (2w+1) x (2w+1) row-major with the coefficient of shift (a, b) at
 * [(b + w) * (2w + 1) + (a + w)] -- the ordinary FITS orientation of SFFT's
 * (x, y) arrays written with .T (§11.1).
 *
 * Unknown vector (SFFT's order, §5.3): index ij * fab + (a + w) * L + (b + w)
 * for the kernel (ij in SFFT's term order, a outer, b inner), then the fpq
 * background terms. Our coefficients are PHYSICAL: SFFT's stored
 * `Solution` holds the kernel part multiplied by N0 * N1 (§5.4); divide it
 * by ph_sfft_scale() to compare.
 *
 * The arithmetic on full-size images runs in an "engine" (CPU: FFTW; GPU:
 * cuFFT in cuda/subtract_engine.cu); everything else -- the fitting logic,
 * the normal-equation assembly from correlation lag windows, the dense solve
 * (LAPACK), the kernel realisation -- is this file's, shared by both.
 */
#ifndef PH_SFFT_H
#define PH_SFFT_H

#include <stddef.h>
#include <stdint.h>

/* ---- parameters and basis sizes ------------------------------------------ */

typedef struct ph_sfft_params {
    int w;           /* kernel half-width (SFFT GKerHW): kernel (2w+1)^2; phrosty 9 */
    int dk;          /* kernel spatial polynomial order (KerPolyOrder); phrosty 2 */
    int db;          /* differential background order (BGPolyOrder); phrosty 0 */
    int const_ratio; /* ConstPhotRatio: kernel sum constant over the image; phrosty 1 */
} ph_sfft_params;

/* phrosty's settings: w 9, dk 2, db 0, const_ratio 1. */
void ph_sfft_params_default(ph_sfft_params *p);

typedef struct ph_sfft_basis {
    int L;     /* 2w + 1 */
    int fij;   /* kernel polynomial terms (dk+1)(dk+2)/2 */
    int fab;   /* shifts L * L */
    int fpq;   /* background terms (db+1)(db+2)/2 */
    int neq;   /* fij * fab + fpq: SFFT's full unknown vector (2167 for phrosty) */
    int nfree; /* neq minus the fij - 1 forbidden stripes when const_ratio (2162) */
} ph_sfft_basis;

void ph_sfft_basis_of(const ph_sfft_params *p, ph_sfft_basis *b);

/* Powers (i of cx, j of cy) of polynomial term t of an order-`order`
 * polynomial, in SFFT's order (0,0),(0,1),..,(0,D),(1,0),..,(D,0). */
void ph_sfft_term_powers(int order, int t, int *i, int *j);

/* Index of unknown (term ij, shift a, b) in the full vector. */
int ph_sfft_index(const ph_sfft_basis *b, int ij, int a, int bshift);
/* 1 if full index k is a forbidden stripe (const_ratio, ij != 0, a = b = 0):
 * SFFT drops it from the system and stores 0 there (§5.3). */
int ph_sfft_forbidden(const ph_sfft_params *p, const ph_sfft_basis *b, int k);

/* SFFT's solution scaling N0 * N1 (§5.4). */
double ph_sfft_scale(long nx, long ny);

/* Checks the parameters (w >= 1, 0 <= dk, db <= 10) and that an nx x ny image
 * can hold them: the correlation lags up to 2w must not alias, so
 * nx, ny >= 4w + 2. Error recorded (PH_EUSAGE for bad parameters, PH_EFAIL
 * for a too small image) naming `file`. */
int ph_sfft_check(const ph_sfft_params *p, long nx, long ny, const char *file);

/* ---- the engine: full-size arithmetic, CPU or GPU ------------------------- */

/* Slots of the two images an engine holds. */
enum { PH_SFFT_I = 0, PH_SFFT_J = 1 };

typedef struct ph_sfft_engine ph_sfft_engine;
struct ph_sfft_engine {
    const char *name; /* "cpu" or "gpu" */
    char desc[256];   /* for the DEVICE header key: "cpu (FFTW, 2 threads)" */
    long nx, ny;
    void *impl;

    /* out = img (*) k, linear convolution with zero boundary, "same" size
     * (sfft-reference §4; k used as given: normalise before). The result
     * becomes the engine's image `slot` and is written to the caller's
     * `out` (nx*ny doubles), which must stay alive until the engine is
     * freed (the CPU engine computes in it). img may equal out. */
    int (*crossconv)(ph_sfft_engine *e, int slot, const double *img, const double *k, long L,
                     double *out);
    /* Make `img` (caller-owned, alive until the engine is freed) the
     * engine's image `slot` without convolving. */
    int (*load)(ph_sfft_engine *e, int slot, double *img);

    /* Prepare the fit (§5.4 step 1) on masked copies (pixels where
     * fit[p] == 0 set to 0) of I_ij (indices 0..fij-1) and J (index fij),
     * and, when db > 0, the unmasked T_pq (indices fij+1..fij+fpq), for
     * kernel half-width w. `fit` must stay valid until fit_done. (The CPU
     * engine transforms each image when a correlation first needs it.) */
    int (*fit_spectra)(ph_sfft_engine *e, const uint8_t *fit, int w, int dk, int db);
    /* Sum over the nx x ny image of fit image k. */
    int (*spectrum_sum)(ph_sfft_engine *e, int k, double *sum);
    /* Lag window of the circular (nx x ny torus) cross-correlation of fit
     * images u and v:
     * win[(ry + R) * (2R + 1) + (rx + R)] = sum_x u(x) v(x + r), |rx|, |ry| <= R <= 2w.
     * Calls with the same u in a row are cheapest (the engines cache u's
     * transform). `keep` 0 says that no later call of this fit has v as its
     * second image: the engine may compute in v's transform and release it
     * (then such a call makes it again). */
    int (*corr_window)(ph_sfft_engine *e, int u, int v, int R, double *win, int keep);
    /* Release the fit spectra. */
    void (*fit_done)(ph_sfft_engine *e);

    /* diff = J - sum_ij (cx^i cy^j I) (*) kstd[ij] - sum_pq bg[pq] T_pq
     * (circular), with the unmasked images; kstd holds fij kernels of
     * (2w+1)^2 in the layout above. Into *diff (nx*ny doubles), or, when
     * *diff is NULL, into an array the engine allocates with
     * ph_sfft_alloc_big (the CPU engine hands over the buffer it computed
     * in) and the caller frees with ph_sfft_free_big. */
    int (*difference)(ph_sfft_engine *e, int dk, int w, const double *kstd, int db,
                      const double *bg, double **diff);

    void (*free)(ph_sfft_engine *e);
    /* Largest memory the engine held at once (bytes; device memory on a GPU). */
    double peak_bytes;
};

/* ---- for engine implementations ---- */

/* The per-pixel arithmetic both engines share (transform grids, products,
 * lag windows, the difference) is in sfft_elem.h. */

/* The fit images of an engine: index k of fit_spectra is the masked I_ij
 * (k < fij), the masked J (k = fij) or the unmasked T_pq (k > fij, only
 * when db > 0); *i, *j are the powers of cx and cy. */
typedef enum { PH_SFFT_FIT_I, PH_SFFT_FIT_J, PH_SFFT_FIT_T } ph_sfft_fit_kind;
ph_sfft_fit_kind ph_sfft_fit_image(int dk, int db, int k, int *i, int *j);
/* How many fit images: fij + 1 (+ fpq when db > 0). */
int ph_sfft_fit_count(int dk, int db);

/* The CPU engine (FFTW_ESTIMATE plans, `nthreads` threads for transforms
 * and pointwise loops). NULL on error (recorded). */
ph_sfft_engine *ph_sfft_cpu_engine_new(long nx, long ny, int nthreads);

/* The GPU engine (cuda/subtract_engine.cu, ph_subtract_gpu_engine_new) is
 * declared in cuda/ph_cuda.h with the other CUDA entry points. */

void ph_sfft_engine_free(ph_sfft_engine *e);

/* ---- fit, difference, kernels ---------------------------------------------- */

typedef struct ph_sfft_solution {
    ph_sfft_params par;
    ph_sfft_basis basis;
    long nx, ny;
    double *coef;  /* basis.neq values, SFFT's order, physical units; 0 at forbidden */
    long nfit;     /* pixels in the fitting mask */
    double rcond;  /* reciprocal condition estimate of the equilibrated system */
    int used_lu;   /* Cholesky failed, LU used */
} ph_sfft_solution;

/* Fit the kernel and background (§5.1-5.5) on the engine's images I and J
 * (loaded or cross-convolved), using the pixels where fit[p] != 0. Errors:
 * empty fitting mask; a singular system (rcond below `min_rcond` after
 * equilibration, or Cholesky and LU both failing). */
int ph_sfft_fit(ph_sfft_engine *e, const uint8_t *fit, const ph_sfft_params *p,
                double min_rcond, ph_sfft_solution *sol);

/* Same from a full solution vector in SFFT's units (e.g. SFFT's stored
 * Solution: kernel part divided by N0 * N1 here). */
int ph_sfft_solution_from_sfft(const ph_sfft_params *p, long nx, long ny, const double *sfft_sol,
                               int n, ph_sfft_solution *sol);

void ph_sfft_solution_free(ph_sfft_solution *sol);

/* The per-term standard-basis kernels (§5.3): kstd[ij][(b+w)L + (a+w)] =
 * a_ijab for (a,b) != 0 and a_ij00 - sum_{(a,b)!=0} a_ijab at the centre.
 * kstd has fij * L * L doubles. */
void ph_sfft_kernel_terms(const ph_sfft_solution *s, double *kstd);

/* The matching kernel realised at 0-based pixel (x0, y0): sum_ij cx^i cy^j
 * kstd[ij]; L * L doubles. Its sum is the local photometric ratio. */
void ph_sfft_kernel_at(const ph_sfft_solution *s, double x0, double y0, double *k);

/* At the image centre as SFFT realises it (§5.7): 1-based (N0/2 + 0.5,
 * N1/2 + 0.5), i.e. x0 = nx/2 - 0.5, y0 = ny/2 - 0.5. */
void ph_sfft_kernel_centre(const ph_sfft_solution *s, double *k);

/* Photometric ratio (kernel sum) at 0-based pixel (x0, y0): sum_ij a_ij00
 * cx^i cy^j; the constant a_0000 with const_ratio. */
double ph_sfft_ratio_at(const ph_sfft_solution *s, double x0, double y0);

/* Differential background at 0-based pixel (x0, y0). */
double ph_sfft_background_at(const ph_sfft_solution *s, double x0, double y0);

/* DIFF = J - M(I) on the engine's unmasked images (§5.6), circular, into
 * the caller's nx*ny array. */
int ph_sfft_difference(ph_sfft_engine *e, const ph_sfft_solution *s, double *diff);
/* The same into a new array (*diff; free with ph_sfft_free_big): the CPU
 * engine hands over the memory it computed in, a full-size plane less. */
int ph_sfft_difference_new(ph_sfft_engine *e, const ph_sfft_solution *s, double **diff);

/* ---- small helpers -------------------------------------------------------- */

/* A fast FFT length >= n: even, with no prime factor above 7. */
long ph_sfft_fast_size(long n);

/* Large arrays (image planes, spectra) aligned for FFTW and the CPU's huge
 * pages, where the kernel offers them: first touch of fresh memory is a
 * large share of the run time on virtual machines. Free with
 * ph_sfft_free_big. NULL on error (recorded, naming `what`). */
void *ph_sfft_alloc_big(size_t bytes, const char *what);
void ph_sfft_free_big(void *p);

/* PSF of the cross-convolved images (§4): p_sci (*) (p_ref / sum p_ref),
 * linear, cropped to p_sci's size (n_sci x n_sci, both odd, square). */
void ph_sfft_conv_psf(const double *p_sci, long n_sci, const double *p_ref, long n_ref,
                      double *out);

#endif
