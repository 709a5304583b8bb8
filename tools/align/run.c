/* run.c -- see run.h. */
#include "run.h"

#include "io/header.h"
#include "base/log.h"
#include "outhdr.h"
#include "io/image.h"
#include "sci/pixmap.h"
#include "io/psfstamp.h"
#include "stars.h"
#include "base/timing.h"
#include "base/util.h"
#include "io/wcs.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The template PSF: --psf, else the template's PSF HDU. */
static int load_psf(const align_params *p, const char *tpath, ph_image *tpl, ph_psf *psf)
{
    memset(psf, 0, sizeof *psf);
    if (p->psf)
        return ph_psfstamp_read(p->psf, NULL, psf);
    if (!tpl->psf)
        return ph_error(PH_EUSAGE, tpath,
                        "the template has no PSF HDU; give its PSF stamp with --template-psf FILE");
    if (ph_psfstamp_check(tpl->psf, tpl->psf_size, tpl->psf_size, tpath))
        return PH_EFAIL;
    psf->n = tpl->psf_size;
    psf->data = tpl->psf;
    tpl->psf = NULL;
    return PH_OK;
}

/* Where to measure the orientation: the PSF's own position (PSFX, PSFY on
 * the template) when it has one on the image, else the template centre --
 * always the centre in SFFT mode, as SFFT does (§3.7). */
static void anchor(const align_params *p, const ph_psf *psf, const ph_image *tpl, double *ax,
                   double *ay)
{
    *ax = (tpl->nx - 1) / 2.0;
    *ay = (tpl->ny - 1) / 2.0;
    double x, y;
    if (p->psf_mode != ALIGN_PSF_SFFT && psf->hdr && !ph_header_get_double(psf->hdr, "PSFX", &x) &&
        !ph_header_get_double(psf->hdr, "PSFY", &y) && x >= -0.5 && x <= tpl->nx - 0.5 &&
        y >= -0.5 && y <= tpl->ny - 0.5) {
        *ax = x;
        *ay = y;
    }
}

int align_run(const align_params *p, const char *tpath)
{
    ph_image sci = {0}, tpl = {0};
    ph_wcs *swcs = NULL, *twcs = NULL;
    ph_psf psf = {0};
    ph_pixmap *map = NULL;
    align_planes out = {0};
    double *rpsf = NULL;
    ph_header *hdr = NULL;
    int st;

    ph_timing_begin("read");
    st = ph_image_read(p->target, 0, &sci); /* header and size only */
    if (!st)
        st = ph_wcs_from_header(sci.hdr, p->target, &swcs);
    if (!st)
        st = ph_image_read(tpath, PH_PLANE_ALL, &tpl);
    if (!st)
        st = ph_wcs_from_header(tpl.hdr, tpath, &twcs);
    if (!st)
        st = load_psf(p, tpath, &tpl, &psf);
    ph_timing_end();
    if (!st && sci.meta.band[0] && tpl.meta.band[0] && strcmp(sci.meta.band, tpl.meta.band))
        st = ph_error(PH_EFAIL, tpath, "template band %s differs from the science band %s",
                      tpl.meta.band, sci.meta.band);

    ph_timing_begin("map");
    double margin = ph_interp_radius(p->ro.kernel) + 1.0;
    if (!st)
        st = ph_pixmap_make(swcs, sci.nx, sci.ny, twcs, tpl.nx, tpl.ny, p->map_step, p->map_tol,
                            margin, &map);
    int overlaps = st ? 0 : align_overlaps(map, tpl.nx, tpl.ny);
    if (overlaps < 0)
        st = PH_EFAIL;
    else if (!st && !overlaps)
        st = ph_error(PH_EFAIL, tpath,
                      "the template does not overlap the science image %s (no science pixel "
                      "maps inside it)",
                      p->target);
    ph_timing_end();
    if (!st)
        ph_info("mapping: step %ld px, error %.2g px (%ld check points)", map->step, map->maxerr,
                map->nchecked);

    ph_timing_begin("psf");
    align_geom g = {0};
    double ax = 0, ay = 0, psum = 0, m[2][2] = {{1, 0}, {0, 1}}, norm = 1;
    ph_ovpsf rov = {0};
    /* With an oversampled PSF the template's stars are always found and
     * listed (STARS: ph-subtract measures the residuals there); the psf
     * method also draws them instead of interpolating them. */
    int listed = !st && psf.ov, stars = listed && p->method == METHOD_PSF;
    if (!st && p->method == METHOD_PSF && !psf.ov)
        ph_notice("%s: the template PSF has no EPSF HDU (an oversampled model: ph-psf writes one); "
                  "its stars are interpolated, which changes their shapes on an undersampled "
                  "image",
                  p->psf ? p->psf : tpath);
    if (!st) {
        anchor(p, &psf, &tpl, &ax, &ay);
        st = align_geometry(swcs, twcs, tpl.nx, tpl.ny, map, ax, ay, &g);
    }
    if (!st && !(rpsf = ph_malloc((size_t)psf.n * psf.n * sizeof *rpsf, "rotated PSF")))
        st = PH_EFAIL;
    if (!st && listed) {
        /* science offsets -> template offsets: the inverse of the local map */
        ph_psfrotate_mat2_inverse(g.rot.jac, m);
        st = align_stars_psf(psf.ov, m, psf.n, &rov, rpsf, &norm, p->psf ? p->psf : tpath);
        psum = 1 / norm;
    }
    if (!st && !stars) {
        align_psf(psf.data, psf.n, &g, p->psf_mode, p->ro.kernel, rpsf, &psum);
        if (!(psum > 0))
            st = ph_error(PH_EFAIL, p->psf ? p->psf : tpath,
                          "the PSF has no positive flux after rotation into the science frame");
    }
    ph_timing_end();

    ph_timing_begin("stars");
    ph_ptsrc *src = NULL;
    long nsrc = 0;
    if (listed)
        st = align_stars_fit(tpl.sci, tpl.var, tpl.mask, tpl.nx, tpl.ny, psf.ov, &p->stars, stars,
                             tpath, &src, &nsrc);
    ph_timing_end();

    ph_timing_begin("resample");
    align_opts ro = p->ro;
    ro.area_ratio = st ? 1 : g.area_ratio;
    align_stats stats = {0};
    if (!st) {
        align_planes in = {tpl.nx, tpl.ny, tpl.sci, tpl.var, tpl.mask};
        st = align_resample(map, &in, &ro, &out, &stats);
    }
    ph_timing_end();

    ph_timing_begin("stars");
    ph_startab placed = {0};
    if (!st && listed) {
        double det = fabs(m[0][0] * m[1][1] - m[0][1] * m[1][0]);
        double fac = ro.flux == ALIGN_FLUX_NONE ? 1.0 : ro.flux == ALIGN_FLUX_MEAN ? g.area_ratio
                                                                                 : 1 / det;
        st = align_stars_place(src, nsrc, twcs, swcs, &rov, fac * norm / det, stars, &out,
                               &placed);
        if (!st)
            ph_info("%ld point sources fitted on the template, %ld %s on the science grid", nsrc,
                    placed.n, stars ? "drawn" : "listed");
    }
    free(src);
    ph_timing_end();
    free(tpl.sci), free(tpl.var), free(tpl.mask);
    tpl.sci = tpl.var = NULL, tpl.mask = NULL;

    ph_timing_begin("write");
    if (!st) {
        double applied = ro.flux == ALIGN_FLUX_MEAN ? g.area_ratio
                         : ro.flux == ALIGN_FLUX_NONE ? 1.0
                                                      : NAN;
        align_keys k = {.kernel = ro.kernel,
                        .var_linear = ro.var_linear,
                        .flux = ro.flux,
                        .psf_mode = p->psf_mode,
                        .geom = &g,
                        .area_applied = applied,
                        .overlap = (double)stats.n_inside / ((double)sci.nx * sci.ny),
                        .map = map,
                        .psf_sum = psum,
                        .method = p->method == METHOD_PSF ? "psf" : "phrosty",
                        .nstars = stars ? placed.n : -1,
                        .target = p->target,
                        .template = tpath};
        st = align_output_header(tpl.hdr, &tpl.meta, sci.hdr, &k, &hdr);
    }
    if (!st) {
        ph_image o = {.nx = out.nx, .ny = out.ny, .sci = out.sci, .var = out.var,
                      .mask = out.mask, .psf = rpsf, .psf_size = psf.n, .hdr = hdr,
                      .meta = tpl.meta, .psf_ov = stars ? &rov : NULL};
        ph_fits_out fo;
        st = ph_fits_create(&fo, p->output, 0);
        if (!st && (ph_image_write_hdus(&fo, &o) || (listed && ph_startab_write(&fo, &placed))))
            st = PH_EFAIL;
        if (!st)
            st = ph_fits_commit(&fo);
        else if (fo.f || fo.tmp[0])
            ph_fits_abort(&fo);
    }
    ph_timing_end();
    if (!st)
        ph_info("overlap %.4f, shift (%.3f, %.3f) px, rotation %.4f deg%s, area ratio %.6f, "
                "%ld BAD",
                (double)stats.n_inside / ((double)sci.nx * sci.ny), g.shift_x, g.shift_y,
                g.rot.flip ? g.rot.beta_deg : g.rot.alpha_deg, g.rot.flip ? " after a flip" : "",
                g.area_ratio, stats.n_bad);

    ph_header_free(hdr);
    ph_startab_free(&placed);
    ph_ovpsf_free(&rov);
    free(rpsf);
    align_planes_free(&out);
    ph_pixmap_free(map);
    ph_psfstamp_free(&psf);
    ph_wcs_free(swcs);
    ph_wcs_free(twcs);
    ph_image_free(&sci);
    ph_image_free(&tpl);
    return st;
}
