/* psf.h -- the work of ph-psf on arrays (no file I/O here except in
 * psffile.c, which reads model files).
 *
 * Every model gives a native stamp of odd size n whose centre pixel
 * [(n-1)/2][(n-1)/2] is image pixel floor(x0 + 0.5); the PSF centre lies at
 * (dx, dy) from the centre of that pixel ("phase"). ph-psf uses phase 0 (the
 * centred stamp SFFT wants) unless --at-position asks for phrosty's
 * convention (dx = x0 - floor(x0 + 0.5)).
 */
#ifndef PH_TOOL_PSF_H
#define PH_TOOL_PSF_H

#include "io/header.h"
#include "sci/interp.h"
#include "io/ovpsf.h"
#include "sci/romanpsf.h"

#include <stdint.h>

/* ---- file models (psffile.c) ------------------------------------------- */

/* A PSF model file: an odd m x m image, or a cube of NGRID such images,
 * sampled every 1/OVERSAMP native pixel with its centre sample at the PSF
 * centre. Keys:
 *   OVERSAMP  samples per native pixel (integer >= 1; 1 if absent)
 *   PIXRESP   T (default): samples are of the effective PSF (pixel response
 *             included); F: of the optical PSF, which is then integrated
 *             over the pixel here (OVERSAMP odd >= 3)
 *   NGRID     planes (1 if absent); NGRIDX x NGRIDY = NGRID, plane
 *             k = iy * NGRIDX + ix (NGRIDX = NGRID, NGRIDY = 1 if absent)
 *   GRIDXi, GRIDYj  0-based image position of grid column i and row j
 *             (increasing); the PSF at (x0, y0) is the bilinear
 *             interpolation of the four planes around it, the nearest
 *             edge plane(s) outside the grid. */
typedef struct psf_file {
    long m;            /* samples across (odd) */
    int oversamp;
    int pixresp;
    double fluxfrac;   /* key PSFFRAC: the share of the whole PSF's flux the model
                        * holds (its own truncation; 1 when absent) */
    int ngx, ngy;
    double *gx, *gy;   /* ngx, ngy positions */
    double *planes;    /* ngx * ngy planes of m * m */
    int fourier;       /* resample by band-limited (Fourier) interpolation, not
                        * with the kernel passed to psf_file_stamp */
    char path[1024];
} psf_file;

/* Expand {band}, {sca}, {pointing} in `pattern` into out. Errors (usage):
 * an unknown placeholder, a value that is needed but unknown (empty band,
 * sca < 0, empty pointing). */
int psf_pattern_expand(const char *pattern, const char *band, long sca, const char *pointing,
                       char *out, size_t size, const char *image);

int psf_file_load(const char *path, psf_file *f);

/* FWHM (native px) of the model at (x0, y0): resampled 8x (bicubic, or
 * Fourier when f->fourier is set),
 * half-maximum method (romanpsf.h); NaN when OVERSAMP < 2. */
double psf_file_fwhm(const psf_file *f, double x0, double y0);
void psf_file_free(psf_file *f);

/* The native stamp at image position (x0, y0) and phase (dx, dy), sampled
 * from the (interpolated, pixel-integrated) model with kernel `k`, or by
 * Fourier interpolation when f->fourier is set. *frac =
 * stamp sum / model flux (the model flux is the sum of its samples /
 * OVERSAMP^2). Not normalised. */
int psf_file_stamp(const psf_file *f, double x0, double y0, double dx, double dy, long n,
                   ph_interp k, double *out, double *frac);

/* ---- the A25 ePSF library (a25.c) --------------------------------------- */

/* One file of the library as stored: an n x n array (odd) sampling the
 * ePSF every 1/oversamp pixel, centred on its centre sample, summing to
 * the share of the PSF's flux it holds; x0, y0 where it was made. */
typedef struct a25_psf {
    long n;
    int oversamp;
    double x0, y0, sum;
    double *data; /* row-major, as stored */
} a25_psf;

/* The grid centre (255.5 + 511 k, k = 0 ... 7) nearest to the 0-based SCA
 * coordinate p; a tie goes to the lower one. */
double a25_grid_centre(double p);

/* The library file for band, sca and the SCA position (x, y):
 * DIR/BAND/SCA/511_XC_YC_-_19.0_21.5_-_BAND_SCA.psf. Errors name `image`
 * (no band, no detector). */
int a25_path(const char *dir, const char *band, long sca, double x, double y, char *out,
             size_t size, const char *image);

/* Read one file (YAML: x0 y0 oversamp shape0 shape1 dtype data). Errors
 * (exit 1) name the file: not found, not YAML, a missing key, not square
 * and odd, an unknown dtype, data not base64 or of the wrong length,
 * non-finite values, a sum that is not positive. */
int a25_read(const char *path, a25_psf *out);
void a25_free(a25_psf *a);

/* As a file model (one plane, PIXRESP T, samples times oversamp^2 so that
 * they are ePSF values per native pixel, PSFFRAC = the array's sum), with
 * Fourier resampling: the library's 3x samples of a band-limited ePSF
 * (Roman's optics pass at most 1.36 cycles a pixel in Y106, below their
 * Nyquist frequency of 1.5) are interpolated exactly that way, where
 * Keys' bicubic kernel errs by about 1% (relative L2, Y106). */
int a25_to_model(const a25_psf *a, const char *path, psf_file *f);

/* ---- empirical PSF (epsf.c, epsf_*.c) ----------------------------------- */

typedef struct epsf_params {
    int oversamp;       /* grid samples per native pixel */
    int radius;         /* model half-width, native px (stamp size / 2) */
    int order;          /* spatial variation: 0 constant, 1 linear, 2 quadratic */
    int maxstars;       /* brightest stars kept */
    int niter;          /* outer iterations of the whole model */
    int niter_core;     /* iterations of the core model (radius 4) for the centres (60) */
    double snr;         /* minimum star S/N */
    double thresh;      /* detection threshold, x rms */
    double lattice_weight; /* weight of the equal sub-lattice sums penalty (1) */
    double kmax;        /* band limit of the PSF, cycles per native pixel (0: none) */
    double band_weight; /* weight of the band-limit penalty, relative (1) */
    double lm;          /* Levenberg-Marquardt damping of the joint fit (1e-3) */
    double reg;         /* smoothness weight, relative (1e-4) */
    double gain;        /* e- per image unit, for the Poisson variance (1) */
    double saturate;    /* stars with a pixel above 0.8 x this are dropped (NaN: none) */
    double fwhm_ref;    /* the band's ePSF FWHM (px; 0: unknown): a model whose
                         * FWHM is below 0.8 times it is refused */
} epsf_params;

/* The defaults: those of ph-psf's --epsf-* options from its table (ui.c),
 * a 20-pixel radius, and the fit's own settings. */
void epsf_defaults(epsf_params *p);

typedef struct epsf_model {
    int oversamp, radius, order, nterm;
    long g, h;          /* grid size g = 2h + 1; sample k at (k - h) / oversamp px */
    double *m;          /* nterm planes of g * g */
    double xs, ys, xc, yc; /* position scaling of the polynomial terms */
    int nstars;         /* stars in the final fit */
    int ncand;          /* candidates after selection */
    double chi2;        /* median reduced chi^2 of the stars */
} epsf_model;

/* The fewest stars a model of that order may be built from (30, 60, 120). */
int epsf_min_stars(int order);

/* Build the ePSF from a sky-subtracted image. bad[i] != 0 marks pixels
 * never used (may be NULL); rms is the sky noise (image units). */
int epsf_build(const float *img, const uint8_t *bad, long nx, long ny, double rms,
               const epsf_params *p, epsf_model *out, const char *file);

/* The model's value (flux fraction per native pixel) at offset (u, v)
 * native px from the PSF centre, for a star at image position (x0, y0). */
double epsf_eval(const epsf_model *e, double x0, double y0, double u, double v);

/* Native stamp at (x0, y0), phase (dx, dy); *frac = stamp sum (the model
 * has unit flux). */
void epsf_stamp(const epsf_model *e, double x0, double y0, double dx, double dy, long n,
                double *out, double *frac);

/* FWHM (native px) at (x0, y0): the model resampled 8x, half-maximum
 * method (romanpsf.h), as ph_romanpsf_fwhm_epsf measures it. */
double epsf_fwhm(const epsf_model *e, double x0, double y0);

void epsf_free(epsf_model *e);

/* ---- the analytic model fitted to the stars (romanfit.c) ----------------- */

typedef struct romanfit_result {
    double wfe_nm, jitter_arcsec; /* the fit */
    double chi2;                  /* median reduced chi^2 of the stars used */
    int nstars, ncand;            /* stars used, candidates */
} romanfit_result;

/* The wavefront error and jitter of the roman model `base` (the band's
 * defaults, say) that fit the stars of a sky-subtracted image best; the
 * stars are epsf's choice at S/N >= 50 (ep: its other parameters). Errors:
 * fewer than 3 stars, allocation. */
int romanfit_run(const float *img, const uint8_t *bad, long nx, long ny, double rms,
                 const epsf_params *ep, const ph_romanpsf_opts *base, romanfit_result *out,
                 const char *file);

/* ---- the oversampled ePSF (oversamp.c) ---------------------------------- */

/* A model's native n x n stamp with the PSF centre at (dx, dy) from the
 * centre pixel's centre, not normalised (the flux fraction per pixel). */
typedef int (*psf_stamp_fn)(void *ctx, double dx, double dy, long n, double *out);

/* The model oversampled o times (ovpsf.h) over the n x n native stamp's
 * extent: the samples of o x o native stamps at phases -r/o (r in
 * (-o/2, o/2]) interleaved, so every sample is the model's own value at its
 * offset, and scaled so that the phase-0 stamp sums to 1. `file` names the
 * model in errors. */
int psf_oversampled(psf_stamp_fn fn, void *ctx, int o, long n, const char *file, ph_ovpsf *out);

#endif
