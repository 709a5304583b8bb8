/* romanpsf.h -- the analytic Roman PSF (and a pixel-integrated Gaussian),
 * built in Fourier space so that every sub-pixel phase is exact.
 *
 * Model ("roman"), per band (bands.h), as a product of Fourier transforms
 * (k in cycles per native pixel):
 *
 *   P(k) = [sum_l w_l OTF_annulus(k lambda_l / D; eps) A_l(k)]   optics
 *          x exp(-2 pi^2 (s_jit^2 + s_diff^2) |k|^2)              jitter, charge diffusion
 *          x sinc(kx) sinc(ky)                                  pixel response (1-px box)
 *
 *  - OTF_annulus: the autocorrelation of an annular pupil of diameter D
 *    (2.36 m) and linear obscuration eps (O'Neill 1956 closed form), zero
 *    beyond the cut-off D/lambda: the obscured Airy pattern.
 *  - wavelengths l: `nlambda` equal bins across the bandpass, weighted by
 *    1/lambda (photons of a source flat in f_nu, the AB convention);
 *    nlambda = 1 is monochromatic at the band's effective wavelength.
 *  - A_l(k): a static wavefront error of `wfe_nm` rms, Gaussian-correlated
 *    over `wfe_corr` pupil radii: A = exp(-s^2 (1 - exp(-(rho/c)^2))),
 *    s = 2 pi wfe / lambda, rho the pupil shear in pupil radii (2 k lambda/D).
 *    This is the ensemble-average effect of the telescope's aberrations
 *    (Strehl exp(-s^2) in the core, the rest in a halo a few lambda/D wide).
 *  - the red filters F184 and K213 sit behind Roman's more restrictive cold
 *    pupil mask: their default obscuration is larger (see defaults).
 *
 * The defaults (80 nm, 0.5 pupil radii, eps 0.32 or 0.38 for F184/K213) make
 * the optical FWHM, measured as the published table measures it, match the
 * Roman WFI table (bands.h fwhm_arcsec) within 3% in every band; see
 * ph_romanpsf_fwhm_optical() and man ph-sim.
 *
 * Model ("gaussian"): P(k) = exp(-2 pi^2 sigma^2 |k|^2) sinc(kx) sinc(ky):
 * a circular Gaussian of sigma native pixels integrated over the pixel, as
 * snappl's GaussianPSF (no jitter, no diffusion).
 *
 * Sampling. The model is evaluated through its Fourier series on a period
 * of L native pixels: the image is the PSF periodised with period L (light
 * beyond L/2 from the centre wraps around, so a rendered stamp holds the
 * whole flux: a native L x L stamp sums to 1 to rounding). The optics are
 * band-limited (zero beyond D/lambda_min), so for the "roman" model the
 * sampling is exact at any phase and oversampling; for "gaussian" the
 * series is cut where the transform falls below 1e-15.
 *
 * Conventions: arrays are row-major [y][x]. A native stamp of odd size n
 * has its centre pixel at [(n-1)/2][(n-1)/2]; "phase" (dx, dy) is where the
 * PSF centre lies relative to the centre of that pixel, in native pixels
 * (dx = x0 - floor(x0 + 0.5) for a source at 0-based x0, so in [-0.5, 0.5)).
 * A pixel-integrated ("effective", ePSF) sample is the fraction of the flux
 * that falls in a native pixel centred on the sample point.
 *
 * Not thread-safe: a ph_romanpsf caches FFT plans; use one per thread.
 */
#ifndef PH_ROMANPSF_H
#define PH_ROMANPSF_H

enum { PH_RPSF_ROMAN = 0, PH_RPSF_GAUSSIAN = 1 };

typedef struct ph_romanpsf_opts {
    int model;              /* PH_RPSF_ROMAN or PH_RPSF_GAUSSIAN */
    char band[16];          /* band name (bands.h), for headers */
    double lambda_um;       /* effective wavelength (nlambda = 1) */
    double lambda_min_um;   /* bandpass edges (nlambda > 1) */
    double lambda_max_um;
    int nlambda;            /* wavelengths across the band; default 9 */
    double diameter_m;      /* 2.36 */
    double obscuration;     /* linear central obscuration; 0.32 (F184, K213: 0.38) */
    double wfe_nm;          /* static wavefront error rms; 80 (0 = perfect optics) */
    double wfe_corr;        /* its correlation length, pupil radii; 0.5 */
    double jitter_arcsec;   /* pointing jitter rms per axis; 0.014 */
    double diffusion_px;    /* charge diffusion, Gaussian sigma in pixels; 0.1 */
    double pixscale_arcsec; /* 0.11 */
    double sigma_px;        /* PH_RPSF_GAUSSIAN: sigma in native pixels */
    int pixel;              /* 1: include the 1-pixel box (ePSF); 0: optical PSF */
} ph_romanpsf_opts;

typedef struct ph_romanpsf ph_romanpsf;

/* Defaults for `band` (name as ph_band_find accepts). Error (PH_EUSAGE,
 * listing the bands) if the band is unknown. */
int ph_romanpsf_defaults(ph_romanpsf_opts *o, const char *band);

/* Parse a model name: "roman" or "gaussian:SIGMA" (SIGMA in native pixels,
 * 0.2 ... 50). Sets o->model and o->sigma_px. Returns 0 or -1 (no error
 * recorded: the caller names the source). */
int ph_romanpsf_parse_model(const char *s, ph_romanpsf_opts *o);

/* Build the model (radial transfer-function table). NULL on error
 * (recorded: bad parameters, out of memory). */
ph_romanpsf *ph_romanpsf_new(const ph_romanpsf_opts *o);
void ph_romanpsf_free(ph_romanpsf *p);
const ph_romanpsf_opts *ph_romanpsf_get_opts(const ph_romanpsf *p);

/* The model's Fourier transform at (kx, ky) cycles per native pixel
 * (1 at k = 0), and the frequency beyond which it is zero (roman) or
 * below 1e-15 (gaussian). */
double ph_romanpsf_ft(const ph_romanpsf *p, double kx, double ky);
double ph_romanpsf_kmax(const ph_romanpsf *p);

/* A source's Fourier transform (1 at k = 0 for unit flux), for rendering
 * extended sources: value at (kx, ky) cycles per native pixel, and the
 * frequency beyond which it may be taken as zero (<= 0: no limit). */
typedef struct ph_source_ft {
    double (*ft)(double kx, double ky, void *ctx);
    void *ctx;
    double kmax;
} ph_source_ft;

/* Sample (PSF (*) source) -- the source NULL for a point -- on a grid of
 * g x g points, g = oversamp * period_px, spaced 1/oversamp native pixels:
 * out[j][i] is the value at offset ((i - g/2)/oversamp - dx,
 * (j - g/2)/oversamp - dy) from the source centre, i.e. the source sits at
 * (dx, dy) native pixels from grid point [g/2][g/2]. period_px >= 8 even,
 * oversamp >= 1. With the pixel response on and oversamp 1, out sums to 1.
 * Returns 0 or PH_EFAIL (recorded). */
int ph_romanpsf_render(ph_romanpsf *p, const ph_source_ft *src, long period_px, int oversamp,
                       double dx, double dy, double *out);

/* The native-pixel stamp the simulator draws for a point source at phase
 * (dx, dy): the central n x n of ph_romanpsf_render(p, NULL, period, 1,
 * dx, dy), period = ph_romanpsf_period(p, n). n odd >= 3. It sums to the
 * flux fraction inside the stamp (< 1; not renormalised). */
int ph_romanpsf_stamp(ph_romanpsf *p, double dx, double dy, long n, double *out);

/* The period the simulator uses for point sources: 64 native pixels, or
 * the smallest power of two >= n + 16 for a bigger stamp. */
long ph_romanpsf_period(const ph_romanpsf *p, long n);

/* The oversampled ePSF (pixel response as in the options) centred on the
 * centre sample of an odd m x m grid, m = oversamp * n (oversamp odd, n
 * odd): out[j][i] at offset ((i - (m-1)/2)/oversamp, ...) native pixels.
 * Every oversamp-th sample starting at (a, b) is the native stamp at phase
 * (-(a - c)/oversamp, ...) where c = (oversamp-1)/2 ... (see man ph-sim). */
int ph_romanpsf_oversampled(ph_romanpsf *p, int oversamp, long n, double *out);

/* FWHM measurements of a centred, oversampled image (n x n samples spaced
 * `step` arcsec or pixels; centre at [n/2][n/2] for even n, [(n-1)/2] for
 * odd n):
 *  - gauss: the method of STScI's published table (poppy's measure_fwhm):
 *    a Gaussian of free amplitude and width, centred, least-squares fitted
 *    to the samples above 10% of the peak, against radius;
 *  - halfmax: twice the radius where the profile along +x and +y (mean of
 *    the two) falls to half the centre value, linear interpolation. */
double ph_romanpsf_fwhm_gauss(const double *img, long n, double step);
double ph_romanpsf_fwhm_halfmax(const double *img, long n, double step);

/* The optical FWHM (arcsec) compared with the published table: the optics
 * of `o` (pixel response, diffusion and our jitter off) convolved with the
 * table's own 8 mas FWHM Gaussian jitter, sampled 8x finer than a pixel,
 * measured with ph_romanpsf_fwhm_gauss. With jitter_arcsec >= 0 that jitter (rms)
 * is used instead. NAN on error (recorded). */
double ph_romanpsf_fwhm_optical(const ph_romanpsf_opts *o, double jitter_arcsec);

/* The ePSF FWHM in native pixels (everything in `o`, pixel on), 8x
 * oversampled, halfmax method. NAN on error. */
double ph_romanpsf_fwhm_epsf(const ph_romanpsf_opts *o);

#endif
