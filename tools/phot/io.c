/* io.c -- see io.h. */
#include "io.h"
#include "io/image.h"

#include "io/fits.h"
#include "base/log.h"
#include "base/util.h"
#include "phot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const hdus[] = {"DECORR_DIFF", "DIFF_VAR", "MASK", "DECORR_PSF", "DECORR_SCI"};

static int read_plane(ph_fits *fp, const char *hdu, const phot_input *in, float **out)
{
    long nx, ny;
    if (ph_fits_goto(fp, hdu) || ph_fits_read_float(fp, &nx, &ny, out))
        return PH_EFAIL;
    if (nx != in->nx || ny != in->ny)
        return ph_error(PH_EFAIL, in->path, "%s is %ldx%ld but DECORR_DIFF is %ldx%ld", hdu, nx,
                        ny, in->nx, in->ny);
    return PH_OK;
}

int phot_input_read(const char *path, int want_zpimg, phot_input *in)
{
    memset(in, 0, sizeof *in);
    in->path = path;
    ph_header_meta_init(&in->sci);
    ph_header_meta_init(&in->tpl);
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
        ph_header_meta_from(in->hdr, NULL, &in->sci);
        ph_header_meta_from_template(in->hdr, &in->tpl);
    }
    if (!st)
        st = ph_fits_read_float(&fp, &in->nx, &in->ny, &in->diff);
    if (!st)
        st = read_plane(&fp, "DIFF_VAR", in, &in->var);
    if (!st)
        st = ph_image_var_check(in->var, (size_t)in->nx * in->ny, path, "DIFF_VAR");
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
        st = ph_psfstamp_read(path, "DECORR_PSF", &in->psf);
    return st;
}

void phot_input_free(phot_input *in)
{
    ph_header_free(in->hdr);
    free(in->diff);
    free(in->var);
    free(in->zpimg);
    free(in->mask);
    ph_psfstamp_free(&in->psf);
    memset(in, 0, sizeof *in);
}
