/* phrosty.c -- the PSF model from phrosty's config, used when neither
 * --model nor ph.psf.model is given: photometry.phrosty.psf.type (phrosty's
 * class names: ou24PSF and STPSF become roman, the image PSFs file models
 * or the A25 library, gaussian a Gaussian) and its .params (jitter,
 * pattern, sigmax, sigmay). Kept apart from main.c because it is a
 * translation table of another program's vocabulary, and grows with it.
 */
#include "steps.h"

#include "base/log.h"
#include "base/util.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* A number at `key`, if there is one, within lo ... hi. */
static int cfg_double(const ph_config *cfg, const char *key, double lo, double hi, double *out)
{
    const char *s;
    if (ph_config_get_value(cfg, key, &s))
        return PH_EUSAGE;
    if (!s)
        return PH_OK;
    double v;
    if (ph_parse_double(s, &v) || !(v >= lo && v <= hi))
        return ph_error(PH_EUSAGE, ph_config_path(cfg), "%s: '%s' is not a number in %g ... %g",
                        key, s, lo, hi);
    *out = v;
    return PH_OK;
}

int psf_model_from_phrosty(params *p, const ph_config *cfg)
{
    static const char *tk = "photometry.phrosty.psf.type";
    const char *type, *pat;
    if (ph_config_get_value(cfg, tk, &type) ||
        ph_config_get_value(cfg, "photometry.phrosty.psf.params.pattern", &pat))
        return PH_EUSAGE;
    char buf[1100], src[1200];
    snprintf(src, sizeof src, "%s: %s", ph_config_path(cfg) ? ph_config_path(cfg) : "config", tk);
    if (!type && ph_config_is_null(cfg, tk))
        return ph_error(PH_EUSAGE, ph_config_path(cfg),
                        "%s is null, which phrosty does not allow (it needs a PSF type); give "
                        "one or remove the key", tk);
    /* Neither --model, ph.psf.model nor a phrosty PSF type: the image's own
     * stars where they can support a PSF. The analytic model cannot know an
     * image's jitter or optics; measured on OpenUniverse2024 look-alikes it
     * put fluxes 2% to 11% high, and on ph-sim's fields 1% to 4% low. */
    if (!type) {
        p->model = M_AUTO;
        ph_strlcpy(p->model_text, "auto", sizeof p->model_text);
        return PH_OK;
    }
    static const char *roman[] = {"ou24PSF", "ou24PSF_slow", "ou24PSF_photonshoot",
                                  "ou24PSF_slow_photonshoot", "STPSF", "roman", NULL};
    static const char *image[] = {"A25ePSF", "OversampledImagePSF",
                                  "YamlSerialized_OversampledImagePSF",
                                  "Sampling_OversampledImagePSF", "photutilsImagePSF", NULL};
    for (int i = 0; roman[i]; i++)
        if (!strcmp(type, roman[i])) {
            int st = cfg_double(cfg, "photometry.phrosty.psf.params.jitter", 0, 1, &p->rpsf.jitter);
            return st ? st : psf_model_set(p, "roman", src);
        }
    /* Image PSFs: FITS model files when params.pattern names them (ours);
     * A25ePSF otherwise reads phrosty's library. Never another model in
     * their place: a config that cannot be honoured is an error. */
    for (int i = 0; image[i]; i++)
        if (!strcmp(type, image[i])) {
            if (pat) {
                snprintf(buf, sizeof buf, "file:%s", pat);
                return psf_model_set(p, buf, src);
            }
            if (i == 0) {
                static const char *lk = "system.paths.snappl.A25ePSF_path";
                const char *dir = ph_config_get(cfg, lk);
                if (!dir || !*dir)
                    return ph_error(PH_EUSAGE, ph_config_path(cfg),
                                    "%s A25ePSF needs %s (the A25 ePSF library), or "
                                    "photometry.phrosty.psf.params.pattern, or --model",
                                    tk, lk);
                if (strlen(dir) >= sizeof p->pattern)
                    return ph_error(PH_EUSAGE, ph_config_path(cfg), "%s is too long", lk);
                snprintf(buf, sizeof buf, "a25:%s", dir);
                return psf_model_set(p, buf, src);
            }
            return ph_error(PH_EUSAGE, ph_config_path(cfg),
                            "%s %s needs photometry.phrosty.psf.params.pattern (FITS model "
                            "files, see man ph-psf), or --model",
                            tk, type);
        }
    if (!strcmp(type, "gaussian")) {
        double sx = 1, sy = NAN;
        int st = cfg_double(cfg, "photometry.phrosty.psf.params.sigmax", 0.2, 50, &sx);
        if (!st)
            st = cfg_double(cfg, "photometry.phrosty.psf.params.sigmay", 0.2, 50, &sy);
        if (!st && isfinite(sy) && fabs(sy - sx) > 1e-12 * sx)
            st = ph_error(PH_EUSAGE, ph_config_path(cfg),
                          "photometry.phrosty.psf.params: sigmax %g and sigmay %g differ; only "
                          "circular Gaussians are supported",
                          sx, sy);
        if (st)
            return st;
        snprintf(buf, sizeof buf, "gaussian:%.17g", sx);
        return psf_model_set(p, buf, src);
    }
    if (!strcmp(type, "epsf") || !strcmp(type, "auto") || !strcmp(type, "romanfit") || !strncmp(type, "file:", 5) || !strncmp(type, "gaussian:", 9) ||
        !strncmp(type, "a25:", 4))
        return psf_model_set(p, type, src);
    return ph_error(PH_EUSAGE, ph_config_path(cfg),
                    "%s: unknown PSF type '%s' (ou24PSF, STPSF, gaussian, A25ePSF, "
                    "OversampledImagePSF, or ours: roman, romanfit, epsf, auto, file:PATTERN)",
                    tk, type);
}
