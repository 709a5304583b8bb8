/* test_outputs_safe.c -- issue 17's guarantees about outputs, in libph:
 * an output is never one of the inputs (sameinput.h, by device and inode),
 * a signal removes the temporaries of outputs being written (tmpclean.h)
 * and dies by that signal, and a .fits.gz input is inflated into a file no
 * directory shows. */
#include "io/atomicfile.h"
#include "check.h"
#include "io/fits.h"
#include "base/log.h"
#include "base/sameinput.h"

#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

/* Every scratch directory, removed at the end. */
static char dirs[16][256];
static int ndirs;
static const char *scratch_dir_new(void)
{
    const char *d = check_tmpdir();
    if (ndirs < 16)
        snprintf(dirs[ndirs++], sizeof dirs[0], "%s", d);
    return d;
}

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    if (d)
        closedir(d);
    return n;
}

static void write_image(const char *path)
{
    ph_fits_out o;
    float px[16] = {1, 2, 3};
    if (ph_fits_create(&o, path, 0) || ph_fits_write_float(&o, "SCI", 4, 4, px, NULL) ||
        ph_fits_commit(&o))
        printf("# cannot write %s: %s\n", path, ph_error_message());
}

TEST(output_is_never_an_input)
{
    const char *dir = scratch_dir_new();
    char in[600], hard[600], other[600];
    snprintf(in, sizeof in, "%s/in.fits", dir);
    snprintf(hard, sizeof hard, "%s/hard.fits", dir);
    snprintf(other, sizeof other, "%s/other.fits", dir);
    write_image(in);
    EXPECT(link(in, hard) == 0);
    ph_fits fp;
    EXPECT(ph_fits_open(&fp, in) == 0);
    ph_fits_close(&fp);
    struct stat before;
    stat(in, &before);
    /* FITS: refused at create under its name and under a hard link */
    ph_fits_out o;
    ph_error_clear();
    EXPECT(ph_fits_create(&o, in, 0) == PH_EUSAGE);
    EXPECT(strstr(ph_error_message(), "is also an input of this command"));
    ph_error_clear();
    EXPECT(ph_fits_create(&o, hard, 0) == PH_EUSAGE);
    EXPECT(strstr(ph_error_message(), "is the same file as the input"));
    /* text: refused at open */
    ph_atomic a;
    ph_error_clear();
    EXPECT(ph_atomic_open(&a, in) == PH_EUSAGE);
    ph_error_clear();
    /* an output opened before its twin was read: refused at commit, and
     * the input left as it was */
    EXPECT(ph_atomic_open(&a, other) == 0);
    fputs("x\n", a.f);
    write_image(other); /* the file exists now: read it as an input */
    EXPECT(ph_fits_open(&fp, other) == 0);
    ph_fits_close(&fp);
    struct stat ob, oa;
    stat(other, &ob);
    EXPECT(ph_atomic_commit(&a) == PH_EUSAGE);
    stat(other, &oa);
    EXPECT(ob.st_ino == oa.st_ino && ob.st_size == oa.st_size);
    struct stat after;
    stat(in, &after);
    EXPECT(before.st_ino == after.st_ino && before.st_mtime == after.st_mtime);
    EXPECT(count_entries(dir) == 3); /* no temporary left */
    ph_error_clear();
    ph_sameinput_forget();
    EXPECT(ph_fits_create(&o, in, 0) == 0); /* forgotten: allowed again */
    ph_fits_abort(&o);
}

/* In a child: start writing `path` (FITS or text), then get `sig`. */
static void killed_while_writing(int sig, int text, const char *path)
{
    pid_t pid = fork();
    if (pid == 0) {
        if (text) {
            ph_atomic a;
            if (ph_atomic_open(&a, path))
                _exit(3);
            fputs("half a row", a.f);
            fflush(a.f);
        } else {
            ph_fits_out o;
            float px[16] = {0};
            if (ph_fits_create(&o, path, 0) || ph_fits_write_float(&o, "SCI", 4, 4, px, NULL))
                _exit(3);
        }
        raise(sig);
        _exit(4); /* not reached: the signal kills */
    }
    int ws = 0;
    waitpid(pid, &ws, 0);
    EXPECT(WIFSIGNALED(ws) && WTERMSIG(ws) == sig);
}

TEST(signals_remove_temporaries)
{
    const int sigs[3] = {SIGTERM, SIGINT, SIGHUP};
    for (int text = 0; text < 2; text++)
        for (int k = 0; k < 3; k++) {
            const char *dir = scratch_dir_new();
            char path[600];
            snprintf(path, sizeof path, "%s/out.%s", dir, text ? "csv" : "fits");
            killed_while_writing(sigs[k], text, path);
            int n = count_entries(dir);
            if (n)
                printf("# signal %d, %s: %d files left in %s\n", sigs[k], text ? "text" : "FITS",
                       n, dir);
            EXPECT(n == 0);
        }
}

TEST(gz_input_inflated_out_of_sight)
{
    const char *dir = scratch_dir_new();
    char plain[600], gz[600], scratch[600], cmd[2000];
    snprintf(plain, sizeof plain, "%s/img.fits", dir);
    snprintf(gz, sizeof gz, "%s/img.fits.gz", dir);
    snprintf(scratch, sizeof scratch, "%s/scratch", dir);
    write_image(plain);
    snprintf(cmd, sizeof cmd, "gzip -c %s > %s && mkdir %s", plain, gz, scratch);
    EXPECT(system(cmd) == 0);
    ph_fits_scratch_dir(scratch);
    ph_fits fp;
    EXPECT(ph_fits_open(&fp, gz) == 0);
    EXPECT(count_entries(scratch) == 0); /* unlinked while in use */
    long nx = 0, ny = 0;
    float *d = NULL;
    EXPECT(ph_fits_goto(&fp, "SCI") == 0 && ph_fits_read_float(&fp, &nx, &ny, &d) == 0);
    EXPECT(nx == 4 && ny == 4 && d && d[2] == 3);
    free(d);
    ph_fits_close(&fp);
    ph_fits_scratch_dir(NULL);
}

int main(void)
{
    ph_verbosity = 0;
    /* tests/run may be started with SIGINT or SIGHUP ignored (a background
     * job, nohup): tmpclean keeps an ignored signal ignored, as it should
     * for a program, so this test starts from the defaults. */
    signal(SIGINT, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    RUN(output_is_never_an_input);
    RUN(signals_remove_temporaries);
    RUN(gz_input_inflated_out_of_sight);
    for (int i = 0; i < ndirs; i++) {
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf %.250s", dirs[i]);
        if (system(cmd))
            printf("# cannot remove %s\n", dirs[i]);
    }
    return check_done();
}
