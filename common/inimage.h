/* inimage.h -- reading the images users bring (before ph-skysub).
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
#ifndef PH_INIMAGE_H
#define PH_INIMAGE_H

#include "header.h"
#include "meta.h"

#include <stdint.h>

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
int ph_inimage_read(const char *path, const ph_input_opts *opts, ph_input *in);
void ph_inimage_free(ph_input *in);

/* The same images read for low memory (ph-skysub on 4088x4088 frames):
 * the image as float32 (4 bytes a pixel instead of 8), the flags reduced
 * row by row to one byte (1 = flagged, 0 = good), and the noise plane only
 * when wanted: want_noise = PH_NOISE_NO, PH_NOISE_YES, or PH_NOISE_UNLESS_OU
 * (not for the OpenUniverse2024 layout, whose ERR is no noise map). The
 * names of the HDUs used are kept for messages and headers ("" when a
 * plane is absent; a plane present but not read keeps its name). The
 * planes are allocated with ph_plane_alloc() (plane.h): free them with
 * ph_plane_free() or ph_inimage_lite_free(). */
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

int ph_inimage_read_lite(const char *path, const ph_input_opts *opts, int want_noise,
                         ph_input_lite *in);
void ph_inimage_lite_free(ph_input_lite *in);

#endif
