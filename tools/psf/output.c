/* output.c -- ph-psf's file (psfstamp.h): the two stamps normalised, each
 * with its header (position, band, model, phase, the ePSF's fit), the
 * oversampled EPSF beside them, written atomically.
 */
#include "steps.h"

#include "base/log.h"
#include "io/psfstamp.h"
#include "base/util.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* What both stamps' headers share. */
typedef struct stamp_info {
    const char *path, *band, *src;
    const image *im;
    double x0, y0, ra, dec, fwhm;
    int oversamp;
    const epsf_model *em;
    int chosen; /* --model auto chose the model */
    const romanfit_result *rf; /* romanfit: the fit */
} stamp_info;

/* Normalise `s` and make its header: the position, the model, its phase. */
static int stamp_finish(const params *p, const stamp_info *si, stamp *s, int phased,
                        ph_psf *out)
{
    const char *where = si->src ? si->src : si->path;
    *out = (ph_psf){.n = p->size, .data = s->data, .hdr = ph_header_new()};
    if (!out->hdr)
        return PH_EFAIL;
    double sum = ph_psfstamp_normalise(s->data, p->size);
    if (!(sum > 0) || ph_psfstamp_check(s->data, p->size, p->size, where))
        return ph_error(PH_EFAIL, where, "the %s PSF has no positive flux in a %ld-pixel stamp",
                        p->model_text, p->size);
    ph_header *h = out->hdr;
    int k = ph_header_set_double(h, "PSFX", si->x0, "0-based x on the image");
    k |= ph_header_set_double(h, "PSFY", si->y0, "0-based y on the image");
    if (isfinite(si->ra) && isfinite(si->dec)) {
        k |= ph_header_set_double(h, "PSFRA", si->ra, "[deg] position");
        k |= ph_header_set_double(h, "PSFDEC", si->dec, "[deg] position");
    }
    k |= ph_header_set_str(h, "FILTER", si->band, "band");
    /* A long file pattern does not fit a card: its file name part. */
    char mt[80];
    if (strlen(p->model_text) <= 60 || (p->model != M_FILE && p->model != M_A25))
        ph_strlcpy(mt, p->model_text, sizeof mt);
    else
        snprintf(mt, sizeof mt, "%s:%.60s", p->model == M_FILE ? "file" : "a25",
                 ph_path_basename(p->pattern));
    k |= ph_header_set_str(h, "PSFMODEL", mt, "model");
    if (si->chosen)
        k |= ph_header_set_bool(h, "PSFAUTO", 1, "model chosen by --model auto");
    if (si->rf) {
        k |= ph_header_set_double(h, "PSFWFE", si->rf->wfe_nm, "[nm] fitted wavefront error rms");
        k |= ph_header_set_double(h, "PSFJITTR", si->rf->jitter_arcsec, "[arcsec] fitted jitter");
        k |= ph_header_set_long(h, "PSFFITN", si->rf->nstars, "stars the roman model was fitted to");
        k |= ph_header_set_double(h, "PSFFITC2", si->rf->chi2, "their median reduced chi^2");
    }
    k |= ph_header_set_long(h, "OVERSAMP", si->oversamp, "oversampling of the model");
    k |= ph_header_set_double(h, "PSFFRAC", s->frac, "model flux fraction inside the stamp");
    k |= ph_header_set_bool(h, "PSFNORM", 1, "stamp normalised to sum 1");
    if (isfinite(si->fwhm))
        k |= ph_header_set_double(h, "PSFFWHM", si->fwhm, "[px] FWHM of the oversampled ePSF");
    k |= ph_header_set_double(h, "PSFDX", s->dx, "[px] PSF centre - centre pixel centre, x");
    k |= ph_header_set_double(h, "PSFDY", s->dy, "[px] PSF centre - centre pixel centre, y");
    k |= ph_header_set_bool(h, "PSFPHASE", phased, "T: at the sub-pixel phase of PSFX, PSFY");
    k |= ph_header_set_str(h, "PSFIMAGE", ph_path_basename(si->path), "image");
    if (si->src)
        k |= ph_header_set_str(h, "PSFSRC", ph_path_basename(si->src), "model file");
    if (si->im->meta.obsid[0])
        k |= ph_header_set_str(h, "OBSID", si->im->meta.obsid, "observation id");
    if (si->im->meta.sca >= 0)
        k |= ph_header_set_long(h, "SCA_NUM", si->im->meta.sca, "detector");
    if (si->em) {
        const epsf_model *em = si->em;
        k |= ph_header_set_long(h, "EPSFNSTR", em->nstars, "stars in the ePSF");
        k |= ph_header_set_long(h, "EPSFORD", em->order, "ePSF spatial order");
        k |= ph_header_set_long(h, "EPSFRAD", em->radius, "[px] ePSF model half-width");
        k |= ph_header_set_double(h, "EPSFCHI2", em->chi2, "median reduced chi^2 of stars");
    }
    return k ? ph_error(PH_EFAIL, p->output, "cannot format the header") : PH_OK;
}

int psf_write_stamps(const params *p, const target *t, const image *im, const drawn *d,
                     stamp *primary, stamp *phased, ph_ovpsf *ov)
{
    stamp_info si = {t->path, t->band, d->file[0] ? d->file : NULL, im, t->x0, t->y0, t->ra,
                     t->dec, d->fwhm, d->oversamp, p->model == M_EPSF ? &d->em : NULL,
                     d->auto_chosen, p->fitted ? &p->rf : NULL};
    ph_psf a = {0}, b = {0};
    int st = stamp_finish(p, &si, primary, p->at_position, &a);
    a.ov = ov;
    if (!st)
        st = stamp_finish(p, &si, phased, 1, &b);
    if (!st)
        st = ph_psfstamp_write_phased(p->output, &a, &b);
    ph_header_free(a.hdr);
    ph_header_free(b.hdr);
    return st;
}
