// phot_engine.cu -- the GPU batch of common/psffit.h (ph-phot's zero-point
// stars): one thread block per star, the same arithmetic as
// ph_psffit_one() in float64.
//
// Per star: thread 0 checks the position; the block computes the shifted
// PSF on the fit box (the tensor spline: first T[r][j] = sum_k wy_r[k]
// P[k][j] for the box rows r, then the box value sum_j T[r][j] wx_i[j], the
// spline weights made from the matrix C on the fly, loops in the CPU's
// order); gathers the usable annulus pixels into shared memory, sorts them
// (bitonic), and thread 0 sigma-clips the sorted values (the clipped set
// of ph_sigma_clip is always a contiguous run of the sorted values, so the
// clip only moves two ends) for photutils' MMM sky; thread 0 then sums the
// weighted fit over the box in the CPU's order.
//
// The image, variance and mask planes and the PSF stay on the device for
// every call of ph_psffit_gpu_run(). Limits (ph_psffit_gpu_new refuses
// beyond them, and ph-phot's --device auto then runs the CPU): at most
// MAXANN annulus pixels, box * PSF size <= MAXT.
//
// Every CUDA failure is recorded with ph_error() and returned. NVTX ranges
// mark upload, fit and download; CUDA events time them into
// ph_timing_add_device().
#include <cuda_runtime.h>
#include <nvtx3/nvToolsExt.h>

#include "region.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern "C" {
#include "log.h"
#include "psffit.h"
#include "timing.h"
#include "util.h"
}

namespace {

enum { MAXANN = 2048, MAXT = 3072, THREADS = 128 };

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
    const float *data, *var;
    const uint8_t *mask;
    uint8_t badbits;
    long nx, ny;
    const double *psf, *C;
    long n;
    int box, full_box;
    double r_in, r_out;
};

__device__ inline bool usable(const params &p, long i)
{
    float d = p.data[i], v = p.var[i];
    return isfinite(d) && v > 0 && isfinite(v) && !(p.mask && (p.mask[i] & p.badbits));
}

// Spline weight k for the value at u (j = its interval, t, a, b precomputed).
__device__ inline double weight(const params &p, long j, double t, double a, double b, long k)
{
    double w = a * p.C[j * p.n + k] + b * p.C[(j + 1) * p.n + k];
    if (k == j)
        w += 1 - t;
    if (k == j + 1)
        w += t;
    return w;
}

struct spl {
    bool in;
    long j;
    double t, a, b;
};

__device__ inline spl spline_at(long n, double u)
{
    spl s;
    s.in = u >= 0 && u <= n - 1;
    s.j = 0, s.t = s.a = s.b = 0;
    if (!s.in)
        return s;
    s.j = (long)floor(u);
    if (s.j > n - 2)
        s.j = n - 2;
    s.t = u - s.j;
    double q = 1 - s.t;
    s.a = (q * q * q - q) / 6;
    s.b = (s.t * s.t * s.t - s.t) / 6;
    return s;
}

__device__ double median_sorted(const double *a, int lo, int hi)
{
    int m = hi - lo;
    return m % 2 ? a[lo + m / 2] : 0.5 * (a[lo + m / 2 - 1] + a[lo + m / 2]);
}

__device__ void mean_std(const double *a, int lo, int hi, double *mean, double *std)
{
    double s = 0, s2 = 0;
    for (int i = lo; i < hi; i++)
        s += a[i];
    double mu = s / (hi - lo);
    for (int i = lo; i < hi; i++)
        s2 += (a[i] - mu) * (a[i] - mu);
    *mean = mu;
    *std = sqrt(s2 / (hi - lo));
}

__global__ void fit_kernel(params p, const double *xs, const double *ys, dev_result *out)
{
    __shared__ double ann[MAXANN];
    __shared__ double T[MAXT];
    __shared__ double model[15 * 15];
    __shared__ int count, state;
    __shared__ double sky;
    const int tid = threadIdx.x;
    const long star = blockIdx.x;
    const double x0 = xs[star], y0 = ys[star];
    const int b = p.box;
    const double c = 0.5 * (p.n - 1);
    dev_result *r = out + star;

    if (tid == 0) {
        r->flux = r->flux_err = NAN;
        r->sky = 0;
        r->npix = 0;
        state = PH_FIT_OK;
        count = 0;
        sky = 0;
        if (!(x0 >= -0.5 && x0 < p.nx - 0.5 && y0 >= -0.5 && y0 < p.ny - 0.5))
            state = PH_FIT_OFF_IMAGE;
        else {
            long ic = (long)floor(x0 + 0.5), jc = (long)floor(y0 + 0.5);
            if (!usable(p, jc * p.nx + ic))
                state = PH_FIT_MASKED;
        }
    }
    __syncthreads();
    if (state != PH_FIT_OK) {
        if (tid == 0)
            r->status = state;
        return;
    }

    // local sky
    if (p.r_out > 0) {
        long xa = (long)ceil(x0 - p.r_out), xb = (long)floor(x0 + p.r_out);
        long ya = (long)ceil(y0 - p.r_out), yb = (long)floor(y0 + p.r_out);
        if (xa < 0) xa = 0;
        if (ya < 0) ya = 0;
        if (xb > p.nx - 1) xb = p.nx - 1;
        if (yb > p.ny - 1) yb = p.ny - 1;
        long w = xb - xa + 1, h = yb - ya + 1;
        for (long q = tid; w > 0 && h > 0 && q < w * h; q += blockDim.x) {
            long x = xa + q % w, y = ya + q / w;
            double dx = x - x0, dy = y - y0, r2 = dx * dx + dy * dy;
            long i = y * p.nx + x;
            if (r2 >= p.r_in * p.r_in && r2 < p.r_out * p.r_out && usable(p, i)) {
                int pos = atomicAdd(&count, 1);
                if (pos < MAXANN)
                    ann[pos] = p.data[i];
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
            if (count > MAXANN)
                state = -1; // cannot happen: the host checked the annulus size
            else if (m < PH_FIT_MIN_SKY)
                state = PH_FIT_NO_SKY;
            else {
                int lo = 0, hi = m;
                double med = 0, mu = 0, sd = 0;
                for (int it = 0; it < 10; it++) {
                    med = median_sorted(ann, lo, hi);
                    mean_std(ann, lo, hi, &mu, &sd);
                    int nlo = lo, nhi = hi;
                    while (nlo < nhi && !(fabs(ann[nlo] - med) <= 3.0 * sd))
                        nlo++;
                    while (nhi > nlo && !(fabs(ann[nhi - 1] - med) <= 3.0 * sd))
                        nhi--;
                    if (nhi - nlo == hi - lo)
                        break;
                    lo = nlo, hi = nhi;
                    if (hi == lo)
                        break;
                }
                if (hi > lo) {
                    med = median_sorted(ann, lo, hi);
                    mean_std(ann, lo, hi, &mu, &sd);
                    sky = 3.0 * med - 2.0 * mu;
                } else
                    state = PH_FIT_NO_SKY;
            }
        }
        __syncthreads();
        if (state != PH_FIT_OK) {
            if (tid == 0) {
                r->status = state < 0 ? PH_FIT_NO_SKY : state;
                r->sky = NAN;
            }
            return;
        }
    }

    // the model on the box
    long bx = (long)ceil(x0 - 0.5 * b), by = (long)ceil(y0 - 0.5 * b);
    for (long q = tid; q < b * p.n; q += blockDim.x) {
        long rr = q / p.n, j = q % p.n;
        spl sy = spline_at(p.n, (by + rr) - y0 + c);
        double acc = 0;
        if (sy.in)
            for (long k = 0; k < p.n; k++)
                acc += weight(p, sy.j, sy.t, sy.a, sy.b, k) * p.psf[k * p.n + j];
        T[rr * p.n + j] = acc;
    }
    __syncthreads();
    for (int q = tid; q < b * b; q += blockDim.x) {
        int rr = q / b, i = q % b;
        spl sy = spline_at(p.n, (by + rr) - y0 + c);
        spl sx = spline_at(p.n, (bx + i) - x0 + c);
        double v = 0;
        if (sy.in && sx.in)
            for (long j = 0; j < p.n; j++)
                v += T[rr * p.n + j] * weight(p, sx.j, sx.t, sx.a, sx.b, j);
        model[q] = v;
    }
    __syncthreads();

    if (tid == 0) {
        double swpp = 0, swdp = 0;
        int npix = 0;
        for (long j = by; j < by + b; j++)
            for (long i = bx; i < bx + b; i++) {
                if (i < 0 || j < 0 || i >= p.nx || j >= p.ny)
                    continue;
                long k = j * p.nx + i;
                if (!usable(p, k))
                    continue;
                double P = model[(j - by) * b + (i - bx)], wgt = 1.0 / p.var[k];
                swpp += wgt * P * P;
                swdp += wgt * (p.data[k] - sky) * P;
                npix++;
            }
        r->sky = sky;
        r->npix = npix;
        if (p.full_box ? (npix < b * b) : (2 * npix < b * b))
            r->status = PH_FIT_FEW_PIXELS;
        else if (!(swpp > 0))
            r->status = PH_FIT_NO_PSF;
        else {
            r->flux = swdp / swpp;
            r->flux_err = 1.0 / sqrt(swpp);
            r->status = PH_FIT_OK;
        }
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
    if (o->box > 15)
        return ph_error(PH_EFAIL, NULL, "GPU star fit: fit box %d > 15", o->box);
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
    g->p = params{g->data, g->var, g->mask, pl->badbits, pl->nx, pl->ny, g->psf, g->C, s->n,
                  o->box, o->full_box, o->r_in, o->r_out};
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
