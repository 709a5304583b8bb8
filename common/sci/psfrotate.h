/* psfrotate.h -- PSF stamps carried from one image's pixel frame into
 * another's: SFFT's "pattern rotation" (sfft-reference.md §3.7) and the
 * flip-aware, normalised version the pipeline uses.
 *
 * Frames. A stamp is an odd n x n row-major array [y * n + x] with the PSF
 * centred on pixel c = (n - 1) / 2 (0-based). Offsets (dx, dy) are in pixels
 * of that stamp, +x along a row, +y along a column, i.e. FITS axes 1 and 2.
 * (SFFT holds its arrays transposed, (x, y); its fixture files are ordinary
 * FITS images, so they read straight into this layout, §13.3.)
 *
 * Pattern rotation. SFFT measures how the sky's north turns between two
 * images: at the object (template) image centre it takes the pixel step to
 * a point 1 arcsec north, maps the same two sky points into the target
 * (science) image, and calls alpha the counter-clockwise angle in [0, 360)
 * from the object's north vector to the target's. Rotating the template PSF
 * counter-clockwise by alpha puts it in the science frame -- when both
 * images have the same parity. When they do not, no rotation can; here the
 * template frame is first mirrored in x and the angle measured after the
 * mirror (flip = 1).
 */
#ifndef PH_PSFROTATE_H
#define PH_PSFROTATE_H

#include "sci/interp.h"
#include "io/wcs.h"

/* The orientation of an object frame relative to a target frame. */
typedef struct ph_pattern_rot {
    double alpha_deg;   /* SFFT's angle: object north -> target north, CCW, [0, 360) */
    int flip;           /* 1 when the parities differ (det of the pixel map < 0) */
    double beta_deg;    /* the rotation after the x mirror when flip, else alpha_deg */
    double q[2][2];     /* orthogonal map of object pixel offsets to target offsets:
                         * R(alpha), or R(beta) * diag(-1, 1) when flip */
    double jac[2][2];   /* the full local map d(target x0, y0) / d(object x0, y0) */
} ph_pattern_rot;

/* Measure the orientation at object pixel (ox0, oy0) (0-based): SFFT uses the
 * object image centre ((NAXIS1 - 1) / 2, (NAXIS2 - 1) / 2), §3.7 step 1. The
 * north vectors use a 1 arcsec step as SFFT does; `jac` uses +-0.5 px central
 * differences through both WCSs. Errors: a WCS undefined there, or a
 * degenerate map (|det jac| < 1e-12). */
int ph_psfrotate_pattern_rotation(ph_wcs *object, double ox0, double oy0, ph_wcs *target,
                                  ph_pattern_rot *out);

/* SFFT's zoom-rotate with zoom 1, exactly (§3.7): out(X) = in(R(-alpha) (X - c) + c)
 * with bilinear sampling, zeros outside the stamp, no renormalisation.
 * `in` and `out` are n x n and must not overlap. */
void ph_psfrotate_sfft(const double *in, long n, double alpha_deg, double *out);

/* General resampling of a stamp through a linear map `m` of output offsets to
 * input offsets: out(X) = in(m (X - c) + c), with kernel `k`, zeros outside.
 * For a map A of input offsets to output offsets (e.g. ph_pattern_rot.q, or
 * .jac for a full affine), pass its inverse. Returns the sum of `out` before
 * normalisation; with `normalise` the stamp is divided by it (a non-positive
 * sum is left alone). */
double ph_psfrotate_transform(const double *in, long n, const double m[2][2], ph_interp k,
                              int normalise, double *out);

/* Inverse of a 2x2 matrix; returns the determinant (0: `inv` untouched). */
double ph_psfrotate_mat2_inverse(const double a[2][2], double inv[2][2]);

#endif
