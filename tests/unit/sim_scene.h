/* sim_scene.h -- a controlled ph-sim scene for the unit tests of ph-sim
 * (test_sim*.c): Y106, n x n pixels, no objects, one template and one
 * science epoch, on SCA 1, without cosmic rays or bad pixels (the tests of
 * those ask for them). The caller sets what it needs, then calls
 * sim_params_finish. */
#ifndef TEST_SIM_SCENE_H
#define TEST_SIM_SCENE_H

#include "sim.h"

static inline sim_scene sim_test_scene(long n)
{
    sim_scene s = {.itransient = -1};
    sim_params_defaults(&s.p, "Y106");
    s.p.nx = s.p.ny = n;
    s.p.nstars = s.p.ngalaxies = 0;
    s.p.host = s.p.transient = 0;
    s.p.ntemplates = 1;
    s.p.nscience = 1;
    s.p.sca = 1;
    s.p.cosmic_rays = 0;
    s.p.hot_pixels = s.p.bad_pixels = 0;
    return s;
}

/* The template's pixel grid on the sky for every epoch: no distortion,
 * rotation or dither. */
static inline void sim_test_fixed_grid(sim_params *p)
{
    p->distortion_px = 0;
    p->rot_range_deg = 0;
    p->dither_px = 0;
}

/* Only the objects' light: no sky and no dark current. */
static inline void sim_test_no_background(sim_params *p)
{
    p->sky_e = 0;
    p->dark_e_s = 0;
}

#endif
