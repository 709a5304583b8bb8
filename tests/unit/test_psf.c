/* test_psf.c -- ph-psf's model files (tools/psf/psffile.c): the pattern,
 * the 9x model file against the exact stamps at random phases, the grid's
 * bilinear interpolation (exact, since a stamp is linear in the model),
 * optical samples integrated over the pixel, and the errors. */
#include "check.h"
#include "io/fits.h"
#include "base/log.h"
#include "psf.h"
#include "base/rng.h"
#include "sci/romanpsf.h"

#include <stdlib.h>

static double rel_l2(const double *a, const double *b, long n)
{
    double sa = 0, sb = 0, d = 0, q = 0;
    for (long i = 0; i < n; i++)
        sa += a[i], sb += b[i];
    for (long i = 0; i < n; i++) {
        double x = a[i] / sa - b[i] / sb;
        d += x * x;
        q += b[i] * b[i] / (sb * sb);
    }
    return sqrt(d / q);
}

/* A cube of nz planes m x m with the keys given as "KEY=VALUE" strings. */
static int write_cube(const char *path, const double *d, long m, long nz, const char **keys)
{
    fitsfile *f;
    int status = 0;
    long naxes[3] = {m, m, nz};
    char p[1100];
    snprintf(p, sizeof p, "!%s", path);
    fits_create_file(&f, p, &status);
    fits_create_img(f, DOUBLE_IMG, nz > 1 ? 3 : 2, naxes, &status);
    long first[3] = {1, 1, 1};
    fits_write_pix(f, TDOUBLE, first, m * m * nz, (void *)d, &status);
    for (int i = 0; keys && keys[i]; i++) {
        char k[16], v[64];
        sscanf(keys[i], "%15[^=]=%63s", k, v);
        if (!strcmp(v, "T") || !strcmp(v, "F")) {
            int b = v[0] == 'T';
            fits_update_key(f, TLOGICAL, k, &b, NULL, &status);
        } else {
            double x = atof(v);
            fits_update_key(f, TDOUBLE, k, &x, NULL, &status);
        }
    }
    fits_close_file(f, &status);
    return status;
}

TEST(pattern)
{
    char out[256];
    EXPECT(psf_pattern_expand("psf/{band}/{pointing}/p_{band}_{pointing}_{sca}.fits", "Y106", 7,
                              "10000", out, sizeof out, "img") == 0);
    EXPECT(!strcmp(out, "psf/Y106/10000/p_Y106_10000_7.fits"));
    EXPECT(psf_pattern_expand("plain.fits", "", -1, "", out, sizeof out, "img") == 0);
    EXPECT(!strcmp(out, "plain.fits"));
    ph_error_clear();
    EXPECT(psf_pattern_expand("p_{filter}.fits", "Y106", 1, "1", out, sizeof out, "img") ==
           PH_EUSAGE);
    EXPECT(strstr(ph_error_message(), "unknown placeholder") != NULL);
    ph_error_clear();
    EXPECT(psf_pattern_expand("p_{sca}.fits", "Y106", -1, "1", out, sizeof out, "img") ==
           PH_EUSAGE);
    EXPECT(strstr(ph_error_message(), "SCA_NUM") != NULL);
    ph_error_clear();
}

/* The 9x model file reproduces the exact native stamp at random phases. */
TEST(file_reproduces_stamps)
{
    const char *dir = check_tmpdir();
    char path[1024];
    snprintf(path, sizeof path, "%s/y106.fits", dir);
    const char *bands[] = {"R062", "Y106", "H158"};
    for (int b = 0; b < 3; b++) {
        ph_romanpsf_opts o;
        ph_romanpsf_defaults(&o, bands[b]);
        ph_romanpsf *p = ph_romanpsf_new(&o);
        long n = 41, m = 9 * n;
        double *ov = malloc(m * m * sizeof *ov);
        EXPECT(ph_romanpsf_oversampled(p, 9, n, ov) == 0);
        const char *keys[] = {"OVERSAMP=9", NULL};
        EXPECT(write_cube(path, ov, m, 1, keys) == 0);
        psf_file f;
        EXPECT(psf_file_load(path, &f) == 0);
        ph_rng r;
        ph_rng_seed(&r, 3);
        double worst = 0, *a = malloc(n * n * sizeof *a), *t = malloc(n * n * sizeof *t), frac;
        for (int k = 0; k < 20; k++) {
            double x0 = 4088 * ph_rng_uniform(&r), y0 = 4088 * ph_rng_uniform(&r);
            double dx = x0 - floor(x0 + 0.5), dy = y0 - floor(y0 + 0.5);
            EXPECT(psf_file_stamp(&f, x0, y0, dx, dy, n, PH_INTERP_BICUBIC, a, &frac) == 0);
            ph_romanpsf_stamp(p, dx, dy, n, t);
            worst = fmax(worst, rel_l2(a, t, n * n));
        }
        printf("# %s: 9x file vs exact stamps, worst rel L2 %.2e\n", bands[b], worst);
        EXPECT(worst < 1e-3);
        EXPECT_REL(psf_file_fwhm(&f, 0, 0), ph_romanpsf_fwhm_epsf(&o), 1e-3);
        psf_file_free(&f);
        free(a), free(t), free(ov);
        ph_romanpsf_free(p);
    }
}

/* 2x2 grid of Gaussians: bilinear weights, clamped outside. */
TEST(grid_bilinear)
{
    const char *dir = check_tmpdir();
    char path[1024];
    snprintf(path, sizeof path, "%s/grid.fits", dir);
    long n = 15, o = 3, m = o * n;
    double sig[4] = {1.0, 1.3, 1.6, 2.0};
    double *cube = malloc(4 * m * m * sizeof *cube);
    double *st[4];
    for (int k = 0; k < 4; k++) {
        ph_romanpsf_opts ro;
        ph_romanpsf_defaults(&ro, "Y106");
        ro.model = PH_RPSF_GAUSSIAN;
        ro.sigma_px = sig[k];
        ph_romanpsf *p = ph_romanpsf_new(&ro);
        ph_romanpsf_oversampled(p, (int)o, n, cube + k * m * m);
        ph_romanpsf_free(p);
        st[k] = malloc(n * n * sizeof(double));
    }
    const char *keys[] = {"OVERSAMP=3", "NGRID=4", "NGRIDX=2", "NGRIDY=2", "GRIDX0=100",
                          "GRIDX1=900", "GRIDY0=200", "GRIDY1=600", NULL};
    EXPECT(write_cube(path, cube, m, 4, keys) == 0);
    psf_file f;
    EXPECT(psf_file_load(path, &f) == 0);
    EXPECT(f.ngx == 2 && f.ngy == 2);
    double frac, *a = malloc(n * n * sizeof *a);
    /* Corner planes alone at the grid points. */
    double gx[2] = {100, 900}, gy[2] = {200, 600};
    for (int k = 0; k < 4; k++)
        psf_file_stamp(&f, gx[k % 2], gy[k / 2], 0, 0, n, PH_INTERP_BICUBIC, st[k], &frac);
    /* At (300, 500): tx = 0.25, ty = 0.75. */
    psf_file_stamp(&f, 300, 500, 0, 0, n, PH_INTERP_BICUBIC, a, &frac);
    double w[4] = {0.75 * 0.25, 0.25 * 0.25, 0.75 * 0.75, 0.25 * 0.75}, md = 0;
    for (long i = 0; i < n * n; i++) {
        double e = w[0] * st[0][i] + w[1] * st[1][i] + w[2] * st[2][i] + w[3] * st[3][i];
        md = fmax(md, fabs(a[i] - e));
    }
    EXPECT(md < 1e-14);
    /* Outside the grid: the nearest corner plane. */
    psf_file_stamp(&f, -50, 4000, 0, 0, n, PH_INTERP_BICUBIC, a, &frac);
    md = 0;
    for (long i = 0; i < n * n; i++)
        md = fmax(md, fabs(a[i] - st[2][i]));
    EXPECT(md < 1e-15);
    psf_file_free(&f);
    for (int k = 0; k < 4; k++)
        free(st[k]);
    free(a), free(cube);
}

/* Optical samples (PIXRESP F) are integrated over the pixel here. */
TEST(optical_samples_integrated)
{
    const char *dir = check_tmpdir();
    char path[1024];
    snprintf(path, sizeof path, "%s/opt.fits", dir);
    ph_romanpsf_opts o;
    ph_romanpsf_defaults(&o, "H158");
    o.pixel = 0;
    ph_romanpsf *p = ph_romanpsf_new(&o);
    long n = 31, m = 9 * n;
    double *ov = malloc(m * m * sizeof *ov), *a = malloc(n * n * sizeof *a),
           *t = malloc(n * n * sizeof *t), frac;
    ph_romanpsf_oversampled(p, 9, n, ov);
    const char *keys[] = {"OVERSAMP=9", "PIXRESP=F", NULL};
    EXPECT(write_cube(path, ov, m, 1, keys) == 0);
    psf_file f;
    EXPECT(psf_file_load(path, &f) == 0);
    EXPECT(psf_file_stamp(&f, 10, 10, 0.2, -0.3, n, PH_INTERP_BICUBIC, a, &frac) == 0);
    ph_romanpsf_free(p);
    o.pixel = 1;
    p = ph_romanpsf_new(&o);
    ph_romanpsf_stamp(p, 0.2, -0.3, n, t);
    double e = rel_l2(a, t, n * n);
    printf("# optical 9x samples box-integrated: rel L2 %.2e\n", e);
    EXPECT(e < 3e-3);
    psf_file_free(&f);
    ph_romanpsf_free(p);
    free(ov), free(a), free(t);
}

TEST(file_errors)
{
    const char *dir = check_tmpdir();
    char path[1024];
    psf_file f;
    snprintf(path, sizeof path, "%s/none.fits", dir);
    ph_error_clear();
    EXPECT(psf_file_load(path, &f) != 0);
    EXPECT(strstr(ph_error_message(), "not found") != NULL);
    double z[25] = {0}, nan5[25] = {0}, ev[16] = {1};
    nan5[12] = NAN;
    struct {
        const double *d;
        long m, nz;
        const char *keys[4];
        const char *msg;
    } c[] = {
        {z, 5, 1, {NULL}, "sums to 0"},
        {nan5, 5, 1, {NULL}, "non-finite"},
        {ev, 4, 1, {NULL}, "square and odd"},
        {z, 5, 1, {"OVERSAMP=2.5", NULL}, "OVERSAMP"},
        {z, 5, 1, {"NGRID=3", NULL}, "NGRID = 3"},
    };
    for (size_t k = 0; k < sizeof c / sizeof c[0]; k++) {
        snprintf(path, sizeof path, "%s/bad%zu.fits", dir, k);
        EXPECT(write_cube(path, c[k].d, c[k].m, c[k].nz, c[k].keys) == 0);
        ph_error_clear();
        EXPECT(psf_file_load(path, &f) != 0);
        if (!strstr(ph_error_message(), c[k].msg))
            printf("# case %zu: '%s' lacks '%s'\n", k, ph_error_message(), c[k].msg);
        EXPECT(strstr(ph_error_message(), c[k].msg) != NULL);
    }
    ph_error_clear();
}

int main(void)
{
    RUN(pattern);
    RUN(file_reproduces_stamps);
    RUN(grid_bilinear);
    RUN(optical_samples_integrated);
    RUN(file_errors);
    return check_done();
}
