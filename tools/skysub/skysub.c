/* skysub.c -- see skysub.h. */
#include "skysub.h"
#include "detmask.h"
#include "base/log.h"
#include "base/planealloc.h"
#include "io/image.h"
#include "base/timing.h"
#include "base/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void skysub_result_free(skysub_result *r)
{
    ph_bkg_free(r->sky);
    ph_detect_free(&r->det);
    ph_plane_free(r->seg);
    memset(r, 0, sizeof *r);
}

/* img += sign * background, row by row. */
static int add_background(float *img, long nx, long ny, ph_bkg *b, float sign)
{
    float *row = ph_malloc((size_t)nx * sizeof *row, "background row");
    if (!row)
        return PH_EFAIL;
    for (long y = 0; y < ny; y++) {
        ph_bkg_row(b, PH_BKG_BACK, y, row);
        float *s = img + (size_t)y * nx;
        for (long x = 0; x < nx; x++)
            s[x] += sign * row[x];
    }
    free(row);
    return PH_OK;
}

int skysub_detect_and_sky(float *img, uint8_t *mask, long nx, long ny, const skysub_params *p,
                          float *work, skysub_result *r)
{
    memset(r, 0, sizeof *r);
    const size_t n = (size_t)nx * ny;
    /* BAD: flagged (already set), non-finite, saturated. Saturated pixels
     * also count as detected (SExtractor sees them as bright). */
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(img[i]))
            mask[i] |= PH_MASK_BAD;
        else if (!isnan(p->saturation) && img[i] >= p->saturation) {
            mask[i] |= PH_MASK_BAD | SKYSUB_SATURATED;
            r->nsaturated++;
        }
        r->nbad += (mask[i] & PH_MASK_BAD) != 0;
    }
    if (r->nbad == (long)n)
        return ph_error(PH_EFAIL, NULL, "every pixel is flagged, saturated or not finite");

    /* 1. SExtractor's own background, on the unmasked image. */
    ph_timing_begin("background (detection)");
    ph_bkg *b1 = NULL;
    int st = ph_bkg_make(img, mask, PH_MASK_BAD, nx, ny, p->back_size, p->back_size,
                         p->back_filtersize, p->back_filtersize, &b1);
    ph_timing_end();
    if (st)
        return st;
    r->det_back = ph_bkg_global(b1);
    r->det_rms = ph_bkg_globalrms(b1);

    /* 2. Detection on the background-subtracted image (in place, undone
     * below: the subtraction is exact to a float rounding of the value). */
    int32_t *seg = ph_plane_alloc(n, sizeof *seg, "segmentation map");
    if (!seg || add_background(img, nx, ny, b1, -1.0f)) {
        ph_plane_free(seg);
        ph_bkg_free(b1);
        return PH_EFAIL;
    }
    ph_detect_params dp;
    ph_detect_defaults(&dp);
    dp.thresh = p->detect_thresh * ph_bkg_globalrms(b1);
    dp.minarea = p->detect_minarea;
    dp.nthresh = p->deblend_nthresh;
    dp.mincont = p->deblend_mincont;
    dp.clean = p->clean;
    dp.clean_param = p->clean_param;
    r->det_thresh = dp.thresh;
    ph_timing_begin("detection");
    st = ph_detect(img, mask, SKYSUB_SATURATED, nx, ny, &dp, work, seg, &r->det);
    ph_timing_end();
    if (!st)
        st = add_background(img, nx, ny, b1, 1.0f);
    ph_bkg_free(b1);
    if (st) {
        ph_plane_free(seg);
        return PH_EFAIL;
    }

    /* 3. The sky: SEP's background with every segmented pixel masked. */
    for (size_t i = 0; i < n; i++)
        if (seg[i] > 0)
            mask[i] |= SKYSUB_SEGMENT;
    ph_timing_begin("background (sky)");
    st = ph_bkg_make(img, mask, PH_MASK_BAD | SKYSUB_SEGMENT, nx, ny, p->back_size,
                     p->back_size, p->back_filtersize, p->back_filtersize, &r->sky);
    ph_timing_end();

    /* 4. The detection mask. */
    if (!st) {
        ph_timing_begin("detection mask");
        st = detmask_make(seg, r->det.obj, r->det.nobj, nx, ny, p->radius_cut, p->ndilate, mask,
                          PH_MASK_DETECTED, &r->nkept, &r->ndetmask);
        ph_timing_end();
    }
    if (p->keep_seg)
        r->seg = seg;
    else
        ph_plane_free(seg);

    /* phrosty's statistics of the sky maps (SEx_SkySubtract.SSS). */
    if (!st) {
        ph_timing_begin("sky statistics");
        double q[3] = {25, 50, 75}, v[3], med;
        st = ph_bkg_quantiles(r->sky, PH_BKG_BACK, q, 3, v);
        if (!st)
            st = ph_bkg_quantiles(r->sky, PH_BKG_RMS, q + 1, 1, &med);
        ph_timing_end();
        if (!st) {
            double iqr = v[2] - v[0];
            r->skylevel = v[1];
            r->skydip = v[0] - 1.5 * iqr;
            r->skypeak = v[2] + 1.5 * iqr;
            r->skyrms = med;
        }
    }
    if (st) {
        skysub_result_free(r);
        return PH_EFAIL;
    }
    return PH_OK;
}

int skysub_finish(float *img, const float *noise, long nx, long ny, ph_bkg *sky, var_kind vk,
                  double gain, double read_noise, float *var)
{
    float *row = ph_malloc((size_t)nx * sizeof *row, "background row");
    float *rms = vk == VAR_MODEL ? ph_malloc((size_t)nx * sizeof *rms, "background row") : NULL;
    if (!row || (vk == VAR_MODEL && !rms)) {
        free(row);
        free(rms);
        return PH_EFAIL;
    }
    for (long y = 0; y < ny; y++) {
        float *s = img + (size_t)y * nx;
        ph_bkg_row(sky, PH_BKG_BACK, y, row);
        if (rms)
            ph_bkg_row(sky, PH_BKG_RMS, y, rms);
        variance_row(vk, s, noise ? noise + (size_t)y * nx : NULL, row, rms, nx, gain,
                     read_noise, var + (size_t)y * nx);
        for (long x = 0; x < nx; x++)
            s[x] = isfinite(s[x]) ? s[x] - row[x] : 0.0f;
    }
    free(row);
    free(rms);
    return PH_OK;
}

void skysub_final_mask(uint8_t *mask, long n)
{
    for (long i = 0; i < n; i++)
        mask[i] &= PH_MASK_DETECTED | PH_MASK_BAD;
}
