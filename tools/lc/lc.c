/* lc.c -- see lc.h. */
#define _GNU_SOURCE /* qsort_r */
#include "lc.h"
#include "base/log.h"
#include "base/util.h"

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

/* Keys of template identity and science name, for sorting row indices. */
static int cmp_template(const ph_lc_row *a, const ph_lc_row *b)
{
    int c;
    if ((c = strcmp(a->template_name, b->template_name)) ||
        (c = strcmp(a->template_observation_id, b->template_observation_id)))
        return c;
    return (a->template_sca > b->template_sca) - (a->template_sca < b->template_sca);
}

static int cmp_science(const ph_lc_row *a, const ph_lc_row *b)
{
    return strcmp(a->science_name, b->science_name);
}

typedef struct idx_ctx {
    const ph_lc_row *r;
    int (*cmp)(const ph_lc_row *, const ph_lc_row *);
} idx_ctx;

static int cmp_idx(const void *pa, const void *pb, void *vctx)
{
    const idx_ctx *x = vctx;
    int a = *(const int *)pa, b = *(const int *)pb;
    int c = x->cmp(&x->r[a], &x->r[b]);
    return c ? c : (a > b) - (a < b);
}

static int cmp_int(const void *pa, const void *pb)
{
    int a = *(const int *)pa, b = *(const int *)pb;
    return (a > b) - (a < b);
}

/* Group the rows by `cmp`, groups numbered in order of first appearance:
 * group[i] (may be NULL), first[g] (may be NULL). O(n log n): light curves
 * of tens of thousands of rows (merged surveys) stay fast. Returns the
 * number of groups, or -1 out of memory (error recorded). */
static int group_rows(const ph_lc_rows *rows, int (*cmp)(const ph_lc_row *, const ph_lc_row *),
                      int *group, int *first)
{
    int n = rows->n;
    if (n == 0)
        return 0;
    int *idx = ph_malloc((size_t)n * sizeof *idx, "row groups");
    int *head = ph_malloc((size_t)n * sizeof *head, "row groups");
    int *rank = ph_malloc((size_t)n * sizeof *rank, "row groups");
    if (!idx || !head || !rank) {
        free(idx);
        free(head);
        free(rank);
        return -1;
    }
    for (int i = 0; i < n; i++)
        idx[i] = i;
    idx_ctx ctx = {rows->r, cmp};
    qsort_r(idx, (size_t)n, sizeof *idx, cmp_idx, &ctx);
    /* runs of equal keys; a run's first element is its smallest index */
    int ng = 0;
    for (int k = 0; k < n; k++)
        if (k == 0 || cmp(&rows->r[idx[k]], &rows->r[idx[k - 1]]))
            head[ng++] = idx[k];
    qsort(head, (size_t)ng, sizeof *head, cmp_int); /* order of first appearance */
    if (first)
        memcpy(first, head, (size_t)ng * sizeof *head);
    if (group) {
        for (int g = 0; g < ng; g++)
            rank[head[g]] = g;
        int g = -1;
        for (int k = 0; k < n; k++) {
            if (k == 0 || cmp(&rows->r[idx[k]], &rows->r[idx[k - 1]]))
                g = rank[idx[k]];
            group[idx[k]] = g;
        }
    }
    free(idx);
    free(head);
    free(rank);
    return ng;
}

void lc_summarize(const ph_lc_rows *rows, lc_summary *s)
{
    memset(s, 0, sizeof *s);
    s->nrows = rows->n;
    s->mjd_min = s->mjd_max = NAN;
    s->res_zmed_max = s->res_zp90_max = NAN;
    for (int i = 0; i < rows->n; i++) {
        const ph_lc_row *r = &rows->r[i];
        s->nfailed += !r->success;
        if (r->res_nstars > 0 && isfinite(r->res_zmed)) {
            s->res_pairs++;
            s->res_above5 += r->res_zmed > 5;
            if (!(r->res_zmed <= s->res_zmed_max))
                s->res_zmed_max = r->res_zmed;
            if (!(r->res_zp90 <= s->res_zp90_max))
                s->res_zp90_max = r->res_zp90;
        }
        if (isnan(r->mjd)) {
            s->nnan_mjd++;
            continue;
        }
        if (!(r->mjd >= s->mjd_min))
            s->mjd_min = r->mjd;
        if (!(r->mjd <= s->mjd_max))
            s->mjd_max = r->mjd;
    }
    s->nscience = group_rows(rows, cmp_science, NULL, NULL);
    s->ntemplates = group_rows(rows, cmp_template, NULL, NULL);
}

int lc_template_groups(const ph_lc_rows *rows, int *group, int *first)
{
    return group_rows(rows, cmp_template, group, first);
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
