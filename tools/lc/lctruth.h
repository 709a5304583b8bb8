/* lctruth.h -- the true light curve, for --truth: read it, match it to the
 * measured rows, and the pulls (flux - true) / flux_err.
 *
 * A truth file is a CSV (csv.h tables) with at least the columns `mjd` and
 * `flux` (same units as the light curve's flux: counts per exposure);
 * `observation_id` and `sca` are used when present (ph-sim writes
 * <out>/truth/transient_<oid>_<band>.csv with mjd, observation_id, sca,
 * flux, mag, x, y).
 */
#ifndef PH_LCTRUTH_H
#define PH_LCTRUTH_H

#include "io/lightcurve.h"

typedef struct lc_truth {
    int n;
    double *mjd, *flux;
    char (*obsid)[64]; /* NULL when the file has no observation_id */
    long *sca;         /* NULL when the file has no sca */
} lc_truth;

/* Read a truth file; errors name the file, line and column. NaN fluxes are
 * allowed; an MJD must be a number. */
int lc_truth_read(const char *path, lc_truth *t);
void lc_truth_free(lc_truth *t);

/* For each row, the truth entry it matches, or -1:
 * - when the truth has observation_id and the row has one: the entry with
 *   the same observation_id (and the same sca when the truth has sca); the
 *   nearest in MJD among several;
 * - otherwise the entry nearest in MJD, if within max_dt_days.
 * Rows without an MJD match only by observation_id. */
void lc_truth_match(const lc_truth *t, const ph_lc_row *rows, int n, double max_dt_days,
                    int *match);

/* The pull (flux - true) / flux_err of a successful row with a finite
 * flux, flux_err > 0 and a finite true flux; NaN otherwise. */
double lc_pull(const ph_lc_row *row, double true_flux);

#endif
