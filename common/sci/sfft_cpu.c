/* sfft_cpu.c -- the CPU engine of sfft.h: FFTW real-to-complex transforms
 * (FFTW_ESTIMATE plans through common/sci/fft.h, threaded, in place) and
 * pointwise loops split over threads by rows, each pixel computed by the
 * functions of sfft_elem.h that the GPU engine calls too. No loop reduces
 * across threads, so the output does not depend on scheduling.
 *
 * Transform size. SFFT's model is circular on exactly nx x ny (§11.3), and
 * 4088 = 8 * 7 * 73 is a slow FFT length. A circular correlation or
 * convolution on the nx x ny torus is computed exactly on any larger grid
 * mx x my >= (nx + 4w) x (ny + 4w) when one operand is zero-padded ("P
 * form": the image on [0, n), zeros elsewhere) and the other is extended
 * periodically by 2w on each side ("E form": pixel m of the grid holds
 * image pixel m mod n for m < n + 2w and n - (mx - m) for m >= mx - 2w):
 * every product u(x) v(x + r) with x in [0, n) and |r| <= 2w then reads the
 * wrapped neighbour, and nothing else enters the sum. The grid is chosen
 * 7-smooth (4200 for 4088, 2-3 times faster per transform).
 *
 * Memory. Every transform is in place: a grid's rows are padded to
 * 2 (mx/2 + 1) doubles and its spectrum takes the same memory (the results
 * are FFTW's out-of-place ones bit for bit), so one block holds one image
 * from its grid to its spectrum, its product and back. Blocks come from a
 * pool reused across the steps, because first touching fresh memory costs
 * 0.05-0.5 s per 140 MB on virtual machines. The fit makes the E form of
 * an image when a correlation first needs it and computes the last
 * correlation that needs it in its memory; the difference hands the block
 * it computed in over as DIFF. Blocks at once (141 MB each at 4088 x 4088):
 *   cross-convolution 2 (the kernel's spectrum, the image's);
 *   fit: kernel order 0, background order 0: 2 (a P form and an E form);
 *        in general the E forms still needed, a P form and a product;
 *        dk = 2, db = 0: 8;
 *   difference: 2 (kernel order 0), 3 (an accumulator) otherwise. */
#include "sci/fft.h"
#include "base/log.h"
#include "base/pool.h"
#include "sci/sfft.h"
#include "sci/sfft_elem.h"
#include "base/util.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAXPLAN = 4, MAXSPEC = 64 };

typedef struct cpu {
    int nthreads;
    double *img[2]; /* I, J: the caller's arrays */

    ph_pool pool;   /* transform blocks */
    ph_sfft_engine *e;

    /* plan cache (in-place plans) */
    ph_fft2 *plan[MAXPLAN];
    long plan_ny[MAXPLAN], plan_nx[MAXPLAN];

    /* the fit */
    const uint8_t *fit; /* the caller's mask, valid until fit_done */
    int dk, db, w, nspec;
    long my, mx;        /* transform grid */
    long *ex, *ey;      /* E-form source index of each grid column/row, -1 = 0 */
    long *px, *py;      /* P-form source index */
    double *powx, *powy;
    double *spec[MAXSPEC]; /* E-form spectra made and still needed (NULL: none) */
    double sums[MAXSPEC];
    double *pform;      /* P-form spectrum of image pform_k */
    int pform_k;
} cpu;

/* ---- memory ------------------------------------------------------------------------------ */

static void *big_alloc(void *ctx, size_t bytes)
{
    cpu *c = ctx;
    void *p = ph_sfft_alloc_big(bytes, "an FFT buffer");
    double held = (double)ph_pool_bytes(&c->pool) + (p ? (double)bytes : 0);
    if (held > c->e->peak_bytes)
        c->e->peak_bytes = held;
    return p;
}

static void big_release(void *ctx, void *p, size_t bytes)
{
    (void)ctx;
    (void)bytes;
    ph_sfft_free_big(p);
}

static double *pool_get(ph_sfft_engine *e, size_t bytes)
{
    return ph_pool_get(&((cpu *)e->impl)->pool, bytes);
}

static void pool_put(ph_sfft_engine *e, const void *p) { ph_pool_put(&((cpu *)e->impl)->pool, p); }

/* The in-place plans for my x mx. */
static ph_fft2 *plan_for(ph_sfft_engine *e, long ny, long nx)
{
    cpu *c = e->impl;
    for (int i = 0; i < MAXPLAN; i++)
        if (c->plan[i] && c->plan_ny[i] == ny && c->plan_nx[i] == nx)
            return c->plan[i];
    int slot = 0;
    while (slot < MAXPLAN - 1 && c->plan[slot])
        slot++;
    ph_fft2_free(c->plan[slot]);
    c->plan[slot] = ph_fft2_new_inplace(nx, ny);
    c->plan_ny[slot] = ny;
    c->plan_nx[slot] = nx;
    return c->plan[slot];
}

/* Bytes of an in-place block for my x mx: the padded grid = the spectrum. */
static size_t block_bytes(long my, long mx)
{
    return (size_t)my * ph_fft2_stride(mx) * sizeof(double);
}

/* ---- a parallel loop over rows ----------------------------------------------------------- */

typedef void (*rows_fn)(void *ctx, long r0, long r1);
typedef struct rows_job {
    rows_fn fn;
    void *ctx;
    long r0, r1;
} rows_job;

static void *rows_thread(void *arg)
{
    rows_job *j = arg;
    j->fn(j->ctx, j->r0, j->r1);
    return NULL;
}

/* fn over rows [0, n) in nthreads contiguous chunks. */
static void par_rows(int nthreads, long n, rows_fn fn, void *ctx)
{
    enum { MAXT = 64 };
    int nt = nthreads < 1 ? 1 : nthreads > MAXT ? MAXT : nthreads;
    if (nt > n / 16)
        nt = n / 16 > 0 ? (int)(n / 16) : 1;
    if (nt <= 1) {
        fn(ctx, 0, n);
        return;
    }
    pthread_t th[MAXT];
    rows_job job[MAXT];
    int started[MAXT] = {0};
    long chunk = (n + nt - 1) / nt;
    for (int t = 0; t < nt; t++) {
        job[t] = (rows_job){fn, ctx, t * chunk, (t + 1) * chunk < n ? (t + 1) * chunk : n};
        if (t > 0)
            started[t] = pthread_create(&th[t], NULL, rows_thread, &job[t]) == 0;
    }
    fn(ctx, job[0].r0, job[0].r1);
    for (int t = 1; t < nt; t++) {
        if (started[t])
            pthread_join(th[t], NULL);
        else /* could not start a thread: do its share here */
            fn(ctx, job[t].r0, job[t].r1);
    }
}

/* ---- pointwise loops ----------------------------------------------------------------------- */

/* grid = fit image `src` (mask, powers cx, cy; NULL: none) in the form
 * given by the source maps sx (columns), sy (rows); rows of `stride`. */
typedef struct fill_ctx {
    long nx, mx, stride;
    const long *sx, *sy;
    const double *src;
    const uint8_t *mask;
    const double *cx, *cy;
    double *grid;
} fill_ctx;

static void fill_rows(void *arg, long r0, long r1)
{
    fill_ctx *f = arg;
    for (long m = r0; m < r1; m++) {
        double *g = f->grid + m * f->stride;
        long y = f->sy[m];
        double fy = y >= 0 && f->cy ? f->cy[y] : 1.0;
        for (long n = 0; n < f->mx; n++)
            g[n] = ph_sfft_fit_px(f->src, f->mask, f->cx, fy, f->nx, y, f->sx[n]);
        for (long n = f->mx; n < f->stride; n++)
            g[n] = 0.0;
    }
}

/* ph_sfft_grid_source of each of the m grid positions. */
static long *grid_map(long n, long m, int ext)
{
    long *s = ph_malloc((size_t)m * sizeof *s, "grid map");
    for (long i = 0; s && i < m; i++)
        s[i] = ph_sfft_grid_source(i, n, m, ext);
    return s;
}

/* Powers of the SFFT coordinates: p[d * n + x] = ((x + 1) / n)^d. */
static double *coord_powers(long n, int order)
{
    double *p = ph_malloc((size_t)(order + 1) * n * sizeof *p, "coordinate powers");
    if (!p)
        return NULL;
    for (int d = 0; d <= order; d++)
        for (long x = 0; x < n; x++)
            p[d * n + x] = ph_sfft_coord_pow(x, n, d);
    return p;
}

static void fill_grid(cpu *c, long nx, long ny, long mx, long my, const long *sx, const long *sy,
                      const double *src, const uint8_t *mask, int i, int j, const double *powx,
                      const double *powy, double *grid)
{
    fill_ctx f = {nx,   mx,   ph_fft2_stride(mx), sx, sy, src, mask, i ? powx + (size_t)i * nx : NULL,
                  j ? powy + (size_t)j * ny : NULL, grid};
    par_rows(c->nthreads, my, fill_rows, &f);
}

/* out = a (*) b bin by bin (sfft_elem.h's modes); the spectra are ny x
 * ncol complex values in blocks (out may be a or b). */
typedef struct prod_ctx {
    long ncol;
    const double *a, *b;
    double *out;
    int mode;
    double scale;
} prod_ctx;

static void prod_rows(void *arg, long r0, long r1)
{
    prod_ctx *p = arg;
    size_t i0 = (size_t)r0 * p->ncol, i1 = (size_t)r1 * p->ncol;
    ph_sfft_z zero = {0, 0};
    for (size_t i = i0; i < i1; i++) {
        ph_sfft_z a = {p->a[2 * i], p->a[2 * i + 1]}, b = {p->b[2 * i], p->b[2 * i + 1]};
        ph_sfft_z o = p->mode == PH_SFFT_ADD ? (ph_sfft_z){p->out[2 * i], p->out[2 * i + 1]} : zero;
        ph_sfft_z r = ph_sfft_prod(a, b, p->mode, p->scale, o);
        p->out[2 * i] = r.re;
        p->out[2 * i + 1] = r.im;
    }
}

static void product(cpu *c, long my, long mx, const double *a, const double *b, double *out,
                    int mode, double scale)
{
    prod_ctx p = {mx / 2 + 1, a, b, out, mode, scale};
    par_rows(c->nthreads, my, prod_rows, &p);
}

/* The L x L kernel k CSZ-embedded in a zeroed my x mx grid (the same sums
 * as fft.c's ph_fft_kernel_csz). */
static void csz(const double *k, long L, long my, long mx, double *grid)
{
    long stride = ph_fft2_stride(mx);
    memset(grid, 0, (size_t)my * stride * sizeof *grid);
    for (long t = 0; t < L * L; t++)
        grid[ph_sfft_csz_offset(t, L, my, mx, stride)] += k[t];
}

/* The zero-padded image on a py x px grid, and the image back from one. */
typedef struct pad_ctx {
    long nx, ny, px, stride;
    const double *img;
    double *grid, *out;
} pad_ctx;

static void pad_rows(void *arg, long r0, long r1)
{
    pad_ctx *p = arg;
    for (long y = r0; y < r1; y++) {
        double *g = p->grid + y * p->stride;
        for (long x = 0; x < p->px; x++)
            g[x] = ph_sfft_pad_px(p->img, p->nx, p->ny, x, y);
        for (long x = p->px; x < p->stride; x++)
            g[x] = 0.0;
    }
}

static void crop_rows(void *arg, long r0, long r1)
{
    pad_ctx *p = arg;
    for (long y = r0; y < r1; y++)
        for (long x = 0; x < p->nx; x++)
            p->out[y * p->nx + x] = ph_sfft_crop_px(p->grid, p->stride, y, x);
}

/* ---- cross-convolution -------------------------------------------------------------------- */

static int cpu_crossconv(ph_sfft_engine *e, int slot, const double *img, const double *k, long L,
                         double *out)
{
    cpu *c = e->impl;
    long nx = e->nx, ny = e->ny;
    /* Zero padding to at least n + L - 1 makes the circular product a
     * linear convolution with a zero boundary (sfft-reference §4): the
     * image sits at [0, n) and the kernel's negative offsets wrap into the
     * zero margin. */
    long py = ph_sfft_fast_size(ny + L - 1), px = ph_sfft_fast_size(nx + L - 1);
    size_t nb = block_bytes(py, px);
    ph_fft2 *plan = plan_for(e, py, px);
    double *fk = plan ? pool_get(e, nb) : NULL, *fa = fk ? pool_get(e, nb) : NULL;
    int st = fa ? PH_OK : PH_EFAIL;
    if (!st) {
        csz(k, L, py, px, fk);
        ph_fft2_forward_inplace(plan, fk);
        pad_ctx p = {nx, ny, px, ph_fft2_stride(px), img, fa, out};
        par_rows(c->nthreads, py, pad_rows, &p);
        ph_fft2_forward_inplace(plan, fa);
        product(c, py, px, fa, fk, fa, PH_SFFT_MUL, 1.0 / ((double)py * px));
        ph_fft2_inverse_inplace(plan, fa);
        par_rows(c->nthreads, ny, crop_rows, &p);
        c->img[slot] = out;
    }
    pool_put(e, fk);
    pool_put(e, fa);
    return st;
}

static int cpu_load(ph_sfft_engine *e, int slot, double *img)
{
    cpu *c = e->impl;
    c->img[slot] = img;
    return PH_OK;
}

/* ---- the fit -------------------------------------------------------------------------------- */

static void fit_release(ph_sfft_engine *e)
{
    cpu *c = e->impl;
    for (int k = 0; k < MAXSPEC; k++) {
        pool_put(e, c->spec[k]);
        c->spec[k] = NULL;
    }
    pool_put(e, c->pform);
    c->pform = NULL;
    c->pform_k = -1;
    c->nspec = 0;
    free(c->ex);
    free(c->ey);
    free(c->px);
    free(c->py);
    free(c->powx);
    free(c->powy);
    c->ex = c->ey = c->px = c->py = NULL;
    c->powx = c->powy = NULL;
    c->fit = NULL;
}

/* Fit image k: its source, mask and powers. */
static void fit_image(const cpu *c, int k, const double **src, const uint8_t **mask, int *i,
                      int *j)
{
    ph_sfft_fit_kind kind = ph_sfft_fit_image(c->dk, c->db, k, i, j);
    *src = kind == PH_SFFT_FIT_I ? c->img[PH_SFFT_I] : kind == PH_SFFT_FIT_J ? c->img[PH_SFFT_J] : NULL;
    *mask = kind == PH_SFFT_FIT_T ? NULL : c->fit;
}

/* The spectrum of fit image k in the E form (eform 1) or the P form into
 * the block `spec`. */
static void transform(ph_sfft_engine *e, ph_fft2 *plan, int k, int eform, double *spec)
{
    cpu *c = e->impl;
    const double *src;
    const uint8_t *mask;
    int i, j;
    fit_image(c, k, &src, &mask, &i, &j);
    fill_grid(c, e->nx, e->ny, c->mx, c->my, eform ? c->ex : c->px, eform ? c->ey : c->py, src,
              mask, i, j, c->powx, c->powy, spec);
    ph_fft2_forward_inplace(plan, spec);
}

typedef struct sum_ctx {
    long nx;
    const double *src, *cx, *cy;
    const uint8_t *mask;
    double *rows;
} sum_ctx;

static void sum_rows(void *arg, long r0, long r1)
{
    sum_ctx *s = arg;
    for (long y = r0; y < r1; y++)
        s->rows[y] = ph_sfft_fit_row_sum(s->src, s->mask, s->cx, s->cy, s->nx, y);
}

/* Sum over the image of fit image k, row by row then in row order (the
 * same result with any number of threads). */
static int image_sum(cpu *c, long nx, long ny, int k, double *sum)
{
    const double *src;
    const uint8_t *mask;
    int i, j;
    fit_image(c, k, &src, &mask, &i, &j);
    double *rows = ph_malloc((size_t)ny * sizeof *rows, "row sums");
    if (!rows)
        return PH_EFAIL;
    sum_ctx s = {nx, src, i ? c->powx + (size_t)i * nx : NULL, j ? c->powy + (size_t)j * ny : NULL,
                 mask, rows};
    par_rows(c->nthreads, ny, sum_rows, &s);
    double t = 0;
    for (long y = 0; y < ny; y++)
        t += rows[y];
    free(rows);
    *sum = t;
    return PH_OK;
}

static int cpu_fit_spectra(ph_sfft_engine *e, const uint8_t *fit, int w, int dk, int db)
{
    cpu *c = e->impl;
    long nx = e->nx, ny = e->ny;
    if (!c->img[0] || !c->img[1])
        return ph_error(PH_EFAIL, NULL, "SFFT engine: images not loaded");
    fit_release(e);
    c->dk = dk;
    c->db = db;
    c->w = w;
    c->fit = fit;
    c->nspec = ph_sfft_fit_count(dk, db);
    if (c->nspec > MAXSPEC)
        return ph_error(PH_EFAIL, NULL, "SFFT engine: too many polynomial terms");
    c->my = ph_sfft_fast_size(ny + 4L * w);
    c->mx = ph_sfft_fast_size(nx + 4L * w);
    int ord = dk > db ? dk : db;
    c->ex = grid_map(nx, c->mx, 2 * w);
    c->ey = grid_map(ny, c->my, 2 * w);
    c->px = grid_map(nx, c->mx, -1);
    c->py = grid_map(ny, c->my, -1);
    c->powx = coord_powers(nx, ord);
    c->powy = coord_powers(ny, ord);
    int st = !plan_for(e, c->my, c->mx) || !c->ex || !c->ey || !c->px || !c->py || !c->powx ||
                     !c->powy
                 ? PH_EFAIL
                 : PH_OK;
    for (int k = 0; k < c->nspec && !st; k++)
        st = image_sum(c, nx, ny, k, &c->sums[k]);
    if (st)
        fit_release(e);
    return st;
}

static int cpu_spectrum_sum(ph_sfft_engine *e, int k, double *sum)
{
    cpu *c = e->impl;
    if (k < 0 || k >= c->nspec)
        return ph_error(PH_EFAIL, NULL, "SFFT engine: no fit image %d", k);
    *sum = c->sums[k];
    return PH_OK;
}

static int cpu_corr_window(ph_sfft_engine *e, int u, int v, int R, double *win, int keep)
{
    cpu *c = e->impl;
    long my = c->my, mx = c->mx;
    size_t nb = block_bytes(my, mx);
    if (u < 0 || v < 0 || u >= c->nspec || v >= c->nspec || R > 2 * c->w)
        return ph_error(PH_EFAIL, NULL, "SFFT engine: bad correlation request (%d, %d, %d)", u, v,
                        R);
    ph_fft2 *plan = plan_for(e, my, mx);
    if (!plan)
        return PH_EFAIL;
    if (c->pform_k != u) { /* the zero-padded form of u */
        if (!c->pform && !(c->pform = pool_get(e, nb)))
            return PH_EFAIL;
        transform(e, plan, u, 0, c->pform);
        c->pform_k = u;
    }
    if (!c->spec[v]) { /* the periodically extended form of v */
        if (!(c->spec[v] = pool_get(e, nb)))
            return PH_EFAIL;
        transform(e, plan, v, 1, c->spec[v]);
    }
    /* rho_uv(r) = sum_x u(x) v(x + r) = F^-1[conj(U) V](r) / M (§5.4), in
     * v's block when no later window needs it */
    double *r = keep ? pool_get(e, nb) : c->spec[v];
    if (!r)
        return PH_EFAIL;
    product(c, my, mx, c->pform, c->spec[v], r, PH_SFFT_CONJ, 1.0);
    ph_fft2_inverse_inplace(plan, r);
    double norm = 1.0 / ((double)mx * (double)my);
    int n = 2 * R + 1;
    for (long t = 0; t < (long)n * n; t++)
        win[t] = ph_sfft_window_px(r, ph_fft2_stride(mx), my, mx, R, norm, t);
    pool_put(e, r);
    if (!keep)
        c->spec[v] = NULL;
    return PH_OK;
}

static void cpu_fit_done(ph_sfft_engine *e) { fit_release(e); }

/* ---- difference ------------------------------------------------------------------------------ */

typedef struct diff_ctx {
    long nx, ny, stride;
    double norm;
    int db;
    const double *bg, *powx, *powy, *model, *J;
    double *diff;
    long dstride; /* row stride of diff (nx, or stride when computed in place) */
} diff_ctx;

static void diff_rows(void *arg, long r0, long r1)
{
    diff_ctx *d = arg; /* diff = J - model / M - sum_pq b_pq cx^p cy^q */
    for (long y = r0; y < r1; y++)
        for (long x = 0; x < d->nx; x++) {
            double b = ph_sfft_background_px(d->bg, d->db, d->powx, d->powy, d->nx, d->ny, x, y);
            d->diff[y * d->dstride + x] =
                ph_sfft_diff_px(d->J, d->model, d->stride, d->norm, b, d->nx, x, y);
        }
}

static int cpu_difference(ph_sfft_engine *e, int dk, int w, const double *kstd, int db,
                          const double *bg, double **diff)
{
    cpu *c = e->impl;
    long nx = e->nx, ny = e->ny;
    int fij = (dk + 1) * (dk + 2) / 2, L = 2 * w + 1, ord = dk > db ? dk : db;
    if (!c->img[0] || !c->img[1])
        return ph_error(PH_EFAIL, NULL, "SFFT engine: images not loaded");
    /* The circular convolution on nx x ny, on the fast grid: each I_ij is
     * extended periodically by w (the polynomial belongs to the source
     * pixel, so the product is extended), the kernel CSZ-embedded. */
    long my = ph_sfft_fast_size(ny + 4L * w), mx = ph_sfft_fast_size(nx + 4L * w);
    long stride = ph_fft2_stride(mx);
    size_t nb = block_bytes(my, mx);
    ph_fft2 *plan = plan_for(e, my, mx);
    long *ex = grid_map(nx, mx, w), *ey = grid_map(ny, my, w);
    double *powx = coord_powers(nx, ord), *powy = coord_powers(ny, ord);
    /* F[model] = sum_ij F[I_ij] F[CSZ(K_ij)] (§5.6), accumulated in the
     * first term's block; with one term (kernel order 0) that is all */
    double *acc = pool_get(e, nb), *fk = pool_get(e, nb), *fi = NULL;
    int st = !plan || !ex || !ey || !powx || !powy || !acc || !fk ? PH_EFAIL : PH_OK;
    for (int ij = 0; ij < fij && !st; ij++) {
        int i, j;
        ph_sfft_term_powers(dk, ij, &i, &j);
        double *g = ij ? fi : acc;
        if (!g && !(g = fi = pool_get(e, nb))) {
            st = PH_EFAIL;
            break;
        }
        csz(kstd + (size_t)ij * L * L, L, my, mx, fk);
        ph_fft2_forward_inplace(plan, fk);
        fill_grid(c, nx, ny, mx, my, ex, ey, c->img[PH_SFFT_I], NULL, i, j, powx, powy, g);
        ph_fft2_forward_inplace(plan, g);
        product(c, my, mx, g, fk, acc, ij ? PH_SFFT_ADD : PH_SFFT_MUL, 1.0);
    }
    if (!st) {
        ph_fft2_inverse_inplace(plan, acc);
        /* into the caller's array, or in place in acc (each pixel read
         * before it is written), whose rows are then packed to nx */
        int own = !*diff;
        diff_ctx d = {nx,   ny,   stride, 1.0 / ((double)mx * (double)my), db, bg, powx, powy, acc,
                      c->img[PH_SFFT_J], own ? acc : *diff, own ? stride : nx};
        par_rows(c->nthreads, ny, diff_rows, &d);
        if (own) {
            for (long y = 1; y < ny; y++)
                memmove(acc + y * nx, acc + y * stride, (size_t)nx * sizeof *acc);
            ph_pool_detach(&c->pool, acc);
            *diff = acc;
            acc = NULL;
        }
    }
    pool_put(e, acc);
    pool_put(e, fk);
    pool_put(e, fi);
    free(ex);
    free(ey);
    free(powx);
    free(powy);
    return st;
}

static void cpu_free(ph_sfft_engine *e)
{
    if (!e)
        return;
    cpu *c = e->impl;
    if (c) {
        fit_release(e);
        ph_pool_clear(&c->pool);
        for (int i = 0; i < MAXPLAN; i++)
            ph_fft2_free(c->plan[i]);
        free(c);
    }
    free(e);
}

ph_sfft_engine *ph_sfft_cpu_engine_new(long nx, long ny, int nthreads)
{
    ph_sfft_engine *e = ph_calloc(1, sizeof *e, "SFFT engine");
    cpu *c = ph_calloc(1, sizeof *c, "SFFT engine");
    if (!e || !c) {
        free(e);
        free(c);
        return NULL;
    }
    e->impl = c;
    e->name = "cpu";
    e->nx = nx;
    e->ny = ny;
    c->nthreads = nthreads < 1 ? 1 : nthreads;
    c->pform_k = -1;
    c->e = e;
    c->pool.alloc = big_alloc;
    c->pool.release = big_release;
    c->pool.ctx = c;
    snprintf(e->desc, sizeof e->desc, "cpu (FFTW, %d thread%s)", c->nthreads,
             c->nthreads > 1 ? "s" : "");
    e->crossconv = cpu_crossconv;
    e->load = cpu_load;
    e->fit_spectra = cpu_fit_spectra;
    e->spectrum_sum = cpu_spectrum_sum;
    e->corr_window = cpu_corr_window;
    e->fit_done = cpu_fit_done;
    e->difference = cpu_difference;
    e->free = cpu_free;
    ph_fft_set_threads(c->nthreads);
    return e;
}
