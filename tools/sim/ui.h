/* ui.h -- ph-sim's parameters as its options fill them, and their option
 * table: each option's type, range, default and config key, in one place
 * (common/cli.h). The typed rows write straight into the run's
 * sim_params; what depends on the band, the size or another option stays
 * NaN (or -1) until sim_opts_finish (params.c) derives it. */
#ifndef SIM_UI_H
#define SIM_UI_H

#include "base/cli.h"
#include "sci/romanpsf_cli.h"
#include "sim.h"

typedef struct sim_opts {
    sim_params p; /* the run's parameters; the band's part at sim_opts_finish */
    double rolls[SIM_MAX_ROLLS];
    int nrolls;
    const char *out, *band, *catalog, *inject, *psfmodel;
    long psf_size, stamp_size;
    int psf_over, no_psf_files;
    int no_host, no_transient, no_noise; /* the flags that turn p's host, transient, noise off */
    double phase[2];
    ph_romanpsf_cli rpsf; /* --jitter, --nlambda, --wfe, --obscuration, --diffusion */
} sim_opts;

extern const ph_opt sim_options[];

/* The values before any option: the table's defaults, those of the
 * options with a grammar of their own, and NaN (or -1) where the band,
 * the size or another option decides. */
void sim_opts_init(sim_opts *c);

/* The handler of the options with a grammar of their own: lists, pairs,
 * sizes, odd numbers, the band, the PSF model, the 64-bit seed and id,
 * --sca N|random, and --mag-dist (its message predates the typed table). */
int sim_ui_handle(ph_cli *cli, int key, const char *arg);

#endif
