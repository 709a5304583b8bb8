/* csv.h -- phrosty's image lists, and CSV tables read and written so that
 * pandas and astropy agree with us.
 *
 * Image lists: a header line `path observation_id sca mjd band`, then one
 * image per line, fields separated by blanks (phrosty's files) or commas.
 * Blank lines and lines starting with '#' are skipped.
 *
 * Tables: a header row of column names and rows of fields, separated by
 * commas (quoted fields with "" escapes, RFC 4180) or, when the header line
 * has no comma, by runs of blanks. Lines starting with '#' are comments.
 *
 * Writing: NaN as "nan", booleans as "True"/"False" (what pandas writes and
 * reads back as bool), strings quoted only when they must be, numbers with
 * enough digits to round-trip.
 */
#ifndef PH_CSV_H
#define PH_CSV_H

#include <stdio.h>

/* ---- image lists ---- */

typedef struct ph_imlist_entry {
    char path[1024];
    char obsid[64];
    long sca;
    double mjd;
    char band[16];
    int line; /* line number in the file, for messages */
} ph_imlist_entry;

typedef struct ph_imlist {
    int n;
    ph_imlist_entry *e;
} ph_imlist;

/* Read a list; errors name the file and line (bad header, wrong number of
 * fields, a negative or non-whole sca, an mjd that is not a finite number,
 * empty list). ph-config imlist prints it for scripts (ph-pipeline). */
int ph_csv_imlist_read(const char *path, ph_imlist *list);
void ph_csv_imlist_free(ph_imlist *list);

/* ---- tables ---- */

typedef struct ph_table {
    int ncols, nrows;
    char **names;  /* ncols */
    char **cells;  /* nrows * ncols, row-major; "" for empty */
    int *lines;    /* line number of each row */
    char **comments; /* '#' lines before the header, without the '#' */
    int ncomments;
} ph_table;

/* Read a table from `path` ("-" = stdin). A file with a header and no rows
 * is a valid empty table; an empty file or a ragged row is an error. */
int ph_csv_table_read(const char *path, ph_table *t);
/* Append the rows of `path` to `t`: its header must have the same columns
 * (in any order; rows are reordered to t's columns). */
int ph_csv_table_append(ph_table *t, const char *path);
void ph_csv_table_free(ph_table *t);
/* Column index by name (case-sensitive), or -1. */
int ph_csv_table_col(const ph_table *t, const char *name);
const char *ph_csv_table_cell(const ph_table *t, int row, int col);

/* ---- writing rows ---- */

typedef struct ph_csv_out {
    FILE *f;
    int col; /* fields written in the current row */
} ph_csv_out;

void ph_csv_begin(ph_csv_out *o, FILE *f);
void ph_csv_str(ph_csv_out *o, const char *s);
void ph_csv_double(ph_csv_out *o, double v);
void ph_csv_long(ph_csv_out *o, long v);
void ph_csv_bool(ph_csv_out *o, int v);
void ph_csv_end_row(ph_csv_out *o);

#endif
