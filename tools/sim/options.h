/* options.h -- ph-sim's options as parsed (main.c), before the band's
 * defaults are known, and what turns them into the run: args.c parses the
 * compound arguments (A,B pairs, NXxNY, roll lists), params.c applies the
 * options given over the band's defaults, run.c runs the commands (scene,
 * psf, stamp): the scene is built by sim.c (sca.c, galaxy.c, counts.c),
 * rendered by render.c (cosmic.c, defects.c) and written by io.c. */
#ifndef SIM_OPTIONS_H
#define SIM_OPTIONS_H

#include "base/cli.h"
#include "sci/romanpsf_cli.h"
#include "sim.h"

/* Option keys; the Roman-PSF block's are romanpsf_cli.h's. */
enum {
    O_SIZE = 256, O_SEED, O_TEMPLATES, O_SCIENCE, O_MJD, O_TMJD, O_CADENCE, O_RA, O_DEC, O_ROT,
    O_ROTRANGE, O_DITHER, O_SCA, O_POINTING, O_DISTORT, O_NSTARS, O_NGAL, O_STARMAGS, O_GALMAGS,
    O_CATALOG, O_INJECT, O_NOHOST, O_NOTRANS, O_OID, O_SNMAG, O_SNPEAK, O_SNRISE, O_SNFALL,
    O_SNOFF, O_EXPTIME, O_SKY, O_SKYGRAD, O_RDNOISE, O_DARK, O_SATURATE, O_NONOISE, O_BADPIX,
    O_BADCOL, O_PSF, O_JITVARY, O_PSFOVER, O_PSFSIZE, O_NOPSFFILES, O_PHASE, O_STAMPSIZE,
    O_COSMIC, O_FLAGCR, O_HOTPIX, O_FLAGSAT, O_MAGDIST, O_SQUARE, O_ROLLS
};

typedef struct sim_opts {
    sim_params p; /* the run's parameters (sim_opts_finish) */
    double rolls[SIM_MAX_ROLLS];
    int nrolls;
    const char *out, *band, *catalog, *inject, *psfmodel;
    long nx, ny, nstars, ngal, psf_size, stamp_size;
    int psf_over, psf_files;
    double phase[2];
    ph_romanpsf_cli rpsf; /* --jitter, --nlambda, --wfe, --obscuration, --diffusion */
    /* Numeric options whose defaults depend on the band are stored here and
     * applied after parsing (sim_params_defaults resets them). */
    sim_params set;
    unsigned long long given; /* bit per option key - O_SIZE */
} sim_opts;

#define SIM_GIVEN(c, k) (((c)->given >> ((k) - O_SIZE)) & 1ULL)

/* Compound arguments (args.c): each records a usage error naming the
 * value's source and returns PH_EUSAGE, else PH_OK. */
int sim_arg_int(ph_cli *cli, const char *arg, long lo, long hi, int *out);
int sim_arg_rolls(ph_cli *cli, const char *arg, sim_opts *c); /* --rolls DEG,... */
int sim_arg_pair(ph_cli *cli, const char *arg, double v[2]);  /* A,B */
int sim_arg_size(ph_cli *cli, const char *arg, long *nx, long *ny); /* NX[xNY] */
int sim_arg_odd(ph_cli *cli, const char *arg, long lo, long hi, const char *what, long *out);
int sim_arg_phase(ph_cli *cli, const char *arg, double phase[2]); /* DX,DY in [-0.5, 0.5] */

/* The final parameters c->p (params.c): the band's defaults, then every
 * option given; PH_EUSAGE (recorded) for inconsistent options. */
int sim_opts_finish(sim_opts *c);

/* The commands (run.c). */
int sim_run_scene(sim_opts *c);
int sim_run_psf(sim_opts *c, int stamp);

#endif
