/* phimage.h -- the ph image: the file every tool after ph-skysub reads.
 *
 * One FITS file, an empty primary HDU, then image extensions found by
 * EXTNAME: SCI (float32, sky-subtracted image), VAR (float32, variance in
 * SCI units squared), MASK (uint8 bit field, PH_MASK_*), optional PSF
 * (float64, odd square, sum 1) and, with it, optional EPSF (the same PSF
 * oversampled, common/ovpsf.h). The SCI header keeps the full WCS and the
 * metadata keys of meta.h. Arrays are row-major: [y * nx + x].
 */
#ifndef PH_PHIMAGE_H
#define PH_PHIMAGE_H

#include "fits.h"
#include "header.h"
#include "meta.h"
#include "ovpsf.h"

#include <stddef.h>
#include <stdint.h>

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

#endif
