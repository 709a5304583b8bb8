/* gpu.h -- what the CPU side knows about the GPU: whether one is usable,
 * which device a tool runs on, and the lock file that lets several
 * processes (make -j, SLURM tasks on one node) share a GPU without
 * oversubscribing its memory.
 *
 * Built with nvcc (PH_WITH_CUDA defined), ph_gpu_probe() asks the CUDA
 * runtime (ph_cuda_probe in cuda/device.cu; every CUDA entry point is
 * declared in cuda/ph_cuda.h); without it, it says so and the CPU path
 * runs.
 */
#ifndef PH_GPU_H
#define PH_GPU_H

#include "base/cli.h"

#include <stddef.h>

typedef enum { PH_DEVICE_AUTO = 0, PH_DEVICE_CPU = 1, PH_DEVICE_GPU = 2 } ph_device;

typedef struct ph_gpu_info {
    int usable;            /* a CUDA device that can run our kernels */
    char name[256];        /* device name */
    double mem_total_gb;   /* device memory */
    double mem_free_gb;
    char why[256];         /* why not usable */
} ph_gpu_info;

/* 1 if the toolkit was built with CUDA. */
int ph_gpu_compiled(void);

/* Probe device 0 (or $CUDA_VISIBLE_DEVICES' first). Never fails: a missing
 * driver or device gives usable = 0 and the reason. */
void ph_gpu_probe(ph_gpu_info *info);

/* Parse "auto|cpu|gpu". */
int ph_gpu_device_parse(const char *s, ph_device *out);

/* Decide: AUTO -> GPU when usable, else CPU with a one-line notice; GPU ->
 * error (PH_EFAIL) when not usable; CPU -> CPU. `*use_gpu` is set. */
int ph_gpu_device_resolve(ph_device want, int *use_gpu, ph_gpu_info *info);

/* GPU lock: `slots` processes may hold the GPU at once (slots >= 1). The
 * lock is an flock on PATH.0 ... PATH.<slots-1>; it blocks until a slot is
 * free and is released by ph_gpu_unlock or when the process exits (so a
 * killed job never leaves a stale lock). path NULL or "" = no locking.
 * Returns PH_OK and the held fd in *fd (-1 when not locking). */
int ph_gpu_lock(const char *path, int slots, int *fd);
void ph_gpu_unlock(int fd);

/* The lock a --gpu-lock option names: NULL = the default
 * $TMPDIR/phrosty-gpu.lock (/tmp without TMPDIR); "none" or "" = no lock. */
int ph_gpu_lock_option(const char *opt, int slots, int *fd);

/* The --device row of a GPU tool's option table (cli.h), into its field
 * `device` (a ph_device) of its context type T, with the tool's help line. */
#define PH_GPU_DEVICE_OPT(T, device, help)                                                         \
    {"device", 0, "auto|cpu|gpu", help, PH_CHOICE_AT(T, device), .def = "auto",                    \
     .values = (const int[]){PH_DEVICE_AUTO, PH_DEVICE_CPU, PH_DEVICE_GPU}}

/* The --gpu-lock and --gpu-slots rows of a GPU tool's option table
 * (cli.h), into the fields `lock` (const char *: ph_gpu_lock_option's
 * opt) and `slots` (long) of its context type T. */
#define PH_GPU_LOCK_OPTS(T, lock, slots)                                                           \
    {"gpu-lock", 0, "PATH", "GPU lock (default $TMPDIR/phrosty-gpu.lock; none: no lock)",          \
     PH_AT(T, lock)},                                                                              \
    {"gpu-slots", 0, "N", "jobs allowed on the GPU at once", PH_AT(T, slots), .lo = 1, .hi = 64,   \
     .def = "1"}

#endif
