/* wcs.h -- world coordinates through wcslib, incl. SIP and TPV distortion.
 *
 * Pixel coordinates here are 0-BASED (x0, y0): the centre of array element
 * [0][0] is (0, 0), i.e. FITS pixel (1, 1). Sky coordinates are degrees in
 * the WCS's own frame (no ICRS/FK5 conversion).
 *
 * A ph_wcs holds wcslib scratch space: do not use one from two threads at
 * once; ph_wcs_copy() gives each thread its own.
 */
#ifndef PH_WCS_H
#define PH_WCS_H

#include "io/header.h"

#include <stddef.h>

typedef struct ph_wcs ph_wcs;

/* Build from header cards; `file` names the source in errors. Errors: no
 * celestial WCS, or one wcslib cannot use. */
int ph_wcs_from_header(const ph_header *h, const char *file, ph_wcs **out);
ph_wcs *ph_wcs_copy(const ph_wcs *w);
void ph_wcs_free(ph_wcs *w);

/* Arrays of n points. Points that cannot be converted get NaN and the
 * function still returns 0; an error is returned only when wcslib fails as
 * a whole. */
int ph_wcs_pix2sky(ph_wcs *w, size_t n, const double *x0, const double *y0, double *ra,
                   double *dec);
int ph_wcs_sky2pix(ph_wcs *w, size_t n, const double *ra, const double *dec, double *x0,
                   double *y0);

/* One position; a point with no pixel (off the projection) is an error
 * naming the WCS's file, not a NaN. */
int ph_wcs_sky2pix_one(ph_wcs *w, double ra, double dec, double *x0, double *y0);

/* The local linear map at a pixel, from finite differences of pix2sky. */
typedef struct ph_wcs_local {
    double cd[2][2];      /* d(xi, eta)/d(x, y), degrees per pixel (tangent plane) */
    double scale_arcsec;  /* sqrt(|det cd|) in arcsec per pixel */
    double area_arcsec2;  /* |det cd| in arcsec^2 */
    double rotation_deg;  /* angle from north to the +y pixel axis, east positive */
    int parity;           /* +1: det cd < 0 (sky as seen: east left); -1 otherwise */
} ph_wcs_local;
int ph_wcs_local_at(ph_wcs *w, double x0, double y0, ph_wcs_local *out);

/* Does the WCS carry a distortion (SIP, TPV, ...)? */
int ph_wcs_has_distortion(const ph_wcs *w);

#endif
