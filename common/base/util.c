/* util.c -- see util.h. */
#include "base/util.h"
#include "base/log.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void *ph_malloc(size_t nbytes, const char *what)
{
    void *p = malloc(nbytes ? nbytes : 1);
    if (!p)
        ph_error(PH_EFAIL, NULL, "out of memory allocating %s (%.1f MB)", what,
                 nbytes / 1048576.0);
    return p;
}

void *ph_calloc(size_t n, size_t size, const char *what)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        ph_error(PH_EFAIL, NULL, "out of memory allocating %s (%.1f MB)", what,
                 (double)n * size / 1048576.0);
    return p;
}

char *ph_strdup(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = ph_malloc(n, "a string");
    if (d)
        memcpy(d, s, n);
    return d;
}

size_t ph_strlcpy(char *dst, const char *src, size_t size)
{
    size_t n = strlen(src);
    if (size) {
        size_t m = n < size - 1 ? n : size - 1;
        memcpy(dst, src, m);
        dst[m] = '\0';
    }
    return n;
}

static int only_blanks(const char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    return *s == '\0';
}

int ph_parse_double(const char *s, double *out)
{
    if (!s)
        return -1;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || !only_blanks(end) || (errno == ERANGE && isinf(v)))
        return -1;
    *out = v;
    return 0;
}

int ph_parse_long(const char *s, long *out)
{
    if (!s)
        return -1;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || !only_blanks(end) || errno == ERANGE)
        return -1;
    *out = v;
    return 0;
}

int ph_parse_bool(const char *s, int *out)
{
    static const char *yes[] = {"true", "yes", "on", "y", "1"};
    static const char *no[] = {"false", "no", "off", "n", "0"};
    if (!s)
        return -1;
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) {
        if (strlen(yes[i]) == n && !strncasecmp(s, yes[i], n)) {
            *out = 1;
            return 0;
        }
        if (strlen(no[i]) == n && !strncasecmp(s, no[i], n)) {
            *out = 0;
            return 0;
        }
    }
    return -1;
}

void ph_format_double(char *buf, size_t size, double v)
{
    if (isnan(v)) {
        snprintf(buf, size, "nan");
        return;
    }
    if (isinf(v)) {
        snprintf(buf, size, v > 0 ? "inf" : "-inf");
        return;
    }
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            return;
    }
}

const char *ph_path_basename(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

void ph_path_stem(const char *path, char *out, size_t size)
{
    static const char *ext[] = {".fits.gz", ".fits.fz", ".fit.gz", ".fts.gz", ".fits",
                                ".fit",     ".fts",     ".fz",     ".gz",     ".csv",
                                ".txt",     ".yaml",    ".yml"};
    ph_strlcpy(out, ph_path_basename(path), size);
    size_t n = strlen(out);
    for (size_t i = 0; i < sizeof ext / sizeof *ext; i++) {
        size_t m = strlen(ext[i]);
        if (n > m && !strcasecmp(out + n - m, ext[i])) {
            out[n - m] = '\0';
            return;
        }
    }
}

int ph_path_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

int ph_mkdir_p(const char *path)
{
    char buf[4096];
    if (ph_strlcpy(buf, path, sizeof buf) >= sizeof buf)
        return ph_error(PH_EFAIL, path, "path too long");
    for (char *p = buf + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (mkdir(buf, 0777) && errno != EEXIST)
                return ph_error(PH_EFAIL, path, "cannot create directory %s: %s", buf,
                                strerror(errno));
            *p = c;
            if (!c)
                break;
        }
    }
    struct stat st;
    if (stat(path, &st) || !S_ISDIR(st.st_mode))
        return ph_error(PH_EFAIL, path, "exists and is not a directory");
    return PH_OK;
}

double ph_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}
