/* tmpclean.c -- see tmpclean.h. Slots are plain arrays written before a
 * flag is set, so a handler that interrupts a registration sees either no
 * path or a whole one. */
#include "base/tmpclean.h"
#include "base/log.h"
#include "base/sameinput.h"
#include "base/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

enum { MAX_TMP = 64, PATH_MAX_TMP = 4200 };

static char paths[MAX_TMP][PATH_MAX_TMP];
static volatile sig_atomic_t used[MAX_TMP];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int installed;
static const int sigs[] = {SIGTERM, SIGINT, SIGHUP};

static void on_signal(int sig)
{
    for (int i = 0; i < MAX_TMP; i++)
        if (used[i])
            unlink(paths[i]);
    /* Die by the same signal, so the parent (make, a shell) sees it. */
    signal(sig, SIG_DFL);
    raise(sig);
}

static void install(void)
{
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) {
        struct sigaction old, sa;
        if (sigaction(sigs[i], NULL, &old) || old.sa_handler == SIG_IGN)
            continue; /* nohup'd, or a background job's SIGINT: keep ignoring */
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigfillset(&sa.sa_mask);
        sigaction(sigs[i], &sa, NULL);
    }
}

int ph_tmp_remember(const char *path)
{
    pthread_mutex_lock(&lock);
    if (!installed) {
        install();
        installed = 1;
    }
    int slot = -1;
    for (int i = 0; i < MAX_TMP && slot < 0; i++)
        if (!used[i])
            slot = i;
    if (slot >= 0) {
        ph_strlcpy(paths[slot], path, PATH_MAX_TMP);
        used[slot] = 1;
    }
    pthread_mutex_unlock(&lock);
    return slot;
}

void ph_tmp_forget(int slot)
{
    if (slot < 0 || slot >= MAX_TMP)
        return;
    pthread_mutex_lock(&lock);
    used[slot] = 0;
    pthread_mutex_unlock(&lock);
}

int ph_tmp_finish(const char *tmp, const char *path, int ok, int *slotp1)
{
    int st = ok ? PH_OK : PH_EFAIL;
    if (!st && ph_sameinput_check_output(path))
        st = PH_EUSAGE;
    else if (!st && rename(tmp, path))
        st = ph_error(PH_EFAIL, path, "cannot move the output into place: %s", strerror(errno));
    if (st)
        unlink(tmp);
    ph_tmp_forget(*slotp1 - 1);
    *slotp1 = 0;
    return st;
}

int ph_tmp_mkstemps(char *templ, int suffixlen, int *slot)
{
    sigset_t held, old;
    sigemptyset(&held);
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
        sigaddset(&held, sigs[i]);
    pthread_sigmask(SIG_BLOCK, &held, &old);
    int fd = mkstemps(templ, suffixlen);
    int e = errno;
    *slot = fd < 0 ? -1 : ph_tmp_remember(templ);
    pthread_sigmask(SIG_SETMASK, &old, NULL); /* a held signal lands now: it is removed */
    errno = e;
    return fd;
}
