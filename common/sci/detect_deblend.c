/* detect_deblend.c -- SExtractor's multi-threshold deblending (refine.c
 * parcelout() and gatherup(), pipeline-reference.md §2.3 step 5).
 *
 * SExtractor re-runs its connected-component scan at each of the
 * DEBLEND_NTHRESH levels. We get the same tree in one sweep: pixels are
 * bucketed by the highest level they exceed and added from the top level
 * down into a union-find forest; after each level the roots of at least
 * MAXDEBAREA (3) pixels are that level's branches, and a branch's parent
 * is the branch holding it one level lower. */
#include "sci/detect_internal.h"
#include "base/log.h"
#include "base/util.h"

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

/* The deblending tree of one component, and the scratch that builds it. */
typedef struct tree {
    work w;
    forest f;
    int xn;              /* levels */
    float t[65];         /* their thresholds t_k */
    int32_t *roots, *node_of, *owner, *stack, *bucket;
    long *boff;          /* pixels of level k: bucket[boff[k] .. boff[k + 1]) */
    node *nodes;         /* node 0: the whole component at t_0 */
    long nnode;
    int overflow;        /* too many branches on one level */
} tree;

static void tree_free(tree *T)
{
    free(T->w.loc);
    free(T->w.lev);
    free(T->w.cd);
    free(T->w.dv);
    free(T->w.lx);
    free(T->w.ly);
    free(T->f.parent);
    free(T->f.size);
    free(T->f.flux);
    free(T->roots);
    free(T->node_of);
    free(T->owner);
    free(T->stack);
    free(T->bucket);
    free(T->boff);
    free(T->nodes);
}

/* The component's bounding box (into w), its peak and its sum of filtered
 * values. */
static void component_box(const det_ctx *c, const uint32_t *pix, long n, work *w, float *peak,
                          double *fdflux)
{
    int xmin = INT32_MAX, xmax = -1, ymin = INT32_MAX, ymax = -1;
    *peak = -INFINITY;
    *fdflux = 0;
    for (long i = 0; i < n; i++) {
        int x = (int)(pix[i] % c->nx), y = (int)(pix[i] / c->nx);
        xmin = x < xmin ? x : xmin;
        xmax = x > xmax ? x : xmax;
        ymin = y < ymin ? y : ymin;
        ymax = y > ymax ? y : ymax;
        float v = c->filt[pix[i]];
        *peak = v > *peak ? v : *peak;
        *fdflux += v;
    }
    w->x0 = xmin;
    w->y0 = ymin;
    w->bw = xmax - xmin + 1;
    w->bh = ymax - ymin + 1;
}

/* The scratch for n pixels in the box of T->w, the box's map all -1.
 * Errors: allocation. */
static int tree_alloc(tree *T, long n)
{
    work *w = &T->w;
    w->loc = ph_malloc((size_t)w->bw * w->bh * sizeof *w->loc, "deblending");
    w->lev = ph_malloc((size_t)n, "deblending");
    w->cd = ph_malloc((size_t)n * sizeof *w->cd, "deblending");
    w->dv = ph_malloc((size_t)n * sizeof *w->dv, "deblending");
    w->lx = ph_malloc((size_t)n * sizeof *w->lx, "deblending");
    w->ly = ph_malloc((size_t)n * sizeof *w->ly, "deblending");
    T->f.parent = ph_malloc((size_t)n * sizeof *T->f.parent, "deblending");
    T->f.size = ph_malloc((size_t)n * sizeof *T->f.size, "deblending");
    T->f.flux = ph_malloc((size_t)n * sizeof *T->f.flux, "deblending");
    T->roots = ph_malloc((size_t)n * sizeof *T->roots, "deblending");
    T->node_of = ph_malloc((size_t)n * sizeof *T->node_of, "deblending");
    T->owner = ph_malloc((size_t)n * sizeof *T->owner, "deblending");
    T->stack = ph_malloc((size_t)n * sizeof *T->stack, "deblending");
    T->bucket = ph_malloc((size_t)n * sizeof *T->bucket, "deblending");
    T->boff = ph_calloc((size_t)T->xn + 1, sizeof *T->boff, "deblending");
    if (!w->loc || !w->lev || !w->cd || !w->dv || !w->lx || !w->ly || !T->f.parent ||
        !T->f.size || !T->f.flux || !T->roots || !T->node_of || !T->owner || !T->stack ||
        !T->bucket || !T->boff)
        return PH_EFAIL;
    for (size_t i = 0; i < (size_t)w->bw * w->bh; i++)
        w->loc[i] = -1;
    return PH_OK;
}

/* The levels t_k = t_0 (peak / t_0)^(k / xn), compared in float as
 * SExtractor does (refine.c, lutz()); each pixel's local index, values
 * and the highest level it exceeds, and the pixels bucketed by level.
 * Errors: allocation. */
static int pixel_levels(const det_ctx *c, tree *T, const uint32_t *pix, long n, float peak)
{
    work *w = &T->w;
    const int xn = T->xn;
    float *t = T->t;
    const double t0 = c->thresh;
    for (int k = 0; k < xn; k++)
        t[k] = peak > 0 && t0 > 0 ? (float)(t0 * pow(peak / t0, (double)k / xn)) : (float)t0;
    for (long i = 0; i < n; i++) {
        int x = (int)(pix[i] % c->nx) - w->x0, y = (int)(pix[i] / c->nx) - w->y0;
        w->loc[(size_t)y * w->bw + x] = (int32_t)i;
        w->lx[i] = (int16_t)x;
        w->ly[i] = (int16_t)y;
        float v = c->filt[pix[i]];
        w->cd[i] = v;
        w->dv[i] = det_dv(c, pix[i]);
        int k = 0;
        if (v > t[0] && peak > 0 && t0 > 0) {
            k = (int)(xn * log(v / t0) / log(peak / t0));
            k = k < 0 ? 0 : k > xn - 1 ? xn - 1 : k;
            while (k < xn - 1 && v > t[k + 1])
                k++;
            while (k > 0 && !(v > t[k]))
                k--;
        }
        w->lev[i] = (uint8_t)k;
        T->boff[k + 1]++;
    }
    for (int k = 0; k < xn; k++)
        T->boff[k + 1] += T->boff[k];
    long *fill = ph_calloc((size_t)xn, sizeof *fill, "deblending");
    if (!fill)
        return PH_EFAIL;
    for (long i = 0; i < n; i++)
        T->bucket[T->boff[w->lev[i]] + fill[w->lev[i]]++] = (int32_t)i;
    free(fill);
    return PH_OK;
}

/* The tree in one sweep from the top level down: each level's pixels join
 * the union-find forest; its roots of at least DET_MAXDEBAREA pixels are
 * the level's nodes, and the nodes of the level above find their parents
 * among them. Sets T->overflow when a level has DET_NSONMAX nodes or more
 * (SExtractor's "deblending overflow": the component is kept whole).
 * Errors: allocation. */
static int build_tree(tree *T, long n, double fdflux)
{
    long capnode = 256;
    node *nodes = T->nodes = ph_malloc((size_t)capnode * sizeof *nodes, "deblending");
    if (!nodes)
        return PH_EFAIL;
    forest *f = &T->f;
    nodes[0] = (node){0, 0, n, fdflux, -1, -1, -1, 1};
    long nnode = 1, nroots = 0, prev_first = -1, prev_last = -1; /* nodes of the level above */
    int st = PH_OK;
    for (long i = 0; i < n; i++)
        f->parent[i] = -1;
    for (int k = T->xn - 1; k >= 1 && !T->overflow; k--) {
        for (long b = T->boff[k]; b < T->boff[k + 1]; b++) {
            int32_t i = T->bucket[b], nb[8];
            f->parent[i] = i;
            f->size[i] = 1;
            f->flux[i] = T->w.cd[i];
            int m = neighbours(&T->w, i, nb);
            for (int j = 0; j < m; j++)
                if (f->parent[nb[j]] >= 0)
                    fu(f, i, nb[j]);
            T->roots[nroots++] = i;
        }
        /* Keep the roots still standing; each is a branch if >= 3 pixels. */
        long kept = 0, first = nnode;
        for (long r = 0; r < nroots; r++)
            if (ff(f, T->roots[r]) == T->roots[r])
                T->roots[kept++] = T->roots[r];
        nroots = kept;
        for (long r = 0; r < nroots; r++) {
            int32_t i = T->roots[r];
            T->node_of[i] = -1;
            if (f->size[i] < DET_MAXDEBAREA)
                continue;
            if (nnode == capnode) {
                capnode *= 2;
                node *n2 = realloc(nodes, (size_t)capnode * sizeof *n2);
                if (!n2) {
                    st = ph_error(PH_EFAIL, NULL, "out of memory deblending");
                    goto done;
                }
                nodes = T->nodes = n2;
            }
            T->node_of[i] = (int32_t)nnode;
            nodes[nnode++] = (node){k, i, f->size[i], f->flux[i], -1, -1, -1, 1};
        }
        if (nnode - first >= DET_NSONMAX)
            T->overflow = 1;
        /* The branches of level k+1 now find their parents at level k. */
        for (long m = prev_first; m >= 0 && m < prev_last; m++)
            nodes[m].parent = T->node_of[ff(f, nodes[m].rep)];
        prev_first = first;
        prev_last = nnode;
    }
    for (long m = prev_first; m >= 0 && m < prev_last; m++)
        nodes[m].parent = 0; /* level 1 hangs from the root */
done:
    T->nnode = nnode;
    return st;
}

/* Children lists in node order (reverse insertion keeps order). */
static void link_children(tree *T)
{
    for (long m = T->nnode - 1; m >= 1; m--) {
        node *pa = &T->nodes[T->nodes[m].parent];
        T->nodes[m].next_sibling = pa->first_child;
        pa->first_child = (int32_t)m;
    }
}

/* Cut the tree top-down (parcelout): a node splits when at least two of
 * its children carry more than mincont of the component's flux above
 * their own level; its children that did not split below and pass the
 * contrast become objects (*sel, *nsel). Node order = SExtractor's order
 * within a level closely enough (it only affects numbering). The root
 * stays ok when nothing splits. Errors: allocation. */
static int select_branches(tree *T, double fdflux, double mincont, int32_t **selp, long *nselp)
{
    node *nodes = T->nodes;
    const float *t = T->t;
    const double value0 = (float)fdflux * mincont;
    int32_t *sel = *selp = ph_malloc((size_t)T->nnode * sizeof *sel, "deblending");
    if (!sel)
        return PH_EFAIL;
    long nsel = 0;
    for (int k = T->xn - 2; k >= 0; k--)
        for (long i = 0; i < T->nnode; i++) {
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
    *nselp = nsel;
    return PH_OK;
}

/* gatherup(), first half: a Gaussian model of each selected branch from
 * its moments at its own level (co[s]); its amplitude amp[s] from the
 * isophotal area at the detection threshold (SExtractor resets the
 * thresholds before this line). tmp: n pixels of scratch. */
static void branch_models(const det_ctx *c, const tree *T, const uint32_t *pix, long n,
                          const int32_t *sel, long nsel, uint32_t *tmp, ph_object *co,
                          double *amp, det_child *ch)
{
    const double t0 = c->thresh;
    for (long s = 0; s < nsel; s++) {
        long m = 0;
        for (long i = 0; i < n; i++)
            if (T->owner[i] == s)
                tmp[m++] = pix[i];
        det_preanalyse(c, tmp, m, T->t[T->nodes[sel[s]].level], NULL, &co[s]);
        double d = co[s].npix / (2 * M_PI * co[s].abcor * co[s].a * co[s].b);
        amp[s] = d < 70.0 ? t0 * exp(d) : 4.0 * co[s].fdpeak;
        if (amp[s] > 4.0 * co[s].fdpeak)
            amp[s] = 4.0 * co[s].fdpeak;
        ch[s].deblended = 1;
        ch[s].core_x = co[s].x;
        ch[s].core_y = co[s].y;
    }
}

/* gatherup(), second half: each pixel no branch holds goes to the branch
 * whose model is brightest there (the nearest in the models' metric
 * where all are negligible). */
static void assign_faint_pixels(const det_ctx *c, int32_t *owner, const uint32_t *pix, long n,
                                const ph_object *co, const double *amp, long nsel)
{
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
}

/* Reorder the pixels child by child (ch[s].start, .n); tmp: n pixels of
 * scratch. */
static void reorder_pixels(uint32_t *pix, long n, const int32_t *owner, det_child *ch, long nsel,
                           uint32_t *tmp)
{
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
}

/* The selected branches keep the pixels above their level; the rest are
 * shared out by their models; the children are returned with pix
 * reordered. Errors: allocation. */
static int split_component(const det_ctx *c, tree *T, uint32_t *pix, long n, const int32_t *sel,
                           long nsel, det_child **children, int *nchild)
{
    for (long i = 0; i < n; i++)
        T->owner[i] = -1;
    det_child *ch = ph_calloc((size_t)nsel, sizeof *ch, "deblending");
    ph_object *co = ph_calloc((size_t)nsel, sizeof *co, "deblending");
    double *amp = ph_malloc((size_t)nsel * sizeof *amp, "deblending");
    uint32_t *tmp = ph_malloc((size_t)n * sizeof *tmp, "deblending");
    int st = ch && co && amp && tmp ? PH_OK : PH_EFAIL;
    if (!st) {
        for (long s = 0; s < nsel; s++)
            fill_branch(&T->w, T->nodes[sel[s]].rep, T->nodes[sel[s]].level, T->owner,
                        (int32_t)s, T->stack);
        branch_models(c, T, pix, n, sel, nsel, tmp, co, amp, ch);
        assign_faint_pixels(c, T->owner, pix, n, co, amp, nsel);
        reorder_pixels(pix, n, T->owner, ch, nsel, tmp);
        *children = ch;
        *nchild = (int)nsel;
        ch = NULL;
    }
    free(ch);
    free(co);
    free(amp);
    free(tmp);
    return st;
}

int det_deblend(const det_ctx *c, uint32_t *pix, long n, det_child **children, int *nchild)
{
    const ph_detect_params *p = c->p;
    *children = NULL;
    *nchild = 0;
    det_child *one = ph_calloc(1, sizeof *one, "deblending");
    if (!one)
        return PH_EFAIL;
    one->start = 0;
    one->n = n;
    tree T = {.xn = p->nthresh};
    float peak = 0;
    double fdflux = 0;
    int whole = T.xn < 2 || p->mincont >= 1.0 || n < 2 * DET_MAXDEBAREA, st = PH_OK;
    if (!whole) {
        component_box(c, pix, n, &T.w, &peak, &fdflux);
        whole = T.w.bw >= 32768 || T.w.bh >= 32768; /* too large to deblend */
    }
    int32_t *sel = NULL;
    long nsel = 0;
    if (!whole && !(st = tree_alloc(&T, n)) && !(st = pixel_levels(c, &T, pix, n, peak)) &&
        !(st = build_tree(&T, n, fdflux))) {
        whole = T.overflow || T.nnode == 1;
        if (!whole) {
            link_children(&T);
            if (!(st = select_branches(&T, fdflux, p->mincont, &sel, &nsel)))
                whole = T.nodes[0].ok;
        }
        if (!st && !whole)
            st = split_component(c, &T, pix, n, sel, nsel, children, nchild);
    }
    if (!st && whole) {
        *children = one;
        *nchild = 1;
        one = NULL;
    }
    free(one);
    free(sel);
    tree_free(&T);
    return st;
}
