/* read.c -- see read.h. */
#include "read.h"

#include "io/fits.h"
#include "import.h"
#include "base/log.h"
#include "base/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int import_read_plane(const char *path, long nx, long ny, double **data)
{
    long mx, my;
    *data = NULL;
    if (!path)
        return PH_OK;
    if (ph_fits_load_double(path, NULL, &mx, &my, data, NULL))
        return PH_EFAIL;
    if (mx != nx || my != ny) {
        free(*data);
        *data = NULL;
        return ph_error(PH_EFAIL, path, "is %ldx%ld but the image is %ldx%ld", mx, my, nx, ny);
    }
    return PH_OK;
}

int import_read_psf(const char *path, long size, const char *band, ph_psf *p)
{
    long nx, ny;
    memset(p, 0, sizeof *p);
    if (ph_fits_load_double(path, NULL, &nx, &ny, &p->data, NULL))
        return PH_EFAIL;
    if (ph_psfstamp_check(p->data, nx, ny, path)) {
        ph_psfstamp_free(p);
        return PH_EFAIL;
    }
    p->n = nx;
    if (size) {
        if (size > nx) {
            ph_psfstamp_free(p);
            return ph_error(PH_EFAIL, path, "--psf-size %ld is larger than the PSF (%ld)", size,
                            nx);
        }
        double *c = ph_malloc((size_t)size * size * sizeof *c, "PSF");
        if (!c) {
            ph_psfstamp_free(p);
            return PH_EFAIL;
        }
        import_crop(p->data, nx, size, c);
        free(p->data);
        p->data = c;
        p->n = size;
    }
    double sum = ph_psfstamp_normalise(p->data, p->n);
    if (!(sum > 0)) {
        ph_psfstamp_free(p);
        return ph_error(PH_EFAIL, path, "the cropped PSF does not have a positive sum");
    }
    char model[300];
    snprintf(model, sizeof model, "file:%s", ph_path_basename(path));
    p->hdr = ph_header_new();
    int st = !p->hdr;
    st = st || ph_header_set_str(p->hdr, "PSFMODEL", model, "model the stamp was made from");
    st = st || ph_header_set_double(p->hdr, "PSFFRAC", sum, "sum of the stamp before normalising");
    st = st || ph_header_set_bool(p->hdr, "PSFNORM", 1, "the stamp sums to 1");
    st = st || ph_header_set_long(p->hdr, "OVERSAMP", 1, "native pixels");
    if (!st && band[0])
        st = ph_header_set_str(p->hdr, "FILTER", band, "band");
    if (st) {
        ph_psfstamp_free(p);
        return ph_error(PH_EFAIL, path, "cannot build the PSF header");
    }
    return PH_OK;
}
