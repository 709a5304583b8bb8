/* lcopts.h -- ph-lc's options: the table, the parameters they set, and
 * their checks (the handler ph_cli_parse calls for the command line and
 * the config alike). */
#ifndef PH_LC_OPTS_H
#define PH_LC_OPTS_H

#include "base/cli.h"

enum {
    K_OUTPUT = 'o', K_BAND = 'b', K_RA = 'r', K_DEC = 'd',
    K_LTCV_DIR = 256, K_OID, K_RA_ERR, K_DEC_ERR, K_IAU, K_DIAOBJ, K_PROV, K_LSB, K_META,
    K_NO_META, K_DUP, K_TRUTH, K_TRUTH_DT, K_PLOT, K_PLOT_SIZE, K_PRINT, K_TITLE, K_ECSV, K_FAILURE_ROW,
};

extern const ph_opt lc_opts[];

typedef struct lc_params {
    const char *output, *ltcv_dir, *oid, *band, *iau, *diaobj, *prov, *meta, *truth, *plot,
        *title, *ecsv;
    int ltcv_dir_on_cli, no_meta, dup, print, plot_format, plot_w, plot_h, failure_row;
    double ra, dec, ra_err, dec_err, lsb, truth_dt;
} lc_params;

/* The defaults, before the options. */
void lc_params_init(lc_params *p);

/* ph_cli's handler: cli->ctx is the lc_params. */
int lc_handle_option(ph_cli *cli, int key, const char *arg);

#endif
