/* cosmic.c -- see cosmic.h. */
#include "cosmic.h"
#include "base/bands.h"

#include <math.h>
#include <stdlib.h>

#define CR_RATE 900.0            /* tracks per 4088^2 SCA ... */
#define CR_RATE_EXPTIME 302.275  /* ... per this many seconds */
#define CR_LEN_MIN 0.5           /* px */
#define CR_LEN_MEAN 2.8          /* px, exponential beyond the minimum */
#define CR_LEN_MAX 11.5          /* px */
#define CR_LEVEL_MIN 150.0       /* e- per pixel */
#define CR_LEVEL_MAX 2600.0
#define CR_PIXEL_RMS 0.16        /* relative, pixel to pixel along a track */

long sim_cosmic_default(long nx, long ny, double exptime_s)
{
    double area = (double)nx * ny / ((double)PH_ROMAN_NPIX * PH_ROMAN_NPIX);
    return (long)llround(CR_RATE * area * exptime_s / CR_RATE_EXPTIME);
}

long sim_cosmic_rays(long nx, long ny, long n, uint64_t seed, int flag, double *sci,
                     uint32_t *dq)
{
    ph_rng r;
    ph_rng_seed2(&r, seed, 0x636f736d6963ULL);
    long hits = 0;
    for (long k = 0; k < n; k++) {
        long x0 = (long)(ph_rng_u64(&r) % (uint64_t)nx), y0 = (long)(ph_rng_u64(&r) % (uint64_t)ny);
        double th = 2 * M_PI * ph_rng_uniform(&r);
        double len = CR_LEN_MIN - CR_LEN_MEAN * log(1.0 - ph_rng_uniform(&r));
        if (len > CR_LEN_MAX)
            len = CR_LEN_MAX;
        double level = CR_LEVEL_MIN + (CR_LEVEL_MAX - CR_LEVEL_MIN) * ph_rng_uniform(&r);
        long dx = lround(len * cos(th)), dy = lround(len * sin(th));
        long steps = labs(dx) > labs(dy) ? labs(dx) : labs(dy);
        /* The digital line: one pixel per step along the longer axis. */
        for (long s = 0; s <= steps; s++) {
            long x = x0 + (steps ? lround((double)s * dx / steps) : 0);
            long y = y0 + (steps ? lround((double)s * dy / steps) : 0);
            double v = level * (1.0 + CR_PIXEL_RMS * ph_rng_gauss(&r));
            if (x < 0 || x >= nx || y < 0 || y >= ny)
                continue;
            sci[y * nx + x] += v > 0 ? v : 0.0;
            if (flag)
                dq[y * nx + x] |= 4;
            hits++;
        }
    }
    return hits;
}
