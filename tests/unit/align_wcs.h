/* align_wcs.h -- synthetic TAN / TAN-SIP WCS headers for ph-align's unit
 * tests: a Roman-like 0.11"/px grid at any rotation, scale, parity, shift. */
#ifndef ALIGN_TEST_WCS_H
#define ALIGN_TEST_WCS_H

#include "io/header.h"
#include "io/wcs.h"

#include <math.h>

typedef struct tw {
    double crpix1, crpix2;   /* 1-based */
    double crval1, crval2;   /* deg */
    double rot_deg;          /* CCW rotation of the pixel grid */
    double scale_arcsec;     /* pixel scale */
    int parity;              /* +1: east left (usual), -1: mirrored */
    int sip;                 /* 0: TAN; 1, 2: two different order-3 SIP distortions */
} tw;

static inline ph_header *tw_header(const tw *p)
{
    ph_header *h = ph_header_new();
    double th = p->rot_deg * M_PI / 180, s = p->scale_arcsec / 3600;
    ph_header_set_str(h, "CTYPE1", p->sip ? "RA---TAN-SIP" : "RA---TAN", NULL);
    ph_header_set_str(h, "CTYPE2", p->sip ? "DEC--TAN-SIP" : "DEC--TAN", NULL);
    ph_header_set_double(h, "CRPIX1", p->crpix1, NULL);
    ph_header_set_double(h, "CRPIX2", p->crpix2, NULL);
    ph_header_set_double(h, "CRVAL1", p->crval1, NULL);
    ph_header_set_double(h, "CRVAL2", p->crval2, NULL);
    ph_header_set_double(h, "CD1_1", -p->parity * s * cos(th), NULL);
    ph_header_set_double(h, "CD1_2", s * sin(th), NULL);
    ph_header_set_double(h, "CD2_1", p->parity * s * sin(th), NULL);
    ph_header_set_double(h, "CD2_2", s * cos(th), NULL);
    if (p->sip) {
        static const char *k1[] = {"A_2_0", "A_1_1", "A_0_2", "A_3_0", "B_2_0", "B_1_1", "B_0_2",
                                   "B_0_3"};
        static const double v1[] = {2.1e-7, -3.3e-7, 1.2e-7, -4e-11, -1.1e-7, 2.5e-7, -2.7e-7,
                                    -5e-12};
        static const char *k2[] = {"A_2_0", "A_1_1", "A_0_2", "A_1_2", "B_2_0", "B_1_1", "B_0_2",
                                   "B_3_0"};
        static const double v2[] = {-1.6e-7, 2.2e-7, 3.0e-7, 2e-11, 2.4e-7, -1.2e-7, 1.5e-7,
                                    3e-11};
        ph_header_set_long(h, "A_ORDER", 3, NULL);
        ph_header_set_long(h, "B_ORDER", 3, NULL);
        for (int i = 0; i < 8; i++)
            ph_header_set_double(h, p->sip == 1 ? k1[i] : k2[i], p->sip == 1 ? v1[i] : v2[i],
                                 NULL);
    }
    return h;
}

static inline ph_wcs *tw_wcs(const tw *p)
{
    ph_header *h = tw_header(p);
    ph_wcs *w = NULL;
    ph_wcs_from_header(h, "test", &w);
    ph_header_free(h);
    return w;
}

/* Move CRVAL so that pixel (x0, y0) (0-based) lands on (ra, dec). */
static inline void tw_centre(tw *p, double x0, double y0, double ra, double dec)
{
    for (int i = 0; i < 8; i++) {
        ph_wcs *w = tw_wcs(p);
        double r, d;
        ph_wcs_pix2sky(w, 1, &x0, &y0, &r, &d);
        ph_wcs_free(w);
        p->crval1 += ra - r;
        p->crval2 += dec - d;
    }
}

#endif
