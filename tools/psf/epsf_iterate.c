/* epsf_iterate.c -- the outer iterations of the ePSF fit (epsf.c's top
 * comment) and the seeding of the first core model. */
#include "epsf_priv.h"
#include "base/log.h"
#include "sci/stats.h"
#include "base/util.h"

#include <math.h>
#include <stdlib.h>

/* Outer iterations on model e (see the top of the file); stops early
 * when no centre moves by more than 1e-4 px. first: the first weights
 * from the data (no model yet). */
int epsf_iterate(const ctx *c, epsf_model *e, star *stars, int ns, const epsf_params *p,
                 double *chi, int nmin, int niter, int first, int fix_centres, const char *file)
{
    system_t S = {.g = e->g, .ng = e->g * e->g, .nb = 49L * e->nterm * e->nterm, .T = e->nterm};
    S.band = ph_malloc((size_t)S.ng * S.nb * sizeof *S.band, "ePSF normal matrix");
    S.rhs = ph_malloc((size_t)e->nterm * S.ng * sizeof *S.rhs, "ePSF normal matrix");
    int st = S.band && S.rhs ? PH_OK : PH_EFAIL;
    for (int it = 0; !st && it < niter; it++) {
        if ((st = epsf_solve_model(c, e, stars, ns, p, first && it == 0, &S)))
            break;
        double cx, cy;
        moments mo;
        epsf_normalise(e, &cx, &cy, &mo);
        int nuse = 0;
        double moved = 0;
        /* The model follows the stars (by its centroid at the image's
         * centre): the weights and the flux refit below use it where they
         * now are, rather than 2 centroids away from the data. */
        if ((st = epsf_shift_model(e, cx, cy)))
            break;
        for (int k = 0; k < ns; k++)
            if (stars[k].use) {
                double x = stars[k].x, y = stars[k].y, sx, sy;
                epsf_centroid_at(e, &mo, x, y, &sx, &sy);
                stars[k].x += sx, stars[k].y += sy;
                epsf_refit(c, e, &stars[k], fix_centres, e->radius >= 8);
                /* only against the whole model (the core's first
                 * iterations are too rough to tell a hit from a misfit) */
                if (stars[k].use && e->radius >= 8 && epsf_clip_outliers(c, e, &stars[k]))
                    epsf_refit(c, e, &stars[k], fix_centres, e->radius >= 8);
                moved = fmax(moved, fmax(fabs(stars[k].x - x), fabs(stars[k].y - y)));
                if (stars[k].use)
                    chi[nuse++] = stars[k].chi2;
            }
        if (nuse < nmin) {
            st = ph_error(PH_EFAIL, file, "the ePSF fit kept only %d stars (%d needed)", nuse, nmin);
            break;
        }
        double med = ph_median(chi, (size_t)nuse);
        e->chi2 = med;
        int kept = 0;
        for (int k = 0; k < ns; k++)
            if (stars[k].use) {
                if (stars[k].chi2 > 3 * med && nuse - 1 >= nmin)
                    stars[k].use = 0, nuse--;
                else
                    kept++;
            }
        e->nstars = kept;
        ph_info("ePSF radius %d, iteration %d: %d stars, centroid shift (%.4f, %.4f) px, centres "
                "moved < %.4f px, median chi2 %.3f, FWHM %.4f px",
                e->radius, it + 1, kept, cx, cy, moved, med, epsf_fwhm(e, e->xc, e->yc));
        if (moved < 1e-4)
            break;
    }
    /* The centroid of the last solve was moved into the star centres: solve
     * once more about them (resampling the model instead would smooth it),
     * and move the model by what is left (a few 1e-4 px). */
    if (!st)
        st = epsf_solve_model(c, e, stars, ns, p, 0, &S);
    if (!st) {
        double cx, cy;
        epsf_normalise(e, &cx, &cy, NULL);
        ph_info("ePSF: final centroid offset (%.5f, %.5f) px", cx, cy);
        st = epsf_shift_model(e, cx, cy);
    }
    free(S.band);
    free(S.rhs);
    return st;
}

/* The first core model, from the brightest candidates whose width is
 * within 15% of the stellar locus (at most 40: among bright point-like
 * sources, stars outnumber compact galaxies and cosmic rays, whose counts
 * rise steeply towards faint fluxes), then every candidate judged by it:
 * its flux and centre refitted, its core chi^2 (epsf_core_chi2) must be below
 * 2, or 3 times the seeds' median if that is larger. Seeds whose median
 * is above 5 are no stars: an error. With fewer than nmin
 * such seeds, or for a model that varies over the image (whose stars'
 * widths vary with it), all candidates build the first model. */
int epsf_seed_core(const ctx *c, epsf_model *core, star *stars, int ns, const epsf_params *p,
                   double *chi, int nmin, double width, const char *file)
{
    int nseed = 0, cap = nmin > 40 ? nmin : 40;
    for (int k = 0; k < ns; k++) { /* brightest first */
        stars[k].use = nseed < cap && fabs(log(stars[k].rad / width)) <= 0.15;
        nseed += stars[k].use;
    }
    if (nseed < nmin || nseed == ns || p->order > 0) {
        for (int k = 0; k < ns; k++)
            stars[k].use = 1;
        return epsf_iterate(c, core, stars, ns, p, chi, nmin, 2, 1, 0, file);
    }
    int st = epsf_iterate(c, core, stars, ns, p, chi, nmin, 2, 1, 0, file);
    if (st)
        return st;
    int nk = 0;
    for (int k = 0; k < ns; k++)
        if (stars[k].use)
            chi[nk++] = epsf_core_chi2(c, core, &stars[k]);
    double med = ph_median(chi, (size_t)nk);
    /* Stars share one PSF: the brightest point-like sources that do not
     * (cosmic rays, blends) cannot seed a model. */
    if (!(med <= 5))
        return ph_error(PH_EFAIL, file,
                        "the %d brightest point-like sources do not share one PSF (median core "
                        "chi^2 %.3g against their common model): cosmic rays, blends or "
                        "galaxies, not stars; use a PSF model (a25:, file:, roman)",
                        nk, med);
    double lim = fmax(2, 3 * med);
    int added = 0, nout = 0;
    for (int k = 0; k < ns; k++) {
        star *s = &stars[k];
        if (s->use)
            continue;
        nout++;
        s->use = 1;
        epsf_refit(c, core, s, 0, 0);
        if (s->use && epsf_core_chi2(c, core, s) <= lim)
            added++;
        else
            s->use = 0;
    }
    ph_info("ePSF: the %d brightest stars near the locus gave the first core model; %d of the %d "
            "other candidates fit it (core chi2 <= %.3g)",
            nk, added, nout, lim);
    return PH_OK;
}
