/* gpu.c -- see gpu.h. The CUDA probe itself lives in cuda/device.cu; this
 * file holds what needs no CUDA: device choice and the lock. */
#include "base/gpu.h"
#include "base/log.h"
#include "ph_cuda.h"
#include "base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#ifdef PH_WITH_CUDA
/* libph links on its own: this weak definition answers for cuda/device.cu
 * in a program linked without the CUDA objects (only the tools whose
 * tool.mk says <name>_GPU = 1 link them), and device.o's definition
 * replaces it in those that are. */
__attribute__((weak)) void ph_cuda_probe(ph_gpu_info *info)
{
    snprintf(info->why, sizeof info->why,
             "this program was linked without the CUDA objects (cuda/device.cu)");
}
int ph_gpu_compiled(void) { return 1; }
void ph_gpu_probe(ph_gpu_info *info)
{
    memset(info, 0, sizeof *info);
    ph_cuda_probe(info);
}
#else
int ph_gpu_compiled(void) { return 0; }
void ph_gpu_probe(ph_gpu_info *info)
{
    memset(info, 0, sizeof *info);
    snprintf(info->why, sizeof info->why, "built without CUDA (nvcc was not found)");
}
#endif

int ph_gpu_device_parse(const char *s, ph_device *out)
{
    if (!strcmp(s, "auto"))
        *out = PH_DEVICE_AUTO;
    else if (!strcmp(s, "cpu"))
        *out = PH_DEVICE_CPU;
    else if (!strcmp(s, "gpu"))
        *out = PH_DEVICE_GPU;
    else
        return -1;
    return 0;
}

int ph_gpu_device_resolve(ph_device want, int *use_gpu, ph_gpu_info *info)
{
    ph_gpu_info tmp;
    if (!info)
        info = &tmp;
    *use_gpu = 0;
    memset(info, 0, sizeof *info);
    if (want == PH_DEVICE_CPU)
        return PH_OK;
    ph_gpu_probe(info);
    if (info->usable) {
        *use_gpu = 1;
        ph_info("using GPU %s (%.1f GB, %.1f GB free)", info->name, info->mem_total_gb,
                info->mem_free_gb);
        return PH_OK;
    }
    if (want == PH_DEVICE_GPU)
        return ph_error(PH_EFAIL, NULL, "--device gpu: no usable GPU: %s", info->why);
    ph_notice("no usable GPU (%s); running on the CPU", info->why);
    return PH_OK;
}

int ph_gpu_lock(const char *path, int slots, int *fd)
{
    *fd = -1;
    if (!path || !*path)
        return PH_OK;
    if (slots < 1)
        slots = 1;
    char name[1100];
    double t0 = ph_now();
    int waited = 0;
    for (;;) {
        for (int s = 0; s < slots; s++) {
            snprintf(name, sizeof name, "%s.%d", path, s);
            int f = open(name, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
            if (f < 0)
                return ph_error(PH_EFAIL, name, "cannot open the GPU lock file: %s",
                                strerror(errno));
            if (flock(f, LOCK_EX | LOCK_NB) == 0) {
                if (waited)
                    ph_info("GPU lock %s acquired after %.1f s", name, ph_now() - t0);
                *fd = f;
                return PH_OK;
            }
            close(f);
        }
        if (!waited)
            ph_info("waiting for the GPU lock %s (%d slot%s busy)", path, slots,
                    slots > 1 ? "s" : "");
        waited = 1;
        usleep(100000);
    }
}

void ph_gpu_unlock(int fd)
{
    if (fd >= 0) {
        flock(fd, LOCK_UN);
        close(fd);
    }
}

int ph_gpu_lock_option(const char *opt, int slots, int *fd)
{
    char def[1024];
    if (!opt) {
        const char *t = getenv("TMPDIR");
        snprintf(def, sizeof def, "%s/phrosty-gpu.lock", t && *t ? t : "/tmp");
        opt = def;
    }
    return ph_gpu_lock(strcmp(opt, "none") ? opt : "", slots, fd);
}
