/* detect.c -- see detect.h: filtering, thresholding, labelling and the
 * driver that deblends, cleans and measures each component in turn. */
#include "sci/detect_internal.h"
#include "base/log.h"
#include "base/planealloc.h"
#include "base/util.h"

#include <stdlib.h>
#include <string.h>

const float ph_detect_default_kernel[9] = {1, 2, 1, 2, 4, 2, 1, 2, 1};

void ph_detect_defaults(ph_detect_params *p)
{
    memset(p, 0, sizeof *p);
    p->thresh = 0;
    p->minarea = 5;
    p->nthresh = 32;
    p->mincont = 0.005;
    p->clean = 1;
    p->clean_param = 1.0;
    p->kernel = ph_detect_default_kernel;
    p->kw = p->kh = 3;
    p->kernel_norm = 1;
    p->kron_fact = 2.5;
    p->kron_min = 3.5;
    p->fluxfrac = 0.5;
    p->mask_correct = 1;
}

void ph_detect_free(ph_detection *d)
{
    free(d->obj);
    memset(d, 0, sizeof *d);
}

/* ---- filtering (filter.c convolve()) ----------------------------------- */

/* o[i] += m s[i]: one kernel element over a row, in SExtractor's order of
 * summation (element by element), so that the sums are bit for bit its. */
typedef float v4sf __attribute__((vector_size(16)));

static void row_axpy(float *restrict o, const float *restrict s, float m, long n)
{
    const v4sf mv = {m, m, m, m};
    long i = 0;
    for (; i + 4 <= n; i += 4) { /* four lanes, each the scalar sum */
        v4sf a, b;
        memcpy(&a, o + i, sizeof a);
        memcpy(&b, s + i, sizeof b);
        a += mv * b;
        memcpy(o + i, &a, sizeof a);
    }
    for (; i < n; i++)
        o[i] += m * s[i];
}

int ph_detect_filter(const float *img, long nx, long ny, const ph_detect_params *p, float *out)
{
    if (!p->kernel) {
        for (size_t i = 0; i < (size_t)nx * ny; i++)
            out[i] = isfinite(img[i]) ? img[i] : 0.0f;
        return PH_OK;
    }
    const int kw = p->kw, kh = p->kh;
    if (kw < 1 || kh < 1 || kw > 31 || kh > 31)
        return ph_error(PH_EUSAGE, NULL, "filter kernel %dx%d: expected 1 to 31 per side", kw, kh);
    float k[31 * 31];
    double sum = 0;
    for (int i = 0; i < kw * kh; i++)
        sum += fabs(p->kernel[i]);
    for (int i = 0; i < kw * kh; i++)
        k[i] = p->kernel_norm && sum > 0 ? (float)(p->kernel[i] / sum) : p->kernel[i];
    /* A ring of kh input rows with non-finite values replaced by 0. */
    float *ring = ph_malloc((size_t)nx * kh * sizeof(float), "filter rows");
    long *held = ph_malloc((size_t)kh * sizeof(long), "filter rows");
    if (!ring || !held) {
        free(ring);
        free(held);
        return PH_EFAIL;
    }
    for (int r = 0; r < kh; r++)
        held[r] = -1;
    const int hy = kh / 2, hx = kw / 2;
    for (long y = 0; y < ny; y++) {
        float *o = out + (size_t)y * nx;
        memset(o, 0, (size_t)nx * sizeof *o);
        for (int r = 0; r < kh; r++) {
            long yy = y - hy + r;
            if (yy < 0 || yy >= ny)
                continue; /* outside the image: contributes nothing */
            float *s = ring + (size_t)(yy % kh) * nx;
            if (held[yy % kh] != yy) {
                const float *src = img + (size_t)yy * nx;
                for (long x = 0; x < nx; x++)
                    s[x] = isfinite(src[x]) ? src[x] : 0.0f;
                held[yy % kh] = yy;
            }
            for (int c = 0; c < kw; c++) {
                long d = c - hx; /* o[x] += m * s[x + d] */
                long x0 = d < 0 ? -d : 0, x1 = d > 0 ? nx - d : nx;
                row_axpy(o + x0, s + x0 + d, k[r * kw + c], x1 - x0);
            }
        }
    }
    free(ring);
    free(held);
    return PH_OK;
}

/* ---- labelling ------------------------------------------------------------ */

/* Union-find over provisional labels (1-based; 0 unused). */
typedef struct uf {
    int32_t *parent;
    long n, cap;
} uf;

static int32_t uf_find(uf *u, int32_t a)
{
    while (u->parent[a] != a) {
        u->parent[a] = u->parent[u->parent[a]];
        a = u->parent[a];
    }
    return a;
}

static void uf_union(uf *u, int32_t a, int32_t b)
{
    a = uf_find(u, a);
    b = uf_find(u, b);
    if (a < b)
        u->parent[b] = a;
    else if (b < a)
        u->parent[a] = b;
}

static int32_t uf_new(uf *u)
{
    if (u->n == u->cap) {
        long cap = u->cap ? 2 * u->cap : 4096;
        int32_t *p = realloc(u->parent, (size_t)cap * sizeof *p);
        if (!p)
            return -1;
        u->parent = p;
        u->cap = cap;
    }
    u->parent[u->n] = (int32_t)u->n;
    return (int32_t)u->n++;
}

typedef struct comp {
    long n;                  /* pixels */
    long off;                /* first pixel in the sorted pixel array */
    int ymax, xend;          /* order of completion in SExtractor's scan */
} comp;

static int cmp_comp_order(const void *a, const void *b)
{
    const comp *x = *(const comp *const *)a, *y = *(const comp *const *)b;
    if (x->ymax != y->ymax)
        return x->ymax < y->ymax ? -1 : 1;
    return (x->xend > y->xend) - (x->xend < y->xend);
}

/* 8-connected components of the detected pixels. seg gets, per detected
 * pixel, the index+1 of its component if it has >= minarea pixels, else
 * -1; other pixels 0. Components and their pixel lists are returned. */
static int label(const det_ctx *c, int32_t *seg, comp **comps_out, long *ncomp_out,
                 uint32_t **pix_out, long *ndet_out, long *nsmall_out)
{
    const long nx = c->nx, ny = c->ny;
    uf u = {0};
    int st = PH_OK;
    if (uf_new(&u) < 0) /* label 0 = background */
        return ph_error(PH_EFAIL, NULL, "out of memory labelling detections");
    long ndet = 0;
    for (long y = 0; y < ny; y++) {
        int32_t *row = seg + (size_t)y * nx, *up = y ? row - nx : NULL;
        const float *f = c->filt + (size_t)y * nx;
        for (long x = 0; x < nx; x++) {
            if (!(f[x] > c->thresh || det_forced(c, (size_t)y * nx + x))) {
                row[x] = 0;
                continue;
            }
            ndet++;
            /* Neighbours already seen: W, NW, N, NE. */
            int32_t l = 0, nb[4];
            int k = 0;
            if (x && row[x - 1])
                nb[k++] = row[x - 1];
            if (up) {
                if (x && up[x - 1])
                    nb[k++] = up[x - 1];
                if (up[x])
                    nb[k++] = up[x];
                if (x + 1 < nx && up[x + 1])
                    nb[k++] = up[x + 1];
            }
            if (!k) {
                l = uf_new(&u);
                if (l < 0) {
                    free(u.parent);
                    return ph_error(PH_EFAIL, NULL, "out of memory labelling detections");
                }
            } else {
                l = nb[0];
                for (int i = 1; i < k; i++)
                    if (nb[i] != l)
                        uf_union(&u, l, nb[i]);
            }
            row[x] = l;
        }
    }
    /* Resolve the labels to roots and count the pixels of each root. */
    uint32_t *count = ph_calloc((size_t)u.n, sizeof *count, "labels");
    int32_t *compid = ph_malloc((size_t)u.n * sizeof *compid, "labels");
    if (!count || !compid) {
        free(u.parent);
        free(count);
        free(compid);
        return PH_EFAIL;
    }
    for (long i = 1; i < u.n; i++)
        u.parent[i] = uf_find(&u, (int32_t)i);
    for (size_t i = 0; i < (size_t)nx * ny; i++)
        if (seg[i])
            count[u.parent[seg[i]]]++;
    long ncomp = 0, nsmall = 0;
    for (long i = 1; i < u.n; i++) {
        compid[i] = -1;
        if (u.parent[i] == i) {
            if (count[i] >= (uint32_t)c->p->minarea)
                compid[i] = (int32_t)++ncomp;
            else
                nsmall++;
        }
    }
    comp *comps = ph_calloc((size_t)ncomp + 1, sizeof *comps, "components");
    long nbig = 0;
    if (!comps) {
        st = PH_EFAIL;
        goto done;
    }
    for (long i = 1; i < u.n; i++)
        if (u.parent[i] == i && compid[i] > 0) {
            comps[compid[i] - 1].n = count[i];
            comps[compid[i] - 1].ymax = -1;
            nbig += count[i];
        }
    for (long i = 0, off = 0; i < ncomp; i++) {
        comps[i].off = off;
        off += comps[i].n;
    }
    uint32_t *pix = ph_plane_alloc((size_t)(nbig ? nbig : 1), sizeof *pix, "detected pixels");
    long *fill = ph_calloc((size_t)ncomp + 1, sizeof *fill, "components");
    if (!pix || !fill) {
        ph_plane_free(pix);
        free(fill);
        free(comps);
        st = PH_EFAIL;
        goto done;
    }
    for (long y = 0; y < ny; y++)
        for (long x = 0; x < nx; x++) {
            size_t i = (size_t)y * nx + x;
            if (!seg[i])
                continue;
            int32_t id = compid[u.parent[seg[i]]];
            seg[i] = id;
            if (id < 0)
                continue;
            comp *cp = &comps[id - 1];
            pix[cp->off + fill[id - 1]++] = (uint32_t)i;
            /* Raster order: the last row seen is ymax, its last pixel xend. */
            cp->ymax = (int)y;
            cp->xend = (int)x;
        }
    free(fill);
    *comps_out = comps;
    *ncomp_out = ncomp;
    *pix_out = pix;
    *ndet_out = ndet;
    *nsmall_out = nsmall;
done:
    free(u.parent);
    free(count);
    free(compid);
    return st;
}

/* ---- driver ------------------------------------------------------------------ */

typedef struct obj_rec {
    long start, n;         /* pixels in the global pixel array */
} obj_rec;

/* The objects as deblending makes them: obj[i] with its pixels rec[i],
 * and master[i], the object that ate it in cleaning (i if none). */
typedef struct objlist {
    ph_object *obj;
    obj_rec *rec;
    long *master;
    long n, cap;
} objlist;

static void objlist_free(objlist *L)
{
    free(L->obj);
    free(L->rec);
    free(L->master);
}

/* Refuse what the labelling cannot represent or the parameters forbid. */
static int check_params(long nx, long ny, const ph_detect_params *p)
{
    if ((unsigned long long)nx * ny >= 0xFFFFFFFFull)
        return ph_error(PH_EFAIL, NULL, "image too large for detection (%ldx%ld)", nx, ny);
    if (p->minarea < 1)
        return ph_error(PH_EUSAGE, NULL, "the minimum area must be at least 1 pixel");
    if (p->nthresh < 1 || p->nthresh > 64)
        return ph_error(PH_EUSAGE, NULL, "deblending thresholds must be 1 to 64");
    return PH_OK;
}

/* Room for `need` objects (doubling from 1024). Errors: allocation. */
static int objlist_reserve(objlist *L, long need)
{
    if (need <= L->cap)
        return PH_OK;
    long ncap = L->cap ? 2 * L->cap : 1024;
    while (ncap < need)
        ncap *= 2;
    ph_object *o2 = realloc(L->obj, (size_t)ncap * sizeof *o2);
    obj_rec *r2 = o2 ? realloc(L->rec, (size_t)ncap * sizeof *r2) : NULL;
    long *m2 = r2 ? realloc(L->master, (size_t)ncap * sizeof *m2) : NULL;
    if (o2)
        L->obj = o2;
    if (r2)
        L->rec = r2;
    if (m2)
        L->master = m2;
    if (!o2 || !r2 || !m2)
        return ph_error(PH_EFAIL, NULL, "out of memory for %ld objects", ncap);
    L->cap = ncap;
    return PH_OK;
}

/* The children of component cp become objects: analysed (SExtractor's
 * preanalyse, about the branch's core when deblended), flagged (deblended,
 * forced, truncated), labelled in seg and cleaned as they come. Errors:
 * cleaning's. */
static int add_children(const det_ctx *c, const comp *cp, const uint32_t *pix,
                        const det_child *ch, int nch, int32_t *seg, objlist *L,
                        det_cleaner *cleaner)
{
    long nx = c->nx, ny = c->ny;
    int st = PH_OK;
    for (int k = 0; k < nch && !st; k++) {
        long id = L->n++;
        ph_object *o = &L->obj[id];
        L->rec[id].start = cp->off + ch[k].start;
        L->rec[id].n = ch[k].n;
        L->master[id] = id;
        const uint32_t *op = pix + L->rec[id].start;
        double center[2] = {ch[k].core_x, ch[k].core_y};
        det_preanalyse(c, op, L->rec[id].n, c->thresh, ch[k].deblended ? center : NULL, o);
        o->mthresh = det_mthresh(c, op, L->rec[id].n);
        o->flags |= ch[k].deblended ? PH_OBJ_DEBLENDED : 0;
        for (long i = 0; i < L->rec[id].n; i++) {
            seg[op[i]] = (int32_t)(id + 1);
            if (det_forced(c, op[i]))
                o->flags |= PH_OBJ_FORCED;
        }
        if (o->xmin == 0 || o->ymin == 0 || o->xmax == nx - 1 || o->ymax == ny - 1)
            o->flags |= PH_OBJ_TRUNC;
        if (cleaner)
            st = det_clean(cleaner, L->obj, L->master, id, c->p->clean_param, c->thresh) < 0;
    }
    return st;
}

/* Deblend each component in the order SExtractor finishes them, and
 * analyse and clean each resulting object as it comes (SExtractor's
 * cleaning depends on that order). Errors: allocation, deblending's. */
static int deblend_all(const det_ctx *c, comp *comps, long ncomp, uint32_t *pix, int32_t *seg,
                       objlist *L, ph_detection *out)
{
    comp **order = ph_malloc((size_t)(ncomp ? ncomp : 1) * sizeof *order, "components");
    if (!order)
        return PH_EFAIL;
    for (long i = 0; i < ncomp; i++)
        order[i] = &comps[i];
    qsort(order, (size_t)ncomp, sizeof *order, cmp_comp_order);
    det_cleaner *cleaner = NULL;
    int st = PH_OK;
    if (c->p->clean && !(cleaner = det_cleaner_new(c->nx, c->ny)))
        st = PH_EFAIL;
    for (long ci = 0; ci < ncomp && !st; ci++) {
        comp *cp = order[ci];
        det_child *ch = NULL;
        int nch = 0;
        if ((st = det_deblend(c, pix + cp->off, cp->n, &ch, &nch)))
            break;
        if (nch > 1)
            out->ndeblended++;
        if (cleaner)
            det_cleaner_expire(cleaner, cp->ymax);
        if (!(st = objlist_reserve(L, L->n + nch)))
            st = add_children(c, cp, pix, ch, nch, seg, L, cleaner);
        free(ch);
    }
    det_cleaner_free(cleaner);
    free(order);
    return st;
}

/* Measure the objects cleaning left (FLUX_AUTO, radii); the pixels of
 * cleaned objects are data again for every measurement. Errors:
 * allocation. */
static int measure_survivors(const det_ctx *c, const int32_t *seg, objlist *L,
                             ph_detection *out)
{
    uint8_t *unmasked = ph_calloc((size_t)(L->n ? L->n : 1), 1, "objects");
    if (!unmasked)
        return PH_EFAIL;
    for (long i = 0; i < L->n; i++)
        if (L->master[i] != i) {
            unmasked[i] = 1;
            out->ncleaned++;
        }
    for (long i = 0; i < L->n; i++)
        if (L->master[i] == i)
            det_measure(c, seg, unmasked, i, &L->obj[i]);
    free(unmasked);
    return PH_OK;
}

/* Final labels: survivors numbered in order, eaten objects take their
 * master's (following chains), detected pixels of no object 0; out gets
 * the survivors, each counting the pixels and flux of what it ate.
 * Errors: allocation. */
static int final_objects(const det_ctx *c, int32_t *seg, const uint32_t *pix, const objlist *L,
                         ph_detection *out)
{
    long nobj = L->n;
    const long *master = L->master;
    long *newlab = ph_malloc((size_t)(nobj ? nobj : 1) * sizeof *newlab, "objects");
    if (!newlab)
        return PH_EFAIL;
    long nfinal = 0;
    for (long i = 0; i < nobj; i++)
        if (master[i] == i)
            newlab[i] = ++nfinal;
    for (long i = 0; i < nobj; i++) {
        long m = i;
        while (master[m] != m)
            m = master[m];
        newlab[i] = newlab[m];
    }
    for (size_t i = 0; i < (size_t)c->nx * c->ny; i++)
        seg[i] = seg[i] > 0 ? (int32_t)newlab[seg[i] - 1] : 0;
    ph_object *fin = ph_calloc((size_t)(nfinal ? nfinal : 1), sizeof *fin, "objects");
    if (!fin) {
        free(newlab);
        return PH_EFAIL;
    }
    for (long i = 0; i < nobj; i++)
        if (master[i] == i)
            fin[newlab[i] - 1] = L->obj[i];
    /* The segment of a survivor now includes what it ate: count it. */
    for (long k = 0; k < nfinal; k++) {
        fin[k].npix = 0;
        fin[k].flux_iso = 0;
    }
    for (long i = 0; i < nobj; i++) {
        ph_object *f = &fin[newlab[i] - 1];
        const ph_object *o = &L->obj[i];
        const uint32_t *op = pix + L->rec[i].start;
        for (long j = 0; j < L->rec[i].n; j++) {
            f->npix++;
            f->flux_iso += det_dv(c, op[j]);
        }
        if (master[i] != i) {
            f->flags |= PH_OBJ_CLEANED;
            f->xmin = o->xmin < f->xmin ? o->xmin : f->xmin;
            f->xmax = o->xmax > f->xmax ? o->xmax : f->xmax;
            f->ymin = o->ymin < f->ymin ? o->ymin : f->ymin;
            f->ymax = o->ymax > f->ymax ? o->ymax : f->ymax;
        }
    }
    free(newlab);
    out->nobj = nfinal;
    out->obj = fin;
    return PH_OK;
}

int ph_detect(const float *img, const uint8_t *force, uint8_t forcebits, long nx, long ny,
              const ph_detect_params *p, float *work, int32_t *seg, ph_detection *out)
{
    memset(out, 0, sizeof *out);
    int st = check_params(nx, ny, p);
    if (st)
        return st;
    float *own = work ? NULL : ph_plane_alloc((size_t)nx * ny, sizeof *own, "filtered image");
    float *filt = work ? work : own;
    if (!filt)
        return PH_EFAIL;
    if (ph_detect_filter(img, nx, ny, p, filt)) {
        ph_plane_free(own);
        return PH_EFAIL;
    }
    det_ctx c = {img, filt, force, forcebits, nx, ny, p, (float)p->thresh};
    comp *comps = NULL;
    uint32_t *pix = NULL;
    long ncomp = 0;
    objlist L = {0};
    st = label(&c, seg, &comps, &ncomp, &pix, &out->ndetected, &out->nsmall);
    if (!st)
        st = deblend_all(&c, comps, ncomp, pix, seg, &L, out);
    if (!st)
        st = measure_survivors(&c, seg, &L, out);
    if (!st)
        st = final_objects(&c, seg, pix, &L, out);
    if (st)
        for (size_t i = 0; i < (size_t)nx * ny; i++)
            seg[i] = 0;
    ph_plane_free(own);
    free(comps);
    ph_plane_free(pix);
    objlist_free(&L);
    return st;
}
