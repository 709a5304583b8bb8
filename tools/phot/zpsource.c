/* zpsource.c -- see zpsource.h. */
#include "zpsource.h"

#include "base/log.h"
#include "io/image.h"
#include "io/psfstamp.h"
#include "base/timing.h"
#include "base/util.h"

#include <math.h>
#include <string.h>

/* The zero-point options as phot_zp_measure takes them. */
static phot_zp_opts zp_opts(const phot_opts *o, int use_gpu)
{
    return (phot_zp_opts){o->catalog, o->catfmt, o->mag_lo, o->mag_hi, o->min_stars,
                        o->zpt_aperture, o->fit, o->star_table, o->fit_stars, use_gpu, o->device,
                        o->gpu_lock, o->gpu_slots};
}

/* Too few catalogue stars: the header zero point, with a warning (a
 * measured flux never fails for its zero point). */
static int header_fallback(const char *what, const phot_opts *o, long nused, double hdr_zpt,
                           double *zpt, char *source, size_t size)
{
    *zpt = NAN;
    if (!isfinite(hdr_zpt))
        return ph_error(PH_EFAIL, o->catalog, "only %ld catalogue star%s with %g < mag < %g "
                        "measured on %s (--min-stars %ld), and no header zero point",
                        nused, nused == 1 ? "" : "s", o->mag_lo, o->mag_hi, what, o->min_stars);
    ph_warn("%s: only %ld catalogue star%s with %g < mag < %g measured on %s (--min-stars %ld): "
            "using the header zero point %.4f (zpt_source header)", o->catalog, nused,
            nused == 1 ? "" : "s", o->mag_lo, o->mag_hi, what, o->min_stars, hdr_zpt);
    *zpt = hdr_zpt;
    ph_strlcpy(source, "header", size);
    return PH_OK;
}

/* The zero-point file belongs to this pair's science image. */
static int zpt_file_matches(const phot_run *r, const phot_zp_file *z)
{
    const ph_meta *s = &r->in.sci;
    int differ = (z->observation_id[0] && s->obsid[0] && strcmp(z->observation_id, s->obsid)) ||
                 (z->sca >= 0 && s->sca >= 0 && z->sca != s->sca) ||
                 (z->science_name[0] && s->name[0] && strcmp(z->science_name, s->name));
    if (differ)
        return ph_error(PH_EFAIL, r->o->zpt_file, "the zero point of science image %s "
                        "(observation %s, SCA %ld), but %s's science image is %s (observation %s, "
                        "SCA %ld)", z->science_name, z->observation_id, z->sca, r->path, s->name,
                        s->obsid, s->sca);
    return PH_OK;
}

int phot_pair_zeropoint(phot_run *r)
{
    const phot_opts *o = r->o;
    double hdr_zpt = r->row.zpt;
    if (o->zpt_file) {
        phot_zp_file z;
        int st = phot_zp_file_read(o->zpt_file, &z);
        if (!st)
            st = zpt_file_matches(r, &z);
        if (st)
            return st;
        r->row.zpt = z.zpt;
        ph_strlcpy(r->row.zpt_source, z.zpt_source, sizeof r->row.zpt_source);
        r->row.zpt_nstars = z.zpt_nstars;
        r->row.zpt_scatter = z.zpt_scatter;
        return PH_OK;
    }
    if (!o->catalog) {
        ph_strlcpy(r->row.zpt_source, "header", sizeof r->row.zpt_source);
        r->row.zpt_nstars = 0;
        if (!isfinite(r->row.zpt))
            return ph_error(PH_EFAIL, r->path,
                            "no zero point: the header has no ZPT and no band/EXPTIME to make "
                            "one (give --catalog or --zpt)");
        return PH_OK;
    }
    /* per pair, on DECORR_SCI: only where the template overlaps */
    ph_strlcpy(r->row.zpt_source, "catalog", sizeof r->row.zpt_source);
    phot_zp_opts zo = zp_opts(o, r->use_gpu);
    phot_zp_image im = {r->path, r->in.zpimg, r->in.var, r->in.mask, r->in.nx, r->in.ny, r->in.hdr,
                      r->in.sci.exptime, r->in.psf.data, r->in.psf.n, &r->spline, r->model.dx,
                      r->model.dy, r->model.apcorr};
    phot_zp_result zr;
    int st = phot_zp_measure(&zo, &im, &zr);
    if (st)
        return st;
    r->row.zpt = zr.zpt;
    r->row.zpt_scatter = zr.scatter;
    r->row.zpt_nstars = (double)zr.nused;
    if (zr.nused < o->min_stars) {
        r->row.zpt_scatter = NAN;
        return header_fallback("DECORR_SCI", o, zr.nused, hdr_zpt, &r->row.zpt,
                               r->row.zpt_source, sizeof r->row.zpt_source);
    }
    return PH_OK;
}

/* The zero point of a sky-subtracted science image over its whole field,
 * on the flux scale of its decorrelated differences (zeropoint.h). */
int phot_zp_mode(const phot_opts *o, const char *path)
{
    ph_image im = {0};
    ph_psf psf = {0};
    ph_psf_spline spline = {0};
    ph_timing_begin("read");
    int st = ph_image_read(path, PH_PLANE_ALL, &im);
    if (!st && o->psf)
        st = ph_psfstamp_read(o->psf, NULL, &psf);
    else if (!st && im.psf) {
        psf.n = im.psf_size;
        psf.data = im.psf;
        im.psf = NULL;
    } else if (!st)
        st = ph_error(PH_EUSAGE, path, "no PSF HDU: give the image's PSF stamp with --science-psf");
    ph_timing_end();
    phot_psf_model model = {0};
    if (!st) {
        phot_psf_model_read(psf.hdr, &model);
        if (ph_psffit_spline_init(&spline, psf.data, psf.n))
            st = ph_error_context(o->psf ? o->psf : path, "PSF: ");
    }
    int use_gpu = 0;
    if (!st && (o->zpt_aperture == 0 || o->device == PH_DEVICE_GPU))
        st = o->resolve_device(o->device, &use_gpu);
    phot_zp_result zr;
    if (!st) {
        phot_zp_opts zo = zp_opts(o, use_gpu);
        phot_zp_image zi = {path, im.sci, im.var, im.mask, im.nx, im.ny, im.hdr, im.meta.exptime,
                          psf.data, psf.n, &spline, model.dx, model.dy, model.apcorr};
        st = phot_zp_measure(&zo, &zi, &zr);
    }
    phot_zp_file z = {.sca = im.meta.sca, .mjd = im.meta.mjd, .zpt_header = im.meta.zpt};
    if (!st) {
        ph_strlcpy(z.science_name, im.meta.name, sizeof z.science_name);
        ph_strlcpy(z.observation_id, im.meta.obsid, sizeof z.observation_id);
        ph_strlcpy(z.band, im.meta.band, sizeof z.band);
        ph_strlcpy(z.catalog, ph_path_basename(o->catalog), sizeof z.catalog);
        phot_zp_method(o->zpt_aperture, z.method, sizeof z.method);
        z.zpt = zr.zpt;
        z.zpt_nstars = (double)zr.nused;
        z.zpt_scatter = zr.scatter;
        z.ncatalog = (double)zr.ncatalog;
        ph_strlcpy(z.zpt_source, "catalog", sizeof z.zpt_source);
        if (zr.nused < o->min_stars) {
            z.zpt_scatter = NAN;
            st = header_fallback(path, o, zr.nused, im.meta.zpt, &z.zpt, z.zpt_source,
                                 sizeof z.zpt_source);
        }
    }
    if (!st) {
        ph_timing_begin("write");
        st = phot_zp_file_write(o->output, &z);
        ph_timing_end();
        ph_info("%s: zero point %.5f (%s, %g stars, scatter %.4f mag) -> %s", path, z.zpt,
                z.zpt_source, z.zpt_nstars, z.zpt_scatter, o->output);
    }
    ph_psffit_spline_free(&spline);
    ph_psfstamp_free(&psf);
    ph_image_free(&im);
    return st;
}
