/* detmask.c -- see detmask.h. */
#include "detmask.h"
#include "base/log.h"
#include "base/planealloc.h"
#include "base/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static inline uint64_t load8(const uint8_t *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}

/* Row y of out = in dilated by the 3x3 cross (outside the image is 0). */
static void dilate_row(const uint8_t *in, uint8_t *out, long nx, long ny, long y)
{
    const uint8_t *c = in + (size_t)y * nx;
    const uint8_t *u = y > 0 ? c - nx : NULL, *d = y + 1 < ny ? c + nx : NULL;
    uint8_t *o = out + (size_t)y * nx;
    long x = 0;
    /* Interior: bytes are 0 or 1, so OR-ing shifted words is a dilation. */
    for (x = 1; x + 9 <= nx; x += 8) {
        uint64_t w = load8(c + x) | load8(c + x - 1) | load8(c + x + 1);
        if (u)
            w |= load8(u + x);
        if (d)
            w |= load8(d + x);
        memcpy(o + x, &w, 8);
    }
    for (long xx = 0; xx < nx; xx++) {
        if (xx >= 1 && xx < x)
            continue;
        uint8_t v = c[xx];
        if (xx > 0)
            v |= c[xx - 1];
        if (xx + 1 < nx)
            v |= c[xx + 1];
        if (u)
            v |= u[xx];
        if (d)
            v |= d[xx];
        o[xx] = v;
    }
}

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
    /* ACTIVE, then ndilate cross dilations (4-connected), 8 pixels at a
     * time on byte planes of 0/1. */
    uint8_t *a = ph_plane_alloc(n, 1, "detection mask"), *b = ph_plane_alloc(n, 1, "detection mask");
    if (!a || !b) {
        ph_plane_free(a);
        ph_plane_free(b);
        free(keep);
        return PH_EFAIL;
    }
    for (size_t i = 0; i < n; i++)
        a[i] = seg[i] > 0 && keep[seg[i]];
    for (int it = 0; it < ndilate; it++) {
        for (long y = 0; y < ny; y++)
            dilate_row(a, b, nx, ny, y);
        uint8_t *t = a;
        a = b;
        b = t;
    }
    for (size_t i = 0; i < n; i++)
        if (a[i] && (seg[i] == 0 || keep[seg[i]])) { /* grown, or ACTIVE */
            mask[i] |= bit;
            (*npix)++;
        }
    ph_plane_free(a);
    ph_plane_free(b);
    free(keep);
    return PH_OK;
}
