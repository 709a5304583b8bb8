/* test_align_map.c -- common/pixmap (the coarse-grid WCS mapping and its
 * error bound) and common/io/header.c's WCS cards, against exact wcslib evaluations and
 * analytic cases. */
#include "check.h"
#include "align_wcs.h"
#include "base/log.h"
#include "sci/pixmap.h"
#include "base/rng.h"
#include "io/header.h"

#include <stdlib.h>

/* Science: 4088^2 Roman-like TAN-SIP, reference pixel off the image. */
static const tw SCI = {2044.5 + 1500, 2044.5 + 1800, 7.5, -44.9, 20.0, 0.11, 1, 1};

static double exact_err(ph_pixmap *m, ph_wcs *t, ph_wcs *s, long snx, long sny, int npts,
                        long *nused)
{
    ph_rng r;
    ph_rng_seed(&r, 42);
    double *tx = malloc(6 * npts * sizeof *tx), *ty = tx + npts, *ra = ty + npts,
           *de = ra + npts, *sx = de + npts, *sy = sx + npts;
    for (int i = 0; i < npts; i++) {
        tx[i] = ph_rng_uniform(&r) * (m->nx - 1);
        ty[i] = ph_rng_uniform(&r) * (m->ny - 1);
    }
    ph_wcs_pix2sky(t, npts, tx, ty, ra, de);
    ph_wcs_sky2pix(s, npts, ra, de, sx, sy);
    double worst = 0;
    *nused = 0;
    for (int i = 0; i < npts; i++) {
        if (!(sx[i] >= 0 && sx[i] <= snx - 1 && sy[i] >= 0 && sy[i] <= sny - 1))
            continue;
        double ix, iy;
        ph_pixmap_at(m, tx[i], ty[i], &ix, &iy);
        worst = fmax(worst, fmax(fabs(ix - sx[i]), fabs(iy - sy[i])));
        (*nused)++;
    }
    free(tx);
    return worst;
}

TEST(identity_and_integer_shift)
{
    tw a = {128.5, 100.5, 150.0, 2.2, 30.0, 0.11, 1, 0}, b = a;
    b.crpix1 += 3;
    b.crpix2 -= 2;
    ph_wcs *wa = tw_wcs(&a), *wb = tw_wcs(&b);
    ph_pixmap *m = NULL;
    EXPECT(ph_pixmap_make(wa, 200, 150, wb, 200, 150, 32, 1e-3, 3, &m) == 0);
    double scratch[3 * 64], sx[200], sy[200], ar[200];
    double worst = 0, worst_area = 0;
    for (long y = 0; y < 150; y += 7) {
        ph_pixmap_row(m, y, scratch, sx, sy, ar);
        for (long x = 0; x < 200; x++) {
            worst = fmax(worst, fmax(fabs(sx[x] - (x + 3)), fabs(sy[x] - (y - 2))));
            worst_area = fmax(worst_area, fabs(ar[x] - 1));
        }
    }
    EXPECT(worst < 1e-8);
    EXPECT(worst_area < 1e-8);
    EXPECT(m->maxerr < 1e-8);
    ph_pixmap_free(m);
    ph_wcs_free(wa);
    ph_wcs_free(wb);
}

TEST(sip_pair_error_bound_holds)
{
    /* Template: another SIP, rotated 37 deg, reference pixel elsewhere. */
    tw s = SCI, t = {2044.5 - 1800, 2044.5 + 1500, 7.5, -44.9, 57.0, 0.11, 1, 2};
    tw_centre(&s, 2043.5, 2043.5, 7.5, -44.9);
    tw_centre(&t, 2043.5, 2043.5, 7.5012, -44.9006);
    ph_wcs *ws = tw_wcs(&s), *wt = tw_wcs(&t);
    long steps[3] = {64, 256, 1024};
    for (int k = 0; k < 3; k++) {
        ph_pixmap *m = NULL;
        EXPECT(ph_pixmap_build(ws, 4088, 4088, wt, steps[k], &m) == 0);
        EXPECT(ph_pixmap_check(m, ws, wt, 4088, 4088, 3) == 0);
        long used;
        double e = exact_err(m, ws, wt, 4088, 4088, 20000, &used);
        printf("# step %4ld: reported bound %.3g px (%ld points), true max over %ld random "
               "pixels %.3g px\n",
               steps[k], m->maxerr, m->nchecked, used, e);
        EXPECT(used > 10000);
        /* The bound is measured where a cubic interpolant errs most. */
        EXPECT(e <= 1.2 * m->maxerr + 1e-9);
        if (steps[k] == 64)
            EXPECT(m->maxerr < 1e-4);
        ph_pixmap_free(m);
    }
    /* ph_pixmap_make halves a too-coarse step until the tolerance is met. */
    ph_pixmap *m = NULL;
    EXPECT(ph_pixmap_make(ws, 4088, 4088, wt, 1024, 4088, 4088, 1e-3, 3, &m) == 0);
    EXPECT(m && m->maxerr <= 1e-3 && m->step < 1024);
    ph_pixmap_free(m);
    ph_wcs_free(ws);
    ph_wcs_free(wt);
}

TEST(tpv_target_sip_source)
{
    /* A DECam-like TPV science frame (values of tests/unit/wcs_reference.h)
     * onto a rotated TAN-SIP template: wcslib handles both distortions. */
    static const char *cards[][2] = {
        {"CTYPE1", "'RA---TPV'"}, {"CTYPE2", "'DEC--TPV'"}, {"CRPIX1", "1024.5"},
        {"CRPIX2", "2048.5"}, {"CRVAL1", "150.1"}, {"CRVAL2", "2.2"}, {"CD1_1", "0.0"},
        {"CD1_2", "7.28E-05"}, {"CD2_1", "-7.28E-05"}, {"CD2_2", "0.0"}, {"PV1_1", "1.0"},
        {"PV1_4", "0.002"}, {"PV1_5", "-0.001"}, {"PV1_6", "0.0005"}, {"PV2_1", "1.0"},
        {"PV2_4", "-0.0015"}, {"PV2_5", "0.001"}, {"PV2_6", "-0.0008"}};
    ph_header *h = ph_header_new();
    for (size_t i = 0; i < sizeof cards / sizeof *cards; i++) {
        char card[81];
        snprintf(card, sizeof card, "%-8s= %20s", cards[i][0], cards[i][1]);
        ph_header_add_card(h, card);
    }
    ph_wcs *ws = NULL;
    EXPECT(ph_wcs_from_header(h, "tpv", &ws) == 0);
    ph_header_free(h);
    if (!ws)
        return;
    EXPECT(ph_wcs_has_distortion(ws));
    tw t = {-300, 2500, 150.1, 2.2, 33.0, 0.25, 1, 1};
    tw_centre(&t, 1499.5, 2499.5, 150.1, 2.2);
    ph_wcs *wt = tw_wcs(&t);
    ph_pixmap *m = NULL;
    EXPECT(ph_pixmap_make(ws, 2048, 4096, wt, 3000, 5000, 64, 1e-3, 3, &m) == 0);
    if (m) {
        long used;
        double e = exact_err(m, ws, wt, 3000, 5000, 20000, &used);
        printf("# TPV -> SIP: step %ld, reported %.3g px, true max %.3g px over %ld pixels\n",
               m->step, m->maxerr, e, used);
        EXPECT(used > 15000 && m->maxerr < 1e-3 && e <= 1.2 * m->maxerr + 1e-9);
    }
    ph_pixmap_free(m);
    ph_wcs_free(ws);
    ph_wcs_free(wt);
}

TEST(area_ratio_matches_local_scales)
{
    /* Template 0.10"/px: a science pixel covers (0.11/0.10)^2 template pixels. */
    tw t = {300.5, 280.5, 7.5, -44.9, -40.0, 0.10, -1, 2};
    tw s = {250.5, 250.5, 7.5, -44.9, 20.0, 0.11, 1, 1};
    ph_wcs *ws = tw_wcs(&s), *wt = tw_wcs(&t);
    ph_pixmap *m = NULL;
    EXPECT(ph_pixmap_make(ws, 500, 500, wt, 600, 600, 64, 1e-3, 3, &m) == 0);
    for (int i = 0; i < 5; i++) {
        double x = 37 + 101 * i, y = 450 - 90 * i, sx, sy;
        ph_pixmap_at(m, x, y, &sx, &sy);
        ph_wcs_local ls, lt;
        ph_wcs_local_at(ws, x, y, &ls);
        ph_wcs_local_at(wt, sx, sy, &lt);
        EXPECT_REL(ph_pixmap_area_at(m, x, y), ls.area_arcsec2 / lt.area_arcsec2, 1e-6);
    }
    EXPECT_REL(ph_pixmap_area_at(m, 250, 250), 1.21, 2e-3);
    ph_pixmap_free(m);
    ph_wcs_free(ws);
    ph_wcs_free(wt);
}

TEST(unmappable_nodes_are_nan)
{
    /* A template 100 deg away: TAN cannot project there. */
    tw s = {50.5, 50.5, 10.0, 0.0, 0.0, 0.11, 1, 0}, t = {50.5, 50.5, 110.0, 0.0, 0.0, 0.11, 1, 0};
    ph_wcs *ws = tw_wcs(&s), *wt = tw_wcs(&t);
    ph_pixmap *m = NULL;
    EXPECT(ph_pixmap_make(ws, 100, 100, wt, 100, 100, 16, 1e-3, 3, &m) == 0);
    double scratch[3 * 16], sx[100], sy[100];
    ph_pixmap_row(m, 50, scratch, sx, sy, NULL);
    EXPECT(isnan(sx[50]) && isnan(sy[50]));
    EXPECT(m->nchecked == 0 && m->maxerr == 0);
    ph_pixmap_free(m);
    ph_wcs_free(ws);
    ph_wcs_free(wt);
}

TEST(bad_step_is_a_usage_error)
{
    tw s = {50.5, 50.5, 10.0, 0.0, 0.0, 0.11, 1, 0};
    ph_wcs *ws = tw_wcs(&s);
    ph_pixmap *m = NULL;
    ph_error_clear();
    EXPECT(ph_pixmap_build(ws, 100, 100, ws, 0, &m) == PH_EUSAGE && !m);
    ph_error_clear();
    /* A tolerance below wcslib's own rounding (~1e-10 px) cannot be met. */
    EXPECT(ph_pixmap_make(ws, 100, 100, ws, 100, 100, 8, 1e-14, 3, &m) == PH_EFAIL && !m);
    EXPECT(strstr(ph_error_message(), "cannot be interpolated to 1e-14 px") != NULL);
    EXPECT(strstr(ph_error_message(), "--map-step 1") != NULL);
    ph_error_clear();
    ph_wcs_free(ws);
}

TEST(wcs_cards)
{
    const char *yes[] = {"CTYPE1", "CRPIX2", "CD1_2", "PC2_1", "CDELT1", "PV2_10", "A_ORDER",
                         "A_2_0", "B_0_3", "AP_1_1", "BP_ORDER", "LONPOLE", "RADESYS",
                         "EQUINOX", "CTYPE1A", "CD1_1B", "WCSAXES", "A_DMAX", "CUNIT2", "LTV1", "LTM1_1"};
    const char *no[] = {"FILTER", "MJD-OBS", "CD", "A_", "SKYRMS", "PH_NAME", "DATE-OBS",
                        "CRPIX", "PSFX", "EXPTIME", "A_X_1", "CTYPEA"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
        if (!ph_header_is_wcs_key(yes[i])) {
            printf("# %s should be a WCS key\n", yes[i]);
            EXPECT(0);
        }
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        if (ph_header_is_wcs_key(no[i])) {
            printf("# %s should not be a WCS key\n", no[i]);
            EXPECT(0);
        }
    tw a = {10.5, 10.5, 1.0, 2.0, 0.0, 0.11, 1, 1}, b = {99.5, 77.5, 3.0, 4.0, 30.0, 0.2, 1, 0};
    ph_header *ha = tw_header(&a), *hb = tw_header(&b);
    ph_header_set_str(ha, "FILTER", "R062", NULL);
    ph_header_set_double(ha, "MJD-OBS", 60000.5, NULL);
    EXPECT(ph_header_take_wcs(ha, hb) == 0);
    double v;
    char s[32];
    EXPECT(ph_header_get_double(ha, "CRPIX1", &v) == 0 && v == 99.5);
    EXPECT(ph_header_get_double(ha, "MJD-OBS", &v) == 0 && v == 60000.5);
    EXPECT(ph_header_get_str(ha, "CTYPE1", s, sizeof s) == 0 && !strcmp(s, "RA---TAN"));
    EXPECT(ph_header_get_str(ha, "FILTER", s, sizeof s) == 0 && !strcmp(s, "R062"));
    EXPECT(!ph_header_has(ha, "A_ORDER") && !ph_header_has(ha, "A_2_0")); /* b has no SIP */
    ph_header_free(ha);
    ph_header_free(hb);
}

int main(void)
{
    RUN(identity_and_integer_shift);
    RUN(sip_pair_error_bound_holds);
    RUN(tpv_target_sip_source);
    RUN(area_ratio_matches_local_scales);
    RUN(unmappable_nodes_are_nan);
    RUN(bad_step_is_a_usage_error);
    RUN(wcs_cards);
    return check_done();
}
