/* lc.h -- collate photometry rows into a light curve (arrays only, no I/O).
 *
 * The light curve is phrosty's (pipeline-reference §5.1): one row per
 * science x template pair, failed pairs kept with success false. Unlike
 * phrosty's current Parquet writer, whose row order follows the order the
 * pairs were processed (not deterministic with -p > 1), we sort by MJD as
 * phrosty's documented CSV (<oid>_<band>_all.csv, <= Oct 2025) was sorted,
 * then by science and template name, so the output never depends on the
 * order the inputs were given in.
 */
#ifndef PH_LC_H
#define PH_LC_H

#include "io/lightcurve.h"

/* What to do with two rows of the same pair (same science and template:
 * names, observation ids and SCAs all equal). */
enum { LC_DUP_ERROR, LC_DUP_LAST };

/* Sort `rows` by (mjd, science_name, template_name, input order); rows
 * with a NaN mjd go last. Duplicate pairs: LC_DUP_ERROR records an error
 * naming both places; LC_DUP_LAST keeps the row that came last in input
 * order (*ndropped counts the others). */
int lc_collate(ph_lc_rows *rows, int dup_policy, int *ndropped);

typedef struct lc_summary {
    int nrows, nfailed;
    int nscience, ntemplates; /* distinct images */
    int nnan_mjd;             /* rows without an MJD */
    double mjd_min, mjd_max;  /* over rows with an MJD; NaN if none */
    /* the static-star residuals of the rows' differences (res_* columns) */
    int res_pairs;            /* rows that carry them */
    double res_zmed_max;      /* the largest RESZMED (NaN without such rows) */
    double res_zp90_max;      /* the largest RESZP90 */
    int res_above5;           /* rows whose RESZMED exceeds 5: stars not at the noise */
} lc_summary;

void lc_summarize(const ph_lc_rows *rows, lc_summary *s);

/* Group rows by template in order of first appearance: group[i] for each
 * row; returns the number of groups. `first[g]` (may be NULL; room for
 * n entries) is the first row of group g. -1 when out of memory. */
int lc_template_groups(const ph_lc_rows *rows, int *group, int *first);

/* A short label for a template: "<obsid>/<sca>", or its file name when it
 * has no observation id. */
void lc_template_label(const ph_lc_row *row, char *buf, size_t size);

/* AB magnitude -2.5 log10(flux) + zpt and its error 1.0857 flux_err/flux
 * (pipeline-reference §4.3); NaN unless flux > 0 and zpt is finite. */
double lc_mag_ab(const ph_lc_row *row);
double lc_mag_err(const ph_lc_row *row);

#endif
