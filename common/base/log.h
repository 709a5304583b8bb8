/* log.h -- errors that travel, and progress messages.
 *
 * The discipline is cfitsio's and wcslib's: a library function that fails
 * records ONE error (the first; later ones are ignored until it is cleared)
 * and returns a non-zero status. It never prints and never exits. The tool's
 * main() reports the recorded error once, as
 *
 *     ph-TOOL: FILE: what is wrong and what to do
 *
 * and exits with the status: PH_EFAIL (1) for bad data or failed work,
 * PH_EUSAGE (2) for bad usage. Progress and warnings go to stderr through
 * ph_info/ph_warn, filtered by the verbosity set with -v/-q.
 *
 * With PH_LOG_FORMAT=phrosty in the environment (ph-pipeline sets it for
 * the logs of its steps) every line carries a timestamp and a level as
 * phrosty's logger writes them: "[2026-01-31 12:00:00 - WARNING] -
 * ph-skysub: message" (levels DEBUG, INFO, WARNING, ERROR).
 */
#ifndef PH_LOG_H
#define PH_LOG_H

#include <stdarg.h>

enum { PH_OK = 0, PH_EFAIL = 1, PH_EUSAGE = 2 };

/* Verbosity: 0 = quiet (errors only), 1 = normal (warnings, notices),
 * 2 = verbose (progress), 3 = debug. */
extern int ph_verbosity;

/* Program name used as the message prefix ("ph-skysub"). */
void ph_set_progname(const char *argv0);
const char *ph_progname(void);

/* Record an error unless one is already recorded; returns `code` so that a
 * caller can write `return ph_error(PH_EFAIL, path, "no SCI HDU")`.
 * `file` may be NULL when no file is involved. */
int ph_error(int code, const char *file, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The recorded error: message without prefix ("" when none), its file (or
 * NULL) and code (PH_OK when none). */
const char *ph_error_message(void);
const char *ph_error_file(void);
int ph_error_code(void);
void ph_error_clear(void);
/* Name the file an error came from: code that works on arrays records its
 * errors without a file, and its caller, which knows the file, calls this.
 * A recorded error that names no file is re-recorded naming `file`, with
 * `prefix` (may be NULL) before its message ("PSF: "); one that names a
 * file is kept as it is. Returns the recorded code, PH_EFAIL when none is
 * recorded, so that `return ph_error_context(path, NULL);` ends a step. */
int ph_error_context(const char *file, const char *prefix);

/* Print the recorded error as "prog: file: message" on stderr (nothing if
 * none) and return its code (PH_EFAIL if the caller failed without
 * recording one). Tools end with `return ph_report_error();`. */
int ph_report_error(void);

/* Messages on stderr, prefixed by the program name. */
void ph_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));   /* verbosity >= 1 */
void ph_notice(const char *fmt, ...) __attribute__((format(printf, 1, 2))); /* verbosity >= 1 */
void ph_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));   /* verbosity >= 2 */
void ph_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));  /* verbosity >= 3 */

#endif
