/* stamps.c -- see stamps.h. */
#include "stamps.h"

#include "io/fits.h"
#include "io/image.h"
#include "base/log.h"
#include "base/timing.h"
#include "base/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int phot_read_plane(const char *path, const char *hdu, long *nx, long *ny, float **plane,
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

int phot_write_stamp(const char *dir, const char *what, const char *sname, const char *tname,
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
    long xa = phot_stamp_start(x0, size), ya = phot_stamp_start(y0, size);
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

int phot_write_stamps(phot_run *r)
{
    const phot_opts *o = r->o;
    const phot_input *in = &r->in;
    const char *S = in->sci.name[0] ? in->sci.name : "science";
    const char *T = in->tpl.name[0] ? in->tpl.name : "template";
    ph_timing_begin("stamps");
    int st = ph_mkdir_p(o->stamps);
    struct { const char *what; const float *plane; } s[] = {
        {"decorr_diff", in->diff}, {"diff_var", in->var}, {"decorr_zptimg", in->zpimg}};
    for (size_t i = 0; i < sizeof s / sizeof *s && !st; i++)
        st = phot_write_stamp(o->stamps, s[i].what, S, T, s[i].plane, in->nx, in->ny, in->hdr,
                              r->x0, r->y0, o->stamp_size);
    if (!st && o->aligned) {
        ph_image al;
        st = ph_image_read(o->aligned, PH_PLANE_SCI, &al);
        if (!st && (al.nx != in->nx || al.ny != in->ny))
            st = ph_error(PH_EFAIL, o->aligned,
                          "the aligned template is %ldx%ld, the difference %ldx%ld", al.nx,
                          al.ny, in->nx, in->ny);
        if (!st)
            st = phot_write_stamp(o->stamps, "aligned", S, T, al.sci, al.nx, al.ny, al.hdr, r->x0,
                                  r->y0, o->stamp_size);
        ph_image_free(&al);
    }
    if (!st && o->diff) { /* phrosty's stamp_diff_: the difference before decorrelation */
        long nx = 0, ny = 0;
        float *plane = NULL;
        ph_header *h = NULL;
        st = phot_read_plane(o->diff, "DIFF", &nx, &ny, &plane, &h);
        if (!st && (nx != in->nx || ny != in->ny))
            st = ph_error(PH_EFAIL, o->diff, "the difference is %ldx%ld, DECORR_DIFF %ldx%ld", nx,
                          ny, in->nx, in->ny);
        if (!st)
            st = phot_write_stamp(o->stamps, "diff", S, T, plane, nx, ny, h, r->x0, r->y0,
                                  o->stamp_size);
        free(plane);
        ph_header_free(h);
    }
    /* the original images, each through its own WCS at the transient's sky
     * position (phrosty's stamp_<S>, stamp_<T>: raw SCI, sky included) */
    const char *orig[2] = {o->sci_image, o->tpl_image}, *names[2] = {S, T};
    double ra = o->ra, dec = o->dec;
    if (!st && (orig[0] || orig[1]) && isnan(ra)) {
        if (!r->wcs)
            st = ph_wcs_from_header(in->hdr, r->path, &r->wcs);
        if (!st)
            st = ph_wcs_pix2sky(r->wcs, 1, &r->x0, &r->y0, &ra, &dec);
    }
    for (int k = 0; k < 2 && !st; k++) {
        if (!orig[k])
            continue;
        ph_input_lite im;
        ph_wcs *w = NULL;
        double x, y;
        st = ph_image_input_read_lite(orig[k], NULL, PH_NOISE_NO, &im);
        if (!st)
            st = ph_wcs_from_header(im.hdr, orig[k], &w);
        if (!st)
            st = ph_wcs_sky2pix(w, 1, &ra, &dec, &x, &y);
        if (!st && !(isfinite(x) && isfinite(y)))
            st = ph_error(PH_EFAIL, orig[k], "the transient has no pixel position in its WCS");
        if (!st)
            st = phot_write_stamp(o->stamps, NULL, names[k], NULL, im.sci, im.nx, im.ny, im.hdr, x,
                                  y, o->stamp_size);
        ph_wcs_free(w);
        ph_image_input_lite_free(&im);
    }
    ph_timing_end();
    return st;
}
