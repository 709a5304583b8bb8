/* util.h -- memory, strings, numbers and paths, with errors recorded the
 * log.h way (a NULL or non-zero return means ph_error() was called). */
#ifndef PH_UTIL_H
#define PH_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* malloc/calloc that record "out of memory allocating WHAT (N MB)". */
void *ph_malloc(size_t nbytes, const char *what);
void *ph_calloc(size_t n, size_t size, const char *what);
char *ph_strdup(const char *s);

/* Copy with truncation, always NUL-terminated; returns strlen(src). */
size_t ph_strlcpy(char *dst, const char *src, size_t size);

/* Strict number parsing of a whole string (leading/trailing blanks
 * allowed): returns 0 on success, -1 if `s` is not a number (or does not fit). */
int ph_parse_double(const char *s, double *out);
int ph_parse_long(const char *s, long *out);
/* YAML-1.1-style booleans: true/false/yes/no/on/off/1/0, any case. */
int ph_parse_bool(const char *s, int *out);

/* Format a double so that strtod() gives the same value back, in the
 * shortest of %.15g/%.16g/%.17g; NaN as "nan", infinities as "inf"/"-inf". */
void ph_format_double(char *buf, size_t size, double v);

/* Path helpers. basename: pointer into `path` after the last '/'.
 * ph_path_stem: basename without .fits, .fits.gz, .fit, .fz, .csv ... */
const char *ph_path_basename(const char *path);
void ph_path_stem(const char *path, char *out, size_t size);
int ph_path_exists(const char *path);
/* mkdir -p; records an error naming `path` on failure. */
int ph_mkdir_p(const char *path);

/* The CPUs this process may use, the default thread count of every tool:
 * the smallest of its CPU affinity mask, its cgroup CPU quota, and
 * SLURM_CPUS_PER_TASK and OMP_NUM_THREADS where set (at least 1). See
 * ncpu.h. */
int ph_ncpu(void);

/* Seconds on a monotonic clock. */
double ph_now(void);

#endif
