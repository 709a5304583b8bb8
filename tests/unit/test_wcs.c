/* test_wcs.c -- common/wcs against astropy (values in wcs_reference.h, made
 * by tests/fixtures/wcs_reference.py), plus round trips and bad headers. */
#include "check.h"
#include "io/header.h"
#include "base/log.h"
#include "io/wcs.h"

#include "wcs_reference.h"

#include <string.h>

static ph_header *header_of(const char **cards)
{
    ph_header *h = ph_header_new();
    for (int i = 0; cards[i]; i++)
        ph_header_add_card(h, cards[i]);
    return h;
}

static void compare(const char **cards, const double (*pts)[4], int n, double tol_arcsec)
{
    ph_header *h = header_of(cards);
    ph_wcs *w = NULL;
    EXPECT(ph_wcs_from_header(h, "test", &w) == 0);
    if (!w) {
        ph_header_free(h);
        return;
    }
    EXPECT(ph_wcs_has_distortion(w));
    for (int i = 0; i < n; i++) {
        double ra, dec, x, y;
        ph_wcs_pix2sky(w, 1, &pts[i][0], &pts[i][1], &ra, &dec);
        EXPECT_NEAR((ra - pts[i][2]) * cos(dec * M_PI / 180) * 3600, 0, tol_arcsec);
        EXPECT_NEAR((dec - pts[i][3]) * 3600, 0, tol_arcsec);
        ph_wcs_sky2pix(w, 1, &pts[i][2], &pts[i][3], &x, &y);
        EXPECT_NEAR(x, pts[i][0], 1e-6);
        EXPECT_NEAR(y, pts[i][1], 1e-6);
    }
    ph_wcs_free(w);
    ph_header_free(h);
}

TEST(sip_matches_astropy)
{
    compare(sip_cards, sip_points, (int)(sizeof sip_points / sizeof *sip_points), 1e-9);
}

TEST(tpv_matches_astropy)
{
    compare(tpv_cards, tpv_points, (int)(sizeof tpv_points / sizeof *tpv_points), 1e-9);
}

TEST(round_trip_many_points)
{
    ph_header *h = header_of(sip_cards);
    ph_wcs *w = NULL;
    ph_wcs_from_header(h, "test", &w);
    enum { N = 5000 };
    static double x[N], y[N], ra[N], dec[N], x2[N], y2[N];
    for (int i = 0; i < N; i++) {
        x[i] = (i * 7919 % 4088) + 0.37;
        y[i] = (i * 104729 % 4088) - 0.21;
    }
    ph_wcs_pix2sky(w, N, x, y, ra, dec);
    ph_wcs_sky2pix(w, N, ra, dec, x2, y2);
    double worst = 0;
    for (int i = 0; i < N; i++) {
        worst = fmax(worst, fabs(x2[i] - x[i]));
        worst = fmax(worst, fabs(y2[i] - y[i]));
    }
    /* The float64 floor: one ulp of Dec is ~2.3e-10 px here and the forward
     * transform chains several trig calls (measured: median 2e-10, max 1.3e-9). */
    EXPECT(worst < 2e-9);
    /* a copy gives the same answers */
    ph_wcs *c = ph_wcs_copy(w);
    double r2, d2;
    ph_wcs_pix2sky(c, 1, &x[10], &y[10], &r2, &d2);
    EXPECT_NEAR(r2, ra[10], 0);
    EXPECT_NEAR(d2, dec[10], 0);
    ph_wcs_free(c);
    ph_wcs_free(w);
    ph_header_free(h);
}

TEST(local_scale_rotation_parity)
{
    ph_header *h = header_of(sip_cards);
    ph_wcs *w = NULL;
    ph_wcs_from_header(h, "test", &w);
    ph_wcs_local L;
    EXPECT(ph_wcs_local_at(w, 2043, 2043, &L) == 0);
    /* at CRPIX the SIP terms vanish to first order: 0.11"/px, rotation as
     * built: north is at -24.75 deg from +y (CD built with theta = -24.75) */
    EXPECT_NEAR(L.scale_arcsec, 0.11, 1e-6);
    EXPECT(L.parity == 1);
    EXPECT_NEAR(L.rotation_deg, -24.75, 1e-3);
    ph_wcs_free(w);
    ph_header_free(h);
}

TEST(no_wcs_is_an_error)
{
    ph_header *h = ph_header_new();
    ph_header_set_double(h, "EXPTIME", 10, NULL);
    ph_wcs *w = NULL;
    ph_error_clear();
    EXPECT(ph_wcs_from_header(h, "img.fits", &w) != 0);
    EXPECT(w == NULL);
    EXPECT(strstr(ph_error_message(), "WCS") != NULL);
    EXPECT_STR(ph_error_file(), "img.fits");
    ph_error_clear();
    ph_header_free(h);
}

TEST(one_point_without_a_pixel_is_an_error)
{
    ph_header *h = ph_header_new();
    ph_header_set_str(h, "CTYPE1", "RA---TAN", NULL);
    ph_header_set_str(h, "CTYPE2", "DEC--TAN", NULL);
    ph_header_set_double(h, "CRPIX1", 100.5, NULL);
    ph_header_set_double(h, "CRPIX2", 50.5, NULL);
    ph_header_set_double(h, "CRVAL1", 7.5, NULL);
    ph_header_set_double(h, "CRVAL2", -44.0, NULL);
    ph_header_set_double(h, "CD1_1", -0.11 / 3600, NULL);
    ph_header_set_double(h, "CD2_2", 0.11 / 3600, NULL);
    ph_wcs *w = NULL;
    EXPECT(ph_wcs_from_header(h, "one.fits", &w) == 0);
    double x = 0, y = 0;
    /* the reference point is CRPIX, 0-based */
    EXPECT(ph_wcs_sky2pix_one(w, 7.5, -44.0, &x, &y) == 0);
    EXPECT_NEAR(x, 99.5, 1e-9);
    EXPECT_NEAR(y, 49.5, 1e-9);
    /* the antipode has no place on a gnomonic projection */
    ph_error_clear();
    EXPECT(ph_wcs_sky2pix_one(w, 187.5, 44.0, &x, &y) != 0);
    EXPECT_STR(ph_error_message(), "RA 187.5 Dec 44 has no pixel position in the WCS");
    EXPECT_STR(ph_error_file(), "one.fits");
    ph_error_clear();
    ph_wcs_free(w);
    ph_header_free(h);
}

int main(void)
{
    RUN(sip_matches_astropy);
    RUN(tpv_matches_astropy);
    RUN(round_trip_many_points);
    RUN(local_scale_rotation_parity);
    RUN(no_wcs_is_an_error);
    RUN(one_point_without_a_pixel_is_an_error);
    return check_done();
}
