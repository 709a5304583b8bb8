/* lcecsv.h -- the light curve as ECSV 1.0 (--ecsv), the text format that
 * astropy and snappl read natively with types, units and metadata
 * (pipeline-reference §5.1 recommends it for a port without Parquet).
 *
 * The header is '#' lines: "%ECSV 1.0", "---", delimiter ',', the
 * datatype list (name, unit, datatype, description of each column, as in
 * the .meta.yaml), the meta mapping (phrosty's Lightcurve metadata) and
 * "schema: astropy-2.0"; then the same comma-separated header row and data
 * rows as the CSV. An unknown zpt_nstars is written as an empty field
 * (ECSV's masked value), since an int64 column cannot hold NaN.
 * astropy.table.Table.read(path) gives success as bool and units on the
 * columns; pandas.read_csv(path, comment='#') reads it too.
 */
#ifndef PH_LCECSV_H
#define PH_LCECSV_H

#include "lcmeta.h"

int lc_ecsv_write(FILE *f, const ph_lc_rows *rows, const lc_meta *m);

#endif
