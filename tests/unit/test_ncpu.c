/* test_ncpu.c -- the thread default: the cgroup CPU quota read from fake
 * cgroup trees (v2, v1, hybrid, nested limits), and the environment's caps
 * (SLURM_CPUS_PER_TASK, OMP_NUM_THREADS) against the affinity mask. */
#define _GNU_SOURCE
#include "check.h"
#include "base/ncpu.h"
#include "base/util.h"

#include <sched.h>
#include <sys/stat.h>

static char root[600];

static void put(const char *rel, const char *text)
{
    char path[1200], dir[1200];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    snprintf(dir, sizeof dir, "%s", path);
    *strrchr(dir, '/') = '\0';
    ph_mkdir_p(dir);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

static void fresh(const char *name)
{
    snprintf(root, sizeof root, "%s/%s", check_tmpdir(), name);
    ph_mkdir_p(root);
}

static int cpus(void)
{
    char proc[700];
    snprintf(proc, sizeof proc, "%s/proc_cgroup", root);
    return ph_ncpu_cgroup_cpus(root, proc);
}

TEST(v2_quota_and_ancestors)
{
    fresh("v2");
    put("proc_cgroup", "0::/slurm/job7/step0\n");
    put("slurm/job7/step0/cpu.max", "max 100000\n");
    put("slurm/job7/cpu.max", "300000 100000\n"); /* 3 CPUs for the job */
    put("slurm/cpu.max", "max 100000\n");
    EXPECT(cpus() == 3);
    put("slurm/job7/step0/cpu.max", "150000 100000\n"); /* 1.5: one whole CPU */
    EXPECT(cpus() == 1);
    put("slurm/job7/step0/cpu.max", "50000 100000\n"); /* half a CPU: still 1 */
    EXPECT(cpus() == 1);
}

TEST(v2_no_limit)
{
    fresh("v2none");
    put("proc_cgroup", "0::/user.slice\n");
    put("user.slice/cpu.max", "max 100000\n");
    EXPECT(cpus() == 0);
    put("proc_cgroup", "0::/\n"); /* a container's namespace root */
    put("cpu.max", "400000 100000\n");
    EXPECT(cpus() == 4);
}

TEST(v1_cfs_quota)
{
    fresh("v1");
    put("proc_cgroup", "4:memory:/x\n3:cpu,cpuacct:/docker/abc\n1:name=systemd:/\n");
    put("cpu,cpuacct/docker/abc/cpu.cfs_quota_us", "200000\n");
    put("cpu,cpuacct/docker/abc/cpu.cfs_period_us", "100000\n");
    EXPECT(cpus() == 2);
    put("cpu,cpuacct/docker/abc/cpu.cfs_quota_us", "-1\n"); /* no limit here ... */
    put("cpu,cpuacct/docker/cpu.cfs_quota_us", "500000\n");  /* ... but above */
    put("cpu,cpuacct/docker/cpu.cfs_period_us", "100000\n");
    EXPECT(cpus() == 5);
}

TEST(v1_container_root_and_hybrid)
{
    fresh("v1c");
    /* in a container the path names the host's cgroup, the mount holds ours */
    put("proc_cgroup", "2:cpuacct:/\n1:cpu:/kubepods/pod1\n0::/\n");
    put("cpu/cpu.cfs_quota_us", "100000\n");
    put("cpu/cpu.cfs_period_us", "100000\n");
    EXPECT(cpus() == 1);
    fresh("hybrid");
    put("proc_cgroup", "1:cpu:/\n0::/svc\n");
    put("cpu/cpu.cfs_quota_us", "-1\n");
    put("cpu/cpu.cfs_period_us", "100000\n");
    put("unified/svc/cpu.max", "200000 100000\n");
    EXPECT(cpus() == 2);
}

TEST(missing_files)
{
    fresh("none");
    EXPECT(cpus() == 0); /* no proc file */
    put("proc_cgroup", "0::/a\n");
    EXPECT(cpus() == 0); /* no cpu.max anywhere */
    put("a/cpu.max", "garbage\n");
    EXPECT(cpus() == 0);
}

TEST(environment_caps)
{
    cpu_set_t set;
    int aff = sched_getaffinity(0, sizeof set, &set) ? 1 : CPU_COUNT(&set);
    char why[512];
    unsetenv("SLURM_CPUS_PER_TASK");
    unsetenv("OMP_NUM_THREADS");
    int base = ph_ncpu_explain(why, sizeof why);
    EXPECT(base >= 1 && base <= aff);
    EXPECT(strstr(why, "SLURM_CPUS_PER_TASK unset") != NULL);
    setenv("OMP_NUM_THREADS", "1", 1);
    EXPECT(ph_ncpu() == 1);
    setenv("OMP_NUM_THREADS", "4096", 1); /* a cap above the allotment changes nothing */
    EXPECT(ph_ncpu() == base);
    unsetenv("OMP_NUM_THREADS");
    setenv("SLURM_CPUS_PER_TASK", "1", 1);
    EXPECT(ph_ncpu() == 1);
    setenv("SLURM_CPUS_PER_TASK", "lots", 1);
    EXPECT(ph_ncpu() == base);
    ph_ncpu_explain(why, sizeof why);
    EXPECT(strstr(why, "SLURM_CPUS_PER_TASK ignored") != NULL);
    unsetenv("SLURM_CPUS_PER_TASK");
}

int main(void)
{
    RUN(v2_quota_and_ancestors);
    RUN(v2_no_limit);
    RUN(v1_cfs_quota);
    RUN(v1_container_root_and_hybrid);
    RUN(missing_files);
    RUN(environment_caps);
    return check_done();
}
