/* sfft_cpu.c -- the CPU engine of sfft.h: FFTW real-to-complex transforms
 * (FFTW_ESTIMATE plans, threaded through common/fft.h) and pointwise loops
 * split over threads by rows. No loop reduces across threads, so the
 * output does not depend on scheduling.
 *
 * Memory at nx x ny (R = one real plane, H = one half spectrum, both
 * nx*ny*8 bytes to within a column): the images I and J are the caller's;
 * the fit holds fij + 1 spectra (+ fpq when db > 0) and one work plane of
 * each kind; the difference three spectra and one plane; the cross-
 * convolution three padded planes. */
#include "fft.h"
#include "log.h"
#include "sfft.h"
#include "util.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct cpu {
    int nthreads;
    ph_fft2 *plan;   /* ny x nx */
    double *img[2];  /* I, J: the caller's arrays */
    ph_cplx **spec;  /* fit spectra */
    int nspec;
    double *work_r;  /* ny * nx */
    ph_cplx *work_c; /* ny * (nx/2 + 1) */
    double bytes;    /* held now */
} cpu;

static void held(ph_sfft_engine *e, double delta)
{
    cpu *c = e->impl;
    c->bytes += delta;
    if (c->bytes > e->peak_bytes)
        e->peak_bytes = c->bytes;
}

/* ---- a parallel loop over rows ---------------------------------------------- */

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

/* ---- cross-convolution ------------------------------------------------------- */

static int cpu_crossconv(ph_sfft_engine *e, int slot, const double *img, const double *k, long L,
                         double *out)
{
    cpu *c = e->impl;
    long nx = e->nx, ny = e->ny;
    /* Zero padding to at least (n + L - 1) makes the circular product a
     * linear convolution; the image sits at [0, n) and the kernel's
     * negative offsets wrap into the zero margin (sfft-reference §4). A
     * fast length instead of exactly n + L - 1 changes only rounding. */
    long py = ph_sfft_fast_size(ny + L - 1), px = ph_sfft_fast_size(nx + L - 1);
    size_t nr = (size_t)py * px, nc = (size_t)py * (px / 2 + 1);
    ph_fft2 *plan = ph_fft2_new(py, px);
    double *a = ph_fft_alloc_real(nr);
    ph_cplx *fa = ph_fft_alloc_cplx(nc), *fk = ph_fft_alloc_cplx(nc);
    int st = !plan || !a || !fa || !fk ? PH_EFAIL : PH_OK;
    if (!st) {
        held(e, nr * 8.0 + nc * 32.0);
        st = ph_kernel_csz(k, L, L, py, px, a);
    }
    if (!st) {
        ph_fft2_forward(plan, a, fk);
        memset(a, 0, nr * sizeof *a);
        for (long y = 0; y < ny; y++)
            memcpy(a + y * px, img + y * nx, (size_t)nx * sizeof *a);
        ph_fft2_forward(plan, a, fa);
        double norm = 1.0 / (double)nr;
        for (size_t i = 0; i < nc; i++)
            fa[i] *= fk[i] * norm;
        ph_fft2_inverse(plan, fa, a);
        for (long y = 0; y < ny; y++)
            memcpy(out + y * nx, a + y * px, (size_t)nx * sizeof *a);
        c->img[slot] = out;
        held(e, -(nr * 8.0 + nc * 32.0));
    }
    ph_fft2_free(plan);
    ph_fft_free(a);
    ph_fft_free(fa);
    ph_fft_free(fk);
    return st;
}

static int cpu_load(ph_sfft_engine *e, int slot, double *img)
{
    cpu *c = e->impl;
    c->img[slot] = img;
    return PH_OK;
}

/* ---- fit spectra ---------------------------------------------------------------- */

/* Powers of the SFFT coordinates: px[d * nx + x] = ((x + 1) / nx)^d. */
static double *coord_powers(long n, int order)
{
    double *p = ph_malloc((size_t)(order + 1) * n * sizeof *p, "coordinate powers");
    if (!p)
        return NULL;
    for (long x = 0; x < n; x++) {
        double c = (x + 1) / (double)n, v = 1;
        for (int d = 0; d <= order; d++) {
            p[d * n + x] = v;
            v *= c;
        }
    }
    return p;
}

typedef struct fill_ctx {
    long nx;
    const double *src;   /* NULL: the constant 1 */
    const uint8_t *mask; /* NULL: no mask */
    const double *cx, *cy; /* NULL: power 0 */
    double *out;
} fill_ctx;

static void fill_rows(void *arg, long r0, long r1)
{
    fill_ctx *f = arg;
    for (long y = r0; y < r1; y++) {
        double fy = f->cy ? f->cy[y] : 1.0;
        const double *s = f->src ? f->src + y * f->nx : NULL;
        const uint8_t *m = f->mask ? f->mask + y * f->nx : NULL;
        double *o = f->out + y * f->nx;
        for (long x = 0; x < f->nx; x++) {
            double v = (s ? s[x] : 1.0) * fy * (f->cx ? f->cx[x] : 1.0);
            o[x] = m && !m[x] ? 0.0 : v;
        }
    }
}

/* out = mask ? cx^i cy^j src : 0 (src NULL: 1). */
static void fill_term(cpu *c, long nx, long ny, const double *src, const uint8_t *mask,
                      const double *powx, const double *powy, int i, int j, double *out)
{
    fill_ctx f = {nx, src, mask, i ? powx + (size_t)i * nx : NULL, j ? powy + (size_t)j * ny : NULL,
                  out};
    par_rows(c->nthreads, ny, fill_rows, &f);
}

static void free_spectra(ph_sfft_engine *e)
{
    cpu *c = e->impl;
    for (int k = 0; k < c->nspec; k++)
        if (c->spec[k]) {
            ph_fft_free(c->spec[k]);
            held(e, -(double)ph_fft2_ncplx(c->plan) * 16.0);
        }
    free(c->spec);
    c->spec = NULL;
    c->nspec = 0;
}

static int cpu_fit_spectra(ph_sfft_engine *e, const uint8_t *fit, int dk, int db)
{
    cpu *c = e->impl;
    long nx = e->nx, ny = e->ny;
    if (!c->img[0] || !c->img[1])
        return ph_error(PH_EFAIL, NULL, "SFFT engine: images not loaded");
    int fij = (dk + 1) * (dk + 2) / 2, fpq = (db + 1) * (db + 2) / 2;
    int ord = dk > db ? dk : db;
    free_spectra(e);
    c->nspec = fij + 1 + (db > 0 ? fpq : 0);
    c->spec = ph_calloc((size_t)c->nspec, sizeof *c->spec, "SFFT spectra");
    double *powx = coord_powers(nx, ord), *powy = coord_powers(ny, ord);
    int st = !c->spec || !powx || !powy ? PH_EFAIL : PH_OK;
    long ncplx = ph_fft2_ncplx(c->plan);
    for (int k = 0; k < c->nspec && !st; k++) {
        if (!(c->spec[k] = ph_fft_alloc_cplx((size_t)ncplx))) {
            st = PH_EFAIL;
            break;
        }
        held(e, ncplx * 16.0);
        int i = 0, j = 0;
        if (k < fij) /* masked I_ij */
            ph_sfft_term_powers(dk, k, &i, &j);
        else if (k > fij) /* unmasked T_pq */
            ph_sfft_term_powers(db, k - fij - 1, &i, &j);
        const double *src = k < fij ? c->img[PH_SFFT_I] : k == fij ? c->img[PH_SFFT_J] : NULL;
        fill_term(c, nx, ny, src, k <= fij ? fit : NULL, powx, powy, i, j, c->work_r);
        ph_fft2_forward(c->plan, c->work_r, c->spec[k]);
    }
    free(powx);
    free(powy);
    if (st)
        free_spectra(e);
    return st;
}

static int cpu_spectrum_sum(ph_sfft_engine *e, int k, double *sum)
{
    cpu *c = e->impl;
    if (k < 0 || k >= c->nspec)
        return ph_error(PH_EFAIL, NULL, "SFFT engine: no spectrum %d", k);
    *sum = creal(c->spec[k][0]);
    return PH_OK;
}

typedef struct prod_ctx {
    long ncol;
    const ph_cplx *u, *v;
    ph_cplx *out;
} prod_ctx;

static void conj_prod_rows(void *arg, long r0, long r1)
{
    prod_ctx *p = arg;
    for (size_t i = (size_t)r0 * p->ncol; i < (size_t)r1 * p->ncol; i++)
        p->out[i] = conj(p->u[i]) * p->v[i];
}

static int cpu_corr_window(ph_sfft_engine *e, int u, int v, int R, double *win)
{
    cpu *c = e->impl;
    long nx = e->nx, ny = e->ny;
    if (u < 0 || v < 0 || u >= c->nspec || v >= c->nspec)
        return ph_error(PH_EFAIL, NULL, "SFFT engine: no spectrum %d or %d", u, v);
    /* rho_uv(r) = sum_x u(x) v(x + r) = F^-1[conj(U) V](r) / N (§5.4) */
    prod_ctx p = {nx / 2 + 1, c->spec[u], c->spec[v], c->work_c};
    par_rows(c->nthreads, ny, conj_prod_rows, &p);
    ph_fft2_inverse(c->plan, c->work_c, c->work_r);
    double norm = 1.0 / ((double)nx * (double)ny);
    int n = 2 * R + 1;
    for (int ry = -R; ry <= R; ry++) {
        long y = ((ry % ny) + ny) % ny;
        for (int rx = -R; rx <= R; rx++) {
            long x = ((rx % nx) + nx) % nx;
            win[(ry + R) * n + rx + R] = c->work_r[y * nx + x] * norm;
        }
    }
    return PH_OK;
}

static void cpu_fit_done(ph_sfft_engine *e) { free_spectra(e); }

/* ---- difference -------------------------------------------------------------- */

typedef struct acc_ctx {
    long ncol;
    const ph_cplx *a, *b;
    ph_cplx *acc;
    int first;
} acc_ctx;

static void acc_rows(void *arg, long r0, long r1)
{
    acc_ctx *p = arg;
    size_t i0 = (size_t)r0 * p->ncol, i1 = (size_t)r1 * p->ncol;
    if (p->first)
        for (size_t i = i0; i < i1; i++)
            p->acc[i] = p->a[i] * p->b[i];
    else
        for (size_t i = i0; i < i1; i++)
            p->acc[i] += p->a[i] * p->b[i];
}

static void sub_rows(void *arg, long r0, long r1)
{
    acc_ctx *p = arg; /* acc = a - acc */
    for (size_t i = (size_t)r0 * p->ncol; i < (size_t)r1 * p->ncol; i++)
        p->acc[i] = p->a[i] - p->acc[i];
}

typedef struct bg_ctx {
    long nx, ny;
    double norm;
    int db;
    const double *bg, *powx, *powy;
    double *diff;
} bg_ctx;

static void bg_rows(void *arg, long r0, long r1)
{
    bg_ctx *b = arg; /* diff = diff / N - sum_pq b_pq cx^p cy^q */
    int fpq = (b->db + 1) * (b->db + 2) / 2;
    for (long y = r0; y < r1; y++) {
        double *d = b->diff + y * b->nx;
        for (long x = 0; x < b->nx; x++) {
            double t = 0;
            for (int q = 0; q < fpq; q++) {
                int i, j;
                ph_sfft_term_powers(b->db, q, &i, &j);
                t += b->bg[q] * b->powx[(size_t)i * b->nx + x] * b->powy[(size_t)j * b->ny + y];
            }
            d[x] = d[x] * b->norm - t;
        }
    }
}

static int cpu_difference(ph_sfft_engine *e, int dk, int w, const double *kstd, int db,
                          const double *bg, double *diff)
{
    cpu *c = e->impl;
    long nx = e->nx, ny = e->ny, ncplx = ph_fft2_ncplx(c->plan);
    int fij = (dk + 1) * (dk + 2) / 2, L = 2 * w + 1;
    int ord = dk > db ? dk : db;
    if (!c->img[0] || !c->img[1])
        return ph_error(PH_EFAIL, NULL, "SFFT engine: images not loaded");
    ph_cplx *acc = ph_fft_alloc_cplx((size_t)ncplx), *fk = ph_fft_alloc_cplx((size_t)ncplx);
    double *powx = coord_powers(nx, ord), *powy = coord_powers(ny, ord);
    int st = !acc || !fk || !powx || !powy ? PH_EFAIL : PH_OK;
    if (!st)
        held(e, ncplx * 32.0);
    /* F[D] = F[J] - sum_ij F[I_ij] F[CSZ(K_ij)] (§5.6) */
    for (int ij = 0; ij < fij && !st; ij++) {
        int i, j;
        ph_sfft_term_powers(dk, ij, &i, &j);
        if ((st = ph_kernel_csz(kstd + (size_t)ij * L * L, L, L, ny, nx, c->work_r)))
            break;
        ph_fft2_forward(c->plan, c->work_r, fk);
        fill_term(c, nx, ny, c->img[PH_SFFT_I], NULL, powx, powy, i, j, c->work_r);
        ph_fft2_forward(c->plan, c->work_r, c->work_c);
        acc_ctx a = {nx / 2 + 1, c->work_c, fk, acc, ij == 0};
        par_rows(c->nthreads, ny, acc_rows, &a);
    }
    if (!st) {
        ph_fft2_forward(c->plan, c->img[PH_SFFT_J], c->work_c);
        acc_ctx a = {nx / 2 + 1, c->work_c, NULL, acc, 0};
        par_rows(c->nthreads, ny, sub_rows, &a);
        ph_fft2_inverse(c->plan, acc, diff);
        /* the background is evaluated in real space */
        bg_ctx b = {nx, ny, 1.0 / ((double)nx * (double)ny), db, bg, powx, powy, diff};
        par_rows(c->nthreads, ny, bg_rows, &b);
    }
    if (acc)
        held(e, -ncplx * 32.0);
    ph_fft_free(acc);
    ph_fft_free(fk);
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
        free_spectra(e);
        ph_fft2_free(c->plan);
        ph_fft_free(c->work_r);
        ph_fft_free(c->work_c);
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
    c->plan = ph_fft2_new(ny, nx);
    c->work_r = ph_fft_alloc_real((size_t)nx * ny);
    c->work_c = ph_fft_alloc_cplx((size_t)ny * (nx / 2 + 1));
    if (!c->plan || !c->work_r || !c->work_c) {
        cpu_free(e);
        return NULL;
    }
    held(e, nx * ny * 8.0 + ny * (nx / 2 + 1) * 16.0);
    return e;
}
