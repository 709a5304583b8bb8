/* ui.h -- ph-lc's parameters and their option table: each option's type,
 * range, default and config key, in one place (common/base/cli.h); the handler
 * checks the values with a grammar of their own (ph_cli_parse calls it for
 * the command line and the config alike). */
#ifndef PH_LC_UI_H
#define PH_LC_UI_H

#include "base/cli.h"

extern const ph_opt lc_opts[];

typedef struct lc_params {
    const char *output, *ltcv_dir, *oid, *band, *iau, *diaobj, *prov, *meta, *truth, *plot,
        *title, *ecsv;
    int ltcv_dir_on_cli, no_meta, dup, print, plot_format, plot_w, plot_h, failure_row;
    double ra, dec, ra_err, dec_err, lsb, truth_dt;
} lc_params;

/* The values before any option: the table's defaults, NaN for the
 * position, no plot format. */
void lc_params_init(lc_params *p);

/* ph_cli's handler: cli->ctx is the lc_params. */
int lc_handle_option(ph_cli *cli, int key, const char *arg);

#endif
