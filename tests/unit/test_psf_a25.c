/* test_psf_a25.c -- the A25 ePSF library reader (tools/psf/a25.c) on real
 * library files (tests/fixtures/a25epsf, from snappl's test data, BSD-3):
 * the values snappl's own test (snappl/tests/test_A25ePSF.py) asserts for
 * them, the grid rule of snappl's A25ePSF, stamps against the stored
 * samples themselves, and every error of a bad file. */
#include "check.h"
#include "base/log.h"
#include "psf.h"

#include <stdlib.h>

#define DIR "tests/fixtures/a25epsf"
#define J129_1 DIR "/J129/1/511_1277.5_1277.5_-_19.0_21.5_-_J129_1.psf"
#define J129_2 DIR "/J129/1/511_2810.5_1277.5_-_19.0_21.5_-_J129_1.psf"
#define Y106 DIR "/Y106/2/511_1788.5_766.5_-_19.0_21.5_-_Y106_2.psf"

/* sum, mean, population std, and scipy.stats.moment(data, 2, axis).sum()
 * for axis 0 (each column's variance) and 1 (each row's) */
static void stats(const a25_psf *a, double *sum, double *mean, double *sd, double *m0, double *m1)
{
    long n = a->n;
    double s = 0, q = 0;
    for (long i = 0; i < n * n; i++)
        s += a->data[i];
    *sum = s, *mean = s / (n * n);
    for (long i = 0; i < n * n; i++)
        q += (a->data[i] - *mean) * (a->data[i] - *mean);
    *sd = sqrt(q / (n * n));
    *m0 = *m1 = 0;
    for (long k = 0; k < n; k++) {
        double c = 0, r = 0, cc = 0, rr = 0;
        for (long i = 0; i < n; i++)
            c += a->data[i * n + k], r += a->data[k * n + i];
        c /= n, r /= n;
        for (long i = 0; i < n; i++) {
            cc += (a->data[i * n + k] - c) * (a->data[i * n + k] - c);
            rr += (a->data[k * n + i] - r) * (a->data[k * n + i] - r);
        }
        *m0 += cc / n, *m1 += rr / n;
    }
}

/* snappl: PSF.get_psf_object('A25ePSF', band='J129', sca=1, x=1277.5,
 * y=1277.5) and x=2900, y=1300 */
TEST(reads_snappl_values)
{
    a25_psf a;
    double s, mean, sd, m0, m1;
    EXPECT(a25_read(J129_1, &a) == 0);
    EXPECT(a.n == 77 && a.oversamp == 3);
    EXPECT(a.x0 == 1277 && a.y0 == 1277);
    stats(&a, &s, &mean, &sd, &m0, &m1);
    EXPECT_REL(s, 1.0, 1e-9);
    EXPECT_REL(a.sum, 1.0, 1e-9);
    EXPECT_REL(mean, 0.00016866250632484398, 1e-9);
    EXPECT_REL(sd, 0.001380374023163906, 1e-9);
    EXPECT_REL(m0, 0.00013298609785954455, 1e-9);
    EXPECT_REL(m1, 0.00013333930898889708, 1e-9);
    a25_free(&a);
    EXPECT(a25_read(J129_2, &a) == 0);
    EXPECT(a.x0 == 2810 && a.y0 == 1277);
    stats(&a, &s, &mean, &sd, &m0, &m1);
    EXPECT_REL(s, 1.0, 1e-9);
    EXPECT_REL(m0, 0.0001333651767527484, 1e-9);
    EXPECT_REL(m1, 0.00013370914646239755, 1e-9);
    a25_free(&a);
}

/* numpy.argmin over the centres 255.5 + 511 k: the nearest, ties low */
TEST(grid_rule)
{
    EXPECT(a25_grid_centre(1277.5) == 1277.5);
    EXPECT(a25_grid_centre(1060) == 1277.5);
    EXPECT(a25_grid_centre(1500) == 1277.5);
    EXPECT(a25_grid_centre(2900) == 2810.5);
    EXPECT(a25_grid_centre(1300) == 1277.5);
    EXPECT(a25_grid_centre(0) == 255.5);
    EXPECT(a25_grid_centre(-40) == 255.5);
    EXPECT(a25_grid_centre(3500) == 3321.5);
    EXPECT(a25_grid_centre(4087) == 3832.5);
    EXPECT(a25_grid_centre(6000) == 3832.5);
    EXPECT(a25_grid_centre(511) == 255.5);      /* a tie: the lower */
    EXPECT(a25_grid_centre(511.0001) == 766.5);
    EXPECT(a25_grid_centre(3577) == 3321.5);    /* tie between 3321.5 and 3832.5 */
    char p[1024];
    EXPECT(a25_path(DIR "/", "J129", 1, 1060, 1500, p, sizeof p, "img") == 0);
    EXPECT_STR(p, J129_1);
    EXPECT(a25_path(DIR, "J129", 1, 2900, 1300, p, sizeof p, "img") == 0);
    EXPECT_STR(p, J129_2);
    EXPECT(a25_path(DIR, "", 1, 2900, 1300, p, sizeof p, "img") != 0);
    EXPECT(strstr(ph_error_message(), "no FILTER"));
    ph_error_clear();
    EXPECT(a25_path(DIR, "J129", -1, 2900, 1300, p, sizeof p, "img") != 0);
    EXPECT(strstr(ph_error_message(), "no SCA_NUM"));
    ph_error_clear();
}

/* The stamp at phase 0 is every third sample in phase with the centre,
 * times oversamp^2; at phase (1/3, -1/3) the samples one step over. No
 * interpolation is involved, so these hold to rounding. PSFFRAC is the
 * stamp's share of the whole PSF: the sum of those samples times 9. */
TEST(stamp_is_the_samples)
{
    a25_psf a;
    psf_file f;
    EXPECT(a25_read(Y106, &a) == 0);
    EXPECT(a25_to_model(&a, Y106, &f) == 0);
    EXPECT(f.fourier == 1 && f.pixresp == 1 && f.oversamp == 3);
    long n = 25, c = 12, h = 38;
    double *st = malloc(n * n * sizeof *st), frac;
    static const double ph[3][2] = {{0, 0}, {1.0 / 3, -1.0 / 3}, {-1.0 / 3, 0}};
    for (int k = 0; k < 3; k++) {
        EXPECT(psf_file_stamp(&f, 1700, 800, ph[k][0], ph[k][1], n, PH_INTERP_BICUBIC, st,
                              &frac) == 0);
        double worst = 0, s = 0;
        for (long j = 0; j < n; j++)
            for (long i = 0; i < n; i++) {
                long gx = h + 3 * (i - c) - (long)lround(3 * ph[k][0]);
                long gy = h + 3 * (j - c) - (long)lround(3 * ph[k][1]);
                double want = gx >= 0 && gx < 77 && gy >= 0 && gy < 77 ? 9 * a.data[gy * 77 + gx]
                                                                        : 0;
                worst = fmax(worst, fabs(st[j * n + i] - want));
                s += want;
            }
        EXPECT(worst < 1e-12);
        EXPECT_REL(frac, s, 1e-12);
        EXPECT(frac > 0.99 && frac < 1);
    }
    /* Between samples: the trigonometric interpolant of the samples,
     * summed here as cosines, (1/m) sum_k cos(2 pi k t / m) for |k| <=
     * (m - 1) / 2 in each axis. */
    double dx = 0.17, dy = -0.31;
    EXPECT(psf_file_stamp(&f, 1700, 800, dx, dy, n, PH_INTERP_BICUBIC, st, &frac) == 0);
    double worst = 0, tot = 0;
    for (long j = c - 2; j <= c + 2; j++)
        for (long i = c - 2; i <= c + 2; i++) {
            double x = h + 3 * (i - c - dx), y = h + 3 * (j - c - dy), v = 0;
            for (long r = 0; r < 77; r++) {
                double wy = 1, wx;
                for (long k = 1; k <= 38; k++)
                    wy += 2 * cos(2 * M_PI * k * (y - r) / 77);
                for (long q = 0; q < 77; q++) {
                    wx = 1;
                    for (long k = 1; k <= 38; k++)
                        wx += 2 * cos(2 * M_PI * k * (x - q) / 77);
                    v += 9 * a.data[r * 77 + q] * wx * wy / (77.0 * 77);
                }
            }
            worst = fmax(worst, fabs(st[j * n + i] - v));
            tot += v;
        }
    printf("# a25 Y106: Fourier stamp against the cosine sums, worst %.2e of a core sum %.3f\n",
           worst, tot);
    EXPECT(worst < 1e-12);
    /* What a local kernel would lose on these 3x samples (the man page's
     * figures): relative L2 of the normalised stamps. */
    double *b = malloc(n * n * sizeof *b);
    static const ph_interp kern[2] = {PH_INTERP_BICUBIC, PH_INTERP_LANCZOS3};
    f.fourier = 0;
    for (int k = 0; k < 2; k++) {
        double fb, sa = 0, sb = 0, d2 = 0, t2 = 0;
        EXPECT(psf_file_stamp(&f, 1700, 800, dx, dy, n, kern[k], b, &fb) == 0);
        for (long i = 0; i < n * n; i++)
            sa += st[i], sb += b[i];
        for (long i = 0; i < n * n; i++)
            d2 += (b[i] / sb - st[i] / sa) * (b[i] / sb - st[i] / sa), t2 += st[i] * st[i] / (sa * sa);
        printf("# a25 Y106: %s instead of Fourier, rel L2 %.4f\n", ph_interp_name(kern[k]),
               sqrt(d2 / t2));
        EXPECT(sqrt(d2 / t2) > 0.005 && sqrt(d2 / t2) < 0.02);
    }
    f.fourier = 1;
    free(b);
    EXPECT(fabs(psf_file_fwhm(&f, 0, 0) - 1.384) < 0.01);
    psf_file_free(&f);
    a25_free(&a);
    free(st);
}

/* Bad files: each error names the file, and nothing is returned. */
static const char *write_tmp(const char *dir, const char *name, const char *text)
{
    static char path[8][1024];
    static int k;
    char *p = path[k++ % 8];
    snprintf(p, sizeof path[0], "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    fputs(text, f);
    fclose(f);
    return p;
}

static void expect_error(const char *path, const char *msg)
{
    a25_psf a;
    EXPECT(a25_read(path, &a) != 0);
    EXPECT(a.data == NULL);
    const char *m = ph_error_message();
    if (!strstr(m, msg))
        printf("# error '%s' does not contain '%s'\n", m, msg);
    EXPECT(strstr(m, msg) != NULL);
    ph_error_clear();
}

/* 3x3 float64 of 1/9: base64 of nine little-endian doubles 0x3FBC71C71C71C71C;
 * nine zeros; zeros with a NaN (0x7FF8000000000000) in the middle */
#define OK9 "HMdxHMdxvD8cx3Ecx3G8PxzHcRzHcbw/HMdxHMdxvD8cx3Ecx3G8PxzHcRzHcbw/HMdxHMdxvD8cx3Ecx3G8PxzHcRzHcbw/"
#define ZERO9 "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
#define NAN9 "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAD4fwAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

TEST(bad_files)
{
    const char *d = check_tmpdir();
    char missing[1024];
    snprintf(missing, sizeof missing, "%s/none.psf", d);
    expect_error(missing, "A25 ePSF library file not found");
    a25_psf a;
    EXPECT(a25_read(write_tmp(d, "ok.psf", "x0: 1.0\ny0: 2.0\noversamp: 1\nshape0: 3\nshape1: "
                                           "3\ndtype: float64\ndata: " OK9 "\n"),
                    &a) == 0);
    EXPECT(a.n == 3);
    EXPECT_REL(a.sum, 1.0, 1e-12);
    a25_free(&a);
    /* each: the YAML (keys x0 y0 oversamp shape0 shape1 dtype data, some
     * wrong or missing) and the error it must give */
    static const struct {
        const char *yaml, *msg;
    } bad[] = {
        {"x0: [1, 2\n", "malformed YAML"},
        {"- 1\n- 2\n", "not a mapping"},
        {"x0: 1\ny0: 2\noversamp: 1\nshape0: 3\nshape1: 3\ndata: " OK9, "no 'dtype' key"},
        {"x0: 1\ny0: 2\noversamp: 1\nshape0: 3\nshape1: 3\ndtype: int16\ndata: " OK9,
         "dtype 'int16' is not a float type"},
        {"x0: 1\ny0: 2\noversamp: 1\nshape0: 3\nshape1: 5\ndtype: float64\ndata: " OK9,
         "3x5; it must be square and odd"},
        {"x0: 1\ny0: 2\noversamp: 1\nshape0: 4\nshape1: 4\ndtype: float64\ndata: " OK9,
         "4x4; it must be square and odd"},
        {"x0: 1\ny0: 2\noversamp: 1\nshape0: 5\nshape1: 5\ndtype: float64\ndata: " OK9,
         "data holds 72 bytes; a 5x5 float64 array needs 200"},
        {"x0: 1\ny0: 2\noversamp: 1\nshape0: 3\nshape1: 3\ndtype: float32\ndata: " OK9,
         "data holds more than the 36 bytes"},
        {"x0: 1\ny0: 2\noversamp: 1\nshape0: 3\nshape1: 3\ndtype: float64\ndata: not*base64!",
         "data is not base64"},
        {"x0: one\ny0: 2.0\noversamp: 1\nshape0: 3\nshape1: 3\ndtype: float64\ndata: " OK9,
         "x0 'one', y0 '2.0' are not numbers"},
        {"x0: 1\ny0: 2\noversamp: 0\nshape0: 3\nshape1: 3\ndtype: float64\ndata: " OK9,
         "oversamp = 0 is not in 1 ... 64"},
        {"x0: 1\ny0: 2\noversamp: 1\nshape0: 3\nshape1: 3\ndtype: float64\ndata: " ZERO9,
         "sums to 0; it must be positive"},
        {"x0: 1\ny0: 2\noversamp: 1\nshape0: 3\nshape1: 3\ndtype: float64\ndata: " NAN9,
         "a non-finite value at (1, 1)"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        char name[32];
        snprintf(name, sizeof name, "bad%zu.psf", k);
        expect_error(write_tmp(d, name, bad[k].yaml), bad[k].msg);
    }
}

int main(void)
{
    RUN(reads_snappl_values);
    RUN(grid_rule);
    RUN(stamp_is_the_samples);
    RUN(bad_files);
    return check_done();
}
