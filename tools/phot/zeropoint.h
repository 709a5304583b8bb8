/* zeropoint.h -- ph-phot's field-star zero point: catalogue stars measured
 * on an image with a PSF stamp, and the zero-point file that carries the
 * result of one science image to the photometry of each of its pairs.
 *
 * Where: once per science image, on its sky-subtracted ph image over the
 * whole field (`ph-phot SKY.fits --catalog STARS -o zpt.csv`), or per pair
 * on DECORR_SCI (`ph-phot DECORR.fits --catalog STARS`, only the template
 * overlap). Both are on the flux scale of the decorrelated difference: the
 * cross-convolution kernel (the rotated template PSF) sums to 1 and the
 * decorrelation filter is 1 at zero frequency, so a star of F counts in
 * the science image has F counts in CSCI, DECORR_SCI and, were it a
 * transient, DECORR_DIFF.
 *
 * Zero-point file: CSV, a header line then one row:
 *   science_name, observation_id, sca, band, mjd  the science image
 *   zpt, zpt_source, zpt_nstars, zpt_scatter      as the light-curve row
 *   zpt_header                                   the image's own zero point
 *   ncatalog                                     catalogue stars on the image
 *   method                                       aperture:R or psf
 *   catalog                                      the catalogue's file name
 * zpt_source is `catalog` (the median over zpt_nstars stars) or `header`
 * (too few stars: the image's header zero point, zpt_nstars the stars that
 * were measured).
 */
#ifndef PH_PHOT_ZEROPOINT_H
#define PH_PHOT_ZEROPOINT_H

#include "base/gpu.h"
#include "io/header.h"
#include "sci/psffit.h"

#include <stdint.h>

typedef struct phot_zp_opts phot_zp_opts;
/* PSF fits of n stars (ph_psffit_batch's arguments): main.c's runs them on
 * the GPU when one is used; NULL: ph_psffit_batch on the CPU. */
typedef int (*phot_zp_fitter)(const phot_zp_opts *o, const ph_psf_spline *s, const ph_fit_plane *p,
                            const ph_fit_opts *fo, long n, const double *x, const double *y,
                            ph_fit_result *res);

struct phot_zp_opts {
    const char *catalog;
    int catfmt;              /* PH_CAT_* */
    double mag_lo, mag_hi;   /* AB range of the stars used */
    long min_stars;          /* fewest stars for a catalogue zero point */
    double aperture;         /* > 0: aperture radius over the PSF's own; 0: PSF fit */
    ph_fit_opts fit;         /* annulus (the fit box is set here) */
    const char *star_table;  /* CSV of every star's measurement, or NULL */
    phot_zp_fitter fit_stars;  /* with aperture 0 */
    int use_gpu;             /* for fit_stars: the GPU, */
    ph_device device;        /* and the options that choose it */
    const char *gpu_lock;
    long gpu_slots;
};

/* The image the stars are measured on, and its PSF. */
typedef struct phot_zp_image {
    const char *path;
    const float *data, *var; /* var may be NULL */
    const uint8_t *mask;     /* may be NULL; BAD and OUTSIDE pixels unused */
    long nx, ny;
    const ph_header *hdr;    /* the WCS */
    double exptime;          /* for a truth catalogue's ZPTMAG (NaN: unknown) */
    const double *psf;       /* odd stamp, sum 1 */
    long npsf;
    const ph_psf_spline *spline; /* of psf, for PSF fits */
    double dx, dy;           /* the stamp's centre from its centre pixel (phase) */
    double apcorr;           /* fluxes are divided by it (PSFFRAC x (1 - PSFLOSS)) */
} phot_zp_image;

typedef struct phot_zp_result {
    double zpt;     /* median of m + 2.5 log10(flux); NaN when no star */
    double scatter; /* 1.4826 x MAD */
    long nused;     /* stars in the median */
    long ncatalog;  /* catalogue stars read */
} phot_zp_result;

/* Measure every catalogue star on the image and take the zero point. Too
 * few stars is not an error here (r->nused says it); errors: the catalogue,
 * the WCS, the star table, out of memory. */
int phot_zp_measure(const phot_zp_opts *o, const phot_zp_image *im, phot_zp_result *r);

/* The method as the zero-point file names it: "aperture:4" (radius > 0) or
 * "psf" (0). */
void phot_zp_method(double aperture, char *out, size_t size);

typedef struct phot_zp_file {
    char science_name[256];
    char observation_id[64];
    long sca;               /* -1: unknown */
    char band[16];
    double mjd;
    double zpt;
    char zpt_source[16];    /* "catalog" or "header" */
    double zpt_nstars, zpt_scatter, zpt_header, ncatalog;
    char method[32];
    char catalog[256];
} phot_zp_file;

int phot_zp_file_write(const char *path, const phot_zp_file *z);
/* Read and check: the columns above, one row, zpt finite, zpt_source
 * catalog or header. Errors name the file. */
int phot_zp_file_read(const char *path, phot_zp_file *z);

#endif
