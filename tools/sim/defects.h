/* defects.h -- the bad pixels of a detector: hot pixels (a high dark
 * current), dead pixels and dead columns. They belong to the SCA, not to
 * the exposure: every image of SCA n has them at the same detector pixels,
 * whatever the scene or its seed. An image smaller than an SCA is its
 * centred cut-out and holds the defects that fall inside it.
 *
 * As the OU2024 look-alike sample (../shared/data/ou2024-lookalike): about
 * 400 flagged pixels per SCA (DQ 1), three quarters hot, one quarter dead
 * (SCI 0). Its hot pixels hold 1000 to 30000 e- above the sky, uniformly,
 * in 302 s: ph-sim gives each a dark current uniform in 3.3 ... 100 e-/s,
 * drawn (Poisson) on each exposure.
 */
#ifndef SIM_DEFECTS_H
#define SIM_DEFECTS_H

#include "sim.h"

typedef struct sim_defects {
    long nhot, ndead, ncol;
    long *hot;          /* pixel index y * nx + x in the image */
    double *hot_rate;   /* e-/s */
    long *dead;         /* pixel index */
    long *col;          /* x of each dead column in the image */
} sim_defects;

/* The defects of SCA `sca` inside an image of p->nx x p->ny (p's counts per
 * SCA: hot_pixels, bad_pixels, bad_columns). */
int sim_defects_get(const sim_params *p, long sca, sim_defects *d);
void sim_defects_free(sim_defects *d);

#endif
