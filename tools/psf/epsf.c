/* epsf.c -- an empirical PSF from the stars of an image (see psf.h).
 *
 * The model is the effective PSF (flux fraction per native pixel) sampled
 * on a grid `oversamp` times finer than the pixels, read between grid
 * points with Keys' bicubic kernel (interp.h). Every pixel of every star is
 * one exact sample of it at offset (pixel - star centre), scaled by the
 * star's flux, so with the centres and fluxes fixed the grid values are the
 * solution of a weighted linear least-squares problem
 *
 *     min  sum_pixels w (d - F_s sum_t P_t(x_s, y_s) B(u, v) m_t)^2
 *          + lambda |second differences of m_t|^2
 *
 * (B: the 16 bicubic weights; P_t: 1, or the terms of a polynomial in the
 * star's position for --epsf-order 1 or 2). Its normal matrix is banded
 * (a grid point meets the points within 3 in x and y: 49 entries a term
 * pair), built in one pass over the pixels and solved by conjugate
 * gradients. This differs from photutils' EPSFBuilder, which averages
 * residuals on the nearest grid point and smooths them: the least-squares
 * grid needs no smoothing kernel, which would widen an undersampled core.
 *
 * Outer iterations: solve the grid; normalise it (unit flux; the
 * variation terms carry no flux); move every star by the model's centroid
 * at its position and the model by its centroid at the image centre (that
 * fixes the translations the problem leaves free, a constant one and, with
 * a varying model, one that varies with the position); refit each star's
 * flux, and centre where the centres are free, to the model (Gauss-Newton);
 * drop stars whose reduced chi^2 is far above the median (galaxies, blends,
 * cosmic rays). Weights are 1 / (rms^2 + model / gain).
 *
 * Stages: (1) the core of the model (a few px) with the requested order,
 * the centres free; for a constant model (order 0) then the joint fit of
 * core and centres (epsf_joint_core); (2) the whole model with those centres
 * fixed (moved only by the centroid above).
 *
 * Star candidates: detections (detect.h) at `thresh` x rms that are not
 * deblended, truncated or forced, whose box of the model's size lies on the
 * image without a bad pixel or a pixel above 0.8 x saturation, with no
 * brighter-than-1% neighbour's segment in the box (fainter neighbours'
 * pixels are left out), S/N >= snr, and a half-light radius that is
 * star-like (within 0.7 ... 1.3 of the 30th percentile of the candidates').
 *
 * This file holds the stages; the model, the linear problem, the star
 * fits, the iterations and the joint fit are epsf_*.c (epsf_priv.h lists
 * them), the choice of stars epsf_stars.c.
 */
#include "sci/detect.h"
#include "epsf_priv.h"
#include "base/log.h"
#include "psf.h"
#include "ui.h" /* psf_options: the defaults of the options */
#include "base/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The options' defaults are ph-psf's table's (ui.c), so that they are
 * written once; the rest are the fit's own. */
void epsf_defaults(epsf_params *p)
{
    params u;
    memset(&u, 0, sizeof u);
    ph_cli_defaults(psf_options, NULL, &u); /* they parse (tests/cli) */
    *p = u.ep;
    p->radius = 20; /* ph-psf's own default is half its stamp size */
    p->kmax = 0;
    p->lattice_weight = 1;
    p->band_weight = 100;
    p->niter_core = 12;
    p->lm = 0.1;
    p->reg = 1e-4;
    p->gain = 1;
    p->saturate = NAN;
    p->fwhm_ref = 0;
}

int epsf_min_stars(int order) { return order == 0 ? 30 : order == 1 ? 60 : 120; }

/* Can the stars have supported this model? A model from too few stars
 * fits them better than their noise allows (its grid absorbs the noise:
 * median reduced chi^2 0.2 to 0.45 from 8 to 16 stars on the OU2024
 * look-alikes, 0.73 to 0.95 from 24 to 55); one built on blends or
 * galaxies fits them badly; one built on cosmic rays is sharper than the
 * optics allow (a wider PSF than the band's is no error: defocus,
 * jitter, another telescope). (Its flux is the same at every phase by
 * construction: epsf_normalise().) */
static int check_model(const epsf_model *e, const epsf_params *p, const char *file)
{
    if (!(e->chi2 >= 0.5 && e->chi2 <= 3))
        return ph_error(PH_EFAIL, file,
                        e->chi2 < 0.5
                            ? "the ePSF fits its %d stars better than their noise (median reduced "
                              "chi^2 %.2f, below 0.5): too few stars for its grid; lower "
                              "--epsf-snr, or use a PSF model (a25:, file:, roman)"
                            : "the ePSF does not fit its %d stars (median reduced chi^2 %.2f, "
                              "above 3): blends, galaxies or a PSF that varies over the image "
                              "(--epsf-order 1)",
                        e->nstars, e->chi2);
    if (p->fwhm_ref > 0) {
        double w = epsf_fwhm(e, e->xc, e->yc);
        if (!(w >= 0.8 * p->fwhm_ref))
            return ph_error(PH_EFAIL, file,
                            "the ePSF from %d stars has a FWHM of %.2f px, sharper than the band's "
                            "optics allow (%.2f): its 'stars' are cosmic rays or hot pixels; use "
                            "a PSF model (a25:, file:, roman)",
                            e->nstars, w, p->fwhm_ref);
    }
    return PH_OK;
}

int epsf_find_stars(const float *img, const uint8_t *bad, long nx, long ny, double rms,
                    const epsf_params *p, int32_t **seg, star **stars, int *ns, double *rhalf,
                    double *width, const char *file)
{
    *seg = NULL;
    *stars = NULL;
    *ns = 0;
    if (!(rms > 0))
        return ph_error(PH_EFAIL, file, "the sky rms is not positive: cannot select stars");
    if (!(*seg = ph_malloc((size_t)nx * ny * sizeof **seg, "segmentation map")))
        return PH_EFAIL;
    ph_detect_params dp;
    ph_detect_defaults(&dp);
    dp.thresh = p->thresh * rms;
    ph_detection det = {0};
    int st = ph_detect(img, NULL, 0, nx, ny, &dp, NULL, *seg, &det);
    ctx c = {img, bad, *seg, nx, ny, rms * rms, p->gain > 0 ? p->gain : 1};
    if (!st)
        st = epsf_select_stars(&c, &det, p, stars, ns, rhalf, width);
    ph_detect_free(&det);
    return st;
}

int epsf_build(const float *img, const uint8_t *bad, long nx, long ny, double rms,
               const epsf_params *p, epsf_model *e, const char *file)
{
    memset(e, 0, sizeof *e);
    int32_t *seg = NULL;
    star *stars = NULL;
    int ns = 0;
    double rhalf = 1, width = 1;
    double t0 = ph_now();
    int st = epsf_find_stars(img, bad, nx, ny, rms, p, &seg, &stars, &ns, &rhalf, &width, file);
    double t2 = ph_now(), t1 = t2;
    ctx c = {img, bad, seg, nx, ny, rms * rms, p->gain > 0 ? p->gain : 1};
    int nmin = epsf_min_stars(p->order);
    if (!st && ns < nmin)
        st = ph_error(PH_EFAIL, file,
                      "only %d isolated unsaturated point-like stars with S/N >= %g (%d needed for "
                      "an order-%d ePSF); lower --epsf-snr, or use a PSF model (a25:, file:, "
                      "roman)",
                      ns, p->snr, nmin, p->order);
    epsf_model core = {0};
    double *chi = st ? NULL : ph_malloc((size_t)ns * sizeof *chi, "ePSF chi2");
    if (!st && !chi)
        st = PH_EFAIL;
    /* Stage 1: centres and shape of the core, many cheap iterations. */
    /* The core: 3 px, or 2.5 half-light radii for a wider PSF (6 at most). */
    int rc = (int)ceil(2.5 * rhalf);
    rc = rc < 3 ? 3 : rc > 6 ? 6 : rc;
    rc = p->radius < rc ? p->radius : rc;
    ph_info("ePSF: half-light radius %.2f px, core radius %d px", rhalf, rc);
    epsf_params pc = *p;
    /* A well-sampled PSF (half-light radius above 1.5 px) needs no fine
     * core grid to place the stars: 2 samples a pixel keep that step fast. */
    if (rhalf > 1.5 && pc.oversamp > 2)
        pc.oversamp = 2;
    if (!st)
        st = epsf_model_alloc(&core, &pc, rc, nx, ny);
    if (!st)
        st = epsf_seed_core(&c, &core, stars, ns, &pc, chi, nmin, width, file);
    /* The joint fit has one constant core model: on a PSF that varies
     * (order > 0) it does not converge (the constant model misfits the
     * stars at the edges), so there the centres are those of the varying
     * core model above. Stage 1 fits the core with the requested order for
     * the same reason: a constant core would reject the stars where the
     * PSF differs most from the mean (chi^2 cut), exactly those that
     * constrain the variation. */
    if (!st && p->order == 0)
        st = epsf_joint_core(&c, &core, stars, ns, &pc, p->niter_core, file);
    double t3 = ph_now();
    if (!st)
        ph_info("ePSF core model: FWHM %.4f px", epsf_fwhm(&core, core.xc, core.yc));
    epsf_free(&core);
    /* Stage 2: the whole model with those centres, then refined together. */
    if (!st)
        st = epsf_model_alloc(e, p, p->radius, nx, ny);
    if (!st)
        st = epsf_iterate(&c, e, stars, ns, p, chi, nmin, p->niter, 0, p->niter_core > 0 || p->order > 0, file);
    e->ncand = ns;
    ph_info("ePSF: %.2f s detection and stars, %.2f s core and centres, %.2f s model",
            t1 - t0, t3 - t2, ph_now() - t3);
    if (!st)
        st = check_model(e, p, file);
    for (int k = 0; !st && k < ns; k++)
        if (stars[k].use)
            ph_debug("ePSF star %.4f %.4f %.2f %.3f", stars[k].x, stars[k].y, stars[k].f,
                     stars[k].chi2);
    free(chi);
    epsf_stars_free(stars, ns);
    free(seg);
    if (st)
        epsf_free(e);
    return st;
}
