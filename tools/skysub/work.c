/* work.c -- see work.h. */
#include "work.h"

#include "checkimg.h"
#include "base/log.h"
#include "io/image.h"
#include "base/planealloc.h"
#include "base/timing.h"
#include "base/util.h"

int skysub_work(const char *input, const char *output, const char *check_dir, ph_input_lite *in,
                const skysub_params *p, var_kind vk, double gain, double rn, uint8_t **mask_out,
                float **var_out, skysub_result *r)
{
    const long nx = in->nx, ny = in->ny, n = nx * ny;
    int st = PH_OK;
    /* The flags plane (0/1) becomes the mask (BAD bits) in place. */
    ph_timing_begin("prepare");
    uint8_t *mask = in->flagged;
    in->flagged = NULL;
    if (mask) {
        for (long i = 0; i < n; i++)
            mask[i] = mask[i] ? PH_MASK_BAD : 0;
    } else {
        mask = ph_plane_alloc((size_t)n, 1, "mask");
    }
    float *var = NULL;
    /* One float plane serves as the filtered image, then as VAR. */
    if (mask)
        var = ph_plane_alloc((size_t)n, sizeof *var, "variance");
    ph_timing_end();
    if (!mask || !var) {
        st = PH_EFAIL;
        goto out;
    }
    if ((st = skysub_detect_and_sky(in->sci, mask, nx, ny, p, var, r))) {
        /* Errors of the array code name no file: this input is the one. */
        if (ph_error_code())
            st = ph_error_context(input, NULL);
        goto out;
    }
    ph_info("%s: %ld objects (%ld in the detection mask, %.1f%% of the pixels), "
            "sky %.6g, rms %.6g",
            input, r->det.nobj, r->nkept, 100.0 * r->ndetmask / n, r->skylevel, r->skyrms);

    ph_timing_begin("subtraction and variance");
    st = skysub_finish(in->sci, in->noise, nx, ny, r->sky, vk, gain, rn, var);
    ph_timing_end();
    ph_plane_free(in->noise);
    in->noise = NULL;
    if (st)
        goto out;

    if (check_dir) {
        char stem[512];
        ph_path_stem(output, stem, sizeof stem);
        ph_timing_begin("check images");
        st = checkimg_write(check_dir, stem, r->sky, r->seg, &r->det, p->radius_cut, in->hdr);
        ph_timing_end();
        if (st)
            goto out;
    }
    ph_plane_free(r->seg);
    r->seg = NULL;
    skysub_final_mask(mask, n);
out:
    *mask_out = mask;
    *var_out = var;
    return st;
}
