// phot_engine.cu -- the GPU batch of common/sci/psffit.h (ph-phot's zero-point
// stars): one thread block per star, the arithmetic of ph_psffit_one() in
// float64.
//
// Per star: thread 0 checks the position; the block gathers the usable
// annulus pixels into shared memory and sorts them (bitonic), and thread 0
// takes photutils' MMM sky of the sorted values (ph_psffit_mmm_sorted); the block
// computes the spline weights of the fit box's rows and columns, the
// shifted stamp's columns T[r][j] = sum_k wy_r[k] P[k][j] and the box
// pixels sum_j T[r][j] wx_i[j]; thread 0 sums the weighted fit over the
// box. Every value is computed by the functions of common/sci/psffit_elem.h
// that the CPU's ph_psffit_one() calls, in the same order; only the
// gathering, the sort and the thread layout are this file's.
//
// The image, variance and mask planes and the PSF stay on the device for
// every call of ph_psffit_gpu_run(). Limits (ph_psffit_gpu_new refuses
// beyond them, and ph-phot's --device auto then runs the CPU): at most
// MAXANN annulus pixels, a box of at most MAXBOX, box * PSF size <= MAXT.
//
// Every CUDA failure is recorded with ph_error() and returned. NVTX ranges
// mark upload, fit and download; CUDA events time them into
// ph_timing_add_device().
#include <cuda_runtime.h>
#include <nvtx3/nvToolsExt.h>

#include "sci/psffit_elem.h"
#include "ph_cuda.h"
#include "region.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern "C" {
#include "base/log.h"
#include "sci/psffit.h"
#include "base/timing.h"
#include "base/util.h"
}

namespace {

// MAXANN annulus values, then the spline weights of the box rows and
// columns (2 box n <= MAXANN) in the same shared memory; MAXT the
// columns of the shifted stamp (box n).
enum { MAXANN = 2048, MAXT = 1024, MAXBOX = 15, THREADS = 128 };
static_assert(2 * MAXT <= MAXANN, "the weights must fit where the annulus was");

#define CUDA(call)                                                                       \
    do {                                                                                 \
        cudaError_t e_ = (call);                                                         \
        if (e_ != cudaSuccess) {                                                         \
            cudaGetLastError();                                                          \
            return ph_error(PH_EFAIL, NULL, "GPU star fit: %s: %s", #call,               \
                            cudaGetErrorString(e_));                                     \
        }                                                                                \
    } while (0)

struct dev_result {
    double flux, flux_err, sky;
    int npix, status;
};

struct params {
    ph_fit_plane pl; // device planes
    const double *psf, *C;
    long n;
    int box, full_box;
    double r_in, r_out;
};

// One star per block; the arithmetic is psffit_elem.h's, as on the CPU.
__global__ void fit_kernel(params p, const double *xs, const double *ys, dev_result *out)
{
    __shared__ double scratch[MAXANN]; // annulus values, then the weights wy | wx
    __shared__ double T[MAXT];
    __shared__ double model[MAXBOX * MAXBOX];
    __shared__ int iny[MAXBOX], inx[MAXBOX];
    __shared__ int count, state;
    __shared__ double sky;
    const int tid = threadIdx.x;
    const long star = blockIdx.x;
    const double x0 = xs[star], y0 = ys[star];
    const int b = p.box;
    const long n = p.n;
    const double c = 0.5 * (n - 1);
    dev_result *r = out + star;

    if (tid == 0) {
        r->flux = r->flux_err = NAN;
        r->sky = 0;
        r->npix = 0;
        state = PH_FIT_OK;
        count = 0;
        sky = 0;
        if (!ph_psffit_on_image(&p.pl, x0, y0))
            state = PH_FIT_OFF_IMAGE;
        else if (!ph_psffit_usable(&p.pl, ph_psffit_centre_index(&p.pl, x0, y0)))
            state = PH_FIT_MASKED;
    }
    __syncthreads();
    if (state != PH_FIT_OK) {
        if (tid == 0)
            r->status = state;
        return;
    }

    // local sky: the usable annulus pixels gathered, sorted (bitonic), MMM
    if (p.r_out > 0) {
        double *ann = scratch;
        long xa, xb, ya, yb;
        ph_psffit_annulus_bounds(&p.pl, x0, y0, p.r_out, &xa, &xb, &ya, &yb);
        long w = xb - xa + 1, h = yb - ya + 1;
        for (long q = tid; w > 0 && h > 0 && q < w * h; q += blockDim.x) {
            long x = xa + q % w, y = ya + q / w, i = y * p.pl.nx + x;
            if (ph_psffit_in_annulus(x, y, x0, y0, p.r_in, p.r_out) && ph_psffit_usable(&p.pl, i)) {
                int pos = atomicAdd(&count, 1);
                if (pos < MAXANN)
                    ann[pos] = p.pl.data[i];
            }
        }
        __syncthreads();
        int m = count < MAXANN ? count : MAXANN;
        int P2 = 1;
        while (P2 < m)
            P2 <<= 1;
        for (int i = m + tid; i < P2; i += blockDim.x)
            ann[i] = INFINITY;
        __syncthreads();
        for (int k = 2; k <= P2; k <<= 1)
            for (int jj = k >> 1; jj > 0; jj >>= 1) {
                for (int i = tid; i < P2; i += blockDim.x) {
                    int l = i ^ jj;
                    if (l > i) {
                        bool up = (i & k) == 0;
                        if ((ann[i] > ann[l]) == up) {
                            double t = ann[i];
                            ann[i] = ann[l];
                            ann[l] = t;
                        }
                    }
                }
                __syncthreads();
            }
        if (tid == 0) {
            if (count > MAXANN || m < PH_FIT_MIN_SKY) // the first cannot happen: checked by setup
                state = PH_FIT_NO_SKY;
            else if (!isfinite(sky = ph_psffit_mmm_sorted(ann, m)))
                state = PH_FIT_NO_SKY;
        }
        __syncthreads();
        if (state != PH_FIT_OK) {
            if (tid == 0) {
                r->status = state;
                r->sky = NAN;
            }
            return;
        }
    }

    // the shifted stamp on the box: spline weights of its rows (wy) and
    // columns (wx), the columns T of each row, then each pixel
    long bx = ph_psffit_box_first(x0, b), by = ph_psffit_box_first(y0, b);
    double *wy = scratch, *wx = scratch + b * n;
    for (long q = tid; q < 2 * b * n; q += blockDim.x) {
        int along_x = q >= b * n;
        long rr = (q % (b * n)) / n, k = q % n;
        ph_spline_pos s =
            ph_psffit_spline_locate(n, along_x ? (bx + rr) - x0 + c : (by + rr) - y0 + c);
        (along_x ? wx : wy)[rr * n + k] = s.in ? ph_psffit_spline_weight(p.C, n, &s, k) : 0.0;
        if (k == 0)
            (along_x ? inx : iny)[rr] = s.in;
    }
    __syncthreads();
    for (long q = tid; q < b * n; q += blockDim.x) {
        long rr = q / n, j = q % n;
        T[q] = iny[rr] ? ph_psffit_spline_column(wy + rr * n, p.psf, n, j) : 0.0;
    }
    __syncthreads();
    for (int q = tid; q < b * b; q += blockDim.x) {
        int rr = q / b, i = q % b;
        model[q] = iny[rr] && inx[i] ? ph_psffit_spline_dot(T + rr * n, wx + i * n, n) : 0.0;
    }
    __syncthreads();

    if (tid == 0) {
        double swpp, swdp, flux = NAN, flux_err = NAN;
        int npix = ph_psffit_sums(&p.pl, model, bx, by, b, sky, &swpp, &swdp);
        r->sky = sky;
        r->npix = npix;
        r->status = ph_psffit_solve(npix, b, p.full_box, swpp, swdp, &flux, &flux_err);
        r->flux = flux;
        r->flux_err = flux_err;
    }
}

} // namespace

struct ph_psffit_gpu {
    params p;
    float *data, *var;
    uint8_t *mask;
    double *psf, *C;
    cudaStream_t stream;
    cudaEvent_t ev0, ev1;
    char desc[320];
};

namespace {

struct region : ph_cuda_region {
    region(ph_psffit_gpu *g, const char *s) : ph_cuda_region(g->stream, g->ev0, g->ev1, s, s) {}
};

int setup(ph_psffit_gpu *g, const ph_fit_plane *pl, const ph_psf_spline *s, const ph_fit_opts *o)
{
    if (o->box > MAXBOX)
        return ph_error(PH_EFAIL, NULL, "GPU star fit: fit box %d > %d", o->box, (int)MAXBOX);
    if ((long)o->box * s->n > MAXT)
        return ph_error(PH_EFAIL, NULL, "GPU star fit: fit box %d x PSF size %ld > %d", o->box,
                        s->n, (int)MAXT);
    if (o->r_out > 0) {
        double bound = M_PI * (o->r_out * o->r_out - o->r_in * o->r_in) +
                       2 * M_PI * (o->r_out + o->r_in) + 10;
        if (bound > MAXANN)
            return ph_error(PH_EFAIL, NULL,
                            "GPU star fit: the annulus %g-%g px may hold more than %d pixels",
                            o->r_in, o->r_out, (int)MAXANN);
    }
    size_t npx = (size_t)pl->nx * pl->ny, nn = (size_t)s->n * s->n;
    CUDA(cudaStreamCreate(&g->stream));
    CUDA(cudaEventCreate(&g->ev0));
    CUDA(cudaEventCreate(&g->ev1));
    region reg(g, "gpu upload");
    CUDA(cudaMalloc(&g->data, npx * sizeof(float)));
    CUDA(cudaMalloc(&g->var, npx * sizeof(float)));
    CUDA(cudaMalloc(&g->psf, nn * sizeof(double)));
    CUDA(cudaMalloc(&g->C, nn * sizeof(double)));
    CUDA(cudaMemcpyAsync(g->data, pl->data, npx * sizeof(float), cudaMemcpyHostToDevice,
                         g->stream));
    CUDA(cudaMemcpyAsync(g->var, pl->var, npx * sizeof(float), cudaMemcpyHostToDevice,
                         g->stream));
    if (pl->mask) {
        CUDA(cudaMalloc(&g->mask, npx));
        CUDA(cudaMemcpyAsync(g->mask, pl->mask, npx, cudaMemcpyHostToDevice, g->stream));
    }
    CUDA(cudaMemcpyAsync(g->psf, s->psf, nn * sizeof(double), cudaMemcpyHostToDevice,
                         g->stream));
    CUDA(cudaMemcpyAsync(g->C, s->C, nn * sizeof(double), cudaMemcpyHostToDevice, g->stream));
    CUDA(cudaStreamSynchronize(g->stream));
    ph_fit_plane planes = {g->data, g->var, g->mask, pl->badbits, pl->nx, pl->ny};
    g->p = params{planes, g->psf, g->C, s->n, o->box, o->full_box, o->r_in, o->r_out};
    cudaDeviceProp prop;
    int dev = 0;
    cudaGetDevice(&dev);
    if (cudaGetDeviceProperties(&prop, dev) == cudaSuccess)
        snprintf(g->desc, sizeof g->desc, "GPU %s", prop.name);
    else
        snprintf(g->desc, sizeof g->desc, "GPU");
    cudaGetLastError();
    return PH_OK;
}

} // namespace

extern "C" {

ph_psffit_gpu *ph_psffit_gpu_new(const ph_fit_plane *p, const ph_psf_spline *s,
                                 const ph_fit_opts *o)
{
    ph_psffit_gpu *g = (ph_psffit_gpu *)calloc(1, sizeof *g);
    if (!g) {
        ph_error(PH_EFAIL, NULL, "out of memory");
        return NULL;
    }
    if (setup(g, p, s, o)) {
        ph_psffit_gpu_free(g);
        return NULL;
    }
    return g;
}

int ph_psffit_gpu_run(ph_psffit_gpu *g, long n, const double *x0, const double *y0,
                      ph_fit_result *r)
{
    if (n <= 0)
        return PH_OK;
    double *dx = NULL, *dy = NULL;
    dev_result *dr = NULL;
    dev_result *hr = (dev_result *)malloc((size_t)n * sizeof *hr);
    int st = PH_OK;
    if (!hr)
        return ph_error(PH_EFAIL, NULL, "out of memory for %ld star fits", n);
    {
        region reg(g, "gpu star fits");
        cudaError_t e = cudaMalloc(&dx, n * sizeof(double));
        if (e == cudaSuccess)
            e = cudaMalloc(&dy, n * sizeof(double));
        if (e == cudaSuccess)
            e = cudaMalloc(&dr, n * sizeof(dev_result));
        if (e == cudaSuccess)
            e = cudaMemcpyAsync(dx, x0, n * sizeof(double), cudaMemcpyHostToDevice, g->stream);
        if (e == cudaSuccess)
            e = cudaMemcpyAsync(dy, y0, n * sizeof(double), cudaMemcpyHostToDevice, g->stream);
        for (long s0 = 0; e == cudaSuccess && s0 < n; s0 += 65535) {
            long m = n - s0 < 65535 ? n - s0 : 65535;
            fit_kernel<<<(unsigned)m, THREADS, 0, g->stream>>>(g->p, dx + s0, dy + s0, dr + s0);
            e = cudaGetLastError();
        }
        if (e == cudaSuccess)
            e = cudaMemcpyAsync(hr, dr, n * sizeof(dev_result), cudaMemcpyDeviceToHost,
                                g->stream);
        if (e == cudaSuccess)
            e = cudaStreamSynchronize(g->stream);
        if (e != cudaSuccess) {
            cudaGetLastError();
            st = ph_error(PH_EFAIL, NULL, "GPU star fit: %s", cudaGetErrorString(e));
        }
    }
    for (long i = 0; !st && i < n; i++) {
        r[i].flux = hr[i].flux;
        r[i].flux_err = hr[i].flux_err;
        r[i].sky = hr[i].sky;
        r[i].npix = hr[i].npix;
        r[i].status = hr[i].status;
    }
    cudaFree(dx);
    cudaFree(dy);
    cudaFree(dr);
    free(hr);
    return st;
}

void ph_psffit_gpu_free(ph_psffit_gpu *g)
{
    if (!g)
        return;
    cudaFree(g->data);
    cudaFree(g->var);
    cudaFree(g->mask);
    cudaFree(g->psf);
    cudaFree(g->C);
    if (g->ev0)
        cudaEventDestroy(g->ev0);
    if (g->ev1)
        cudaEventDestroy(g->ev1);
    if (g->stream)
        cudaStreamDestroy(g->stream);
    cudaGetLastError();
    free(g);
}

const char *ph_psffit_gpu_desc(const ph_psffit_gpu *g)
{
    return g->desc;
}

} // extern "C"
