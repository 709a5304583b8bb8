/* test_phot.c -- ph-phot's phased PSF model: the keys ph-decorr writes
 * (PSFPHASE, PSFX/PSFY, PSFFRAC, PSFLOSS) are read as documented, and a
 * stamp drawn at the transient's own sub-pixel phase, fitted unshifted at
 * the transient's pixel, recovers an undersampled point source exactly,
 * where the spline shift of the centred stamp cannot (the reason for
 * ph-decorr --target-psf). Truth: an analytic pixel-integrated Gaussian. */
#include "check.h"
#include "io/header.h"
#include "base/log.h"
#include "phot.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

/* Pixel-integrated Gaussian of sigma s centred at c, over pixel k. */
static double pix1(long k, double c, double s)
{
    return 0.5 * (erf((k + 0.5 - c) / (s * M_SQRT2)) - erf((k - 0.5 - c) / (s * M_SQRT2)));
}

/* n x n stamp of the Gaussian with its centre at (dx, dy) from the centre pixel. */
static void stamp(double *p, long n, double dx, double dy, double s)
{
    long c = (n - 1) / 2;
    double sum = 0;
    for (long j = 0; j < n; j++)
        for (long i = 0; i < n; i++)
            sum += p[j * n + i] = pix1(i, c + dx, s) * pix1(j, c + dy, s);
    for (long i = 0; i < n * n; i++)
        p[i] /= sum;
}

TEST(model_keys)
{
    ph_header *h = ph_header_new();
    phot_psf_model m;
    phot_psf_model_read(h, &m);
    EXPECT(!m.phased && m.apcorr == 1.0);
    ph_header_set_bool(h, "PSFPHASE", 1, "");
    phot_psf_model_read(h, &m);
    EXPECT(!m.phased); /* no PSFX/PSFY: no phase to trust */
    ph_header_set_double(h, "PSFX", 20.3, "");
    ph_header_set_double(h, "PSFY", 14.7, "");
    ph_header_set_double(h, "PSFFRAC", 0.98, "");
    ph_header_set_double(h, "PSFLOSS", 0.01, "");
    phot_psf_model_read(h, &m);
    EXPECT(m.phased);
    EXPECT_NEAR(m.dx, 0.3, 1e-12);
    EXPECT_NEAR(m.dy, -0.3, 1e-12);
    EXPECT_NEAR(m.apcorr, 0.98 * 0.99, 1e-15);
    ph_header_set_double(h, "PSFFRAC", 1.5, ""); /* nonsense: ignored */
    phot_psf_model_read(h, &m);
    EXPECT_NEAR(m.apcorr, 0.99, 1e-15);
    ph_header_free(h);
}

TEST(phased_stamp_recovers_an_undersampled_source)
{
    enum { NX = 48, NY = 40, N = 15 };
    const double sig = 0.35, x0 = 20.3, y0 = 14.7, flux = 1000;
    float *d = calloc(NX * NY, sizeof *d), *v = calloc(NX * NY, sizeof *v);
    double centred[N * N], phased[N * N];
    for (long j = 0; j < NY; j++)
        for (long i = 0; i < NX; i++) {
            d[j * NX + i] = (float)(flux * pix1(i, x0, sig) * pix1(j, y0, sig));
            v[j * NX + i] = 1.0f;
        }
    stamp(centred, N, 0, 0, sig);
    stamp(phased, N, 0.3, -0.3, sig);
    ph_fit_plane p = {d, v, NULL, 0, NX, NY};
    ph_fit_opts o = {.box = 5, .r_in = 0, .r_out = 0};
    ph_psf_spline sc, sp;
    EXPECT(ph_psffit_spline_init(&sc, centred, N) == 0);
    EXPECT(ph_psffit_spline_init(&sp, phased, N) == 0);
    phot_meas a, b, c;
    EXPECT(phot_measure(&p, &sc, &o, x0, y0, 3, 0, 30, &a) == 0);
    EXPECT(phot_measure_at(&p, &sp, &o, x0, y0, x0 - 0.3, y0 + 0.3, 1.0, 3, 0, 30, &b) == 0);
    EXPECT(phot_measure_at(&p, &sp, &o, x0, y0, x0 - 0.3, y0 + 0.3, 0.5, 3, 0, 30, &c) == 0);
    /* float32 data: 1e-6 */
    EXPECT_NEAR(b.fit.flux / flux, 1.0, 1e-6);
    EXPECT_NEAR(c.fit.flux / flux, 2.0, 2e-6);
    EXPECT_NEAR(c.fit.flux_err, 2 * b.fit.flux_err, 1e-9);
    /* the spline shift of the centred stamp is far off at this sampling */
    EXPECT(fabs(a.fit.flux / flux - 1) > 0.02);
    ph_psffit_spline_free(&sc);
    ph_psffit_spline_free(&sp);
    free(d);
    free(v);
}

int main(void)
{
    ph_verbosity = 0;
    RUN(model_keys);
    RUN(phased_stamp_recovers_an_undersampled_source);
    return check_done();
}
