/* detect_deblend.c -- SExtractor's multi-threshold deblending (refine.c
 * parcelout() and gatherup(), pipeline-reference.md §2.3 step 5).
 *
 * SExtractor re-runs its connected-component scan at each of the
 * DEBLEND_NTHRESH levels. We get the same tree in one sweep: pixels are
 * bucketed by the highest level they exceed and added from the top level
 * down into a union-find forest; after each level the roots of at least
 * MAXDEBAREA (3) pixels are that level's branches, and a branch's parent
 * is the branch holding it one level lower. */
#include "detect_internal.h"
#include "log.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

typedef struct node {
    int level;
    int32_t rep;       /* a local pixel of the branch */
    long npix;
    double fdflux;     /* sum of filtered values */
    int32_t parent;    /* node one level lower, -1 for the root */
    int32_t first_child, next_sibling;
    int ok;
} node;

typedef struct forest {
    int32_t *parent;
    long *size;
    double *flux;
} forest;

static int32_t ff(forest *f, int32_t a)
{
    while (f->parent[a] != a) {
        f->parent[a] = f->parent[f->parent[a]];
        a = f->parent[a];
    }
    return a;
}

static void fu(forest *f, int32_t a, int32_t b)
{
    a = ff(f, a);
    b = ff(f, b);
    if (a == b)
        return;
    if (f->size[a] < f->size[b]) {
        int32_t t = a;
        a = b;
        b = t;
    }
    f->parent[b] = a;
    f->size[a] += f->size[b];
    f->flux[a] += f->flux[b];
}

typedef struct work {
    /* component geometry */
    int x0, y0, bw, bh;
    int32_t *loc;      /* bw*bh: local pixel index or -1 */
    uint8_t *lev;      /* per local pixel: highest level exceeded */
    float *cd, *dv;    /* per local pixel: filtered and image values */
    int16_t *lx, *ly;  /* per local pixel: box coordinates (fit int16: boxes < 32768) */
} work;

/* Neighbours (8-connected) of local pixel i inside the component. */
static int neighbours(const work *w, int32_t i, int32_t nb[8])
{
    int x = w->lx[i], y = w->ly[i], k = 0;
    for (int dy = -1; dy <= 1; dy++)
        for (int dx = -1; dx <= 1; dx++) {
            if (!dx && !dy)
                continue;
            int xx = x + dx, yy = y + dy;
            if (xx < 0 || yy < 0 || xx >= w->bw || yy >= w->bh)
                continue;
            int32_t j = w->loc[(size_t)yy * w->bw + xx];
            if (j >= 0)
                nb[k++] = j;
        }
    return k;
}

/* Pixels of the branch at `level` holding local pixel `rep`: flood fill
 * over pixels above that level. Marks owner[] = id, returns the count. */
static long fill_branch(const work *w, int32_t rep, int level, int32_t *owner, int32_t id,
                        int32_t *stack)
{
    long sp = 0, n = 0;
    stack[sp++] = rep;
    owner[rep] = id;
    while (sp) {
        int32_t i = stack[--sp], nb[8];
        n++;
        int k = neighbours(w, i, nb);
        for (int j = 0; j < k; j++)
            if (owner[nb[j]] == -1 && w->lev[nb[j]] >= level) {
                owner[nb[j]] = id;
                stack[sp++] = nb[j];
            }
    }
    return n;
}

int det_deblend(const det_ctx *c, uint32_t *pix, long n, det_child **children, int *nchild)
{
    const ph_detect_params *p = c->p;
    const int xn = p->nthresh;
    *children = NULL;
    *nchild = 0;
    det_child *one = ph_calloc(1, sizeof *one, "deblending");
    if (!one)
        return PH_EFAIL;
    one->start = 0;
    one->n = n;
    if (xn < 2 || p->mincont >= 1.0 || n < 2 * DET_MAXDEBAREA) {
        *children = one;
        *nchild = 1;
        return PH_OK;
    }

    work w = {0};
    int xmin = INT32_MAX, xmax = -1, ymin = INT32_MAX, ymax = -1;
    float peak = -INFINITY;
    double fdflux = 0;
    for (long i = 0; i < n; i++) {
        int x = (int)(pix[i] % c->nx), y = (int)(pix[i] / c->nx);
        xmin = x < xmin ? x : xmin;
        xmax = x > xmax ? x : xmax;
        ymin = y < ymin ? y : ymin;
        ymax = y > ymax ? y : ymax;
        float v = c->filt[pix[i]];
        peak = v > peak ? v : peak;
        fdflux += v;
    }
    w.x0 = xmin;
    w.y0 = ymin;
    w.bw = xmax - xmin + 1;
    w.bh = ymax - ymin + 1;
    int st = PH_OK;
    node *nodes = NULL;
    forest f = {0};
    int32_t *roots = NULL, *node_of = NULL, *owner = NULL, *stack = NULL, *bucket = NULL,
            *sel = NULL;
    long *boff = NULL;
    det_child *ch = NULL;
    ph_object *co = NULL;
    double *amp = NULL;
    uint32_t *tmp = NULL;
    if (w.bw >= 32768 || w.bh >= 32768) { /* too large to deblend: keep it whole */
        *children = one;
        *nchild = 1;
        return PH_OK;
    }
    w.loc = ph_malloc((size_t)w.bw * w.bh * sizeof *w.loc, "deblending");
    w.lev = ph_malloc((size_t)n, "deblending");
    w.cd = ph_malloc((size_t)n * sizeof *w.cd, "deblending");
    w.dv = ph_malloc((size_t)n * sizeof *w.dv, "deblending");
    w.lx = ph_malloc((size_t)n * sizeof *w.lx, "deblending");
    w.ly = ph_malloc((size_t)n * sizeof *w.ly, "deblending");
    f.parent = ph_malloc((size_t)n * sizeof *f.parent, "deblending");
    f.size = ph_malloc((size_t)n * sizeof *f.size, "deblending");
    f.flux = ph_malloc((size_t)n * sizeof *f.flux, "deblending");
    roots = ph_malloc((size_t)n * sizeof *roots, "deblending");
    node_of = ph_malloc((size_t)n * sizeof *node_of, "deblending");
    owner = ph_malloc((size_t)n * sizeof *owner, "deblending");
    stack = ph_malloc((size_t)n * sizeof *stack, "deblending");
    bucket = ph_malloc((size_t)n * sizeof *bucket, "deblending");
    boff = ph_calloc((size_t)xn + 1, sizeof *boff, "deblending");
    if (!w.loc || !w.lev || !w.cd || !w.dv || !w.lx || !w.ly || !f.parent || !f.size ||
        !f.flux || !roots || !node_of || !owner || !stack || !bucket || !boff) {
        st = PH_EFAIL;
        goto done;
    }
    for (size_t i = 0; i < (size_t)w.bw * w.bh; i++)
        w.loc[i] = -1;

    /* Levels t_k = t_0 (peak / t_0)^(k / xn), compared in float as
     * SExtractor does (refine.c, lutz()). */
    float t[65];
    const double t0 = c->thresh;
    for (int k = 0; k < xn; k++)
        t[k] = peak > 0 && t0 > 0 ? (float)(t0 * pow(peak / t0, (double)k / xn)) : (float)t0;
    for (long i = 0; i < n; i++) {
        int x = (int)(pix[i] % c->nx) - w.x0, y = (int)(pix[i] / c->nx) - w.y0;
        w.loc[(size_t)y * w.bw + x] = (int32_t)i;
        w.lx[i] = (int16_t)x;
        w.ly[i] = (int16_t)y;
        float v = c->filt[pix[i]];
        w.cd[i] = v;
        w.dv[i] = det_dv(c, pix[i]);
        int k = 0;
        if (v > t[0] && peak > 0 && t0 > 0) {
            k = (int)(xn * log(v / t0) / log(peak / t0));
            k = k < 0 ? 0 : k > xn - 1 ? xn - 1 : k;
            while (k < xn - 1 && v > t[k + 1])
                k++;
            while (k > 0 && !(v > t[k]))
                k--;
        }
        w.lev[i] = (uint8_t)k;
        boff[k + 1]++;
    }
    for (int k = 0; k < xn; k++)
        boff[k + 1] += boff[k];
    {
        long *fill = ph_calloc((size_t)xn, sizeof *fill, "deblending");
        if (!fill) {
            st = PH_EFAIL;
            goto done;
        }
        for (long i = 0; i < n; i++)
            bucket[boff[w.lev[i]] + fill[w.lev[i]]++] = (int32_t)i;
        free(fill);
    }

    /* The tree. Node 0 is the root (the whole component at t_0). */
    long nnode = 1, capnode = 256;
    nodes = ph_malloc((size_t)capnode * sizeof *nodes, "deblending");
    if (!nodes) {
        st = PH_EFAIL;
        goto done;
    }
    nodes[0] = (node){0, 0, n, fdflux, -1, -1, -1, 1};
    long nroots = 0, prev_first = -1, prev_last = -1; /* nodes of the level above */
    int overflow = 0;
    for (long i = 0; i < n; i++)
        f.parent[i] = -1;
    for (int k = xn - 1; k >= 1 && !overflow; k--) {
        for (long b = boff[k]; b < boff[k + 1]; b++) {
            int32_t i = bucket[b], nb[8];
            f.parent[i] = i;
            f.size[i] = 1;
            f.flux[i] = w.cd[i];
            int m = neighbours(&w, i, nb);
            for (int j = 0; j < m; j++)
                if (f.parent[nb[j]] >= 0)
                    fu(&f, i, nb[j]);
            roots[nroots++] = i;
        }
        /* Keep the roots still standing; each is a branch if >= 3 pixels. */
        long kept = 0, first = nnode;
        for (long r = 0; r < nroots; r++)
            if (ff(&f, roots[r]) == roots[r])
                roots[kept++] = roots[r];
        nroots = kept;
        for (long r = 0; r < nroots; r++) {
            int32_t i = roots[r];
            node_of[i] = -1;
            if (f.size[i] < DET_MAXDEBAREA)
                continue;
            if (nnode == capnode) {
                capnode *= 2;
                node *n2 = realloc(nodes, (size_t)capnode * sizeof *n2);
                if (!n2) {
                    st = ph_error(PH_EFAIL, NULL, "out of memory deblending");
                    goto done;
                }
                nodes = n2;
            }
            node_of[i] = (int32_t)nnode;
            nodes[nnode++] = (node){k, i, f.size[i], f.flux[i], -1, -1, -1, 1};
        }
        if (nnode - first >= DET_NSONMAX)
            overflow = 1; /* SExtractor: "deblending overflow", kept whole */
        /* The branches of level k+1 now find their parents at level k. */
        for (long m = prev_first; m >= 0 && m < prev_last; m++)
            nodes[m].parent = node_of[ff(&f, nodes[m].rep)];
        prev_first = first;
        prev_last = nnode;
    }
    for (long m = prev_first; m >= 0 && m < prev_last; m++)
        nodes[m].parent = 0; /* level 1 hangs from the root */
    if (overflow || nnode == 1) {
        *children = one;
        *nchild = 1;
        one = NULL;
        goto done;
    }
    /* Children lists in node order (reverse insertion keeps order). */
    for (long m = nnode - 1; m >= 1; m--) {
        node *pa = &nodes[nodes[m].parent];
        nodes[m].next_sibling = pa->first_child;
        pa->first_child = (int32_t)m;
    }

    /* Cut the tree top-down (parcelout): a node splits when at least two
     * of its children carry more than mincont of the component's flux
     * above their own level; its children that did not split below and
     * pass the contrast become objects. Node order = SExtractor's order
     * within a level closely enough (it only affects numbering). */
    const double value0 = (float)fdflux * p->mincont;
    sel = ph_malloc((size_t)nnode * sizeof *sel, "deblending");
    if (!sel) {
        st = PH_EFAIL;
        goto done;
    }
    long nsel = 0;
    for (int k = xn - 2; k >= 0; k--)
        for (long i = 0; i < nnode; i++) {
            if (nodes[i].level != k)
                continue;
            int m = 0;
            for (int32_t j = nodes[i].first_child; j >= 0; j = nodes[j].next_sibling) {
                const node *cj = &nodes[j];
                if (cj->fdflux - (double)t[k + 1] * cj->npix > value0)
                    m++;
                nodes[i].ok &= cj->ok;
            }
            if (m > 1) {
                for (int32_t j = nodes[i].first_child; j >= 0; j = nodes[j].next_sibling) {
                    const node *cj = &nodes[j];
                    if (cj->ok && cj->fdflux - (double)t[k + 1] * cj->npix > value0)
                        sel[nsel++] = j;
                }
                nodes[i].ok = 0;
            }
        }
    if (nodes[0].ok) {
        *children = one;
        *nchild = 1;
        one = NULL;
        goto done;
    }

    /* The selected branches keep the pixels above their level. */
    for (long i = 0; i < n; i++)
        owner[i] = -1;
    ch = ph_calloc((size_t)nsel, sizeof *ch, "deblending");
    co = ph_calloc((size_t)nsel, sizeof *co, "deblending");
    amp = ph_malloc((size_t)nsel * sizeof *amp, "deblending");
    tmp = ph_malloc((size_t)n * sizeof *tmp, "deblending");
    if (!ch || !co || !amp || !tmp) {
        st = PH_EFAIL;
        goto done;
    }
    for (long s = 0; s < nsel; s++)
        fill_branch(&w, nodes[sel[s]].rep, nodes[sel[s]].level, owner, (int32_t)s, stack);

    /* gatherup(): a Gaussian model of each branch from its moments at its
     * own level; its amplitude from the isophotal area at the detection
     * threshold (SExtractor resets the thresholds before this line). */
    for (long s = 0; s < nsel; s++) {
        long m = 0;
        for (long i = 0; i < n; i++)
            if (owner[i] == s)
                tmp[m++] = pix[i];
        det_preanalyse(c, tmp, m, t[nodes[sel[s]].level], NULL, &co[s]);
        double d = co[s].npix / (2 * M_PI * co[s].abcor * co[s].a * co[s].b);
        amp[s] = d < 70.0 ? t0 * exp(d) : 4.0 * co[s].fdpeak;
        if (amp[s] > 4.0 * co[s].fdpeak)
            amp[s] = 4.0 * co[s].fdpeak;
        ch[s].deblended = 1;
        ch[s].core_x = co[s].x;
        ch[s].core_y = co[s].y;
    }
    for (long i = 0; i < n; i++) {
        if (owner[i] >= 0)
            continue;
        double x = (double)(pix[i] % c->nx), y = (double)(pix[i] / c->nx);
        double best = -1, distmin = 1e31;
        long ibest = 0, iclst = 0;
        for (long s = 0; s < nsel; s++) {
            double dx = x - co[s].x, dy = y - co[s].y;
            double dist =
                0.5 * (co[s].cxx * dx * dx + co[s].cyy * dy * dy + co[s].cxy * dx * dy) /
                co[s].abcor;
            double ps = dist < 70.0 ? amp[s] * exp(-dist) : 0.0;
            if (ps > best) {
                best = ps;
                ibest = s;
            }
            if (dist < distmin) {
                distmin = dist;
                iclst = s;
            }
        }
        owner[i] = (int32_t)(best > 1e-31 ? ibest : iclst);
    }

    /* Reorder the pixels child by child. */
    for (long s = 0; s < nsel; s++)
        ch[s].n = 0;
    for (long i = 0; i < n; i++)
        ch[owner[i]].n++;
    for (long s = 0, off = 0; s < nsel; s++) {
        ch[s].start = off;
        off += ch[s].n;
        ch[s].n = 0;
    }
    for (long i = 0; i < n; i++) {
        det_child *d = &ch[owner[i]];
        tmp[d->start + d->n++] = pix[i];
    }
    memcpy(pix, tmp, (size_t)n * sizeof *pix);
    *children = ch;
    *nchild = (int)nsel;
    ch = NULL;
done:
    free(one);
    free(w.loc);
    free(w.lev);
    free(w.cd);
    free(w.dv);
    free(w.lx);
    free(w.ly);
    free(f.parent);
    free(f.size);
    free(f.flux);
    free(roots);
    free(node_of);
    free(owner);
    free(stack);
    free(bucket);
    free(boff);
    free(nodes);
    free(sel);
    free(ch);
    free(co);
    free(amp);
    free(tmp);
    return st;
}
