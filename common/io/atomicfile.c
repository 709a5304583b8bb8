/* atomicfile.c -- see atomicfile.h. */
#include "io/atomicfile.h"
#include "base/log.h"
#include "base/sameinput.h"
#include "base/tmpclean.h"
#include "base/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int ph_atomic_open(ph_atomic *a, const char *path)
{
    memset(a, 0, sizeof *a);
    if (ph_strlcpy(a->path, path, sizeof a->path) >= sizeof a->path)
        return ph_error(PH_EFAIL, path, "path too long");
    if (!strcmp(path, "-")) {
        if (ph_sameinput_check_output(path)) /* `>> input.csv` */
            return PH_EUSAGE;
        a->f = stdout;
        return PH_OK;
    }
    /* An existing target that is not a regular file (/dev/null, a fifo, a
     * terminal) is written directly: renaming over it would replace a
     * device node with a plain file (as root, /dev/null itself). */
    if (ph_sameinput_check_output(path))
        return PH_EUSAGE;
    struct stat st;
    if (!stat(path, &st) && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
        if (!(a->f = fopen(path, "wb")))
            return ph_error(PH_EFAIL, path, "cannot open output: %s", strerror(errno));
        return PH_OK;
    }
    const char *base = ph_path_basename(path);
    snprintf(a->tmp, sizeof a->tmp, "%.*s.%s.XXXXXX", (int)(base - path), path, base);
    int slot, fd = ph_tmp_mkstemps(a->tmp, 0, &slot);
    if (fd < 0) {
        int e = errno;
        a->tmp[0] = '\0';
        return ph_error(PH_EFAIL, path, "cannot create output: %s", strerror(e));
    }
    a->tmpslot = slot + 1;
    /* mkstemp makes the file 0600; give it the permissions a plain
     * fopen() would (0666 less the umask). */
    mode_t um = umask(0);
    umask(um);
    fchmod(fd, 0666 & ~um);
    if (!(a->f = fdopen(fd, "wb"))) {
        int e = errno;
        close(fd);
        unlink(a->tmp);
        a->tmp[0] = '\0';
        ph_tmp_forget(a->tmpslot - 1);
        a->tmpslot = 0;
        return ph_error(PH_EFAIL, path, "cannot create output: %s", strerror(e));
    }
    return PH_OK;
}

int ph_atomic_commit(ph_atomic *a)
{
    if (!a->f)
        return ph_error(PH_EFAIL, a->path, "output was not opened");
    int bad = fflush(a->f) != 0 || ferror(a->f);
    int e = errno;
    if (a->f == stdout) {
        a->f = NULL;
        return bad ? ph_error(PH_EFAIL, "-", "cannot write to standard output: %s", strerror(e))
                   : PH_OK;
    }
    if (fclose(a->f) && !bad) {
        bad = 1;
        e = errno;
    }
    a->f = NULL;
    if (!a->tmp[0]) /* written directly (not a regular file) */
        return bad ? ph_error(PH_EFAIL, a->path, "cannot write: %s", strerror(e)) : PH_OK;
    if (bad)
        ph_error(PH_EFAIL, a->path, "cannot write: %s", strerror(e));
    return ph_tmp_finish(a->tmp, a->path, !bad, &a->tmpslot);
}

void ph_atomic_abort(ph_atomic *a)
{
    if (a->f && a->f != stdout)
        fclose(a->f);
    a->f = NULL;
    if (a->tmp[0])
        unlink(a->tmp);
    a->tmp[0] = '\0';
    ph_tmp_forget(a->tmpslot - 1);
    a->tmpslot = 0;
}
