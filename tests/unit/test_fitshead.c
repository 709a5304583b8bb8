/* test_fitshead.c -- the streamed header (fitsscan.h) against cfitsio's
 * (fits.h: ph_fits_has_hdu(SCI) ? goto SCI : first image, image size,
 * header cards) on plain and gzipped files of every layout ph-psf reads:
 * a ph image, an OpenUniverse2024 image, SCI not first (3-D, NAXIS3 = 1),
 * no SCI (the first 2-D image after a table and a 1-D image), SCI found by
 * HDUNAME, a tile-compressed SCI; then the bad files and their messages. */
#include "check.h"
#include "io/fits.h"
#include "io/fitsscan.h"
#include "io/header.h"
#include "base/log.h"
#include "io/image.h"

#include <zlib.h>

static const char *dir;
static const char *tmp(const char *name)
{
    static char buf[8][600];
    static int k;
    char *p = buf[k++ % 8];
    snprintf(p, 600, "%s/%s", dir, name);
    return p;
}

/* `to` = the first `n` bytes of `from` (all if n < 0), gzipped if gz. */
static void copy(const char *from, const char *to, long n, int gz)
{
    FILE *in = fopen(from, "rb");
    gzFile zo = gz ? gzopen(to, "wb6") : NULL;
    FILE *fo = gz ? NULL : fopen(to, "wb");
    char buf[4096];
    size_t m;
    while ((n < 0 || n > 0) && (m = fread(buf, 1, n < 0 || n > 4096 ? 4096 : (size_t)n, in)) > 0) {
        if (gz)
            gzwrite(zo, buf, (unsigned)m);
        else
            fwrite(buf, 1, m, fo);
        if (n > 0)
            n -= (long)m;
    }
    fclose(in);
    if (gz)
        gzclose(zo);
    else
        fclose(fo);
}

/* `to` = the first n bytes of `from` gzipped, the stream cut before its
 * end (the 8-byte trailer of CRC and size dropped). */
static void gzip_cut(const char *from, long n, const char *to)
{
    char part[700], gz[700];
    snprintf(part, sizeof part, "%s.part", to);
    snprintf(gz, sizeof gz, "%s.whole", to);
    copy(from, part, n, 0);
    copy(part, gz, -1, 1);
    FILE *f = fopen(gz, "rb");
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fclose(f);
    copy(gz, to, size - 8, 0);
    unlink(part);
    unlink(gz);
}

/* The reference: cfitsio, as ph-psf read headers before fitshead. */
static int by_cfitsio(const char *path, long *nx, long *ny, ph_header **hdr)
{
    ph_fits fp;
    *hdr = NULL;
    if (ph_fits_open(&fp, path))
        return PH_EFAIL;
    int st = ph_fits_has_hdu(&fp, "SCI") ? ph_fits_goto(&fp, "SCI") : ph_fits_goto_first_image(&fp);
    if (!st)
        st = ph_fits_image_size(&fp, nx, ny);
    if (!st)
        st = ph_fits_read_header(&fp, hdr);
    ph_fits_close(&fp);
    return st;
}

/* Streamed == cfitsio on `path` and on its gzipped copy; the size is
 * nx x ny and the header holds card `want` (a key of this HDU only). */
static void same(const char *path, long wnx, long wny, const char *want)
{
    char gz[700];
    snprintf(gz, sizeof gz, "%s.gz", path);
    copy(path, gz, -1, 1);
    EXPECT(ph_fitsscan_is_gzip(gz) && !ph_fitsscan_is_gzip(path));
    for (int z = 0; z < 2; z++) {
        const char *p = z ? gz : path;
        long nx = 0, ny = 0, rnx = 0, rny = 0;
        ph_header *h = NULL, *r = NULL;
        ph_error_clear();
        int st = ph_fitsscan_read(p, "SCI", &nx, &ny, &h);
        if (st)
            printf("# %s: %s\n", p, ph_error_message());
        EXPECT(st == 0);
        int rst = by_cfitsio(p, &rnx, &rny, &r);
        if (rst)
            printf("# %s: cfitsio: %s\n", p, ph_error_message());
        EXPECT(rst == 0);
        if (!h || !r) {
            ph_header_free(h);
            ph_header_free(r);
            continue;
        }
        EXPECT(nx == rnx && ny == rny);
        EXPECT(nx == wnx && ny == wny);
        EXPECT(h->ncards == r->ncards);
        if (h->ncards != r->ncards)
            printf("# %s: %d cards, cfitsio %d\n", p, h->ncards, r->ncards);
        for (int i = 0; i < h->ncards && i < r->ncards; i++)
            if (strcmp(h->cards[i], r->cards[i])) {
                printf("# %s card %d:\n#  '%s'\n#  '%s'\n", p, i, h->cards[i], r->cards[i]);
                check_cur_failed = 1;
                break;
            }
        EXPECT(ph_header_has(h, want));
        ph_header_free(h);
        ph_header_free(r);
    }
}

/* An image HDU (bitpix, axes) with EXTNAME (NULL: none) and cards. */
static void image(fitsfile *f, int bitpix, int naxis, long *naxes, const char *extname,
                  const char *const *cards, const char *const *more, int *status)
{
    ffcrim(f, bitpix, naxis, naxes, status);
    if (extname)
        ffpkys(f, "EXTNAME", (char *)extname, NULL, status);
    for (; cards && *cards; cards++)
        ffprec(f, *cards, status);
    for (; more && *more; more++)
        ffprec(f, *more, status);
    long n = 1;
    for (int i = 0; i < naxis; i++)
        n *= naxes[i];
    if (n && naxis) {
        double *d = calloc((size_t)n, sizeof *d);
        for (long i = 0; i < n; i++)
            d[i] = (double)(i % 97);
        ffpprd(f, 1, 1, n, d, status);
        free(d);
    }
}

static void table(fitsfile *f, const char *extname, int *status)
{
    char *tt[] = {"RA", "DEC"}, *tf[] = {"D", "D"};
    double v[3] = {1, 2, 3};
    ffcrtb(f, BINARY_TBL, 3, 2, tt, tf, NULL, (char *)extname, status);
    ffpcld(f, 1, 1, 1, 3, v, status);
    ffpcld(f, 2, 1, 1, 3, v, status);
}

static const char *const wcs_cards[] = {
    "CTYPE1  = 'RA---TAN-SIP'       / TAN projection with SIP distortion",
    "CTYPE2  = 'DEC--TAN-SIP'",
    "CRPIX1  =               2044.5",
    "CRPIX2  =               2044.5",
    "CRVAL1  =    7.551234567890123",
    "CRVAL2  =   -44.80123456789012",
    "CD1_1   = -3.0555555555556E-05",
    "CD1_2   =                  0.0",
    "CD2_1   =                  0.0",
    "CD2_2   =  3.0555555555556E-05",
    "A_ORDER =                    2",
    "A_2_0   =              1.2D-07 / a Fortran exponent",
    "B_ORDER =                    2",
    "B_0_2   =             -1.1E-07",
    NULL};

TEST(ph_image_gzipped)
{
    ph_image a = {0};
    a.nx = 33;
    a.ny = 21;
    a.sci = calloc((size_t)a.nx * a.ny, sizeof(float));
    a.var = calloc((size_t)a.nx * a.ny, sizeof(float));
    a.mask = calloc((size_t)a.nx * a.ny, 1);
    a.psf_size = 5;
    a.psf = calloc(25, sizeof(double));
    a.psf[12] = 1;
    a.hdr = ph_header_new();
    for (int i = 0; wcs_cards[i]; i++)
        ph_header_add_card(a.hdr, wcs_cards[i]);
    ph_header_set_double(a.hdr, "SKYRMS", 12.5, "sky rms");
    ph_header_add_text(a.hdr, "HISTORY", "ph-skysub: background subtracted");
    ph_header_meta_init(&a.meta);
    strcpy(a.meta.band, "H158");
    a.meta.mjd = 62001.25;
    const char *p = tmp("ph.fits");
    EXPECT(ph_image_write(p, &a) == 0);
    same(p, 33, 21, "SKYRMS");
    ph_image_free(&a);
}

/* One HDU to write: an image (bitpix, naxis, axes; compressed with RICE
 * when tiled) or, with bitpix 0, a binary table; EXTNAME (NULL: none) and
 * two lists of extra cards (NULL-terminated, may be NULL). */
typedef struct spec {
    int bitpix, naxis;
    long axes[3];
    const char *extname;
    const char *const *cards, *const *more;
    int tiled;
} spec;

/* Write the HDUs of `s` (n of them) to path. */
static void write_layout(const char *p, const spec *s, int n)
{
    fitsfile *f = NULL;
    int status = 0;
    unlink(p);
    ffdkinit(&f, p, &status);
    for (int i = 0; i < n && !status; i++) {
        if (!s[i].bitpix) {
            table(f, s[i].extname, &status);
            continue;
        }
        if (s[i].tiled)
            fits_set_compression_type(f, RICE_1, &status);
        image(f, s[i].bitpix, s[i].naxis, (long *)s[i].axes, s[i].extname, s[i].cards, s[i].more,
              &status);
        if (s[i].tiled)
            fits_set_compression_type(f, 0, &status);
    }
    ffclos(f, &status);
    EXPECT(status == 0);
}

/* The streamed header of these HDUs equals cfitsio's, is nx x ny and
 * holds card `want`. */
static void layout(const char *name, const spec *s, int n, long nx, long ny, const char *want)
{
    const char *p = tmp(name);
    write_layout(p, s, n);
    same(p, nx, ny, want);
}

TEST(ou2024_gzipped)
{
    static const char *const prim[] = {"TELESCOP= 'Roman   '", "COMMENT primary keys", NULL};
    static const char *const sci[] = {
        "FILTER  = 'Y106    '           / band",
        "MJD-OBS =     62455.6691234567",
        "SCA_NUM =                    7",
        "OBSID   = '35198   '",
        "EXPTIME =              302.275",
        "LONGSTR = 'a string that is longer than one card can hold, so it goes on &'",
        "CONTINUE  'in a CONTINUE card'",
        "QUOTE   = 'it''s quoted'",
        "        ",
        "COMMENT   a comment after a blank card",
        "HISTORY   made by the unit test",
        "HIERARCH ESO DET CHIP = 'long keyword'",
        "        ",
        "        ", /* blank cards before END: not in cfitsio's header */
        NULL};
    const spec s[] = {{8, 0, {0}, NULL, prim, NULL, 0},
                      {DOUBLE_IMG, 2, {40, 30}, "SCI", wcs_cards, sci, 0},
                      {FLOAT_IMG, 2, {40, 30}, "ERR", NULL, NULL, 0},
                      {ULONG_IMG, 2, {40, 30}, "DQ", NULL, NULL, 0}};
    layout("ou.fits", s, 4, 40, 30, "CONTINUE");
}

TEST(sci_not_first_3d)
{
    static const char *const first[] = {"FIRST   =                    T", NULL};
    static const char *const sci[] = {"FILTER  = 'J129    '", "INSCI   =                    1",
                                      NULL};
    const spec s[] = {{SHORT_IMG, 2, {8, 6}, NULL, first, NULL, 0},
                      {0, 0, {0}, "CAT", NULL, NULL, 0},
                      {FLOAT_IMG, 3, {17, 9, 1}, "sci", sci, NULL, 0}, /* any case, as cfitsio */
                      {FLOAT_IMG, 2, {8, 6}, "VAR", NULL, NULL, 0}};
    layout("later.fits", s, 4, 17, 9, "INSCI");
}

TEST(no_sci_first_2d_image)
{
    static const char *const img[] = {"BSCALE  =                  2.0", "BZERO   =                 10.0",
                                      "MINE    = 'yes     '", NULL};
    const spec s[] = {{8, 0, {0}, NULL, NULL, NULL, 0},
                      {0, 0, {0}, "CAT", NULL, NULL, 0},
                      {LONG_IMG, 1, {50}, "SPECTRUM", NULL, NULL, 0},
                      {SHORT_IMG, 2, {12, 7}, "IMG", img, NULL, 0},
                      {FLOAT_IMG, 2, {5, 5}, "OTHER", NULL, NULL, 0}};
    layout("nosci.fits", s, 5, 12, 7, "MINE");
}

TEST(sci_by_hduname)
{
    static const char *const sci[] = {"HDUNAME = 'SCI     '", "BYNAME  =                    T",
                                      NULL};
    const spec s[] = {{FLOAT_IMG, 2, {8, 6}, "FIRST", NULL, NULL, 0},
                      {FLOAT_IMG, 2, {9, 4}, "PLANE", sci, NULL, 0}};
    layout("hduname.fits", s, 2, 9, 4, "BYNAME");
}

TEST(tile_compressed_sci)
{
    static const char *const sci[] = {"FILTER  = 'K213    '", "TILED   =                    T",
                                      NULL};
    const spec s[] = {{8, 0, {0}, NULL, NULL, NULL, 0},
                      {LONG_IMG, 2, {64, 48}, "SCI", sci, NULL, 1}};
    layout("comp.fits", s, 2, 64, 48, "TILED");
    /* really compressed: its HDU is a table holding ZIMAGE */
    FILE *in = fopen(tmp("comp.fits"), "rb");
    char buf[2 * 2880 + 1] = "";
    size_t n = fread(buf, 1, 2 * 2880, in);
    buf[n] = '\0';
    fclose(in);
    EXPECT(strstr(buf + 2880, "BINTABLE") && strstr(buf + 2880, "ZIMAGE  =                    T"));
}

/* The streamed read fails with a message containing `msg`, naming path. */
static void fails(const char *path, const char *msg)
{
    long nx, ny;
    ph_header *h = (ph_header *)1;
    ph_error_clear();
    EXPECT(ph_fitsscan_read(path, "SCI", &nx, &ny, &h) != 0);
    EXPECT(h == NULL);
    if (!strstr(ph_error_message(), msg)) {
        printf("# %s: '%s', expected '%s'\n", path, ph_error_message(), msg);
        check_cur_failed = 1;
    }
    EXPECT_STR(ph_error_file(), path);
    ph_error_clear();
}

static void text_file(const char *path, const char *text, int gz)
{
    const char *t = tmp("text.tmp");
    FILE *f = fopen(t, "wb");
    fputs(text, f);
    fclose(f);
    copy(t, path, -1, gz);
}

/* Where the data of HDU 1 start (cfitsio). */
static long sci_data_start(const char *path)
{
    fitsfile *f = NULL;
    int status = 0;
    LONGLONG head = 0, data = 0, end = 0;
    ffdkopn(&f, path, READONLY, &status);
    ffmahd(f, 2, NULL, &status);
    ffghadll(f, &head, &data, &end, &status);
    ffclos(f, &status);
    return status ? -1 : (long)data;
}

TEST(bad_files)
{
    char ou[700], ougz[700]; /* from ou2024_gzipped */
    snprintf(ou, sizeof ou, "%s", tmp("ou.fits"));
    snprintf(ougz, sizeof ougz, "%s", tmp("ou.fits.gz"));
    fails(tmp("absent.fits.gz"), "cannot open: No such file");
    text_file(tmp("empty.fits"), "", 0);
    fails(tmp("empty.fits"), "not a readable FITS file: it is empty");
    text_file(tmp("text.fits.gz"), "hello, this is not FITS\n", 1);
    fails(tmp("text.fits.gz"), "not a readable FITS file: HDU 0: it does not start with SIMPLE");
    char zeros[3000] = {0};
    FILE *z = fopen(tmp("zeros.fits"), "wb");
    fwrite(zeros, 1, sizeof zeros, z);
    fclose(z);
    fails(tmp("zeros.fits"), "not a readable FITS file: HDU 0: it does not start with SIMPLE");
    /* a data size beyond any file (its product overflows 64 bits) */
    char huge[2881];
    snprintf(huge, sizeof huge, "%-80s%-80s%-80s%-80s%-80s%-80s%-2400s", "SIMPLE  = T",
             "BITPIX  = 16", "NAXIS   = 2", "NAXIS1  = 4611686018427387904",
             "NAXIS2  = 4611686018427387904", "END", "");
    text_file(tmp("huge.fits"), huge, 0);
    fails(tmp("huge.fits"), "not a readable FITS file: HDU 0: its data size (NAXISn, PCOUNT, "
                            "GCOUNT) is beyond any file");
    text_file(tmp("bad.fits.gz"), "\037\213garbage", 0);
    fails(tmp("bad.fits.gz"), "the gzip data are truncated or corrupt");

    /* a gzip stream cut in the SCI header, and in the primary header */
    long sci_data = sci_data_start(ou);
    EXPECT(sci_data > 2880);
    copy(ougz, tmp("cut1.fits.gz"), 60, 0);
    fails(tmp("cut1.fits.gz"), "the gzip data are truncated or corrupt");
    copy(ou, tmp("head.fits"), 2880 + 1000, 0); /* primary, then part of SCI's header */
    gzip_cut(ou, 2880 + 1000, tmp("cut3.fits.gz"));
    fails(tmp("cut3.fits.gz"), "the gzip data are truncated or corrupt");
    /* a plain file that ends inside SCI's header: no image to be had */
    fails(tmp("head.fits"), "HDU 1 cannot be read: its header is cut short (no END card): the file "
                            "is truncated or corrupt");
    /* a gzip stream cut after SCI's header: the header is all we read */
    gzip_cut(ou, sci_data + 100, tmp("cut4.fits.gz"));
    long nx, ny;
    ph_header *h = NULL;
    EXPECT(ph_fitsscan_read(tmp("cut4.fits.gz"), "SCI", &nx, &ny, &h) == 0 && nx == 40);
    ph_header_free(h);

    /* header without END: the primary's END blanked (then its data follow) */
    const char *ne = tmp("noend.fits");
    const spec img[] = {{FLOAT_IMG, 2, {30, 30}, NULL, NULL, NULL, 0}};
    write_layout(ne, img, 1);
    FILE *f = fopen(ne, "r+b");
    char blk[2880];
    EXPECT(fread(blk, 1, 2880, f) == 2880);
    for (int i = 0; i < 36; i++)
        if (!memcmp(blk + 80 * i, "END     ", 8))
            memset(blk + 80 * i, ' ', 80);
    fseek(f, 0, SEEK_SET);
    fwrite(blk, 1, 2880, f);
    fclose(f);
    copy(ne, tmp("noend.fits.gz"), -1, 1);
    fails(tmp("noend.fits.gz"), "not a readable FITS file: HDU 0: its header has no END card");
    ph_header *r;
    EXPECT(by_cfitsio(tmp("noend.fits.gz"), &nx, &ny, &r) != 0); /* cfitsio refuses it too */
    ph_error_clear();

    /* no image at all; SCI a table; SCI 1-D */
    const spec tables[] = {{8, 0, {0}, NULL, NULL, NULL, 0}, {0, 0, {0}, "CAT", NULL, NULL, 0}};
    write_layout(tmp("tables.fits"), tables, 2);
    fails(tmp("tables.fits"), "no 2-D image HDU");
    const spec scitable[] = {{8, 0, {0}, NULL, NULL, NULL, 0}, {0, 0, {0}, "SCI", NULL, NULL, 0}};
    write_layout(tmp("scitable.fits"), scitable, 2);
    fails(tmp("scitable.fits"), "HDU SCI is a table, not an image");
    const spec sci1d[] = {{8, 0, {0}, NULL, NULL, NULL, 0},
                          {FLOAT_IMG, 1, {9}, "SCI", NULL, NULL, 0}};
    write_layout(tmp("sci1d.fits"), sci1d, 2);
    fails(tmp("sci1d.fits"), "HDU SCI is not a 2-D image (NAXIS = 1)");

    /* garbage after the last HDU, and a plain file cut in SCI's data: the
     * header is still there, as cfitsio reads it */
    copy(ou, tmp("garbage.fits"), -1, 0);
    f = fopen(tmp("garbage.fits"), "ab");
    fputs("this is not an HDU", f);
    fclose(f);
    same(tmp("garbage.fits"), 40, 30, "FILTER");
    copy(ou, tmp("cutdata.fits"), sci_data + 3000, 0);
    EXPECT(ph_fitsscan_read(tmp("cutdata.fits"), "SCI", &nx, &ny, &h) == 0 && nx == 40 && ny == 30);
    ph_header_free(h);
    /* ... but opened for its pixels, it is reported truncated (issue 17),
     * never "no SCI HDU" or an out-of-memory */
    ph_fits fp;
    EXPECT(ph_fits_open(&fp, tmp("cutdata.fits")) != 0);
    EXPECT(strstr(ph_error_message(), "the file is truncated: HDU 1 (SCI) claims 9600 bytes"));
    ph_error_clear();
}

int main(void)
{
    dir = strdup(check_tmpdir());
    RUN(ph_image_gzipped);
    RUN(ou2024_gzipped);
    RUN(sci_not_first_3d);
    RUN(no_sci_first_2d_image);
    RUN(sci_by_hduname);
    RUN(tile_compressed_sci);
    RUN(bad_files);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd))
        return 2;
    return check_done();
}
