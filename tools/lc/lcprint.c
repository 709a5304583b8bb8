/* lcprint.c -- see lcprint.h. */
#include "lcprint.h"
#include "lctruth.h"
#include "base/log.h"
#include "sci/stats.h"
#include "base/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { NCOL_MAX = 11, CELL = 48 };

static void num(char *buf, const char *fmt, double v)
{
    if (isfinite(v))
        snprintf(buf, CELL, fmt, v);
    else
        snprintf(buf, CELL, "-");
}

int lc_print_table(FILE *f, const ph_lc_rows *rows, const double *true_flux)
{
    static const char *head[NCOL_MAX] = {"mjd",   "science", "template", "flux", "flux_err",
                                         "mag",   "mag_err", "zpt",      "status",
                                         "true_flux", "pull"};
    static const int left[NCOL_MAX] = {0, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0};
    int ncol = true_flux ? 11 : 9;
    size_t nlines = (size_t)rows->n + 1;
    char(*cell)[NCOL_MAX][CELL] = ph_malloc(nlines * sizeof *cell, "table");
    if (!cell)
        return PH_EFAIL;
    int width[NCOL_MAX] = {0};
    for (int c = 0; c < ncol; c++)
        snprintf(cell[0][c], CELL, "%s", head[c]);
    for (int i = 0; i < rows->n; i++) {
        const ph_lc_row *r = &rows->r[i];
        char(*L)[CELL] = cell[i + 1];
        num(L[0], "%.4f", r->mjd);
        snprintf(L[1], CELL, "%.30s/%ld", r->observation_id, r->sca);
        lc_template_label(r, L[2], CELL);
        num(L[3], "%.6g", r->flux);
        num(L[4], "%.4g", r->flux_err);
        num(L[5], "%.3f", lc_mag_ab(r));
        num(L[6], "%.3f", lc_mag_err(r));
        num(L[7], "%.4f", r->zpt);
        snprintf(L[8], CELL, "%s", r->success ? "ok" : "FAILED");
        if (true_flux) {
            num(L[9], "%.6g", true_flux[i]);
            num(L[10], "%+.2f", lc_pull(r, true_flux[i]));
        }
    }
    for (size_t i = 0; i < nlines; i++)
        for (int c = 0; c < ncol; c++) {
            int w = (int)strlen(cell[i][c]);
            if (w > width[c])
                width[c] = w;
        }
    for (size_t i = 0; i < nlines; i++) {
        for (int c = 0; c < ncol; c++)
            fprintf(f, "%s%*s", c ? "  " : "", left[c] ? -width[c] : width[c], cell[i][c]);
        fputc('\n', f);
    }
    free(cell);
    return PH_OK;
}

void lc_summary_line(char *buf, size_t size, const char *name, const lc_summary *s)
{
    char range[96] = "no MJD";
    if (isfinite(s->mjd_min))
        snprintf(range, sizeof range, "MJD %.4f to %.4f", s->mjd_min, s->mjd_max);
    snprintf(buf, size, "%s%s%d pair%s (%d failed), %d science x %d template%s, %s%s", name,
             *name ? ": " : "", s->nrows, s->nrows == 1 ? "" : "s", s->nfailed, s->nscience,
             s->ntemplates, s->ntemplates == 1 ? "" : "s", range,
             s->nnan_mjd ? " (some rows without MJD)" : "");
}

int lc_pull_line(char *buf, size_t size, const double *pull, int n)
{
    int k = 0;
    for (int i = 0; i < n; i++)
        k += isfinite(pull[i]);
    if (!k) {
        snprintf(buf, size, "no pulls: no successful row matched the truth");
        return 0;
    }
    double mean, std;
    ph_mean_std(pull, (size_t)n, &mean, &std);
    snprintf(buf, size, "pull (flux - true)/flux_err over %d row%s: mean %+.3f, std %.3f", k,
             k == 1 ? "" : "s", mean, std);
    return k;
}
