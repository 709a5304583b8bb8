/* stream.c -- see stream.h. */
#include "io/stream.h"
#include "base/log.h"
#include "base/sameinput.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK (1 << 20)

int ph_stream_is_stdio(const char *path) { return path && !strcmp(path, "-"); }

int ph_stream_tempfile(const char *path, const char *why, int keep_name, char *name, unsigned size)
{
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
    snprintf(name, size, "%s/ph-%s.XXXXXX", dir, ph_progname());
    int fd = mkstemp(name);
    if (fd < 0) {
        int e = errno;
        name[0] = '\0';
        ph_error(PH_EFAIL, path, "cannot create a temporary file in %s %s: %s", dir, why,
                 strerror(e));
        return -1;
    }
    if (!keep_name)
        unlink(name);
    return fd;
}

/* Write all n bytes; 0 or -1 with errno set. */
static int write_all(int fd, const char *buf, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, buf, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        buf += w;
        n -= (size_t)w;
    }
    return 0;
}

static char stdin_path[64];

const char *ph_stream_in(const char *path)
{
    if (!ph_stream_is_stdio(path))
        return path;
    if (stdin_path[0])
        return stdin_path;
    struct stat st;
    if (fstat(0, &st))
        return ph_error(PH_EFAIL, "-", "standard input is closed"), NULL;
    if (S_ISREG(st.st_mode) && lseek(0, 0, SEEK_CUR) == 0 && !access("/proc/self/fd/0", R_OK)) {
        snprintf(stdin_path, sizeof stdin_path, "/proc/self/fd/0");
        /* `< image.fits`: that file is an input, never to be an output */
        ph_sameinput_note_as(stdin_path, "- (standard input)");
        return stdin_path;
    }
    if (isatty(0))
        return ph_error(PH_EUSAGE, "-", "standard input is a terminal: pipe a FITS file in, or "
                                        "give a file name"), NULL;
    char name[1024];
    int fd = ph_stream_tempfile("-", "for standard input", 0, name, sizeof name);
    if (fd < 0)
        return NULL;
    char *buf = malloc(CHUNK);
    long long total = 0;
    int err = 0, werr = 0;
    while (buf) {
        ssize_t n = read(0, buf, CHUNK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            err = errno;
            break;
        }
        if (n == 0)
            break;
        if (write_all(fd, buf, (size_t)n)) {
            werr = errno;
            break;
        }
        total += n;
    }
    free(buf);
    if (!buf || err || werr || !total) {
        close(fd);
        if (!buf)
            ph_error(PH_EFAIL, "-", "out of memory reading standard input");
        else if (err)
            ph_error(PH_EFAIL, "-", "cannot read standard input: %s", strerror(err));
        else if (werr)
            ph_error(PH_EFAIL, "-", "cannot copy standard input to %s: %s", name, strerror(werr));
        else
            ph_error(PH_EFAIL, "-", "standard input is empty");
        return NULL;
    }
    snprintf(stdin_path, sizeof stdin_path, "/proc/self/fd/%d", fd);
    return stdin_path;
}

int ph_stream_copy_out(int fd)
{
    fflush(stdout);
    if (lseek(fd, 0, SEEK_SET) < 0)
        return ph_error(PH_EFAIL, "-", "cannot read back the output: %s", strerror(errno));
    char *buf = malloc(CHUNK);
    if (!buf)
        return ph_error(PH_EFAIL, "-", "out of memory writing standard output");
    int st = PH_OK;
    for (;;) {
        ssize_t n = read(fd, buf, CHUNK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            st = ph_error(PH_EFAIL, "-", "cannot read back the output: %s", strerror(errno));
            break;
        }
        if (n == 0)
            break;
        if (write_all(1, buf, (size_t)n)) {
            st = ph_error(PH_EFAIL, "-", "cannot write to standard output: %s", strerror(errno));
            break;
        }
    }
    free(buf);
    return st;
}
