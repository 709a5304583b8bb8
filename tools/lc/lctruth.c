/* lctruth.c -- see lctruth.h. */
#include "lctruth.h"
#include "io/csv.h"
#include "base/log.h"
#include "base/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void lc_truth_free(lc_truth *t)
{
    free(t->mjd);
    free(t->flux);
    free(t->obsid);
    free(t->sca);
    memset(t, 0, sizeof *t);
}

int lc_truth_read(const char *path, lc_truth *t)
{
    memset(t, 0, sizeof *t);
    ph_table tab;
    if (ph_csv_table_read(path, &tab))
        return PH_EFAIL;
    int st = PH_OK;
    int cm = ph_csv_table_col(&tab, "mjd"), cf = ph_csv_table_col(&tab, "flux");
    int co = ph_csv_table_col(&tab, "observation_id"), cs = ph_csv_table_col(&tab, "sca");
    if (cm < 0 || cf < 0) {
        st = ph_error(PH_EFAIL, path, "a truth file needs columns mjd and flux (it has no %s)",
                      cm < 0 ? "mjd" : "flux");
        goto out;
    }
    if (tab.nrows == 0) {
        st = ph_error(PH_EFAIL, path, "the truth file has a header but no rows");
        goto out;
    }
    size_t n = (size_t)tab.nrows;
    t->mjd = ph_malloc(n * sizeof *t->mjd, "truth");
    t->flux = ph_malloc(n * sizeof *t->flux, "truth");
    if (co >= 0)
        t->obsid = ph_malloc(n * sizeof *t->obsid, "truth");
    if (cs >= 0)
        t->sca = ph_malloc(n * sizeof *t->sca, "truth");
    if (!t->mjd || !t->flux || (co >= 0 && !t->obsid) || (cs >= 0 && !t->sca)) {
        st = PH_EFAIL;
        goto out;
    }
    for (int i = 0; i < tab.nrows; i++) {
        const char *m = ph_csv_table_cell(&tab, i, cm), *f = ph_csv_table_cell(&tab, i, cf);
        if (ph_parse_double(m, &t->mjd[i]) || !isfinite(t->mjd[i])) {
            st = ph_error(PH_EFAIL, path, "line %d: column mjd: '%s' is not a number", tab.lines[i],
                          m);
            goto out;
        }
        if (!*f || !strcmp(f, "nan"))
            t->flux[i] = NAN;
        else if (ph_parse_double(f, &t->flux[i])) {
            st = ph_error(PH_EFAIL, path, "line %d: column flux: '%s' is not a number",
                          tab.lines[i], f);
            goto out;
        }
        if (t->obsid)
            ph_strlcpy(t->obsid[i], ph_csv_table_cell(&tab, i, co), sizeof t->obsid[i]);
        if (t->sca && ph_parse_long(ph_csv_table_cell(&tab, i, cs), &t->sca[i])) {
            st = ph_error(PH_EFAIL, path, "line %d: column sca: '%s' is not a whole number",
                          tab.lines[i], ph_csv_table_cell(&tab, i, cs));
            goto out;
        }
        t->n++;
    }
out:
    ph_csv_table_free(&tab);
    if (st)
        lc_truth_free(t);
    return st;
}

void lc_truth_match(const lc_truth *t, const ph_lc_row *rows, int n, double max_dt_days,
                    int *match)
{
    for (int i = 0; i < n; i++) {
        const ph_lc_row *r = &rows[i];
        int by_id = t->obsid && r->observation_id[0];
        int best = -1;
        double best_dt = INFINITY;
        for (int j = 0; j < t->n; j++) {
            if (by_id && (strcmp(t->obsid[j], r->observation_id) || (t->sca && t->sca[j] != r->sca)))
                continue;
            double dt = isnan(r->mjd) ? 0 : fabs(t->mjd[j] - r->mjd);
            if (!by_id && (isnan(r->mjd) || dt > max_dt_days))
                continue;
            if (dt < best_dt) {
                best_dt = dt;
                best = j;
            }
        }
        match[i] = best;
    }
}

double lc_pull(const ph_lc_row *row, double true_flux)
{
    if (!row->success || !isfinite(row->flux) || !(row->flux_err > 0) ||
        !isfinite(row->flux_err) || !isfinite(true_flux))
        return NAN;
    return (row->flux - true_flux) / row->flux_err;
}
