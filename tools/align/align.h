/* align.h -- the geometry of a template/science pair and the template PSF
 * carried into the science frame (sfft-reference.md §3.7), on arrays and
 * WCSs; no file I/O.
 */
#ifndef ALIGN_ALIGN_H
#define ALIGN_ALIGN_H

#include "sci/interp.h"
#include "sci/pixmap.h"
#include "sci/psfrotate.h"
#include "io/wcs.h"

typedef enum {
    ALIGN_PSF_ROTATE = 0, /* rotation, mirrored first when parities differ; normalised */
    ALIGN_PSF_AFFINE = 1, /* the full local pixel map (rotation, flip, scale, shear); normalised */
    ALIGN_PSF_SFFT = 2,   /* SFFT exactly: rotation by alpha at the template centre, bilinear,
                           * not normalised, no flip */
} align_psf_mode;

typedef struct align_geom {
    double shift_x, shift_y; /* template position of the science centre minus that centre, px */
    double area_ratio;       /* mean science-pixel area in template pixels over the overlap */
    double anchor_x0, anchor_y0; /* template pixel where the orientation was measured */
    ph_pattern_rot rot;      /* orientation there (template = object, science = target) */
} align_geom;

/* Does any science pixel map onto the template of tnx x tny pixels (the
 * resampling's own test: within half a pixel of its outermost centres)?
 * Looks at the map's nodes first, then, if none lands there, at every pixel.
 * 1 yes, 0 no, -1 out of memory (error recorded). */
int align_overlaps(const ph_pixmap *map, long tnx, long tny);

/* Mean shift, mean area ratio (over the map nodes that land on the template
 * of tnx x tny pixels; the value at the science centre when none does) and
 * the orientation at template pixel (ax0, ay0). */
int align_geometry(ph_wcs *sci, ph_wcs *tpl, long tnx, long tny, const ph_pixmap *map, double ax0,
                   double ay0, align_geom *g);

/* The template PSF (n x n, odd) in the science frame, into `out` (n x n).
 * ROTATE uses g->rot.q, AFFINE g->rot.jac, both with kernel `k` and
 * normalised to sum 1; SFFT is ph_psfrotate_sfft with g->rot.alpha_deg.
 * *sum_before: the sum before normalisation (SFFT: the sum as written). */
void align_psf(const double *in, long n, const align_geom *g, align_psf_mode mode, ph_interp k,
               double *out, double *sum_before);

#endif
