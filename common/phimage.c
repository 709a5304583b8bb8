/* phimage.c -- see phimage.h. */
#include "phimage.h"
#include "fits.h"
#include "log.h"
#include "util.h"

#include <stdlib.h>
#include <math.h>
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
    ph_meta_from_header(img->hdr, path, &img->meta);
    return PH_OK;
}

int ph_image_write_hdus(ph_fits_out *o, const ph_image *img)
{
    ph_header *h = img->hdr ? ph_header_copy(img->hdr) : ph_header_new();
    if (!h || ph_meta_to_header(&img->meta, h)) {
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
