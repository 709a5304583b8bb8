/* inimage.c -- see inimage.h. */
#include "inimage.h"
#include "fits.h"
#include "log.h"
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
