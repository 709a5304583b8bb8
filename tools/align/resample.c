/* resample.c -- see resample.h. Rows are handed out in blocks through an
 * atomic counter; every output pixel depends only on its own inputs, so
 * the result does not depend on the thread count or scheduling. */
#include "resample.h"
#include "base/log.h"
#include "io/image.h"
#include "base/util.h"
#include "weights.h"

#include <math.h>
#include <pthread.h>
#include <sys/mman.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* Output is processed in tiles of ROWS_PER_BLOCK rows by TILE_COLS columns
 * so that the template pixels a tile reads (a rotated patch) stay in cache. */
enum { ROWS_PER_BLOCK = 16, TILE_COLS = 256 };
static const double WMIN = 1e-12; /* |weight| below this: the tap does not contribute */
/* Positions this close to a pixel centre are snapped onto it, so that an
 * integer shift is an exact copy although wcslib's round trip and the map
 * interpolation leave ~1e-9 px (far below the map's own error bound). */
static const double SNAP = 1e-6;

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

static void do_row(job *jb, long y, long xa, long xb, const double *sx, const double *sy,
                   const double *area, long *n_inside, long *n_bad)
{
    const align_planes *in = jb->in;
    const align_opts *o = jb->o;
    align_planes *out = jb->out;
    const long snx = in->nx, sny = in->ny, nx = out->nx;
    const int r = ph_interp_radius(o->kernel), nt = 2 * r;
    const uint8_t badbits = PH_MASK_BAD | PH_MASK_OUTSIDE;
    double wx[6], wy[6];
    for (long x = xa; x < xb; x++) {
        size_t op = (size_t)y * nx + x;
        double px = sx[x], py = sy[x];
        if (!(px >= -0.5 && px <= snx - 0.5 && py >= -0.5 && py <= sny - 0.5)) {
            out->sci[op] = 0; /* also NaN positions: unmapped */
            if (out->var)
                out->var[op] = 0;
            out->mask[op] = PH_MASK_OUTSIDE;
            continue;
        }
        if (fabs(px - nearbyint(px)) < SNAP)
            px = nearbyint(px);
        if (fabs(py - nearbyint(py)) < SNAP)
            py = nearbyint(py);
        double fx = floor(px), fy = floor(py);
        long bx = (long)fx - r + 1, by = (long)fy - r + 1;
        align_weights(o->kernel, px - fx, wx);
        align_weights(o->kernel, py - fy, wy);
        /* Taps with a zero weight do not contribute: trim them from both
         * ends (an exact pixel position, or Lanczos' negligible tails). */
        int i0 = 0, i1 = nt, j0 = 0, j1 = nt;
        while (i0 < i1 && fabs(wx[i0]) < WMIN)
            i0++;
        while (i1 > i0 && fabs(wx[i1 - 1]) < WMIN)
            i1--;
        while (j0 < j1 && fabs(wy[j0]) < WMIN)
            j0++;
        while (j1 > j0 && fabs(wy[j1 - 1]) < WMIN)
            j1--;
        int bad = 0;
        /* Taps off the template read 0 (SFFT's fill) and make the pixel BAD. */
        if (bx + i0 < 0 || bx + i1 > snx || by + j0 < 0 || by + j1 > sny) {
            bad = 1;
            while (bx + i0 < 0)
                i0++;
            while (bx + i1 > snx)
                i1--;
            while (by + j0 < 0)
                j0++;
            while (by + j1 > sny)
                j1--;
        }
        double s = 0, v = 0;
        for (int j = j0; j < j1; j++) {
            size_t row = (size_t)(by + j) * snx + bx;
            const float *srow = in->sci + row;
            double rs = 0, rv = 0;
            for (int i = i0; i < i1; i++) {
                float a = srow[i];
                if (isfinite(a))
                    rs += wx[i] * a;
                else
                    bad = 1;
            }
            s += wy[j] * rs;
            if (in->var) {
                const float *vrow = in->var + row;
                double wyv = o->var_linear ? wy[j] : wy[j] * wy[j];
                for (int i = i0; i < i1; i++) {
                    float b = vrow[i];
                    if (isfinite(b))
                        rv += (o->var_linear ? wx[i] : wx[i] * wx[i]) * b;
                    else
                        bad = 1;
                }
                v += wyv * rv;
            }
            if (in->mask) {
                const uint8_t *mrow = in->mask + row;
                for (int i = i0; i < i1; i++)
                    if (mrow[i] & badbits)
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
    size_t nb = ROWS_PER_BLOCK * (size_t)nx;
    double *buf = malloc((3 * (size_t)map->gnx + 3 * nb) * sizeof *buf);
    if (!buf) {
        atomic_store(&jb->failed, 1);
        return NULL;
    }
    double *scratch = buf, *sx = buf + 3 * map->gnx, *sy = sx + nb, *area = sy + nb;
    int need_area = jb->o->flux == ALIGN_FLUX_JACOBIAN;
    long n_inside = 0, n_bad = 0;
    for (;;) {
        long y0 = atomic_fetch_add(&jb->next_row, ROWS_PER_BLOCK);
        if (y0 >= ny)
            break;
        long y1 = y0 + ROWS_PER_BLOCK < ny ? y0 + ROWS_PER_BLOCK : ny;
        for (long y = y0; y < y1; y++) {
            size_t k = (size_t)(y - y0) * nx;
            ph_pixmap_row(map, y, scratch, sx + k, sy + k, need_area ? area + k : NULL);
        }
        for (long xa = 0; xa < nx; xa += TILE_COLS) {
            long xb = xa + TILE_COLS < nx ? xa + TILE_COLS : nx;
            for (long y = y0; y < y1; y++) {
                size_t k = (size_t)(y - y0) * nx;
                do_row(jb, y, xa, xb, sx + k, sy + k, area + k, &n_inside, &n_bad);
            }
        }
    }
    atomic_fetch_add(&jb->n_inside, n_inside);
    atomic_fetch_add(&jb->n_bad, n_bad);
    free(buf);
    return NULL;
}

/* A plane of `n` bytes on 2 MB boundaries, marked for transparent huge
 * pages: a 4088^2 float plane then costs ~32 page faults instead of
 * ~16000, which is most of the system time of first touching it. */
static void *plane_alloc(size_t n, const char *what)
{
    const size_t huge = 2u << 20;
    void *p = NULL;
    if (n < huge)
        return ph_malloc(n, what);
    if (posix_memalign(&p, huge, n)) {
        ph_error(PH_EFAIL, NULL, "out of memory allocating %s (%zu MB)", what, n >> 20);
        return NULL;
    }
#ifdef MADV_HUGEPAGE
    madvise(p, n - n % huge, MADV_HUGEPAGE); /* advice only: failure is harmless */
#endif
    return p;
}

int align_resample(const ph_pixmap *map, const align_planes *in, const align_opts *o,
                   align_planes *out, align_stats *stats)
{
    memset(out, 0, sizeof *out);
    out->nx = map->nx;
    out->ny = map->ny;
    size_t n = (size_t)out->nx * out->ny;
    out->sci = plane_alloc(n * sizeof(float), "aligned SCI");
    out->mask = out->sci ? plane_alloc(n, "aligned MASK") : NULL;
    if (out->mask && in->var)
        out->var = plane_alloc(n * sizeof(float), "aligned VAR");
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
