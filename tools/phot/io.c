/* io.c -- see io.h. */
#include "io.h"
#include "phimage.h"

#include "fits.h"
#include "log.h"
#include "util.h"
#include "phot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const hdus[] = {"DECORR_DIFF", "DIFF_VAR", "MASK", "DECORR_PSF", "DECORR_SCI"};

static int read_plane(ph_fits *fp, const char *hdu, const ph_phot_input *in, float **out)
{
    long nx, ny;
    if (ph_fits_goto(fp, hdu) || ph_fits_read_float(fp, &nx, &ny, out))
        return PH_EFAIL;
    if (nx != in->nx || ny != in->ny)
        return ph_error(PH_EFAIL, in->path, "%s is %ldx%ld but DECORR_DIFF is %ldx%ld", hdu, nx,
                        ny, in->nx, in->ny);
    return PH_OK;
}

int ph_phot_input_read(const char *path, int want_zpimg, ph_phot_input *in)
{
    memset(in, 0, sizeof *in);
    in->path = path;
    ph_meta_init(&in->sci);
    ph_meta_init(&in->tpl);
    ph_fits fp;
    if (ph_fits_open(&fp, path))
        return PH_EFAIL;
    int st = PH_OK;
    for (size_t i = 0; i < sizeof hdus / sizeof *hdus && !st; i++)
        if (!ph_fits_has_hdu(&fp, hdus[i]))
            st = ph_error(PH_EFAIL, path, "no %s HDU: not a decorrelated file of ph-decorr",
                          hdus[i]);
    if (!st)
        st = ph_fits_goto(&fp, "DECORR_DIFF");
    if (!st)
        st = ph_fits_image_size(&fp, &in->nx, &in->ny);
    if (!st)
        st = ph_fits_read_header(&fp, &in->hdr);
    if (!st) {
        ph_meta_from_header(in->hdr, NULL, &in->sci);
        ph_meta_from_header_template(in->hdr, &in->tpl);
    }
    if (!st)
        st = ph_fits_read_float(&fp, &in->nx, &in->ny, &in->diff);
    if (!st)
        st = read_plane(&fp, "DIFF_VAR", in, &in->var);
    if (!st)
        st = ph_var_check(in->var, (size_t)in->nx * in->ny, path, "DIFF_VAR");
    if (!st) {
        long nx, ny;
        st = ph_fits_goto(&fp, "MASK") || ph_fits_read_u8(&fp, &nx, &ny, &in->mask);
        if (!st && (nx != in->nx || ny != in->ny))
            st = ph_error(PH_EFAIL, path, "MASK is %ldx%ld but DECORR_DIFF is %ldx%ld", nx, ny,
                          in->nx, in->ny);
    }
    if (!st && want_zpimg)
        st = read_plane(&fp, "DECORR_SCI", in, &in->zpimg);
    ph_fits_close(&fp);
    if (!st)
        st = ph_psf_read(path, "DECORR_PSF", &in->psf);
    return st;
}

void ph_phot_input_free(ph_phot_input *in)
{
    ph_header_free(in->hdr);
    free(in->diff);
    free(in->var);
    free(in->zpimg);
    free(in->mask);
    ph_psf_free(&in->psf);
    memset(in, 0, sizeof *in);
}

int ph_phot_read_plane(const char *path, const char *hdu, long *nx, long *ny, float **plane,
                       ph_header **hdr)
{
    ph_fits fp;
    *plane = NULL;
    *hdr = NULL;
    if (ph_fits_open(&fp, path))
        return PH_EFAIL;
    int st = ph_fits_has_hdu(&fp, hdu) ? ph_fits_goto(&fp, hdu) : ph_fits_goto_first_image(&fp);
    if (!st)
        st = ph_fits_read_header(&fp, hdr);
    if (!st)
        st = ph_fits_read_float(&fp, nx, ny, plane);
    ph_fits_close(&fp);
    return st;
}

int ph_phot_write_stamp(const char *dir, const char *what, const char *sname, const char *tname,
                        const float *plane, long nx, long ny, const ph_header *hdr, double x0,
                        double y0, long size)
{
    char path[4096];
    int len;
    if (what)
        len = snprintf(path, sizeof path, "%s/stamp_%s_%s-%s", dir, what, sname, tname);
    else
        len = snprintf(path, sizeof path, "%s/stamp_%s", dir, sname);
    if (len >= (int)sizeof path)
        return ph_error(PH_EFAIL, dir, "stamp file name too long");
    long xa = ph_phot_stamp_start(x0, size), ya = ph_phot_stamp_start(y0, size);
    float *s = ph_malloc((size_t)size * size * sizeof *s, "stamp");
    ph_header *h = hdr ? ph_header_copy(hdr) : ph_header_new();
    if (!s || !h) {
        free(s);
        ph_header_free(h);
        return PH_EFAIL;
    }
    for (long y = 0; y < size; y++)
        for (long x = 0; x < size; x++) {
            long X = xa + x, Y = ya + y;
            s[y * size + x] = X >= 0 && Y >= 0 && X < nx && Y < ny ? plane[Y * nx + X] : NAN;
        }
    double c;
    if (!ph_header_get_double(h, "CRPIX1", &c))
        ph_header_set_double(h, "CRPIX1", c - xa, NULL);
    if (!ph_header_get_double(h, "CRPIX2", &c))
        ph_header_set_double(h, "CRPIX2", c - ya, NULL);
    char txt[160];
    snprintf(txt, sizeof txt, "ph-phot stamp: columns %ld..%ld, rows %ld..%ld (0-based)", xa,
             xa + size - 1, ya, ya + size - 1);
    ph_header_add_text(h, "COMMENT", txt);
    ph_header_set_double(h, "STAMPX0", (double)xa, "first column on the full image, 0-based");
    ph_header_set_double(h, "STAMPY0", (double)ya, "first row on the full image, 0-based");
    ph_fits_out o;
    int st = ph_fits_create(&o, path, 1);
    if (!st) {
        st = ph_fits_write_float(&o, NULL, size, size, s, h);
        if (!st)
            st = ph_fits_commit(&o);
        else
            ph_fits_abort(&o);
    }
    free(s);
    ph_header_free(h);
    return st;
}
