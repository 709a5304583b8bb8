/* fits.h -- reading and writing FITS images and tables (cfitsio).
 *
 * Reading: open a file (plain or .gz), move to an HDU by EXTNAME or number,
 * read an image plane in the type the caller wants, read its header cards.
 * Every error names the file and the HDU, and a truncated or corrupt file
 * is reported as such rather than as a cfitsio status number.
 *
 * Writing is atomic: ph_fits_create() opens a temporary file beside the
 * target (".NAME.XXXXXX" with the same extension, so a .gz target is
 * compressed), ph_fits_commit() closes it and renames it into place, and
 * ph_fits_abort() removes it. An interrupted run never leaves a file that
 * looks complete, and make never skips a half-written target. A name
 * ending in .gz is written gzip-compressed, whatever else it holds.
 *
 * "-" is standard input for ph_fits_open() and standard output for
 * ph_fits_create() (stream.h: a complete file, or nothing). The primary
 * header of every file written carries PH_TOOL, PH_VERS and, as HISTORY
 * cards, the settings in effect (cli.h, ph_cli_setting).
 *
 * Images are row-major [y][x]: element y*nx + x is FITS pixel (x+1, y+1).
 */
#ifndef PH_FITS_H
#define PH_FITS_H

#include "io/header.h"

#include <fitsio.h>
#include <stdint.h>

/* ---- reading ---- */

typedef struct ph_fits {
    fitsfile *f;
    char path[1024];
} ph_fits;

/* Open for reading. Every HDU's size claimed by its header is checked
 * against the file first (fitsscan.h ph_fitsscan_check: a truncated file
 * is reported as truncated, a bomb before any allocation); a gzip file is
 * inflated, no further than its HDUs, into an unlinked scratch file. */
int ph_fits_open(ph_fits *fp, const char *path);
/* Where .gz inputs are inflated: "" or NULL = $TMPDIR, else /tmp. Tools
 * set it to their output's directory (the space they need anyway). */
void ph_fits_scratch_dir(const char *dir);
/* The scratch directory set to the directory of `output`, the file a tool
 * will write ("." for a bare name; $TMPDIR kept for "-", as for standard
 * input's copy): an OpenUniverse2024 .fits.gz inflates to 268 MB, which
 * cfitsio would hold in memory and $TMPDIR may not have room for. */
void ph_fits_scratch_beside(const char *output);
void ph_fits_close(ph_fits *fp);

/* Move to the HDU named `hdu`: an EXTNAME ("SCI"), or a number ("1", 0 =
 * primary). Error if absent. */
int ph_fits_goto(ph_fits *fp, const char *hdu);
/* 1 if an HDU with this EXTNAME exists (current HDU unchanged on 0). */
int ph_fits_has_hdu(ph_fits *fp, const char *extname);
/* Number of HDUs. */
int ph_fits_nhdu(ph_fits *fp);
/* Move to the first HDU that holds a 2-D image with data (primary first).
 * An image of 3 or more dimensions before it is an error (never skipped
 * for the next plane); when the file holds several 2-D images, a notice
 * says which was taken. */
int ph_fits_goto_first_image(ph_fits *fp);

/* Size of the current image HDU; error if it is not a 2-D image. */
int ph_fits_image_size(ph_fits *fp, long *nx, long *ny);

/* Read the whole current 2-D image, converted by cfitsio. *data is
 * allocated (free()); BSCALE/BZERO applied. */
int ph_fits_read_double(ph_fits *fp, long *nx, long *ny, double **data);
int ph_fits_read_float(ph_fits *fp, long *nx, long *ny, float **data);
int ph_fits_read_u8(ph_fits *fp, long *nx, long *ny, uint8_t **data);
int ph_fits_read_u32(ph_fits *fp, long *nx, long *ny, uint32_t **data);

/* Read the current image as a stack of nz planes of nx x ny (a 2-D image
 * is one plane; NAXIS 3 gives NAXIS3 planes, plane k at data + k nx ny). */
int ph_fits_read_cube_double(ph_fits *fp, long *nx, long *ny, long *nz, double **data);

/* Header cards of the current HDU (structural keywords dropped). */
int ph_fits_read_header(ph_fits *fp, ph_header **hdr);

/* Convenience: open, go to `hdu`, read a double image and its header,
 * close. hdr may be NULL. */
int ph_fits_load_double(const char *path, const char *hdu, long *nx, long *ny, double **data,
                        ph_header **hdr);

/* A column of the binary table in the current HDU, converted to double. */
int ph_fits_read_column(ph_fits *fp, const char *colname, long *nrows, double **values);

/* ---- writing ---- */

typedef struct ph_fits_out {
    fitsfile *f;
    char path[1024]; /* the final name */
    char tmp[1100];  /* the temporary name */
    int nhdu;
    int tmpslot;     /* tmpclean.h slot + 1 (0: none) */
    int spool;       /* "-": 1 + the descriptor of the unlinked temporary copied to
                        standard output on commit; 0 otherwise (so {0} is safe to abort) */
} ph_fits_out;

/* Start writing `path` (overwritten on commit). Writes an empty primary HDU
 * unless `primary_image` is set (then the first image written is the
 * primary, as for PSF stamps). */
int ph_fits_create(ph_fits_out *o, const char *path, int primary_image);

/* Append an image HDU. `extname` may be NULL (primary). `hdr` cards (may be
 * NULL) are written after the structural ones. */
int ph_fits_write_float(ph_fits_out *o, const char *extname, long nx, long ny, const float *data,
                        const ph_header *hdr);
int ph_fits_write_double(ph_fits_out *o, const char *extname, long nx, long ny,
                         const double *data, const ph_header *hdr);
int ph_fits_write_u8(ph_fits_out *o, const char *extname, long nx, long ny, const uint8_t *data,
                     const ph_header *hdr);
int ph_fits_write_i32(ph_fits_out *o, const char *extname, long nx, long ny, const int32_t *data,
                      const ph_header *hdr);
/* Unsigned 32-bit (BITPIX 32 with BZERO 2^31, as OpenUniverse2024's DQ). */
int ph_fits_write_u32(ph_fits_out *o, const char *extname, long nx, long ny, const uint32_t *data,
                      const ph_header *hdr);

/* Append a binary table of `ncols` columns of doubles ("D") or 64-bit
 * integers ("K"), each `nrows` long; units may be NULL. */
typedef struct ph_column {
    const char *name;
    const char *unit;   /* NULL: none */
    const double *d;    /* either d ... */
    const long long *k; /* ... or k */
} ph_column;
int ph_fits_write_table(ph_fits_out *o, const char *extname, long nrows, int ncols,
                        const ph_column *cols, const ph_header *hdr);

/* Add or replace the cards of `cards` in the header of HDU `extname`,
 * already written to the file (its data stay as they are); later HDUs are
 * appended at the end as before. */
int ph_fits_update_keys(ph_fits_out *o, const char *extname, const ph_header *cards);

/* Close and rename into place / close and remove. */
int ph_fits_commit(ph_fits_out *o);
void ph_fits_abort(ph_fits_out *o);

#endif
