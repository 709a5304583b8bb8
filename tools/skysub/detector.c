/* detector.c -- see detector.h. */
#include "detector.h"

#include "base/bands.h"
#include "base/log.h"
#include "base/planealloc.h"

#include <math.h>

/* Gain and read noise for the variance: option, header, the Roman
 * simulation's values for OpenUniverse2024. */
static void noise_params(double opt_gain, double opt_rn, const ph_input_lite *in, double *gain,
                         double *rn)
{
    double g = NAN, r = NAN;
    ph_header_get_double(in->hdr, "GAIN", &g);
    ph_header_get_double(in->hdr, "RDNOISE", &r);
    if (in->layout == PH_LAYOUT_OU2024) {
        if (!(g > 0))
            g = PH_ROMAN_GAIN;
        if (!(r >= 0))
            r = PH_ROMAN_READNOISE;
    }
    *gain = !isnan(opt_gain) ? opt_gain : g > 0 ? g : NAN;
    *rn = !isnan(opt_rn) ? opt_rn : r >= 0 ? r : NAN;
}

int skysub_noise_model(const char *input, const char *noise_hdu, double opt_gain, double opt_rn,
                       ph_input_lite *in, var_kind *vk, double *gain, double *rn)
{
    if (*vk == VAR_AUTO)
        *vk = in->layout == PH_LAYOUT_OU2024 ? VAR_PHYSICAL : in->noise ? VAR_NOISE : VAR_MODEL;
    if (*vk != VAR_NOISE && in->noise) {
        ph_plane_free(in->noise);
        in->noise = NULL;
    }
    noise_params(opt_gain, opt_rn, in, gain, rn);
    if (*vk == VAR_NOISE && !in->noise)
        return ph_error(PH_EUSAGE, input,
                        "the variance from the noise plane needs one: there is no %s HDU (give "
                        "--noise-hdu, or another --variance)",
                        noise_hdu ? noise_hdu : "ERR");
    if (*vk == VAR_PHYSICAL && (isnan(*gain) || isnan(*rn)))
        return ph_error(PH_EUSAGE, input,
                        "the physical variance needs the gain and read noise: the header has no "
                        "%s; give --gain and --read-noise",
                        isnan(*gain) ? "GAIN" : "RDNOISE");
    if (*vk == VAR_MODEL && isnan(*gain))
        ph_info("%s: no GAIN: VAR is the sky rms squared, without the sources' Poisson term",
                input);
    return PH_OK;
}

double skysub_saturation(const char *input, double opt, const ph_input_lite *in, double rn)
{
    double s = opt;
    if (isnan(s))
        s = in->meta.saturate; /* header SATURATE, or NaN */
    if (isnan(s) && in->layout == PH_LAYOUT_OU2024 && !isnan(rn)) {
        /* Unflagged clipping: a pixel within 5 read-noise rms of the clip is
         * a clipped one (an unclipped pixel gets there with odds ~3e-7). */
        s = PH_OU2024_CLIP - 5 * rn;
        ph_info("%s: OpenUniverse2024 clips at %.0f e- without a flag: pixels >= %.1f are "
                "saturated", input, PH_OU2024_CLIP, s);
    }
    else if (isinf(s))
        s = NAN;
    return s;
}
