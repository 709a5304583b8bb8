/* gunzip.c -- see gunzip.h. */
#include "gunzip.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define CHUNK (1 << 20)

static int is_gzip(const char *path)
{
    unsigned char m[2] = {0, 0};
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    size_t n = fread(m, 1, 2, f);
    fclose(f);
    return n == 2 && m[0] == 0x1f && m[1] == 0x8b;
}

int gunzip_to_temp(const char *path, char *tmp, size_t size)
{
    tmp[0] = '\0';
    if (!is_gzip(path))
        return PH_OK;
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
    snprintf(tmp, size, "%s/ph-skysub.XXXXXX", dir);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int e = errno;
        tmp[0] = '\0';
        return ph_error(PH_EFAIL, path, "cannot create a temporary file in %s to inflate it: %s",
                        dir, strerror(e));
    }
    FILE *out = fdopen(fd, "wb");
    gzFile in = gzopen(path, "rb");
    char *buf = ph_malloc(CHUNK, "inflate buffer");
    int st = PH_OK;
    if (!out || !in || !buf) {
        st = buf ? ph_error(PH_EFAIL, path, "cannot open: %s", strerror(errno)) : PH_EFAIL;
    } else {
        gzbuffer(in, CHUNK);
        for (;;) {
            int n = gzread(in, buf, CHUNK);
            if (n < 0) {
                int zerr = 0;
                const char *msg = gzerror(in, &zerr);
                st = ph_error(PH_EFAIL, path, "corrupt gzip data (%s)", msg ? msg : "zlib error");
                break;
            }
            if (n == 0)
                break;
            if (fwrite(buf, 1, (size_t)n, out) != (size_t)n) {
                st = ph_error(PH_EFAIL, path, "cannot inflate into %s: %s", tmp, strerror(errno));
                break;
            }
        }
        /* gzread stops quietly at a truncated member: ask. */
        if (!st) {
            int zerr = 0;
            gzerror(in, &zerr);
            if (zerr != Z_OK && zerr != Z_STREAM_END)
                st = ph_error(PH_EFAIL, path, "the gzip data are truncated or corrupt");
        }
    }
    free(buf);
    if (in && gzclose(in) != Z_OK && !st)
        st = ph_error(PH_EFAIL, path, "the gzip data are truncated or corrupt");
    if (out ? fclose(out) : close(fd)) {
        if (!st)
            st = ph_error(PH_EFAIL, path, "cannot inflate into %s: %s", tmp, strerror(errno));
    }
    if (st) {
        unlink(tmp);
        tmp[0] = '\0';
    }
    return st;
}
