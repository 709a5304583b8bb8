/* ovpsf.h -- the oversampled effective PSF: a PSF that can be drawn at any
 * sub-pixel phase and in any pixel frame.
 *
 * Why: Roman's PSF is undersampled (Y106: FWHM 1.2 native pixels, 46% of
 * the flux in the central pixel). A native stamp cannot be moved to another
 * phase, nor rotated into another image's frame, by interpolating its
 * pixels: every such step changes the star's shape by 15-50% of its peak.
 * The effective PSF (pixel response included) sampled OVERSAMP times per
 * native pixel can: it is smooth on that grid, and a quintic B-spline
 * through its samples reproduces it to ~3e-5 of its peak at 4x (measured on
 * a band-limited Roman Y106 PSF; cubic B-splines: 1e-3, Keys bicubic: 7e-3).
 *
 * Grid. (2h+1) x (2h+1) samples, row-major [y][x], sample (h, h) at the PSF
 * centre, sample (h + i, h + j) at offset (i / o, j / o) native pixels. A
 * value is the fraction of a unit-flux source's light that falls in a native
 * pixel centred at that offset from the source. Beyond the grid the PSF is 0.
 *
 * In a file: an image HDU (EXTNAME EPSF in ph-psf's output, PSFOS in
 * ph-align's) with OVERSAMP = o and the grid as float64, NAXIS1 = NAXIS2 =
 * 2h + 1; see HACKING.md "PSF stamp".
 *
 * Frames. Where a 2x2 matrix `m` is given, the value drawn at offset d (in
 * the output frame's native pixels) is the model's at m d: m maps output
 * offsets to model offsets (for a template PSF drawn on the science grid,
 * the Jacobian d(template pixel) / d(science pixel)). NULL means identity.
 *
 * Everything here works on arrays; the FITS reader and writer are at the end.
 */
#ifndef PH_OVPSF_H
#define PH_OVPSF_H

#include "io/fits.h"
#include "io/header.h"

typedef struct ph_ovpsf {
    int o;          /* samples per native pixel, >= 2 */
    long h;         /* half-size in samples: grid (2h+1)^2 */
    double *v;      /* the samples */
    double *coef;   /* their quintic B-spline coefficients (mirror boundary) */
} ph_ovpsf;

/* Copy `values` ((2h+1)^2) and compute the spline. Errors (recorded): o < 2,
 * h < 2 o (less than 2 native pixels), a non-finite value, out of memory. */
int ph_ovpsf_init(ph_ovpsf *p, int o, long h, const double *values, const char *file);
void ph_ovpsf_free(ph_ovpsf *p);

/* Half-size of the grid in native pixels (h / o). */
double ph_ovpsf_radius(const ph_ovpsf *p);

/* The model at offset (u, v) native pixels from the PSF centre; 0 beyond
 * the grid. */
double ph_ovpsf_eval(const ph_ovpsf *p, double u, double v);

/* The model of a unit-flux source at (x0, y0) on the pixels [bx, bx + bw) x
 * [by, by + bh) of an image: out[(j - by) * bw + (i - bx)] = model at
 * m (i - x0, j - y0). Pixels beyond the grid get 0. */
void ph_ovpsf_box(const ph_ovpsf *p, const double m[2][2], double x0, double y0, long bx, long by,
                  long bw, long bh, double *out);

/* A native n x n stamp (n odd) with the PSF centre at (dx, dy) from the
 * centre of the centre pixel: ph_ovpsf_box at x0 = c + dx, y0 = c + dy,
 * c = (n - 1) / 2. Not normalised; returns its sum. */
double ph_ovpsf_stamp(const ph_ovpsf *p, const double m[2][2], double dx, double dy, long n,
                      double *out);

/* The same PSF in another frame, on a grid of the same o and h: out(d) =
 * scale * in(m d). `scale` is usually |det m| (a pixel of the new frame
 * covers |det m| pixels of the old). */
int ph_ovpsf_transform(const ph_ovpsf *in, const double m[2][2], double scale, ph_ovpsf *out);

/* Multiply every sample by s (the spline follows). */
void ph_ovpsf_scale(ph_ovpsf *p, double s);

/* Read the oversampled PSF in HDU `extname` of `path`: *found = 0 (and
 * nothing recorded) when the file has no such HDU. Errors: unreadable file,
 * a grid that is not odd and square, OVERSAMP missing or < 2, a grid that
 * is not a whole number of native pixels ((size - 1) / 2 not a multiple of
 * OVERSAMP), bad values. */
int ph_ovpsf_read(const char *path, const char *extname, ph_ovpsf *p, int *found);

/* Append it to a file being written, as HDU `extname`, with OVERSAMP and
 * the cards of `hdr` (may be NULL). */
int ph_ovpsf_write(ph_fits_out *o, const char *extname, const ph_ovpsf *p, const ph_header *hdr);

#endif
