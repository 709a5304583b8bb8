/* test_psfstamp.c -- PSF stamps (I/O, checks) and interpolation kernels. */
#include "check.h"
#include "sci/interp.h"
#include "base/log.h"
#include "io/psfstamp.h"

TEST(stamp_round_trip_and_checks)
{
    const char *d = check_tmpdir();
    char p[512];
    snprintf(p, sizeof p, "%s/psf.fits", d);
    ph_psf a = {.n = 5};
    a.data = calloc(25, sizeof(double));
    for (int i = 0; i < 25; i++)
        a.data[i] = exp(-((i % 5 - 2) * (i % 5 - 2) + (i / 5 - 2) * (i / 5 - 2)) / 2.0);
    double s = ph_psfstamp_normalise(a.data, 5);
    EXPECT(s > 1);
    a.hdr = ph_header_new();
    ph_header_set_double(a.hdr, "PSFX", 10.5, NULL);
    EXPECT(ph_psfstamp_write(p, &a) == 0);
    ph_psf b;
    EXPECT(ph_psfstamp_read(p, NULL, &b) == 0);
    EXPECT(b.n == 5 && !memcmp(a.data, b.data, 25 * sizeof(double)));
    double cx, cy;
    ph_psfstamp_centroid(b.data, 5, &cx, &cy);
    EXPECT_NEAR(cx, 0, 1e-15);
    EXPECT_NEAR(cy, 0, 1e-15);
    ph_psfstamp_free(&b);
    double even[16] = {1};
    ph_error_clear();
    EXPECT(ph_psfstamp_check(even, 4, 4, "e.fits") != 0);
    EXPECT(strstr(ph_error_message(), "even size 4") != NULL);
    ph_error_clear();
    double zero[9] = {1, -1, 0, 0, 0, 0, 0, 0, 0};
    EXPECT(ph_psfstamp_check(zero, 3, 3, "z.fits") != 0);
    EXPECT(strstr(ph_error_message(), "positive sum") != NULL);
    ph_error_clear();
    double nan[9] = {1, NAN};
    EXPECT(ph_psfstamp_check(nan, 3, 3, "n.fits") != 0);
    ph_error_clear();
    ph_psfstamp_free(&a);
}

TEST(phased_extension_beside_the_primary)
{
    const char *d = check_tmpdir();
    char p[512], q[512];
    snprintf(p, sizeof p, "%s/two.fits", d);
    snprintf(q, sizeof q, "%s/one.fits", d);
    double c[9] = {0, 0, 0, 0, 1, 0, 0, 0, 0}, f[9] = {0, 0, 0, 0, 0.5, 0.5, 0, 0, 0};
    ph_psf a = {.n = 3, .data = c, .hdr = ph_header_new()}, b = {.n = 3, .data = f,
                                                               .hdr = ph_header_new()};
    ph_header_set_double(b.hdr, "PSFX", 20.5, NULL);
    EXPECT(ph_psfstamp_write_phased(p, &a, &b) == 0);
    EXPECT(ph_psfstamp_write(q, &a) == 0);
    ph_psf r, s;
    /* readers that know nothing of it get the primary, the centred stamp */
    EXPECT(ph_psfstamp_read(p, NULL, &r) == 0 && r.data[4] == 1);
    ph_psfstamp_free(&r);
    EXPECT(ph_psfstamp_read_phased(p, &s) == 0 && s.data && s.data[5] == 0.5);
    double x = 0;
    EXPECT(!ph_header_get_double(s.hdr, "PSFX", &x) && x == 20.5);
    ph_psfstamp_free(&s);
    /* no extension: no stamp, no error */
    EXPECT(ph_psfstamp_read_phased(q, &s) == 0 && s.data == NULL);
    ph_error_clear();
    EXPECT(ph_psfstamp_read_phased("/nonexistent/x.fits", &s) != 0 && s.data == NULL);
    ph_error_clear();
    ph_header_free(a.hdr);
    ph_header_free(b.hdr);
}

TEST(interpolators)
{
    double w[6];
    ph_interp ks[3] = {PH_INTERP_BILINEAR, PH_INTERP_BICUBIC, PH_INTERP_LANCZOS3};
    for (int k = 0; k < 3; k++) {
        for (double t = 0; t < 1; t += 0.125) {
            ph_interp_weights(ks[k], t, w);
            double s = 0;
            for (int i = 0; i < 2 * ph_interp_radius(ks[k]); i++)
                s += w[i];
            EXPECT_NEAR(s, 1, 1e-12); /* constants preserved */
        }
        ph_interp_weights(ks[k], 0, w); /* interpolating: t = 0 hits the tap */
        EXPECT_NEAR(w[ph_interp_radius(ks[k]) - 1], 1, 1e-12);
    }
    /* bicubic reproduces quadratics, bilinear linear functions */
    double img[100];
    for (int y = 0; y < 10; y++)
        for (int x = 0; x < 10; x++)
            img[y * 10 + x] = 0.5 * x * x - 2 * x * y + 3 * y + 1;
    double x = 4.3, y = 5.7;
    EXPECT_NEAR(ph_interp_sample(img, 10, 10, x, y, PH_INTERP_BICUBIC, 0),
                0.5 * x * x - 2 * x * y + 3 * y + 1, 1e-12);
    for (int i = 0; i < 100; i++)
        img[i] = 2 * (i % 10) - 3 * (i / 10);
    EXPECT_NEAR(ph_interp_sample(img, 10, 10, x, y, PH_INTERP_BILINEAR, 0), 2 * x - 3 * y, 1e-12);
    /* outside reads the fill value */
    EXPECT_NEAR(ph_interp_sample(img, 10, 10, -5, -5, PH_INTERP_LANCZOS3, 7), 7, 1e-12);
    ph_interp k;
    EXPECT(ph_interp_parse("lanczos3", &k) == 0 && k == PH_INTERP_LANCZOS3);
    EXPECT(ph_interp_parse("nearest", &k) != 0);
}

int main(void)
{
    RUN(stamp_round_trip_and_checks);
    RUN(phased_extension_beside_the_primary);
    RUN(interpolators);
    return check_done();
}
