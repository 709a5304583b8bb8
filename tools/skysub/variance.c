/* variance.c -- see variance.h. */
#include "variance.h"

#include <math.h>

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

void variance_row(var_kind k, const float *img, const float *noise, const float *sky,
                  const float *rms, long nx, double gain, double read_noise, float *var)
{
    switch (k) {
    case VAR_PHYSICAL: {
        const double rn2 = read_noise * read_noise / (gain * gain);
        for (long x = 0; x < nx; x++)
            var[x] = isfinite(img[x]) ? (float)((img[x] > 0 ? img[x] : 0) / gain + rn2) : 0.0f;
        break;
    }
    case VAR_NOISE:
        for (long x = 0; x < nx; x++)
            var[x] = isfinite(img[x]) && isfinite(noise[x]) ? noise[x] * noise[x] : 0.0f;
        break;
    default: {
        const int poisson = gain > 0;
        for (long x = 0; x < nx; x++) {
            if (!isfinite(img[x])) {
                var[x] = 0.0f;
                continue;
            }
            double r = rms[x], src = img[x] - sky[x];
            var[x] = (float)(r * r + (poisson && src > 0 ? src / gain : 0.0));
        }
    }
    }
}
