// subtract_engine.cu -- the GPU engine of common/sci/sfft.h (ph-subtract):
// cuFFT D2Z/Z2D transforms and CUDA kernels in float64, the images I and J
// resident on the device from the cross-convolution to the difference.
//
// It follows common/sci/sfft_cpu.c (read that file's comment for the method):
// the same fast transform grid my x mx >= (ny + 4w) x (nx + 4w) with the
// zero-padded ("P") and periodically extended ("E") forms that make a
// circular correlation on the nx x ny torus exact, correlation lag windows
// copied to the host, where common/sci/sfft.c assembles and solves the normal
// equations (LAPACK) exactly as for the CPU. Every pixel, bin and lag is
// computed by the functions of common/sci/sfft_elem.h that the CPU engine
// calls (unit-tested on the CPU); the kernels below are only grid-stride
// loops around them, and this file adds the launches, the cuFFT calls and
// the device memory.
//
// Its memory plan is its own: out-of-place transforms, and every E form of
// the fit made at once and kept until fit_done (the CPU engine transforms
// in place and makes each E form when first needed). Device memory at 4088
// x 4088, w = 9, dk = 2, db = 0 (grid 4200 x 4200, one block = one half
// spectrum, 141 MB): the two images (267 MB), the fit mask (17 MB), at
// most 10 blocks (1.41 GB, during the fit) and cuFFT's shared work area:
// about 2 GB in all (phrosty's flow needs about 40 GB).
//
// Every CUDA or cuFFT failure is recorded with ph_error() and returned; the
// engine never aborts. NVTX ranges mark the steps for Nsight; CUDA events
// time them into ph_timing_add_device().
#include <cuda_runtime.h>
#include <cufft.h>
#include <nvtx3/nvToolsExt.h>

#include "ph_cuda.h"
#include "region.h"
#include "sci/sfft_elem.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern "C" {
#include "base/log.h"
#include "base/pool.h"
#include "sci/sfft.h"
#include "base/timing.h"
#include "base/util.h"
}

namespace {

enum { MAXPLAN = 4, MAXSPEC = 64, THREADS = 256 };

struct gpu {
    long nx, ny;
    double *img[2];          // I, J on the device
    uint8_t *fit;            // fit mask on the device
    double *small;           // kernels, windows, background coefficients
    size_t small_size;
    double *rowsum;          // ny row sums
    double *host_rowsum;

    ph_pool pool;            // device buffers reused across the steps
    ph_sfft_engine *e;

    cufftHandle fwd[MAXPLAN], inv[MAXPLAN];
    long plan_ny[MAXPLAN], plan_nx[MAXPLAN];
    int nplan;
    void *work;              // cuFFT work area shared by every plan
    size_t work_size;

    int dk, db, w, nspec;
    long my, mx;
    double *powx, *powy;     // coordinate powers on the device
    int pow_order;           // ... up to this order
    cufftDoubleComplex *spec[MAXSPEC];
    double sums[MAXSPEC];
    cufftDoubleComplex *pform;
    int pform_k;
    cufftDoubleComplex *work_c;
    double *work_r;

    cudaStream_t stream;
    cudaEvent_t ev0, ev1;
    double held;             // device bytes we hold
};

// ---- errors -------------------------------------------------------------------------

int fail_cuda(const char *what, cudaError_t e)
{
    return ph_error(PH_EFAIL, NULL, "CUDA: %s: %s", what, cudaGetErrorString(e));
}

const char *cufft_text(cufftResult r)
{
    switch (r) {
    case CUFFT_ALLOC_FAILED:
        return "out of device memory";
    case CUFFT_INVALID_PLAN:
        return "invalid plan";
    case CUFFT_INVALID_VALUE:
        return "invalid value";
    case CUFFT_INTERNAL_ERROR:
        return "internal error";
    case CUFFT_EXEC_FAILED:
        return "execution failed";
    case CUFFT_SETUP_FAILED:
        return "setup failed";
    case CUFFT_INVALID_SIZE:
        return "invalid size";
    default:
        return "error";
    }
}

int fail_cufft(const char *what, cufftResult r)
{
    return ph_error(PH_EFAIL, NULL, "cuFFT: %s: %s (%d)", what, cufft_text(r), (int)r);
}

#define CU(call)                                                                          \
    do {                                                                                  \
        cudaError_t e_ = (call);                                                          \
        if (e_ != cudaSuccess)                                                            \
            return fail_cuda(#call, e_);                                                  \
    } while (0)
#define CUFFT(call)                                                                       \
    do {                                                                                  \
        cufftResult r_ = (call);                                                          \
        if (r_ != CUFFT_SUCCESS)                                                          \
            return fail_cufft(#call, r_);                                                 \
    } while (0)
#define LAUNCHED(what) CU(cudaGetLastError())

unsigned blocks_for(size_t n)
{
    size_t b = (n + THREADS - 1) / THREADS;
    return (unsigned)(b < 1 ? 1 : b > 16384 ? 16384 : b);
}

// ---- kernels: a grid-stride loop around the shared arithmetic (sfft_elem.h) --------------

#define FOR_EACH(t, n)                                                                    \
    for (size_t t = blockIdx.x * (size_t)blockDim.x + threadIdx.x; t < (n);              \
         t += (size_t)gridDim.x * blockDim.x)

// grid (row stride mx) = fit image (src masked, times cx^i cy^j) in the form ext.
__global__ void k_fill(double *grid, long my, long mx, int ext, const double *src, long ny,
                       long nx, const uint8_t *mask, const double *cx, const double *cy)
{
    FOR_EACH(t, (size_t)my * mx)
    grid[t] = ph_sfft_fit_grid_px(src, mask, cx, cy, ny, nx, my, mx, ext, (long)(t / mx),
                                  (long)(t % mx));
}

// The sum of each row of a fit image, one thread per row in the CPU's order.
__global__ void k_rowsum(double *rows, const double *src, long ny, long nx, const uint8_t *mask,
                         const double *cx, const double *cy)
{
    FOR_EACH(y, (size_t)ny)
    rows[y] = ph_sfft_fit_row_sum(src, mask, cx, cy, nx, (long)y);
}

// p[d * n + x] = ((x + 1) / n)^d, d = 0..order.
__global__ void k_powers(double *p, long n, int order)
{
    FOR_EACH(t, (size_t)(order + 1) * n)
    p[t] = ph_sfft_coord_pow((long)(t % n), n, (int)(t / n));
}

// out = a (*) b per bin, mode PH_SFFT_CONJ, _MUL or _ADD.
__global__ void k_prod(cufftDoubleComplex *out, const cufftDoubleComplex *a,
                       const cufftDoubleComplex *b, size_t n, int mode, double scale)
{
    FOR_EACH(t, n)
    {
        ph_sfft_z u = {a[t].x, a[t].y}, v = {b[t].x, b[t].y}, o = {0, 0};
        if (mode == PH_SFFT_ADD)
            o.re = out[t].x, o.im = out[t].y;
        ph_sfft_z r = ph_sfft_prod(u, v, mode, scale, o);
        out[t].x = r.re;
        out[t].y = r.im;
    }
}

// The L x L kernel k added at its CSZ place in a zeroed my x mx grid.
__global__ void k_csz(double *grid, long my, long mx, const double *k, int L)
{
    FOR_EACH(t, (size_t)L * L)
    grid[ph_sfft_csz_offset((long)t, L, my, mx, mx)] += k[t];
}

// grid = the image on [0, ny) x [0, nx), zeros elsewhere (zero padding).
__global__ void k_pad(double *grid, long py, long px, const double *img, long ny, long nx)
{
    FOR_EACH(t, (size_t)py * px)
    grid[t] = ph_sfft_pad_px(img, nx, ny, (long)(t % px), (long)(t / px));
}

__global__ void k_crop(double *img, const double *grid, long px, long ny, long nx)
{
    FOR_EACH(t, (size_t)ny * nx)
    img[t] = ph_sfft_crop_px(grid, px, (long)(t / nx), (long)(t % nx));
}

// The lag window of half-width R of the correlation r, times norm.
__global__ void k_window(double *win, const double *r, long my, long mx, int R, double norm)
{
    FOR_EACH(t, (size_t)(2 * R + 1) * (2 * R + 1))
    win[t] = ph_sfft_window_px(r, mx, my, mx, R, norm, (long)t);
}

// diff = J - model * norm - sum_pq b_pq cx^p cy^q
__global__ void k_diff(double *diff, const double *J, const double *model, long mx, long ny,
                       long nx, double norm, const double *bg, int db, const double *powx,
                       const double *powy)
{
    FOR_EACH(t, (size_t)ny * nx)
    {
        long y = (long)(t / nx), x = (long)(t % nx);
        double b = ph_sfft_background_px(bg, db, powx, powy, nx, ny, x, y);
        diff[t] = ph_sfft_diff_px(J, model, mx, norm, b, nx, x, y);
    }
}

// ---- memory, plans, timing ----------------------------------------------------------------

void account(ph_sfft_engine *e, gpu *g, double delta)
{
    g->held += delta;
    if (g->held > e->peak_bytes)
        e->peak_bytes = g->held;
}

int dev_alloc(ph_sfft_engine *e, gpu *g, void **p, size_t bytes)
{
    cudaError_t r = cudaMalloc(p, bytes ? bytes : 8);
    if (r != cudaSuccess) {
        *p = NULL;
        return ph_error(PH_EFAIL, NULL, "CUDA: cannot allocate %.1f MB of device memory: %s",
                        bytes / 1048576.0, cudaGetErrorString(r));
    }
    account(e, g, (double)bytes);
    return PH_OK;
}

void dev_free(ph_sfft_engine *e, gpu *g, void *p, size_t bytes)
{
    if (p) {
        cudaFree(p);
        account(e, g, -(double)bytes);
    }
}

void *pool_alloc(void *ctx, size_t bytes)
{
    gpu *g = (gpu *)ctx;
    void *p;
    return dev_alloc(g->e, g, &p, bytes) ? NULL : p;
}

void pool_release(void *ctx, void *p, size_t bytes)
{
    gpu *g = (gpu *)ctx;
    dev_free(g->e, g, p, bytes);
}

void *pool_get(ph_sfft_engine *, gpu *g, size_t bytes) { return ph_pool_get(&g->pool, bytes); }

void pool_put(gpu *g, const void *p) { ph_pool_put(&g->pool, p); }

size_t spec_bytes(long ny, long nx)
{
    size_t r = (size_t)ny * nx * sizeof(double),
           s = (size_t)ny * (nx / 2 + 1) * sizeof(cufftDoubleComplex);
    return r > s ? r : s;
}

// The D2Z and Z2D plans for ny x nx, sharing one work area.
int plan_for(ph_sfft_engine *e, gpu *g, long ny, long nx, int *slot)
{
    for (int i = 0; i < g->nplan; i++)
        if (g->plan_ny[i] == ny && g->plan_nx[i] == nx) {
            *slot = i;
            return PH_OK;
        }
    if (g->nplan == MAXPLAN)
        return ph_error(PH_EFAIL, NULL, "GPU engine: too many transform sizes");
    int i = g->nplan;
    size_t wf = 0, wi = 0;
    CUFFT(cufftCreate(&g->fwd[i]));
    CUFFT(cufftCreate(&g->inv[i]));
    g->nplan++; // from here the handles are destroyed with the engine
    g->plan_ny[i] = ny;
    g->plan_nx[i] = nx;
    CUFFT(cufftSetAutoAllocation(g->fwd[i], 0));
    CUFFT(cufftSetAutoAllocation(g->inv[i], 0));
    CUFFT(cufftMakePlan2d(g->fwd[i], (int)ny, (int)nx, CUFFT_D2Z, &wf));
    CUFFT(cufftMakePlan2d(g->inv[i], (int)ny, (int)nx, CUFFT_Z2D, &wi));
    CUFFT(cufftSetStream(g->fwd[i], g->stream));
    CUFFT(cufftSetStream(g->inv[i], g->stream));
    size_t need = wf > wi ? wf : wi;
    if (need > g->work_size) {
        CU(cudaStreamSynchronize(g->stream));
        dev_free(e, g, g->work, g->work_size);
        g->work = NULL;
        g->work_size = 0;
        if (dev_alloc(e, g, &g->work, need))
            return PH_EFAIL;
        g->work_size = need;
        for (int k = 0; k < g->nplan; k++) {
            CUFFT(cufftSetWorkArea(g->fwd[k], g->work));
            CUFFT(cufftSetWorkArea(g->inv[k], g->work));
        }
    } else {
        CUFFT(cufftSetWorkArea(g->fwd[i], g->work));
        CUFFT(cufftSetWorkArea(g->inv[i], g->work));
    }
    *slot = i;
    return PH_OK;
}

// A region of device time for ph_timing_add_device and an NVTX range.
struct region : ph_cuda_region {
    region(gpu *g, const char *s, const char *nvtx)
        : ph_cuda_region(g->stream, g->ev0, g->ev1, s, nvtx)
    {
    }
};

int ensure_small(ph_sfft_engine *e, gpu *g, size_t bytes)
{
    if (bytes <= g->small_size)
        return PH_OK;
    dev_free(e, g, g->small, g->small_size);
    g->small = NULL;
    g->small_size = 0;
    if (dev_alloc(e, g, (void **)&g->small, bytes))
        return PH_EFAIL;
    g->small_size = bytes;
    return PH_OK;
}

int ensure_image(ph_sfft_engine *e, gpu *g, int slot)
{
    if (g->img[slot])
        return PH_OK;
    return dev_alloc(e, g, (void **)&g->img[slot], (size_t)g->nx * g->ny * sizeof(double));
}

// Powers of the SFFT coordinates ((x + 1) / n)^d, d = 0..order, made on the device.
int make_powers(ph_sfft_engine *e, gpu *g, int order)
{
    for (int axis = 0; axis < 2; axis++) {
        long n = axis ? g->ny : g->nx;
        double **dst = axis ? &g->powy : &g->powx;
        size_t m = (size_t)(order + 1) * n;
        if (dev_alloc(e, g, (void **)dst, m * sizeof(double)))
            return PH_EFAIL;
        g->pow_order = order;
        k_powers<<<blocks_for(m), THREADS, 0, g->stream>>>(*dst, n, order);
        LAUNCHED("k_powers");
    }
    return PH_OK;
}

void free_powers(ph_sfft_engine *e, gpu *g)
{
    int ord = g->pow_order;
    dev_free(e, g, g->powx, (size_t)(ord + 1) * g->nx * sizeof(double));
    dev_free(e, g, g->powy, (size_t)(ord + 1) * g->ny * sizeof(double));
    g->powx = g->powy = NULL;
}

// ---- the engine operations -------------------------------------------------------------------

int g_crossconv(ph_sfft_engine *e, int slot, const double *img, const double *k, long L,
                double *out)
{
    gpu *g = (gpu *)e->impl;
    region r(g, "crossconv", "sfft crossconv");
    long nx = g->nx, ny = g->ny;
    long py = ph_sfft_fast_size(ny + L - 1), px = ph_sfft_fast_size(nx + L - 1);
    size_t nb = spec_bytes(py, px), nc = (size_t)py * (px / 2 + 1), n = (size_t)nx * ny;
    int ps;
    if (plan_for(e, g, py, px, &ps) || ensure_image(e, g, slot) ||
        ensure_small(e, g, (size_t)L * L * sizeof(double)))
        return PH_EFAIL;
    double *a = (double *)pool_get(e, g, nb);
    cufftDoubleComplex *fa = a ? (cufftDoubleComplex *)pool_get(e, g, nb) : NULL;
    cufftDoubleComplex *fk = fa ? (cufftDoubleComplex *)pool_get(e, g, nb) : NULL;
    if (!fk)
        return PH_EFAIL;
    CU(cudaMemcpyAsync(g->img[slot], img, n * sizeof(double), cudaMemcpyHostToDevice, g->stream));
    CU(cudaMemcpyAsync(g->small, k, (size_t)L * L * sizeof(double), cudaMemcpyHostToDevice,
                       g->stream));
    CU(cudaMemsetAsync(a, 0, (size_t)py * px * sizeof(double), g->stream));
    k_csz<<<blocks_for((size_t)L * L), THREADS, 0, g->stream>>>(a, py, px, g->small, (int)L);
    LAUNCHED("k_csz");
    CUFFT(cufftExecD2Z(g->fwd[ps], a, fk));
    k_pad<<<blocks_for((size_t)py * px), THREADS, 0, g->stream>>>(a, py, px, g->img[slot], ny, nx);
    LAUNCHED("k_pad");
    CUFFT(cufftExecD2Z(g->fwd[ps], a, fa));
    k_prod<<<blocks_for(nc), THREADS, 0, g->stream>>>(fa, fa, fk, nc, PH_SFFT_MUL,
                                                      1.0 / ((double)py * px));
    LAUNCHED("k_prod");
    CUFFT(cufftExecZ2D(g->inv[ps], fa, a));
    k_crop<<<blocks_for(n), THREADS, 0, g->stream>>>(g->img[slot], a, px, ny, nx);
    LAUNCHED("k_crop");
    CU(cudaMemcpyAsync(out, g->img[slot], n * sizeof(double), cudaMemcpyDeviceToHost, g->stream));
    CU(cudaStreamSynchronize(g->stream));
    pool_put(g, a);
    pool_put(g, fa);
    pool_put(g, fk);
    return PH_OK;
}

// An NVTX range alone (host-side steps: uploads, set-up, release).
struct mark {
    explicit mark(const char *nvtx) { nvtxRangePushA(nvtx); }
    ~mark() { nvtxRangePop(); }
};

int g_load(ph_sfft_engine *e, int slot, double *img)
{
    mark m("sfft upload");
    gpu *g = (gpu *)e->impl;
    if (ensure_image(e, g, slot))
        return PH_EFAIL;
    CU(cudaMemcpy(g->img[slot], img, (size_t)g->nx * g->ny * sizeof(double),
                  cudaMemcpyHostToDevice));
    return PH_OK;
}

void fit_release(ph_sfft_engine *e)
{
    gpu *g = (gpu *)e->impl;
    for (int k = 0; k < g->nspec; k++) {
        pool_put(g, g->spec[k]);
        g->spec[k] = NULL;
    }
    pool_put(g, g->pform);
    pool_put(g, g->work_c);
    pool_put(g, g->work_r);
    g->pform = g->work_c = NULL;
    g->work_r = NULL;
    g->pform_k = -1;
    g->nspec = 0;
    if (g->powx)
        free_powers(e, g);
}

// Fit image k: source, mask, coordinate powers on the device.
void fit_image(const gpu *g, int k, const double **src, const uint8_t **mask, const double **cx,
               const double **cy)
{
    int i, j;
    ph_sfft_fit_kind kind = ph_sfft_fit_image(g->dk, g->db, k, &i, &j);
    *src = kind == PH_SFFT_FIT_I ? g->img[PH_SFFT_I] : kind == PH_SFFT_FIT_J ? g->img[PH_SFFT_J] : NULL;
    *mask = kind == PH_SFFT_FIT_T ? NULL : g->fit;
    *cx = i ? g->powx + (size_t)i * g->nx : NULL;
    *cy = j ? g->powy + (size_t)j * g->ny : NULL;
}

int fill(gpu *g, double *grid, long my, long mx, int ext, const double *src, const uint8_t *mask,
         const double *cx, const double *cy)
{
    k_fill<<<blocks_for((size_t)my * mx), THREADS, 0, g->stream>>>(grid, my, mx, ext, src, g->ny,
                                                                   g->nx, mask, cx, cy);
    LAUNCHED("k_fill");
    return PH_OK;
}

int g_fit_spectra(ph_sfft_engine *e, const uint8_t *fit, int w, int dk, int db)
{
    gpu *g = (gpu *)e->impl;
    region r(g, "fit", "sfft fit spectra");
    long nx = g->nx, ny = g->ny;
    if (!g->img[0] || !g->img[1])
        return ph_error(PH_EFAIL, NULL, "GPU engine: images not loaded");
    fit_release(e);
    g->dk = dk;
    g->db = db;
    g->w = w;
    g->nspec = ph_sfft_fit_count(dk, db);
    if (g->nspec > MAXSPEC)
        return ph_error(PH_EFAIL, NULL, "GPU engine: too many polynomial terms");
    g->my = ph_sfft_fast_size(ny + 4L * w);
    g->mx = ph_sfft_fast_size(nx + 4L * w);
    size_t nb = spec_bytes(g->my, g->mx);
    int ps;
    if (plan_for(e, g, g->my, g->mx, &ps) || make_powers(e, g, dk > db ? dk : db))
        return PH_EFAIL;
    if (!g->fit && dev_alloc(e, g, (void **)&g->fit, (size_t)nx * ny))
        return PH_EFAIL;
    CU(cudaMemcpyAsync(g->fit, fit, (size_t)nx * ny, cudaMemcpyHostToDevice, g->stream));
    if (!(g->work_r = (double *)pool_get(e, g, nb)) ||
        !(g->work_c = (cufftDoubleComplex *)pool_get(e, g, nb)))
        return PH_EFAIL;
    for (int k = 0; k < g->nspec; k++) {
        const double *src, *cx, *cy;
        const uint8_t *mask;
        fit_image(g, k, &src, &mask, &cx, &cy);
        if (!(g->spec[k] = (cufftDoubleComplex *)pool_get(e, g, nb)))
            return PH_EFAIL;
        // the image's sum: per row on the device, rows in order on the host
        k_rowsum<<<blocks_for((size_t)ny), THREADS, 0, g->stream>>>(g->rowsum, src, ny, nx, mask,
                                                                     cx, cy);
        LAUNCHED("k_rowsum");
        CU(cudaMemcpyAsync(g->host_rowsum, g->rowsum, (size_t)ny * sizeof(double),
                           cudaMemcpyDeviceToHost, g->stream));
        if (fill(g, g->work_r, g->my, g->mx, 2 * w, src, mask, cx, cy))
            return PH_EFAIL;
        CUFFT(cufftExecD2Z(g->fwd[ps], g->work_r, g->spec[k]));
        CU(cudaStreamSynchronize(g->stream));
        double s = 0;
        for (long y = 0; y < ny; y++)
            s += g->host_rowsum[y];
        g->sums[k] = s;
    }
    return PH_OK;
}

int g_spectrum_sum(ph_sfft_engine *e, int k, double *sum)
{
    gpu *g = (gpu *)e->impl;
    if (k < 0 || k >= g->nspec)
        return ph_error(PH_EFAIL, NULL, "GPU engine: no fit image %d", k);
    *sum = g->sums[k];
    return PH_OK;
}

// `keep` is not needed: device memory holds every E form until fit_done.
int g_corr_window(ph_sfft_engine *e, int u, int v, int R, double *win, int keep)
{
    (void)keep;
    gpu *g = (gpu *)e->impl;
    region r(g, "fit", "sfft correlation");
    long my = g->my, mx = g->mx;
    size_t nc = (size_t)my * (mx / 2 + 1);
    if (u < 0 || v < 0 || u >= g->nspec || v >= g->nspec || R > 2 * g->w)
        return ph_error(PH_EFAIL, NULL, "GPU engine: bad correlation request (%d, %d, %d)", u, v,
                        R);
    int ps, n = 2 * R + 1;
    if (plan_for(e, g, my, mx, &ps) || ensure_small(e, g, (size_t)n * n * sizeof(double)))
        return PH_EFAIL;
    if (g->pform_k != u) { // the zero-padded form of u
        if (!g->pform &&
            !(g->pform = (cufftDoubleComplex *)pool_get(e, g, spec_bytes(my, mx))))
            return PH_EFAIL;
        const double *src, *cx, *cy;
        const uint8_t *mask;
        fit_image(g, u, &src, &mask, &cx, &cy);
        if (fill(g, g->work_r, my, mx, -1, src, mask, cx, cy))
            return PH_EFAIL;
        CUFFT(cufftExecD2Z(g->fwd[ps], g->work_r, g->pform));
        g->pform_k = u;
    }
    // rho_uv(r) = F^-1[conj(U) V](r) / M (sfft-reference §5.4)
    k_prod<<<blocks_for(nc), THREADS, 0, g->stream>>>(g->work_c, g->pform, g->spec[v], nc,
                                                      PH_SFFT_CONJ, 1.0);
    LAUNCHED("k_prod");
    CUFFT(cufftExecZ2D(g->inv[ps], g->work_c, g->work_r));
    k_window<<<blocks_for((size_t)n * n), THREADS, 0, g->stream>>>(g->small, g->work_r, my, mx, R,
                                                                     1.0 / ((double)my * mx));
    LAUNCHED("k_window");
    CU(cudaMemcpyAsync(win, g->small, (size_t)n * n * sizeof(double), cudaMemcpyDeviceToHost,
                       g->stream));
    CU(cudaStreamSynchronize(g->stream));
    return PH_OK;
}

void g_fit_done(ph_sfft_engine *e) { fit_release(e); }

int g_difference(ph_sfft_engine *e, int dk, int w, const double *kstd, int db, const double *bg,
                 double **diff)
{
    gpu *g = (gpu *)e->impl;
    region r(g, "difference", "sfft difference");
    long nx = g->nx, ny = g->ny;
    int fij = (dk + 1) * (dk + 2) / 2, fpq = (db + 1) * (db + 2) / 2, L = 2 * w + 1;
    if (!g->img[0] || !g->img[1])
        return ph_error(PH_EFAIL, NULL, "GPU engine: images not loaded");
    long my = ph_sfft_fast_size(ny + 4L * w), mx = ph_sfft_fast_size(nx + 4L * w);
    size_t nb = spec_bytes(my, mx), nc = (size_t)my * (mx / 2 + 1), n = (size_t)nx * ny;
    size_t nk = (size_t)fij * L * L;
    int ps;
    g->dk = dk;
    g->db = db;
    if (plan_for(e, g, my, mx, &ps) || ensure_small(e, g, (nk + fpq) * sizeof(double)) ||
        make_powers(e, g, dk > db ? dk : db))
        return PH_EFAIL;
    cufftDoubleComplex *acc = (cufftDoubleComplex *)pool_get(e, g, nb);
    cufftDoubleComplex *fk = acc ? (cufftDoubleComplex *)pool_get(e, g, nb) : NULL;
    cufftDoubleComplex *fi = fk ? (cufftDoubleComplex *)pool_get(e, g, nb) : NULL;
    double *grid = fi ? (double *)pool_get(e, g, nb) : NULL;
    int st = grid ? PH_OK : PH_EFAIL;
    if (!st) {
        CU(cudaMemcpyAsync(g->small, kstd, nk * sizeof(double), cudaMemcpyHostToDevice, g->stream));
        CU(cudaMemcpyAsync(g->small + nk, bg, fpq * sizeof(double), cudaMemcpyHostToDevice,
                           g->stream));
        // F[model] = sum_ij F[I_ij] F[CSZ(K_ij)] (sfft-reference §5.6), on the
        // fast grid with I_ij extended periodically by w
        for (int ij = 0; ij < fij; ij++) {
            int i, j;
            ph_sfft_term_powers(dk, ij, &i, &j);
            CU(cudaMemsetAsync(grid, 0, (size_t)my * mx * sizeof(double), g->stream));
            k_csz<<<blocks_for((size_t)L * L), THREADS, 0, g->stream>>>(grid, my, mx,
                                                                         g->small + ij * L * L, L);
            LAUNCHED("k_csz");
            CUFFT(cufftExecD2Z(g->fwd[ps], grid, fk));
            if (fill(g, grid, my, mx, w, g->img[PH_SFFT_I], NULL,
                     i ? g->powx + (size_t)i * nx : NULL, j ? g->powy + (size_t)j * ny : NULL))
                return PH_EFAIL;
            CUFFT(cufftExecD2Z(g->fwd[ps], grid, fi));
            k_prod<<<blocks_for(nc), THREADS, 0, g->stream>>>(acc, fi, fk, nc,
                                                              ij ? PH_SFFT_ADD : PH_SFFT_MUL, 1.0);
            LAUNCHED("k_prod");
        }
        CUFFT(cufftExecZ2D(g->inv[ps], acc, grid));
        double *d = (double *)fi; // a free block of at least nx * ny doubles
        k_diff<<<blocks_for(n), THREADS, 0, g->stream>>>(d, g->img[PH_SFFT_J], grid, mx, ny, nx,
                                                         1.0 / ((double)my * mx), g->small + nk, db,
                                                         g->powx, g->powy);
        LAUNCHED("k_diff");
        // into the caller's array, or a new one (sfft.h)
        double *h = *diff ? *diff : (double *)ph_sfft_alloc_big(n * sizeof(double), "DIFF");
        if (!h)
            st = PH_EFAIL;
        else {
            cudaError_t c = cudaMemcpyAsync(h, d, n * sizeof(double), cudaMemcpyDeviceToHost,
                                            g->stream);
            if (c == cudaSuccess)
                c = cudaStreamSynchronize(g->stream);
            if (c == cudaSuccess)
                *diff = h;
            else {
                if (h != *diff)
                    ph_sfft_free_big(h);
                st = fail_cuda("cudaMemcpy (DIFF)", c);
            }
        }
    }
    pool_put(g, acc);
    pool_put(g, fk);
    pool_put(g, fi);
    pool_put(g, grid);
    free_powers(e, g);
    return st;
}

void g_free(ph_sfft_engine *e)
{
    if (!e)
        return;
    mark m("sfft engine free");
    gpu *g = (gpu *)e->impl;
    if (g) {
        if (g->stream)
            cudaStreamSynchronize(g->stream);
        fit_release(e);
        ph_pool_clear(&g->pool);
        for (int i = 0; i < g->nplan; i++) {
            cufftDestroy(g->fwd[i]);
            cufftDestroy(g->inv[i]);
        }
        cudaFree(g->work);
        cudaFree(g->img[0]);
        cudaFree(g->img[1]);
        cudaFree(g->fit);
        cudaFree(g->small);
        cudaFree(g->rowsum);
        if (g->host_rowsum)
            cudaFreeHost(g->host_rowsum);
        if (g->ev0)
            cudaEventDestroy(g->ev0);
        if (g->ev1)
            cudaEventDestroy(g->ev1);
        if (g->stream)
            cudaStreamDestroy(g->stream);
        free(g);
    }
    free(e);
}

int g_init(ph_sfft_engine *e, gpu *g)
{
    mark m("sfft engine init");
    CU(cudaSetDevice(0));
    CU(cudaStreamCreateWithFlags(&g->stream, cudaStreamNonBlocking));
    CU(cudaEventCreate(&g->ev0));
    CU(cudaEventCreate(&g->ev1));
    CU(cudaMallocHost((void **)&g->host_rowsum, (size_t)g->ny * sizeof(double)));
    return dev_alloc(e, g, (void **)&g->rowsum, (size_t)g->ny * sizeof(double));
}

} // namespace

extern "C" double ph_subtract_gpu_planned_bytes(long nx, long ny, const ph_sfft_params *p,
                                                long max_psf)
{
    long my = ph_sfft_fast_size(ny + 4L * p->w), mx = ph_sfft_fast_size(nx + 4L * p->w);
    long py = ph_sfft_fast_size(ny + max_psf - 1), px = ph_sfft_fast_size(nx + max_psf - 1);
    double fitb = (double)spec_bytes(my, mx), ccb = (double)spec_bytes(py, px);
    // the pool's blocks at once: the fit's spectra, one P form and two work
    // planes (the cross-convolution's three and the difference's four are
    // fewer); blocks of the larger of the two grids serve both
    int nfit = ph_sfft_fit_count(p->dk, p->db) + 3;
    double blocks = (double)nfit * (fitb > ccb ? fitb : ccb);
    double images = 2.0 * nx * ny * sizeof(double) + (double)nx * ny;
    double work = fitb > ccb ? fitb : ccb; // cuFFT work area, about one spectrum
    return blocks + images + 2 * work + 64.0 * 1048576;
}

extern "C" ph_sfft_engine *ph_subtract_gpu_engine_new(long nx, long ny, const ph_sfft_params *p,
                                                      long max_psf)
{
    size_t freeb = 0, totalb = 0;
    cudaError_t r = cudaMemGetInfo(&freeb, &totalb);
    if (r != cudaSuccess) {
        fail_cuda("cudaMemGetInfo", r);
        return NULL;
    }
    double need = ph_subtract_gpu_planned_bytes(nx, ny, p, max_psf);
    if (need > 0.95 * (double)freeb) {
        ph_error(PH_EFAIL, NULL,
                 "the GPU has %.2f GB free; this subtraction plans %.2f GB (lower --gpu-slots or "
                 "run on the CPU)",
                 freeb / 1e9, need / 1e9);
        return NULL;
    }
    ph_sfft_engine *e = (ph_sfft_engine *)calloc(1, sizeof *e);
    gpu *g = (gpu *)calloc(1, sizeof *g);
    if (!e || !g) {
        free(e);
        free(g);
        ph_error(PH_EFAIL, NULL, "out of memory");
        return NULL;
    }
    e->impl = g;
    e->name = "gpu";
    e->nx = g->nx = nx;
    e->ny = g->ny = ny;
    g->pform_k = -1;
    g->e = e;
    g->pool.alloc = pool_alloc;
    g->pool.release = pool_release;
    g->pool.ctx = g;
    cudaDeviceProp prop;
    if (cudaGetDeviceProperties(&prop, 0) == cudaSuccess)
        snprintf(e->desc, sizeof e->desc, "gpu (%.200s, cuFFT)", prop.name);
    else
        snprintf(e->desc, sizeof e->desc, "gpu (cuFFT)");
    e->crossconv = g_crossconv;
    e->load = g_load;
    e->fit_spectra = g_fit_spectra;
    e->spectrum_sum = g_spectrum_sum;
    e->corr_window = g_corr_window;
    e->fit_done = g_fit_done;
    e->difference = g_difference;
    e->free = g_free;
    if (g_init(e, g)) {
        g_free(e);
        return NULL;
    }
    ph_info("GPU engine: %s, %.2f GB planned, %.2f GB free", e->desc, need / 1e9, freeb / 1e9);
    return e;
}
