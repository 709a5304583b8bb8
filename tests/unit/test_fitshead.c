/* test_fitshead.c -- the streamed header (fitshead.h) against cfitsio's
 * (fits.h: ph_fits_has_hdu(SCI) ? goto SCI : first image, image size,
 * header cards) on plain and gzipped files of every layout ph-psf reads:
 * a ph image, an OpenUniverse2024 image, SCI not first (3-D, NAXIS3 = 1),
 * no SCI (the first 2-D image after a table and a 1-D image), SCI found by
 * HDUNAME, a tile-compressed SCI; then the bad files and their messages. */
#include "check.h"
#include "fits.h"
#include "fitshead.h"
#include "header.h"
#include "log.h"
#include "phimage.h"

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
    EXPECT(ph_is_gzip(gz) && !ph_is_gzip(path));
    for (int z = 0; z < 2; z++) {
        const char *p = z ? gz : path;
        long nx = 0, ny = 0, rnx = 0, rny = 0;
        ph_header *h = NULL, *r = NULL;
        ph_error_clear();
        int st = ph_fitshead_read(p, "SCI", &nx, &ny, &h);
        if (st)
            printf("# %s: %s\n", p, ph_error_message());
        EXPECT(st == 0);
        EXPECT(by_cfitsio(p, &rnx, &rny, &r) == 0);
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

static void put(fitsfile *f, const char *card, int *status)
{
    ffprec(f, card, status);
}

/* An image HDU (bitpix, axes) with EXTNAME (NULL: none) and cards. */
static void image(fitsfile *f, int bitpix, int naxis, long *naxes, const char *extname,
                  const char *const *cards, int *status)
{
    ffcrim(f, bitpix, naxis, naxes, status);
    if (extname)
        ffpkys(f, "EXTNAME", (char *)extname, NULL, status);
    for (; cards && *cards; cards++)
        put(f, *cards, status);
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

static fitsfile *create(const char *path)
{
    fitsfile *f = NULL;
    int status = 0;
    unlink(path);
    ffdkinit(&f, path, &status);
    return status ? NULL : f;
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
    ph_meta_init(&a.meta);
    strcpy(a.meta.band, "H158");
    a.meta.mjd = 62001.25;
    const char *p = tmp("ph.fits");
    EXPECT(ph_image_write(p, &a) == 0);
    same(p, 33, 21, "SKYRMS");
    ph_image_free(&a);
}

TEST(ou2024_gzipped)
{
    const char *p = tmp("ou.fits");
    fitsfile *f = create(p);
    int status = 0;
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
        "        ",
        NULL};
    long ax[2] = {40, 30};
    image(f, 8, 0, NULL, NULL, prim, &status);
    static const char *const *const parts[] = {wcs_cards, sci};
    ffcrim(f, DOUBLE_IMG, 2, ax, &status);
    ffpkys(f, "EXTNAME", "SCI", NULL, &status);
    for (int k = 0; k < 2; k++)
        for (const char *const *c = parts[k]; *c; c++)
            put(f, *c, &status);
    double d[1200] = {0};
    ffpprd(f, 1, 1, 1200, d, &status);
    image(f, FLOAT_IMG, 2, ax, "ERR", NULL, &status);
    image(f, ULONG_IMG, 2, ax, "DQ", NULL, &status);
    ffclos(f, &status);
    EXPECT(status == 0);
    same(p, 40, 30, "CONTINUE");
}

TEST(sci_not_first_3d)
{
    const char *p = tmp("later.fits");
    fitsfile *f = create(p);
    int status = 0;
    long a2[2] = {8, 6}, a3[3] = {17, 9, 1};
    static const char *const first[] = {"FIRST   =                    T", NULL};
    static const char *const sci[] = {"FILTER  = 'J129    '", "INSCI   =                    1",
                                      NULL};
    image(f, SHORT_IMG, 2, a2, NULL, first, &status);
    table(f, "CAT", &status);
    image(f, FLOAT_IMG, 3, a3, "sci", sci, &status); /* any case, as cfitsio */
    image(f, FLOAT_IMG, 2, a2, "VAR", NULL, &status);
    ffclos(f, &status);
    EXPECT(status == 0);
    same(p, 17, 9, "INSCI");
}

TEST(no_sci_first_2d_image)
{
    const char *p = tmp("nosci.fits");
    fitsfile *f = create(p);
    int status = 0;
    long a1[1] = {50}, a2[2] = {12, 7}, a2b[2] = {5, 5};
    static const char *const img[] = {"BSCALE  =                  2.0", "BZERO   =                 10.0",
                                      "MINE    = 'yes     '", NULL};
    image(f, 8, 0, NULL, NULL, NULL, &status);
    table(f, "CAT", &status);
    image(f, LONG_IMG, 1, a1, "SPECTRUM", NULL, &status);
    image(f, SHORT_IMG, 2, a2, "IMG", img, &status);
    image(f, FLOAT_IMG, 2, a2b, "OTHER", NULL, &status);
    ffclos(f, &status);
    EXPECT(status == 0);
    same(p, 12, 7, "MINE");
}

TEST(sci_by_hduname)
{
    const char *p = tmp("hduname.fits");
    fitsfile *f = create(p);
    int status = 0;
    long a2[2] = {8, 6}, b2[2] = {9, 4};
    static const char *const sci[] = {"HDUNAME = 'SCI     '", "BYNAME  =                    T",
                                      NULL};
    image(f, FLOAT_IMG, 2, a2, "FIRST", NULL, &status);
    image(f, FLOAT_IMG, 2, b2, "PLANE", sci, &status);
    ffclos(f, &status);
    EXPECT(status == 0);
    same(p, 9, 4, "BYNAME");
}

TEST(tile_compressed_sci)
{
    const char *p = tmp("comp.fits");
    fitsfile *f = create(p);
    int status = 0;
    long ax[2] = {64, 48};
    static const char *const sci[] = {"FILTER  = 'K213    '", "TILED   =                    T",
                                      NULL};
    image(f, 8, 0, NULL, NULL, NULL, &status);
    fits_set_compression_type(f, RICE_1, &status);
    image(f, LONG_IMG, 2, ax, "SCI", sci, &status);
    ffclos(f, &status);
    EXPECT(status == 0);
    same(p, 64, 48, "TILED");
    /* really compressed: its HDU is a table holding ZIMAGE */
    FILE *in = fopen(p, "rb");
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
    EXPECT(ph_fitshead_read(path, "SCI", &nx, &ny, &h) != 0);
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
    text_file(tmp("bad.fits.gz"), "\037\213garbage", 0);
    fails(tmp("bad.fits.gz"), "the gzip data are truncated or corrupt");

    /* a gzip stream cut in the SCI header, and in the primary header */
    long sci_data = sci_data_start(ou);
    EXPECT(sci_data > 2880);
    FILE *f;
    copy(ougz, tmp("cut1.fits.gz"), 60, 0);
    fails(tmp("cut1.fits.gz"), "the gzip data are truncated or corrupt");
    copy(ou, tmp("head.fits"), 2880 + 1000, 0); /* primary, then part of SCI's header */
    copy(tmp("head.fits"), tmp("cut2.fits.gz"), -1, 1);
    /* cut3: the compressed stream without its end: gzip's trailer missing */
    f = fopen(tmp("cut2.fits.gz"), "rb");
    fseek(f, 0, SEEK_END);
    long n2 = ftell(f);
    fclose(f);
    copy(tmp("cut2.fits.gz"), tmp("cut3.fits.gz"), n2 - 8, 0);
    fails(tmp("cut3.fits.gz"), "the gzip data are truncated or corrupt");
    /* a plain file that ends inside SCI's header: no image to be had */
    fails(tmp("head.fits"), "HDU 1 cannot be read: its header is cut short (no END card): the file "
                            "is truncated or corrupt");
    /* a gzip stream cut after SCI's header: the header is all we read */
    copy(ou, tmp("sciend.fits"), sci_data + 100, 0);
    copy(tmp("sciend.fits"), tmp("cut4.fits.gz"), -1, 1);
    f = fopen(tmp("cut4.fits.gz"), "rb");
    fseek(f, 0, SEEK_END);
    long n4 = ftell(f);
    fclose(f);
    copy(tmp("cut4.fits.gz"), tmp("cut5.fits.gz"), n4 - 8, 0);
    rename(tmp("cut5.fits.gz"), tmp("cut4.fits.gz"));
    long nx, ny;
    ph_header *h = NULL;
    EXPECT(ph_fitshead_read(tmp("cut4.fits.gz"), "SCI", &nx, &ny, &h) == 0 && nx == 40);
    ph_header_free(h);

    /* header without END: the primary's END blanked (then its data follow) */
    const char *ne = tmp("noend.fits");
    fitsfile *ff = create(ne);
    int status = 0;
    long ax[2] = {30, 30};
    image(ff, FLOAT_IMG, 2, ax, NULL, NULL, &status);
    ffclos(ff, &status);
    f = fopen(ne, "r+b");
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

    /* no image at all; SCI a table */
    ff = create(tmp("tables.fits"));
    image(ff, 8, 0, NULL, NULL, NULL, &status);
    table(ff, "CAT", &status);
    ffclos(ff, &status);
    fails(tmp("tables.fits"), "no 2-D image HDU");
    ff = create(tmp("scitable.fits"));
    image(ff, 8, 0, NULL, NULL, NULL, &status);
    table(ff, "SCI", &status);
    ffclos(ff, &status);
    fails(tmp("scitable.fits"), "HDU SCI is a table, not an image");
    ff = create(tmp("sci1d.fits"));
    long a1[1] = {9};
    image(ff, 8, 0, NULL, NULL, NULL, &status);
    image(ff, FLOAT_IMG, 1, a1, "SCI", NULL, &status);
    ffclos(ff, &status);
    fails(tmp("sci1d.fits"), "HDU SCI is not a 2-D image (NAXIS = 1)");
    EXPECT(status == 0);

    /* garbage after the last HDU, and a plain file cut in SCI's data: the
     * header is still there, as cfitsio reads it */
    copy(ou, tmp("garbage.fits"), -1, 0);
    f = fopen(tmp("garbage.fits"), "ab");
    fputs("this is not an HDU", f);
    fclose(f);
    same(tmp("garbage.fits"), 40, 30, "FILTER");
    copy(ou, tmp("cutdata.fits"), sci_data + 3000, 0);
    same(tmp("cutdata.fits"), 40, 30, "FILTER");
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
