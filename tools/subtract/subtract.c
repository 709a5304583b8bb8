/* subtract.c -- see subtract.h. */
#include "subtract.h"
#include "base/log.h"
#include "io/image.h"
#include "base/timing.h"
#include "base/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int sub_sanitise(float *img, const uint8_t *mask, long nx, long ny, const char *file,
                 const char *plane)
{
    for (long i = 0; i < nx * ny; i++) {
        if (isfinite(img[i]))
            continue;
        if (!(mask[i] & (PH_MASK_BAD | PH_MASK_OUTSIDE)))
            return ph_error(PH_EFAIL, file,
                            "%s is %s at pixel (%ld, %ld) (0-based x, y) but MASK does not flag "
                            "it BAD or OUTSIDE",
                            plane, isnan(img[i]) ? "NaN" : "infinite", i % nx, i / nx);
        img[i] = 0.0f;
    }
    return PH_OK;
}

/* In place: m[i] = 1 where a pixel within Chebyshev distance r of i had m
 * = 1, the image border counting as set when `border` (a separable
 * sliding-window maximum). */
static int dilate_square(uint8_t *m, long nx, long ny, long r, int border)
{
    long nmax = nx > ny ? nx : ny;
    uint8_t *line = ph_malloc((size_t)nmax, "dilation");
    if (!line)
        return PH_EFAIL;
    for (int pass = 0; pass < 2; pass++) {
        long len = pass ? ny : nx, nlines = pass ? nx : ny, stride = pass ? nx : 1;
        long step = pass ? 1 : nx;
        for (long l = 0; l < nlines; l++) {
            uint8_t *p = m + l * step;
            long count = border ? r : 0; /* the pixels beyond index 0 */
            for (long i = 0; i <= r && i < len; i++)
                count += p[i * stride] != 0;
            for (long i = 0; i < len; i++) {
                line[i] = count > 0;
                long out = i - r, in = i + r + 1;
                count -= out < 0 ? border : p[out * stride] != 0;
                count += in >= len ? border : p[in * stride] != 0;
            }
            for (long i = 0; i < len; i++)
                p[i * stride] = line[i];
        }
    }
    free(line);
    return PH_OK;
}

int sub_guard(uint8_t *fit, uint8_t *outmask, const uint8_t *sci_mask, const uint8_t *ref_mask,
              long nx, long ny, long r, long *removed)
{
    size_t n = (size_t)nx * ny;
    uint8_t *near = ph_malloc(n, "guard band");
    if (!near)
        return PH_EFAIL;
    for (size_t i = 0; i < n; i++)
        near[i] = ((sci_mask[i] | ref_mask[i]) & (PH_MASK_BAD | PH_MASK_OUTSIDE)) != 0;
    int st = r > 0 ? dilate_square(near, nx, ny, r, 1) : PH_OK;
    long k = 0;
    for (size_t i = 0; !st && i < n; i++)
        if (near[i] && fit[i]) {
            fit[i] = 0;
            outmask[i] &= (uint8_t)~PH_DIFF_FIT;
            k++;
        }
    free(near);
    *removed = k;
    return st;
}

long sub_fit_mask(const uint8_t *sci_mask, const uint8_t *ref_mask, long n, int all, uint8_t *fit,
                  uint8_t *outmask)
{
    const uint8_t never = PH_MASK_BAD | PH_MASK_OUTSIDE;
    long nfit = 0;
    for (long i = 0; i < n; i++) {
        uint8_t s = sci_mask[i], r = ref_mask[i];
        fit[i] = (all || ((s & PH_MASK_DETECTED) && (r & PH_MASK_DETECTED))) && !((s | r) & never);
        nfit += fit[i];
        outmask[i] = (fit[i] ? PH_DIFF_FIT : 0) | ((s | r) & PH_MASK_BAD ? PH_DIFF_BAD : 0) |
                     ((s | r) & PH_MASK_OUTSIDE ? PH_DIFF_OUTSIDE : 0);
    }
    return nfit;
}

long sub_exclude(uint8_t *fit, uint8_t *outmask, long nx, long ny, double x0, double y0, double r)
{
    if (!(r > 0) || !isfinite(x0) || !isfinite(y0))
        return 0;
    long removed = 0;
    long ya = (long)floor(y0 - r), yb = (long)ceil(y0 + r);
    long xa = (long)floor(x0 - r), xb = (long)ceil(x0 + r);
    for (long y = ya < 0 ? 0 : ya; y <= yb && y < ny; y++)
        for (long x = xa < 0 ? 0 : xa; x <= xb && x < nx; x++) {
            long i = y * nx + x;
            if ((x - x0) * (x - x0) + (y - y0) * (y - y0) <= r * r && fit[i]) {
                fit[i] = 0;
                outmask[i] &= (uint8_t)~PH_DIFF_FIT;
                removed++;
            }
        }
    return removed;
}

/* The kernel a PSF is convolved with: normalised to sum 1 (§4). */
static double *normalised(const double *psf, long n)
{
    double *k = ph_malloc((size_t)n * n * sizeof *k, "PSF kernel");
    if (!k)
        return NULL;
    double s = 0;
    for (long i = 0; i < n * n; i++)
        s += psf[i];
    for (long i = 0; i < n * n; i++)
        k[i] = psf[i] / s;
    return k;
}

/* Pixel access for the residual statistics: DIFF and CSCI whole. */
typedef struct resid_ctx {
    const sub_out *out;
    long nx;
    ph_resid_var var;
} resid_ctx;
static double r_diff(void *c, long x, long y)
{
    const resid_ctx *r = c;
    return r->out->diff[y * r->nx + x];
}
static double r_conv(void *c, long x, long y)
{
    const resid_ctx *r = c;
    return r->out->csci[y * r->nx + x];
}
static double r_sigma(void *c, long x, long y) { return ph_resid_sigma_at(&((resid_ctx *)c)->var, x, y); }

/* The static-star residuals of DIFF (resid.h), z from the propagated
 * variance. */
static int residuals(const sub_in *in, const double *kref, const double *ksci, sub_out *out)
{
    const ph_startab *t = in->stars;
    double *snr = ph_malloc((size_t)t->n * sizeof *snr, "star S/N");
    long *sel = ph_malloc((size_t)t->n * sizeof *sel, "star selection");
    if (!snr || !sel) {
        free(snr);
        free(sel);
        return PH_EFAIL;
    }
    for (long i = 0; i < t->n; i++)
        snr[i] = t->fluxerr[i] > 0 ? t->tflux[i] / t->fluxerr[i] : 0;
    ph_resid_stars s = {t->n, t->x, t->y, t->tflux, snr};
    ph_resid_opts o;
    ph_resid_defaults(&o);
    o.excl_x = in->ex_x0;
    o.excl_y = in->ex_y0;
    o.excl_r = in->ex_r > 0 ? in->ex_r : 15;
    resid_ctx c = {out, in->nx,
                   {in->sci_var, in->ref_var, in->nx, in->ny, kref, ksci, in->n_ref, in->n_sci,
                    ph_sfft_ratio_at(&out->sol, in->nx / 2.0 - 0.5, in->ny / 2.0 - 0.5)}};
    ph_resid_src src = {r_diff, r_sigma, r_conv, &c};
    long nsel = ph_resid_select(&s, &o, out->mask, in->nx, in->ny, sel);
    int st = ph_resid_measure(&src, &s, sel, nsel, o.snr_min, &out->res);
    if (!st)
        ph_info("static stars: %ld measured (S/N >= %g), median max|z| %.2f, 90th percentile "
            "%.2f, residual %.4f of the peak",
            out->res.nstars, o.snr_min, out->res.zmed, out->res.zp90, out->res.frac_med);
    free(snr);
    free(sel);
    return st;
}

/* The squared sums of the cross-convolution kernels: the science image is
 * convolved with kref, the reference with ksci. */
static void squared_sums(const sub_in *in, const double *kref, const double *ksci,
                         double *wsci, double *wref)
{
    *wsci = *wref = 0;
    for (long i = 0; i < in->n_ref * in->n_ref; i++)
        *wsci += kref[i] * kref[i];
    for (long i = 0; i < in->n_sci * in->n_sci; i++)
        *wref += ksci[i] * ksci[i];
}

long sub_signal(const double *csci, const double *cref, const float *vsci, const float *vref,
                double wsci, double wref, long nx, long ny, uint8_t *fit, uint8_t *outmask)
{
    size_t n = (size_t)nx * ny;
    uint8_t *sig = ph_malloc(n, "signal mask");
    if (!sig)
        return -1;
    const double k2 = PH_SUB_SIGNAL_K * PH_SUB_SIGNAL_K;
    for (size_t i = 0; i < n; i++)
        sig[i] = (csci[i] > 0 && csci[i] * csci[i] > k2 * wsci * vsci[i]) ||
                 (cref[i] > 0 && cref[i] * cref[i] > k2 * wref * vref[i]);
    if (dilate_square(sig, nx, ny, PH_SUB_SIGNAL_GROW, 0)) {
        free(sig);
        return -1;
    }
    long removed = 0;
    for (size_t i = 0; i < n; i++)
        if (fit[i] && !sig[i]) {
            fit[i] = 0;
            outmask[i] &= (uint8_t)~PH_DIFF_FIT;
            removed++;
        }
    free(sig);
    return removed;
}

long sub_starboxes(const ph_startab *t, double snr_min, long r, long nx, long ny, uint8_t *fit,
                   uint8_t *outmask, long *nstars)
{
    size_t n = (size_t)nx * ny;
    uint8_t *in = ph_calloc(n, 1, "star boxes");
    if (!in)
        return -1;
    long ns = 0;
    for (long i = 0; t && i < t->n; i++) {
        if (t->drawn[i] != 1 || !(t->fluxerr[i] > 0) || t->tflux[i] / t->fluxerr[i] < snr_min)
            continue;
        long cx = (long)floor(t->x[i] + 0.5), cy = (long)floor(t->y[i] + 0.5);
        if (cx < 0 || cy < 0 || cx >= nx || cy >= ny || !fit[cy * nx + cx])
            continue; /* a saturated, flagged or unmatched star constrains nothing */
        ns++;
        for (long y = cy - r; y <= cy + r; y++)
            for (long x = cx - r; x <= cx + r; x++)
                if (x >= 0 && y >= 0 && x < nx && y < ny)
                    in[y * nx + x] = 1;
    }
    long removed = 0;
    for (size_t i = 0; i < n; i++)
        if (fit[i] && !in[i]) {
            fit[i] = 0;
            outmask[i] &= (uint8_t)~PH_DIFF_FIT;
            removed++;
        }
    free(in);
    *nstars = ns;
    return removed;
}

/* The pixels that enter no fit whatever the mode: the transient's circle
 * and the guard band. */
static int never_fit(const sub_in *in, uint8_t *fit, uint8_t *outmask, long *nex, long *ng)
{
    *nex = sub_exclude(fit, outmask, in->nx, in->ny, in->ex_x0, in->ex_y0, in->ex_r);
    *ng = 0;
    return in->guard > 0
               ? sub_guard(fit, outmask, in->sci_mask, in->ref_mask, in->nx, in->ny, in->guard, ng)
               : PH_OK;
}

static long count_set(const uint8_t *m, size_t n)
{
    long k = 0;
    for (size_t i = 0; i < n; i++)
        k += m[i] != 0;
    return k;
}

/* The fitting mask and the output MASK bits; the counts reported. For the
 * stars mode: the boxes about the drawn stars (`sig`: scratch of n bytes);
 * the signal mask when ph-align drew none, or none of them qualifies
 * (*mode says which was used); *narrow when there are too few stars for a
 * wide kernel (fewer than PH_SUB_MIN_STARS, or none). */
static int fitting_mask(const sub_in *in, const double *kref, const double *ksci, uint8_t *fit,
                        uint8_t *sig, sub_out *out, int *mode, int *narrow)
{
    *narrow = 0;
    long nx = in->nx, ny = in->ny, nex = 0, ng = 0;
    size_t n = (size_t)nx * ny;
    *mode = in->fit_pixels;
    sub_fit_mask(in->sci_mask, in->ref_mask, (long)n, in->fit_pixels != PH_SUB_FIT_DETECTED, fit,
                 out->mask);
    int st = never_fit(in, fit, out->mask, &nex, &ng);
    if (!st && (in->fit_pixels == PH_SUB_FIT_SIGNAL || in->fit_pixels == PH_SUB_FIT_STARS)) {
        double wsci, wref;
        squared_sums(in, kref, ksci, &wsci, &wref);
        long ns = sub_signal(out->csci, out->cref, in->sci_var, in->ref_var, wsci, wref, nx, ny,
                             fit, out->mask);
        if (ns < 0)
            st = PH_EFAIL;
    }
    if (!st && in->fit_pixels == PH_SUB_FIT_STARS) {
        long drawn = 0, nstars = 0;
        for (long i = 0; in->stars && i < in->stars->n; i++)
            drawn += in->stars->drawn[i] == 1;
        memcpy(sig, fit, n);
        if (drawn > 0 && sub_starboxes(in->stars, PH_SUB_STAR_SNR, PH_SUB_STAR_BOX, nx, ny, fit,
                                       out->mask, &nstars) < 0)
            st = PH_EFAIL;
        if (st || drawn == 0) {
            /* no star drawn by ph-align (another aligner, --method phrosty):
             * every source, the kernel as asked */
            *mode = PH_SUB_FIT_SIGNAL;
        } else if (nstars == 0) {
            ph_notice("no drawn template star with S/N >= %g: the kernel is fitted on every "
                      "source, with a half-width of at most %d px",
                      PH_SUB_STAR_SNR, PH_SUB_FALLBACK_W);
            memcpy(fit, sig, n);
            for (size_t i = 0; i < n; i++)
                out->mask[i] = (uint8_t)((out->mask[i] & ~PH_DIFF_FIT) | (fit[i] ? PH_DIFF_FIT : 0));
            *mode = PH_SUB_FIT_SIGNAL;
            *narrow = 1;
        } else {
            *narrow = nstars < PH_SUB_MIN_STARS;
            if (*narrow)
                ph_notice("only %ld drawn template star%s with S/N >= %g: the kernel fitted on "
                          "%s has a half-width of at most %d px",
                          nstars, nstars == 1 ? "" : "s", PH_SUB_STAR_SNR,
                          nstars == 1 ? "it" : "them", PH_SUB_FALLBACK_W);
            else
                ph_info("kernel fitted on %ld drawn template stars (S/N >= %g)", nstars,
                        PH_SUB_STAR_SNR);
        }
    }
    long nfit = count_set(fit, n);
    if (in->guard > 0)
        ph_info("%ld pixels within %ld px of a BAD or OUTSIDE pixel or the border left out of the "
                "fit",
                ng, in->guard);
    if (in->ex_r > 0 && isfinite(in->ex_x0))
        ph_info("transient at (%.2f, %.2f): %ld pixels within %g px left out of the fit", in->ex_x0,
                in->ex_y0, nex, in->ex_r);
    for (size_t i = 0; i < n; i++) {
        out->nbad += (out->mask[i] & PH_DIFF_BAD) != 0;
        out->noutside += (out->mask[i] & PH_DIFF_OUTSIDE) != 0;
    }
    ph_info("%ld fitting pixels (%.2f%% of the image), %ld BAD, %ld OUTSIDE", nfit,
            100.0 * nfit / (double)n, out->nbad, out->noutside);
    if (!st && nfit == 0 && in->fit_pixels != PH_SUB_FIT_DETECTED)
        st = ph_error(PH_EFAIL, NULL,
                      "the fitting mask is empty: every pixel is BAD or OUTSIDE in one of the "
                      "images, or within %ld px of such a pixel or of the border, or holds no "
                      "source",
                      in->guard);
    return st;
}

/* Fit the kernel on `fit` and form DIFF (0 where OUTSIDE). */
static int fit_and_difference(ph_sfft_engine *e, const ph_sfft_params *p, double min_rcond,
                              const uint8_t *fit, long nx, long ny, sub_out *out)
{
    ph_timing_begin("fit");
    int st = ph_sfft_fit(e, fit, p, min_rcond, &out->sol);
    ph_timing_end();
    if (st)
        return st;
    ph_info("SFFT: %d unknowns, reciprocal condition %.3g (%s), kernel sum %.6g",
            out->sol.basis.nfree, out->sol.rcond, out->sol.used_lu ? "LU" : "Cholesky",
            ph_sfft_ratio_at(&out->sol, nx / 2.0 - 0.5, ny / 2.0 - 0.5));
    size_t n = (size_t)nx * ny;
    ph_timing_begin("difference");
    st = ph_sfft_difference_new(e, &out->sol, &out->diff);
    /* no reference data there: the difference is 0 (§5.6, BlankMask) */
    for (size_t i = 0; !st && i < n; i++)
        if (out->mask[i] & PH_DIFF_OUTSIDE)
            out->diff[i] = 0.0;
    ph_timing_end();
    return st;
}

long sub_clip(const double *diff, const float *vsci, const float *vref, double wsci, double wref,
              double ratio, double k, long nx, long ny, uint8_t *fit, uint8_t *outmask)
{
    size_t n = (size_t)nx * ny;
    uint8_t *hit = ph_calloc(n, 1, "outlier mask");
    if (!hit)
        return -1;
    long any = 0;
    for (size_t i = 0; i < n; i++) {
        if (!fit[i])
            continue;
        double v = wsci * vsci[i] + ratio * ratio * wref * vref[i];
        if (v > 0 && fabs(diff[i]) > k * sqrt(v))
            hit[i] = 1, any++;
    }
    /* a margin: the cross-convolution spread each outlier over the PSF core */
    if (any && dilate_square(hit, nx, ny, PH_SUB_CLIP_GROW, 0)) {
        free(hit);
        return -1;
    }
    long removed = 0;
    for (size_t i = 0; any && i < n; i++)
        if (hit[i] && fit[i]) {
            fit[i] = 0;
            outmask[i] = (uint8_t)((outmask[i] & ~PH_DIFF_FIT) | PH_DIFF_CLIPPED);
            removed++;
        }
    free(hit);
    return removed;
}

/* The outliers of the first fit (sub_clip with the cross-convolution
 * kernels' squared sums). */
static long clip_outliers(const sub_in *in, const double *kref, const double *ksci, uint8_t *fit,
                          sub_out *out)
{
    double wsci, wref;
    squared_sums(in, kref, ksci, &wsci, &wref);
    double r = ph_sfft_ratio_at(&out->sol, in->nx / 2.0 - 0.5, in->ny / 2.0 - 0.5);
    return sub_clip(out->diff, in->sci_var, in->ref_var, wsci, wref, r, in->clip, in->nx, in->ny,
                    fit, out->mask);
}

int sub_run(ph_sfft_engine *e, const ph_sfft_params *p, double min_rcond, const sub_in *in,
            sub_out *out)
{
    memset(out, 0, sizeof *out);
    out->csci = in->sci; /* ours from here, also on failure */
    out->cref = in->ref;
    long nx = in->nx, ny = in->ny;
    size_t n = (size_t)nx * ny;
    ph_sfft_basis b;
    ph_sfft_basis_of(p, &b);
    int st = PH_OK;
    if (ph_sfft_check(p, nx, ny, in->sci_name))
        st = ph_error_code();
    else if (in->n_sci > nx || in->n_sci > ny || in->n_ref > nx || in->n_ref > ny)
        st = ph_error(PH_EFAIL, in->sci_name, "the PSFs (%ld, %ld px) are larger than the image",
                      in->n_sci, in->n_ref);
    if (st) {
        sub_out_free(out);
        return st;
    }
    out->mask = ph_malloc(n, "MASK");
    out->match_kernel = ph_malloc((size_t)b.fab * sizeof(double), "MATCH_KERNEL");
    out->conv_psf = ph_malloc((size_t)in->n_sci * in->n_sci * sizeof(double), "CONV_PSF");
    double *kref = normalised(in->psf_ref, in->n_ref), *ksci = normalised(in->psf_sci, in->n_sci);
    uint8_t *fit = ph_malloc(n, "fitting mask");
    uint8_t *sig = in->fit_pixels == PH_SUB_FIT_STARS ? ph_malloc(n, "source mask") : NULL;
    st = !out->csci || !out->cref || !out->mask || !out->match_kernel || !out->conv_psf ||
                 !kref || !ksci || !fit || (in->fit_pixels == PH_SUB_FIT_STARS && !sig)
                 ? PH_EFAIL
                 : PH_OK;

    /* Cross-convolution (§4): C_target = science (*) rotated reference PSF,
     * C_object = aligned reference (*) science PSF; zero boundary, "same". */
    if (!st) {
        ph_timing_begin("crossconv");
        st = e->crossconv(e, PH_SFFT_J, out->csci, kref, in->n_ref, out->csci);
        if (!st)
            st = e->crossconv(e, PH_SFFT_I, out->cref, ksci, in->n_sci, out->cref);
        ph_timing_end();
    }
    /* The template's modelled stars as the science side holds them (stars.h). */
    if (!st && in->correct && in->stars && in->stars->n > 0) {
        ph_timing_begin("stars");
        out->nstarfix = sub_stars_correct(out->cref, nx, ny, in->stars, in->ov_sci, in->ov_ref,
                                          ksci, in->n_sci, kref, in->n_ref, in->star_r);
        st = out->nstarfix < 0 ? PH_EFAIL : out->nstarfix ? e->load(e, PH_SFFT_I, out->cref) : 0;
        ph_timing_end();
        ph_info("%ld template stars matched exactly in the cross-convolution", out->nstarfix);
    }
    int mode = in->fit_pixels, narrow = 0;
    ph_sfft_params pf = *p;
    if (!st)
        st = fitting_mask(in, kref, ksci, fit, sig, out, &mode, &narrow);
    if (!st && narrow && pf.w > PH_SUB_FALLBACK_W)
        pf.w = PH_SUB_FALLBACK_W;
    p = &pf;
    if (!st)
        st = fit_and_difference(e, p, min_rcond, fit, nx, ny, out);
    /* Outliers (unflagged cosmic rays, variable stars, a saturated core's
     * wings) left the fit and it is made again: HOTPANTS's stamp rejection,
     * pixel by pixel. */
    if (!st && in->clip > 0) {
        long nc = clip_outliers(in, kref, ksci, fit, out);
        if (nc > 0) {
            ph_info("%ld fitting pixels beyond %g sigma (with a %d px margin) left out; fitting "
                    "again",
                    nc, in->clip, PH_SUB_CLIP_GROW);
            ph_sfft_solution_free(&out->sol);
            ph_sfft_free_big(out->diff);
            out->diff = NULL;
            st = fit_and_difference(e, p, min_rcond, fit, nx, ny, out);
        }
        out->nclip = nc;
    }
    free(sig);
    free(fit);
    fit = NULL;
    if (!st && in->stars && in->stars->n > 0) {
        ph_timing_begin("residuals");
        st = residuals(in, kref, ksci, out);
        ph_timing_end();
    }
    if (!st) {
        ph_sfft_kernel_centre(&out->sol, out->match_kernel);
        /* The PSF of both cross-convolved images (§4), cropped to the
         * science PSF's size; normalised to sum 1 as the stamp contract
         * asks, the flux inside the crop kept as PSFFRAC. */
        ph_sfft_conv_psf(in->psf_sci, in->n_sci, in->psf_ref, in->n_ref, out->conv_psf);
        double s = 0, s0 = 0;
        for (long i = 0; i < in->n_sci * in->n_sci; i++) {
            s += out->conv_psf[i];
            s0 += in->psf_sci[i];
        }
        out->conv_frac = s / s0;
        for (long i = 0; i < in->n_sci * in->n_sci; i++)
            out->conv_psf[i] /= s;
    }
    free(kref);
    free(ksci);
    if (st)
        sub_out_free(out);
    return st;
}

void sub_out_free(sub_out *out)
{
    ph_sfft_free_big(out->diff);
    ph_sfft_free_big(out->csci);
    ph_sfft_free_big(out->cref);
    free(out->mask);
    free(out->match_kernel);
    free(out->conv_psf);
    ph_sfft_solution_free(&out->sol);
    memset(out, 0, sizeof *out);
}
