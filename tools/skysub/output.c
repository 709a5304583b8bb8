/* output.c -- see output.h. The header keys record every setting and
 * result a reader needs to judge the sky subtraction (SExtractor's names
 * in the comments). */
#include "output.h"

#include "base/log.h"
#include "io/image.h"
#include "base/timing.h"

#include <math.h>

static int add_settings(ph_header *h, const skysub_params *p, const skysub_result *r, var_kind vk,
                        double gain, double rn, long n)
{
    int st = ph_header_set_double(h, "SKYDIP", r->skydip, "Q1 - 1.5 IQR of the sky map");
    st |= ph_header_set_double(h, "SKYPEAK", r->skypeak, "Q3 + 1.5 IQR of the sky map");
    if (isfinite(p->saturation)) {
        st |= ph_header_set_double(h, "SATLEVEL", p->saturation, "[ADU] saturation used");
        st |= ph_header_set_double(h, "ESATUR", p->saturation - r->skypeak,
                                   "[ADU] saturation after sky subtraction");
    }
    st |= ph_header_set_long(h, "BACKSIZE", p->back_size, "[px] background mesh (BACK_SIZE)");
    st |= ph_header_set_long(h, "BACKFILT", p->back_filtersize,
                             "[meshes] median filter (BACK_FILTERSIZE)");
    st |= ph_header_set_double(h, "DETTHRSH", p->detect_thresh,
                               "[sigma] detection threshold (DETECT_THRESH)");
    st |= ph_header_set_long(h, "DETMINAR", p->detect_minarea, "[px] DETECT_MINAREA");
    st |= ph_header_set_long(h, "DEBNTHR", p->deblend_nthresh, "DEBLEND_NTHRESH");
    st |= ph_header_set_double(h, "DEBMINC", p->deblend_mincont, "DEBLEND_MINCONT");
    st |= ph_header_set_bool(h, "CLEAN", p->clean, "SExtractor's CLEAN");
    st |= ph_header_set_double(h, "CLEANPAR", p->clean_param, "CLEAN_PARAM");
    if (isnan(p->radius_cut))
        st |= ph_header_set_str(h, "RADCUT", "none", "detection mask: every segment");
    else
        st |= ph_header_set_double(h, "RADCUT", p->radius_cut,
                                   "[px] detection mask: FLUX_RADIUS > RADCUT");
    st |= ph_header_set_long(h, "NDILATE", p->ndilate, "detection mask: cross dilations");
    st |= ph_header_set_double(h, "DETBACK", r->det_back, "global background, detection pass");
    st |= ph_header_set_double(h, "DETRMS", r->det_rms, "global rms, detection pass");
    st |= ph_header_set_double(h, "DETLEVEL", r->det_thresh, "detection threshold, image units");
    st |= ph_header_set_long(h, "NOBJ", r->det.nobj, "objects detected");
    st |= ph_header_set_long(h, "NOBJMASK", r->nkept, "objects in the detection mask");
    st |= ph_header_set_double(h, "DETMFRAC", (double)r->ndetmask / n,
                               "fraction of pixels in the detection mask");
    st |= ph_header_set_long(h, "NBADPIX", r->nbad, "pixels flagged, saturated or not finite");
    st |= ph_header_set_str(h, "VARTYPE", variance_name(vk, gain), "what VAR holds");
    if (vk == VAR_PHYSICAL) {
        st |= ph_header_set_double(h, "GAIN", gain, "[e-/ADU] gain used for VAR");
        st |= ph_header_set_double(h, "RDNOISE", rn, "[e-] read noise used for VAR");
    } else if (vk == VAR_MODEL && gain > 0) {
        st |= ph_header_set_double(h, "GAIN", gain, "[e-/ADU] gain used for VAR");
    }
    st |= ph_header_add_text(h, "HISTORY",
                             "ph-skysub: sky = SExtractor background of the image with "
                             "detected segments masked");
    return st ? PH_EFAIL : PH_OK;
}

int skysub_write(const char *output, ph_input_lite *in, float *var, uint8_t *mask,
                 const skysub_result *r, const skysub_params *p, var_kind vk, double gain,
                 double rn)
{
    ph_image out = {0};
    out.nx = in->nx;
    out.ny = in->ny;
    out.sci = in->sci;
    out.var = var;
    out.mask = mask;
    out.hdr = in->hdr;
    out.meta = in->meta;
    out.meta.skyrms = r->skyrms;
    out.meta.skylevel = r->skylevel;
    if (vk == VAR_PHYSICAL)
        out.meta.rdnoise = rn;
    if (!isnan(gain))
        out.meta.gain = gain;
    if (isfinite(p->saturation))
        out.meta.saturate = p->saturation;
    int st = add_settings(in->hdr, p, r, vk, gain, rn, in->nx * in->ny);
    if (st)
        return st;
    ph_timing_begin("write");
    st = ph_image_write(output, &out);
    ph_timing_end();
    return st;
}
