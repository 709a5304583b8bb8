/* resid.h -- how clean a difference image is: the residuals of static stars
 * in units of the noise, the first thing an astronomer looks at.
 *
 * For each star: max |z| over the 5 x 5 pixels around its position (z =
 * difference / its standard deviation), and the residual fraction, max
 * |difference| over 7 x 7 pixels divided by the star's peak in the
 * cross-convolved science image (when given). Stars are measured when their
 * S/N is at least `snr_min` (the template's fit: bright enough for a
 * residual to show), their 9 x 9 box is on the image and free of BAD and
 * OUTSIDE pixels (saturated cores, no template data), no other listed star
 * brighter than a tenth of their flux lies within 6 px, and they are more
 * than `excl_r` px from (excl_x, excl_y) (the transient). The statistics
 * are over those stars: their number, the median and 90th percentile of max
 * |z| (numpy's linear percentile), and the median residual fraction.
 *
 * ph-subtract measures them on DIFF (z from the propagated variance,
 * ph_resid_sigma_at), ph-decorr on DECORR_DIFF / sqrt(DIFF_VAR); both write
 * them as header keys (HACKING.md): RESNSTAR, RESZMED, RESZP90, RESFRAC,
 * RESSNR.
 */
#ifndef PH_RESID_H
#define PH_RESID_H

#include "io/header.h"

#include <stdint.h>

typedef struct ph_resid_stars {
    long n;
    const double *x, *y;   /* science pixel, 0-based */
    const double *flux;    /* for the isolation test */
    const double *snr;     /* for the selection */
} ph_resid_stars;

typedef struct ph_resid_opts {
    double snr_min;        /* 100 */
    uint8_t badbits;       /* mask bits that disqualify a star's box */
    double excl_x, excl_y, excl_r; /* NaN / <= 0: none */
} ph_resid_opts;

typedef struct ph_resid_stats {
    double snr_min;        /* the selection used */
    long nstars;
    double zmed, zp90;     /* NaN without stars */
    double frac_med;       /* NaN without stars or without the convolved image */
} ph_resid_stats;

void ph_resid_defaults(ph_resid_opts *o);

/* The stars to measure (the selection above) on an nx x ny image with mask
 * (may be NULL): their indices into `sel` (s->n long), how many returned. */
long ph_resid_select(const ph_resid_stars *s, const ph_resid_opts *o, const uint8_t *mask,
                     long nx, long ny, long *sel);

/* Where the pixel values come from: the difference, its standard deviation,
 * and the cross-convolved science image (conv NULL: no residual fraction),
 * at pixel (x, y), through callbacks so that a tool that streams its planes
 * (ph-decorr) can serve them from the boxes it kept. */
typedef struct ph_resid_src {
    double (*diff)(void *ctx, long x, long y);
    double (*sigma)(void *ctx, long x, long y);
    double (*conv)(void *ctx, long x, long y);
    void *ctx;
} ph_resid_src;

/* The statistics over the selected stars (boxes around them: 7 x 7).
 * Error (recorded): out of memory. */
int ph_resid_measure(const ph_resid_src *src, const ph_resid_stars *s, const long *sel,
                      long nsel, double snr_min, ph_resid_stats *out);

/* The standard deviation of an SFFT difference at (x, y) without forming the
 * whole variance plane: sqrt(sum_m kref[m]^2 vsci[p - m] + r^2 sum_m
 * ksci[m]^2 vref[p - m]) for odd square kernels (the matching kernel taken
 * as r times a delta: its width is what cross-convolution already gave). */
typedef struct ph_resid_var {
    const float *vsci, *vref;
    long nx, ny;
    const double *kref, *ksci; /* normalised stamps */
    long nref, nsci;
    double ratio;
} ph_resid_var;
double ph_resid_sigma_at(void *ctx, long x, long y);

/* The keys above into h (`what` goes into the comments: "DIFF",
 * "decorrelated"). */
int ph_resid_keys(ph_header *h, const ph_resid_stats *s, const char *what);

#endif
