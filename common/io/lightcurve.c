/* lightcurve.c -- see lightcurve.h. */
#include "io/lightcurve.h"
#include "base/log.h"
#include "base/util.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Units: phrosty's QTable labels flux, flux_err and sky_rms "ct / s", but
 * the values are counts per exposure (pipeline-reference §1.1 and §8,
 * quirks); we write what they are. */
const ph_lc_column ph_lc_columns[PH_LC_NCOLS] = {
    {"mjd", PH_LC_FLOAT, "d", "float64", "science image MJD-OBS"},
    {"flux", PH_LC_FLOAT, "ct", "float64", "forced PSF flux on the decorrelated difference, counts per exposure"},
    {"flux_err", PH_LC_FLOAT, "ct", "float64", "1-sigma uncertainty of flux"},
    {"zpt", PH_LC_FLOAT, "mag", "float64", "AB zero point: m = -2.5 log10(flux) + zpt"},
    {"NEA", PH_LC_FLOAT, "pix2", "float64", "noise-equivalent area of the PSF, 1/sum(P^2)"},
    {"sky_rms", PH_LC_FLOAT, "ct", "float64", "science image sky rms (SKYRMS)"},
    {"observation_id", PH_LC_STR, "", "string", "science observation (pointing) id"},
    {"sca", PH_LC_INT, "", "int64", "science SCA"},
    {"pix_x", PH_LC_FLOAT, "pix", "float64", "transient x on the science image, 0-based"},
    {"pix_y", PH_LC_FLOAT, "pix", "float64", "transient y on the science image, 0-based"},
    {"science_name", PH_LC_STR, "", "string", "science image file name"},
    {"template_name", PH_LC_STR, "", "string", "template image file name"},
    {"science_id", PH_LC_STR, "", "string", "science image id (file stem without a database)"},
    {"template_id", PH_LC_STR, "", "string", "template image id"},
    {"template_observation_id", PH_LC_STR, "", "string", "template observation (pointing) id"},
    {"template_sca", PH_LC_INT, "", "int64", "template SCA"},
    {"aperture_sum", PH_LC_FLOAT, "ct", "float64", "r = 3 px aperture sum, background subtracted"},
    {"mag", PH_LC_FLOAT, "mag", "float64", "instrumental magnitude -2.5 log10(flux)"},
    {"mag_err", PH_LC_FLOAT, "mag", "float64", "1.0857 |flux_err / flux|"},
    {"success", PH_LC_BOOL, "", "bool", "photometry completed; false rows carry NaN measurements"},
    {"zpt_source", PH_LC_STR, "", "string", "where zpt came from: header or catalog"},
    {"zpt_nstars", PH_LC_INT, "", "int64", "stars used for a catalog zero point"},
    {"zpt_scatter", PH_LC_FLOAT, "mag", "float64", "scatter of the catalog zero point"},
    {"res_nstars", PH_LC_FLOAT, "", "float64",
     "static stars whose residuals were measured on the difference (RESNSTAR)"},
    {"res_zmed", PH_LC_FLOAT, "", "float64",
     "median of their max |z| in 5x5 on the decorrelated difference (RESZMED; ~2 at the noise)"},
    {"res_zp90", PH_LC_FLOAT, "", "float64", "90th percentile of those max |z| (RESZP90)"},
};

/* Where each column lives in ph_lc_row (same order as the schema). */
static const struct {
    size_t off, size;
} field[PH_LC_NCOLS] = {
#define F(m) {offsetof(ph_lc_row, m), sizeof(((ph_lc_row *)0)->m)}
    F(mjd), F(flux), F(flux_err), F(zpt), F(nea), F(sky_rms), F(observation_id), F(sca),
    F(pix_x0), F(pix_y0), F(science_name), F(template_name), F(science_id), F(template_id),
    F(template_observation_id), F(template_sca), F(aperture_sum), F(mag), F(mag_err),
    F(success), F(zpt_source), F(zpt_nstars), F(zpt_scatter), F(res_nstars), F(res_zmed),
    F(res_zp90),
#undef F
};

enum { COL_ZPT_NSTARS = 21 };

int ph_lc_column_index(const char *name)
{
    for (int k = 0; k < PH_LC_NCOLS; k++)
        if (!strcmp(ph_lc_columns[k].name, name))
            return k;
    return -1;
}

void ph_lc_row_init(ph_lc_row *row)
{
    memset(row, 0, sizeof *row);
    for (int k = 0; k < PH_LC_NCOLS; k++)
        if (ph_lc_columns[k].type == PH_LC_FLOAT || k == COL_ZPT_NSTARS)
            *(double *)((char *)row + field[k].off) = NAN;
}

/* ---- reading ------------------------------------------------------------ */

static int parse_bool(const char *s, int *out)
{
    if (!strcasecmp(s, "true") || !strcmp(s, "1"))
        *out = 1;
    else if (!strcasecmp(s, "false") || !strcmp(s, "0"))
        *out = 0;
    else
        return -1;
    return 0;
}

static int is_nan_text(const char *s) { return !*s || !strcasecmp(s, "nan"); }

/* Parse `text` into column k of `row`; messages name `path` and begin with
 * `at` ("line 4: ", or ""). */
static int parse_cell(ph_lc_row *row, int k, const char *text, const char *path, const char *at)
{
    const ph_lc_column *c = &ph_lc_columns[k];
    void *p = (char *)row + field[k].off;
    switch (c->type) {
    case PH_LC_FLOAT:
        if (is_nan_text(text)) {
            *(double *)p = NAN;
            return PH_OK;
        }
        if (ph_parse_double(text, p))
            return ph_error(PH_EFAIL, path, "%scolumn %s: '%s' is not a number", at,
                            c->name, text);
        return PH_OK;
    case PH_LC_INT: {
        long v;
        if (k == COL_ZPT_NSTARS && is_nan_text(text)) {
            *(double *)p = NAN;
            return PH_OK;
        }
        if (ph_parse_long(text, &v))
            return ph_error(PH_EFAIL, path, "%scolumn %s: '%s' is not a whole number",
                            at, c->name, text);
        if (k == COL_ZPT_NSTARS)
            *(double *)p = (double)v;
        else
            *(long *)p = v;
        return PH_OK;
    }
    case PH_LC_BOOL:
        if (parse_bool(text, p))
            return ph_error(PH_EFAIL, path, "%scolumn %s: '%s' is not True or False", at,
                            c->name, text);
        return PH_OK;
    default:
        if (ph_strlcpy(p, text, field[k].size) >= field[k].size)
            return ph_error(PH_EFAIL, path, "%scolumn %s: longer than %zu characters",
                            at, c->name, field[k].size - 1);
        return PH_OK;
    }
}

/* Set column `name` of `row` from its text, as a cell of a file is read. */
int ph_lc_row_set(ph_lc_row *row, const char *name, const char *text, const char *where)
{
    int k = ph_lc_column_index(name);
    if (k < 0)
        return ph_error(PH_EFAIL, where, "'%s' is not a light-curve column (%s, ... %s)", name,
                        ph_lc_columns[0].name, ph_lc_columns[PH_LC_NCOLS - 1].name);
    return parse_cell(row, k, text, where, "");
}

int ph_lc_rows_push(ph_lc_rows *rows, const ph_lc_row *row)
{
    if (rows->n == rows->cap) {
        int cap = rows->cap ? 2 * rows->cap : 64;
        ph_lc_row *r = realloc(rows->r, (size_t)cap * sizeof *r);
        if (!r)
            return ph_error(PH_EFAIL, row->file, "out of memory collecting light-curve rows");
        rows->r = r;
        rows->cap = cap;
    }
    rows->r[rows->n++] = *row;
    return PH_OK;
}

void ph_lc_rows_free(ph_lc_rows *rows)
{
    free(rows->r);
    memset(rows, 0, sizeof *rows);
}

/* Map schema columns to the table's: map[k] = table column or -1. Unknown
 * names are reported through *unknown (the first one). */
static int map_header(char *const *names, int ncols, int *map, const char *path,
                      const char *where, const char **unknown)
{
    for (int k = 0; k < PH_LC_NCOLS; k++)
        map[k] = -1;
    *unknown = NULL;
    for (int c = 0; c < ncols; c++) {
        int k = ph_lc_column_index(names[c]);
        if (k < 0) {
            if (!*unknown)
                *unknown = names[c];
            continue;
        }
        if (map[k] >= 0)
            return ph_error(PH_EFAIL, path, "%s: column %s appears twice", where, names[c]);
        map[k] = c;
    }
    for (int k = 0; k < PH_LC_NPHROSTY; k++)
        if (map[k] < 0)
            return ph_error(PH_EFAIL, path,
                            "%s: no column %s (a light-curve row has phrosty's 20 columns: "
                            "mjd, flux, ... success)", where, ph_lc_columns[k].name);
    return PH_OK;
}

/* A data row that is a header again: every cell names a schema column or a
 * column of the file's first header, and mjd is among them. No valid data
 * row can look like this (its mjd cell must be a number). */
static int is_header_row(const ph_table *t, int i)
{
    int has_mjd = 0;
    for (int c = 0; c < t->ncols; c++) {
        const char *s = ph_csv_table_cell(t, i, c);
        has_mjd |= !strcmp(s, "mjd");
        if (ph_lc_column_index(s) < 0 && ph_csv_table_col(t, s) < 0)
            return 0;
    }
    return has_mjd;
}

int ph_lc_rows_add_table(ph_lc_rows *rows, const ph_table *t, const char *path)
{
    int map[PH_LC_NCOLS];
    const char *unknown;
    char where[32];
    if (map_header(t->names, t->ncols, map, path, "header", &unknown))
        return PH_EFAIL;
    if (unknown)
        ph_warn("%s: column %s is not a light-curve column; dropped", path, unknown);
    for (int i = 0; i < t->nrows; i++) {
        if (is_header_row(t, i)) {
            snprintf(where, sizeof where, "line %d", t->lines[i]);
            if (map_header(t->cells + (size_t)i * t->ncols, t->ncols, map, path, where, &unknown))
                return PH_EFAIL;
            continue;
        }
        ph_lc_row row;
        ph_lc_row_init(&row);
        row.file = path;
        row.line = t->lines[i];
        char at[32];
        snprintf(at, sizeof at, "line %d: ", row.line);
        for (int k = 0; k < PH_LC_NCOLS; k++)
            if (map[k] >= 0 && parse_cell(&row, k, ph_csv_table_cell(t, i, map[k]), path, at))
                return PH_EFAIL;
        if (ph_lc_rows_push(rows, &row))
            return PH_EFAIL;
    }
    return PH_OK;
}

/* ---- writing ------------------------------------------------------------ */

void ph_lc_format_cell(const ph_lc_row *row, int k, char *buf, size_t size)
{
    const void *p = (const char *)row + field[k].off;
    switch (ph_lc_columns[k].type) {
    case PH_LC_FLOAT:
        ph_format_double(buf, size, *(const double *)p);
        /* a float column reads back as float (pandas takes "62450" for an
         * int64): a whole number is written "62450.0" */
        if (!strpbrk(buf, ".eEnNiI") && strlen(buf) + 3 <= size)
            strcat(buf, ".0");
        break;
    case PH_LC_INT:
        if (k == COL_ZPT_NSTARS) {
            double v = *(const double *)p;
            if (isfinite(v))
                snprintf(buf, size, "%.0f", v);
            else
                snprintf(buf, size, "nan");
        } else
            snprintf(buf, size, "%ld", *(const long *)p);
        break;
    case PH_LC_BOOL:
        snprintf(buf, size, "%s", *(const int *)p ? "True" : "False");
        break;
    default:
        snprintf(buf, size, "%s", (const char *)p);
    }
}

void ph_lc_write_header(FILE *f)
{
    ph_csv_out o;
    ph_csv_begin(&o, f);
    for (int k = 0; k < PH_LC_NCOLS; k++)
        ph_csv_str(&o, ph_lc_columns[k].name);
    ph_csv_end_row(&o);
}

void ph_lc_write_row(FILE *f, const ph_lc_row *row)
{
    ph_csv_out o;
    char buf[320];
    ph_csv_begin(&o, f);
    for (int k = 0; k < PH_LC_NCOLS; k++) {
        ph_lc_format_cell(row, k, buf, sizeof buf);
        ph_csv_str(&o, buf); /* quotes only strings that need them */
    }
    ph_csv_end_row(&o);
}
