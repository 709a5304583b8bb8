/* test_background.c -- SExtractor/SEP background (common/sci/background.h):
 * analytic cases, a direct transcription of SExtractor's backguess() as an
 * independent reference for the histogram mode, and SExtractor's own maps
 * of a real frame ($PH_SHARED_DATA/sep-sextractor). */
#include "sci/background.h"
#include "check.h"
#include "io/fits.h"
#include "base/log.h"
#include "base/rng.h"

#include <stdint.h>

static ph_bkg *make(const float *img, const uint8_t *mask, long nx, long ny, int bw, int fw)
{
    ph_bkg *b = NULL;
    if (ph_bkg_make(img, mask, 1, nx, ny, bw, bw, fw, fw, &b)) {
        printf("# ph_bkg_make: %s\n", ph_error_message());
        ph_error_clear();
    }
    return b;
}

static float at(ph_bkg *b, int which, long x, long y)
{
    long bnx, bny;
    ph_bkg_size(b, &bnx, &bny);
    float *row = malloc((size_t)bnx * sizeof *row);
    ph_bkg_row(b, which, y, row);
    float v = row[x];
    free(row);
    return v;
}

TEST(constant_image)
{
    long nx = 200, ny = 150;
    float *img = malloc(sizeof(float) * nx * ny);
    for (long i = 0; i < nx * ny; i++)
        img[i] = 42.5f;
    ph_bkg *b = make(img, NULL, nx, ny, 64, 3);
    EXPECT(b != NULL);
    if (b) {
        int nmx, nmy;
        ph_bkg_meshes(b, &nmx, &nmy, NULL);
        EXPECT(nmx == 4 && nmy == 3); /* partial last meshes */
        EXPECT_NEAR(ph_bkg_global(b), 42.5, 1e-5);
        EXPECT_NEAR(ph_bkg_globalrms(b), 1.0, 0); /* every sigma 0: SExtractor's 1 */
        EXPECT_NEAR(at(b, PH_BKG_BACK, 0, 0), 42.5, 1e-4);
        EXPECT_NEAR(at(b, PH_BKG_BACK, 199, 149), 42.5, 1e-4);
        EXPECT_NEAR(at(b, PH_BKG_RMS, 100, 70), 0.0, 1e-6);
        double q[3] = {0, 50, 100}, v[3];
        EXPECT(ph_bkg_quantiles(b, PH_BKG_BACK, q, 3, v) == 0);
        EXPECT_NEAR(v[1], 42.5, 1e-4);
    }
    ph_bkg_free(b);
    free(img);
}

/* phrosty's anchor (pipeline-reference §2.2/§7.1): N(100, 10^2), 512x512,
 * sep gives a median rms of ~9.82 (the 3-sigma clipping bias: the rms of
 * a Gaussian clipped at +-3 sigma is 0.9865 sigma, and the 2-sigma pre-cut
 * of SExtractor's first pass shrinks its range further) and a background
 * of 100. */
TEST(gaussian_noise)
{
    long n = 512;
    float *img = malloc(sizeof(float) * n * n);
    ph_rng r;
    ph_rng_seed(&r, 42);
    for (long i = 0; i < n * n; i++)
        img[i] = (float)(100 + 10 * ph_rng_gauss(&r));
    ph_bkg *b = make(img, NULL, n, n, 64, 3);
    EXPECT(b != NULL);
    if (b) {
        double q = 50, med;
        EXPECT(ph_bkg_quantiles(b, PH_BKG_RMS, &q, 1, &med) == 0);
        EXPECT_NEAR(med, 9.82, 0.06);
        EXPECT_NEAR(ph_bkg_globalrms(b), 9.82, 0.06);
        EXPECT_NEAR(ph_bkg_global(b), 100.0, 0.1);
        EXPECT_NEAR(at(b, PH_BKG_BACK, 300, 200), 100.0, 0.3);
    }
    ph_bkg_free(b);
    free(img);
}

/* Meshes holding the constants c + A i + B j: the filtered mesh map is the
 * same plane (a 3x3 median keeps it: the windows shrink symmetrically),
 * and its spline is the plane through the nodes, which SExtractor puts
 * at x0 = (bw-1)/2 + i bw but y0 = bh/2 + j bh: the map must be
 * c + A (x0 - 31.5)/64 + B (y0 - 32)/64 everywhere, edges included
 * (extrapolated there). */
TEST(plane_and_node_positions)
{
    long nx = 320, ny = 300; /* the last row of meshes is partial */
    float *img = malloc(sizeof(float) * nx * ny);
    const double A = 3.0, B = 5.0, c = 1000;
    for (long y = 0; y < ny; y++)
        for (long x = 0; x < nx; x++)
            img[y * nx + x] = (float)(c + A * (x / 64) + B * (y / 64));
    ph_bkg *b = make(img, NULL, nx, ny, 64, 3);
    EXPECT(b != NULL);
    if (b) {
        double worst = 0;
        for (long y = 0; y < ny; y++)
            for (long x = 0; x < nx; x += 3) {
                double want = c + A * (x - 31.5) / 64 + B * (y - 32.0) / 64;
                double d = fabs(at(b, PH_BKG_BACK, x, y) - want);
                worst = d > worst ? d : worst;
            }
        EXPECT_NEAR(worst, 0.0, 2e-4); /* float rounding of ~1000 */
        EXPECT_NEAR(at(b, PH_BKG_BACK, 31, 32), c - A * 0.5 / 64, 2e-4);
    }
    ph_bkg_free(b);
    free(img);
}

/* A mesh with too few valid pixels takes the mean of its nearest good
 * meshes (no filter here, to see the fill). */
TEST(bad_mesh_filled)
{
    long nx = 192, ny = 192; /* 3x3 meshes of 64 */
    float *img = malloc(sizeof(float) * nx * ny);
    uint8_t *mask = calloc((size_t)nx * ny, 1);
    ph_rng r;
    ph_rng_seed(&r, 9);
    for (long y = 0; y < ny; y++)
        for (long x = 0; x < nx; x++) {
            int mx = (int)(x / 64), my = (int)(y / 64);
            img[y * nx + x] = (float)(10 * (mx + 3 * my) + 0.1 * ph_rng_gauss(&r));
            /* the centre mesh: 60% masked, the rest NaN or blank */
            if (mx == 1 && my == 1) {
                if (x % 5 < 3)
                    mask[y * nx + x] = 1;
                else if (x % 5 == 3)
                    img[y * nx + x] = NAN;
            }
        }
    ph_bkg *b = make(img, mask, nx, ny, 64, 1);
    EXPECT(b != NULL);
    if (b) {
        int nbad;
        ph_bkg_meshes(b, NULL, NULL, &nbad);
        EXPECT(nbad == 1);
        /* Nearest good meshes: the 4 edge neighbours, 10, 30, 50, 70. */
        EXPECT_NEAR(ph_bkg_mesh(b, PH_BKG_BACK, 4), (10 + 30 + 50 + 70) / 4.0, 0.05);
        EXPECT_NEAR(ph_bkg_mesh(b, PH_BKG_BACK, 0), 0.0, 0.05);
    }
    ph_bkg_free(b);
    /* Everything masked: 0 +- 1, as SExtractor. */
    memset(mask, 1, (size_t)nx * ny);
    b = make(img, mask, nx, ny, 64, 1);
    EXPECT(b != NULL);
    if (b) {
        int nbad;
        ph_bkg_meshes(b, NULL, NULL, &nbad);
        EXPECT(nbad == 9);
        EXPECT_NEAR(ph_bkg_global(b), 0.0, 0);
        EXPECT_NEAR(ph_bkg_globalrms(b), 1.0, 0);
    }
    ph_bkg_free(b);
    free(img);
    free(mask);
}

/* ---- an independent reference for one mesh: SExtractor's backstat(),
 * backhisto() and backguess() written out plainly (back.c, 2.25). ---- */
/* Mean and rms of the finite values in [lo, hi]; returns how many. */
static int ref_mean_sig(const float *v, int n, float lo, float hi, double *mean, double *sig)
{
    double m = 0, s = 0;
    int npix = 0;
    for (int i = 0; i < n; i++)
        if (isfinite(v[i]) && v[i] <= hi && v[i] >= lo) {
            m += v[i];
            s += (double)v[i] * v[i];
            npix++;
        }
    m /= npix;
    s = s / npix - m * m;
    *mean = m;
    *sig = s > 0 ? sqrt(s) : 0;
    return npix;
}

static void ref_mesh(const float *v, int n, double *back, double *sigma)
{
    double mean, sig;
    ref_mean_sig(v, n, -INFINITY, INFINITY, &mean, &sig);
    float lcut = (float)(mean - 2 * sig), hcut = (float)(mean + 2 * sig);
    int npix = ref_mean_sig(v, n, lcut, hcut, &mean, &sig);
    int nlevels = (int)(sqrt(2 / M_PI) * 5 / 4 * npix + 1);
    if (nlevels > 4096)
        nlevels = 4096;
    float qscale = sig > 0 ? (float)(10 * sig / nlevels) : 1.0f;
    float qzero = (float)(mean - 5 * sig);
    float cste = 0.499999f - qzero / qscale;
    long *h = calloc((size_t)nlevels, sizeof *h);
    for (int i = 0; i < n; i++) {
        if (!isfinite(v[i]))
            continue;
        float f = v[i] / qscale + cste;
        if (f > -1.0f && f < nlevels)
            h[(int)f]++;
    }
    int lc = 0, hc = nlevels - 1;
    double s = 10.0 * (nlevels - 1), s1 = 1.0, mea = mean, med = mean;
    for (int it = 100; it-- && s >= 0.1 && fabs(s / s1 - 1.0) > 1e-4;) {
        s1 = s;
        double sum = 0;
        unsigned long lowsum = 0, highsum = 0;
        long lo = lc, hi = hc;
        mea = s = 0;
        for (int i = lc; i <= hc; i++) {
            if (lowsum < highsum)
                lowsum += h[lo++];
            else
                highsum += h[hi--];
            sum += h[i];
            mea += (double)h[i] * i;
            s += (double)h[i] * i * i;
        }
        double den = 2.0 * (h[lo] > h[hi] ? h[lo] : h[hi]);
        med = hi >= 0 ? hi + 0.5 + (den > 0 ? ((double)highsum - lowsum) / den : 0) : 0;
        if (sum) {
            mea /= sum;
            s = s / sum - mea * mea;
        }
        s = s > 0 ? sqrt(s) : 0;
        double t = med - 3 * s;
        lc = t > 0 ? (int)(t + 0.5) : 0;
        t = med + 3 * s;
        hc = t < nlevels - 1 ? (int)(t > 0 ? t + 0.5 : t - 0.5) : nlevels - 1;
    }
    double mode = s > 0 ? (fabs((mea - med) / s) < 0.3 ? 2.5 * med - 1.5 * mea : med) : mea;
    *back = (float)(qzero + mode * qscale);
    *sigma = (float)(s * qscale);
    free(h);
}

TEST(mesh_mode_matches_sextractor_loop)
{
    ph_rng r;
    ph_rng_seed(&r, 77);
    float v[4096];
    int ndiff = 0;
    for (int t = 0; t < 300; t++) {
        int n = 50 + (int)(ph_rng_uniform(&r) * 4000);
        int kind = t % 4;
        for (int i = 0; i < n; i++) {
            double g = ph_rng_gauss(&r);
            if (kind == 0)
                v[i] = (float)(100 + 10 * g);
            else if (kind == 1) /* skewed: sources on the sky */
                v[i] = (float)(100 + 10 * g + (ph_rng_uniform(&r) < 0.2 ? 50 * ph_rng_uniform(&r) : 0));
            else if (kind == 2) /* integers: ties and empty bins */
                v[i] = (float)floor(20 + 3 * g);
            else /* bimodal */
                v[i] = (float)(ph_rng_uniform(&r) < 0.5 ? 10 + g : 30 + g);
        }
        double b1, s1, b2, s2;
        ref_mesh(v, n, &b1, &s1);
        EXPECT(ph_bkg_mesh_estimate(v, n, &b2, &s2) == 0);
        if (b1 != b2 || s1 != s2) {
            if (ndiff++ < 3)
                printf("# case %d (kind %d, n %d): back %.9g vs %.9g, sigma %.9g vs %.9g\n", t,
                       kind, n, b2, b1, s2, s1);
        }
    }
    EXPECT(ndiff == 0);
    /* Half the values invalid or more: a bad mesh. */
    for (int i = 0; i < 100; i++)
        v[i] = i < 51 ? NAN : 1.0f;
    double b, s;
    EXPECT(ph_bkg_mesh_estimate(v, 100, &b, &s) == 1);
    EXPECT(isnan(b) && isnan(s));
}

/* The exact quantiles against sorting the whole map (numpy's linear
 * interpolation between order statistics). */
static int cmpf(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

TEST(quantiles_exact)
{
    long nx = 301, ny = 257;
    float *img = malloc(sizeof(float) * nx * ny);
    ph_rng r;
    ph_rng_seed(&r, 3);
    for (long y = 0; y < ny; y++)
        for (long x = 0; x < nx; x++)
            img[y * nx + x] = (float)(50 + 0.02 * x + 3 * sin(y / 40.0) + ph_rng_gauss(&r));
    ph_bkg *b = make(img, NULL, nx, ny, 32, 3);
    EXPECT(b != NULL);
    if (!b) {
        free(img);
        return;
    }
    float *map = malloc(sizeof(float) * nx * ny);
    for (long y = 0; y < ny; y++)
        ph_bkg_row(b, PH_BKG_BACK, y, map + y * nx);
    qsort(map, (size_t)(nx * ny), sizeof *map, cmpf);
    double q[5] = {0, 25, 50, 75, 100}, v[5];
    EXPECT(ph_bkg_quantiles(b, PH_BKG_BACK, q, 5, v) == 0);
    long n = nx * ny;
    for (int i = 0; i < 5; i++) {
        double pos = (n - 1) * q[i] / 100, f = pos - floor(pos);
        long k = (long)floor(pos);
        double want = map[k] + (k + 1 < n ? (map[k + 1] - map[k]) * f : 0);
        EXPECT_NEAR(v[i], want, 1e-9 * fabs(want));
    }
    free(map);
    ph_bkg_free(b);
    free(img);
}

TEST(smaller_than_a_mesh)
{
    float img[50 * 40] = {0};
    ph_bkg *b = NULL;
    EXPECT(ph_bkg_make(img, NULL, 0, 50, 40, 64, 64, 3, 3, &b) == PH_EFAIL);
    EXPECT(b == NULL);
    EXPECT(strstr(ph_error_message(), "smaller than one background mesh") != NULL);
    ph_error_clear();
    EXPECT(ph_bkg_make(img, NULL, 0, 50, 40, 0, 0, 3, 3, &b) == PH_EUSAGE);
    ph_error_clear();
}

/* SExtractor 2.x's own BACKGROUND and BACKGROUND_RMS check images of a real
 * ESO frame (SEP's test data; BACK_SIZE 64, BACK_FILTERSIZE 3). */
TEST(sextractor_maps_of_a_real_frame)
{
    const char *img_p = check_data("sep-sextractor/image.fits");
    const char *back_p = check_data("sep-sextractor/back.fits");
    const char *rms_p = check_data("sep-sextractor/rms.fits");
    if (access(img_p, R_OK) || access(back_p, R_OK) || access(rms_p, R_OK))
        SKIP("no peer data sep-sextractor/");
    long nx, ny, mx, my;
    float *img = NULL, *back = NULL, *rms = NULL;
    ph_fits f;
    EXPECT(ph_fits_open(&f, img_p) == 0 && ph_fits_goto_first_image(&f) == 0 &&
           ph_fits_read_float(&f, &nx, &ny, &img) == 0);
    ph_fits_close(&f);
    EXPECT(ph_fits_open(&f, back_p) == 0 && ph_fits_goto_first_image(&f) == 0 &&
           ph_fits_read_float(&f, &mx, &my, &back) == 0);
    ph_fits_close(&f);
    EXPECT(ph_fits_open(&f, rms_p) == 0 && ph_fits_goto_first_image(&f) == 0 &&
           ph_fits_read_float(&f, &mx, &my, &rms) == 0);
    ph_fits_close(&f);
    ph_bkg *b = img ? make(img, NULL, nx, ny, 64, 3) : NULL;
    EXPECT(b != NULL);
    if (b && back && rms) {
        float *row = malloc(sizeof(float) * nx);
        double db = 0, dr = 0;
        for (long y = 0; y < ny; y++) {
            ph_bkg_row(b, PH_BKG_BACK, y, row);
            for (long x = 0; x < nx; x++)
                db = fmax(db, fabs(row[x] - back[y * nx + x]) / rms[y * nx + x]);
            ph_bkg_row(b, PH_BKG_RMS, y, row);
            for (long x = 0; x < nx; x++)
                dr = fmax(dr, fabs(row[x] / rms[y * nx + x] - 1));
        }
        /* float rounding only (SExtractor accumulates its spline in float) */
        printf("# max |back - SExtractor| = %.2g rms, max |rms/SExtractor - 1| = %.2g\n", db, dr);
        EXPECT(db < 1e-3);
        EXPECT(dr < 1e-3);
        free(row);
    }
    ph_bkg_free(b);
    free(img);
    free(back);
    free(rms);
}

int main(void)
{
    ph_verbosity = 0;
    RUN(constant_image);
    RUN(gaussian_noise);
    RUN(plane_and_node_positions);
    RUN(bad_mesh_filled);
    RUN(mesh_mode_matches_sextractor_loop);
    RUN(quantiles_exact);
    RUN(smaller_than_a_mesh);
    RUN(sextractor_maps_of_a_real_frame);
    return check_done();
}
