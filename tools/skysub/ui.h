/* ui.h -- ph-skysub's parameters and their option table: each option's
 * type, range, default and config key, in one place (common/cli.h). */
#ifndef PH_SKYSUB_UI_H
#define PH_SKYSUB_UI_H

#include "base/cli.h"
#include "io/image.h"
#include "skysub.h"
#include "variance.h"

typedef struct skysub_ui {
    const char *output;    /* -o; NULL: STEM_skysub.fits here */
    ph_input_opts in;      /* --hdu, --noise-hdu, --flags-hdu */
    skysub_params p;       /* the detection and sky settings */
    var_kind variance;     /* --variance */
    double gain, read_noise; /* NaN: the header's (or OpenUniverse2024's) */
    const char *check_dir; /* --check-images */
    const char *name;      /* --name: the file name of a streamed image */
    int print_meta;        /* --print-meta */
} skysub_ui;

extern const ph_opt skysub_options[];

/* The values before any option: the table's defaults, and NaN where the
 * image decides. */
void skysub_ui_init(skysub_ui *u);

/* The handler of the options with a grammar of their own (--saturation). */
int skysub_ui_handle(ph_cli *cli, int key, const char *arg);

#endif
