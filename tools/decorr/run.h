/* run.h -- ph-decorr's settings, as ui.c's option table fills them, and
 * the run: open the difference file, make the filter and the output
 * header (run.c), stream each product plane through one FFT buffer
 * (products.c), then commit every file or none. */
#ifndef PH_DECORR_RUN_H
#define PH_DECORR_RUN_H

#include "diffio.h"
#include "io/fits.h"
#include "pair.h"
#include "quality.h"

typedef struct dc_opts {
    const char *output;
    dc_sources src;
    long psf_size;    /* 0: the size of the PSF of the difference */
    long kernel_size; /* 0: dc_default_kernel_size */
    const char *score_file;
    int score_hdu;
    long threads; /* 0: every CPU */
    const char *quicklook; /* PNG to write, or NULL */
    const char *phrosty_dir; /* also phrosty's single-image files here */
} dc_opts;

/* phrosty's single-image files (pipeline.py: dia_out_dir/<prefix><S>-<T>),
 * in the order they are written. */
enum { PF_DIFF, PF_DECORR_DIFF, PF_ZPTIMG, PF_VAR, PF_PSF, PF_N };

typedef struct dc_run {
    const dc_opts *o;
    dc_input in;
    dc_pair pair;
    double *conv;       /* the PSF of the difference (in.conv.data or computed) */
    long n_conv;
    ph_decorr *d;
    ph_header *hdr;     /* DIFF header + settings: on every full plane */
    ph_fits_out out, score;
    ph_fits_out pf[PF_N]; /* --phrosty-dir: phrosty's files */
    int warned_diff;
    dc_quality q;       /* the static-star residuals, the quick-look boxes */
} dc_run;

/* Decorrelate r->in.path (set by the caller, with r->o) into every output
 * the options ask for: all committed, or none on an error. */
int dc_run_all(dc_run *r);
/* Free what the run holds, after dc_run_all whatever it returned. */
void dc_run_free(dc_run *r);

/* Errors of the array code name no file: attach the input's name. */
int dc_blame(const char *path);

#endif
