/* resample.h -- the template's SCI, VAR and MASK planes onto the science
 * grid (sfft-spec.md "Alignment", sfft-reference.md §3.6), one pass over
 * the output rows, threaded.
 *
 * For an output pixel whose centre maps to template position (sx, sy)
 * (0-based, from common/sci/pixmap.h):
 *   OUTSIDE  the position is off the template's pixels (sx or sy < -0.5 or
 *            > n - 0.5) or unmapped: SCI = VAR = 0 (SFFT's fill value), no
 *            other bit.
 *   SCI      sum_k w_k S_k with the kernel's weights; taps off the image or
 *            NaN read 0 (SFFT, §3.6); times the pixel-area ratio when asked.
 *   VAR      sum_k w_k^2 V_k (the variance of the interpolated pixel) or, with
 *            var_linear, sum_k w_k V_k as SFFT does; times the ratio squared.
 *   BAD      any tap with a non-zero weight that is off the image, NaN or
 *            infinite in SCI or VAR, or BAD/OUTSIDE in the template's mask.
 *   DETECTED the template's DETECTED bit as 0/1, resampled bilinearly
 *            whatever the kernel, >= det_threshold (SFFT: 0.1, §11.5).
 * A position within 1e-6 px of a pixel centre is snapped onto it and a weight
 * below 1e-12 in magnitude counts as zero (Lanczos' off-centre taps there),
 * so an identity alignment or an integer shift copies the input exactly.
 */
#ifndef ALIGN_RESAMPLE_H
#define ALIGN_RESAMPLE_H

#include "sci/interp.h"
#include "sci/pixmap.h"

#include <stdint.h>

typedef enum { ALIGN_FLUX_NONE = 0, ALIGN_FLUX_MEAN = 1, ALIGN_FLUX_JACOBIAN = 2 } align_flux;

typedef struct align_planes {
    long nx, ny;
    float *sci;     /* required */
    float *var;     /* NULL: no variance plane */
    uint8_t *mask;  /* NULL: no mask (nothing BAD or DETECTED in the input) */
} align_planes;

typedef struct align_opts {
    ph_interp kernel;
    int var_linear;       /* SFFT's linear variance weights */
    double det_threshold; /* DETECTED when the bilinear mask value >= this */
    align_flux flux;      /* how SCI and VAR are scaled */
    double area_ratio;    /* the constant for ALIGN_FLUX_MEAN */
    int nthreads;         /* >= 1 */
} align_opts;

typedef struct align_stats {
    long n_inside;  /* output pixels not OUTSIDE */
    long n_bad;     /* output pixels flagged BAD (inside) */
} align_stats;

/* Fill `out` (sized map->nx x map->ny; planes allocated here, VAR only when
 * `in` has one, MASK always). */
int align_resample(const ph_pixmap *map, const align_planes *in, const align_opts *o,
                   align_planes *out, align_stats *stats);

void align_planes_free(align_planes *p);

#endif
