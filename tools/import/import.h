/* import.h -- ph-import's work on arrays (no file I/O): the planes of a ph
 * image (io/image.h) from the plain arrays users bring from other telescopes:
 * an image, a noise or variance map, a bad-pixel mask, a detection mask.
 * Arrays are row-major [y * nx + x]. */
#ifndef PH_IMPORT_H
#define PH_IMPORT_H

#include <stdint.h>

typedef struct import_planes {
    long nx, ny;
    const double *image;  /* required */
    const double *noise;  /* 1-sigma map, or NULL */
    const double *var;    /* variance map, or NULL (not both) */
    const double *bad;    /* non-zero = BAD, or NULL */
    const double *det;    /* non-zero = DETECTED, or NULL */
    int det_all;          /* no detection mask: every good pixel is DETECTED */
    int nan_outside;      /* non-finite image pixels are OUTSIDE (no data), not BAD */
    double skyrms;        /* > 0: the sky rms; else estimated (see below) */
} import_planes;

typedef struct import_out {
    float *sci, *var;     /* nx * ny */
    uint8_t *mask;
    double skyrms;        /* used for SKYRMS */
    const char *skyrms_src; /* "option", "noise map", "image" */
    long nbad, noutside, ndet;
} import_out;

/* SCI = image (0 where not finite), VAR = noise^2 or var (0 where not
 * usable), MASK bits: BAD where the image, noise or variance is not finite
 * or the noise/variance is not positive or the mask is set; OUTSIDE for
 * non-finite image pixels with nan_outside; DETECTED per the detection mask
 * on pixels that are neither. Without noise or variance, VAR is skyrms^2.
 * skyrms, when not given: the median of sqrt(VAR) over good pixels, or
 * without a noise map the robust (inter-quartile) sigma of the image.
 * Error (recorded) if no pixel is good. */
int import_build(const import_planes *in, import_out *out);
void import_out_free(import_out *out);

/* Crop an odd n x n stamp to m x m (odd, m <= n) around its centre pixel. */
void import_crop(const double *in, long n, long m, double *out);

#endif
