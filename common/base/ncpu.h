/* ncpu.h -- how many threads a tool may run: its allotment, not the
 * machine's CPUs.
 *
 * ph_ncpu() (util.h) is the smallest of
 *   - the CPU affinity mask (sched_getaffinity: taskset, numactl, srun's
 *     binding, make -j under a pinned shell);
 *   - the cgroup CPU quota (containers, systemd slices, SLURM's task
 *     cgroup): cgroup v2 cpu.max, v1 cpu.cfs_quota_us / cpu.cfs_period_us,
 *     of the process's cgroup and every ancestor, whole CPUs (rounded
 *     down, at least 1);
 *   - SLURM_CPUS_PER_TASK (a SLURM job's --cpus-per-task);
 *   - OMP_NUM_THREADS (the usual way to cap a program's threads);
 * at least 1. Environment values that are not positive whole numbers are
 * ignored (with the reason in ph_ncpu_explain).
 */
#ifndef PH_NCPU_H
#define PH_NCPU_H

#include <stddef.h>

/* ph_ncpu(), and in `why` one line naming each limit that applies and its
 * value ("affinity 2, cgroup quota 1, SLURM_CPUS_PER_TASK unset, ..."). */
int ph_ncpu_explain(char *why, size_t size);

/* The cgroup CPU quota in whole CPUs (rounded down, at least 1), or 0 when
 * there is none: the cgroups listed in the file `proc_cgroup` (normally
 * /proc/self/cgroup) looked up under `root` (normally /sys/fs/cgroup), v2
 * and v1, each and its ancestors. For tests, a fake tree. */
int ph_ncpu_cgroup_cpus(const char *root, const char *proc_cgroup);

#endif
