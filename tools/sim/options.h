/* options.h -- what turns ph-sim's options (ui.h, ui.c: the table and
 * what it fills, before the band's defaults are known) into the run: args.c parses the
 * compound arguments (A,B pairs, NXxNY, roll lists), params.c applies the
 * options given over the band's defaults, run.c runs the commands (scene,
 * psf, stamp): the scene is built by sim.c (sca.c, galaxy.c, counts.c),
 * rendered by render.c (cosmic.c, defects.c) and written by io.c. */
#ifndef SIM_OPTIONS_H
#define SIM_OPTIONS_H

#include "base/cli.h"
#include "sci/romanpsf_cli.h"
#include "sim.h"
#include "ui.h" /* sim_opts: the options as parsed, and their table */

/* Compound arguments (args.c): each records a usage error naming the
 * value's source and returns PH_EUSAGE, else PH_OK. */
int sim_arg_rolls(ph_cli *cli, const char *arg, sim_opts *c); /* --rolls DEG,... */
int sim_arg_size(ph_cli *cli, const char *arg, long *nx, long *ny); /* NX[xNY] */
int sim_arg_phase(ph_cli *cli, const char *arg, double phase[2]); /* DX,DY in [-0.5, 0.5] */

/* The final parameters c->p (params.c): the band's defaults, then every
 * option given; PH_EUSAGE (recorded) for inconsistent options. */
int sim_opts_finish(sim_opts *c);

/* The commands (run.c). */
int sim_run_scene(sim_opts *c);
int sim_run_psf(sim_opts *c, int stamp);

#endif
