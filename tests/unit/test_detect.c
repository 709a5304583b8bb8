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

/* A test scene: an nx x ny image (zeros), its segmentation map and the
 * default detection parameters. */
typedef struct scene {
    long nx, ny;
    float *img;
    int32_t *seg;
    ph_detect_params p;
} scene;

/* Add a circular Gaussian of total flux f at (x0, y0), 0-based, to the
 * scene's image. */
static void gauss(scene *s, double x0, double y0, double sigma, double f)
{
    for (long y = 0; y < s->ny; y++)
        for (long x = 0; x < s->nx; x++) {
            double r2 = (x - x0) * (x - x0) + (y - y0) * (y - y0);
            s->img[y * s->nx + x] +=
                (float)(f * exp(-0.5 * r2 / (sigma * sigma)) / (2 * M_PI * sigma * sigma));
        }
}

static void noise(scene *s, double sigma, uint64_t seed)
{
    ph_rng r;
    ph_rng_seed(&r, seed);
    for (long i = 0; i < s->nx * s->ny; i++)
        s->img[i] += (float)(sigma * ph_rng_gauss(&r));
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

static scene scene_new(long nx, long ny)
{
    scene s = {.nx = nx, .ny = ny, .img = image(nx, ny)};
    s.seg = calloc((size_t)nx * ny, sizeof *s.seg);
    ph_detect_defaults(&s.p);
    return s;
}

/* Detect on the scene (force: pixels always detected, or NULL). */
static int scene_detect(scene *s, const uint8_t *force, ph_detection *d)
{
    return detect(s->img, force, s->nx, s->ny, &s->p, s->seg, d);
}

/* Whether an object lies within 1 px of (x, y) in both coordinates. */
static int found_near(const ph_detection *d, double x, double y)
{
    int found = 0;
    for (long k = 0; k < d->nobj; k++)
        found |= fabs(d->obj[k].x - x) < 1 && fabs(d->obj[k].y - y) < 1;
    return found;
}

static void scene_free(scene *s)
{
    free(s->img);
    free(s->seg);
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
    scene s = scene_new(20, 12);
    long nx = s.nx;
    s.p.kernel = NULL; /* pixel-exact */
    s.p.thresh = 0.5;
    /* A diagonal chain of 6 pixels: one object only through corners. */
    for (int k = 0; k < 6; k++)
        s.img[(1 + k) * nx + 2 + k] = 1;
    /* A 4-pixel square: detected pixels but below minarea. */
    s.img[2 * nx + 14] = s.img[2 * nx + 15] = s.img[3 * nx + 14] = s.img[3 * nx + 15] = 1;
    /* Two 5-pixel rows touching only by an edge of the image? no: apart. */
    for (int k = 0; k < 5; k++)
        s.img[10 * nx + 10 + k] = 1;
    ph_detection d;
    EXPECT(scene_detect(&s, NULL, &d) == 0);
    EXPECT(d.nobj == 2);
    EXPECT(d.ndetected == 15);
    EXPECT(d.nsmall == 1);
    EXPECT(s.seg[2 * nx + 14] == 0); /* small detections are not segments */
    if (d.nobj == 2) {
        int32_t l = s.seg[1 * nx + 2];
        EXPECT(l > 0);
        for (int k = 0; k < 6; k++)
            EXPECT(s.seg[(1 + k) * nx + 2 + k] == l);
        EXPECT(d.obj[l - 1].npix == 6);
        EXPECT_NEAR(d.obj[l - 1].x, 4.5, 1e-9);
        EXPECT_NEAR(d.obj[l - 1].y, 3.5, 1e-9);
        /* numbered in SExtractor's order: the object ending first is 1 */
        EXPECT(l == 1);
        EXPECT(s.seg[10 * nx + 12] == 2);
    }
    ph_detect_free(&d);
    scene_free(&s);
}

TEST(forced_pixels)
{
    scene s = scene_new(16, 16);
    long nx = s.nx, ny = s.ny;
    uint8_t *force = calloc((size_t)nx * ny, 1);
    s.p.kernel = NULL;
    s.p.thresh = 10;
    for (int y = 6; y < 9; y++)
        for (int x = 6; x < 8; x++)
            force[y * nx + x] = 1; /* 6 saturated pixels of value 0 */
    ph_detection d;
    EXPECT(scene_detect(&s, force, &d) == 0);
    EXPECT(d.nobj == 1);
    if (d.nobj == 1)
        EXPECT(d.obj[0].flags & PH_OBJ_FORCED);
    ph_detect_free(&d);
    free(force);
    scene_free(&s);
}

/* Two Gaussians 7 px apart (sigma 1.5) join at the detection threshold:
 * the multi-threshold tree splits them; without deblending they stay one. */
TEST(deblending_two_sources)
{
    scene s = scene_new(48, 40);
    long nx = s.nx, ny = s.ny;
    gauss(&s, 20.0, 20.0, 1.5, 5000);
    gauss(&s, 27.0, 20.0, 1.5, 3000);
    noise(&s, 1.0, 11);
    s.p.thresh = 1.5 * 0.6; /* 1.5 sigma of the filtered noise (~0.6) */
    ph_detection d;
    EXPECT(scene_detect(&s, NULL, &d) == 0);
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
            n1 += s.seg[i] == 1;
            n2 += s.seg[i] == 2;
        }
        EXPECT(n1 == d.obj[0].npix && n2 == d.obj[1].npix);
    }
    ph_detect_free(&d);
    s.p.nthresh = 1;
    EXPECT(scene_detect(&s, NULL, &d) == 0);
    EXPECT(d.nobj == 1);
    ph_detect_free(&d);
    s.p.nthresh = 32;
    s.p.mincont = 1.0;
    EXPECT(scene_detect(&s, NULL, &d) == 0);
    EXPECT(d.nobj == 1);
    ph_detect_free(&d);
    scene_free(&s);
}

/* FLUX_RADIUS of a bright isolated Gaussian: the radius holding half of
 * FLUX_AUTO. The growth curve spreads each pixel's value over its area,
 * so the profile it sees is the Gaussian convolved with the pixel:
 * sigma_eff^2 = sigma^2 + 1/12, r50 = sigma_eff sqrt(2 ln 2); FLUX_AUTO
 * (Kron aperture) holds a fraction f of the flux, moving the radius to
 * sigma_eff sqrt(-2 ln(1 - f/2)). */
TEST(flux_radius_of_a_gaussian)
{
    scene s = scene_new(64, 64);
    const double sigma = 2.0, f = 1e5;
    gauss(&s, 31.3, 32.6, sigma, f);
    noise(&s, 0.5, 3);
    s.p.thresh = 1.5 * 0.3;
    ph_detection d;
    EXPECT(scene_detect(&s, NULL, &d) == 0);
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
    scene_free(&s);
}

/* A faint detection in the far wing of a bright source: CLEAN merges it
 * (the Moffat wing of beta = 1 it fits to the bright one predicts more
 * than the faint one's brightest pixels); without CLEAN it stays. */
TEST(cleaning_merges_a_wing_detection)
{
    scene s = scene_new(96, 96);
    long nx = s.nx;
    /* The faint one has 5 pixels just above the threshold: its mthresh is
     * ~0.15, while the wing fitted to the bright one (area 121 px at 0.9)
     * predicts ~0.9 x 121 / (pi 12^2) = 0.24 at 12 px. */
    gauss(&s, 40, 40, 1.2, 4e5);
    gauss(&s, 52, 40, 1.0, 14);
    noise(&s, 0.05, 8);
    s.p.thresh = 0.9;
    s.p.clean = 0;
    ph_detection d;
    EXPECT(scene_detect(&s, NULL, &d) == 0);
    long before = d.nobj;
    EXPECT(found_near(&d, 52, 40));
    ph_detect_free(&d);
    s.p.clean = 1;
    EXPECT(scene_detect(&s, NULL, &d) == 0);
    EXPECT(d.nobj < before);
    EXPECT(d.ncleaned >= 1);
    EXPECT(!found_near(&d, 52, 40));
    /* the eaten object's pixels carry its master's label */
    EXPECT(s.seg[40 * nx + 52] == s.seg[40 * nx + 40] && s.seg[40 * nx + 40] > 0);
    ph_detect_free(&d);
    scene_free(&s);
}

TEST(empty_and_bad_parameters)
{
    scene s = scene_new(30, 30);
    long nx = s.nx, ny = s.ny;
    for (long i = 0; i < nx * ny; i++)
        s.img[i] = NAN;
    s.p.thresh = 1;
    ph_detection d;
    EXPECT(scene_detect(&s, NULL, &d) == 0);
    EXPECT(d.nobj == 0 && d.ndetected == 0);
    ph_detect_free(&d);
    s.p.minarea = 0;
    EXPECT(ph_detect(s.img, NULL, 0, nx, ny, &s.p, NULL, s.seg, &d) == PH_EUSAGE);
    ph_error_clear();
    scene_free(&s);
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
