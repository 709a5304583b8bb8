/* checkimg.c -- see checkimg.h. */
#include "checkimg.h"
#include "io/atomicfile.h"
#include "io/csv.h"
#include "io/fits.h"
#include "base/log.h"
#include "base/planealloc.h"
#include "base/util.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int write_map(const char *path, ph_bkg *sky, int which, const ph_header *hdr)
{
    long nx, ny;
    ph_bkg_size(sky, &nx, &ny);
    float *map = ph_plane_alloc((size_t)nx * ny, sizeof *map, "check image");
    if (!map)
        return PH_EFAIL;
    for (long y = 0; y < ny; y++)
        ph_bkg_row(sky, which, y, map + (size_t)y * nx);
    ph_fits_out o;
    int st = ph_fits_create(&o, path, 1);
    if (!st)
        st = ph_fits_write_float(&o, NULL, nx, ny, map, hdr);
    ph_plane_free(map);
    if (st) {
        ph_fits_abort(&o);
        return st;
    }
    return ph_fits_commit(&o);
}

static int write_catalog(const char *path, const ph_detection *det, double radius_cut)
{
    ph_atomic a;
    if (ph_atomic_open(&a, path))
        return PH_EFAIL;
    FILE *f = a.f;
    ph_csv_out o;
    ph_csv_begin(&o, f);
    const char *cols[] = {"number",   "x_image",   "y_image",     "a_image",     "b_image",
                          "theta_image", "npix",   "flux_iso",    "flux_auto",   "kron_radius",
                          "flux_radius", "flags",  "in_detmask"};
    for (size_t i = 0; i < sizeof cols / sizeof *cols; i++)
        ph_csv_str(&o, cols[i]);
    ph_csv_end_row(&o);
    for (long k = 0; k < det->nobj; k++) {
        const ph_object *b = &det->obj[k];
        ph_csv_long(&o, k + 1);
        ph_csv_double(&o, b->x + 1);
        ph_csv_double(&o, b->y + 1);
        ph_csv_double(&o, b->a);
        ph_csv_double(&o, b->b);
        ph_csv_double(&o, b->theta);
        ph_csv_long(&o, b->npix);
        ph_csv_double(&o, b->flux_iso);
        ph_csv_double(&o, b->flux_auto);
        ph_csv_double(&o, b->kron_radius);
        ph_csv_double(&o, b->flux_radius);
        ph_csv_long(&o, b->flags);
        ph_csv_bool(&o, isnan(radius_cut) || b->flux_radius > radius_cut);
        ph_csv_end_row(&o);
    }
    return ph_atomic_commit(&a);
}

int checkimg_write(const char *dir, const char *stem, ph_bkg *sky, const int32_t *seg,
                   const ph_detection *det, double radius_cut, const ph_header *wcs)
{
    if (ph_mkdir_p(dir))
        return PH_EFAIL;
    char path[1400];
    snprintf(path, sizeof path, "%s/%s_sky.fits", dir, stem);
    if (write_map(path, sky, PH_BKG_BACK, wcs))
        return PH_EFAIL;
    snprintf(path, sizeof path, "%s/%s_skyrms.fits", dir, stem);
    if (write_map(path, sky, PH_BKG_RMS, wcs))
        return PH_EFAIL;
    snprintf(path, sizeof path, "%s/%s_seg.fits", dir, stem);
    long snx, sny;
    ph_bkg_size(sky, &snx, &sny);
    ph_fits_out o;
    int st = ph_fits_create(&o, path, 1);
    if (!st)
        st = ph_fits_write_i32(&o, NULL, snx, sny, seg, wcs);
    if (st) {
        ph_fits_abort(&o);
        return st;
    }
    if (ph_fits_commit(&o))
        return PH_EFAIL;
    snprintf(path, sizeof path, "%s/%s_cat.csv", dir, stem);
    return write_catalog(path, det, radius_cut);
}
