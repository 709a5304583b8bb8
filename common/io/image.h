/* image.h -- the two kinds of image file: the ph image (ph_image), which
 * every tool after ph-skysub reads and writes, and the images users bring
 * (ph_input), which ph-skysub and ph-import read once. */
#ifndef PH_IMAGE_H
#define PH_IMAGE_H

#include "io/fits.h"
#include "io/header.h"
#include "io/ovpsf.h"

#include <stddef.h>
#include <stdint.h>

/* The ph image: the file every tool after ph-skysub reads.
 *
 * One FITS file, an empty primary HDU, then image extensions found by
 * EXTNAME: SCI (float32, sky-subtracted image), VAR (float32, variance in
 * SCI units squared), MASK (uint8 bit field, PH_MASK_*), optional PSF
 * (float64, odd square, sum 1) and, with it, optional EPSF (the same PSF
 * oversampled, io/ovpsf.h). The SCI header keeps the full WCS and the
 * metadata keys of header.h. Arrays are row-major: [y * nx + x].
 */

enum {
    PH_MASK_DETECTED = 1, /* in the detection mask: selects SFFT fitting pixels */
    PH_MASK_BAD = 2,      /* flagged, NaN or saturated: never used */
    PH_MASK_OUTSIDE = 4,  /* no data after alignment */
};

/* Planes to read (bit set). */
enum { PH_PLANE_SCI = 1, PH_PLANE_VAR = 2, PH_PLANE_MASK = 4, PH_PLANE_PSF = 8,
       PH_PLANE_ALL = 15 };

typedef struct ph_image {
    long nx, ny;     /* NAXIS1 (columns, x), NAXIS2 (rows, y) */
    float *sci;      /* NULL when not read */
    float *var;
    uint8_t *mask;
    double *psf;     /* psf_size x psf_size, or NULL */
    long psf_size;
    ph_ovpsf *psf_ov;   /* the EPSF HDU, or NULL */
    ph_header *hdr;  /* SCI header: WCS + metadata. Owned by the image:
                      * ph_image_free frees it; a caller that keeps it sets
                      * hdr = NULL first (ph-psf does). */
    ph_meta meta;    /* parsed from hdr */
} ph_image;

/* Read the planes in `planes` (PSF is optional: absent means psf = NULL;
 * PH_PLANE_PSF also reads EPSF when present; the others are required). Checks that all planes share one size and that
 * a PSF is odd and square. */
int ph_image_read(const char *path, unsigned planes, ph_image *img);

/* Write SCI, VAR, MASK (those not NULL) and PSF (if set); the header is
 * written on SCI with the metadata of img->meta merged in (a copy: img->hdr
 * stays the caller's). Atomic. */
int ph_image_write(const char *path, const ph_image *img);

/* The same HDUs appended to a file being written (the caller adds its own
 * and commits). */
int ph_image_write_hdus(ph_fits_out *o, const ph_image *img);

/* Frees every plane, the PSF, EPSF and hdr, and zeroes *img. */
void ph_image_free(ph_image *img);

/* A variance plane must be positive somewhere: all zero (or NaN) gives
 * errors of nothing and weights of infinity without a word. Error naming
 * the file and HDU otherwise. (A constant plane is allowed: ph-import
 * writes SKYRMS^2 when no noise map is given.) */
int ph_image_var_check(const float *var, size_t n, const char *file, const char *hdu);

/* Input images: reading the images users bring (before ph-skysub).
 *
 * Layouts understood:
 *  - OpenUniverse2024 ("ou2024fits", phrosty's default): HDU 1 SCI (image
 *    in ADU, sky not subtracted), HDU 2 ERR (NOT a noise map: the sky-only
 *    image, see pipeline-spec.md), HDU 3 DQ (flags, 0 good); .fits or
 *    .fits.gz.
 *  - phrosty's "threefile" manual FITS: PATH_image.fits, PATH_noise.fits,
 *    PATH_flags.fits (single-HDU files), given as PATH.
 *  - any FITS: the HDUs chosen with `hdu`, `noise_hdu`, `flags_hdu` (names
 *    or numbers), or the first 2-D image when `hdu` is NULL.
 */

typedef struct ph_input_opts {
    const char *hdu;       /* image HDU; NULL: SCI if present, else the first image */
    const char *noise_hdu; /* NULL: ERR if present; "none": no noise plane */
    const char *flags_hdu; /* NULL: DQ if present; "none": no flags */
} ph_input_opts;

typedef enum { PH_LAYOUT_OU2024, PH_LAYOUT_THREEFILE, PH_LAYOUT_GENERIC } ph_layout;

typedef struct ph_input {
    long nx, ny;
    double *sci;     /* image */
    float *noise;    /* noise plane as stored, NULL if none */
    uint32_t *flags; /* 0 = good, NULL if none */
    ph_header *hdr;  /* header of the image HDU */
    ph_meta meta;
    ph_layout layout;
    long nfinite;    /* finite pixels in sci */
} ph_input;

/* Read an input image; errors name the file and HDU. An image without a
 * single finite pixel is an error. */
int ph_image_input_read(const char *path, const ph_input_opts *opts, ph_input *in);
void ph_image_input_free(ph_input *in);

/* The same images read for low memory (ph-skysub on 4088x4088 frames):
 * the image as float32 (4 bytes a pixel instead of 8), the flags reduced
 * row by row to one byte (1 = flagged, 0 = good), and the noise plane only
 * when wanted: want_noise = PH_NOISE_NO, PH_NOISE_YES, or PH_NOISE_UNLESS_OU
 * (not for the OpenUniverse2024 layout, whose ERR is no noise map). The
 * names of the HDUs used are kept for messages and headers ("" when a
 * plane is absent; a plane present but not read keeps its name). The
 * planes are allocated with ph_plane_alloc() (base/planealloc.h): free them with
 * ph_plane_free() or ph_image_input_lite_free(). */
enum { PH_NOISE_NO = 0, PH_NOISE_YES = 1, PH_NOISE_UNLESS_OU = 2 };
typedef struct ph_input_lite {
    long nx, ny;
    float *sci;        /* image */
    float *noise;      /* noise plane as stored, NULL if absent or not wanted */
    uint8_t *flagged;  /* 1 where flags != 0, NULL if no flags plane */
    ph_header *hdr;    /* header of the image HDU */
    ph_meta meta;
    ph_layout layout;
    long nfinite;      /* finite pixels in sci */
    char sci_hdu[80], noise_hdu[80], flags_hdu[80];
} ph_input_lite;

int ph_image_input_read_lite(const char *path, const ph_input_opts *opts, int want_noise,
                       ph_input_lite *in);
void ph_image_input_lite_free(ph_input_lite *in);

#endif
