/* run.c -- see run.h: the setup (input, PSF of the difference, filter,
 * output header) and the order the products are written and committed. */
#include "run.h"

#include "base/log.h"
#include "products.h"
#include "base/timing.h"
#include "base/util.h"

#include <math.h>
#include <stdlib.h>

int dc_blame(const char *path)
{
    return ph_error_context(path, NULL);
}

static int setup(dc_run *r)
{
    const dc_opts *o = r->o;
    ph_timing_begin("read");
    int st = dc_input_open(r->in.path, &o->src, &r->in);
    ph_timing_end();
    if (st)
        return st;
    dc_input *in = &r->in;
    r->pair = (dc_pair){in->sci.data, in->sci.n, in->ref.data, in->ref.n, in->match, in->n_match,
                        in->rms_sci, in->rms_ref};
    if (in->conv.data) {
        r->conv = in->conv.data;
        r->n_conv = in->conv.n;
    } else {
        /* With a phased PSF (PHASED_PSF, --target-psf) the science PSF is
         * the one drawn at the transient's phase: an undersampled PSF
         * cannot be moved to a sub-pixel phase by interpolation (Y106: -8%
         * to -16% in the fitted flux), and the transient's profile in DIFF
         * is that PSF (*) the template PSF. The filter itself keeps the
         * centred PSFs. */
        dc_pair of = r->pair;
        if (in->target.data) {
            of.psf_sci = in->target.data;
            of.n_sci = in->target.n;
        }
        r->n_conv = of.n_sci;
        r->conv = ph_malloc((size_t)r->n_conv * r->n_conv * sizeof *r->conv, "difference PSF");
        if (!r->conv || dc_conv_psf(&of, r->conv))
            return dc_blame(in->path);
        if (in->target.data)
            ph_info("PSF of the difference: science PSF at the transient's phase (%s) (*) "
                    "template PSF (%ldx%ld)", in->target_src, r->n_conv, r->n_conv);
        else
            ph_info("PSF of the difference: centred science PSF (*) template PSF (%ldx%ld)",
                    r->n_conv, r->n_conv);
    }
    if (dc_quality_init(&r->q, in->path, in->hdr, in->mask, in->nx, in->ny, o->quicklook != NULL))
        return PH_EFAIL;
    if (!in->target.data && !o->src.centred && !o->src.conv_psf)
        ph_info("%s: no PHASED_PSF (the science PSF at the transient's sub-pixel phase, which "
                  "ph-psf writes): DECORR_PSF is centred, and ph-phot's shift of it by "
                  "interpolation is biased for an undersampled PSF", in->path);
    ph_info("%s: %ldx%ld, sky rms science %g template %g, matching kernel %s", in->path, in->nx,
            in->ny, in->rms_sci, in->rms_ref, in->match ? "used" : "ignored");

    ph_fft_set_threads(o->threads ? (int)o->threads : ph_ncpu());
    ph_timing_begin("filter");
    r->d = dc_new(in->nx, in->ny, &r->pair);
    ph_timing_end();
    if (!r->d)
        return dc_blame(in->path);
    ph_info("decorrelation filter: max gain %.4g, white-noise sigma %.6g", r->d->fmax,
            sqrt(r->d->den0));

    r->hdr = ph_header_copy(in->hdr);
    if (!r->hdr)
        return PH_EFAIL;
    /* ph-subtract's residual statistics were of DIFF: DECORR_DIFF gets its own */
    ph_header_del(r->hdr, "RESNSTAR");
    ph_header_del(r->hdr, "RESZMED");
    ph_header_del(r->hdr, "RESZP90");
    ph_header_set_double(r->hdr, "DCSKYSCI", in->rms_sci, "science sky rms used by ph-decorr");
    ph_header_set_double(r->hdr, "DCSKYREF", in->rms_ref, "template sky rms used by ph-decorr");
    ph_header_set_bool(r->hdr, "DCMATCH", in->match != NULL, "matching kernel in the filter");
    ph_header_set_double(r->hdr, "DCNOISE", sqrt(r->d->den0),
                         "sigma of DECORR_DIFF on a flat white background");
    ph_header_set_double(r->hdr, "DCFMAX", r->d->fmax, "largest gain of the filter");
    ph_header_set_str(r->hdr, "DCPSFSCI", o->src.sci_psf ? ph_path_basename(o->src.sci_psf)
                                                         : "SCI_PSF", "science PSF used");
    ph_header_set_str(r->hdr, "DCPSFREF", o->src.ref_psf ? ph_path_basename(o->src.ref_psf)
                                                         : "REF_PSF", "template PSF used");
    if (in->target.data)
        ph_header_set_str(r->hdr, "DCPSFPHS", in->target_src,
                          "science PSF at the transient's phase used");
    return ph_header_add_text(r->hdr, "HISTORY",
                              "ph-decorr: noise decorrelation, sfft-reference 6-7 (SFFT fork)");
}

int dc_run_all(dc_run *r)
{
    int st = setup(r);
    if (st)
        return st;
    if (ph_fits_create(&r->out, r->o->output, 0))
        return PH_EFAIL;
    if (r->o->score_file && ph_fits_create(&r->score, r->o->score_file, 0)) {
        ph_fits_abort(&r->out);
        return PH_EFAIL;
    }
    st = dc_decorrelate_plane(r, "DIFF", "DECORR_DIFF");
    if (!st)
        st = dc_decorrelate_plane(r, "CSCI", "DECORR_SCI");
    if (!st)
        st = dc_write_variance(r);
    if (!st)
        st = dc_write_psf(r);
    if (!st)
        st = dc_write_kernel(r);
    if (!st)
        st = dc_write_mask(r);
    if (!st && (r->o->score_hdu || r->o->score_file))
        st = dc_write_score(r);
    if (!st)
        st = dc_write_quality(r);
    ph_timing_begin("write");
    /* phrosty's files first: the main output (make's target) comes last */
    for (int i = 0; i < PF_N; i++) { /* {0} when not opened: abort is safe */
        if (!st && r->pf[i].f)
            st = ph_fits_commit(&r->pf[i]);
        else
            ph_fits_abort(&r->pf[i]);
    }
    if (!st)
        st = ph_fits_commit(&r->out);
    else
        ph_fits_abort(&r->out);
    if (r->o->score_file) {
        if (!st)
            st = ph_fits_commit(&r->score);
        else
            ph_fits_abort(&r->score);
    }

    ph_timing_end();
    return st;
}

void dc_run_free(dc_run *r)
{
    ph_decorr_free(r->d);
    if (r->conv != r->in.conv.data)
        free(r->conv);
    ph_header_free(r->hdr);
    dc_input_free(&r->in);
    dc_quality_free(&r->q);
}
