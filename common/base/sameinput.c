/* sameinput.c -- see sameinput.h. A small fixed table: a tool reads a
 * handful of files; past the table's size the oldest entries are kept and
 * later ones are not noted (never a crash). Guarded by a mutex since
 * readers may run in threads. */
#include "base/sameinput.h"
#include "base/log.h"
#include "base/util.h"

#include <pthread.h>
#include <string.h>
#include <sys/stat.h>

enum { MAX_INPUTS = 256 };

static struct {
    dev_t dev;
    ino_t ino;
    char name[256];
} inputs[MAX_INPUTS];
static int ninputs;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

void ph_sameinput_note(const char *path) { ph_sameinput_note_as(path, path); }

void ph_sameinput_note_as(const char *path, const char *name)
{
    struct stat st;
    if (!path || !strcmp(path, "-") || stat(path, &st) || !S_ISREG(st.st_mode))
        return;
    pthread_mutex_lock(&lock);
    int known = 0;
    for (int i = 0; i < ninputs && !known; i++)
        known = inputs[i].dev == st.st_dev && inputs[i].ino == st.st_ino;
    if (!known && ninputs < MAX_INPUTS) {
        inputs[ninputs].dev = st.st_dev;
        inputs[ninputs].ino = st.st_ino;
        ph_strlcpy(inputs[ninputs].name, name, sizeof inputs[ninputs].name);
        ninputs++;
    }
    pthread_mutex_unlock(&lock);
}

int ph_sameinput_check_output(const char *path)
{
    struct stat st;
    int out = path && !strcmp(path, "-"); /* standard output: the file it is redirected to */
    if (!path || (out ? fstat(1, &st) : stat(path, &st)) || !S_ISREG(st.st_mode))
        return PH_OK;
    pthread_mutex_lock(&lock);
    int hit = -1;
    for (int i = 0; i < ninputs && hit < 0; i++)
        if (inputs[i].dev == st.st_dev && inputs[i].ino == st.st_ino)
            hit = i;
    char name[256] = "";
    if (hit >= 0)
        ph_strlcpy(name, inputs[hit].name, sizeof name);
    pthread_mutex_unlock(&lock);
    if (hit < 0)
        return PH_OK;
    if (out)
        return ph_error(PH_EUSAGE, "-", "standard output is the same file as the input %s: "
                        "refusing to write over it (redirect it to another file)", name);
    if (!strcmp(name, path))
        return ph_error(PH_EUSAGE, path, "is also an input of this command: refusing to "
                        "overwrite it (give another output name)");
    return ph_error(PH_EUSAGE, path, "is the same file as the input %s: refusing to overwrite it "
                    "(give another output name)", name);
}

void ph_sameinput_forget(void)
{
    pthread_mutex_lock(&lock);
    ninputs = 0;
    pthread_mutex_unlock(&lock);
}
