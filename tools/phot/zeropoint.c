/* zeropoint.c -- see zeropoint.h. */
#include "zeropoint.h"

#include "io/atomicfile.h"
#include "base/bands.h"
#include "catalog.h"
#include "io/csv.h"
#include "base/log.h"
#include "io/image.h"
#include "phot.h"
#include "base/timing.h"
#include "base/util.h"
#include "io/wcs.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int write_star_table(const char *path, const phot_catalog *c, const double *x,
                            const double *y, const ph_fit_result *res, const unsigned char *used)
{
    ph_atomic a;
    if (ph_atomic_open(&a, path))
        return PH_EFAIL;
    fprintf(a.f, "ra,dec,mag,x,y,flux,flux_err,sky,npix,status,used,zpt\n");
    ph_csv_out w;
    ph_csv_begin(&w, a.f);
    for (long i = 0; i < c->n; i++) {
        ph_csv_double(&w, c->ra[i]);
        ph_csv_double(&w, c->dec[i]);
        ph_csv_double(&w, c->mag[i]);
        ph_csv_double(&w, x[i]);
        ph_csv_double(&w, y[i]);
        ph_csv_double(&w, res[i].flux);
        ph_csv_double(&w, res[i].flux_err);
        ph_csv_double(&w, res[i].sky);
        ph_csv_long(&w, res[i].npix);
        ph_csv_str(&w, res[i].status == PH_FIT_OK ? "ok" : ph_psffit_status_text(res[i].status));
        ph_csv_bool(&w, used[i]);
        ph_csv_double(&w, used[i] ? c->mag[i] + 2.5 * log10(res[i].flux) : NAN);
        ph_csv_end_row(&w);
    }
    return ph_atomic_commit(&a);
}

int phot_zp_measure(const phot_zp_opts *o, const phot_zp_image *im, phot_zp_result *r)
{
    *r = (phot_zp_result){.zpt = NAN, .scatter = NAN};
    double zptmag = im->exptime > 0 ? 2.5 * log10(im->exptime * PH_ROMAN_AREA_CM2) : NAN;
    phot_catalog c;
    ph_wcs *wcs = NULL;
    ph_timing_begin("catalog");
    int st = phot_catalog_read(o->catalog, o->catfmt, zptmag, &c);
    if (st) {
        ph_timing_end();
        return st;
    }
    st = ph_wcs_from_header(im->hdr, im->path, &wcs);
    double *x = ph_malloc((size_t)(c.n + 1) * sizeof *x, "star positions");
    double *y = ph_malloc((size_t)(c.n + 1) * sizeof *y, "star positions");
    ph_fit_result *res = ph_malloc((size_t)(c.n + 1) * sizeof *res, "star fits");
    unsigned char *used = ph_calloc((size_t)c.n + 1, 1, "star fits");
    if (!st && !(x && y && res && used))
        st = PH_EFAIL;
    if (!st && c.n)
        st = ph_wcs_sky2pix(wcs, (size_t)c.n, c.ra, c.dec, x, y);
    /* a phased stamp's centre is off the centre pixel by (dx, dy) */
    for (long i = 0; !st && i < c.n; i++)
        x[i] -= im->dx, y[i] -= im->dy;
    ph_timing_end();
    if (!st) {
        ph_fit_plane p = {im->data, im->var, im->mask, PH_MASK_BAD | PH_MASK_OUTSIDE, im->nx,
                          im->ny};
        ph_fit_opts fo = o->fit;
        fo.full_box = 1;
        /* A PSF moved to each star's phase by interpolation is biased for
         * undersampled PSFs (Y106: 0.12-0.15 mag on the bench); an
         * aperture of a few FWHM over the PSF's own is not. */
        if (o->aperture > 0) {
            ph_timing_begin("star apertures");
            st = phot_star_apertures(&p, im->psf, im->npsf, im->dx, im->dy, o->aperture, &fo, c.n,
                                     x, y, res);
        } else {
            ph_timing_begin("star fits");
            st = o->fit_stars ? o->fit_stars(o, im->spline, &p, &fo, c.n, x, y, res)
                              : ph_psffit_batch(&p, im->spline, &fo, c.n, x, y, res);
        }
        ph_timing_end();
    }
    for (long i = 0; !st && i < c.n; i++)
        if (res[i].status == PH_FIT_OK) {
            res[i].flux /= im->apcorr;
            res[i].flux_err /= im->apcorr;
        }
    if (!st) {
        phot_zeropoint(c.n, c.mag, res, o->mag_lo, o->mag_hi, &r->zpt, &r->scatter, &r->nused,
                       used);
        r->ncatalog = c.n;
        ph_info("%s: zero point %.5f from %ld of %ld catalogue stars (scatter %.4f mag)",
                im->path, r->zpt, r->nused, c.n, r->scatter);
        if (o->star_table)
            st = write_star_table(o->star_table, &c, x, y, res, used);
    }
    ph_wcs_free(wcs);
    free(x);
    free(y);
    free(res);
    free(used);
    phot_catalog_free(&c);
    return st;
}

void phot_zp_method(double aperture, char *out, size_t size)
{
    if (aperture > 0)
        snprintf(out, size, "aperture:%g", aperture);
    else
        snprintf(out, size, "psf");
}

/* ---- the zero-point file ---- */

static const char *const zp_cols[] = {
    "science_name", "observation_id", "sca", "band", "mjd", "zpt", "zpt_source",
    "zpt_nstars", "zpt_scatter", "zpt_header", "ncatalog", "method", "catalog"};
enum { ZP_NCOLS = sizeof zp_cols / sizeof *zp_cols };

int phot_zp_file_write(const char *path, const phot_zp_file *z)
{
    ph_atomic a;
    if (ph_atomic_open(&a, path))
        return PH_EFAIL;
    for (int i = 0; i < ZP_NCOLS; i++)
        fprintf(a.f, "%s%s", zp_cols[i], i + 1 < ZP_NCOLS ? "," : "\n");
    ph_csv_out w;
    ph_csv_begin(&w, a.f);
    ph_csv_str(&w, z->science_name);
    ph_csv_str(&w, z->observation_id);
    if (z->sca >= 0)
        ph_csv_long(&w, z->sca);
    else
        ph_csv_double(&w, NAN);
    ph_csv_str(&w, z->band);
    ph_csv_double(&w, z->mjd);
    ph_csv_double(&w, z->zpt);
    ph_csv_str(&w, z->zpt_source);
    ph_csv_double(&w, z->zpt_nstars);
    ph_csv_double(&w, z->zpt_scatter);
    ph_csv_double(&w, z->zpt_header);
    ph_csv_double(&w, z->ncatalog);
    ph_csv_str(&w, z->method);
    ph_csv_str(&w, z->catalog);
    ph_csv_end_row(&w);
    return ph_atomic_commit(&a);
}

/* A number cell: empty or "nan" is NaN. */
static int cell_double(const char *path, const char *col, const char *s, double *out)
{
    if (!s[0]) {
        *out = NAN;
        return PH_OK;
    }
    if (ph_parse_double(s, out))
        return ph_error(PH_EFAIL, path, "column %s: '%s' is not a number", col, s);
    return PH_OK;
}

int phot_zp_file_read(const char *path, phot_zp_file *z)
{
    memset(z, 0, sizeof *z);
    ph_table t;
    if (ph_csv_table_read(path, &t))
        return PH_EFAIL;
    int col[ZP_NCOLS], st = PH_OK;
    for (int i = 0; i < ZP_NCOLS && !st; i++)
        if ((col[i] = ph_csv_table_col(&t, zp_cols[i])) < 0)
            st = ph_error(PH_EFAIL, path, "no column %s: not a zero-point file of ph-phot",
                          zp_cols[i]);
    if (!st && t.nrows != 1)
        st = ph_error(PH_EFAIL, path, "%d rows; a zero-point file has one", t.nrows);
    double sca = NAN;
    if (!st) {
        ph_strlcpy(z->science_name, ph_csv_table_cell(&t, 0, col[0]), sizeof z->science_name);
        ph_strlcpy(z->observation_id, ph_csv_table_cell(&t, 0, col[1]), sizeof z->observation_id);
        ph_strlcpy(z->band, ph_csv_table_cell(&t, 0, col[3]), sizeof z->band);
        ph_strlcpy(z->zpt_source, ph_csv_table_cell(&t, 0, col[6]), sizeof z->zpt_source);
        ph_strlcpy(z->method, ph_csv_table_cell(&t, 0, col[11]), sizeof z->method);
        ph_strlcpy(z->catalog, ph_csv_table_cell(&t, 0, col[12]), sizeof z->catalog);
        double *num[] = {&sca,           &z->mjd,     &z->zpt, &z->zpt_nstars, &z->zpt_scatter,
                         &z->zpt_header, &z->ncatalog};
        int idx[] = {2, 4, 5, 7, 8, 9, 10};
        for (int i = 0; i < 7 && !st; i++)
            st = cell_double(path, zp_cols[idx[i]], ph_csv_table_cell(&t, 0, col[idx[i]]), num[i]);
    }
    ph_csv_table_free(&t);
    if (st)
        return st;
    z->sca = isfinite(sca) ? (long)sca : -1;
    if (!isfinite(z->zpt))
        return ph_error(PH_EFAIL, path, "the zero point is not a number");
    if (strcmp(z->zpt_source, "catalog") && strcmp(z->zpt_source, "header"))
        return ph_error(PH_EFAIL, path, "zpt_source '%s' is neither catalog nor header",
                        z->zpt_source);
    return PH_OK;
}
