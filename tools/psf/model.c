/* model.c -- the PSF model: its name parsed (--model, ph.psf.model, or a
 * phrosty type translated by phrosty.c), the choice --model auto makes
 * (the ePSF of the image's stars where they support one, else the band's
 * analytic model fitted to them, else that model as it is with a warning
 * that says why), and the two stamps drawn
 * from the model chosen (draw.c has each model's drawing).
 */
#include "steps.h"

#include "base/log.h"
#include "base/util.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Model names, as --model spells them. */
int psf_model_set(params *p, const char *arg, const char *source)
{
    ph_romanpsf_opts t;
    if (!strcmp(arg, "roman"))
        p->model = M_ROMAN;
    else if (!strcmp(arg, "auto"))
        p->model = M_AUTO;
    else if (!strcmp(arg, "romanfit"))
        p->model = M_ROMANFIT;
    else if (!strcmp(arg, "epsf"))
        p->model = M_EPSF;
    else if (!strncmp(arg, "file:", 5) && arg[5]) {
        p->model = M_FILE;
        ph_strlcpy(p->pattern, arg + 5, sizeof p->pattern);
    } else if (!strncmp(arg, "a25:", 4) && arg[4]) {
        p->model = M_A25;
        ph_strlcpy(p->pattern, arg + 4, sizeof p->pattern);
    } else if (!strncmp(arg, "gaussian:", 9) && !ph_romanpsf_parse_model(arg, &t)) {
        p->model = M_GAUSS;
        p->sigma = t.sigma_px;
    } else
        return ph_error(PH_EUSAGE, NULL,
                        "%s: unknown PSF model '%s' (roman, gaussian:SIGMA with SIGMA 0.2 ... 50, "
                        "file:PATTERN, a25:DIR, epsf, romanfit, auto)",
                        source, arg);
    ph_strlcpy(p->model_text, arg, sizeof p->model_text);
    return PH_OK;
}

/* --model auto: the ePSF where the image's stars support one, else the
 * band's analytic model fitted to them (romanfit), else that model as it
 * is, with a warning that says why. */
static int auto_model(params *p, const image *im, const char *band, double x0, double y0,
                      stamp *sv, epsf_model *em, const char *path, int small)
{
    char why[600];
    if (small)
        snprintf(why, sizeof why, "a %ldx%ld image is too small for an empirical PSF", im->nx,
                 im->ny);
    else {
        int st = psf_epsf_stamps(p, im, band, x0, y0, sv, em, path);
        if (!st) {
            p->model = M_EPSF;
            ph_strlcpy(p->model_text, "epsf", sizeof p->model_text);
            return PH_OK;
        }
        ph_strlcpy(why, ph_error_message(), sizeof why);
        ph_error_clear();
        epsf_free(em);
        memset(em, 0, sizeof *em);
        if (band[0]) {
            if (!psf_roman_fit(p, im, band, path)) {
                ph_notice("%s: too few stars for an empirical PSF; the roman model fitted to %d "
                          "of them: wavefront error %.0f nm, jitter %.4f\" (median reduced chi^2 "
                          "%.2f)",
                          path, p->rf.nstars, p->rf.wfe_nm, p->rf.jitter_arcsec, p->rf.chi2);
                return PH_OK;
            }
            char w2[300];
            ph_strlcpy(w2, ph_error_message(), sizeof w2);
            ph_error_clear();
            size_t l = strlen(why);
            snprintf(why + l, sizeof why - l, "; %s", w2);
        }
    }
    if (!band[0])
        return ph_error(PH_EFAIL, path, "the image has no FILTER; give --band (auto: %s)", why);
    p->model = M_ROMAN;
    ph_strlcpy(p->model_text, "roman", sizeof p->model_text);
    ph_warn("%s: %s; the band's analytic PSF (roman) is used, which knows neither this image's "
            "jitter nor its optics, so fluxes may be off by a few per cent (give --model "
            "file:PATTERN or a25:DIR with the image's own PSF)",
            path, why);
    return PH_OK;
}

int psf_model_draw(params *p, const image *im, const target *t, int small, stamp sv[2],
                   drawn *d)
{
    const char *path = t->path, *band = t->band;
    double x0 = t->x0, y0 = t->y0;
    long n = p->size;
    int st = PH_OK;
    d->auto_chosen = p->model == M_AUTO;
    d->fwhm = NAN;
    d->oversamp = 1;
    d->mc = (model_ctx){.p = p, .x0 = x0, .y0 = y0};
    if (p->model == M_AUTO)
        st = auto_model(p, im, band, x0, y0, sv, &d->em, path, small);
    else if (p->model == M_EPSF)
        st = psf_epsf_stamps(p, im, band, x0, y0, sv, &d->em, path);
    else if (p->model == M_ROMANFIT)
        st = psf_roman_fit(p, im, band, path);
    if (!st && (p->model == M_ROMAN || p->model == M_GAUSS) && !band[0])
        st = ph_error(PH_EFAIL, path, "the image has no FILTER; give --band");
    if (!st && p->model == M_EPSF) {
        d->oversamp = d->em.oversamp;
        d->fwhm = epsf_fwhm(&d->em, x0, y0);
        d->mc.em = &d->em;
        d->ov_o = d->em.oversamp >= 2 ? d->em.oversamp : 0;
    } else if (!st && (p->model == M_ROMAN || p->model == M_GAUSS)) {
        st = psf_roman_stamps(p, band, path, sv, 2, &d->fwhm, &d->mc.roman);
        d->ov_o = 8; /* analytic: exact at any phase; 8x resolves R062's band limit */
    } else if (!st && (p->model == M_FILE || p->model == M_A25)) {
        if (p->model == M_FILE) {
            st = psf_pattern_expand(p->pattern, band, t->sca, t->pointing, d->file,
                                    sizeof d->file, path);
            if (!st)
                st = psf_file_load(d->file, &d->f);
        } else
            st = psf_a25_model(p->pattern, im, band, t->sca, x0, y0, path, d->file,
                               sizeof d->file, &d->f);
        if (!st && p->fourier >= 0)
            d->f.fourier = p->fourier;
        if (!st) {
            d->mc.file = &d->f;
            d->oversamp = d->f.oversamp;
            d->ov_o = d->f.oversamp >= 2 ? d->f.oversamp : 0;
            d->fwhm = psf_file_fwhm(&d->f, x0, y0);
            for (int k = 0; k < 2 && !st; k++)
                st = psf_file_stamp(&d->f, x0, y0, sv[k].dx, sv[k].dy, n, p->interp, sv[k].data,
                                    &sv[k].frac);
        }
    }
    return st;
}

void psf_drawn_free(drawn *d)
{
    epsf_free(&d->em);
    if (d->mc.roman)
        ph_romanpsf_free(d->mc.roman);
    if (d->mc.file)
        psf_file_free(&d->f);
}
