/* ui.h -- ph-import's parameters and their option table: each option's
 * type, range, default and config key, in one place (common/base/cli.h). */
#ifndef PH_IMPORT_UI_H
#define PH_IMPORT_UI_H

#include "base/cli.h"

typedef struct import_ui {
    const char *output;   /* -o */
    const char *hdu;      /* NULL: the first 2-D image */
    const char *noise, *var, *mask; /* plane files, or NULL */
    const char *det;      /* detection mask file, "all" or "none" */
    const char *psf, *psf_out;
    const char *band;     /* NULL: the FILTER key */
    long psf_size;        /* 0: the PSF as it is */
    double skyrms;        /* 0: estimated */
    double mjd, zpt;      /* NaN: the header's */
    int nan_outside;
} import_ui;

extern const ph_opt import_options[];

/* The values before any option: the table's defaults, and NaN where the
 * header decides. */
void import_ui_init(import_ui *u);

/* The handler of the options with a check of their own (--psf-size,
 * --skyrms). */
int import_ui_handle(ph_cli *cli, int key, const char *arg);

#endif
