/* defects.c -- see defects.h. */
#include "defects.h"
#include "base/log.h"
#include "base/util.h"

#include <stdlib.h>
#include <string.h>

#define HOT_RATE_MIN 3.3   /* e-/s */
#define HOT_RATE_MAX 100.0

/* The detector's own random stream: (SCA, kind), not the scene's seed. */
static void seed_sca(ph_rng *r, long sca, uint64_t kind)
{
    ph_rng_seed2(r, 0x5ca0000000ULL + (uint64_t)sca, kind);
}

/* Detector position d (0 ... 4087) on an axis of n image pixels: the
 * image pixel, or -1 outside the centred cut-out. */
static long to_image(long d, long n)
{
    long x = d - (PH_ROMAN_NPIX - n) / 2;
    return x >= 0 && x < n ? x : -1;
}

/* Draw `count` detector pixels of stream `kind`; keep those in the image. */
static int draw_pixels(const sim_params *p, long sca, uint64_t kind, long count, long **idx,
                       double **rate, long *n)
{
    ph_rng r;
    seed_sca(&r, sca, kind);
    *n = 0;
    *idx = ph_malloc((size_t)(count ? count : 1) * sizeof **idx, "defect list");
    if (rate)
        *rate = ph_malloc((size_t)(count ? count : 1) * sizeof **rate, "hot pixel rates");
    if (!*idx || (rate && !*rate))
        return PH_EFAIL;
    for (long k = 0; k < count; k++) {
        long dx = (long)(ph_rng_u64(&r) % PH_ROMAN_NPIX), dy = (long)(ph_rng_u64(&r) % PH_ROMAN_NPIX);
        double v = HOT_RATE_MIN + (HOT_RATE_MAX - HOT_RATE_MIN) * ph_rng_uniform(&r);
        long x = to_image(dx, p->nx), y = to_image(dy, p->ny);
        if (x < 0 || y < 0)
            continue;
        (*idx)[*n] = y * p->nx + x;
        if (rate)
            (*rate)[*n] = v;
        (*n)++;
    }
    return PH_OK;
}

int sim_defects_get(const sim_params *p, long sca, sim_defects *d)
{
    memset(d, 0, sizeof *d);
    if (draw_pixels(p, sca, 1, p->hot_pixels, &d->hot, &d->hot_rate, &d->nhot) ||
        draw_pixels(p, sca, 2, p->bad_pixels, &d->dead, NULL, &d->ndead)) {
        sim_defects_free(d);
        return PH_EFAIL;
    }
    d->col = ph_malloc((size_t)(p->bad_columns ? p->bad_columns : 1) * sizeof *d->col, "dead columns");
    if (!d->col) {
        sim_defects_free(d);
        return PH_EFAIL;
    }
    ph_rng r;
    seed_sca(&r, sca, 3);
    for (long k = 0; k < p->bad_columns; k++) {
        long x = to_image((long)(ph_rng_u64(&r) % PH_ROMAN_NPIX), p->nx);
        if (x >= 0)
            d->col[d->ncol++] = x;
    }
    return PH_OK;
}

void sim_defects_free(sim_defects *d)
{
    free(d->hot);
    free(d->hot_rate);
    free(d->dead);
    free(d->col);
    memset(d, 0, sizeof *d);
}
