/* header.h -- FITS header cards carried from file to file.
 *
 * A ph_header is the list of 80-character cards of an image HDU minus the
 * structural ones (SIMPLE, XTENSION, BITPIX, NAXISn, EXTEND, PCOUNT, GCOUNT,
 * EXTNAME, BSCALE, BZERO, CHECKSUM, DATASUM, END): the WCS (incl. SIP/TPV
 * keys) and the metadata (MJD-OBS, FILTER, ...). Tools read it from their
 * input and write it into their output so that later tools never need the
 * original file.
 *
 * Keys set by ph_header_set_* replace an existing card of that name (first
 * one) or are appended. Values are formatted by cfitsio.
 */
#ifndef PH_HEADER_H
#define PH_HEADER_H

#include <stddef.h>

typedef struct ph_header {
    int ncards, cap;
    char (*cards)[81];
} ph_header;

ph_header *ph_header_new(void);
ph_header *ph_header_copy(const ph_header *h);
void ph_header_free(ph_header *h);

/* Append a raw 80-column card unless it is structural; returns 0 or error. */
int ph_header_add_card(ph_header *h, const char *card);

/* Setters (NULL comment allowed). */
int ph_header_set_str(ph_header *h, const char *key, const char *value, const char *comment);
int ph_header_set_double(ph_header *h, const char *key, double value, const char *comment);
int ph_header_set_long(ph_header *h, const char *key, long value, const char *comment);
int ph_header_set_bool(ph_header *h, const char *key, int value, const char *comment);
/* A HISTORY or COMMENT line (key "HISTORY" or "COMMENT"). */
int ph_header_add_text(ph_header *h, const char *key, const char *text);

/* Getters: 0 found and parsed, 1 absent; -1 present but unparsable (no
 * error recorded: the caller names the file). */
int ph_header_get_str(const ph_header *h, const char *key, char *out, size_t size);
int ph_header_get_double(const ph_header *h, const char *key, double *out);
int ph_header_get_long(const ph_header *h, const char *key, long *out);
int ph_header_has(const ph_header *h, const char *key);
void ph_header_del(ph_header *h, const char *key);

/* Is `key` one of the structural keywords above? */
int ph_header_is_structural(const char *key);

/* All cards concatenated (80 chars each, no END), for wcslib's wcspih.
 * Caller frees. */
char *ph_header_string(const ph_header *h, int *ncards);

#endif
