/* inimage.c -- see inimage.h. */
#include "inimage.h"
#include "fits.h"
#include "log.h"
#include "plane.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_size(const char *path, const char *what, const ph_input *in, long nx, long ny)
{
    if (nx == in->nx && ny == in->ny)
        return PH_OK;
    return ph_error(PH_EFAIL, path, "%s plane is %ldx%ld but the image is %ldx%ld", what, nx, ny,
                    in->nx, in->ny);
}

/* Read the optional noise and flags planes from an open file. */
static int read_aux(ph_fits *fp, const char *noise, const char *flags, ph_input *in)
{
    long nx, ny;
    if (noise) {
        if (ph_fits_goto(fp, noise) || ph_fits_read_float(fp, &nx, &ny, &in->noise) ||
            check_size(fp->path, noise, in, nx, ny))
            return PH_EFAIL;
    }
    if (flags) {
        if (ph_fits_goto(fp, flags) || ph_fits_read_u32(fp, &nx, &ny, &in->flags) ||
            check_size(fp->path, flags, in, nx, ny))
            return PH_EFAIL;
    }
    return PH_OK;
}

static int read_threefile(const char *path, ph_input *in)
{
    char p[1200];
    ph_fits fp;
    snprintf(p, sizeof p, "%s_image.fits", path);
    if (ph_fits_open(&fp, p))
        return PH_EFAIL;
    int st = ph_fits_goto_first_image(&fp);
    if (!st)
        st = ph_fits_read_double(&fp, &in->nx, &in->ny, &in->sci);
    if (!st)
        st = ph_fits_read_header(&fp, &in->hdr);
    ph_fits_close(&fp);
    const char *suffix[2] = {"_noise.fits", "_flags.fits"};
    for (int k = 0; k < 2 && !st; k++) {
        snprintf(p, sizeof p, "%s%s", path, suffix[k]);
        if (!ph_path_exists(p))
            continue;
        if (ph_fits_open(&fp, p))
            return PH_EFAIL;
        st = ph_fits_goto_first_image(&fp);
        if (!st)
            st = read_aux(&fp, k ? NULL : "0", k ? "0" : NULL, in);
        /* read_aux goes to HDU "0"; single-HDU files keep their image there. */
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

int ph_input_read(const char *path, const ph_input_opts *opts, ph_input *in)
{
    static const ph_input_opts none = {0};
    if (!opts)
        opts = &none;
    memset(in, 0, sizeof *in);
    int st;
    char threefile[1200];
    snprintf(threefile, sizeof threefile, "%s_image.fits", path);
    if (!ph_path_exists(path) && ph_path_exists(threefile)) {
        in->layout = PH_LAYOUT_THREEFILE;
        st = read_threefile(path, in);
    } else {
        ph_fits fp;
        if (ph_fits_open(&fp, path))
            return PH_EFAIL;
        if (ou_without_sci(&fp, opts)) {
            ph_fits_close(&fp);
            return PH_EFAIL;
        }
        int ou = ph_fits_has_hdu(&fp, "SCI") && ph_fits_has_hdu(&fp, "ERR") &&
                 ph_fits_has_hdu(&fp, "DQ");
        in->layout = ou && !opts->hdu ? PH_LAYOUT_OU2024 : PH_LAYOUT_GENERIC;
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
        st = hdu ? ph_fits_goto(&fp, hdu) : ph_fits_goto_first_image(&fp);
        if (!st)
            st = ph_fits_read_double(&fp, &in->nx, &in->ny, &in->sci);
        if (!st)
            st = ph_fits_read_header(&fp, &in->hdr);
        if (!st)
            st = read_aux(&fp, noise, flags, in);
        ph_fits_close(&fp);
    }
    if (st) {
        ph_input_free(in);
        return PH_EFAIL;
    }
    size_t n = (size_t)in->nx * in->ny;
    for (size_t i = 0; i < n; i++)
        in->nfinite += isfinite(in->sci[i]) != 0;
    if (!in->nfinite) {
        ph_input_free(in);
        return ph_error(PH_EFAIL, path, "the image has no finite pixel (all NaN or Inf)");
    }
    ph_meta_from_header(in->hdr, path, &in->meta);
    return PH_OK;
}

void ph_input_free(ph_input *in)
{
    free(in->sci);
    free(in->noise);
    free(in->flags);
    ph_header_free(in->hdr);
    memset(in, 0, sizeof *in);
}

/* ---- low-memory reading ------------------------------------------------- */

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
static int read_flag_bits(ph_fits *fp, const char *what, ph_input_lite *in)
{
    long nx, ny;
    if (ph_fits_image_size(fp, &nx, &ny))
        return PH_EFAIL;
    if (nx != in->nx || ny != in->ny)
        return ph_error(PH_EFAIL, fp->path, "%s plane is %ldx%ld but the image is %ldx%ld", what,
                        nx, ny, in->nx, in->ny);
    in->flagged = ph_plane_alloc((size_t)nx * ny, 1, "flags");
    uint32_t *row = ph_malloc((size_t)nx * sizeof *row, "flags row");
    if (!in->flagged || !row) {
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
            return ph_error(PH_EFAIL, fp->path,
                            "HDU %s: cannot read the flags (truncated or corrupt file? "
                            "cfitsio: %s)",
                            what, text);
        }
        uint8_t *f = in->flagged + (size_t)y * nx;
        for (long x = 0; x < nx; x++)
            f[x] = row[x] != 0;
    }
    free(row);
    return PH_OK;
}

static int read_lite_aux(ph_fits *fp, const char *noise, const char *flags, ph_input_lite *in)
{
    long nx, ny;
    if (noise) {
        if (ph_fits_goto(fp, noise))
            return PH_EFAIL;
        current_hdu_name(fp, in->noise_hdu, sizeof in->noise_hdu);
        if (read_float_plane(fp, &nx, &ny, &in->noise))
            return PH_EFAIL;
        if (nx != in->nx || ny != in->ny)
            return ph_error(PH_EFAIL, fp->path, "%s plane is %ldx%ld but the image is %ldx%ld",
                            noise, nx, ny, in->nx, in->ny);
    }
    if (flags) {
        if (ph_fits_goto(fp, flags))
            return PH_EFAIL;
        current_hdu_name(fp, in->flags_hdu, sizeof in->flags_hdu);
        if (read_flag_bits(fp, flags, in))
            return PH_EFAIL;
    }
    return PH_OK;
}

int ph_input_read_lite(const char *path, const ph_input_opts *opts, int want_noise,
                       ph_input_lite *in)
{
    static const ph_input_opts none = {0};
    if (!opts)
        opts = &none;
    memset(in, 0, sizeof *in);
    int st;
    char p[1200];
    snprintf(p, sizeof p, "%s_image.fits", path);
    ph_fits fp;
    if (!ph_path_exists(path) && ph_path_exists(p)) {
        in->layout = PH_LAYOUT_THREEFILE;
        st = ph_fits_open(&fp, p);
        if (!st) {
            st = ph_fits_goto_first_image(&fp);
            if (!st)
                current_hdu_name(&fp, in->sci_hdu, sizeof in->sci_hdu);
            if (!st)
                st = read_float_plane(&fp, &in->nx, &in->ny, &in->sci);
            if (!st)
                st = ph_fits_read_header(&fp, &in->hdr);
            ph_fits_close(&fp);
        }
        const char *suffix[2] = {"_noise.fits", "_flags.fits"};
        for (int k = 0; k < 2 && !st; k++) {
            snprintf(p, sizeof p, "%s%s", path, suffix[k]);
            if (!ph_path_exists(p))
                continue;
            if (k == 0 && !want_noise) { /* present, not read */
                ph_strlcpy(in->noise_hdu, "0", sizeof in->noise_hdu);
                continue;
            }
            if (ph_fits_open(&fp, p)) {
                st = PH_EFAIL;
                break;
            }
            st = ph_fits_goto_first_image(&fp);
            if (!st) {
                char num[16];
                int hdunum = 0;
                ffghdn(fp.f, &hdunum);
                snprintf(num, sizeof num, "%d", hdunum - 1);
                st = read_lite_aux(&fp, k ? NULL : num, k ? num : NULL, in);
            }
            ph_fits_close(&fp);
        }
    } else {
        if (ph_fits_open(&fp, path))
            return PH_EFAIL;
        if (ou_without_sci(&fp, opts)) {
            ph_fits_close(&fp);
            ph_input_lite_free(in);
            return PH_EFAIL;
        }
        int ou = ph_fits_has_hdu(&fp, "SCI") && ph_fits_has_hdu(&fp, "ERR") &&
                 ph_fits_has_hdu(&fp, "DQ");
        in->layout = ou && !opts->hdu ? PH_LAYOUT_OU2024 : PH_LAYOUT_GENERIC;
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
        if (want_noise == PH_NOISE_UNLESS_OU)
            want_noise = in->layout != PH_LAYOUT_OU2024;
        if (noise && !want_noise) {
            /* Not read, but it must exist when it was asked for by name. */
            if (opts->noise_hdu && (st = ph_fits_goto(&fp, noise))) {
                ph_fits_close(&fp);
                ph_input_lite_free(in);
                return PH_EFAIL;
            }
            ph_strlcpy(in->noise_hdu, noise, sizeof in->noise_hdu);
            noise = NULL;
        }
        st = hdu ? ph_fits_goto(&fp, hdu) : ph_fits_goto_first_image(&fp);
        if (!st)
            current_hdu_name(&fp, in->sci_hdu, sizeof in->sci_hdu);
        if (!st)
            st = read_float_plane(&fp, &in->nx, &in->ny, &in->sci);
        if (!st)
            st = ph_fits_read_header(&fp, &in->hdr);
        if (!st)
            st = read_lite_aux(&fp, noise, flags, in);
        ph_fits_close(&fp);
    }
    if (st) {
        ph_input_lite_free(in);
        return PH_EFAIL;
    }
    size_t n = (size_t)in->nx * in->ny;
    for (size_t i = 0; i < n; i++)
        in->nfinite += isfinite(in->sci[i]) != 0;
    if (!in->nfinite) {
        ph_input_lite_free(in);
        return ph_error(PH_EFAIL, path, "the image has no finite pixel (all NaN or Inf)");
    }
    ph_meta_from_header(in->hdr, path, &in->meta);
    return PH_OK;
}

void ph_input_lite_free(ph_input_lite *in)
{
    ph_plane_free(in->sci);
    ph_plane_free(in->noise);
    ph_plane_free(in->flagged);
    ph_header_free(in->hdr);
    memset(in, 0, sizeof *in);
}
