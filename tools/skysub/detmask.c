/* detmask.c -- see detmask.h. The dilation is a distance transform: two
 * raster passes give each pixel its Manhattan distance to ACTIVE (capped),
 * which equals `ndilate` successive cross dilations. */
#include "detmask.h"
#include "log.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>

int detmask_make(const int32_t *seg, const ph_object *obj, long nobj, long nx, long ny,
                 double radius_cut, int ndilate, uint8_t *mask, uint8_t bit, long *nkept,
                 long *npix)
{
    const size_t n = (size_t)nx * ny;
    *nkept = 0;
    *npix = 0;
    if (isnan(radius_cut)) {
        for (size_t i = 0; i < n; i++)
            if (seg[i] > 0) {
                mask[i] |= bit;
                (*npix)++;
            }
        *nkept = nobj;
        return PH_OK;
    }
    uint8_t *keep = ph_calloc((size_t)nobj + 1, 1, "detection mask");
    if (!keep)
        return PH_EFAIL;
    for (long k = 0; k < nobj; k++)
        if (obj[k].flux_radius > radius_cut) {
            keep[k + 1] = 1;
            (*nkept)++;
        }
    if (ndilate <= 0) {
        for (size_t i = 0; i < n; i++)
            if (seg[i] > 0 && keep[seg[i]]) {
                mask[i] |= bit;
                (*npix)++;
            }
        free(keep);
        return PH_OK;
    }
    /* Manhattan distance to ACTIVE, capped at ndilate + 1 (fits a byte
     * for ndilate <= 250). */
    const int cap = ndilate + 1 > 255 ? 255 : ndilate + 1;
    uint8_t *d = ph_malloc(n, "detection mask");
    if (!d) {
        free(keep);
        return PH_EFAIL;
    }
    for (long y = 0; y < ny; y++)
        for (long x = 0; x < nx; x++) {
            size_t i = (size_t)y * nx + x;
            int v = seg[i] > 0 && keep[seg[i]] ? 0 : cap;
            if (v) {
                if (x && d[i - 1] + 1 < v)
                    v = d[i - 1] + 1;
                if (y && d[i - nx] + 1 < v)
                    v = d[i - nx] + 1;
            }
            d[i] = (uint8_t)v;
        }
    for (long y = ny - 1; y >= 0; y--)
        for (long x = nx - 1; x >= 0; x--) {
            size_t i = (size_t)y * nx + x;
            int v = d[i];
            if (x + 1 < nx && d[i + 1] + 1 < v)
                v = d[i + 1] + 1;
            if (y + 1 < ny && d[i + nx] + 1 < v)
                v = d[i + nx] + 1;
            d[i] = (uint8_t)v;
        }
    for (size_t i = 0; i < n; i++) {
        int active = d[i] == 0;
        int grown = d[i] <= ndilate && seg[i] == 0;
        if (active || grown) {
            mask[i] |= bit;
            (*npix)++;
        }
    }
    free(d);
    free(keep);
    return PH_OK;
}
