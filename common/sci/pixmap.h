/* pixmap.h -- where every pixel of a target image falls in a source image,
 * through both full WCSs (wcslib: TAN, SIP, TPV, ...), without calling
 * wcslib per pixel.
 *
 * The map target (x0, y0) -> sky -> source (x0, y0) (0-based, both) is
 * evaluated exactly on a coarse grid of nodes every `step` target pixels
 * (plus one margin node before and two after, so every pixel has the 4x4
 * nodes it needs) and interpolated between nodes with the Keys cubic
 * (a = -0.5; exact for quadratic maps, third-order accurate). The
 * interpolation error is measured against exact evaluations at four points
 * of every grid cell that lands on the source image, at fractions
 * 1/2 -+ 1/(2 sqrt 3) of the cell along each axis, where the Keys cubic's
 * leading error term t (1 - t) (1 - 2 t) peaks (it vanishes at the cell
 * centre); ph_pixmap_make halves the step until the error is below a
 * tolerance. step 1 is the exact map (no interpolation).
 *
 * Where the WCS cannot map a node (e.g. more than 90 degrees from a tangent
 * point) the node is NaN and so are the pixels that use it.
 */
#ifndef PH_PIXMAP_H
#define PH_PIXMAP_H

#include "io/wcs.h"

typedef struct ph_pixmap {
    long nx, ny;    /* target image size (pixels) */
    long step;      /* node spacing in target pixels */
    long gnx, gny;  /* nodes per axis: node (i, j) is target ((i-1) step, (j-1) step) */
    double *sx, *sy;/* source x0, y0 at the nodes, [j * gnx + i] */
    double *area;   /* |det d(source x0, y0)/d(target x0, y0)| at the nodes: the
                     * area of a target pixel in source pixels */
    double maxerr;  /* measured interpolation error, px (0 for step 1); NaN: not checked */
    long nchecked;  /* number of exact check points behind maxerr */
    double (*wtab)[4]; /* Keys weights for the `step` sub-node offsets */
} ph_pixmap;

/* Evaluate the nodes. target/source WCSs are used from this thread only. */
int ph_pixmap_build(ph_wcs *target, long nx, long ny, ph_wcs *source, long step, ph_pixmap **out);

/* Measure the interpolation error over the cells whose check points fall
 * inside the source image of src_nx x src_ny pixels grown by `margin` px;
 * sets m->maxerr (the largest |interpolated - exact| in x or y, px) and
 * m->nchecked. With no such cell, maxerr = 0. */
int ph_pixmap_check(ph_pixmap *m, ph_wcs *target, ph_wcs *source, long src_nx, long src_ny,
                    double margin);

/* Build with `step`, check, and halve the step until maxerr <= tol (down to
 * step 2); error if even that is not enough (then step 1 is the way). */
int ph_pixmap_make(ph_wcs *target, long nx, long ny, ph_wcs *source, long src_nx, long src_ny,
                   long step, double tol, double margin, ph_pixmap **out);

/* Source positions of target row y0 (nx values each) and, when `area` is
 * not NULL, the pixel-area ratio there; `scratch` holds 3 * m->gnx doubles
 * (one per thread). Thread-safe. */
void ph_pixmap_row(const ph_pixmap *m, long y0, double *scratch, double *sx, double *sy,
                   double *area);

/* Source position of any target point (x0, y0), for checks. Thread-safe. */
void ph_pixmap_at(const ph_pixmap *m, double x0, double y0, double *sx, double *sy);
double ph_pixmap_area_at(const ph_pixmap *m, double x0, double y0);

void ph_pixmap_free(ph_pixmap *m);

#endif
