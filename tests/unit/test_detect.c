/* test_detect.c -- SExtractor-style detection (common/sci/detect.h) on scenes
 * whose answer is known: the filter at edges, 8-connectivity, minimum
 * area, forced pixels, deblending of two blended sources, cleaning,
 * centroids and FLUX_RADIUS of a Gaussian. (The agreement with SExtractor
 * itself on realistic scenes is tested in tests/cli/ph-skysub.bats.) */
#include "check.h"
#include "sci/detect.h"
#include "base/log.h"
#include "base/rng.h"

#include <stdint.h>

static float *image(long nx, long ny)
{
    return calloc((size_t)nx * ny, sizeof(float));
}

/* Add a circular Gaussian of total flux f at (x0, y0), 0-based. */
static void gauss(float *img, long nx, long ny, double x0, double y0, double sigma, double f)
{
    for (long y = 0; y < ny; y++)
        for (long x = 0; x < nx; x++) {
            double r2 = (x - x0) * (x - x0) + (y - y0) * (y - y0);
            img[y * nx + x] += (float)(f * exp(-0.5 * r2 / (sigma * sigma)) /
                                       (2 * M_PI * sigma * sigma));
        }
}

static void noise(float *img, long n, double sigma, uint64_t seed)
{
    ph_rng r;
    ph_rng_seed(&r, seed);
    for (long i = 0; i < n; i++)
        img[i] += (float)(sigma * ph_rng_gauss(&r));
}

static int detect(const float *img, const uint8_t *force, long nx, long ny,
                  const ph_detect_params *p, int32_t *seg, ph_detection *d)
{
    int st = ph_detect(img, force, 1, nx, ny, p, NULL, seg, d);
    if (st) {
        printf("# ph_detect: %s\n", ph_error_message());
        ph_error_clear();
    }
    return st;
}

TEST(filter_edges)
{
    long nx = 5, ny = 4;
    float *img = image(nx, ny), *out = image(nx, ny);
    ph_detect_params p;
    ph_detect_defaults(&p);
    img[0] = 16; /* corner: the kernel's outside part contributes nothing */
    img[2 * nx + 3] = 16;
    img[1 * nx + 4] = NAN; /* counts as 0 */
    EXPECT(ph_detect_filter(img, nx, ny, &p, out) == 0);
    EXPECT_NEAR(out[0], 4, 1e-6);
    EXPECT_NEAR(out[1], 2, 1e-6);
    EXPECT_NEAR(out[nx], 2, 1e-6);
    EXPECT_NEAR(out[nx + 1], 1, 1e-6);
    EXPECT_NEAR(out[2 * nx + 3], 4, 1e-6);
    EXPECT_NEAR(out[1 * nx + 4], 1, 1e-6);
    EXPECT_NEAR(out[3 * nx + 4], 1, 1e-6);
    EXPECT_NEAR(out[3 * nx + 0], 0, 1e-6);
    for (long i = 0; i < nx * ny; i++)
        EXPECT(isfinite(out[i]));
    free(img);
    free(out);
}

TEST(eight_connected_and_minarea)
{
    long nx = 20, ny = 12;
    float *img = image(nx, ny);
    int32_t *seg = calloc((size_t)nx * ny, sizeof *seg);
    ph_detect_params p;
    ph_detect_defaults(&p);
    p.kernel = NULL; /* pixel-exact */
    p.thresh = 0.5;
    /* A diagonal chain of 6 pixels: one object only through corners. */
    for (int k = 0; k < 6; k++)
        img[(1 + k) * nx + 2 + k] = 1;
    /* A 4-pixel square: detected pixels but below minarea. */
    img[2 * nx + 14] = img[2 * nx + 15] = img[3 * nx + 14] = img[3 * nx + 15] = 1;
    /* Two 5-pixel rows touching only by an edge of the image? no: apart. */
    for (int k = 0; k < 5; k++)
        img[10 * nx + 10 + k] = 1;
    ph_detection d;
    EXPECT(detect(img, NULL, nx, ny, &p, seg, &d) == 0);
    EXPECT(d.nobj == 2);
    EXPECT(d.ndetected == 15);
    EXPECT(d.nsmall == 1);
    EXPECT(seg[2 * nx + 14] == 0); /* small detections are not segments */
    if (d.nobj == 2) {
        int32_t l = seg[1 * nx + 2];
        EXPECT(l > 0);
        for (int k = 0; k < 6; k++)
            EXPECT(seg[(1 + k) * nx + 2 + k] == l);
        EXPECT(d.obj[l - 1].npix == 6);
        EXPECT_NEAR(d.obj[l - 1].x, 4.5, 1e-9);
        EXPECT_NEAR(d.obj[l - 1].y, 3.5, 1e-9);
        /* numbered in SExtractor's order: the object ending first is 1 */
        EXPECT(l == 1);
        EXPECT(seg[10 * nx + 12] == 2);
    }
    ph_detect_free(&d);
    free(img);
    free(seg);
}

TEST(forced_pixels)
{
    long nx = 16, ny = 16;
    float *img = image(nx, ny);
    uint8_t *force = calloc((size_t)nx * ny, 1);
    int32_t *seg = calloc((size_t)nx * ny, sizeof *seg);
    ph_detect_params p;
    ph_detect_defaults(&p);
    p.kernel = NULL;
    p.thresh = 10;
    for (int y = 6; y < 9; y++)
        for (int x = 6; x < 8; x++)
            force[y * nx + x] = 1; /* 6 saturated pixels of value 0 */
    ph_detection d;
    EXPECT(detect(img, force, nx, ny, &p, seg, &d) == 0);
    EXPECT(d.nobj == 1);
    if (d.nobj == 1)
        EXPECT(d.obj[0].flags & PH_OBJ_FORCED);
    ph_detect_free(&d);
    free(img);
    free(force);
    free(seg);
}

/* Two Gaussians 7 px apart (sigma 1.5) join at the detection threshold:
 * the multi-threshold tree splits them; without deblending they stay one. */
TEST(deblending_two_sources)
{
    long nx = 48, ny = 40;
    float *img = image(nx, ny);
    int32_t *seg = calloc((size_t)nx * ny, sizeof *seg);
    gauss(img, nx, ny, 20.0, 20.0, 1.5, 5000);
    gauss(img, nx, ny, 27.0, 20.0, 1.5, 3000);
    noise(img, nx * ny, 1.0, 11);
    ph_detect_params p;
    ph_detect_defaults(&p);
    p.thresh = 1.5 * 0.6; /* 1.5 sigma of the filtered noise (~0.6) */
    ph_detection d;
    EXPECT(detect(img, NULL, nx, ny, &p, seg, &d) == 0);
    EXPECT(d.nobj == 2);
    if (d.nobj == 2) {
        int a = d.obj[0].x < d.obj[1].x ? 0 : 1;
        EXPECT_NEAR(d.obj[a].x, 20.0, 0.25);
        EXPECT_NEAR(d.obj[1 - a].x, 27.0, 0.25);
        EXPECT(d.obj[0].flags & PH_OBJ_DEBLENDED);
        EXPECT_NEAR(d.obj[a].flux_auto / 5000, 1.0, 0.1);
        EXPECT(d.ndeblended == 1);
        /* every pixel of the component went to one of them */
        long n1 = 0, n2 = 0;
        for (long i = 0; i < nx * ny; i++) {
            n1 += seg[i] == 1;
            n2 += seg[i] == 2;
        }
        EXPECT(n1 == d.obj[0].npix && n2 == d.obj[1].npix);
    }
    ph_detect_free(&d);
    p.nthresh = 1;
    EXPECT(detect(img, NULL, nx, ny, &p, seg, &d) == 0);
    EXPECT(d.nobj == 1);
    ph_detect_free(&d);
    p.nthresh = 32;
    p.mincont = 1.0;
    EXPECT(detect(img, NULL, nx, ny, &p, seg, &d) == 0);
    EXPECT(d.nobj == 1);
    ph_detect_free(&d);
    free(img);
    free(seg);
}

/* FLUX_RADIUS of a bright isolated Gaussian: the radius holding half of
 * FLUX_AUTO. The growth curve spreads each pixel's value over its area,
 * so the profile it sees is the Gaussian convolved with the pixel:
 * sigma_eff^2 = sigma^2 + 1/12, r50 = sigma_eff sqrt(2 ln 2); FLUX_AUTO
 * (Kron aperture) holds a fraction f of the flux, moving the radius to
 * sigma_eff sqrt(-2 ln(1 - f/2)). */
TEST(flux_radius_of_a_gaussian)
{
    long nx = 64, ny = 64;
    float *img = image(nx, ny);
    int32_t *seg = calloc((size_t)nx * ny, sizeof *seg);
    const double sigma = 2.0, f = 1e5;
    gauss(img, nx, ny, 31.3, 32.6, sigma, f);
    noise(img, nx * ny, 0.5, 3);
    ph_detect_params p;
    ph_detect_defaults(&p);
    p.thresh = 1.5 * 0.3;
    ph_detection d;
    EXPECT(detect(img, NULL, nx, ny, &p, seg, &d) == 0);
    EXPECT(d.nobj == 1);
    if (d.nobj == 1) {
        const ph_object *o = &d.obj[0];
        double se = sqrt(sigma * sigma + 1.0 / 12), r50 = se * sqrt(2 * log(2.0));
        /* the Kron fraction from the measured aperture, then the radius */
        double R = o->kron_radius * sqrt(o->a * o->b);
        double frac = 1 - exp(-0.5 * R * R / (se * se));
        double want = se * sqrt(-2 * log(1 - 0.5 * frac));
        EXPECT_NEAR(o->x, 31.3, 0.02);
        EXPECT_NEAR(o->y, 32.6, 0.02);
        EXPECT_NEAR(o->flux_auto / f, frac, 0.01);
        EXPECT_NEAR(o->flux_radius, want, 0.02);
        EXPECT_NEAR(o->flux_radius, r50, 0.03); /* f is ~1 here */
        EXPECT(o->kron_radius >= 3.5);
    }
    ph_detect_free(&d);
    free(img);
    free(seg);
}

/* A faint detection in the far wing of a bright source: CLEAN merges it
 * (the Moffat wing of beta = 1 it fits to the bright one predicts more
 * than the faint one's brightest pixels); without CLEAN it stays. */
TEST(cleaning_merges_a_wing_detection)
{
    long nx = 96, ny = 96;
    float *img = image(nx, ny);
    int32_t *seg = calloc((size_t)nx * ny, sizeof *seg);
    /* The faint one has 5 pixels just above the threshold: its mthresh is
     * ~0.15, while the wing fitted to the bright one (area 121 px at 0.9)
     * predicts ~0.9 x 121 / (pi 12^2) = 0.24 at 12 px. */
    gauss(img, nx, ny, 40, 40, 1.2, 4e5);
    gauss(img, nx, ny, 52, 40, 1.0, 14);
    noise(img, nx * ny, 0.05, 8);
    ph_detect_params p;
    ph_detect_defaults(&p);
    p.thresh = 0.9;
    p.clean = 0;
    ph_detection d;
    EXPECT(detect(img, NULL, nx, ny, &p, seg, &d) == 0);
    long before = d.nobj;
    int found = 0;
    for (long k = 0; k < d.nobj; k++)
        found |= fabs(d.obj[k].x - 52) < 1 && fabs(d.obj[k].y - 40) < 1;
    EXPECT(found);
    ph_detect_free(&d);
    p.clean = 1;
    EXPECT(detect(img, NULL, nx, ny, &p, seg, &d) == 0);
    EXPECT(d.nobj < before);
    EXPECT(d.ncleaned >= 1);
    found = 0;
    for (long k = 0; k < d.nobj; k++)
        found |= fabs(d.obj[k].x - 52) < 1 && fabs(d.obj[k].y - 40) < 1;
    EXPECT(!found);
    /* the eaten object's pixels carry its master's label */
    EXPECT(seg[40 * nx + 52] == seg[40 * nx + 40] && seg[40 * nx + 40] > 0);
    ph_detect_free(&d);
    free(img);
    free(seg);
}

TEST(empty_and_bad_parameters)
{
    long nx = 30, ny = 30;
    float *img = image(nx, ny);
    int32_t *seg = calloc((size_t)nx * ny, sizeof *seg);
    for (long i = 0; i < nx * ny; i++)
        img[i] = NAN;
    ph_detect_params p;
    ph_detect_defaults(&p);
    p.thresh = 1;
    ph_detection d;
    EXPECT(detect(img, NULL, nx, ny, &p, seg, &d) == 0);
    EXPECT(d.nobj == 0 && d.ndetected == 0);
    ph_detect_free(&d);
    p.minarea = 0;
    EXPECT(ph_detect(img, NULL, 0, nx, ny, &p, NULL, seg, &d) == PH_EUSAGE);
    ph_error_clear();
    free(img);
    free(seg);
}

int main(void)
{
    ph_verbosity = 0;
    RUN(filter_edges);
    RUN(eight_connected_and_minarea);
    RUN(forced_pixels);
    RUN(deblending_two_sources);
    RUN(flux_radius_of_a_gaussian);
    RUN(cleaning_merges_a_wing_detection);
    RUN(empty_and_bad_parameters);
    return check_done();
}
