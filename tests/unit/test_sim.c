/* test_sim.c -- ph-sim's truth: star fluxes and positions, sky and noise
 * statistics, SCI - ERR, the transient, the SIP distortion, galaxy shapes
 * and transforms, read back through libph. */
#include "check.h"
#include "base/sameinput.h"
#include "galaxy.h"
#include "io/image.h"
#include "io.h"
#include "base/log.h"
#include "sim.h"
#include "sim_scene.h"
#include "io/wcs.h"

#include <stdlib.h>

static sim_scene empty_scene(long n)
{
    sim_scene s = sim_test_scene(n);
    sim_params_finish(&s.p);
    s.zpt = ph_band_zeropoint(s.p.band, s.p.exptime_s);
    return s;
}

TEST(sersic_transforms)
{
    const sersic_table *g = sersic_get(0.5), *e = sersic_get(1.0);
    double b05 = sersic_bn(0.5), b1 = sersic_bn(1.0), err05 = 0, err1 = 0;
    EXPECT_NEAR(b05, log(2.0), 1e-6); /* Gaussian: exp(-ln2 s^2) has r_e = 1 */
    EXPECT_NEAR(b1, 1.678346990, 1e-6);
    for (double k = 0; k < 3; k += 0.01) {
        err05 = fmax(err05, fabs(sersic_ft(g, k) - exp(-M_PI * M_PI * k * k / b05)));
        err1 = fmax(err1, fabs(sersic_ft(e, k) - pow(1 + pow(2 * M_PI * k / b1, 2), -1.5)));
    }
    printf("# Sersic tables: n=0.5 max err %.1e, n=1 (truncated at 6 r_e) %.1e\n", err05, err1);
    EXPECT(err05 < 1e-4);
    EXPECT(err1 < 2e-3);
    EXPECT(sersic_get(9.0) == NULL);
    ph_error_clear();
}

/* The sum of an n x n image and its first moments sum v x, sum v y. */
static double moment_sums(const double *img, long n, double *mx, double *my)
{
    double sum = 0;
    *mx = *my = 0;
    for (long y = 0; y < n; y++)
        for (long x = 0; x < n; x++) {
            double v = img[y * n + x];
            sum += v;
            *mx += v * x;
            *my += v * y;
        }
    return sum;
}

/* Second moments of a galaxy drawn on a 0-rotation WCS. */
static void galaxy_moments(double pa, double *ixx, double *iyy, double *sum)
{
    sim_scene s = empty_scene(128);
    sim_test_fixed_grid(&s.p);
    s.p.noise = 0;
    sim_test_no_background(&s.p);
    ph_romanpsf_parse_model("gaussian:0.5", &s.p.psf);
    sim_obj o = {.id = 1, .type = SIM_GALAXY, .ra = s.p.ra0, .dec = s.p.dec0, .flux = 1000,
                 .re_arcsec = 0.5, .n = 1, .q = 0.3, .pa_deg = pa};
    sim_scene_add(&s, &o);
    sim_scene_build(&s);
    ph_romanpsf *psf = ph_romanpsf_new(&s.p.psf);
    sim_image img;
    EXPECT(sim_render(&s, &s.ep[0], psf, &img) == 0);
    double sx, sy, m = moment_sums(img.sci, 128, &sx, &sy), xx = 0, yy = 0;
    sx /= m;
    sy /= m;
    for (long y = 0; y < 128; y++)
        for (long x = 0; x < 128; x++) {
            double v = img.sci[y * 128 + x];
            xx += v * (x - sx) * (x - sx);
            yy += v * (y - sy) * (y - sy);
        }
    *ixx = xx / m;
    *iyy = yy / m;
    *sum = m;
    sim_image_free(&img);
    ph_romanpsf_free(psf);
    sim_scene_free(&s);
}

TEST(galaxy_orientation_and_flux)
{
    double ixx, iyy, sum;
    galaxy_moments(0.0, &ixx, &iyy, &sum); /* major axis north = +y */
    EXPECT(iyy > 4 * ixx);
    EXPECT_REL(sum, 1000.0, 1e-3); /* a little falls off the 128 px image */
    galaxy_moments(90.0, &ixx, &iyy, &sum); /* major axis east = -x */
    EXPECT(ixx > 4 * iyy);
}

TEST(star_truth_through_libph)
{
    const char *dir = check_tmpdir();
    sim_scene s = empty_scene(96);
    s.p.noise = 0;
    sim_test_no_background(&s.p);
    s.p.dither_px = 7;
    s.p.rot_range_deg = 30;
    s.p.distortion_px = 20; /* strong, so that the WCS matters */
    sim_obj o = {.id = 42, .type = SIM_STAR, .ra = s.p.ra0 + 0.0003, .dec = s.p.dec0 - 0.0002,
                 .flux = 5e4};
    sim_scene_add(&s, &o);
    EXPECT(sim_scene_build(&s) == 0);
    /* The first moment of the undersampled Roman ePSF is biased by the
     * pixel phase (~0.013 px in Y106), a property of sampling: positions
     * are checked with a well-sampled Gaussian PSF, fluxes with both. */
    for (int k = 0; k < 4; k++) {
        sim_epoch *e = &s.ep[k % 2];
        ph_romanpsf_opts po;
        sim_epoch_psf(&s, e, &po);
        if (k >= 2)
            ph_romanpsf_parse_model("gaussian:1", &po);
        ph_romanpsf *psf = ph_romanpsf_new(&po);
        sim_image img;
        EXPECT(sim_render(&s, e, psf, &img) == 0);
        char path[1200];
        snprintf(path, sizeof path, "%s", sim_path(dir, "images", &s, e));
        ph_sameinput_forget(); /* the file read at k - 2 is rewritten: not an input of this one */
        EXPECT(sim_write_image(path, &s, e, &img) == 0);
        ph_input in;
        EXPECT(ph_image_input_read(path, NULL, &in) == 0);
        EXPECT(in.layout == PH_LAYOUT_OU2024);
        EXPECT_STR(in.meta.band, "Y106");
        EXPECT_NEAR(in.meta.mjd, e->mjd, 1e-9);
        EXPECT(in.meta.sca == e->sca);
        char obs[32];
        snprintf(obs, sizeof obs, "%ld", e->pointing);
        EXPECT_STR(in.meta.obsid, obs);
        EXPECT_NEAR(in.meta.zpt, 32.6617, 1e-4);
        /* flux in a large box and the centroid at the WCS position */
        ph_wcs *w;
        EXPECT(ph_wcs_from_header(in.hdr, path, &w) == 0);
        double x0, y0;
        ph_wcs_sky2pix(w, 1, &o.ra, &o.dec, &x0, &y0);
        double mx, my, sum = moment_sums(in.sci, 96, &mx, &my);
        printf("# %s epoch %d: star at (%.3f, %.3f): box flux / truth - 1 = %.1e, centroid - WCS = "
               "(%.4f, %.4f) px\n", k >= 2 ? "gaussian:1" : "roman", k % 2, x0, y0, sum / o.flux - 1, mx / sum - x0, my / sum - y0);
        EXPECT_REL(sum, o.flux, 2e-3);
        if (k >= 2) {
            EXPECT_NEAR(mx / sum, x0, 0.01);
            EXPECT_NEAR(my / sum, y0, 0.01);
        }
        EXPECT(img.ntruth == 1 && fabs(img.truth[0].x0 - x0) < 1e-9);
        ph_wcs_free(w);
        ph_image_input_free(&in);
        sim_image_free(&img);
        ph_romanpsf_free(psf);
    }
    sim_scene_free(&s);
}

TEST(sky_and_noise_statistics)
{
    sim_scene s = empty_scene(256);
    s.p.sky_grad[0] = 20.0; /* e- per 1000 px along x */
    EXPECT(sim_scene_build(&s) == 0);
    ph_romanpsf *psf = ph_romanpsf_new(&s.p.psf);
    sim_image img;
    EXPECT(sim_render(&s, &s.ep[0], psf, &img) == 0);
    double dark = s.p.dark_e_s * s.p.exptime_s, level = s.p.sky_e + dark;
    double sum[2] = {0, 0}, ss = 0, maxdiff = 0;
    long n = 256 * 256;
    for (long i = 0; i < n; i++) {
        long x = i % 256;
        double model = level + 20.0 * (x - 127.5) / 1000.0;
        sum[x >= 128] += img.sci[i];
        ss += (img.sci[i] - model) * (img.sci[i] - model);
        maxdiff = fmax(maxdiff, fabs(img.sci[i] - img.err[i]));
        EXPECT(img.sci[i] == floor(img.sci[i])); /* quantised */
    }
    double mean = (sum[0] + sum[1]) / n, sd = sqrt(ss / n);
    double want = sqrt(level + s.p.read_noise_e * s.p.read_noise_e);
    printf("# blank: mean %.3f (want %.3f), std %.3f (want %.3f)\n", mean, level, sd, want);
    EXPECT_NEAR(mean, level, 5 * want / sqrt(n));
    EXPECT_REL(sd, want, 0.02);
    /* gradient: halves differ by 20 e-/1000 px x 128 px */
    EXPECT_NEAR((sum[1] - sum[0]) / (n / 2), 20.0 * 128 / 1000.0, 6 * want / sqrt(n / 2));
    EXPECT(maxdiff == 0); /* no objects: SCI = ERR, the same realisation */
    EXPECT_NEAR(img.sky_mean, level, 1e-12);
    sim_image_free(&img);
    ph_romanpsf_free(psf);
    sim_scene_free(&s);
}

TEST(sci_minus_err_is_the_objects)
{
    sim_scene s = empty_scene(128);
    s.p.dither_px = 0;
    s.p.transient = 1; /* no host: at the scene centre, like the star */
    sim_obj o = {.id = 7, .type = SIM_STAR, .ra = s.p.ra0, .dec = s.p.dec0 + 0.00003, .flux = 3e4};
    sim_scene_add(&s, &o);
    EXPECT(sim_scene_build(&s) == 0);
    sim_epoch *e = &s.ep[1];
    ph_romanpsf *psf = ph_romanpsf_new(&s.p.psf);
    sim_image a, b;
    EXPECT(sim_render(&s, e, psf, &a) == 0);
    EXPECT(sim_render(&s, e, psf, &b) == 0);
    EXPECT(memcmp(a.sci, b.sci, sizeof(double) * 128 * 128) == 0); /* deterministic */
    EXPECT(memcmp(a.err, b.err, sizeof(float) * 128 * 128) == 0);
    double diff = 0, realized = 0;
    for (long i = 0; i < 128 * 128; i++)
        diff += a.sci[i] - a.err[i];
    int has_sn = 0;
    for (int i = 0; i < a.ntruth; i++) {
        realized += a.truth[i].realized;
        if (a.truth[i].iobj == s.itransient) {
            has_sn = 1;
            EXPECT_NEAR(a.truth[i].flux, sim_transient_flux(&s.p, e->mjd), 1e-9);
            EXPECT(fabs(a.truth[i].realized - a.truth[i].flux) < 5 * sqrt(a.truth[i].flux));
        }
    }
    EXPECT(has_sn && a.ntruth == 2);
    printf("# SCI - ERR = %.0f e-, photons drawn %.0f\n", diff, realized);
    EXPECT(diff == realized); /* both stamps lie inside the image */
    sim_image_free(&a);
    sim_image_free(&b);
    /* templates carry no transient */
    EXPECT(sim_render(&s, &s.ep[0], psf, &a) == 0);
    EXPECT(a.ntruth == 1);
    sim_image_free(&a);
    ph_romanpsf_free(psf);
    sim_scene_free(&s);
}

TEST(transient_light_curve)
{
    sim_params p;
    sim_params_defaults(&p, "Y106");
    sim_params_finish(&p);
    double peak = pow(10, -0.4 * (p.sn_peak_mag - 32.66170856226013));
    EXPECT_REL(sim_transient_flux(&p, p.sn_peak_mjd), peak, 1e-6);
    EXPECT(sim_transient_flux(&p, p.sn_peak_mjd - p.sn_rise_days - 1) == 0);
    EXPECT_REL(sim_transient_flux(&p, p.sn_peak_mjd - p.sn_rise_days / 2), peak / 2, 1e-9);
    EXPECT_REL(sim_transient_flux(&p, p.sn_peak_mjd + p.sn_fall_days), peak / M_E, 1e-9);
}

TEST(sip_distortion_is_realistic_and_invertible)
{
    sim_scene s = empty_scene(4088);
    s.p.rot_range_deg = 0;
    s.p.dither_px = 0;
    EXPECT(sim_scene_build(&s) == 0);
    ph_header *hs = ph_header_new(), *ht = ph_header_new();
    sim_epoch_header(&s, &s.ep[0], hs);
    s.p.distortion_px = 0;
    sim_epoch_header(&s, &s.ep[0], ht);
    ph_wcs *ws, *wt;
    EXPECT(ph_wcs_from_header(hs, "sip", &ws) == 0 && ph_wcs_from_header(ht, "tan", &wt) == 0);
    EXPECT(ph_wcs_has_distortion(ws) && !ph_wcs_has_distortion(wt));
    double xs[4] = {0, 4087, 0, 4087}, ys[4] = {0, 0, 4087, 4087}, ra[4], dec[4], xt[4], yt[4];
    double xb[4], yb[4], dmax = 0, rt = 0;
    ph_wcs_pix2sky(ws, 4, xs, ys, ra, dec);
    ph_wcs_sky2pix(wt, 4, ra, dec, xt, yt);
    ph_wcs_sky2pix(ws, 4, ra, dec, xb, yb);
    for (int i = 0; i < 4; i++) {
        dmax = fmax(dmax, hypot(xt[i] - xs[i], yt[i] - ys[i]));
        rt = fmax(rt, hypot(xb[i] - xs[i], yb[i] - ys[i]));
    }
    printf("# SIP: largest corner displacement %.2f px; round trip %.1e px\n", dmax, rt);
    EXPECT(dmax > 2.0 && dmax < 3.5);
    EXPECT(rt < 1e-6);
    ph_wcs_free(ws);
    ph_wcs_free(wt);
    ph_header_free(hs);
    ph_header_free(ht);
    sim_scene_free(&s);
}

int main(void)
{
    RUN(sersic_transforms);
    RUN(galaxy_orientation_and_flux);
    RUN(star_truth_through_libph);
    RUN(sky_and_noise_statistics);
    RUN(sci_minus_err_is_the_objects);
    RUN(transient_light_curve);
    RUN(sip_distortion_is_realistic_and_invertible);
    sersic_cache_free();
    return check_done();
}
