/* fuzz.h -- shared by the fuzz harnesses (tests/fuzz/fuzz_*.c).
 *
 * Each harness defines LLVMFuzzerTestOneInput(): libFuzzer calls it with
 * generated inputs (`make fuzz`, clang), and replay.c calls it with the
 * files of the corpus and of regress/ (`make test`, any compiler). The
 * parsers take file names, so an input is written to a scratch file first.
 */
#ifndef PH_FUZZ_H
#define PH_FUZZ_H

#include "base/log.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A private scratch directory for this process, made once. */
static inline const char *fuzz_dir(void)
{
    static char dir[64];
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "%s/phfuzz.%d", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
                 (int)getpid());
        char cmd[128];
        snprintf(cmd, sizeof cmd, "mkdir -p %s", dir);
        if (system(cmd))
            abort();
        ph_verbosity = 0; /* warnings about bad inputs are expected */
    }
    return dir;
}

/* Write `size` bytes to DIR/name; returns the path (static buffer). */
static inline const char *fuzz_file(const char *name, const uint8_t *data, size_t size)
{
    static char path[2][128];
    static int k;
    char *p = path[k ^= 1];
    snprintf(p, 128, "%s/%s", fuzz_dir(), name);
    FILE *f = fopen(p, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f))
        abort();
    return p;
}

#endif
