/* background.h -- the sky background and its rms, as SExtractor and SEP
 * compute them (pipeline-reference.md §2.2).
 *
 * The image is cut into meshes of bw x bh pixels (the last row and column
 * of meshes are partial). In each mesh the valid pixels are clipped twice
 * (a 2-sigma cut around the mean, then an iterative 3-sigma clipping of a
 * histogram around its median) and the background is the mode estimate
 * 2.5 median - 1.5 mean, or the median when |mean - median| / sigma >= 0.3
 * (the code's rule, not the manual's 20% one); the rms is the clipped
 * sigma. Meshes with fewer than half their pixels valid are "bad" and take
 * the average of the nearest good meshes. A median filter of fw x fh
 * meshes (windows shrinking symmetrically at the edges) smooths both mesh
 * maps, and a natural bicubic spline through the mesh nodes gives the
 * value at every pixel. Node (i, j) sits at pixel x0 = (bw-1)/2 + i bw,
 * y0 = bh/2 + j bh: the half-pixel asymmetry between x and y is
 * SExtractor's and is kept so that the maps agree with it and with SEP.
 *
 * A pixel is valid when it is finite, above -1e30 (SExtractor's blank
 * value), and (mask == NULL or (mask[i] & maskbits) == 0).
 *
 * Maps are never stored whole: ph_bkg_row() evaluates one image row (a
 * 4088-pixel row costs a few microseconds), and ph_bkg_quantiles() finds
 * exact order statistics of a whole map in a few streaming passes, so a
 * 4088x4088 image needs no more than its own array.
 *
 * Indices: x0, y0 are 0-based; arrays are row-major [y0 * nx + x0].
 */
#ifndef PH_BACKGROUND_H
#define PH_BACKGROUND_H

#include <stdint.h>

/* Opaque: the mesh maps, their spline coefficients and the row scratch
 * are background.c's; the accessors below give what callers need. */
typedef struct ph_bkg ph_bkg;

enum { PH_BKG_BACK = 0, PH_BKG_RMS = 1 };

/* Estimate the background of `img` (nx x ny) with meshes of bw x bh and a
 * median filter of fw x fh meshes (1 = none). Errors (recorded): an image
 * smaller than one mesh, a mesh or filter size < 1, no memory. */
int ph_bkg_make(const float *img, const uint8_t *mask, uint8_t maskbits, long nx, long ny,
                int bw, int bh, int fw, int fh, ph_bkg **out);
void ph_bkg_free(ph_bkg *bkg);

/* Median of the filtered background meshes. */
double ph_bkg_global(const ph_bkg *bkg);
/* Median of the filtered sigma meshes (SExtractor's detection sigma);
 * median of the positive ones when that is not positive, 1 when none is. */
double ph_bkg_globalrms(const ph_bkg *bkg);
/* Image size the maps were made for. */
void ph_bkg_size(const ph_bkg *bkg, long *nx, long *ny);
/* Meshes along x and y, and how many were filled from their neighbours. */
void ph_bkg_meshes(const ph_bkg *bkg, int *nmx, int *nmy, int *nbad);
/* Mesh i (row-major, 0 .. nmx * nmy - 1) of the background (PH_BKG_BACK)
 * or rms (PH_BKG_RMS) map, after filling and filtering. */
double ph_bkg_mesh(const ph_bkg *bkg, int which, int i);

/* The background (which = PH_BKG_BACK) or rms (PH_BKG_RMS) map on image
 * row y0, into row[0 .. nx-1]. */
void ph_bkg_row(ph_bkg *bkg, int which, long y0, float *row);

/* Quantiles q[0..nq-1] (percent, 0..100) of the whole map over all nx*ny
 * pixels, exact, with numpy's default linear interpolation between order
 * statistics (np.percentile). Streams the map; memory O(nx + 64 k). */
int ph_bkg_quantiles(ph_bkg *bkg, int which, const double *q, int nq, double *out);

/* The estimate of one mesh on its own (exposed for tests): background
 * (mode) and sigma of the n values v[] (NaN = not valid), as SExtractor
 * gives them for a mesh of n pixels. Returns 0, or 1 for a bad mesh (fewer
 * than half the values valid): then back = sigma = NaN. */
int ph_bkg_mesh_estimate(const float *v, long n, double *back, double *sigma);

#endif
