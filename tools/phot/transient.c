/* transient.c -- see transient.h. */
#include "transient.h"

#include "io/atomicfile.h"
#include "base/log.h"
#include "io/image.h"
#include "stamps.h"
#include "base/timing.h"
#include "base/util.h"
#include "zpsource.h"

#include <math.h>
#include <string.h>

/* The transient's fit is said to be poor beyond this reduced chi^2 (plus
 * the 3% model-error allowance): over a 5x5 box, pure noise exceeds 4 with
 * a probability of 1e-10. */
#define PHOT_FIT_CHI2_MAX 4.0

static void fill_identity(phot_run *r)
{
    const ph_meta *s = &r->in.sci, *t = &r->in.tpl;
    ph_lc_row *w = &r->row;
    w->mjd = s->mjd;
    w->zpt = s->zpt;
    w->sky_rms = s->skyrms;
    ph_strlcpy(w->observation_id, s->obsid, sizeof w->observation_id);
    w->sca = s->sca;
    ph_strlcpy(w->science_name, s->name, sizeof w->science_name);
    ph_strlcpy(w->template_name, t->name, sizeof w->template_name);
    ph_strlcpy(w->science_id, s->id, sizeof w->science_id);
    ph_strlcpy(w->template_id, t->id, sizeof w->template_id);
    ph_strlcpy(w->template_observation_id, t->obsid, sizeof w->template_observation_id);
    w->template_sca = t->sca;
    w->nea = r->spline.nea;
    /* how clean the difference is: ph-decorr's static-star residuals */
    double v;
    if (!ph_header_get_double(r->in.hdr, "RESNSTAR", &v)) {
        w->res_nstars = v;
        if (ph_header_get_double(r->in.hdr, "RESZMED", &w->res_zmed))
            w->res_zmed = NAN;
        if (ph_header_get_double(r->in.hdr, "RESZP90", &w->res_zp90))
            w->res_zp90 = NAN;
    }
}

static int locate(phot_run *r)
{
    const phot_opts *o = r->o;
    if (isnan(o->ra)) {
        r->x0 = o->x0, r->y0 = o->y0;
        return PH_OK;
    }
    if (ph_wcs_from_header(r->in.hdr, r->path, &r->wcs))
        return PH_EFAIL;
    return ph_wcs_sky2pix_one(r->wcs, o->ra, o->dec, &r->x0, &r->y0);
}

/* Nothing silently wrong: a fit box the model does not describe (a static
 * star under the transient left by the subtraction, a cosmic ray) gives a
 * flux that looks fine and is not. The fit at (fx, fy) on plane p with box
 * fo is judged by its reduced chi^2: a warning beyond PHOT_FIT_CHI2_MAX. */
static void check_fit(const phot_run *r, const ph_fit_plane *p, const ph_fit_opts *fo, double fx,
                      double fy)
{
    double allow, chi2 = phot_fit_chi2(p, &r->spline, fo, fx, fy,
                                       r->meas.fit.flux * r->model.apcorr, r->meas.fit.sky, &allow);
    if (isfinite(chi2) && chi2 > PHOT_FIT_CHI2_MAX + allow)
        ph_warn("%s: the PSF fit at the transient leaves reduced chi^2 %.1f over its %dx%d box "
                "(about 1 for a point source on the noise): a source or a subtraction residual "
                "under it biases the flux; look at the difference there",
                r->path, chi2, fo->box, fo->box);
    else if (isfinite(chi2))
        ph_info("PSF fit: reduced chi^2 %.2f", chi2);
}

static int measure(phot_run *r)
{
    const phot_opts *o = r->o;
    ph_fit_plane p = {r->in.diff, r->in.var, r->in.mask, PH_MASK_BAD | PH_MASK_OUTSIDE,
                      r->in.nx, r->in.ny};
    ph_fit_opts fo = o->fit;
    fo.full_box = 0;
    ph_timing_begin("transient");
    /* A phased DECORR_PSF already holds the transient's sub-pixel offset:
     * the spline puts its centre pixel on the transient's pixel, unshifted. */
    double fx = r->x0 - r->model.dx, fy = r->y0 - r->model.dy;
    int st = phot_measure_at(&p, &r->spline, &fo, r->x0, r->y0, fx, fy, r->model.apcorr,
                             o->aperture, (int)o->subpixels, o->stamp_size, &r->meas);
    ph_timing_end();
    if (st)
        return st;
    r->row.pix_x0 = r->x0, r->row.pix_y0 = r->y0;
    if (r->meas.fit.status != PH_FIT_OK)
        return ph_error(PH_EFAIL, r->path, "transient at pixel (%.3f, %.3f) of %ldx%ld: %s", r->x0,
                        r->y0, r->in.nx, r->in.ny, ph_psffit_status_text(r->meas.fit.status));
    r->row.flux = r->meas.fit.flux;
    r->row.flux_err = r->meas.fit.flux_err;
    r->row.aperture_sum = r->meas.aperture_sum;
    r->row.mag = r->meas.mag;
    r->row.mag_err = r->meas.mag_err;
    ph_info("transient at (%.3f, %.3f): flux %.6g +- %.6g, local sky %.4g, aperture %.6g",
            r->x0, r->y0, r->row.flux, r->row.flux_err, r->meas.fit.sky, r->row.aperture_sum);
    check_fit(r, &p, &fo, fx, fy);
    return PH_OK;
}

static int run(phot_run *r)
{
    const phot_opts *o = r->o;
    ph_timing_begin("read");
    int st = phot_input_read(r->path, o->catalog || o->stamps, &r->in);
    ph_timing_end();
    if (st)
        return st;
    if (ph_psffit_spline_init(&r->spline, r->in.psf.data, r->in.psf.n))
        return ph_error_context(r->path, "DECORR_PSF: ");
    fill_identity(r);
    phot_psf_model_read(r->in.psf.hdr, &r->model);
    if (o->no_apcorr)
        r->model.apcorr = 1.0;
    /* the device only matters for the star fits; --device gpu without a
     * GPU is an error all the same */
    if (((o->catalog && o->zpt_aperture == 0) || o->device == PH_DEVICE_GPU) &&
        o->resolve_device(o->device, &r->use_gpu))
        return PH_EFAIL;
    if (!isfinite(r->row.mjd)) /* a row without its epoch is no light-curve point */
        return ph_error(PH_EFAIL, r->path, "DECORR_DIFF has no MJD-OBS: the row would have no "
                        "epoch");
    if ((st = locate(r)))
        return st;
    if (!(r->x0 >= -0.5 && r->x0 < r->in.nx - 0.5 && r->y0 >= -0.5 && r->y0 < r->in.ny - 0.5))
        return ph_error(PH_EFAIL, r->path, "transient at pixel (%.3f, %.3f) of %ldx%ld: position "
                        "off the image", r->x0, r->y0, r->in.nx, r->in.ny);
    if (r->model.phased && (fabs(r->model.psfx - r->x0) > 0.02 || fabs(r->model.psfy - r->y0) > 0.02))
        return ph_error(PH_EFAIL, r->path, "DECORR_PSF was drawn for pixel (%.3f, %.3f) but the "
                        "transient is at (%.3f, %.3f); make the science PSF (ph-psf) at the "
                        "transient's position", r->model.psfx, r->model.psfy, r->x0, r->y0);
    double phx = r->x0 - floor(r->x0 + 0.5), phy = r->y0 - floor(r->y0 + 0.5);
    if (!r->model.phased && hypot(phx, phy) > 0.05)
        ph_info("%s: DECORR_PSF is centred: shifted by interpolation to the transient's phase "
                "(%.2f, %.2f), biased for an undersampled PSF (ph-decorr makes it at the phase "
                "from ph-psf's PHASED_PSF)", r->path, phx, phy);
    if (r->model.phased || r->model.apcorr != 1.0)
        ph_info("DECORR_PSF: %s, aperture correction %.5f",
                r->model.phased ? "drawn at the transient's phase" : "centred, shifted by spline",
                r->model.apcorr);
    if ((st = measure(r)))
        return st;
    if ((st = phot_pair_zeropoint(r)))
        return st;
    if (o->stamps)
        st = phot_write_stamps(r);
    return st;
}

/* The row, success or not: written atomically. */
static int write_row(const char *path, const ph_lc_row *row)
{
    ph_atomic a;
    if (ph_atomic_open(&a, path))
        return PH_EFAIL;
    ph_lc_write_header(a.f);
    ph_lc_write_row(a.f, row);
    return ph_atomic_commit(&a);
}

int phot_transient(const phot_opts *o, const char *path)
{
    phot_run r = {.o = o, .path = path};
    ph_lc_row_init(&r.row);
    r.row.pix_x0 = r.row.pix_y0 = NAN;
    int st = run(&r);
    if (st) {
        /* a failure row: identity kept, measurements NaN (the zero
         * point's failure keeps the flux, as phrosty) */
        ph_lc_row *w = &r.row;
        if (r.meas.fit.status != PH_FIT_OK || !isfinite(w->flux)) {
            w->flux = w->flux_err = w->aperture_sum = w->mag = w->mag_err = NAN;
            w->zpt = w->nea = w->sky_rms = w->zpt_nstars = w->zpt_scatter = NAN;
            w->zpt_source[0] = 0;
        }
        w->success = 0;
    } else {
        r.row.success = 1;
    }
    ph_timing_begin("write");
    int wst;
    if (st) {
        /* keep the first error for the report */
        char msg[2048], file[1024];
        int code = ph_error_code();
        ph_strlcpy(msg, ph_error_message(), sizeof msg);
        ph_strlcpy(file, ph_error_file() ? ph_error_file() : "", sizeof file);
        ph_error_clear();
        wst = write_row(o->output, &r.row);
        if (wst)
            ph_report_error();
        ph_error_clear();
        ph_error(code ? code : PH_EFAIL, file[0] ? file : NULL, "%s", msg);
    } else {
        wst = write_row(o->output, &r.row);
        st = wst;
    }
    ph_timing_end();
    ph_wcs_free(r.wcs);
    ph_psffit_spline_free(&r.spline);
    phot_input_free(&r.in);
    return st;
}
