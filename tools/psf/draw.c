/* draw.c -- each model's stamps at the position: the analytic Roman PSF
 * and the Gaussian (romanpsf.h), the ePSF of the image's own stars
 * (epsf.c), the A25 library's file for the position (a25.c); and one
 * stamp of the model drawn at any phase, for the oversampled ePSF. The
 * choice among them is model.c's.
 */
#include "steps.h"

#include "base/bands.h"
#include "base/log.h"
#include "base/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* The band's defaults of the analytic model, or an error naming the image. */
static int band_defaults(const char *band, const char *image, ph_romanpsf_opts *o)
{
    if (!ph_romanpsf_defaults(o, band))
        return PH_OK;
    ph_error_clear();
    return ph_error(PH_EFAIL, image, "unknown band '%s' (%s); give --band", band,
                    ph_band_names());
}

/* The band's analytic model (or the Gaussian), with the Roman-PSF
 * options; its stamps at their phases. The model is kept in *keep for the
 * oversampled ePSF. */
int psf_roman_stamps(const params *p, const char *band, const char *image, stamp *out, int nout,
                     double *fwhm, ph_romanpsf **keep)
{
    ph_romanpsf_opts o;
    if (band_defaults(band, image, &o))
        return PH_EFAIL;
    if (p->model == M_GAUSS) {
        o.model = PH_RPSF_GAUSSIAN;
        o.sigma_px = p->sigma;
    }
    ph_romanpsf_cli_apply(&p->rpsf, &o);
    ph_romanpsf *r = ph_romanpsf_new(&o);
    if (!r)
        return PH_EFAIL;
    *fwhm = ph_romanpsf_fwhm_epsf(&o);
    int st = PH_OK;
    for (int k = 0; k < nout && !st; k++) {
        st = ph_romanpsf_stamp(r, out[k].dx, out[k].dy, p->size, out[k].data);
        double s = 0;
        for (long i = 0; !st && i < p->size * p->size; i++)
            s += out[k].data[i];
        out[k].frac = s;
    }
    if (st)
        ph_romanpsf_free(r);
    else
        *keep = r;
    return st;
}

int psf_model_stamp(void *ctx, double dx, double dy, long n, double *out)
{
    const model_ctx *m = ctx;
    double frac;
    if (m->roman)
        return ph_romanpsf_stamp(m->roman, dx, dy, n, out);
    if (m->file)
        return psf_file_stamp(m->file, m->x0, m->y0, dx, dy, n, m->p->interp, out, &frac);
    epsf_stamp(m->em, m->x0, m->y0, dx, dy, n, out, &frac);
    return PH_OK;
}

/* --model romanfit: the band's roman model with its wavefront error and
 * jitter fitted to the image's stars (romanfit.c); on success the model
 * becomes roman with those two set, and p->rf holds the fit. */
int psf_roman_fit(params *p, const image *im, const char *band, const char *path)
{
    ph_romanpsf_opts base;
    if (!band[0])
        return ph_error(PH_EFAIL, path, "the image has no FILTER; give --band");
    if (band_defaults(band, path, &base))
        return PH_EFAIL;
    /* the Roman-PSF options, but the two fitted start from the band's */
    double wfe0 = base.wfe_nm, jit0 = base.jitter_arcsec;
    ph_romanpsf_cli_apply(&p->rpsf, &base);
    base.wfe_nm = wfe0, base.jitter_arcsec = jit0;
    epsf_params ep = p->ep;
    ep.radius = 8;
    ep.fwhm_ref = ph_romanpsf_fwhm_epsf(&base);
    if (!isfinite(ep.saturate))
        ep.saturate = im->meta.saturate;
    if (isfinite(im->meta.gain) && im->meta.gain > 0)
        ep.gain = im->meta.gain;
    int st = romanfit_run(im->sci, im->bad, im->nx, im->ny, im->rms, &ep, &base, &p->rf, path);
    if (st)
        return st;
    p->fitted = 1;
    p->model = M_ROMAN;
    p->rpsf.wfe = p->rf.wfe_nm;
    p->rpsf.jitter = p->rf.jitter_arcsec;
    ph_strlcpy(p->model_text, "romanfit", sizeof p->model_text);
    return PH_OK;
}

/* The A25 library's model for (x0, y0). The library's grid is over a
 * whole 4088-pixel SCA: a cut-out's position there is x0 - LTV1, y0 -
 * LTV2 (IRAF's physical coordinates, which cut-outs carry). */
int psf_a25_model(const char *dir, const image *im, const char *band, long sca, double x0,
                  double y0, const char *path, char *file, size_t size, psf_file *f)
{
    double ltv1 = 0, ltv2 = 0;
    int h1 = ph_header_get_double(im->hdr, "LTV1", &ltv1) == 0;
    int h2 = ph_header_get_double(im->hdr, "LTV2", &ltv2) == 0;
    if (!h1)
        ltv1 = 0;
    if (!h2)
        ltv2 = 0;
    if (!h1 && !h2 && (im->nx != 4088 || im->ny != 4088))
        ph_warn("%s: a %ldx%ld image without LTV1/LTV2: its pixel positions are taken as the "
                "SCA's for the A25 ePSF grid",
                path, im->nx, im->ny);
    a25_psf a;
    int st = a25_path(dir, band, sca, x0 - ltv1, y0 - ltv2, file, size, path);
    if (!st)
        st = a25_read(file, &a);
    if (!st) {
        st = a25_to_model(&a, file, f);
        a25_free(&a);
    }
    return st;
}

/* The ePSF of the image's stars and its two stamps. Its flux is what the
 * stars show inside the model's box; the wings beyond it are below any
 * star's noise, so the fraction of the flux inside the box (PSFFRAC, the
 * photometry's aperture correction) is the band's optical model's. */
int psf_epsf_stamps(const params *p, const image *im, const char *band, double x0, double y0,
                    stamp *sv, epsf_model *em, const char *path)
{
    long n = p->size;
    epsf_params ep = p->ep;
    if (ep.radius <= 0)
        ep.radius = (int)(n / 2 < 50 ? n / 2 : 50);
    if (!isfinite(ep.saturate))
        ep.saturate = im->meta.saturate;
    if (isfinite(im->meta.gain) && im->meta.gain > 0)
        ep.gain = im->meta.gain;
    const ph_band *bd = band[0] ? ph_band_find(band) : NULL;
    if (bd && ep.kmax == 0)
        ep.kmax = PH_ROMAN_DIAMETER_M / (bd->lambda_min_um * 1e-6) *
                  (PH_ROMAN_PIXSCALE_ARCSEC / 206264.806);
    ph_romanpsf_opts ro;
    int have_ro = bd && !ph_romanpsf_defaults(&ro, band);
    if (have_ro)
        ep.fwhm_ref = ph_romanpsf_fwhm_epsf(&ro);
    ph_error_clear(); /* a band without optics is no error here: no reference */
    int st = epsf_build(im->sci, im->bad, im->nx, im->ny, im->rms, &ep, em, path);
    if (st)
        return st;
    double inside = 1;
    if (have_ro) {
        long b = 2L * em->radius + 1;
        ph_romanpsf *r = ph_romanpsf_new(&ro);
        double *box = r ? ph_malloc((size_t)b * b * sizeof *box, "PSF box") : NULL;
        if (!r || !box || ph_romanpsf_stamp(r, 0, 0, b, box))
            st = PH_EFAIL;
        if (!st)
            inside = 0;
        for (long i = 0; !st && i < b * b; i++)
            inside += box[i];
        free(box);
        if (r)
            ph_romanpsf_free(r);
        if (st)
            return st;
    }
    for (int k = 0; k < 2; k++) {
        epsf_stamp(em, x0, y0, sv[k].dx, sv[k].dy, n, sv[k].data, &sv[k].frac);
        sv[k].frac *= inside;
    }
    ph_info("ePSF from %d stars (%d candidates), median reduced chi^2 %.3g; flux inside its "
            "%dx%d box %.5f (the %s optical model's)",
            em->nstars, em->ncand, em->chi2, 2 * em->radius + 1, 2 * em->radius + 1, inside,
            have_ro ? band : "none: 1,");
    return PH_OK;
}
