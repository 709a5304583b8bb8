/* lightcurve.h -- the light-curve row: phrosty's 20 columns (in phrosty's
 * order), our three zero-point columns and three of the difference image's
 * quality, read from and written to CSV.
 *
 * The schema is pipeline-reference.md §5.1 (snappl's Lightcurve as phrosty
 * fills it; the order is asserted by phrosty's test_pipeline_run) followed
 * by the extras of HACKING.md's "Photometry row" contract:
 *
 *    1 mjd  2 flux  3 flux_err  4 zpt  5 NEA  6 sky_rms  7 observation_id
 *    8 sca  9 pix_x  10 pix_y  11 science_name  12 template_name
 *   13 science_id  14 template_id  15 template_observation_id
 *   16 template_sca  17 aperture_sum  18 mag  19 mag_err  20 success
 *   21 zpt_source  22 zpt_nstars  23 zpt_scatter
 *   24 res_nstars  25 res_zmed  26 res_zp90 (the static-star residuals of
 *      the decorrelated difference, RESNSTAR, RESZMED, RESZP90 of
 *      DECORR_DIFF: common/sci/resid.h; NaN when not measured)
 *
 * ph-phot writes one such row per science x template pair; ph-lc collates
 * them. Text conventions are csv.h's: NaN is `nan` (an empty field also
 * reads as NaN), booleans `True`/`False`. pix_x/pix_y are 0-based science
 * pixels. flux, flux_err, aperture_sum and sky_rms are in image units
 * (counts per exposure); mag and mag_err are instrumental (no zpt).
 */
#ifndef PH_LIGHTCURVE_H
#define PH_LIGHTCURVE_H

#include "io/csv.h"

#include <stdio.h>

enum { PH_LC_FLOAT, PH_LC_INT, PH_LC_STR, PH_LC_BOOL };

typedef struct ph_lc_column {
    const char *name;     /* CSV header name */
    int type;             /* PH_LC_FLOAT ... */
    const char *unit;     /* astropy unit string, "" when none */
    const char *datatype; /* ECSV datatype: float64, int64, string, bool */
    const char *doc;      /* one line, for metadata files and man pages */
} ph_lc_column;

#define PH_LC_NPHROSTY 20 /* phrosty's columns */
#define PH_LC_NCOLS 26    /* + zpt_source, zpt_nstars, zpt_scatter, res_nstars, res_zmed,
                           * res_zp90 */
extern const ph_lc_column ph_lc_columns[PH_LC_NCOLS];

/* Column index (0-based) by name, or -1. */
int ph_lc_column_index(const char *name);

typedef struct ph_lc_row {
    double mjd, flux, flux_err, zpt, nea, sky_rms;
    char observation_id[64];
    long sca;
    double pix_x0, pix_y0; /* 0-based */
    char science_name[256], template_name[256];
    char science_id[128], template_id[128];
    char template_observation_id[64];
    long template_sca;
    double aperture_sum, mag, mag_err;
    int success;
    /* extras; when a file lacks them: "" / NaN / NaN */
    char zpt_source[16];
    double zpt_nstars; /* a whole number, or NaN when unknown */
    double zpt_scatter;
    double res_nstars, res_zmed, res_zp90; /* NaN when not measured */
    /* where the row came from, for messages */
    const char *file;
    int line;
} ph_lc_row;

/* A growing array of rows. */
typedef struct ph_lc_rows {
    int n, cap;
    ph_lc_row *r;
} ph_lc_rows;

/* Append the rows of a table read by ph_csv_table_read() from `path` (used in
 * messages; each row's `file` points at `path`, which must outlive the
 * rows). The header must name the 20 phrosty columns (any order); the six
 * extras are optional; other columns are dropped with a warning. A data row
 * that repeats the header names (concatenated CSVs on stdin, in any column
 * order) starts a new section. Errors name the file, line and column:
 * "line 4: column flux: 'abc' is not a number". */
int ph_lc_rows_add_table(ph_lc_rows *rows, const ph_table *t, const char *path);
/* Append one row (copied). */
int ph_lc_rows_push(ph_lc_rows *rows, const ph_lc_row *row);
void ph_lc_rows_free(ph_lc_rows *rows);

/* A row with the identity fields empty and every measurement NaN,
 * success false: the start of a row for a pair whose photometry failed. */
void ph_lc_row_init(ph_lc_row *row);

/* Set the column called `name` of `row` from its CSV text, parsed as
 * ph_lc_rows_add_table() parses a cell; errors name `where` ("column sca:
 * 'x' is not a whole number", "'foo' is not a light-curve column"). */
int ph_lc_row_set(ph_lc_row *row, const char *name, const char *text, const char *where);

/* Write the header line (all PH_LC_NCOLS columns) / one row, CSV. */
void ph_lc_write_header(FILE *f);
void ph_lc_write_row(FILE *f, const ph_lc_row *row);

/* The text of column `col` of `row` as written to CSV (buf >= 320 bytes). */
void ph_lc_format_cell(const ph_lc_row *row, int col, char *buf, size_t size);

#endif
