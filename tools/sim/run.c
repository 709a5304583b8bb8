/* run.c -- ph-sim's commands once the parameters are final: the scene
 * (built by sim.c, each epoch rendered by render.c and written by io.c,
 * the lists last so that a scene with lists is complete), and the PSF
 * model file or native stamp of the psf and stamp commands. */
#include "options.h"

#include "galaxy.h"
#include "io.h"
#include "base/log.h"
#include "sca.h"
#include "base/timing.h"
#include "base/util.h"

#include <math.h>
#include <stdlib.h>

int sim_run_scene(sim_opts *c)
{
    sim_scene s = {.p = c->p, .itransient = -1};
    s.zpt = ph_band_zeropoint(s.p.band, s.p.exptime_s);
    int st = PH_OK;
    ph_timing_begin("scene");
    if (c->catalog)
        st = sim_read_catalog(c->catalog, &s, 0);
    if (!st && c->inject)
        st = sim_read_catalog(c->inject, &s, 1);
    if (!st)
        st = sim_scene_build(&s);
    if (!st && s.nepoch == 0)
        st = ph_error(PH_EUSAGE, NULL, "no epochs: give --templates or --science > 0");
    if (!st)
        st = ph_mkdir_p(c->out);
    ph_timing_end();
    ph_info("%d objects, %d epochs of %ldx%ld in %s", s.nobj, s.nepoch, s.p.nx, s.p.ny,
            s.p.band->name);
    int ne = s.nepoch ? s.nepoch : 1;
    double *lc = calloc((size_t)ne * 4, sizeof *lc);
    if (!st && !lc)
        st = ph_error(PH_EFAIL, NULL, "out of memory");
    for (int k = 0; k < s.nepoch && !st; k++) {
        const sim_epoch *e = &s.ep[k];
        ph_romanpsf_opts po;
        sim_epoch_psf(&s, e, &po);
        ph_timing_begin("psf");
        ph_romanpsf *psf = ph_romanpsf_new(&po);
        ph_timing_end();
        if (!psf) {
            st = PH_EFAIL;
            break;
        }
        sim_image img;
        ph_timing_begin("render");
        st = sim_render(&s, e, psf, &img);
        ph_timing_end();
        if (!st) {
            ph_timing_begin("write image");
            st = sim_write_image(sim_path(c->out, "images", &s, e), &s, e, &img);
            ph_timing_end();
        }
        if (!st) {
            ph_timing_begin("write truth");
            st = sim_write_truth(sim_path(c->out, "truth", &s, e), &s, &img);
            ph_timing_end();
        }
        if (!st && !c->no_psf_files) {
            ph_timing_begin("write psf");
            st = sim_write_psf_model(sim_path(c->out, "psf", &s, e), psf, c->psf_over, c->psf_size,
                                     s.p.nx, s.p.ny, e);
            ph_timing_end();
        }
        if (!st && s.itransient >= 0) {
            lc[k] = 0.0;
            lc[ne + k] = 0.0;
            lc[2 * ne + k] = lc[3 * ne + k] = NAN;
            for (int i = 0; i < img.ntruth; i++)
                if (img.truth[i].iobj == s.itransient) {
                    lc[k] = img.truth[i].flux;
                    lc[ne + k] = img.truth[i].realized;
                    lc[2 * ne + k] = img.truth[i].x0;
                    lc[3 * ne + k] = img.truth[i].y0;
                }
            if (isnan(lc[2 * ne + k]) && !e->is_template)
                lc[k] = sim_transient_flux(&s.p, e->mjd);
        }
        if (!st)
            ph_info("%s: %d objects drawn", sim_path(c->out, "images", &s, e), img.ntruth);
        sim_image_free(&img);
        ph_romanpsf_free(psf);
    }
    if (!st && s.itransient >= 0)
        st = sim_write_lightcurve(c->out, &s, lc, lc + ne, lc + 2 * ne, lc + 3 * ne);
    /* The lists last: a scene with lists is complete. */
    if (!st)
        st = sim_write_lists(c->out, &s);
    free(lc);
    sim_scene_free(&s);
    sersic_cache_free();
    return st;
}

int sim_run_psf(sim_opts *c, int stamp)
{
    if (c->p.sca > 0) /* that SCA's optics (sca.h) */
        c->p.psf.wfe_nm *= sim_sca_get(c->p.sca, 0).wfe_scale;
    ph_romanpsf *psf = ph_romanpsf_new(&c->p.psf);
    if (!psf)
        return PH_EFAIL;
    int st = stamp ? sim_write_stamp(c->out, psf, c->phase[0], c->phase[1], c->stamp_size)
                   : sim_write_psf_model(c->out, psf, c->psf_over, c->psf_size, c->p.nx, c->p.ny,
                                         NULL);
    ph_romanpsf_free(psf);
    return st;
}
