/* startab.c -- see startab.h. */
#include "io/startab.h"

#include "base/log.h"
#include "base/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NCOL 9
static const char *const names[NCOL] = {"X",     "Y",       "FLUX", "TX",   "TY",
                                        "TFLUX", "FLUXERR", "CHI2", "DRAWN"};
static const char *const units[NCOL] = {"pix", "pix", NULL, "pix", "pix", NULL, NULL, NULL, NULL};

static double **column(ph_startab *t, int k)
{
    double **c[NCOL] = {&t->x,     &t->y,       &t->flux, &t->tx,   &t->ty,
                        &t->tflux, &t->fluxerr, &t->chi2, &t->drawn};
    return c[k];
}

int ph_startab_alloc(ph_startab *t, long n)
{
    memset(t, 0, sizeof *t);
    double *buf = ph_calloc((size_t)(n > 0 ? n : 1) * NCOL, sizeof *buf, "star table");
    if (!buf)
        return PH_EFAIL;
    for (int k = 0; k < NCOL; k++)
        *column(t, k) = buf + (size_t)k * (size_t)(n > 0 ? n : 1);
    t->n = n;
    return PH_OK;
}

void ph_startab_free(ph_startab *t)
{
    free(t->x);
    memset(t, 0, sizeof *t);
}

int ph_startab_read(const char *path, ph_startab *t, int *found)
{
    memset(t, 0, sizeof *t);
    *found = 0;
    ph_fits fp;
    if (ph_fits_open(&fp, path))
        return PH_EFAIL;
    if (!ph_fits_has_hdu(&fp, "STARS")) {
        ph_fits_close(&fp);
        return PH_OK;
    }
    *found = 1;
    double *col[NCOL] = {NULL};
    long len[NCOL] = {0};
    int st = ph_fits_goto(&fp, "STARS");
    for (int k = 0; !st && k < NCOL; k++)
        st = ph_fits_read_column(&fp, names[k], &len[k], &col[k]);
    ph_fits_close(&fp);
    long n = len[0];
    for (int k = 1; !st && k < NCOL; k++)
        if (len[k] != n)
            st = ph_error(PH_EFAIL, path, "STARS: columns of different lengths");
    if (!st)
        st = ph_startab_alloc(t, n);
    for (int k = 0; !st && k < NCOL; k++)
        memcpy(*column(t, k), col[k], (size_t)n * sizeof(double));
    for (long i = 0; !st && i < n; i++)
        if (!isfinite(t->x[i]) || !isfinite(t->y[i]) || !isfinite(t->flux[i]))
            st = ph_error(PH_EFAIL, path, "STARS: row %ld is not finite", i + 1);
    for (int k = 0; k < NCOL; k++)
        free(col[k]);
    if (st)
        ph_startab_free(t);
    return st;
}

int ph_startab_write(ph_fits_out *o, const ph_startab *t)
{
    ph_column cols[NCOL];
    ph_startab *m = (ph_startab *)t; /* column() takes the addresses; nothing is written */
    for (int k = 0; k < NCOL; k++)
        cols[k] = (ph_column){names[k], units[k], *column(m, k), NULL};
    return ph_fits_write_table(o, "STARS", t->n, NCOL, cols, NULL);
}
