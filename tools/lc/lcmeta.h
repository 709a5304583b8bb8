/* lcmeta.h -- the light curve's companion metadata file (YAML).
 *
 * Why a companion file and not '#' lines in the CSV: pandas.read_csv()
 * without comment='#' turns such lines into a bogus header, so phrosty's
 * users' one-liner `pd.read_csv(path)` would break. The CSV stays plain;
 * <stem>.meta.yaml beside it holds phrosty's Lightcurve metadata
 * (pipeline-reference §5.1: provenance_id, diaobject_id,
 * diaobject_position_id, iau_name, band, ra, dec, ra_err, dec_err,
 * ra_dec_covar, local_surface_brightness_<band>), the column units and
 * types, a summary and our provenance (version, command line, inputs,
 * config file and the config values that matter).
 */
#ifndef PH_LCMETA_H
#define PH_LCMETA_H

#include "base/config.h"
#include "lc.h"

#include <stdio.h>

typedef struct lc_meta {
    const char *csv_name; /* file name of the light curve, or NULL (not written) */
    const char *oid, *band, *iau_name, *diaobject_id, *provenance_id; /* NULL: null */
    double ra, dec, ra_err, dec_err, local_sb; /* degrees / mag; NaN: null */
    const lc_summary *sum;
    int ndropped;           /* duplicate rows dropped */
    const char *duplicates; /* "error" or "last" */
    int ninputs;
    char **inputs;
    const int *input_rows; /* rows read from each input */
    const char *truth;     /* truth file or NULL */
    double truth_max_dt;
    int npulls;
    double pull_mean, pull_std;
    int argc;
    char **argv;
    const ph_config *cfg;
} lc_meta;

/* "<dir>/<stem>.meta.yaml" for "<dir>/<stem>.csv" (any other name: the
 * name + ".meta.yaml"). */
void lc_meta_path(const char *csv_path, char *out, size_t size);

/* Write the YAML document. */
int lc_meta_write(FILE *f, const lc_meta *m);

/* Pieces, for the ECSV header: phrosty's metadata fields as block-mapping
 * lines, each starting with `pfx`; one column's flow mapping
 * {name, unit, datatype, description} (no newline). */
void lc_meta_write_fields(FILE *f, const lc_meta *m, const char *pfx);
void lc_meta_write_column(FILE *f, int k);

#endif
