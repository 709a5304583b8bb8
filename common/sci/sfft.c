/* sfft.c -- see sfft.h. The engine-independent half of SFFT: the basis,
 * the normal equations assembled from correlation lag windows, the solve,
 * and the kernel realisation. Section numbers cite sfft-reference.md. */
#include "sci/sfft.h"
#include "sci/fft.h"
#include "sci/linalg.h"
#include "base/log.h"
#include "base/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

void ph_sfft_params_default(ph_sfft_params *p)
{
    p->w = 9;
    p->dk = 2;
    p->db = 0;
    p->const_ratio = 1;
}

void ph_sfft_basis_of(const ph_sfft_params *p, ph_sfft_basis *b)
{
    b->L = 2 * p->w + 1;
    b->fij = (p->dk + 1) * (p->dk + 2) / 2;
    b->fab = b->L * b->L;
    b->fpq = (p->db + 1) * (p->db + 2) / 2;
    b->neq = b->fij * b->fab + b->fpq;
    b->nfree = b->neq - (p->const_ratio ? b->fij - 1 : 0);
}

void ph_sfft_term_powers(int order, int t, int *i, int *j)
{
    /* (0,0),(0,1),..,(0,D),(1,0),..,(1,D-1),..,(D,0): i outer, j inner, i+j <= D */
    for (int a = 0; a <= order; a++) {
        int n = order - a + 1;
        if (t < n) {
            *i = a;
            *j = t;
            return;
        }
        t -= n;
    }
    *i = *j = 0;
}

int ph_sfft_index(const ph_sfft_basis *b, int ij, int a, int bshift)
{
    int w = (b->L - 1) / 2;
    return ij * b->fab + (a + w) * b->L + (bshift + w);
}

int ph_sfft_forbidden(const ph_sfft_params *p, const ph_sfft_basis *b, int k)
{
    if (!p->const_ratio || k >= b->fij * b->fab)
        return 0;
    int ij = k / b->fab, r = k % b->fab;
    return ij != 0 && r == p->w * b->L + p->w;
}

ph_sfft_fit_kind ph_sfft_fit_image(int dk, int db, int k, int *i, int *j)
{
    int fij = (dk + 1) * (dk + 2) / 2;
    *i = *j = 0;
    if (k < fij) {
        ph_sfft_term_powers(dk, k, i, j);
        return PH_SFFT_FIT_I;
    }
    if (k == fij)
        return PH_SFFT_FIT_J;
    ph_sfft_term_powers(db, k - fij - 1, i, j);
    return PH_SFFT_FIT_T;
}

int ph_sfft_fit_count(int dk, int db)
{
    return (dk + 1) * (dk + 2) / 2 + 1 + (db > 0 ? (db + 1) * (db + 2) / 2 : 0);
}

double ph_sfft_scale(long nx, long ny) { return (double)nx * (double)ny; }

int ph_sfft_check(const ph_sfft_params *p, long nx, long ny, const char *file)
{
    if (p->w < 1 || p->w > 100)
        return ph_error(PH_EUSAGE, NULL, "kernel half-width %d is out of range [1, 100]", p->w);
    if (p->dk < 0 || p->dk > 10)
        return ph_error(PH_EUSAGE, NULL, "kernel polynomial order %d is out of range [0, 10]",
                        p->dk);
    if (p->db < 0 || p->db > 10)
        return ph_error(PH_EUSAGE, NULL, "background polynomial order %d is out of range [0, 10]",
                        p->db);
    long need = 4L * p->w + 2;
    if (nx < need || ny < need)
        return ph_error(PH_EFAIL, file,
                        "the image is %ldx%ld; a kernel of half-width %d needs at least %ldx%ld",
                        nx, ny, p->w, need, need);
    return PH_OK;
}

void ph_sfft_engine_free(ph_sfft_engine *e)
{
    if (e && e->free)
        e->free(e);
}

/* ---- normal equations ------------------------------------------------------ */

/* The correlation windows the matrix needs (§5.4): omg[u][v] (|r| <= 2w) for
 * kernel terms u, v; the[u] (|r| <= w) against J; gam[u][pq] (|r| <= w)
 * against the background terms; phi[p'q'][pq] and del[pq] at r = 0. */
typedef struct windows {
    int fij, fpq, w, n2, n1; /* n2 = 4w+1, n1 = 2w+1 */
    double *omg, *the, *gam, *phi, *del;
} windows;

static double *omg_at(const windows *W, int u, int v)
{
    return W->omg + ((size_t)u * W->fij + v) * W->n2 * W->n2;
}

static void windows_free(windows *W)
{
    free(W->omg);
    free(W->the);
    free(W->gam);
    free(W->phi);
    free(W->del);
}

/* One correlation window to compute: images u and v, half-width R. */
typedef struct corr_req {
    int u, v, R;
    double *win;
} corr_req;

static int compute_windows(ph_sfft_engine *e, const ph_sfft_params *p, const ph_sfft_basis *b,
                           windows *W)
{
    memset(W, 0, sizeof *W);
    W->fij = b->fij;
    W->fpq = b->fpq;
    W->w = p->w;
    W->n2 = 4 * p->w + 1;
    W->n1 = 2 * p->w + 1;
    size_t s2 = (size_t)W->n2 * W->n2, s1 = (size_t)W->n1 * W->n1;
    int nimg = ph_sfft_fit_count(p->dk, p->db);
    size_t nreq = (size_t)b->fij * (b->fij + 1) / 2 + (size_t)b->fij * (1 + b->fpq) +
                  (size_t)b->fpq * (b->fpq + 3) / 2;
    W->omg = ph_malloc((size_t)b->fij * b->fij * s2 * sizeof(double), "correlation windows");
    W->the = ph_malloc((size_t)b->fij * s1 * sizeof(double), "correlation windows");
    W->gam = ph_malloc((size_t)b->fij * b->fpq * s1 * sizeof(double), "correlation windows");
    W->phi = ph_malloc((size_t)b->fpq * b->fpq * sizeof(double), "correlation windows");
    W->del = ph_malloc((size_t)b->fpq * sizeof(double), "correlation windows");
    corr_req *req = ph_malloc(nreq * sizeof *req, "correlation requests");
    int *uses = ph_calloc((size_t)nimg, sizeof *uses, "correlation requests");
    if (!W->omg || !W->the || !W->gam || !W->phi || !W->del || !req || !uses) {
        free(req);
        free(uses);
        return PH_EFAIL;
    }
    int jx = b->fij; /* index of J; the T_pq follow it */
    size_t n = 0;
    /* Grouped by the first image u, which the engines transform once per
     * group. Omega: only the pairs u <= v are computed; the others are
     * reflections, rho_vu(r) = rho_uv(-r) (§5.4). */
    for (int u = 0; u < b->fij; u++) {
        for (int v = u; v < b->fij; v++)
            req[n++] = (corr_req){u, v, 2 * p->w, omg_at(W, u, v)};
        req[n++] = (corr_req){u, jx, p->w, W->the + u * s1};
        for (int q = 0; q < b->fpq && p->db > 0; q++)
            req[n++] = (corr_req){u, jx + 1 + q, p->w, W->gam + ((size_t)u * b->fpq + q) * s1};
    }
    for (int q1 = 0; q1 < b->fpq && p->db > 0; q1++) {
        for (int q = q1; q < b->fpq; q++)
            req[n++] = (corr_req){jx + 1 + q1, jx + 1 + q, 0, &W->phi[q1 * b->fpq + q]};
        req[n++] = (corr_req){jx + 1 + q1, jx, 0, &W->del[q1]};
    }
    /* an engine may release the transform of v after its last use */
    for (size_t k = 0; k < n; k++)
        uses[req[k].v]++;
    int st = PH_OK;
    for (size_t k = 0; k < n && !st; k++)
        st = e->corr_window(e, req[k].u, req[k].v, req[k].R, req[k].win, --uses[req[k].v] > 0);
    for (int u = 0; u < b->fij && !st; u++)
        for (int v = u + 1; v < b->fij; v++) {
            const double *o = omg_at(W, u, v);
            double *r = omg_at(W, v, u);
            for (size_t k = 0; k < s2; k++)
                r[k] = o[s2 - 1 - k];
        }
    if (!st && p->db == 0) {
        /* T_00 = 1 everywhere: rho_{u,1}(r) = sum u for every lag, the
         * background Gram entry is N and its right-hand side sum mJ. */
        for (int u = 0; u < b->fij && !st; u++) {
            double s;
            if (!(st = e->spectrum_sum(e, u, &s)))
                for (size_t k = 0; k < s1; k++)
                    W->gam[u * s1 + k] = s;
        }
        W->phi[0] = (double)e->nx * (double)e->ny;
        if (!st)
            st = e->spectrum_sum(e, jx, &W->del[0]);
    } else
        for (int q1 = 0; q1 < b->fpq && !st; q1++)
            for (int q = q1 + 1; q < b->fpq; q++)
                W->phi[q * b->fpq + q1] = W->phi[q1 * b->fpq + q];
    free(req);
    free(uses);
    return st;
}

/* Gram entry between kernel unknowns (u, s') and (v, s) for the basis
 * B_s = S_s - [s != 0] S_0 (§5.4 table): O(s'-s) - [s!=0] O(s') -
 * [s'!=0] O(-s) + [s'!=0][s!=0] O(0), O = rho_{I_u, I_v}. */
static double gram_kk(const windows *W, const double *O, int a1, int b1, int a, int b)
{
    int c = 2 * W->w, n2 = W->n2;
#define OM(rx, ry) O[((ry) + c) * n2 + (rx) + c]
    int s1 = a1 || b1, s0 = a || b;
    double v = OM(a1 - a, b1 - b);
    if (s0)
        v -= OM(a1, b1);
    if (s1)
        v -= OM(-a, -b);
    if (s1 && s0)
        v += OM(0, 0);
#undef OM
    return v;
}

/* Entry of a window of half-width w at lag (a, b), minus the zero lag for
 * a non-zero shift: the kernel-row pattern of Gamma and Theta. */
static double shifted(const double *win, int w, int a, int b)
{
    int n1 = 2 * w + 1;
    double v = win[(b + w) * n1 + a + w];
    if (a || b)
        v -= win[w * n1 + w];
    return v;
}

/* Build the reduced system (forbidden stripes dropped) in A (nfree^2,
 * row-major, symmetric) and rhs. */
static void assemble(const ph_sfft_params *p, const ph_sfft_basis *b, const windows *W,
                     const int *full_of, double *A, double *rhs)
{
    int n = b->nfree, nk = b->fij * b->fab, L = b->L, w = p->w;
    size_t s1 = (size_t)W->n1 * W->n1;
    for (int r = 0; r < n; r++) {
        int kr = full_of[r];
        int ur = -1, ar = 0, br = 0, qr = -1;
        if (kr < nk) {
            ur = kr / b->fab;
            ar = (kr % b->fab) / L - w;
            br = (kr % b->fab) % L - w;
        } else
            qr = kr - nk;
        for (int c = r; c < n; c++) {
            int kc = full_of[c];
            double v;
            if (kc < nk) {
                int uc = kc / b->fab, ac = (kc % b->fab) / L - w, bc = (kc % b->fab) % L - w;
                if (ur >= 0)
                    v = gram_kk(W, omg_at(W, ur, uc), ar, br, ac, bc);
                else /* background row, kernel column: symmetric to the case below */
                    v = shifted(W->gam + ((size_t)uc * b->fpq + qr) * s1, w, ac, bc);
            } else {
                int qc = kc - nk;
                if (ur >= 0)
                    v = shifted(W->gam + ((size_t)ur * b->fpq + qc) * s1, w, ar, br);
                else
                    v = W->phi[qr * b->fpq + qc];
            }
            A[(size_t)r * n + c] = v;
            A[(size_t)c * n + r] = v;
        }
        rhs[r] = ur >= 0 ? shifted(W->the + (size_t)ur * s1, w, ar, br) : W->del[qr];
    }
}

int ph_sfft_fit(ph_sfft_engine *e, const uint8_t *fit, const ph_sfft_params *p, double min_rcond,
                ph_sfft_solution *sol)
{
    memset(sol, 0, sizeof *sol);
    sol->par = *p;
    ph_sfft_basis_of(p, &sol->basis);
    sol->nx = e->nx;
    sol->ny = e->ny;
    const ph_sfft_basis *b = &sol->basis;
    if (ph_sfft_check(p, e->nx, e->ny, NULL))
        return ph_error_code();
    size_t npix = (size_t)e->nx * e->ny;
    for (size_t i = 0; i < npix; i++)
        sol->nfit += fit[i] != 0;
    if (sol->nfit == 0)
        return ph_error(PH_EFAIL, NULL,
                        "the fitting mask is empty: no pixel is DETECTED in both images (and "
                        "not BAD or OUTSIDE)");

    int n = b->nfree;
    int *full_of = ph_malloc((size_t)n * sizeof *full_of, "SFFT index map");
    double *A = ph_malloc((size_t)n * n * sizeof *A, "SFFT normal matrix");
    double *rhs = ph_malloc((size_t)n * sizeof *rhs, "SFFT normal equations");
    double *d = ph_malloc((size_t)n * sizeof *d, "SFFT normal equations");
    sol->coef = ph_calloc((size_t)b->neq, sizeof *sol->coef, "SFFT solution");
    windows W;
    memset(&W, 0, sizeof W);
    int st = !full_of || !A || !rhs || !d || !sol->coef ? PH_EFAIL : PH_OK;
    for (int k = 0, r = 0; !st && k < b->neq; k++)
        if (!ph_sfft_forbidden(p, b, k))
            full_of[r++] = k;

    if (!st) {
        st = e->fit_spectra(e, fit, p->w, p->dk, p->db);
        if (!st)
            st = compute_windows(e, p, b, &W);
        e->fit_done(e);
    }
    if (!st) {
        assemble(p, b, &W, full_of, A, rhs);
        /* Jacobi equilibration: the kernel and background blocks differ by
         * many orders of magnitude; scaling to a unit diagonal makes the
         * condition estimate meaningful (the solution is unchanged). */
        for (int i = 0; i < n && !st; i++) {
            double g = A[(size_t)i * n + i];
            if (!(g > 0) || !isfinite(g))
                st = ph_error(PH_EFAIL, NULL,
                              "the SFFT system is singular: unknown %d has no support in the "
                              "fitting pixels",
                              full_of[i]);
            else
                d[i] = 1.0 / sqrt(g);
        }
    }
    if (!st) {
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++)
                A[(size_t)i * n + j] *= d[i] * d[j];
            rhs[i] *= d[i];
        }
        ph_solve_info info;
        st = ph_linalg_solve_symmetric(n, A, rhs, &info, "SFFT normal equations");
        sol->rcond = info.rcond;
        sol->used_lu = info.used_lu;
        if (!st && !(info.rcond >= min_rcond)) {
            st = ph_error(PH_EFAIL, NULL,
                          "the SFFT system is singular (reciprocal condition %.3g < %.3g): too "
                          "few fitting pixels or sources for %d unknowns; lower --kernel-order "
                          "or --kernel-halfwidth",
                          info.rcond, min_rcond, n);
        }
    }
    if (!st)
        for (int i = 0; i < n; i++)
            sol->coef[full_of[i]] = rhs[i] * d[i];
    windows_free(&W);
    free(full_of);
    free(A);
    free(rhs);
    free(d);
    if (st) {
        free(sol->coef);
        sol->coef = NULL;
    }
    return st;
}

int ph_sfft_solution_from_sfft(const ph_sfft_params *p, long nx, long ny, const double *sfft_sol,
                               int n, ph_sfft_solution *sol)
{
    memset(sol, 0, sizeof *sol);
    sol->par = *p;
    ph_sfft_basis_of(p, &sol->basis);
    sol->nx = nx;
    sol->ny = ny;
    if (n != sol->basis.neq)
        return ph_error(PH_EFAIL, NULL, "an SFFT solution for these parameters has %d values, not %d",
                        sol->basis.neq, n);
    if (!(sol->coef = ph_malloc((size_t)n * sizeof *sol->coef, "SFFT solution")))
        return PH_EFAIL;
    int nk = sol->basis.fij * sol->basis.fab;
    double scale = ph_sfft_scale(nx, ny);
    for (int k = 0; k < n; k++)
        sol->coef[k] = k < nk ? sfft_sol[k] / scale : sfft_sol[k];
    sol->rcond = NAN;
    return PH_OK;
}

void ph_sfft_solution_free(ph_sfft_solution *sol)
{
    free(sol->coef);
    sol->coef = NULL;
}

/* ---- kernels --------------------------------------------------------------- */

void ph_sfft_kernel_terms(const ph_sfft_solution *s, double *kstd)
{
    const ph_sfft_basis *b = &s->basis;
    int L = b->L, w = s->par.w;
    for (int ij = 0; ij < b->fij; ij++) {
        double *k = kstd + (size_t)ij * b->fab;
        double off = 0;
        for (int a = -w; a <= w; a++)
            for (int bb = -w; bb <= w; bb++) {
                double c = s->coef[ph_sfft_index(b, ij, a, bb)];
                k[(bb + w) * L + a + w] = c;
                if (a || bb)
                    off += c;
            }
        k[w * L + w] -= off;
    }
}

static double ipow(double x, int n)
{
    double r = 1;
    while (n-- > 0)
        r *= x;
    return r;
}

void ph_sfft_kernel_at(const ph_sfft_solution *s, double x0, double y0, double *k)
{
    const ph_sfft_basis *b = &s->basis;
    double *kstd = malloc((size_t)b->fij * b->fab * sizeof *kstd);
    double cx = (x0 + 1) / (double)s->nx, cy = (y0 + 1) / (double)s->ny;
    memset(k, 0, (size_t)b->fab * sizeof *k);
    if (!kstd)
        return;
    ph_sfft_kernel_terms(s, kstd);
    for (int ij = 0; ij < b->fij; ij++) {
        int i, j;
        ph_sfft_term_powers(s->par.dk, ij, &i, &j);
        double f = ipow(cx, i) * ipow(cy, j);
        for (int t = 0; t < b->fab; t++)
            k[t] += f * kstd[(size_t)ij * b->fab + t];
    }
    free(kstd);
}

void ph_sfft_kernel_centre(const ph_sfft_solution *s, double *k)
{
    ph_sfft_kernel_at(s, s->nx / 2.0 - 0.5, s->ny / 2.0 - 0.5, k);
}

/* A polynomial of degree deg at (x0, y0), in SFFT's normalised
 * coordinates: the sum over its nterms terms of c[t * stride] x^i y^j. */
static double poly_at(const ph_sfft_solution *s, int deg, int nterms, const double *c,
                      int stride, double x0, double y0)
{
    double cx = (x0 + 1) / (double)s->nx, cy = (y0 + 1) / (double)s->ny, v = 0;
    for (int t = 0; t < nterms; t++) {
        int i, j;
        ph_sfft_term_powers(deg, t, &i, &j);
        v += c[t * stride] * ipow(cx, i) * ipow(cy, j);
    }
    return v;
}

double ph_sfft_ratio_at(const ph_sfft_solution *s, double x0, double y0)
{
    const ph_sfft_basis *b = &s->basis; /* the a = b = 0 coefficient of each term */
    return poly_at(s, s->par.dk, b->fij, s->coef + ph_sfft_index(b, 0, 0, 0), b->fab, x0, y0);
}

double ph_sfft_background_at(const ph_sfft_solution *s, double x0, double y0)
{
    const ph_sfft_basis *b = &s->basis;
    return poly_at(s, s->par.db, b->fpq, s->coef + b->fij * b->fab, 1, x0, y0);
}

static int difference(ph_sfft_engine *e, const ph_sfft_solution *s, double **diff)
{
    const ph_sfft_basis *b = &s->basis;
    double *kstd = ph_malloc((size_t)b->fij * b->fab * sizeof *kstd, "SFFT kernels");
    if (!kstd)
        return PH_EFAIL;
    ph_sfft_kernel_terms(s, kstd);
    int st = e->difference(e, s->par.dk, s->par.w, kstd, s->par.db,
                           s->coef + (size_t)b->fij * b->fab, diff);
    free(kstd);
    return st;
}

int ph_sfft_difference(ph_sfft_engine *e, const ph_sfft_solution *s, double *diff)
{
    return difference(e, s, &diff);
}

int ph_sfft_difference_new(ph_sfft_engine *e, const ph_sfft_solution *s, double **diff)
{
    *diff = NULL;
    return difference(e, s, diff);
}

/* ---- helpers ---------------------------------------------------------------- */

long ph_sfft_fast_size(long n)
{
    /* Even (the real-to-complex dimension halves cleanly) and 7-smooth:
     * FFTW is 2-3 times faster on 4200 than on 4088 = 8 * 7 * 73. */
    for (long m = n < 2 ? 2 : n + (n & 1);; m += 2) {
        long r = m;
        while (r % 2 == 0)
            r /= 2;
        while (r % 3 == 0)
            r /= 3;
        while (r % 5 == 0)
            r /= 5;
        while (r % 7 == 0)
            r /= 7;
        if (r == 1)
            return m;
    }
}

void *ph_sfft_alloc_big(size_t bytes, const char *what)
{
    const size_t huge = (size_t)2 << 20;
    size_t n = bytes < huge ? (bytes + 63) / 64 * 64 : (bytes + huge - 1) / huge * huge;
    void *p = aligned_alloc(n < huge ? 64 : huge, n ? n : 64);
    if (!p) {
        ph_error(PH_EFAIL, NULL, "out of memory allocating %s (%.1f MB)", what, bytes / 1048576.0);
        return NULL;
    }
#ifdef MADV_HUGEPAGE
    if (n >= huge)
        madvise(p, n, MADV_HUGEPAGE);
#endif
    return p;
}

void ph_sfft_free_big(void *p) { free(p); }

void ph_sfft_conv_psf(const double *p_sci, long n_sci, const double *p_ref, long n_ref,
                      double *out)
{
    double s = 0;
    for (long i = 0; i < n_ref * n_ref; i++)
        s += p_ref[i];
    double *k = malloc((size_t)n_ref * n_ref * sizeof *k);
    if (!k || s == 0) {
        memset(out, 0, (size_t)n_sci * n_sci * sizeof *out);
        free(k);
        return;
    }
    for (long i = 0; i < n_ref * n_ref; i++)
        k[i] = p_ref[i] / s;
    ph_fft_convolve_small(p_sci, n_sci, n_sci, k, n_ref, n_ref, out);
    free(k);
}
