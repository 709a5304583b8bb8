/* replay.c -- run a fuzz harness over files, without libFuzzer: what `make
 * test` does with the corpus (tests/fuzz/corpus/NAME/) and the inputs that
 * once crashed (tests/fuzz/regress/NAME/), so a compiler without clang's
 * fuzzer runtime still checks every harness. Prints TAP: one line a file.
 *
 *   build/tests/fuzz/fuzz_NAME FILE|DIR...
 */
#include "fuzz.h"

#include <dirent.h>
#include <sys/stat.h>

static int ntest;

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        printf("not ok %d - %s: cannot open\n", ++ntest, path);
        return 1;
    }
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            uint8_t *b = realloc(buf, cap *= 2);
            if (!b)
                free(buf);
            buf = b;
        }
    }
    fclose(f);
    if (!buf)
        abort();
    LLVMFuzzerTestOneInput(buf, n); /* a crash ends the program: the test fails */
    ph_error_clear();
    free(buf);
    printf("ok %d - %s\n", ++ntest, path);
    return 0;
}

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int run_path(const char *path)
{
    struct stat st;
    if (stat(path, &st))
        return 0; /* an absent regress/ directory */
    if (!S_ISDIR(st.st_mode))
        return run_file(path);
    DIR *d = opendir(path);
    if (!d)
        return 1;
    char *names[4096];
    int n = 0, bad = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 4096)
        if (e->d_name[0] != '.')
            names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, n, sizeof *names, cmp);
    for (int i = 0; i < n; i++) {
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", path, names[i]);
        bad |= run_path(p);
        free(names[i]);
    }
    return bad;
}

int main(int argc, char **argv)
{
    int bad = 0;
    for (int i = 1; i < argc; i++)
        bad |= run_path(argv[i]);
    printf("1..%d\n", ntest);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf %s", fuzz_dir());
    if (system(cmd)) {
    }
    return bad;
}
