/* lcfail.h -- `ph-lc --failure-row`: the light-curve row of a pair whose
 * photometry could not run, written with lightcurve.h's columns, so that
 * ph-pipeline keeps no copy of them. */
#ifndef PH_LC_FAIL_H
#define PH_LC_FAIL_H

/* Write the header and one row to `output` (NULL or "-": stdout; a file
 * is written whole or not at all): every measurement NaN, success False,
 * and the columns given as COLUMN=VALUE in `args` (nargs of them) parsed
 * as a row file's cells are. success cannot be given; a column given
 * twice, an unknown column or a bad value is a usage error. */
int lc_failure_row(const char *output, int nargs, char **args);

#endif
