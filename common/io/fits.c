/* fits.c -- see fits.h. We use cfitsio's disk-file entry points
 * (ffdkopn/ffdkinit) so that file names are taken literally and never
 * parsed as cfitsio's extended syntax ("a[1].fits" is a file name). */
#define _GNU_SOURCE /* O_TMPFILE */
#include "io/fits.h"
#include "base/cli.h"
#include "io/fitsscan.h"
#include "base/log.h"
#include "base/sameinput.h"
#include "io/stream.h"
#include "base/tmpclean.h"
#include "base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Turn a cfitsio status into a recorded error about `path`. */
static int fits_fail(const char *path, const char *what, int status)
{
    char text[FLEN_STATUS];
    ffgerr(status, text);
    fits_clear_errmsg();
    if (status == END_OF_FILE || status == READ_ERROR || status == BAD_FILEPTR ||
        status == NO_XTENSION || status == UNKNOWN_REC)
        return ph_error(PH_EFAIL, path, "%s: the file is truncated or corrupt (cfitsio: %s)", what,
                        text);
    return ph_error(PH_EFAIL, path, "%s: %s", what, text);
}

/* ---- reading ------------------------------------------------------------ */

static void hdu_name(ph_fits *fp, char *buf, size_t size);

static char scratch_dir[1024];

void ph_fits_scratch_dir(const char *dir)
{
    ph_strlcpy(scratch_dir, dir ? dir : "", sizeof scratch_dir);
}

void ph_fits_scratch_beside(const char *output)
{
    if (ph_stream_is_stdio(output))
        return;
    char dir[1024];
    const char *base = ph_path_basename(output);
    if (base == output)
        ph_strlcpy(dir, ".", sizeof dir);
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(base - output), output);
    ph_fits_scratch_dir(dir);
}

/* An unlinked scratch file for an inflated .gz: it never shows in a
 * directory, and the kernel frees it however the program ends (SIGKILL
 * included). In the scratch directory, else $TMPDIR, else /tmp. */
static int scratch_file(const char *path)
{
    const char *dir = scratch_dir[0] ? scratch_dir : getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
    int fd = open(dir, O_TMPFILE | O_RDWR, 0600);
    if (fd >= 0)
        return fd;
    char tmp[1100];
    snprintf(tmp, sizeof tmp, "%s/.ph-inflate.XXXXXX", dir);
    if ((fd = mkstemp(tmp)) < 0)
        return ph_error(PH_EFAIL, path, "cannot create a scratch file in %s to inflate it: %s",
                        dir, strerror(errno)), -1;
    unlink(tmp);
    return fd;
}

int ph_fits_open(ph_fits *fp, const char *path)
{
    int status = 0;
    fp->f = NULL;
    ph_strlcpy(fp->path, path, sizeof fp->path);
    const char *real = ph_stream_in(path); /* "-": standard input */
    if (!real)
        return PH_EFAIL;
    if (access(real, R_OK))
        return ph_error(PH_EFAIL, path, "cannot open: %s", strerror(errno));
    /* Every HDU's claimed size against the file, before cfitsio reads
     * (or allocates) anything; a .gz is inflated by us, bounded by its
     * headers, into a scratch file (cfitsio would inflate it whole into
     * memory, however large). Standard input is a file by now (stream.h),
     * checked the same way. */
    const char *name = real;
    char proc[64];
    int fd = -1;
    if (ph_fitsscan_is_gzip(path)) {
        if ((fd = scratch_file(path)) < 0)
            return PH_EFAIL;
        if (ph_fitsscan_check(path, fd, NULL)) {
            close(fd);
            return PH_EFAIL;
        }
        snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
        name = proc;
    } else if (ph_fitsscan_check(path, -1, NULL)) {
        return PH_EFAIL;
    }
    ph_sameinput_note(path);
    ffdkopn(&fp->f, name, READONLY, &status);
    if (fd >= 0)
        close(fd); /* cfitsio holds its own descriptor of the scratch file */
    if (status) {
        fp->f = NULL;
        return fits_fail(path, "not a readable FITS file", status);
    }
    return PH_OK;
}

void ph_fits_close(ph_fits *fp)
{
    int status = 0;
    if (fp->f)
        ffclos(fp->f, &status);
    fp->f = NULL;
}

int ph_fits_nhdu(ph_fits *fp)
{
    int n = 0, status = 0;
    ffthdu(fp->f, &n, &status);
    return status ? 0 : n;
}

int ph_fits_has_hdu(ph_fits *fp, const char *extname)
{
    int status = 0, cur = 0;
    ffghdn(fp->f, &cur);
    if (ffmnhd(fp->f, ANY_HDU, (char *)extname, 0, &status)) {
        status = 0;
        fits_clear_errmsg();
        ffmahd(fp->f, cur, NULL, &status);
        return 0;
    }
    return 1;
}

int ph_fits_goto(ph_fits *fp, const char *hdu)
{
    int status = 0;
    long num;
    if (!ph_parse_long(hdu, &num)) {
        int n = ph_fits_nhdu(fp);
        if (num < 0 || num >= n)
            return ph_error(PH_EFAIL, fp->path, "no HDU number %ld (the file has %d)", num, n);
        if (ffmahd(fp->f, (int)num + 1, NULL, &status))
            return fits_fail(fp->path, "cannot move to HDU", status);
        return PH_OK;
    }
    if (ffmnhd(fp->f, ANY_HDU, (char *)hdu, 0, &status)) {
        fits_clear_errmsg();
        return ph_error(PH_EFAIL, fp->path, "no HDU named %s", hdu);
    }
    return PH_OK;
}

int ph_fits_goto_first_image(ph_fits *fp)
{
    int n = ph_fits_nhdu(fp), chosen = 0, nimages = 0;
    for (int i = 1; i <= n; i++) {
        int status = 0, type, naxis = 0;
        long naxes[3] = {0, 0, 1};
        if (ffmahd(fp->f, i, &type, &status))
            return fits_fail(fp->path, "cannot move to HDU", status);
        ffgidm(fp->f, &naxis, &status);
        ffgisz(fp->f, 3, naxes, &status);
        if (type != IMAGE_HDU || status || naxis == 0)
            continue;
        if (naxis == 2 || (naxis == 3 && naxes[2] == 1)) {
            nimages++;
            if (!chosen)
                chosen = i;
        } else if (!chosen && naxis >= 3) { /* never skip a cube for the next plane in silence */
            char hn[96];
            hdu_name(fp, hn, sizeof hn);
            return ph_error(PH_EFAIL, fp->path, "%s is a %d-D image, not a 2-D one: name the "
                            "image's HDU (e.g. --hdu)", hn, naxis);
        }
    }
    if (!chosen)
        return ph_error(PH_EFAIL, fp->path, "no 2-D image HDU");
    int status = 0;
    ffmahd(fp->f, chosen, NULL, &status);
    if (nimages > 1) { /* say which one was taken */
        char hn[96];
        hdu_name(fp, hn, sizeof hn);
        ph_notice("%s: no HDU was named; reading the image from %s, the first of %d 2-D images",
                  fp->path, hn, nimages);
    }
    return status ? fits_fail(fp->path, "cannot move to HDU", status) : PH_OK;
}

static void hdu_name(ph_fits *fp, char *buf, size_t size)
{
    int status = 0, num = 0;
    char ext[FLEN_VALUE];
    ffghdn(fp->f, &num);
    if (ffgkys(fp->f, "EXTNAME", ext, NULL, &status) == 0)
        snprintf(buf, size, "HDU %s", ext);
    else
        snprintf(buf, size, "HDU %d", num - 1);
    fits_clear_errmsg();
}

/* NAXIS and up to three NAXISn of the current HDU, which must be an
 * image; hn (96 bytes) receives its name for messages. */
static int image_axes(ph_fits *fp, char *hn, int *naxis, long naxes[3])
{
    int status = 0, type = 0;
    hdu_name(fp, hn, 96);
    ffghdt(fp->f, &type, &status);
    if (status)
        return fits_fail(fp->path, hn, status);
    if (type != IMAGE_HDU)
        return ph_error(PH_EFAIL, fp->path, "%s is a table, not an image", hn);
    ffgidm(fp->f, naxis, &status);
    ffgisz(fp->f, 3, naxes, &status);
    if (status)
        return fits_fail(fp->path, hn, status);
    return PH_OK;
}

int ph_fits_image_size(ph_fits *fp, long *nx, long *ny)
{
    int naxis = 0;
    long naxes[3] = {0, 0, 0};
    char hn[96];
    if (image_axes(fp, hn, &naxis, naxes))
        return PH_EFAIL;
    if (naxis == 3 && naxes[2] == 1)
        naxis = 2;
    if (naxis == 2 && (naxes[0] < 1 || naxes[1] < 1))
        return ph_error(PH_EFAIL, fp->path, "%s has NAXIS%d = %ld: an image without pixels", hn,
                        naxes[0] < 1 ? 1 : 2, naxes[0] < 1 ? naxes[0] : naxes[1]);
    if (naxis != 2)
        return ph_error(PH_EFAIL, fp->path, "%s is not a 2-D image (NAXIS = %d)", hn, naxis);
    *nx = naxes[0];
    *ny = naxes[1];
    return PH_OK;
}

static int read_plane(ph_fits *fp, int datatype, size_t elsize, long *nx, long *ny, void **data)
{
    if (ph_fits_image_size(fp, nx, ny))
        return PH_EFAIL;
    size_t n = (size_t)*nx * (size_t)*ny;
    char hn[96];
    hdu_name(fp, hn, sizeof hn);
    *data = ph_malloc(n * elsize, hn);
    if (!*data)
        return PH_EFAIL;
    int status = 0, anynul = 0;
    long first[3] = {1, 1, 1};
    if (ffgpxv(fp->f, datatype, first, (LONGLONG)n, NULL, *data, &anynul, &status)) {
        free(*data);
        *data = NULL;
        return fits_fail(fp->path, hn, status);
    }
    return PH_OK;
}

int ph_fits_read_double(ph_fits *fp, long *nx, long *ny, double **data)
{
    return read_plane(fp, TDOUBLE, sizeof(double), nx, ny, (void **)data);
}
int ph_fits_read_float(ph_fits *fp, long *nx, long *ny, float **data)
{
    return read_plane(fp, TFLOAT, sizeof(float), nx, ny, (void **)data);
}
int ph_fits_read_u8(ph_fits *fp, long *nx, long *ny, uint8_t **data)
{
    return read_plane(fp, TBYTE, 1, nx, ny, (void **)data);
}
int ph_fits_read_u32(ph_fits *fp, long *nx, long *ny, uint32_t **data)
{
    return read_plane(fp, TUINT, sizeof(uint32_t), nx, ny, (void **)data);
}

int ph_fits_read_cube_double(ph_fits *fp, long *nx, long *ny, long *nz, double **data)
{
    int status = 0, naxis = 0;
    long naxes[3] = {0, 0, 1};
    char hn[96];
    *data = NULL;
    if (image_axes(fp, hn, &naxis, naxes))
        return PH_EFAIL;
    if (naxis == 2)
        naxes[2] = 1;
    if ((naxis != 2 && naxis != 3) || naxes[0] < 1 || naxes[1] < 1 || naxes[2] < 1)
        return ph_error(PH_EFAIL, fp->path, "%s is not a 2-D image or a cube (NAXIS = %d)", hn,
                        naxis);
    size_t n = (size_t)naxes[0] * (size_t)naxes[1] * (size_t)naxes[2];
    if (!(*data = ph_malloc(n * sizeof(double), hn)))
        return PH_EFAIL;
    int anynul = 0;
    long first[3] = {1, 1, 1};
    if (ffgpxv(fp->f, TDOUBLE, first, (LONGLONG)n, NULL, *data, &anynul, &status)) {
        free(*data);
        *data = NULL;
        return fits_fail(fp->path, hn, status);
    }
    *nx = naxes[0], *ny = naxes[1], *nz = naxes[2];
    return PH_OK;
}

int ph_fits_read_header(ph_fits *fp, ph_header **hdr)
{
    int status = 0, nkeys = 0;
    char *text = NULL;
    char hn[96];
    hdu_name(fp, hn, sizeof hn);
    if (ffhdr2str(fp->f, 0, NULL, 0, &text, &nkeys, &status))
        return fits_fail(fp->path, hn, status);
    *hdr = ph_header_new();
    int st = *hdr ? PH_OK : PH_EFAIL;
    for (int i = 0; i < nkeys && !st; i++) {
        char card[81];
        memcpy(card, text + 80 * i, 80);
        card[80] = '\0';
        st = ph_header_add_card(*hdr, card);
    }
    fffree(text, &status);
    if (st) {
        ph_header_free(*hdr);
        *hdr = NULL;
    }
    return st;
}

int ph_fits_load_double(const char *path, const char *hdu, long *nx, long *ny, double **data,
                        ph_header **hdr)
{
    ph_fits fp;
    if (ph_fits_open(&fp, path))
        return PH_EFAIL;
    int st = hdu ? ph_fits_goto(&fp, hdu) : ph_fits_goto_first_image(&fp);
    if (!st)
        st = ph_fits_read_double(&fp, nx, ny, data);
    if (!st && hdr && (st = ph_fits_read_header(&fp, hdr))) {
        free(*data);
        *data = NULL;
    }
    ph_fits_close(&fp);
    return st;
}

int ph_fits_read_column(ph_fits *fp, const char *colname, long *nrows, double **values)
{
    int status = 0, col = 0, anynul = 0;
    char hn[96];
    hdu_name(fp, hn, sizeof hn);
    if (ffgcno(fp->f, CASEINSEN, (char *)colname, &col, &status)) {
        fits_clear_errmsg();
        return ph_error(PH_EFAIL, fp->path, "%s has no column %s", hn, colname);
    }
    if (ffgnrw(fp->f, nrows, &status))
        return fits_fail(fp->path, hn, status);
    *values = ph_malloc((size_t)(*nrows ? *nrows : 1) * sizeof(double), "table column");
    if (!*values)
        return PH_EFAIL;
    if (*nrows && ffgcv(fp->f, TDOUBLE, col, 1, 1, *nrows, NULL, *values, &anynul, &status)) {
        free(*values);
        *values = NULL;
        return fits_fail(fp->path, hn, status);
    }
    return PH_OK;
}

/* ---- writing ------------------------------------------------------------ */

/* The primary header's provenance: tool, version, and the settings in
 * effect as HISTORY cards (the same settings, the same cards). */
static void write_provenance(ph_fits_out *o, int *status)
{
    ffpkys(o->f, "PH_TOOL", (char *)ph_progname(), "program that wrote this file", status);
    ffpkys(o->f, "PH_VERS", (char *)ph_cli_version(), "toolkit version", status);
    char line[1400];
    snprintf(line, sizeof line, "%s %s settings:%s", ph_progname(), ph_cli_version(),
             ph_cli_setting(0) ? "" : " the defaults");
    ffphis(o->f, line, status);
    for (int i = 0; ph_cli_setting(i); i++) {
        snprintf(line, sizeof line, "  %s", ph_cli_setting(i));
        ffphis(o->f, line, status);
    }
}

/* "-": write to an unlinked temporary, copied to standard output on commit. */
static int create_stdout(ph_fits_out *o)
{
    char name[1024];
    int fd = ph_stream_tempfile("-", "for the output", 1, name, sizeof name);
    if (fd < 0)
        return PH_EFAIL;
    close(fd);
    unlink(name); /* cfitsio creates it anew */
    /* Named only until it is reopened below: a signal in between must
     * not leave it behind (tmpclean.h). */
    int slot = ph_tmp_remember(name);
    int status = 0;
    if (ffdkinit(&o->f, name, &status)) {
        o->f = NULL;
        unlink(name);
        ph_tmp_forget(slot);
        return fits_fail("-", "cannot create output", status);
    }
    fd = open(name, O_RDONLY);
    unlink(name);
    ph_tmp_forget(slot);
    o->spool = fd + 1;
    if (fd < 0) {
        ffclos(o->f, &status);
        o->f = NULL;
        return ph_error(PH_EFAIL, "-", "cannot reopen the temporary output: %s", strerror(errno));
    }
    return PH_OK;
}

/* The empty primary HDU of a multi-HDU file, with the provenance. */
static int write_empty_primary(ph_fits_out *o)
{
    int status = 0;
    ffcrim(o->f, BYTE_IMG, 0, NULL, &status);
    ffpkys(o->f, "ORIGIN", "phrosty-c", "written by the phrosty C toolkit", &status);
    write_provenance(o, &status);
    if (status) {
        ph_fits_abort(o);
        return fits_fail(o->path, "cannot write the primary HDU", status);
    }
    o->nhdu = 1;
    return PH_OK;
}

int ph_fits_create(ph_fits_out *o, const char *path, int primary_image)
{
    memset(o, 0, sizeof *o);
    ph_strlcpy(o->path, path, sizeof o->path);
    if (ph_stream_is_stdio(path)) {
        if (ph_sameinput_check_output(path)) /* `>> input.fits` */
            return PH_EUSAGE;
        return create_stdout(o) ? PH_EFAIL : primary_image ? PH_OK : write_empty_primary(o);
    }
    /* The output is renamed into place: never over a device or a fifo
     * (as root that would replace /dev/null with a plain file). */
    struct stat st;
    if (!stat(path, &st) && !S_ISREG(st.st_mode))
        return ph_error(PH_EFAIL, path, "not a regular file: FITS outputs are written to a "
                                        "temporary and renamed into place, give a file name");
    if (ph_sameinput_check_output(path))
        return PH_EUSAGE;
    const char *base = ph_path_basename(path);
    size_t dirlen = (size_t)(base - path);
    size_t blen = strlen(base);
    const char *ext = blen > 3 && !strcmp(base + blen - 3, ".gz") ? ".gz" : "";
    /* cfitsio decides to gzip on the first ".gz" in the name, so the
     * temporary name carries it only at its end: one inside the name
     * (phrosty's "x.fits.gz-y.fits.gz") is spelled "_gz" there. */
    char stem[512];
    snprintf(stem, sizeof stem, "%.*s", (int)(blen - strlen(ext)), base);
    for (char *g = strstr(stem, ".gz"); g; g = strstr(g, ".gz"))
        *g = '_';
    snprintf(o->tmp, sizeof o->tmp, "%.*s.%s.XXXXXX%s", (int)dirlen, path, stem, ext);
    int slot, fd = ph_tmp_mkstemps(o->tmp, (int)strlen(ext), &slot);
    if (fd < 0)
        return ph_error(PH_EFAIL, path, "cannot create output: %s", strerror(errno));
    o->tmpslot = slot + 1;
    close(fd);
    unlink(o->tmp); /* cfitsio creates it anew; mkstemps only reserved the name */
    int status = 0;
    /* ffinit compresses a .gz name on close; ffdkinit takes the name
     * literally (no extended syntax) but never compresses. Our temporary
     * name is plain, so ffinit is safe for it. */
    if ((*ext ? ffinit(&o->f, o->tmp, &status) : ffdkinit(&o->f, o->tmp, &status))) {
        o->f = NULL;
        return fits_fail(path, "cannot create output", status);
    }
    return primary_image ? PH_OK : write_empty_primary(o);
}

static int write_hdr(ph_fits_out *o, const char *extname, const ph_header *hdr)
{
    int status = 0;
    if (extname)
        ffpkys(o->f, "EXTNAME", (char *)extname, NULL, &status);
    for (int i = 0; hdr && i < hdr->ncards; i++) {
        char key[9];
        int n = 0;
        while (n < 8 && hdr->cards[i][n] != ' ' && hdr->cards[i][n] != '=')
            n++;
        memcpy(key, hdr->cards[i], n);
        key[n] = '\0';
        if (ph_header_is_structural(key))
            continue;
        ffprec(o->f, hdr->cards[i], &status);
    }
    if (o->nhdu == 0)
        write_provenance(o, &status);
    return status ? fits_fail(o->path, extname ? extname : "primary HDU", status) : PH_OK;
}

static int write_image(ph_fits_out *o, const char *extname, int bitpix, int datatype, long nx,
                       long ny, const void *data, const ph_header *hdr)
{
    int status = 0;
    long naxes[2] = {nx, ny};
    if (ffcrim(o->f, bitpix, 2, naxes, &status))
        return fits_fail(o->path, extname ? extname : "primary HDU", status);
    if (write_hdr(o, extname, hdr))
        return PH_EFAIL;
    long first[2] = {1, 1};
    if (ffppx(o->f, datatype, first, (LONGLONG)nx * ny, (void *)data, &status))
        return fits_fail(o->path, extname ? extname : "primary HDU", status);
    o->nhdu++;
    return PH_OK;
}

int ph_fits_write_float(ph_fits_out *o, const char *extname, long nx, long ny, const float *data,
                        const ph_header *hdr)
{
    return write_image(o, extname, FLOAT_IMG, TFLOAT, nx, ny, data, hdr);
}
int ph_fits_write_double(ph_fits_out *o, const char *extname, long nx, long ny,
                         const double *data, const ph_header *hdr)
{
    return write_image(o, extname, DOUBLE_IMG, TDOUBLE, nx, ny, data, hdr);
}
int ph_fits_write_u8(ph_fits_out *o, const char *extname, long nx, long ny, const uint8_t *data,
                     const ph_header *hdr)
{
    return write_image(o, extname, BYTE_IMG, TBYTE, nx, ny, data, hdr);
}
int ph_fits_write_i32(ph_fits_out *o, const char *extname, long nx, long ny, const int32_t *data,
                      const ph_header *hdr)
{
    return write_image(o, extname, LONG_IMG, TINT, nx, ny, data, hdr);
}
int ph_fits_write_u32(ph_fits_out *o, const char *extname, long nx, long ny, const uint32_t *data,
                      const ph_header *hdr)
{
    return write_image(o, extname, ULONG_IMG, TUINT, nx, ny, data, hdr);
}

int ph_fits_write_table(ph_fits_out *o, const char *extname, long nrows, int ncols,
                        const ph_column *cols, const ph_header *hdr)
{
    char **ttype = calloc((size_t)ncols, sizeof *ttype);
    char **tform = calloc((size_t)ncols, sizeof *tform);
    char **tunit = calloc((size_t)ncols, sizeof *tunit);
    int status = 0;
    if (!ttype || !tform || !tunit) {
        free(ttype);
        free(tform);
        free(tunit);
        return ph_error(PH_EFAIL, o->path, "out of memory writing table %s", extname);
    }
    for (int c = 0; c < ncols; c++) {
        ttype[c] = (char *)cols[c].name;
        tform[c] = cols[c].d ? "1D" : "1K";
        tunit[c] = (char *)(cols[c].unit ? cols[c].unit : "");
    }
    ffcrtb(o->f, BINARY_TBL, nrows, ncols, ttype, tform, tunit, (char *)extname, &status);
    free(ttype);
    free(tform);
    free(tunit);
    if (status)
        return fits_fail(o->path, extname, status);
    if (write_hdr(o, NULL, hdr))
        return PH_EFAIL;
    for (int c = 0; c < ncols && nrows > 0; c++) {
        if (cols[c].d)
            ffpcld(o->f, c + 1, 1, 1, nrows, (double *)cols[c].d, &status);
        else
            ffpcl(o->f, TLONGLONG, c + 1, 1, 1, nrows, (void *)cols[c].k, &status);
    }
    if (status)
        return fits_fail(o->path, extname, status);
    o->nhdu++;
    return PH_OK;
}

int ph_fits_update_keys(ph_fits_out *o, const char *extname, const ph_header *cards)
{
    int status = 0, last = 0;
    ffthdu(o->f, &last, &status);
    if (ffmnhd(o->f, ANY_HDU, (char *)extname, 0, &status))
        return fits_fail(o->path, extname, status);
    for (int i = 0; i < cards->ncards && !status; i++) {
        char key[9];
        int n = 0;
        while (n < 8 && cards->cards[i][n] != ' ' && cards->cards[i][n] != '=')
            n++;
        memcpy(key, cards->cards[i], n);
        key[n] = '\0';
        if (!ph_header_is_structural(key))
            ffucrd(o->f, key, (char *)cards->cards[i], &status);
    }
    ffmahd(o->f, last, NULL, &status);
    return status ? fits_fail(o->path, extname, status) : PH_OK;
}

int ph_fits_commit(ph_fits_out *o)
{
    int status = 0;
    if (!o->f)
        return ph_error(PH_EFAIL, o->path, "output was not opened");
    ffclos(o->f, &status);
    o->f = NULL;
    if (o->spool) { /* "-" */
        int st = status                           ? fits_fail("-", "cannot finish writing", status)
                 : ph_sameinput_check_output("-") ? PH_EUSAGE
                                                  : ph_stream_copy_out(o->spool - 1);
        close(o->spool - 1);
        o->spool = 0;
        return st;
    }
    if (status)
        fits_fail(o->path, "cannot finish writing", status);
    return ph_tmp_finish(o->tmp, o->path, !status, &o->tmpslot);
}

void ph_fits_abort(ph_fits_out *o)
{
    int status = 0;
    if (o->f) {
        ffclos(o->f, &status);
        o->f = NULL;
    }
    if (o->spool)
        close(o->spool - 1);
    o->spool = 0;
    if (o->tmp[0])
        unlink(o->tmp);
    ph_tmp_forget(o->tmpslot - 1);
    o->tmpslot = 0;
    fits_clear_errmsg();
}
