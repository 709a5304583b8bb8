/* lc.c -- see lc.h. */
#include "lc.h"
#include "log.h"
#include "util.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

typedef struct keyed {
    const ph_lc_row *r;
    int idx; /* input order */
} keyed;

/* The identity of a pair: both images, by name, observation id and SCA. */
static int cmp_pair(const ph_lc_row *a, const ph_lc_row *b)
{
    int c;
    if ((c = strcmp(a->science_name, b->science_name)) ||
        (c = strcmp(a->template_name, b->template_name)) ||
        (c = strcmp(a->observation_id, b->observation_id)) ||
        (c = strcmp(a->template_observation_id, b->template_observation_id)))
        return c;
    if (a->sca != b->sca)
        return a->sca < b->sca ? -1 : 1;
    if (a->template_sca != b->template_sca)
        return a->template_sca < b->template_sca ? -1 : 1;
    return 0;
}

static int cmp_pair_then_input(const void *pa, const void *pb)
{
    const keyed *a = pa, *b = pb;
    int c = cmp_pair(a->r, b->r);
    return c ? c : (a->idx > b->idx) - (a->idx < b->idx);
}

static int cmp_mjd(const void *pa, const void *pb)
{
    const keyed *a = pa, *b = pb;
    double x = a->r->mjd, y = b->r->mjd;
    int nx = isnan(x), ny = isnan(y);
    if (nx != ny)
        return nx - ny; /* NaN last */
    if (!nx && x != y)
        return x < y ? -1 : 1;
    int c;
    if ((c = strcmp(a->r->science_name, b->r->science_name)) ||
        (c = strcmp(a->r->template_name, b->r->template_name)))
        return c;
    return (a->idx > b->idx) - (a->idx < b->idx);
}

int lc_collate(ph_lc_rows *rows, int dup_policy, int *ndropped)
{
    int n = rows->n;
    *ndropped = 0;
    if (n == 0)
        return PH_OK;
    keyed *k = ph_malloc((size_t)n * sizeof *k, "light-curve sort keys");
    ph_lc_row *out = ph_malloc((size_t)n * sizeof *out, "light-curve rows");
    if (!k || !out) {
        free(k);
        free(out);
        return PH_EFAIL;
    }
    for (int i = 0; i < n; i++)
        k[i] = (keyed){&rows->r[i], i};

    /* Duplicates: equal pairs sit together, in input order. */
    qsort(k, (size_t)n, sizeof *k, cmp_pair_then_input);
    int m = 0;
    for (int i = 0; i < n; i++) {
        if (i + 1 < n && !cmp_pair(k[i].r, k[i + 1].r)) {
            if (dup_policy == LC_DUP_ERROR) {
                const ph_lc_row *a = k[i].r, *b = k[i + 1].r;
                int st = ph_error(PH_EFAIL, b->file,
                                  "line %d: pair %s - %s already given (%s line %d); "
                                  "use --duplicates last to keep the later row",
                                  b->line, b->science_name, b->template_name, a->file, a->line);
                free(k);
                free(out);
                return st;
            }
            (*ndropped)++;
            continue; /* a later row of the same pair follows: it wins */
        }
        k[m++] = k[i];
    }

    qsort(k, (size_t)m, sizeof *k, cmp_mjd);
    for (int i = 0; i < m; i++)
        out[i] = *k[i].r;
    memcpy(rows->r, out, (size_t)m * sizeof *out);
    rows->n = m;
    free(k);
    free(out);
    return PH_OK;
}

/* Count distinct values of a string field over the rows (n is small: a
 * light curve has tens to hundreds of rows, so O(n^2) is fine). */
static int count_distinct(const ph_lc_rows *rows, size_t off)
{
    int nd = 0;
    for (int i = 0; i < rows->n; i++) {
        const char *s = (const char *)&rows->r[i] + off;
        int seen = 0;
        for (int j = 0; j < i && !seen; j++)
            seen = !strcmp(s, (const char *)&rows->r[j] + off);
        nd += !seen;
    }
    return nd;
}

void lc_summarize(const ph_lc_rows *rows, lc_summary *s)
{
    memset(s, 0, sizeof *s);
    s->nrows = rows->n;
    s->mjd_min = s->mjd_max = NAN;
    for (int i = 0; i < rows->n; i++) {
        const ph_lc_row *r = &rows->r[i];
        s->nfailed += !r->success;
        if (isnan(r->mjd)) {
            s->nnan_mjd++;
            continue;
        }
        if (!(r->mjd >= s->mjd_min))
            s->mjd_min = r->mjd;
        if (!(r->mjd <= s->mjd_max))
            s->mjd_max = r->mjd;
    }
    s->nscience = count_distinct(rows, offsetof(ph_lc_row, science_name));
    s->ntemplates = lc_template_groups(rows, NULL, NULL);
}

static int same_template(const ph_lc_row *a, const ph_lc_row *b)
{
    return !strcmp(a->template_name, b->template_name) &&
           !strcmp(a->template_observation_id, b->template_observation_id) &&
           a->template_sca == b->template_sca;
}

int lc_template_groups(const ph_lc_rows *rows, int *group, int *first)
{
    int ng = 0;
    for (int i = 0; i < rows->n; i++) {
        int g = -1;
        for (int j = 0; j < i && g < 0; j++)
            if (same_template(&rows->r[i], &rows->r[j]))
                g = group ? group[j] : -2;
        if (g == -2) /* counting only: already seen */
            continue;
        if (g < 0) {
            g = ng++;
            if (first)
                first[g] = i;
        }
        if (group)
            group[i] = g;
    }
    return ng;
}

void lc_template_label(const ph_lc_row *row, char *buf, size_t size)
{
    if (row->template_observation_id[0])
        snprintf(buf, size, "%s/%ld", row->template_observation_id, row->template_sca);
    else
        snprintf(buf, size, "%s", row->template_name[0] ? row->template_name : "?");
}

double lc_mag_ab(const ph_lc_row *row)
{
    if (!(row->flux > 0) || !isfinite(row->flux) || !isfinite(row->zpt))
        return NAN;
    return -2.5 * log10(row->flux) + row->zpt;
}

double lc_mag_err(const ph_lc_row *row)
{
    if (!(row->flux > 0) || !isfinite(row->flux) || !isfinite(row->flux_err))
        return NAN;
    /* 2.5 / ln 10 = 1.0857...: phrosty's mag_err (pipeline-reference §4.3) */
    return 2.5 / log(10.0) * fabs(row->flux_err / row->flux);
}
