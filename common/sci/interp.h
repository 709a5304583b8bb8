/* interp.h -- interpolation kernels for resampling images and PSFs.
 *
 * A kernel of radius r uses the 2r taps floor(x) - r + 1 ... floor(x) + r
 * around a sample position x (0-based pixel centres). Weights for the
 * fractional part t = x - floor(x):
 *   bilinear  r = 1: (1 - t, t)            -- what SFFT uses
 *   bicubic   r = 2: Keys cubic convolution with a = -0.5 (exact for
 *             quadratics, interpolating)
 *   lanczos3  r = 3: sinc(u) sinc(u/3), |u| < 3, weights normalised to
 *             sum 1 so a constant stays constant
 */
#ifndef PH_INTERP_H
#define PH_INTERP_H

typedef enum { PH_INTERP_BILINEAR = 0, PH_INTERP_BICUBIC = 1, PH_INTERP_LANCZOS3 = 2 } ph_interp;

/* "bilinear|bicubic|lanczos3"; -1 if unknown. */
int ph_interp_parse(const char *name, ph_interp *out);
const char *ph_interp_name(ph_interp k);
int ph_interp_radius(ph_interp k);

/* w[0 .. 2r-1] for taps floor(x) - r + 1 ... floor(x) + r, t in [0, 1). */
void ph_interp_weights(ph_interp k, double t, double *w);

/* Value of a row-major nx x ny image at (x0, y0); taps outside the image
 * read `fill`. */
double ph_interp_sample(const double *img, long nx, long ny, double x0, double y0, ph_interp k,
                        double fill);

#endif
