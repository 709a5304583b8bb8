/* detect_clean.c -- SExtractor's CLEAN (clean.c clean(), addcleanobj(),
 * mergeobject(), subcleanobj(); pipeline-reference.md §2.3 step 6).
 *
 * A newcomer is compared with the objects still in the clean list, in
 * list order, when closer than CLEAN_ZONE (a1 + a2): the brighter one's
 * Moffat-like wing (beta = CLEAN_PARAM, fitted to its isophotal flux and
 * area) predicts the value at the fainter one's centre; when that exceeds
 * the fainter one's mthresh, the fainter is merged into the brighter.
 *
 * The list: SExtractor keeps an object until its scan strip (MEMORY_BUFSIZE
 * = 1024 lines) has moved past the object's lower margin ycmin, and
 * removes objects by moving the last one into the hole; both are kept
 * here because they decide which neighbour eats first. A grid of 32-pixel
 * cells (small objects) and a short list (objects with a > 4 px) find the
 * candidates; they are then taken in list order. */
#include "sci/detect_internal.h"
#include "base/log.h"
#include "base/util.h"

#include <stdlib.h>
#include <string.h>

#define CELL 32
#define SMALL_A 4.0
#define STRIP_LINES 1024 /* SExtractor's MEMORY_BUFSIZE default */
#define STRIP_MARGIN 2   /* its strip margin with a 3-line filter */

typedef struct ivec {
    long *v;
    long n, cap;
} ivec;

static int ivec_push(ivec *a, long x)
{
    if (a->n == a->cap) {
        long cap = a->cap ? 2 * a->cap : 8;
        long *p = realloc(a->v, (size_t)cap * sizeof *p);
        if (!p)
            return ph_error(PH_EFAIL, NULL, "out of memory cleaning detections");
        a->v = p;
        a->cap = cap;
    }
    a->v[a->n++] = x;
    return PH_OK;
}

static void ivec_remove(ivec *a, long x)
{
    for (long i = 0; i < a->n; i++)
        if (a->v[i] == x) {
            a->v[i] = a->v[--a->n];
            return;
        }
}

typedef struct entry {
    long pos;          /* position in the list, -1 when not in it */
    int cell;          /* grid cell, -1 for the big list */
    int ycmin;
} entry;

struct det_cleaner {
    long nx, ny;
    int gx, gy;
    ivec *grid;
    ivec big;
    ivec list;         /* object ids in SExtractor's list order */
    entry *e;          /* per object id */
    long ecap;
    ivec heap;         /* ids ordered by ycmin (lazy min-heap) */
    int expiring;      /* the image is taller than the strip */
};

det_cleaner *det_cleaner_new(long nx, long ny)
{
    det_cleaner *cl = ph_calloc(1, sizeof *cl, "cleaning");
    if (!cl)
        return NULL;
    cl->nx = nx;
    cl->ny = ny;
    cl->gx = (int)((nx + CELL - 1) / CELL);
    cl->gy = (int)((ny + CELL - 1) / CELL);
    cl->grid = ph_calloc((size_t)cl->gx * cl->gy, sizeof *cl->grid, "cleaning");
    cl->expiring = ny > STRIP_LINES;
    if (!cl->grid) {
        free(cl);
        return NULL;
    }
    return cl;
}

void det_cleaner_free(det_cleaner *cl)
{
    if (!cl)
        return;
    for (long i = 0; i < (long)cl->gx * cl->gy; i++)
        free(cl->grid[i].v);
    free(cl->grid);
    free(cl->big.v);
    free(cl->list.v);
    free(cl->e);
    free(cl->heap.v);
    free(cl);
}

static void list_remove(det_cleaner *cl, long id)
{
    entry *e = &cl->e[id];
    long p = e->pos;
    long last = cl->list.v[--cl->list.n];
    if (p != cl->list.n) { /* subcleanobj(): the last one fills the hole */
        cl->list.v[p] = last;
        cl->e[last].pos = p;
    }
    e->pos = -1;
    if (e->cell >= 0)
        ivec_remove(&cl->grid[e->cell], id);
    else
        ivec_remove(&cl->big, id);
}

static void heap_push(det_cleaner *cl, long id)
{
    if (ivec_push(&cl->heap, id))
        return;
    long *h = cl->heap.v, i = cl->heap.n - 1;
    while (i > 0) {
        long p = (i - 1) / 2;
        if (cl->e[h[p]].ycmin <= cl->e[h[i]].ycmin)
            break;
        long t = h[p];
        h[p] = h[i];
        h[i] = t;
        i = p;
    }
}

static long heap_pop(det_cleaner *cl)
{
    long *h = cl->heap.v, top = h[0];
    h[0] = h[--cl->heap.n];
    long i = 0, n = cl->heap.n;
    for (;;) {
        long l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && cl->e[h[l]].ycmin < cl->e[h[m]].ycmin)
            m = l;
        if (r < n && cl->e[h[r]].ycmin < cl->e[h[m]].ycmin)
            m = r;
        if (m == i)
            break;
        long t = h[m];
        h[m] = h[i];
        h[i] = t;
        i = m;
    }
    return top;
}

void det_cleaner_expire(det_cleaner *cl, int ymax)
{
    if (!cl->expiring)
        return;
    /* The component closes while line ymax + 1 is scanned; after line p
     * (p >= 1021) SExtractor has ended every object with ycmin <= p - 1021. */
    int lim = ymax - (STRIP_LINES - STRIP_MARGIN - 1);
    while (cl->heap.n && cl->e[cl->heap.v[0]].ycmin <= lim) {
        long id = heap_pop(cl);
        if (cl->e[id].pos >= 0)
            list_remove(cl, id);
    }
}

/* addcleanobj(): the lower margin below which SExtractor ends the object. */
static int ycmin_of(const ph_object *o)
{
    double hh1 = o->cyy - o->cxy * o->cxy / (4.0 * o->cxx);
    hh1 = hh1 > 0.0 ? 1 / sqrt(3 * hh1) : 0.0;
    double hh2 = o->ymax - o->ymin + 1.0;
    int margin = (int)((hh1 > hh2 ? hh1 : hh2) * 2.0 + 4.0 + 0.49999);
    int ycmin = o->ymin - margin, y = (int)(o->y + 0.49999);
    return y < ycmin ? y : ycmin;
}

static int list_add(det_cleaner *cl, const ph_object *obj, long id)
{
    if (id >= cl->ecap) {
        long cap = cl->ecap ? 2 * cl->ecap : 1024;
        while (cap <= id)
            cap *= 2;
        entry *e = realloc(cl->e, (size_t)cap * sizeof *e);
        if (!e)
            return ph_error(PH_EFAIL, NULL, "out of memory cleaning detections");
        cl->e = e;
        cl->ecap = cap;
    }
    const ph_object *o = &obj[id];
    entry *e = &cl->e[id];
    e->pos = cl->list.n;
    e->ycmin = ycmin_of(o);
    int st = ivec_push(&cl->list, id);
    if (!st && o->a <= SMALL_A && isfinite(o->x) && isfinite(o->y)) {
        int cx = (int)(o->x / CELL), cy = (int)(o->y / CELL);
        cx = cx < 0 ? 0 : cx >= cl->gx ? cl->gx - 1 : cx;
        cy = cy < 0 ? 0 : cy >= cl->gy ? cl->gy - 1 : cy;
        e->cell = cy * cl->gx + cx;
        st = ivec_push(&cl->grid[e->cell], id);
    } else if (!st) {
        e->cell = -1;
        st = ivec_push(&cl->big, id);
    }
    if (!st && cl->expiring)
        heap_push(cl, id);
    return st;
}

static void merge_into(ph_object *master, const ph_object *slave)
{
    master->npix += slave->npix;
    master->fdflux += slave->fdflux;
    master->flux_iso += slave->flux_iso;
    if (slave->fdpeak > master->fdpeak)
        master->fdpeak = slave->fdpeak;
    if (slave->peak > master->peak)
        master->peak = slave->peak;
    master->xmin = slave->xmin < master->xmin ? slave->xmin : master->xmin;
    master->xmax = slave->xmax > master->xmax ? slave->xmax : master->xmax;
    master->ymin = slave->ymin < master->ymin ? slave->ymin : master->ymin;
    master->ymax = slave->ymax > master->ymax ? slave->ymax : master->ymax;
    master->flags |= slave->flags & (PH_OBJ_TRUNC | PH_OBJ_FORCED);
}

/* The value an object's wing predicts at (dx, dy) from its centre, or -1
 * out of its reach (val <= 1). */
static double wing(const ph_object *o, double dx, double dy, double beta, double thresh)
{
    double unitarea = M_PI * o->a * o->b;
    double amp = o->fdflux / (2 * unitarea * o->abcor);
    double alpha = (pow(amp / thresh, 1.0 / beta) - 1) * unitarea / o->npix;
    double val = 1 + alpha * (o->cxx * dx * dx + o->cyy * dy * dy + o->cxy * dx * dy);
    if (!(val > 1.0))
        return -1.0;
    return (float)(val < 1e10 ? amp * pow(val, -beta) : 0.0);
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

int det_clean(det_cleaner *cl, ph_object *obj, long *master, long in, double beta,
              double thresh)
{
    ph_object *oi = &obj[in];
    /* Candidates: the big list, and the grid cells a small object could
     * reach from (zone 10 (a_in + a) with a <= SMALL_A). */
    ivec cand = {0};
    int st = PH_OK;
    for (long k = 0; k < cl->big.n && !st; k++)
        st = ivec_push(&cand, cl->e[cl->big.v[k]].pos);
    if (isfinite(oi->x) && isfinite(oi->y) && isfinite(oi->a)) {
        double R = DET_CLEAN_ZONE * (oi->a + SMALL_A);
        int cx0 = (int)floor((oi->x - R) / CELL), cx1 = (int)floor((oi->x + R) / CELL);
        int cy0 = (int)floor((oi->y - R) / CELL), cy1 = (int)floor((oi->y + R) / CELL);
        cx0 = cx0 < 0 ? 0 : cx0;
        cy0 = cy0 < 0 ? 0 : cy0;
        cx1 = cx1 >= cl->gx ? cl->gx - 1 : cx1;
        cy1 = cy1 >= cl->gy ? cl->gy - 1 : cy1;
        for (int cy = cy0; cy <= cy1 && !st; cy++)
            for (int cx = cx0; cx <= cx1 && !st; cx++) {
                const ivec *g = &cl->grid[cy * cl->gx + cx];
                for (long k = 0; k < g->n && !st; k++)
                    st = ivec_push(&cand, cl->e[g->v[k]].pos);
            }
    } else {
        /* No position (a degenerate newcomer): every listed object. */
        cand.n = 0;
        for (long k = 0; k < cl->list.n && !st; k++)
            st = ivec_push(&cand, k);
    }
    if (st) {
        free(cand.v);
        return -1;
    }
    /* Keep those within the zone, then take them in list order. */
    long kept = 0;
    for (long c = 0; c < cand.n; c++) {
        const ph_object *o = &obj[cl->list.v[cand.v[c]]];
        double dx = oi->x - o->x, dy = oi->y - o->y, rlim = oi->a + o->a;
        if (dx * dx + dy * dy < rlim * rlim * DET_CLEAN_ZONE * DET_CLEAN_ZONE)
            cand.v[kept++] = cand.v[c];
    }
    cand.n = kept;
    if (cand.n > 1)
        qsort(cand.v, (size_t)cand.n, sizeof *cand.v, cmp_long);

    ivec victims = {0};
    int eaten = 0;
    for (long c = 0; c < cand.n && !st; c++) {
        long id = cl->list.v[cand.v[c]];
        ph_object *o = &obj[id];
        double dx = oi->x - o->x, dy = oi->y - o->y;
        double rlim = oi->a + o->a;
        rlim *= rlim;
        if (!(dx * dx + dy * dy < rlim * DET_CLEAN_ZONE * DET_CLEAN_ZONE))
            continue;
        if (o->fdflux < oi->fdflux) {
            /* The newcomer's wing may swallow this fainter object. */
            double w = wing(oi, dx, dy, beta, thresh);
            if (w >= 0 && w > (float)o->mthresh)
                st = ivec_push(&victims, id);
        } else {
            double w = wing(o, dx, dy, beta, thresh);
            if (w >= 0 && w > (float)oi->mthresh) {
                merge_into(o, oi); /* the newcomer is eaten */
                master[in] = id;
                eaten = 1;
                break;
            }
        }
    }
    free(cand.v);
    if (!st && !eaten) {
        /* Victims in reverse order of discovery, as SExtractor removes them. */
        for (long v = victims.n - 1; v >= 0; v--) {
            long id = victims.v[v];
            merge_into(oi, &obj[id]);
            master[id] = in;
            list_remove(cl, id);
        }
        st = list_add(cl, obj, in);
    }
    free(victims.v);
    if (st)
        return -1;
    return eaten ? 0 : 1;
}
