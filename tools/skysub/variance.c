/* variance.c -- see variance.h. */
#include "variance.h"
#include "log.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>

const char *variance_name(var_kind k, double gain)
{
    switch (k) {
    case VAR_PHYSICAL:
        return "physical";
    case VAR_NOISE:
        return "noise^2";
    default:
        return gain > 0 ? "rms^2+poisson" : "rms^2";
    }
}

int variance_make(var_kind k, const float *img, const float *noise, ph_bkg *sky, long nx,
                  long ny, double gain, double read_noise, float *var)
{
    float *rms = NULL, *back = NULL;
    if (k == VAR_MODEL) {
        rms = ph_malloc((size_t)nx * sizeof *rms, "variance row");
        back = ph_malloc((size_t)nx * sizeof *back, "variance row");
        if (!rms || !back) {
            free(rms);
            free(back);
            return PH_EFAIL;
        }
    }
    const double rn2 = read_noise * read_noise / (gain * gain);
    for (long y = 0; y < ny; y++) {
        const float *s = img + (size_t)y * nx;
        float *v = var + (size_t)y * nx;
        if (k == VAR_MODEL && rms && back) {
            ph_bkg_row(sky, PH_BKG_RMS, y, rms);
            ph_bkg_row(sky, PH_BKG_BACK, y, back);
        }
        for (long x = 0; x < nx; x++) {
            if (!isfinite(s[x])) {
                v[x] = 0.0f;
                continue;
            }
            switch (k) {
            case VAR_PHYSICAL:
                v[x] = (float)((s[x] > 0 ? s[x] : 0) / gain + rn2);
                break;
            case VAR_NOISE: {
                float e = noise[(size_t)y * nx + x];
                v[x] = isfinite(e) ? e * e : 0.0f;
                break;
            }
            default: {
                double r = rms ? rms[x] : 0, src = back ? s[x] - back[x] : 0;
                v[x] = (float)(r * r + (gain > 0 && src > 0 ? src / gain : 0));
            }
            }
        }
    }
    free(rms);
    free(back);
    return PH_OK;
}
