/* gunzip.h -- gzip-compressed inputs without holding them in memory.
 *
 * cfitsio opens a .fits.gz by inflating the whole file into memory: for an
 * OpenUniverse2024 frame that is 268 MB (SCI float64 + ERR + DQ) on top of
 * the planes we keep, over ph-skysub's memory budget. Instead the file is
 * inflated, streaming, into a temporary file in $TMPDIR (default /tmp),
 * which is read like any FITS file and removed.
 */
#ifndef PH_SKYSUB_GUNZIP_H
#define PH_SKYSUB_GUNZIP_H

#include <stddef.h>

/* If `path` starts with the gzip magic bytes, inflate it into a new
 * temporary file and put its name in tmp (the caller removes it);
 * otherwise tmp[0] = '\0'. Errors (truncated or corrupt data, a full
 * disk) name `path` and leave no temporary behind. */
int gunzip_to_temp(const char *path, char *tmp, size_t size);

#endif
