/* stream.h -- "-" as standard input or output for FITS files, as cfitsio
 * allows it.
 *
 * FITS readers seek, and a pipe cannot: standard input is copied once,
 * the first time it is asked for, into an unlinked temporary file in
 * $TMPDIR (so nothing is left behind even when the process is killed),
 * or used where it is when it is already a regular file (`< image.fits`).
 * Every reader then opens the path ph_stream_in() returns, a name of the
 * open descriptor ("/proc/self/fd/N"), as many times as it likes; gzip
 * data are read as from a file. FITS outputs to "-" are written to an
 * unlinked temporary and copied to standard output once complete (fits.c),
 * so a failed run writes nothing there. A file named "-" is never made.
 */
#ifndef PH_STREAM_H
#define PH_STREAM_H

/* 1 if `path` is "-". */
int ph_stream_is_stdio(const char *path);

/* The path to open to read `path`: `path` itself, or for "-" one that
 * reads standard input's data. NULL with an error recorded (standard input
 * is a terminal, empty, or cannot be copied). */
const char *ph_stream_in(const char *path);

/* A temporary file in $TMPDIR (default /tmp), unlinked at once unless
 * keep_name (then the caller unlinks it): its descriptor, its name in
 * `name` (size bytes), or -1 with an error about `path` recorded ("cannot
 * create a temporary file in DIR <why>", why e.g. "to inflate it"). */
int ph_stream_tempfile(const char *path, const char *why, int keep_name, char *name,
                       unsigned size);

/* Copy what descriptor `fd` holds, from its start, to standard output.
 * Error recorded (naming "-") on failure. */
int ph_stream_copy_out(int fd);

#endif
