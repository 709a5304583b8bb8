/* lcprint.h -- the human-readable light curve (--print) and the one-line
 * summary (-v, --print). */
#ifndef PH_LCPRINT_H
#define PH_LCPRINT_H

#include "lc.h"

#include <stdio.h>

/* An aligned table, one line per row: mjd, science observation/SCA,
 * template, flux, flux_err, AB magnitude and error, status; with
 * `true_flux` (one value per row, NaN where no truth matched) also the
 * true flux and the pull (flux - true) / flux_err. */
int lc_print_table(FILE *f, const ph_lc_rows *rows, const double *true_flux);

/* "20172782 Y106: 12 pairs (1 failed), 11 science x 1 template, MJD
 * 62000.0213 to 62060.5000" */
void lc_summary_line(char *buf, size_t size, const char *name, const lc_summary *s);

/* Pull statistics over the finite pulls: "pull (flux - true)/flux_err over
 * 11 rows: mean +0.05, std 1.02"; "no pulls" text when none. Returns the
 * number of finite pulls. */
int lc_pull_line(char *buf, size_t size, const double *pull, int n);

#endif
