/* test_skysub.c -- ph-skysub's steps on arrays: the detection mask rule
 * against a brute-force reading of SFFT's recipe, the variance formulas,
 * and phrosty's own sky-subtraction test (test_imagesubtraction.py). */
#include "check.h"
#include "detmask.h"
#include "base/log.h"
#include "io/image.h"
#include "base/rng.h"
#include "skysub.h"
#include "variance.h"

#include <stdint.h>

/* SFFT: ACTIVE = segments with FLUX_RADIUS > cut; GROWN = ACTIVE dilated
 * n times by the cross (= Manhattan distance <= n, through anything);
 * DETMASK = ACTIVE | (GROWN & SEG == 0). */
static int brute(const int32_t *seg, const ph_object *obj, long nx, long ny, double cut, int n,
                 long x, long y)
{
    int32_t s = seg[y * nx + x];
    if (s > 0 && obj[s - 1].flux_radius > cut)
        return 1;
    if (s != 0)
        return 0;
    for (long yy = 0; yy < ny; yy++)
        for (long xx = 0; xx < nx; xx++) {
            int32_t t = seg[yy * nx + xx];
            if (t > 0 && obj[t - 1].flux_radius > cut && labs(xx - x) + labs(yy - y) <= n)
                return 1;
        }
    return 0;
}

TEST(detection_mask_rule)
{
    long nx = 23, ny = 17; /* odd sizes: the 8-pixel steps meet the row ends */
    int32_t *seg = calloc((size_t)nx * ny, sizeof *seg);
    ph_object obj[4] = {{0}};
    obj[0].flux_radius = 3.0;  /* kept */
    obj[1].flux_radius = 1.5;  /* dropped (a star) */
    obj[2].flux_radius = 2.0;  /* dropped: the cut is strict */
    obj[3].flux_radius = 2.01; /* kept, touches the image edge */
    for (long y = 5; y < 9; y++)
        for (long x = 4; x < 9; x++)
            seg[y * nx + x] = 1;
    for (long y = 6; y < 8; y++) /* object 2 right against object 1 */
        seg[y * nx + 9] = seg[y * nx + 10] = 2;
    seg[14 * nx + 15] = seg[14 * nx + 16] = 3;
    for (long y = 0; y < 3; y++)
        seg[y * nx + 22] = 4;
    uint8_t *mask = calloc((size_t)nx * ny, 1);
    long nkept, npix;
    EXPECT(detmask_make(seg, obj, 4, nx, ny, 2.0, 2, mask, PH_MASK_DETECTED, &nkept, &npix) == 0);
    EXPECT(nkept == 2);
    long bad = 0, count = 0;
    for (long y = 0; y < ny; y++)
        for (long x = 0; x < nx; x++) {
            int want = brute(seg, obj, nx, ny, 2.0, 2, x, y);
            count += want;
            if (want != ((mask[y * nx + x] & PH_MASK_DETECTED) != 0) && bad++ < 3)
                printf("# (%ld,%ld): mask %d, expected %d\n", x, y, mask[y * nx + x], want);
        }
    EXPECT(bad == 0);
    EXPECT(npix == count);
    /* the growth reaches past object 2 (a pixel of it counts for the
     * distance) but never takes its pixels */
    EXPECT(mask[6 * nx + 9] == 0);
    EXPECT(mask[4 * nx + 9] != 0); /* diagonal of (8,5): distance 2 */
    EXPECT(mask[5 * nx + 11] == 0); /* distance 3 */
    /* No cut: every segment, no growth. */
    memset(mask, 0, (size_t)nx * ny);
    EXPECT(detmask_make(seg, obj, 4, nx, ny, NAN, 2, mask, 1, &nkept, &npix) == 0);
    EXPECT(nkept == 4 && npix == 20 + 4 + 2 + 3);
    /* No dilation: ACTIVE only. */
    memset(mask, 0, (size_t)nx * ny);
    EXPECT(detmask_make(seg, obj, 4, nx, ny, 2.0, 0, mask, 1, &nkept, &npix) == 0);
    EXPECT(npix == 20 + 3);
    free(seg);
    free(mask);
}

TEST(variance_formulas)
{
    float img[4] = {150.0f, -20.0f, NAN, 1e4f}, noise[4] = {112, 111, 110, NAN};
    float sky[4] = {100, 100, 100, 100}, rms[4] = {10, 10, 10, 10}, v[4];
    variance_row(VAR_PHYSICAL, img, NULL, NULL, NULL, 4, 2.0, 8.5, v);
    EXPECT_NEAR(v[0], 150 / 2.0 + 8.5 * 8.5 / 4, 1e-4);
    EXPECT_NEAR(v[1], 8.5 * 8.5 / 4, 1e-4); /* negative counts: read noise only */
    EXPECT_NEAR(v[2], 0, 0);                /* BAD */
    variance_row(VAR_NOISE, img, noise, NULL, NULL, 4, NAN, NAN, v);
    EXPECT_NEAR(v[0], 112.0 * 112, 1e-3);
    EXPECT_NEAR(v[3], 0, 0);
    variance_row(VAR_MODEL, img, NULL, sky, rms, 4, 4.0, NAN, v);
    EXPECT_NEAR(v[0], 100 + 50 / 4.0, 1e-4);
    EXPECT_NEAR(v[1], 100, 1e-4);
    variance_row(VAR_MODEL, img, NULL, sky, rms, 4, NAN, NAN, v);
    EXPECT_NEAR(v[3], 100, 1e-4);
    EXPECT_STR(variance_name(VAR_MODEL, NAN), "rms^2");
    EXPECT_STR(variance_name(VAR_MODEL, 1.0), "rms^2+poisson");
}

/* phrosty's test_sky_subtract: 512x512 N(100, 10^2) (numpy default_rng(42)
 * there, our generator here): skyrms = 10 +- 0.2, mean of the subtracted
 * image 0 +- 5 x 10 / 512, its std 10 within 5 %. */
TEST(phrosty_sky_subtract)
{
    long n = 512;
    float *img = malloc(sizeof(float) * n * n), *var = malloc(sizeof(float) * n * n);
    uint8_t *mask = calloc((size_t)n * n, 1);
    ph_rng r;
    ph_rng_seed(&r, 42);
    for (long i = 0; i < n * n; i++)
        img[i] = (float)(100 + 10 * ph_rng_gauss(&r));
    skysub_params p;
    skysub_defaults(&p);
    skysub_result res;
    int st = skysub_detect_and_sky(img, mask, n, n, &p, NULL, &res);
    EXPECT(st == 0);
    if (st) {
        printf("# %s\n", ph_error_message());
        ph_error_clear();
    } else {
        EXPECT_NEAR(res.skyrms, 10, 0.2);
        EXPECT_NEAR(res.skylevel, 100, 0.2);
        EXPECT(skysub_finish(img, NULL, n, n, res.sky, VAR_MODEL, NAN, NAN, var) == 0);
        double s = 0, s2 = 0;
        for (long i = 0; i < n * n; i++) {
            s += img[i];
            s2 += (double)img[i] * img[i];
        }
        double mean = s / (n * n), sd = sqrt(s2 / (n * n) - mean * mean);
        EXPECT_NEAR(mean, 0, 5 * 10.0 / 512);
        EXPECT_NEAR(sd / 10, 1, 0.05);
        EXPECT_NEAR(var[1000], res.skyrms * res.skyrms, 2.0);
        skysub_result_free(&res);
    }
    free(img);
    free(var);
    free(mask);
}

TEST(saturated_and_bad_pixels)
{
    long n = 128;
    float *img = malloc(sizeof(float) * n * n);
    uint8_t *mask = calloc((size_t)n * n, 1);
    ph_rng r;
    ph_rng_seed(&r, 2);
    for (long i = 0; i < n * n; i++)
        img[i] = (float)(50 + 5 * ph_rng_gauss(&r));
    img[40 * n + 40] = 1e6; /* one saturated pixel: detected, BAD */
    img[90 * n + 20] = NAN;
    mask[10 * n + 10] = PH_MASK_BAD; /* flagged on input */
    skysub_params p;
    skysub_defaults(&p);
    p.back_size = 32;
    p.saturation = 60000;
    skysub_result res;
    EXPECT(skysub_detect_and_sky(img, mask, n, n, &p, NULL, &res) == 0);
    EXPECT(res.nsaturated == 1);
    EXPECT(res.nbad == 3);
    EXPECT(mask[40 * n + 40] & PH_MASK_BAD);
    EXPECT(mask[40 * n + 40] & SKYSUB_SATURATED);
    EXPECT(mask[40 * n + 40] & SKYSUB_SEGMENT);
    EXPECT(mask[90 * n + 20] & PH_MASK_BAD);
    skysub_final_mask(mask, n * n);
    EXPECT((mask[40 * n + 40] & ~(PH_MASK_BAD | PH_MASK_DETECTED)) == 0);
    skysub_result_free(&res);
    /* Every pixel BAD: nothing to estimate. */
    memset(mask, PH_MASK_BAD, (size_t)n * n);
    EXPECT(skysub_detect_and_sky(img, mask, n, n, &p, NULL, &res) == PH_EFAIL);
    EXPECT(strstr(ph_error_message(), "every pixel") != NULL);
    ph_error_clear();
    free(img);
    free(mask);
}

int main(void)
{
    ph_verbosity = 0;
    RUN(detection_mask_rule);
    RUN(variance_formulas);
    RUN(phrosty_sky_subtract);
    RUN(saturated_and_bad_pixels);
    return check_done();
}
