/* epsf_priv.h -- what epsf.c (the fit) and epsf_stars.c (the choice of
 * stars) share: a star, the image it lives on, which of its pixels a fit
 * may use. Not part of ph-psf's interface (psf.h). */
#ifndef PH_TOOL_EPSF_PRIV_H
#define PH_TOOL_EPSF_PRIV_H

#include "detect.h"
#include "psf.h"

#include <stdint.h>

typedef struct star {
    double x, y, f, chi2;
    double x_det, y_det;
    double peak;         /* its brightest pixel (sky-subtracted) */
    double b;            /* local background left by the sky subtraction */
    double rad;          /* width: sigma of a pixel-integrated Gaussian fit (px) */
    int label, use;
    /* Usable pixels: mask[(j - my0) * mw + (i - mx0)] != 0 for image pixel
     * (i, j) inside the box; outside it none is. Set when the star is
     * chosen (on the image, not flagged, not another object's or next to
     * one) and cleared for outliers (cosmic rays) by the fit. */
    uint8_t *mask;
    long mx0, my0, mw;
    /* joint fit scratch */
    double nss_inv[3][3], bs[3];
    double *nms;
    long nt;
} star;

typedef struct ctx {
    const float *img;    /* sky-subtracted */
    const uint8_t *bad;
    const int32_t *seg;  /* detection labels, obj[k] is k + 1 */
    long nx, ny;
    double rms2, gain;
} ctx;

/* Is pixel (i, j) one the fit may use for star s? */
static inline int usable(const star *s, long i, long j)
{
    long a = i - s->mx0, b = j - s->my0;
    return a >= 0 && b >= 0 && a < s->mw && b < s->mw && s->mask[b * s->mw + a];
}

/* The stars for the model (epsf_stars.c): detections that are point-like,
 * isolated, unsaturated and free of flagged pixels in their core, with
 * their starting centres and fluxes, brightest first, at most p->maxstars.
 * *rhalf: the stars' median half-light radius (px); *width: the locus of
 * their Gaussian widths (px). Errors: allocation only; too few stars is
 * the caller's to judge. Free with epsf_stars_free. */
int epsf_select_stars(const ctx *c, const ph_detection *det, const epsf_params *p, star **out,
                      int *nout, double *rhalf, double *width);
void epsf_stars_free(star *st, int n);

/* Detection and epsf_select_stars on a sky-subtracted image: the stars,
 * and the segmentation map (*seg, the caller frees it; the fit uses it to
 * keep neighbours out). Errors: rms not positive, allocation. */
int epsf_find_stars(const float *img, const uint8_t *bad, long nx, long ny, double rms,
                    const epsf_params *p, int32_t **seg, star **stars, int *ns, double *rhalf,
                    double *width, const char *file);

/* A x = b for a small n x n A (n <= 4; Gaussian elimination with partial
 * pivoting; A and b are destroyed); non-zero if A is singular. */
int epsf_solve_small(int n, double A[4][4], double *b, double *x);

/* A x = b for a 3x3 A (Cramer's rule); non-zero if A is singular. */
int epsf_solve3(double A[3][3], const double *b, double *x);

#endif
