/* image.c -- see image.h: the ph image first, then the input images. */
#include "io/image.h"
#include "io/fits.h"
#include "base/log.h"
#include "base/planealloc.h"
#include "base/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int same_size(const char *path, const char *what, long nx, long ny, long mx, long my)
{
    if (nx == mx && ny == my)
        return PH_OK;
    return ph_error(PH_EFAIL, path, "%s is %ldx%ld but SCI is %ldx%ld", what, mx, my, nx, ny);
}

int ph_image_var_check(const float *var, size_t n, const char *file, const char *hdu)
{
    for (size_t i = 0; i < n; i++)
        if (var[i] > 0 && isfinite(var[i]))
            return PH_OK;
    return ph_error(PH_EFAIL, file, "HDU %s: the variance is zero (or not positive) at every "
                    "pixel: no noise to weigh the fit or to give the errors", hdu);
}

int ph_image_read(const char *path, unsigned planes, ph_image *img)
{
    memset(img, 0, sizeof *img);
    ph_fits fp;
    if (ph_fits_open(&fp, path))
        return PH_EFAIL;
    long nx = 0, ny = 0, mx, my;
    int st = ph_fits_has_hdu(&fp, "SCI")
                 ? ph_fits_goto(&fp, "SCI")
                 : ph_error(PH_EFAIL, path, "no SCI HDU: not a ph image (make one with ph-skysub)");
    if (!st)
        st = ph_fits_image_size(&fp, &nx, &ny);
    if (!st)
        st = ph_fits_read_header(&fp, &img->hdr);
    if (!st && (planes & PH_PLANE_SCI))
        st = ph_fits_read_float(&fp, &nx, &ny, &img->sci);
    if (!st && (planes & PH_PLANE_VAR) && !(st = ph_fits_goto(&fp, "VAR")) &&
        !(st = ph_fits_read_float(&fp, &mx, &my, &img->var)) &&
        !(st = same_size(path, "VAR", nx, ny, mx, my)))
        st = ph_image_var_check(img->var, (size_t)mx * my, path, "VAR");
    if (!st && (planes & PH_PLANE_MASK) && !(st = ph_fits_goto(&fp, "MASK")) &&
        !(st = ph_fits_read_u8(&fp, &mx, &my, &img->mask)))
        st = same_size(path, "MASK", nx, ny, mx, my);
    if (!st && (planes & PH_PLANE_PSF) && ph_fits_has_hdu(&fp, "PSF") &&
        !(st = ph_fits_goto(&fp, "PSF")) && !(st = ph_fits_read_double(&fp, &mx, &my, &img->psf))) {
        if (mx != my || mx % 2 == 0)
            st = ph_error(PH_EFAIL, path, "PSF HDU is %ldx%ld; it must be square with an odd size",
                          mx, my);
        img->psf_size = mx;
    }
    int has_ov = !st && (planes & PH_PLANE_PSF) && img->psf && ph_fits_has_hdu(&fp, "EPSF");
    ph_fits_close(&fp);
    if (has_ov) {
        int found;
        st = !(img->psf_ov = ph_calloc(1, sizeof *img->psf_ov, "oversampled PSF"));
        if (!st)
            st = ph_ovpsf_read(path, "EPSF", img->psf_ov, &found);
    }
    img->nx = nx;
    img->ny = ny;
    if (st) {
        ph_image_free(img);
        return PH_EFAIL;
    }
    ph_header_meta_from(img->hdr, path, &img->meta);
    return PH_OK;
}

int ph_image_write_hdus(ph_fits_out *o, const ph_image *img)
{
    ph_header *h = img->hdr ? ph_header_copy(img->hdr) : ph_header_new();
    if (!h || ph_header_meta_to(&img->meta, h)) {
        ph_header_free(h);
        return PH_EFAIL;
    }
    int st = PH_OK;
    if (img->sci)
        st = ph_fits_write_float(o, "SCI", img->nx, img->ny, img->sci, h);
    if (!st && img->var)
        st = ph_fits_write_float(o, "VAR", img->nx, img->ny, img->var, NULL);
    if (!st && img->mask) {
        ph_header *mh = ph_header_new();
        st = !mh;
        if (!st)
            st = ph_header_set_str(mh, "MASKBITS", "1=DETECTED 2=BAD 4=OUTSIDE", "bit meanings");
        if (!st)
            st = ph_fits_write_u8(o, "MASK", img->nx, img->ny, img->mask, mh);
        ph_header_free(mh);
    }
    if (!st && img->psf)
        st = ph_fits_write_double(o, "PSF", img->psf_size, img->psf_size, img->psf, NULL);
    if (!st && img->psf && img->psf_ov)
        st = ph_ovpsf_write(o, "EPSF", img->psf_ov, NULL);
    ph_header_free(h);
    return st;
}

int ph_image_write(const char *path, const ph_image *img)
{
    ph_fits_out o;
    int st = ph_fits_create(&o, path, 0);
    if (st)
        return st;
    if (ph_image_write_hdus(&o, img)) {
        ph_fits_abort(&o);
        return PH_EFAIL;
    }
    return ph_fits_commit(&o);
}

void ph_image_free(ph_image *img)
{
    free(img->sci);
    free(img->var);
    free(img->mask);
    free(img->psf);
    if (img->psf_ov)
        ph_ovpsf_free(img->psf_ov);
    free(img->psf_ov);
    ph_header_free(img->hdr);
    memset(img, 0, sizeof *img);
}

/* The input images: one reader serves ph_image_input_read and
 * ph_image_input_read_lite: it finds the layout and the HDUs, reads the planes
 * in the form the caller asked for (`reader.full`: the image as float64
 * and the flags as they are, with malloc; else the image as float32 and
 * the flags reduced to one byte, in pre-faulted planes) and checks them;
 * the two public functions only hand the planes over. */

typedef struct reader {
    int full;       /* ph_input: double image, uint32 flags, malloc */
    int want_noise; /* PH_NOISE_* */
    long nx, ny;
    void *sci;      /* double or float */
    float *noise;
    void *flags;    /* uint32_t (full) or uint8_t 0/1 */
    ph_header *hdr;
    ph_meta meta;
    ph_layout layout;
    long nfinite;
    char sci_hdu[80], noise_hdu[80], flags_hdu[80];
} reader;

/* The planes of either form (full: malloc; else ph_plane_alloc). */
static void free_planes(int full, void *sci, void *noise, void *flags, ph_header *hdr)
{
    void (*release)(void *) = full ? free : ph_plane_free;
    release(sci);
    release(noise);
    release(flags);
    ph_header_free(hdr);
}

static void reader_free(reader *r)
{
    free_planes(r->full, r->sci, r->noise, r->flags, r->hdr);
    r->sci = r->noise = r->flags = NULL;
    r->hdr = NULL;
}

/* Name an HDU for messages: its EXTNAME, else its number. */
static void current_hdu_name(ph_fits *fp, char *buf, size_t size)
{
    int status = 0, num = 0;
    char ext[FLEN_VALUE];
    ffghdn(fp->f, &num);
    if (ffgkys(fp->f, "EXTNAME", ext, NULL, &status) == 0)
        ph_strlcpy(buf, ext, size);
    else
        snprintf(buf, size, "%d", num - 1);
    fits_clear_errmsg();
}

/* The current 2-D image as float32 into a pre-faulted plane. */
static int read_float_plane(ph_fits *fp, long *nx, long *ny, float **out)
{
    char name[80];
    current_hdu_name(fp, name, sizeof name);
    if (ph_fits_image_size(fp, nx, ny))
        return PH_EFAIL;
    size_t n = (size_t)*nx * *ny;
    float *buf = ph_plane_alloc(n, sizeof *buf, "image plane");
    if (!buf)
        return PH_EFAIL;
    int status = 0, anynul = 0;
    long first[3] = {1, 1, 1};
    if (ffgpxv(fp->f, TFLOAT, first, (LONGLONG)n, NULL, buf, &anynul, &status)) {
        char text[FLEN_STATUS];
        ffgerr(status, text);
        fits_clear_errmsg();
        ph_plane_free(buf);
        return ph_error(PH_EFAIL, fp->path,
                        "HDU %s: cannot read the image (truncated or corrupt file? cfitsio: %s)",
                        name, text);
    }
    *out = buf;
    return PH_OK;
}

/* Flags of the current HDU, read a row at a time and reduced to 0/1. */
static int read_flag_bits(ph_fits *fp, const char *what, long nx, long ny, uint8_t **out)
{
    uint8_t *flagged = ph_plane_alloc((size_t)nx * ny, 1, "flags");
    uint32_t *row = ph_malloc((size_t)nx * sizeof *row, "flags row");
    if (!flagged || !row) {
        ph_plane_free(flagged);
        free(row);
        return PH_EFAIL;
    }
    for (long y = 0; y < ny; y++) {
        int status = 0, anynul = 0;
        long first[3] = {1, y + 1, 1};
        if (ffgpxv(fp->f, TUINT, first, nx, NULL, row, &anynul, &status)) {
            char text[FLEN_STATUS];
            ffgerr(status, text);
            fits_clear_errmsg();
            free(row);
            ph_plane_free(flagged);
            return ph_error(PH_EFAIL, fp->path,
                            "HDU %s: cannot read the flags (truncated or corrupt file? "
                            "cfitsio: %s)",
                            what, text);
        }
        uint8_t *f = flagged + (size_t)y * nx;
        for (long x = 0; x < nx; x++)
            f[x] = row[x] != 0;
    }
    free(row);
    *out = flagged;
    return PH_OK;
}

static int check_size(const char *path, const char *what, const reader *r, long nx, long ny)
{
    if (nx == r->nx && ny == r->ny)
        return PH_OK;
    return ph_error(PH_EFAIL, path, "%s plane is %ldx%ld but the image is %ldx%ld", what, nx, ny,
                    r->nx, r->ny);
}

/* The image of the current HDU, and its header. */
static int read_sci(ph_fits *fp, reader *r)
{
    current_hdu_name(fp, r->sci_hdu, sizeof r->sci_hdu);
    int st = r->full ? ph_fits_read_double(fp, &r->nx, &r->ny, (double **)&r->sci)
                     : read_float_plane(fp, &r->nx, &r->ny, (float **)&r->sci);
    return st ? st : ph_fits_read_header(fp, &r->hdr);
}

/* The optional noise and flags planes of an open file (HDUs by name or
 * number; NULL: not read). */
static int read_aux(ph_fits *fp, const char *noise, const char *flags, reader *r)
{
    long nx, ny;
    if (noise) {
        if (ph_fits_goto(fp, noise))
            return PH_EFAIL;
        current_hdu_name(fp, r->noise_hdu, sizeof r->noise_hdu);
        int st = r->full ? ph_fits_read_float(fp, &nx, &ny, &r->noise)
                         : read_float_plane(fp, &nx, &ny, &r->noise);
        if (st || check_size(fp->path, noise, r, nx, ny))
            return PH_EFAIL;
    }
    if (flags) {
        if (ph_fits_goto(fp, flags))
            return PH_EFAIL;
        current_hdu_name(fp, r->flags_hdu, sizeof r->flags_hdu);
        if (ph_fits_image_size(fp, &nx, &ny) || check_size(fp->path, flags, r, nx, ny))
            return PH_EFAIL;
        if (r->full ? ph_fits_read_u32(fp, &nx, &ny, (uint32_t **)&r->flags)
                    : read_flag_bits(fp, flags, nx, ny, (uint8_t **)&r->flags))
            return PH_EFAIL;
    }
    return PH_OK;
}

/* phrosty's threefile images: PATH_image.fits, PATH_noise.fits and
 * PATH_flags.fits, each plane the first image of its file. */
static int read_threefile(const char *path, reader *r)
{
    char p[1200];
    ph_fits fp;
    snprintf(p, sizeof p, "%s_image.fits", path);
    if (ph_fits_open(&fp, p))
        return PH_EFAIL;
    int st = ph_fits_goto_first_image(&fp);
    if (!st)
        st = read_sci(&fp, r);
    ph_fits_close(&fp);
    const char *suffix[2] = {"_noise.fits", "_flags.fits"};
    for (int k = 0; k < 2 && !st; k++) {
        snprintf(p, sizeof p, "%s%s", path, suffix[k]);
        if (!ph_path_exists(p))
            continue;
        if (k == 0 && !r->want_noise) { /* present, not read */
            ph_strlcpy(r->noise_hdu, "0", sizeof r->noise_hdu);
            continue;
        }
        if (ph_fits_open(&fp, p))
            return PH_EFAIL;
        st = ph_fits_goto_first_image(&fp);
        if (!st) {
            char num[16];
            int hdunum = 0;
            ffghdn(fp.f, &hdunum);
            snprintf(num, sizeof num, "%d", hdunum - 1);
            st = read_aux(&fp, k ? NULL : num, k ? num : NULL, r);
        }
        ph_fits_close(&fp);
    }
    return st;
}

/* An OpenUniverse2024 file (ERR and DQ beside the image) without its SCI
 * HDU is damaged: its first image would be ERR, the sky-only image. */
static int ou_without_sci(ph_fits *fp, const ph_input_opts *opts)
{
    if (opts->hdu || ph_fits_has_hdu(fp, "SCI") ||
        !(ph_fits_has_hdu(fp, "ERR") || ph_fits_has_hdu(fp, "DQ")))
        return PH_OK;
    return ph_error(PH_EFAIL, fp->path, "no SCI HDU, though the file has the ERR/DQ HDUs of the "
                    "OpenUniverse2024 layout: a damaged file? (name the image's HDU to read "
                    "another)");
}

/* One FITS file: OpenUniverse2024's SCI/ERR/DQ, or the HDUs of `opts`. */
static int read_fits(const char *path, const ph_input_opts *opts, reader *r)
{
    ph_fits fp;
    if (ph_fits_open(&fp, path))
        return PH_EFAIL;
    if (ou_without_sci(&fp, opts)) {
        ph_fits_close(&fp);
        return PH_EFAIL;
    }
    int ou = ph_fits_has_hdu(&fp, "SCI") && ph_fits_has_hdu(&fp, "ERR") &&
             ph_fits_has_hdu(&fp, "DQ");
    r->layout = ou && !opts->hdu ? PH_LAYOUT_OU2024 : PH_LAYOUT_GENERIC;
    const char *hdu = opts->hdu ? opts->hdu : ph_fits_has_hdu(&fp, "SCI") ? "SCI" : NULL;
    const char *noise = opts->noise_hdu, *flags = opts->flags_hdu;
    if (!noise && ph_fits_has_hdu(&fp, "ERR"))
        noise = "ERR";
    if (!flags && ph_fits_has_hdu(&fp, "DQ"))
        flags = "DQ";
    if (noise && !strcmp(noise, "none"))
        noise = NULL;
    if (flags && !strcmp(flags, "none"))
        flags = NULL;
    if (r->want_noise == PH_NOISE_UNLESS_OU)
        r->want_noise = r->layout != PH_LAYOUT_OU2024;
    int st = PH_OK;
    if (noise && !r->want_noise) {
        /* Not read, but it must exist when it was asked for by name. */
        if (opts->noise_hdu)
            st = ph_fits_goto(&fp, noise);
        ph_strlcpy(r->noise_hdu, noise, sizeof r->noise_hdu);
        noise = NULL;
    }
    if (!st)
        st = hdu ? ph_fits_goto(&fp, hdu) : ph_fits_goto_first_image(&fp);
    if (!st)
        st = read_sci(&fp, r);
    if (!st)
        st = read_aux(&fp, noise, flags, r);
    ph_fits_close(&fp);
    return st;
}

/* Read `path` (a FITS file, or a threefile PATH); check that the image has
 * a finite pixel; the meta keys from its header. */
static int read_input(const char *path, const ph_input_opts *opts, reader *r)
{
    static const ph_input_opts none = {0};
    if (!opts)
        opts = &none;
    char threefile[1200];
    snprintf(threefile, sizeof threefile, "%s_image.fits", path);
    int st;
    if (!ph_path_exists(path) && ph_path_exists(threefile)) {
        r->layout = PH_LAYOUT_THREEFILE;
        st = read_threefile(path, r);
    } else {
        st = read_fits(path, opts, r);
    }
    if (st) {
        reader_free(r);
        return PH_EFAIL;
    }
    size_t n = (size_t)r->nx * r->ny;
    for (size_t i = 0; i < n; i++)
        r->nfinite += (r->full ? isfinite(((double *)r->sci)[i])
                               : isfinite(((float *)r->sci)[i])) != 0;
    if (!r->nfinite) {
        reader_free(r);
        return ph_error(PH_EFAIL, path, "the image has no finite pixel (all NaN or Inf)");
    }
    ph_header_meta_from(r->hdr, path, &r->meta);
    return PH_OK;
}

int ph_image_input_read(const char *path, const ph_input_opts *opts, ph_input *in)
{
    reader r = {.full = 1, .want_noise = PH_NOISE_YES};
    memset(in, 0, sizeof *in);
    if (read_input(path, opts, &r))
        return PH_EFAIL;
    *in = (ph_input){.nx = r.nx, .ny = r.ny, .sci = r.sci, .noise = r.noise, .flags = r.flags,
                     .hdr = r.hdr, .meta = r.meta, .layout = r.layout, .nfinite = r.nfinite};
    return PH_OK;
}

void ph_image_input_free(ph_input *in)
{
    free_planes(1, in->sci, in->noise, in->flags, in->hdr);
    memset(in, 0, sizeof *in);
}

int ph_image_input_read_lite(const char *path, const ph_input_opts *opts, int want_noise,
                         ph_input_lite *in)
{
    reader r = {.full = 0, .want_noise = want_noise};
    memset(in, 0, sizeof *in);
    if (read_input(path, opts, &r))
        return PH_EFAIL;
    *in = (ph_input_lite){.nx = r.nx, .ny = r.ny, .sci = r.sci, .noise = r.noise,
                          .flagged = r.flags, .hdr = r.hdr, .meta = r.meta, .layout = r.layout,
                          .nfinite = r.nfinite};
    memcpy(in->sci_hdu, r.sci_hdu, sizeof in->sci_hdu);
    memcpy(in->noise_hdu, r.noise_hdu, sizeof in->noise_hdu);
    memcpy(in->flags_hdu, r.flags_hdu, sizeof in->flags_hdu);
    return PH_OK;
}

void ph_image_input_lite_free(ph_input_lite *in)
{
    free_planes(0, in->sci, in->noise, in->flagged, in->hdr);
    memset(in, 0, sizeof *in);
}
