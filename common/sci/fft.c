/* fft.c -- see fft.h. */
#include "sci/fft.h"
#include "base/log.h"
#include "base/util.h"

#include <fftw3.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct ph_fft2 {
    long ny, nx;
    fftw_plan fwd, inv;
};

static int fft_threads = 1;
static pthread_mutex_t plan_lock = PTHREAD_MUTEX_INITIALIZER;
static int threads_ready;

void ph_fft_set_threads(int nthreads) { fft_threads = nthreads > 0 ? nthreads : 1; }

double *ph_fft_alloc_real(size_t n)
{
    double *p = fftw_alloc_real(n ? n : 1);
    if (!p)
        ph_error(PH_EFAIL, NULL, "out of memory allocating an FFT buffer (%.1f MB)",
                 n * 8.0 / 1048576.0);
    return p;
}

ph_cplx *ph_fft_alloc_cplx(size_t n)
{
    ph_cplx *p = (ph_cplx *)fftw_alloc_complex(n ? n : 1);
    if (!p)
        ph_error(PH_EFAIL, NULL, "out of memory allocating an FFT buffer (%.1f MB)",
                 n * 16.0 / 1048576.0);
    return p;
}

void ph_fft_free(void *p) { fftw_free(p); }

/* Plans for ny x nx on buffers r (real) and c (spectrum): out of place
 * when they differ, in place (r padded) when they are the same memory.
 * FFTW_ESTIMATE does not touch the buffers. */
static ph_fft2 *plan_pair(long ny, long nx, double *r, ph_cplx *c)
{
    ph_fft2 *p = ph_calloc(1, sizeof *p, "FFT plan");
    if (!p)
        return NULL;
    p->ny = ny;
    p->nx = nx;
    /* FFTW's planner is not thread-safe. */
    pthread_mutex_lock(&plan_lock);
    if (!threads_ready) {
        fftw_init_threads();
        threads_ready = 1;
    }
    fftw_plan_with_nthreads(fft_threads);
    p->fwd = fftw_plan_dft_r2c_2d((int)ny, (int)nx, r, (fftw_complex *)c, FFTW_ESTIMATE);
    p->inv = fftw_plan_dft_c2r_2d((int)ny, (int)nx, (fftw_complex *)c, r, FFTW_ESTIMATE);
    pthread_mutex_unlock(&plan_lock);
    if (!p->fwd || !p->inv) {
        ph_fft2_free(p);
        ph_error(PH_EFAIL, NULL, "FFTW could not plan %s %ldx%ld transform",
                 (void *)r == (void *)c ? "an in-place" : "a", ny, nx);
        return NULL;
    }
    return p;
}

ph_fft2 *ph_fft2_new_inplace(long nx, long ny)
{
    ph_cplx *c = ph_fft_alloc_cplx((size_t)ny * (nx / 2 + 1));
    ph_fft2 *p = c ? plan_pair(ny, nx, (double *)c, c) : NULL;
    fftw_free(c);
    return p;
}

long ph_fft2_stride(long nx) { return 2 * (nx / 2 + 1); }

void ph_fft2_forward_inplace(ph_fft2 *p, double *data)
{
    fftw_execute_dft_r2c(p->fwd, data, (fftw_complex *)data);
}

void ph_fft2_inverse_inplace(ph_fft2 *p, double *data)
{
    fftw_execute_dft_c2r(p->inv, (fftw_complex *)data, data);
}

ph_fft2 *ph_fft2_new(long nx, long ny)
{
    double *r = ph_fft_alloc_real((size_t)ny * nx);
    ph_cplx *c = r ? ph_fft_alloc_cplx((size_t)ny * (nx / 2 + 1)) : NULL;
    ph_fft2 *p = c ? plan_pair(ny, nx, r, c) : NULL;
    fftw_free(r);
    fftw_free(c);
    return p;
}

void ph_fft2_free(ph_fft2 *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&plan_lock);
    if (p->fwd)
        fftw_destroy_plan(p->fwd);
    if (p->inv)
        fftw_destroy_plan(p->inv);
    pthread_mutex_unlock(&plan_lock);
    free(p);
}

long ph_fft2_ncplx(const ph_fft2 *p) { return p->ny * (p->nx / 2 + 1); }

void ph_fft2_forward(ph_fft2 *p, const double *in, ph_cplx *out)
{
    /* r2c does not modify its input in FFTW's default mode */
    fftw_execute_dft_r2c(p->fwd, (double *)in, (fftw_complex *)out);
}

void ph_fft2_inverse(ph_fft2 *p, ph_cplx *in, double *out)
{
    fftw_execute_dft_c2r(p->inv, (fftw_complex *)in, out);
}

int ph_fft_kernel_csz(const double *k, long knx, long kny, long nx, long ny, double *out)
{
    if (kny % 2 == 0 || knx % 2 == 0)
        return ph_error(PH_EFAIL, NULL, "kernel of even size %ldx%ld", knx, kny);
    if (kny > ny || knx > nx)
        return ph_error(PH_EFAIL, NULL, "kernel %ldx%ld larger than the image %ldx%ld", knx, kny,
                        nx, ny);
    memset(out, 0, (size_t)ny * nx * sizeof *out);
    long cy = (kny - 1) / 2, cx = (knx - 1) / 2;
    for (long j = 0; j < kny; j++) {
        long y = ((j - cy) % ny + ny) % ny;
        for (long i = 0; i < knx; i++) {
            long x = ((i - cx) % nx + nx) % nx;
            out[y * nx + x] += k[j * knx + i];
        }
    }
    return PH_OK;
}

void ph_fft_kernel_icsz(const double *full, long nx, long ny, long knx, long kny, double *k)
{
    long cy = (kny - 1) / 2, cx = (knx - 1) / 2;
    for (long j = 0; j < kny; j++) {
        long y = ((j - cy) % ny + ny) % ny;
        for (long i = 0; i < knx; i++) {
            long x = ((i - cx) % nx + nx) % nx;
            k[j * knx + i] = full[y * nx + x];
        }
    }
}

/* Multiply the spectra and transform back: the core of both convolutions. */
static int convolve_padded(const double *img, long ny, long nx, const double *k, long kny,
                           long knx, long py, long px, long oy, long ox, double scale,
                           double *out)
{
    ph_fft2 *p = ph_fft2_new(px, py);
    size_t nr = (size_t)py * px, nc = (size_t)py * (px / 2 + 1);
    double *a = ph_fft_alloc_real(nr), *b = ph_fft_alloc_real(nr);
    ph_cplx *fa = ph_fft_alloc_cplx(nc), *fb = ph_fft_alloc_cplx(nc);
    int st = !p || !a || !b || !fa || !fb ? PH_EFAIL : PH_OK;
    if (!st) {
        memset(a, 0, nr * sizeof *a);
        for (long y = 0; y < ny; y++)
            memcpy(a + (y + oy) * px + ox, img + y * nx, (size_t)nx * sizeof *a);
        st = ph_fft_kernel_csz(k, knx, kny, px, py, b);
    }
    if (!st) {
        ph_fft2_forward(p, a, fa);
        ph_fft2_forward(p, b, fb);
        double norm = scale / (double)nr;
        for (size_t i = 0; i < nc; i++)
            fa[i] *= fb[i] * norm;
        ph_fft2_inverse(p, fa, a);
        for (long y = 0; y < ny; y++)
            memcpy(out + y * nx, a + (y + oy) * px + ox, (size_t)nx * sizeof *a);
    }
    ph_fft2_free(p);
    ph_fft_free(a);
    ph_fft_free(b);
    ph_fft_free(fa);
    ph_fft_free(fb);
    return st;
}

static double kernel_sum(const double *k, long n)
{
    double s = 0;
    for (long i = 0; i < n; i++)
        s += k[i];
    return s;
}

int ph_fft_convolve_same(const double *img, long nx, long ny, const double *k, long knx, long kny,
                         int normalise, double *out)
{
    if (kny % 2 == 0 || knx % 2 == 0)
        return ph_error(PH_EFAIL, NULL, "kernel of even size %ldx%ld", knx, kny);
    double s = normalise ? kernel_sum(k, kny * knx) : 1.0;
    if (s == 0)
        return ph_error(PH_EFAIL, NULL, "cannot normalise a kernel that sums to zero");
    long wy = (kny - 1) / 2, wx = (knx - 1) / 2;
    return convolve_padded(img, ny, nx, k, kny, knx, ny + 2 * wy, nx + 2 * wx, wy, wx, 1.0 / s,
                           out);
}

int ph_fft_convolve_circular(const double *img, long nx, long ny, const double *k, long knx,
                             long kny, double *out)
{
    return convolve_padded(img, ny, nx, k, kny, knx, ny, nx, 0, 0, 1.0, out);
}

void ph_fft_convolve_small(const double *a, long anx, long any, const double *b, long bnx, long bny,
                           double *out)
{
    long cby = (bny - 1) / 2, cbx = (bnx - 1) / 2;
    for (long y = 0; y < any; y++)
        for (long x = 0; x < anx; x++) {
            double s = 0;
            for (long j = 0; j < bny; j++) {
                long ay = y - (j - cby);
                if (ay < 0 || ay >= any)
                    continue;
                for (long i = 0; i < bnx; i++) {
                    long ax = x - (i - cbx);
                    if (ax >= 0 && ax < anx)
                        s += b[j * bnx + i] * a[ay * anx + ax];
                }
            }
            out[y * anx + x] = s;
        }
}
