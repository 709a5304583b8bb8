/* fitsscan.h -- the size and header of an image HDU, read by streaming the
 * file's headers (zlib: plain or gzip-compressed FITS, whatever the name)
 * without cfitsio inflating a .fits.gz into memory or any pixel being read.
 *
 * For tools that need a header only (ph-psf's roman and file models): on a
 * 4088x4088 .fits.gz it reads a few 2880-byte blocks instead of the whole
 * file. The HDU is chosen as ph_fits_has_hdu(name) ? ph_fits_goto(name) :
 * ph_fits_goto_first_image() choose it: the first HDU whose EXTNAME (or
 * HDUNAME) is `name` (any case, trailing blanks ignored), else the first
 * image HDU with NAXIS = 2. Headers are read block by block to END and each
 * data unit is skipped by its size, |BITPIX|/8 GCOUNT (PCOUNT + NAXIS1 ...
 * NAXISn); the scan stops as soon as the HDU named `name` is read (it goes
 * on to the end only while that name has not been seen).
 *
 * The result is what ph_fits_image_size() and ph_fits_read_header() give
 * there: NAXIS1, NAXIS2 (NAXIS 3 with NAXIS3 = 1 allowed for the named
 * HDU), and the cards up to END minus the structural ones and the blank
 * cards just before END. A tile-compressed image (a BINTABLE with ZIMAGE =
 * T) is an image of ZNAXIS1 x ZNAXIS2 whose cards are its table header's,
 * as cfitsio reads them.
 *
 * Errors (recorded, naming the file): cannot open, not a readable FITS
 * file (no SIMPLE card, a primary header without END), the gzip data are
 * truncated or corrupt, no HDU named / no 2-D image HDU, the named HDU a
 * table or not 2-D. A later HDU that cannot be read (cut short, garbage
 * after the last HDU) ends the scan, as cfitsio treats it; a gzip stream
 * that fails before the HDU is found is an error.
 */
#ifndef PH_FITSSCAN_H
#define PH_FITSSCAN_H

#include "io/header.h"

/* 1 if the file starts with the gzip magic bytes 1f 8b, else 0 (also when
 * it cannot be read). */
int ph_fitsscan_is_gzip(const char *path);

/* Size and header cards (*hdr: free with ph_header_free) of the HDU named
 * `name` if the file has one, else of the first 2-D image HDU; name NULL:
 * the first 2-D image HDU. */
int ph_fitsscan_read(const char *path, const char *name, long *nx, long *ny, ph_header **hdr);

/* Walk every HDU of `path` (plain or gzip) by its headers and check the
 * size each one claims against what the file holds: a data unit that runs
 * past the end of a plain file, past what a gzip file of its size can
 * inflate to (1032:1), or past the end of the inflated data is an error
 * naming the HDU ("the file is truncated: HDU 1 (SCI) claims 38147 MB of
 * data but the file holds 1 MB"), found before any pixel is read. A header
 * cut short is "truncated"; what follows the last HDU (garbage, fill) ends
 * the walk as cfitsio sees it. With out >= 0 the HDUs are copied there,
 * inflated, and nothing past the last HDU is inflated (a .gz bomb of
 * trailing data costs nothing); out = -1 only reads the headers (data
 * units are skipped: seeks on a plain file). *total: bytes of the HDUs. */
int ph_fitsscan_check(const char *path, int out, long long *total);

#endif
