/* ncpu.c -- see ncpu.h. */
#define _GNU_SOURCE
#include "base/ncpu.h"
#include "base/util.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A quota of `quota` microseconds every `period`: whole CPUs, at least 1;
 * 0 for no limit. */
static int quota_cpus(double quota, double period)
{
    if (!(quota > 0) || !(period > 0))
        return 0;
    int n = (int)(quota / period);
    return n < 1 ? 1 : n;
}

static int read_line(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    int ok = fgets(buf, (int)size, f) != NULL;
    fclose(f);
    return ok ? 0 : -1;
}

/* The quota of one cgroup directory (v2 cpu.max or v1 cfs files), 0 if none. */
static int dir_quota(const char *dir, int v2)
{
    char path[4200], a[128], b[128];
    if (v2) {
        snprintf(path, sizeof path, "%s/cpu.max", dir);
        if (read_line(path, a, sizeof a))
            return 0;
        char q[64] = "", p[64] = "";
        if (sscanf(a, "%63s %63s", q, p) < 1 || !strcmp(q, "max"))
            return 0;
        return quota_cpus(atof(q), p[0] ? atof(p) : 100000);
    }
    snprintf(path, sizeof path, "%s/cpu.cfs_quota_us", dir);
    if (read_line(path, a, sizeof a))
        return 0;
    snprintf(path, sizeof path, "%s/cpu.cfs_period_us", dir);
    if (read_line(path, b, sizeof b))
        return 0;
    return quota_cpus(atof(a), atof(b));
}

/* The smallest quota of `mount`/`cg` and its ancestors up to `mount`. */
static int walk_up(const char *mount, const char *cg, int v2)
{
    char rel[4096];
    snprintf(rel, sizeof rel, "%s", cg);
    int best = 0;
    for (;;) {
        char dir[8300];
        snprintf(dir, sizeof dir, "%s%s%s", mount, rel[0] == '/' ? "" : "/", rel);
        int q = dir_quota(dir, v2);
        if (q > 0 && (best == 0 || q < best))
            best = q;
        char *slash = strrchr(rel, '/');
        if (!slash || !rel[0] || !strcmp(rel, "/"))
            break;
        if (slash == rel)
            rel[1] = '\0';
        else
            *slash = '\0';
    }
    return best;
}

static void keep_min(int *best, int q)
{
    if (q > 0 && (*best == 0 || q < *best))
        *best = q;
}

int ph_ncpu_cgroup_cpus(const char *root, const char *proc_cgroup)
{
    FILE *f = fopen(proc_cgroup, "r");
    if (!f)
        return 0;
    int best = 0;
    char line[4608];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        /* "hierarchy-ID:controller-list:cgroup-path" */
        char *c1 = strchr(line, ':');
        char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (!c2)
            continue;
        *c1 = *c2 = '\0';
        const char *ctrl = c1 + 1, *cg = c2 + 1;
        char mount[4200];
        if (!strcmp(line, "0") && !*ctrl) { /* v2: the unified hierarchy */
            keep_min(&best, walk_up(root, cg, 1));
            snprintf(mount, sizeof mount, "%s/unified", root); /* hybrid layout */
            keep_min(&best, walk_up(mount, cg, 1));
            continue;
        }
        /* v1: a hierarchy whose controllers include cpu */
        int has_cpu = 0;
        char list[512];
        snprintf(list, sizeof list, "%s", ctrl);
        for (char *t = strtok(list, ","); t; t = strtok(NULL, ","))
            has_cpu |= !strcmp(t, "cpu");
        if (!has_cpu)
            continue;
        const char *names[] = {ctrl, "cpu", "cpu,cpuacct", "cpuacct,cpu"};
        for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
            snprintf(mount, sizeof mount, "%s/%s", root, names[i]);
            keep_min(&best, walk_up(mount, cg, 0));
            /* in a container the mount's root is the container's cgroup */
            keep_min(&best, dir_quota(mount, 0));
        }
    }
    fclose(f);
    return best;
}

/* A positive whole number from the environment, else 0 (*bad set if set
 * but not one). */
static int env_count(const char *name, int *bad)
{
    const char *v = getenv(name);
    *bad = 0;
    if (!v || !*v)
        return 0;
    long n;
    if (ph_parse_long(v, &n) || n < 1 || n > 1 << 20) {
        /* SLURM writes e.g. "2(x3)" in some variables; OpenMP allows "4,2" */
        char *end;
        n = strtol(v, &end, 10);
        if (end == v || n < 1 || n > 1 << 20) {
            *bad = 1;
            return 0;
        }
    }
    return (int)n;
}

int ph_ncpu_explain(char *why, size_t size)
{
    int n = 0, len = 0;
    cpu_set_t set;
    int aff = 0;
    if (!sched_getaffinity(0, sizeof set, &set))
        aff = CPU_COUNT(&set);
    if (aff < 1) {
        long on = sysconf(_SC_NPROCESSORS_ONLN);
        aff = on > 0 ? (int)on : 1;
    }
    n = aff;
    if (why)
        len += snprintf(why + len, size - len, "affinity %d", aff);
    int cg = ph_ncpu_cgroup_cpus("/sys/fs/cgroup", "/proc/self/cgroup");
    if (cg > 0 && cg < n)
        n = cg;
    if (why && len < (int)size) {
        if (cg > 0)
            len += snprintf(why + len, size - len, ", cgroup quota %d", cg);
        else
            len += snprintf(why + len, size - len, ", cgroup quota none");
    }
    const char *vars[] = {"SLURM_CPUS_PER_TASK", "OMP_NUM_THREADS"};
    for (int i = 0; i < 2; i++) {
        int bad, e = env_count(vars[i], &bad);
        if (e > 0 && e < n)
            n = e;
        if (why && len < (int)size) {
            if (e > 0)
                len += snprintf(why + len, size - len, ", %s %d", vars[i], e);
            else
                len += snprintf(why + len, size - len, ", %s %s", vars[i],
                                bad ? "ignored (not a whole number)" : "unset");
        }
    }
    return n < 1 ? 1 : n;
}

int ph_ncpu(void) { return ph_ncpu_explain(NULL, 0); }
