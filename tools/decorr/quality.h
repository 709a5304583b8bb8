/* quality.h -- how clean the decorrelated difference is (common/sci/resid.h):
 * the static-star residuals in units of DIFF_VAR, written as header keys of
 * DECORR_DIFF, and a quick-look PNG of z = DECORR_DIFF / sqrt(DIFF_VAR)
 * around the transient and the brightest measured stars.
 *
 * ph-decorr streams its planes, so the boxes around those positions are
 * kept as each plane passes (a few thousand pixels in all).
 */
#ifndef PH_DECORR_QUALITY_H
#define PH_DECORR_QUALITY_H

#include "io/header.h"
#include "sci/resid.h"
#include "io/startab.h"

#include <stdint.h>

enum { DC_QL_HALF = 20, DC_QL_STARS = 5 };

typedef struct dc_quality {
    ph_startab stars;   /* the difference file's STARS (n = 0: none) */
    double *snr;
    long *sel, nsel;    /* the measured stars */
    long nbox;          /* boxes kept: the measured stars (7x7), then the quick-look panels */
    long *bx, *by;      /* box centres */
    int *half;          /* half sizes */
    size_t *off;        /* offsets into the pixel buffers */
    float *diff, *var;
    long nx, ny;
    long npanel;        /* quick-look panels (the last boxes) */
    char (*label)[64];
    double tx, ty;      /* the transient (NaN: unknown) */
} dc_quality;

/* Read STARS from the difference file `path`, select the stars (resid.h;
 * the transient's circle EXCLX, EXCLY, EXCLR of the DIFF header `hdr` left
 * out) and plan the boxes; with `panels`, also the quick-look's. */
int dc_quality_init(dc_quality *q, const char *path, const ph_header *hdr, const uint8_t *mask,
                    long nx, long ny, int panels);

/* Keep the boxes of DECORR_DIFF (which 0) or DIFF_VAR (which 1). */
void dc_quality_take_diff(dc_quality *q, const double *plane);
void dc_quality_take_var(dc_quality *q, const float *plane);

/* The statistics from the boxes. */
int dc_quality_stats(const dc_quality *q, ph_resid_stats *out);

/* The quick-look PNG (cairo): one panel per box, z in [-5, 5]. */
int dc_quality_png(const dc_quality *q, const ph_resid_stats *s, const char *path);

void dc_quality_free(dc_quality *q);

#endif
