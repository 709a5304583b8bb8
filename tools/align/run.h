/* run.h -- ph-align's settings, as ui.c's option table fills them, and
 * the run: read both images and the template PSF, map the science grid
 * onto the template, carry the PSF and the stars into the science frame,
 * resample, write the aligned template. main.c only parses and checks the
 * options; the steps, in order, are here (the arithmetic of each in
 * align.c, resample.c, stars.c, outhdr.c). */
#ifndef ALIGN_RUN_H
#define ALIGN_RUN_H

#include "align.h"
#include "sci/ptsrc.h"
#include "resample.h"

enum { METHOD_PSF = 0, METHOD_PHROSTY = 1 };

typedef struct align_params {
    const char *target, *template, *psf, *output; /* --science, --template, --template-psf, -o */
    align_opts ro;
    align_psf_mode psf_mode;
    long map_step;
    double map_tol;
    int method;                 /* METHOD_* */
    int interp;                 /* --interp: PH_INTERP_*; -1: the method's (ro.kernel is set
                                   from it after the parse) */
    ph_ptsrc_opts stars;
} align_params;

/* Align p->template (the path tpath) onto p->target's grid and write
 * p->output; errors are recorded (log.h) and returned. */
int align_run(const align_params *p, const char *tpath);

#endif
