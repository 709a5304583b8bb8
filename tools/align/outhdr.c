/* outhdr.c -- see outhdr.h. */
#include "outhdr.h"
#include "base/log.h"
#include "base/util.h"
#include "io/header.h"

#include <math.h>
#include <stdio.h>

int align_output_header(const ph_header *tpl, const ph_meta *tplmeta, const ph_header *sci,
                        const align_keys *k, ph_header **out)
{
    *out = NULL;
    ph_header *h = ph_header_copy(tpl);
    if (!h)
        return PH_EFAIL;
    const align_geom *g = k->geom;
    static const char *flux[] = {"none", "mean", "jacobian"};
    static const char *psfm[] = {"rotate", "affine", "sfft"};
    double area = isfinite(k->area_applied) ? k->area_applied : g->area_ratio;
    int st = ph_header_take_wcs(h, sci);
    st |= ph_header_meta_to_template(tplmeta, h);
    st |= ph_header_set_str(h, "ALKERNEL", ph_interp_name(k->kernel), "ph-align interpolation");
    st |= ph_header_set_str(h, "ALVARWT", k->var_linear ? "linear" : "squared",
                            "variance weights");
    st |= ph_header_set_double(h, "ALSHIFTX", g->shift_x, "[px] template x - science x at centre");
    st |= ph_header_set_double(h, "ALSHIFTY", g->shift_y, "[px] template y - science y at centre");
    st |= ph_header_set_double(h, "ALROT", g->rot.flip ? g->rot.beta_deg : g->rot.alpha_deg,
                               "[deg] CCW PSF rotation applied");
    st |= ph_header_set_double(h, "ALROTSF", g->rot.alpha_deg, "[deg] SFFT pattern rotation");
    st |= ph_header_set_bool(h, "ALFLIP", g->rot.flip, "parities differ: PSF mirrored in x");
    st |= ph_header_set_str(h, "ALPSFMOD", k->nstars >= 0 ? "epsf" : psfm[k->psf_mode],
                            "PSF transform");
    st |= ph_header_set_str(h, "ALMETHOD", k->method ? k->method : "phrosty", "ph-align method");
    if (k->nstars >= 0)
        st |= ph_header_set_long(h, "ALNSTAR", k->nstars, "stars drawn from the PSF model");
    st |= ph_header_set_double(h, "ALANCHX", g->anchor_x0, "[px] template x0 of orientation");
    st |= ph_header_set_double(h, "ALANCHY", g->anchor_y0, "[px] template y0 of orientation");
    st |= ph_header_set_double(h, "ALPSFSUM", k->psf_sum, "PSF sum before normalisation");
    st |= ph_header_set_double(h, "ALOVERLP", k->overlap, "fraction of pixels with data");
    st |= ph_header_set_double(h, "ALAREA", area, "pixel-area ratio applied (sci/tpl)");
    st |= ph_header_set_str(h, "ALFLUX", flux[k->flux], "flux scaling");
    st |= ph_header_set_long(h, "ALMAPSTP", k->map->step, "[px] exact WCS mapping grid step");
    st |= ph_header_set_double(h, "ALMAPERR", k->map->maxerr, "[px] measured mapping error bound");
    char text[600];
    snprintf(text, sizeof text, "ph-align: %s resampled onto the grid of %s",
             ph_path_basename(k->template), ph_path_basename(k->target));
    st |= ph_header_add_text(h, "HISTORY", text);
    if (st) {
        ph_header_free(h);
        return PH_EFAIL;
    }
    *out = h;
    return PH_OK;
}
