/* wcs.c -- see wcs.h. wcspih() parses the header (it understands SIP's
 * A_p_q/B_p_q and TPV's PVi_m as distortions); wcsp2s()/wcss2p() convert,
 * the latter inverting distortions iteratively. We keep the header text so
 * that a copy is a fresh parse, which is simpler and safer than copying
 * wcslib's nested distortion structures. */
#include "io/wcs.h"
#include "base/bands.h"
#include "base/log.h"
#include "base/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <wcslib/wcshdr.h>
#include <wcslib/wcs.h>
#include <wcslib/wcsfix.h>

struct ph_wcs {
    struct wcsprm *all; /* as returned by wcspih */
    int nwcs;
    struct wcsprm *w;   /* the celestial one */
    char *text;         /* header cards, for copies */
    int ncards;
    char file[512];
};

enum { CHUNK = 1024 }; /* points per wcslib call: bounded stack use */

static int parse(ph_wcs *p)
{
    int nreject = 0;
    int st = wcspih(p->text, p->ncards, WCSHDR_all, 0, &nreject, &p->nwcs, &p->all);
    if (st || p->nwcs < 1)
        return ph_error(PH_EFAIL, p->file, "no usable WCS in the header (wcslib: %s)",
                        st ? wcshdr_errmsg[st] : "no WCS keywords");
    p->w = NULL;
    for (int i = 0; i < p->nwcs && !p->w; i++) {
        struct wcsprm *w = p->all + i;
        /* Primary description only (alternates A-Z are ignored). */
        if (w->alt[0] != ' ' && w->alt[0] != '\0')
            continue;
        int stat[NWCSFIX];
        wcsfix(7, NULL, w, stat); /* translate non-standard keys (e.g. old dates); harmless */
        if (wcsset(w))
            return ph_error(PH_EFAIL, p->file, "bad WCS: wcslib cannot use it: %s",
                            w->err && w->err->msg[0] ? w->err->msg
                            : "wcsset failed (a singular CD or PC matrix?)");
        if (w->lng >= 0 && w->lat >= 0 && w->naxis == 2)
            p->w = w;
    }
    if (!p->w)
        return ph_error(PH_EFAIL, p->file,
                        "no celestial WCS (need CTYPE1/2 such as RA---TAN-SIP/DEC--TAN-SIP)");
    return PH_OK;
}

/* The linear part of the WCS keys must be numbers: wcslib reads a
 * quoted 'NaN' or a string as something else without a word. */
static int check_keys(const ph_header *h, const char *file)
{
    static const char *const keys[] = {"CD1_1", "CD1_2", "CD2_1", "CD2_2", "PC1_1", "PC1_2",
                                       "PC2_1", "PC2_2", "CDELT1", "CDELT2", "CRPIX1", "CRPIX2",
                                       "CRVAL1", "CRVAL2", NULL};
    for (int i = 0; keys[i]; i++) {
        double v;
        int r = ph_header_get_double(h, keys[i], &v);
        if (r > 0 || (r == 0 && isfinite(v)))
            continue; /* absent, or a finite number */
        char text[80] = "";
        ph_header_get_str(h, keys[i], text, sizeof text);
        return ph_error(PH_EFAIL, file, "bad WCS: %s = %s is not a finite number", keys[i],
                        text[0] ? text : "?");
    }
    return PH_OK;
}

/* Check the WCS once, for every tool: a singular or non-finite pixel
 * matrix, and a pixel scale far from the band's (Roman's 0.11"/px for a
 * Roman FILTER), are errors naming the keys. A degenerate WCS otherwise
 * goes through: overlaps of 1, areas of 1e-9, PSFs at CRPIX. */
static int check_linear(ph_wcs *p, const ph_header *h)
{
    const struct wcsprm *w = p->w;
    const char *keys = w->altlin & 2 ? "CD1_1 CD1_2 CD2_1 CD2_2" : "PC1_1 ... PC2_2 x CDELT1/2";
    const double *m = w->lin.piximg;
    double det = m ? m[0] * m[3] - m[1] * m[2] : NAN;
    if (!isfinite(det) || det == 0 || !isfinite(w->crval[0]) || !isfinite(w->crval[1]))
        return ph_error(PH_EFAIL, p->file, "bad WCS: the pixel matrix (%s) is singular or not "
                        "finite", keys);
    ph_wcs_local loc;
    if (ph_wcs_local_at(p, w->crpix[0] - 1, w->crpix[1] - 1, &loc))
        return PH_EFAIL;
    if (!isfinite(loc.scale_arcsec) || !(loc.scale_arcsec > 0))
        return ph_error(PH_EFAIL, p->file, "bad WCS: no pixel scale at CRPIX (%s)", keys);
    char filter[72];
    const ph_band *b = !ph_header_get_str(h, "FILTER", filter, sizeof filter) ? ph_band_find(filter)
                                                                              : NULL;
    const double s0 = PH_ROMAN_PIXSCALE_ARCSEC;
    if (b && (loc.scale_arcsec < s0 / 3 || loc.scale_arcsec > s0 * 3))
        return ph_error(PH_EFAIL, p->file, "bad WCS: pixel scale %.4g\" (from %s), far from "
                        "Roman's %.2g\" in %s", loc.scale_arcsec, keys, s0, b->name);
    return PH_OK;
}

int ph_wcs_from_header(const ph_header *h, const char *file, ph_wcs **out)
{
    *out = NULL;
    ph_wcs *p = ph_calloc(1, sizeof *p, "WCS");
    if (!p)
        return PH_EFAIL;
    ph_strlcpy(p->file, file ? file : "header", sizeof p->file);
    if (check_keys(h, p->file) || !(p->text = ph_header_string(h, &p->ncards)) || parse(p) ||
        check_linear(p, h)) {
        ph_wcs_free(p);
        return PH_EFAIL;
    }
    *out = p;
    return PH_OK;
}

ph_wcs *ph_wcs_copy(const ph_wcs *w)
{
    ph_wcs *p = ph_calloc(1, sizeof *p, "WCS");
    if (!p)
        return NULL;
    memcpy(p->file, w->file, sizeof p->file);
    p->ncards = w->ncards;
    if (!(p->text = ph_strdup(w->text)) || parse(p)) {
        ph_wcs_free(p);
        return NULL;
    }
    return p;
}

void ph_wcs_free(ph_wcs *p)
{
    if (!p)
        return;
    if (p->all)
        wcsvfree(&p->nwcs, &p->all);
    free(p->text);
    free(p);
}

int ph_wcs_has_distortion(const ph_wcs *p)
{
    return p->w->lin.dispre != NULL || p->w->lin.disseq != NULL;
}

int ph_wcs_pix2sky(ph_wcs *p, size_t n, const double *x0, const double *y0, double *ra,
                   double *dec)
{
    double pix[2 * CHUNK], img[2 * CHUNK], wld[2 * CHUNK], phi[CHUNK], theta[CHUNK];
    int stat[CHUNK];
    int lng = p->w->lng, lat = p->w->lat;
    for (size_t s = 0; s < n; s += CHUNK) {
        int m = (int)(n - s < CHUNK ? n - s : CHUNK);
        for (int i = 0; i < m; i++) { /* wcslib pixels are 1-based */
            pix[2 * i] = x0[s + i] + 1.0;
            pix[2 * i + 1] = y0[s + i] + 1.0;
        }
        int st = wcsp2s(p->w, m, 2, pix, img, phi, theta, wld, stat);
        if (st && st != WCSERR_BAD_PIX)
            return ph_error(PH_EFAIL, p->file, "pixel to sky failed: %s", wcs_errmsg[st]);
        for (int i = 0; i < m; i++) {
            int bad = stat[i] != 0;
            ra[s + i] = bad ? NAN : wld[2 * i + lng];
            dec[s + i] = bad ? NAN : wld[2 * i + lat];
        }
    }
    return PH_OK;
}

/* Gnomonic projection of (ra, dec) about (ra0, dec0), degrees; xi east. */
static void tangent(double ra0, double dec0, double ra, double dec, double *xi, double *eta)
{
    const double d2r = M_PI / 180.0;
    double a = (ra - ra0) * d2r, d = dec * d2r, d0 = dec0 * d2r;
    double cosc = sin(d0) * sin(d) + cos(d0) * cos(d) * cos(a);
    *xi = cos(d) * sin(a) / cosc / d2r;
    *eta = (cos(d0) * sin(d) - sin(d0) * cos(d) * cos(a)) / cosc / d2r;
}

int ph_wcs_sky2pix(ph_wcs *p, size_t n, const double *ra, const double *dec, double *x0,
                   double *y0)
{
    double pix[2 * CHUNK], img[2 * CHUNK], wld[2 * CHUNK], phi[CHUNK], theta[CHUNK];
    int stat[CHUNK];
    int lng = p->w->lng, lat = p->w->lat;
    for (size_t s = 0; s < n; s += CHUNK) {
        int m = (int)(n - s < CHUNK ? n - s : CHUNK);
        for (int i = 0; i < m; i++) {
            wld[2 * i + lng] = ra[s + i];
            wld[2 * i + lat] = dec[s + i];
        }
        int st = wcss2p(p->w, m, 2, wld, phi, theta, img, pix, stat);
        if (st && st != WCSERR_BAD_WORLD)
            return ph_error(PH_EFAIL, p->file, "sky to pixel failed: %s", wcs_errmsg[st]);
        for (int i = 0; i < m; i++) {
            int bad = stat[i] != 0;
            x0[s + i] = bad ? NAN : pix[2 * i] - 1.0;
            y0[s + i] = bad ? NAN : pix[2 * i + 1] - 1.0;
        }
    }
    return PH_OK;
}

int ph_wcs_sky2pix_one(ph_wcs *p, double ra, double dec, double *x0, double *y0)
{
    if (ph_wcs_sky2pix(p, 1, &ra, &dec, x0, y0))
        return PH_EFAIL;
    if (!isfinite(*x0) || !isfinite(*y0))
        return ph_error(PH_EFAIL, p->file, "RA %.8g Dec %.8g has no pixel position in the WCS", ra,
                        dec);
    return PH_OK;
}

int ph_wcs_local_at(ph_wcs *p, double x0, double y0, ph_wcs_local *out)
{
    const double h = 0.5;
    double xs[5] = {x0, x0 + h, x0 - h, x0, x0}, ys[5] = {y0, y0, y0, y0 + h, y0 - h};
    double ra[5], dec[5], xi[5], eta[5];
    if (ph_wcs_pix2sky(p, 5, xs, ys, ra, dec))
        return PH_EFAIL;
    for (int i = 0; i < 5; i++)
        if (!isfinite(ra[i]) || !isfinite(dec[i]))
            return ph_error(PH_EFAIL, p->file, "the WCS is undefined near pixel (%g, %g)", x0, y0);
    for (int i = 0; i < 5; i++)
        tangent(ra[0], dec[0], ra[i], dec[i], &xi[i], &eta[i]);
    out->cd[0][0] = (xi[1] - xi[2]) / (2 * h);
    out->cd[1][0] = (eta[1] - eta[2]) / (2 * h);
    out->cd[0][1] = (xi[3] - xi[4]) / (2 * h);
    out->cd[1][1] = (eta[3] - eta[4]) / (2 * h);
    double det = out->cd[0][0] * out->cd[1][1] - out->cd[0][1] * out->cd[1][0];
    out->area_arcsec2 = fabs(det) * 3600.0 * 3600.0;
    out->scale_arcsec = sqrt(out->area_arcsec2);
    out->parity = det < 0 ? 1 : -1;
    out->rotation_deg = atan2(out->cd[0][1], out->cd[1][1]) * 180.0 / M_PI;
    return PH_OK;
}
