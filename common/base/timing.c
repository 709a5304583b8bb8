/* timing.c -- see timing.h. */
#include "base/timing.h"
#include "base/log.h"
#include "base/util.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

enum { MAX_STEPS = 64 };

static struct {
    char name[48];
    double wall, device;
    int has_device;
} steps[MAX_STEPS];
static int nsteps;
static int current = -1;
static double started;
static double first_start = -1;

static int find_step(const char *name)
{
    for (int i = 0; i < nsteps; i++)
        if (!strcmp(steps[i].name, name))
            return i;
    if (nsteps == MAX_STEPS)
        return MAX_STEPS - 1;
    ph_strlcpy(steps[nsteps].name, name, sizeof steps[nsteps].name);
    return nsteps++;
}

void ph_timing_begin(const char *step)
{
    if (current >= 0)
        ph_timing_end();
    current = find_step(step);
    started = ph_now();
    if (first_start < 0)
        first_start = started;
    ph_info("%s ...", step);
}

void ph_timing_end(void)
{
    if (current < 0)
        return;
    double dt = ph_now() - started;
    steps[current].wall += dt;
    ph_info("%s done in %.3f s", steps[current].name, dt);
    current = -1;
}

void ph_timing_add_device(const char *step, double seconds)
{
    int i = find_step(step);
    steps[i].device += seconds;
    steps[i].has_device = 1;
}

void ph_timing_report(void)
{
    ph_timing_end();
    const char *p = ph_progname();
    double total = 0, dtotal = 0;
    int anydev = 0;
    fprintf(stderr, "timing %s step wall_s device_s\n", p);
    for (int i = 0; i < nsteps; i++) {
        total += steps[i].wall;
        if (steps[i].has_device) {
            dtotal += steps[i].device;
            anydev = 1;
            fprintf(stderr, "timing %s %s %.4f %.4f\n", p, steps[i].name, steps[i].wall,
                    steps[i].device);
        } else {
            fprintf(stderr, "timing %s %s %.4f -\n", p, steps[i].name, steps[i].wall);
        }
    }
    if (anydev)
        fprintf(stderr, "timing %s total %.4f %.4f\n", p, total, dtotal);
    else
        fprintf(stderr, "timing %s total %.4f -\n", p, total);
}
