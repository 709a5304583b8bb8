/* test_fits.c -- headers, FITS images and tables, the ph image, input
 * images (OpenUniverse2024 layout, .fits.gz), atomic writes and bad files. */
#include "check.h"
#include "io/fits.h"
#include "io/header.h"
#include "io/image.h"
#include "base/log.h"

#include <sys/stat.h>

static char path_buf[8][600];
static const char *tmp(const char *name)
{
    static const char *dir;
    static int k;
    if (!dir)
        dir = strdup(check_tmpdir());
    char *p = path_buf[k++ % 8];
    snprintf(p, 600, "%s/%s", dir, name);
    return p;
}

TEST(header_values_round_trip)
{
    ph_header *h = ph_header_new();
    EXPECT(ph_header_set_str(h, "FILTER", "Y106", "band") == 0);
    EXPECT(ph_header_set_str(h, "QUOTE", "it's", NULL) == 0);
    EXPECT(ph_header_set_double(h, "MJD-OBS", 62455.669123456789, NULL) == 0);
    EXPECT(ph_header_set_double(h, "TINY", 1.25e-300, NULL) == 0);
    EXPECT(ph_header_set_long(h, "SCA_NUM", 17, NULL) == 0);
    EXPECT(ph_header_set_bool(h, "FLAG", 1, NULL) == 0);
    char s[80];
    double d;
    long l;
    EXPECT(ph_header_get_str(h, "FILTER", s, sizeof s) == 0);
    EXPECT_STR(s, "Y106");
    EXPECT(ph_header_get_str(h, "QUOTE", s, sizeof s) == 0);
    EXPECT_STR(s, "it's");
    EXPECT(ph_header_get_double(h, "MJD-OBS", &d) == 0);
    EXPECT(d == 62455.669123456789);
    EXPECT(ph_header_get_double(h, "TINY", &d) == 0 && d == 1.25e-300);
    EXPECT(ph_header_get_long(h, "SCA_NUM", &l) == 0 && l == 17);
    EXPECT(ph_header_get_double(h, "FLAG", &d) == 0 && d == 1);
    EXPECT(ph_header_get_double(h, "ABSENT", &d) == 1);
    EXPECT(ph_header_get_double(h, "FILTER", &d) == -1);
    /* replacing keeps one card */
    ph_header_set_long(h, "SCA_NUM", 3, NULL);
    int n = 0;
    for (int i = 0; i < h->ncards; i++)
        n += !strncmp(h->cards[i], "SCA_NUM ", 8);
    EXPECT(n == 1);
    ph_header_del(h, "SCA_NUM");
    EXPECT(!ph_header_has(h, "SCA_NUM"));
    /* structural keys are not carried */
    ph_header_add_card(h, "NAXIS1  =                  100");
    EXPECT(!ph_header_has(h, "NAXIS1"));
    ph_header_free(h);
}

TEST(phimage_round_trip)
{
    ph_image a = {0};
    a.nx = 7;
    a.ny = 5;
    a.sci = malloc(35 * sizeof(float));
    a.var = malloc(35 * sizeof(float));
    a.mask = malloc(35);
    a.psf_size = 3;
    a.psf = calloc(9, sizeof(double));
    a.psf[4] = 1;
    for (int i = 0; i < 35; i++) {
        a.sci[i] = (float)(i - 3.5);
        a.var[i] = (float)(i + 1);
        a.mask[i] = (uint8_t)(i % 8);
    }
    a.hdr = ph_header_new();
    ph_header_set_str(a.hdr, "CTYPE1", "RA---TAN", NULL);
    ph_header_meta_init(&a.meta);
    strcpy(a.meta.band, "Y106");
    a.meta.mjd = 62000.5;
    a.meta.skyrms = 8.25;
    strcpy(a.meta.obsid, "35198");
    a.meta.sca = 2;
    const char *p = tmp("img.fits");
    EXPECT(ph_image_write(p, &a) == 0);
    ph_image b;
    EXPECT(ph_image_read(p, PH_PLANE_ALL, &b) == 0);
    EXPECT(b.nx == 7 && b.ny == 5 && b.psf_size == 3);
    int same = 1;
    for (int i = 0; i < 35; i++)
        same &= b.sci[i] == a.sci[i] && b.var[i] == a.var[i] && b.mask[i] == a.mask[i];
    EXPECT(same);
    EXPECT(b.psf[4] == 1);
    EXPECT_STR(b.meta.band, "Y106");
    EXPECT(b.meta.mjd == 62000.5 && b.meta.skyrms == 8.25 && b.meta.sca == 2);
    EXPECT_STR(b.meta.obsid, "35198");
    EXPECT(ph_header_has(b.hdr, "CTYPE1"));
    /* no temporary files left beside it */
    char cmd[700];
    snprintf(cmd, sizeof cmd, "test $(ls -A %s | grep -c '^\\.img') -eq 0", tmp(""));
    EXPECT(system(cmd) == 0);
    ph_image_free(&a);
    ph_image_free(&b);
}

/* Write a small OpenUniverse2024-layout file the way roman_imsim does. */
static void write_ou24(const char *path, int nx, int ny)
{
    double *sci = malloc(sizeof(double) * nx * ny);
    float *err = malloc(sizeof(float) * nx * ny);
    int32_t *dq = calloc((size_t)nx * ny, sizeof(int32_t));
    for (int i = 0; i < nx * ny; i++) {
        sci[i] = 112.0 + i % 13;
        err[i] = 111.0f;
    }
    ph_header *h = ph_header_new();
    ph_header_set_str(h, "FILTER", "Y106", NULL);
    ph_header_set_double(h, "MJD-OBS", 62455.669, NULL);
    ph_header_set_long(h, "SCA_NUM", 2, NULL);
    ph_header_set_double(h, "EXPTIME", 302.275, NULL);
    ph_header_set_double(h, "ZPTMAG", 2.5 * log10(302.275 * 37570.0), NULL);
    ph_fits_out o;
    ph_fits_create(&o, path, 0);
    ph_fits_write_double(&o, "SCI", nx, ny, sci, h);
    ph_fits_write_float(&o, "ERR", nx, ny, err, h);
    ph_fits_write_i32(&o, "DQ", nx, ny, dq, h);
    ph_fits_commit(&o);
    ph_header_free(h);
    free(sci);
    free(err);
    free(dq);
}

TEST(ou2024_input_gz)
{
    const char *p = tmp("Roman_TDS_simple_model_Y106_35198_2.fits.gz");
    write_ou24(p, 40, 30);
    /* it is really gzip: magic bytes 1f 8b */
    FILE *f = fopen(p, "rb");
    int c0 = fgetc(f), c1 = fgetc(f);
    fclose(f);
    EXPECT(c0 == 0x1f && c1 == 0x8b);
    ph_input in;
    EXPECT(ph_image_input_read(p, NULL, &in) == 0);
    EXPECT(in.layout == PH_LAYOUT_OU2024);
    EXPECT(in.nx == 40 && in.ny == 30 && in.noise && in.flags);
    EXPECT_NEAR(in.sci[14], 112.0 + 14 % 13, 0);
    EXPECT_STR(in.meta.band, "Y106");
    EXPECT_STR(in.meta.obsid, "35198");
    EXPECT(in.meta.sca == 2);
    /* the value phrosty's and snappl's tests assert */
    EXPECT_NEAR(in.meta.zpt, 32.6617, 1e-4);
    ph_image_input_free(&in);
}

TEST(bad_files)
{
    ph_input in;
    ph_error_clear();
    EXPECT(ph_image_input_read(tmp("absent.fits"), NULL, &in) != 0);
    EXPECT(strstr(ph_error_message(), "No such file") != NULL);
    ph_error_clear();

    /* truncated: cut a valid file in the middle of its data */
    const char *good = tmp("good.fits"), *cut = tmp("cut.fits");
    write_ou24(good, 64, 64);
    char cmd[1400];
    snprintf(cmd, sizeof cmd, "head -c 20000 %s > %s", good, cut);
    EXPECT(system(cmd) == 0);
    EXPECT(ph_image_input_read(cut, NULL, &in) != 0);
    EXPECT(strstr(ph_error_message(), "truncated") != NULL);
    EXPECT_STR(ph_error_file(), cut);
    ph_error_clear();

    /* not FITS at all */
    const char *txt = tmp("text.fits");
    FILE *f = fopen(txt, "w");
    fputs("hello\n", f);
    fclose(f);
    EXPECT(ph_image_input_read(txt, NULL, &in) != 0);
    ph_error_clear();

    /* missing HDU */
    ph_input_opts o = {.hdu = "NOPE"};
    EXPECT(ph_image_input_read(good, &o, &in) != 0);
    EXPECT(strstr(ph_error_message(), "no HDU named NOPE") != NULL);
    ph_error_clear();

    /* not a ph image */
    ph_image img;
    EXPECT(ph_image_read(txt, PH_PLANE_SCI, &img) != 0);
    ph_error_clear();
}

TEST(all_nan_image)
{
    const char *p = tmp("nan.fits");
    double d[16];
    for (int i = 0; i < 16; i++)
        d[i] = NAN;
    ph_fits_out o;
    ph_fits_create(&o, p, 1);
    ph_fits_write_double(&o, NULL, 4, 4, d, NULL);
    ph_fits_commit(&o);
    ph_input in;
    ph_error_clear();
    EXPECT(ph_image_input_read(p, NULL, &in) != 0);
    EXPECT(strstr(ph_error_message(), "no finite pixel") != NULL);
    ph_error_clear();
}

TEST(table_round_trip)
{
    const char *p = tmp("table.fits");
    double a[3] = {1.5, -2, 1e300};
    long long k[3] = {1, 2, 1LL << 40};
    ph_column cols[2] = {{"COEF", "adu", a, NULL}, {"INDEX", NULL, NULL, k}};
    ph_fits_out o;
    EXPECT(ph_fits_create(&o, p, 0) == 0);
    EXPECT(ph_fits_write_table(&o, "KERNEL", 3, 2, cols, NULL) == 0);
    EXPECT(ph_fits_commit(&o) == 0);
    ph_fits fp;
    EXPECT(ph_fits_open(&fp, p) == 0);
    EXPECT(ph_fits_goto(&fp, "KERNEL") == 0);
    long n;
    double *v = NULL;
    EXPECT(ph_fits_read_column(&fp, "INDEX", &n, &v) == 0);
    EXPECT(n == 3 && v[2] == (double)(1LL << 40));
    free(v);
    EXPECT(ph_fits_read_column(&fp, "coef", &n, &v) == 0 && v[2] == 1e300);
    free(v);
    ph_error_clear();
    EXPECT(ph_fits_read_column(&fp, "NOPE", &n, &v) != 0);
    ph_error_clear();
    ph_fits_close(&fp);
}

TEST(abort_leaves_nothing)
{
    const char *p = tmp("aborted.fits");
    ph_fits_out o;
    float d[4] = {0};
    ph_fits_create(&o, p, 0);
    ph_fits_write_float(&o, "SCI", 2, 2, d, NULL);
    ph_fits_abort(&o);
    struct stat st;
    EXPECT(stat(p, &st) != 0);
    EXPECT(stat(o.tmp, &st) != 0);
}

int main(void)
{
    RUN(header_values_round_trip);
    RUN(phimage_round_trip);
    RUN(ou2024_input_gz);
    RUN(bad_files);
    RUN(all_nan_image);
    RUN(table_round_trip);
    RUN(abort_leaves_nothing);
    return check_done();
}
