/* test_ovpsf.c -- the oversampled ePSF: spline evaluation against analytic
 * PSFs, stamps at a phase, frames, file round trip, errors. */
#include "check.h"
#include "base/log.h"
#include "io/ovpsf.h"

static double Phi(double x) { return 0.5 * erfc(-x / M_SQRT2); }

/* A circular Gaussian of sigma s integrated over a native pixel. */
static double gauss_epsf(double u, double v, double s)
{
    return (Phi((u + 0.5) / s) - Phi((u - 0.5) / s)) * (Phi((v + 0.5) / s) - Phi((v - 0.5) / s));
}

/* An elliptical Gaussian (no pixel), axes sx, sy, unit integral. */
static double egauss(double u, double v, double sx, double sy)
{
    return exp(-0.5 * (u * u / (sx * sx) + v * v / (sy * sy))) / (2 * M_PI * sx * sy);
}

static double *grid_of(int o, long h, double (*f)(double, double, const double *), const double *a)
{
    long g = 2 * h + 1;
    double *v = malloc((size_t)g * g * sizeof *v);
    for (long j = 0; j < g; j++)
        for (long i = 0; i < g; i++)
            v[j * g + i] = f((double)(i - h) / o, (double)(j - h) / o, a);
    return v;
}
static double f_gauss_epsf(double u, double v, const double *a) { return gauss_epsf(u, v, a[0]); }
static double f_egauss(double u, double v, const double *a) { return egauss(u, v, a[0], a[1]); }

/* An undersampled ePSF (sigma 0.5 px: 43% of the flux in the central pixel)
 * on a 4x grid: the spline reproduces it between the samples to 1e-3 of its
 * peak (bilinear on the same grid: 5%). */
TEST(eval_matches_analytic_between_samples)
{
    const double s = 0.5;
    ph_ovpsf p;
    double *v = grid_of(4, 40, f_gauss_epsf, &s);
    EXPECT(ph_ovpsf_init(&p, 4, 40, v, NULL) == 0);
    double peak = gauss_epsf(0, 0, s), worst = 0;
    unsigned r = 12345;
    for (int k = 0; k < 4000; k++) {
        r = r * 1103515245u + 12345u;
        double u = ((r >> 8) % 100000) / 100000.0 * 8 - 4;
        r = r * 1103515245u + 12345u;
        double w = ((r >> 8) % 100000) / 100000.0 * 8 - 4;
        double e = fabs(ph_ovpsf_eval(&p, u, w) - gauss_epsf(u, w, s));
        if (e > worst)
            worst = e;
    }
    printf("# worst spline error %.2e of the peak\n", worst / peak);
    EXPECT(worst < 1e-4 * peak);
    /* exact at the samples, 0 beyond the grid */
    EXPECT_NEAR(ph_ovpsf_eval(&p, 0.25, -0.5), gauss_epsf(0.25, -0.5, s), 1e-15);
    EXPECT(ph_ovpsf_eval(&p, 10.01, 0) == 0);
    EXPECT_NEAR(ph_ovpsf_radius(&p), 10, 0);
    free(v);
    ph_ovpsf_free(&p);
}

/* A native stamp at a phase: the analytic ePSF at the pixel centres. */
TEST(stamp_at_phase)
{
    const double s = 0.6;
    ph_ovpsf p;
    double *v = grid_of(5, 60, f_gauss_epsf, &s);
    EXPECT(ph_ovpsf_init(&p, 5, 60, v, NULL) == 0);
    double st[81], worst = 0;
    double sum = ph_ovpsf_stamp(&p, NULL, 0.3, -0.45, 9, st);
    for (int j = 0; j < 9; j++)
        for (int i = 0; i < 9; i++) {
            double e = fabs(st[j * 9 + i] - gauss_epsf(i - 4 - 0.3, j - 4 + 0.45, s));
            worst = e > worst ? e : worst;
        }
    EXPECT(worst < 5e-4 * gauss_epsf(0, 0, s));
    EXPECT_NEAR(sum, 1, 1e-4);
    /* the box: a source at (10.3, 20.55) on an image */
    double b[9];
    ph_ovpsf_box(&p, NULL, 10.3, 20.55, 9, 19, 3, 3, b);
    EXPECT_NEAR(b[1 * 3 + 1], gauss_epsf(10 - 10.3, 20 - 20.55, s), 5e-4 * gauss_epsf(0, 0, s));
    free(v);
    ph_ovpsf_free(&p);
}

/* Another frame: an elliptical Gaussian drawn through a rotation (with a
 * flip) is the analytic function at the mapped offsets. */
TEST(transform_rotates_exactly)
{
    const double a[2] = {0.9, 0.55};
    ph_ovpsf p, q;
    double *v = grid_of(4, 48, f_egauss, a);
    EXPECT(ph_ovpsf_init(&p, 4, 48, v, NULL) == 0);
    double th = 37 * M_PI / 180, m[2][2] = {{-cos(th), -sin(th)}, {-sin(th), cos(th)}};
    EXPECT(ph_ovpsf_transform(&p, m, 1.0, &q) == 0);
    double worst = 0, peak = egauss(0, 0, a[0], a[1]);
    for (double y = -3; y <= 3; y += 0.37)
        for (double x = -3; x <= 3; x += 0.41) {
            double u = m[0][0] * x + m[0][1] * y, w = m[1][0] * x + m[1][1] * y;
            double e = fabs(ph_ovpsf_eval(&q, x, y) - egauss(u, w, a[0], a[1]));
            worst = e > worst ? e : worst;
        }
    printf("# worst error after the transform %.2e of the peak\n", worst / peak);
    EXPECT(worst < 2e-4 * peak);
    /* ... and the stamp through the map directly agrees with it */
    double s1[49], s2[49];
    ph_ovpsf_stamp(&p, m, 0.2, 0.1, 7, s1);
    ph_ovpsf_stamp(&q, NULL, 0.2, 0.1, 7, s2);
    for (int i = 0; i < 49; i++)
        EXPECT_NEAR(s1[i], s2[i], 2e-4 * peak);
    ph_ovpsf_scale(&q, 2);
    EXPECT_NEAR(ph_ovpsf_eval(&q, 0.3, 0.2), 2 * egauss(-0.3 * cos(th) - 0.2 * sin(th),
                                                        -0.3 * sin(th) + 0.2 * cos(th), a[0], a[1]),
                4e-4 * peak);
    free(v);
    ph_ovpsf_free(&p);
    ph_ovpsf_free(&q);
}

TEST(file_round_trip_and_errors)
{
    const double s = 0.7;
    ph_ovpsf p, q;
    double *v = grid_of(3, 12, f_gauss_epsf, &s);
    EXPECT(ph_ovpsf_init(&p, 3, 12, v, NULL) == 0);
    char path[512];
    snprintf(path, sizeof path, "%s/ov.fits", check_tmpdir());
    ph_fits_out o;
    EXPECT(ph_fits_create(&o, path, 0) == 0);
    EXPECT(ph_ovpsf_write(&o, "EPSF", &p, NULL) == 0);
    EXPECT(ph_fits_commit(&o) == 0);
    int found = -1;
    EXPECT(ph_ovpsf_read(path, "EPSF", &q, &found) == 0 && found == 1);
    EXPECT(q.o == 3 && q.h == 12 && !memcmp(p.v, q.v, 25 * 25 * sizeof(double)));
    ph_ovpsf_free(&q);
    EXPECT(ph_ovpsf_read(path, "NOPE", &q, &found) == 0 && found == 0);
    ph_error_clear();
    EXPECT(ph_ovpsf_init(&q, 1, 12, v, "x.fits") != 0);
    EXPECT(strstr(ph_error_message(), "OVERSAMP 1") != NULL);
    ph_error_clear();
    EXPECT(ph_ovpsf_init(&q, 3, 5, v, "x.fits") != 0);
    EXPECT(strstr(ph_error_message(), "less than 2 native pixels") != NULL);
    ph_error_clear();
    v[7] = NAN;
    EXPECT(ph_ovpsf_init(&q, 3, 12, v, "x.fits") != 0);
    EXPECT(strstr(ph_error_message(), "not finite") != NULL);
    ph_error_clear();
    free(v);
    ph_ovpsf_free(&p);
}

int main(void)
{
    RUN(eval_matches_analytic_between_samples);
    RUN(stamp_at_phase);
    RUN(transform_rotates_exactly);
    RUN(file_round_trip_and_errors);
    return check_done();
}
