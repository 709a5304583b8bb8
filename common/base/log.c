/* log.c -- see log.h. The error record is thread-local so that threaded
 * work (FFTW threads, worker loops) cannot interleave two messages. */
#include "base/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int ph_verbosity = 1;

static char progname[64] = "ph";
static _Thread_local int err_code = PH_OK;
static _Thread_local char err_file[1024];
static _Thread_local int err_has_file;
static _Thread_local char err_msg[1024];

/* At exit: anything written to standard output must have reached it. A
 * full disk (> file on a full tmpfs) or /dev/full would otherwise end in
 * exit 0 with a short or empty file. As coreutils' close_stdout. */
static void close_stdout(void)
{
    int bad = fflush(stdout) != 0 || ferror(stdout);
    int e = errno;
    if (fclose(stdout) != 0 && !bad && errno != EBADF) {
        bad = 1;
        e = errno;
    }
    if (bad) {
        fprintf(stderr, "%s: standard output: write error: %s\n", progname, strerror(e));
        _exit(PH_EFAIL);
    }
}

void ph_set_progname(const char *argv0)
{
    static int registered;
    const char *base = argv0 ? strrchr(argv0, '/') : NULL;
    base = base ? base + 1 : (argv0 ? argv0 : "ph");
    snprintf(progname, sizeof progname, "%s", base);
    if (!registered++)
        atexit(close_stdout);
}

const char *ph_progname(void) { return progname; }

int ph_error(int code, const char *file, const char *fmt, ...)
{
    if (err_code != PH_OK)
        return code;
    err_code = code ? code : PH_EFAIL;
    err_has_file = file != NULL;
    snprintf(err_file, sizeof err_file, "%s", file ? file : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err_msg, sizeof err_msg, fmt, ap);
    va_end(ap);
    return code;
}

const char *ph_error_message(void) { return err_code ? err_msg : ""; }
const char *ph_error_file(void) { return err_code && err_has_file ? err_file : NULL; }
int ph_error_code(void) { return err_code; }

void ph_error_clear(void)
{
    err_code = PH_OK;
    err_msg[0] = err_file[0] = '\0';
    err_has_file = 0;
}

int ph_error_context(const char *file, const char *prefix)
{
    if (!err_code)
        return PH_EFAIL;
    if (!err_has_file && file) {
        char msg[sizeof err_msg];
        snprintf(msg, sizeof msg, "%s%s", prefix ? prefix : "", err_msg);
        snprintf(err_msg, sizeof err_msg, "%s", msg);
        snprintf(err_file, sizeof err_file, "%s", file);
        err_has_file = 1;
    }
    return err_code;
}

/* PH_LOG_FORMAT=phrosty: phrosty's (snappl's) log lines,
 * "[2026-01-31 12:00:00 - WARNING] - ph-tool: message". */
static int phrosty_format(void)
{
    const char *f = getenv("PH_LOG_FORMAT");
    return f && !strcmp(f, "phrosty");
}

static void stamp(const char *level)
{
    char t[32] = "";
    time_t now = time(NULL);
    struct tm tm;
    if (localtime_r(&now, &tm))
        strftime(t, sizeof t, "%Y-%m-%d %H:%M:%S", &tm);
    fprintf(stderr, "[%s - %s] - ", t, level);
}

int ph_report_error(void)
{
    if (phrosty_format())
        stamp("ERROR");
    if (err_code == PH_OK) {
        fprintf(stderr, "%s: failed (no message recorded; please report this)\n", progname);
        return PH_EFAIL;
    }
    if (err_has_file)
        fprintf(stderr, "%s: %s: %s\n", progname, err_file, err_msg);
    else
        fprintf(stderr, "%s: %s\n", progname, err_msg);
    return err_code;
}

static void vmsg(int level, const char *tag, const char *fmt, va_list ap)
{
    if (ph_verbosity < level)
        return;
    if (phrosty_format()) {
        stamp(*tag == 'w' ? "WARNING" : *tag == 'd' ? "DEBUG" : "INFO");
        tag = ""; /* the level says it */
    }
    fprintf(stderr, "%s: %s", progname, tag);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

#define PH_DEFINE_MSG(name, level, tag)      \
    void name(const char *fmt, ...)          \
    {                                        \
        va_list ap;                          \
        va_start(ap, fmt);                   \
        vmsg(level, tag, fmt, ap);           \
        va_end(ap);                          \
    }

PH_DEFINE_MSG(ph_warn, 1, "warning: ")
PH_DEFINE_MSG(ph_notice, 1, "")
PH_DEFINE_MSG(ph_info, 2, "")
PH_DEFINE_MSG(ph_debug, 3, "debug: ")
