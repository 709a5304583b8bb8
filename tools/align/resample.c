/* resample.c -- see resample.h. Rows are handed out in blocks through an
 * atomic counter; every output pixel depends only on its own inputs, so
 * the result does not depend on the thread count or scheduling. */
#include "resample.h"
#include "log.h"
#include "phimage.h"
#include "util.h"
#include "weights.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

enum { ROWS_PER_BLOCK = 8 };
static const double WMIN = 1e-12; /* |weight| below this: the tap does not contribute */

typedef struct job {
    const ph_pixmap *map;
    const align_planes *in;
    const align_opts *o;
    align_planes *out;
    atomic_long next_row;
    atomic_long n_inside, n_bad;
    atomic_int failed;
} job;

/* Bilinear DETECTED fraction at (px, py); taps off the image count as 0. */
static double detected_fraction(const uint8_t *mask, long nx, long ny, double px, double py)
{
    double fx = floor(px), fy = floor(py), tx = px - fx, ty = py - fy;
    long x = (long)fx, y = (long)fy;
    double w[4] = {(1 - tx) * (1 - ty), tx * (1 - ty), (1 - tx) * ty, tx * ty}, s = 0;
    for (int k = 0; k < 4; k++) {
        long xx = x + (k & 1), yy = y + (k >> 1);
        if (w[k] != 0 && xx >= 0 && xx < nx && yy >= 0 && yy < ny &&
            (mask[yy * nx + xx] & PH_MASK_DETECTED))
            s += w[k];
    }
    return s;
}

static void do_row(job *jb, long y, const double *sx, const double *sy, const double *area,
                   long *n_inside, long *n_bad)
{
    const align_planes *in = jb->in;
    const align_opts *o = jb->o;
    align_planes *out = jb->out;
    const long snx = in->nx, sny = in->ny, nx = out->nx;
    const int r = ph_interp_radius(o->kernel), nt = 2 * r;
    const uint8_t badbits = PH_MASK_BAD | PH_MASK_OUTSIDE;
    double wx[6], wy[6];
    for (long x = 0; x < nx; x++) {
        size_t op = (size_t)y * nx + x;
        double px = sx[x], py = sy[x];
        if (!(px >= -0.5 && px <= snx - 0.5 && py >= -0.5 && py <= sny - 0.5)) {
            out->sci[op] = 0; /* also NaN positions: unmapped */
            if (out->var)
                out->var[op] = 0;
            out->mask[op] = PH_MASK_OUTSIDE;
            continue;
        }
        double fx = floor(px), fy = floor(py);
        long bx = (long)fx - r + 1, by = (long)fy - r + 1;
        align_weights(o->kernel, px - fx, wx);
        align_weights(o->kernel, py - fy, wy);
        double s = 0, v = 0;
        int bad = 0;
        for (int j = 0; j < nt; j++) {
            if (fabs(wy[j]) < WMIN)
                continue;
            long yy = by + j;
            if (yy < 0 || yy >= sny) {
                bad = 1;
                continue;
            }
            const float *srow = in->sci + yy * snx;
            const float *vrow = in->var ? in->var + yy * snx : NULL;
            const uint8_t *mrow = in->mask ? in->mask + yy * snx : NULL;
            for (int i = 0; i < nt; i++) {
                if (fabs(wx[i]) < WMIN)
                    continue;
                long xx = bx + i;
                if (xx < 0 || xx >= snx) {
                    bad = 1;
                    continue;
                }
                double w = wx[i] * wy[j];
                float a = srow[xx];
                if (isfinite(a))
                    s += w * a;
                else
                    bad = 1;
                if (vrow) {
                    float b = vrow[xx];
                    if (isfinite(b))
                        v += (o->var_linear ? w : w * w) * b;
                    else
                        bad = 1;
                }
                if (mrow && (mrow[xx] & badbits))
                    bad = 1;
            }
        }
        double f = o->flux == ALIGN_FLUX_MEAN       ? o->area_ratio
                   : o->flux == ALIGN_FLUX_JACOBIAN ? area[x]
                                                    : 1.0;
        out->sci[op] = (float)(s * f);
        if (out->var)
            out->var[op] = (float)(v * f * f);
        uint8_t m = bad ? PH_MASK_BAD : 0;
        if (in->mask && detected_fraction(in->mask, snx, sny, px, py) >= o->det_threshold)
            m |= PH_MASK_DETECTED;
        out->mask[op] = m;
        (*n_inside)++;
        *n_bad += bad;
    }
}

static void *worker(void *arg)
{
    job *jb = arg;
    const ph_pixmap *map = jb->map;
    long nx = jb->out->nx, ny = jb->out->ny;
    double *buf = malloc((3 * (size_t)map->gnx + 3 * (size_t)nx) * sizeof *buf);
    if (!buf) {
        atomic_store(&jb->failed, 1);
        return NULL;
    }
    double *scratch = buf, *sx = buf + 3 * map->gnx, *sy = sx + nx, *area = sy + nx;
    int need_area = jb->o->flux == ALIGN_FLUX_JACOBIAN;
    long n_inside = 0, n_bad = 0;
    for (;;) {
        long y0 = atomic_fetch_add(&jb->next_row, ROWS_PER_BLOCK);
        if (y0 >= ny)
            break;
        long y1 = y0 + ROWS_PER_BLOCK < ny ? y0 + ROWS_PER_BLOCK : ny;
        for (long y = y0; y < y1; y++) {
            ph_pixmap_row(map, y, scratch, sx, sy, need_area ? area : NULL);
            do_row(jb, y, sx, sy, area, &n_inside, &n_bad);
        }
    }
    atomic_fetch_add(&jb->n_inside, n_inside);
    atomic_fetch_add(&jb->n_bad, n_bad);
    free(buf);
    return NULL;
}

int align_resample(const ph_pixmap *map, const align_planes *in, const align_opts *o,
                   align_planes *out, align_stats *stats)
{
    memset(out, 0, sizeof *out);
    out->nx = map->nx;
    out->ny = map->ny;
    size_t n = (size_t)out->nx * out->ny;
    out->sci = ph_malloc(n * sizeof(float), "aligned SCI");
    out->mask = out->sci ? ph_malloc(n, "aligned MASK") : NULL;
    if (out->mask && in->var)
        out->var = ph_malloc(n * sizeof(float), "aligned VAR");
    if (!out->sci || !out->mask || (in->var && !out->var)) {
        align_planes_free(out);
        return PH_EFAIL;
    }
    job jb = {.map = map, .in = in, .o = o, .out = out};
    atomic_init(&jb.next_row, 0);
    atomic_init(&jb.n_inside, 0);
    atomic_init(&jb.n_bad, 0);
    atomic_init(&jb.failed, 0);
    int nth = o->nthreads < 1 ? 1 : o->nthreads;
    if (nth > out->ny)
        nth = (int)out->ny;
    pthread_t th[nth];
    int started = 0;
    for (int t = 1; t < nth; t++) {
        if (pthread_create(&th[t], NULL, worker, &jb))
            break; /* run with the threads we have: the counter shares out the rows */
        started = t;
    }
    worker(&jb);
    for (int t = 1; t <= started; t++)
        pthread_join(th[t], NULL);
    if (atomic_load(&jb.failed)) {
        align_planes_free(out);
        return ph_error(PH_EFAIL, NULL, "out of memory for the resampling scratch rows");
    }
    stats->n_inside = atomic_load(&jb.n_inside);
    stats->n_bad = atomic_load(&jb.n_bad);
    return PH_OK;
}

void align_planes_free(align_planes *p)
{
    free(p->sci);
    free(p->var);
    free(p->mask);
    p->sci = p->var = NULL;
    p->mask = NULL;
}
