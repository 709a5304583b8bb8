/* decorr.c -- see decorr.h. */
#include "sci/decorr.h"
#include "base/log.h"
#include "base/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

ph_decorr *ph_decorr_new(long nx, long ny)
{
    if (ny < 1 || nx < 1) {
        ph_error(PH_EFAIL, NULL, "decorrelation grid %ldx%ld is empty", nx, ny);
        return NULL;
    }
    ph_decorr *d = ph_calloc(1, sizeof *d, "decorrelation state");
    if (!d)
        return NULL;
    d->ny = ny;
    d->nx = nx;
    d->nc = ny * (nx / 2 + 1);
    d->plan = ph_fft2_new(nx, ny);
    d->filter = ph_fft_alloc_real((size_t)d->nc);
    d->plane = ph_fft_alloc_real((size_t)ny * nx);
    d->spec = ph_fft_alloc_cplx((size_t)d->nc);
    d->spec2 = ph_fft_alloc_cplx((size_t)d->nc);
    if (!d->plan || !d->filter || !d->plane || !d->spec || !d->spec2) {
        ph_decorr_free(d);
        return NULL;
    }
    return d;
}

void ph_decorr_free(ph_decorr *d)
{
    if (!d)
        return;
    ph_fft2_free(d->plan);
    ph_fft_free(d->filter);
    ph_fft_free(d->plane);
    ph_fft_free(d->spec);
    ph_fft_free(d->spec2);
    free(d);
}

double *ph_decorr_plane(ph_decorr *d) { return d->plane; }

/* d->spec <- F CSZ(k) (through d->plane). */
static int kernel_spectrum(ph_decorr *d, const double *k, long kny, long knx)
{
    if (ph_fft_kernel_csz(k, knx, kny, d->nx, d->ny, d->plane))
        return PH_EFAIL;
    ph_fft2_forward(d->plan, d->plane, d->spec);
    return PH_OK;
}

/* den += scale |F CSZ(k)|^2; a NULL kernel is a delta (|F|^2 = 1). */
static int add_power(ph_decorr *d, const double *k, long kny, long knx, double scale,
                     double *den)
{
    if (!k) {
        for (long i = 0; i < d->nc; i++)
            den[i] += scale;
        return PH_OK;
    }
    if (kernel_spectrum(d, k, kny, knx))
        return PH_EFAIL;
    for (long i = 0; i < d->nc; i++) {
        double re = creal(d->spec[i]), im = cimag(d->spec[i]);
        den[i] += scale * (re * re + im * im);
    }
    return PH_OK;
}

static int check_terms(const ph_decorr_term *t, int n, const char *side)
{
    for (int i = 0; i < n; i++)
        if (!isfinite(t[i].sigma) || t[i].sigma < 0)
            return ph_error(PH_EFAIL, NULL, "decorrelation: sky rms %g of %s image %d is not a "
                            "non-negative number", t[i].sigma, side, i + 1);
    return PH_OK;
}

int ph_decorr_set_model(ph_decorr *d, const ph_decorr_model *m, int normalise)
{
    if (m->nj < 1)
        return ph_error(PH_EFAIL, NULL, "decorrelation needs at least one J-side image");
    if (check_terms(m->j, m->nj, "J-side") || check_terms(m->i, m->ni, "I-side"))
        return PH_EFAIL;
    double *den = d->filter;
    memset(den, 0, (size_t)d->nc * sizeof *den);
    /* The I side first, so that the final kernel multiplies its sum in place
     * (no extra buffer): den = |M|^2 sum_i sigma_i^2 |K_i|^2 / NI^2. */
    double ni2 = (double)m->ni * m->ni, nj2 = (double)m->nj * m->nj;
    for (int i = 0; i < m->ni; i++)
        if (add_power(d, m->i[i].kernel, m->i[i].kny, m->i[i].knx,
                      m->i[i].sigma * m->i[i].sigma / ni2, den))
            return PH_EFAIL;
    if (m->ni > 0 && m->match) {
        if (kernel_spectrum(d, m->match, m->mny, m->mnx))
            return PH_EFAIL;
        for (long i = 0; i < d->nc; i++) {
            double re = creal(d->spec[i]), im = cimag(d->spec[i]);
            den[i] *= re * re + im * im;
        }
    }
    for (int j = 0; j < m->nj; j++)
        if (add_power(d, m->j[j].kernel, m->j[j].kny, m->j[j].knx,
                      m->j[j].sigma * m->j[j].sigma / nj2, den))
            return PH_EFAIL;

    long nxh = d->nx / 2 + 1;
    for (long i = 0; i < d->nc; i++)
        if (!(den[i] > 0) || !isfinite(den[i]))
            return ph_error(PH_EFAIL, NULL,
                            "decorrelation: the noise power vanishes at frequency (kx, ky) = "
                            "(%ld, %ld): the kernels' transforms are all zero there, so the "
                            "noise cannot be whitened (check the PSFs and sky rms values)",
                            i % nxh, i / nxh);
    d->den0 = den[0];
    /* The order of SFFT's fork: D = 1 / sqrt(den), then D *= 1 / D(0). */
    for (long i = 0; i < d->nc; i++)
        den[i] = 1.0 / sqrt(den[i]);
    double norm = normalise ? 1.0 / den[0] : 1.0;
    d->fmax = 0;
    for (long i = 0; i < d->nc; i++) {
        den[i] *= norm;
        if (den[i] > d->fmax)
            d->fmax = den[i];
    }
    return PH_OK;
}

void ph_decorr_apply_plane(ph_decorr *d)
{
    double inv_n = 1.0 / ((double)d->ny * d->nx);
    ph_fft2_forward(d->plan, d->plane, d->spec);
    for (long i = 0; i < d->nc; i++)
        d->spec[i] *= d->filter[i] * inv_n;
    ph_fft2_inverse(d->plan, d->spec, d->plane);
}

void ph_decorr_image(ph_decorr *d, const double *in, double *out)
{
    size_t n = (size_t)d->ny * d->nx;
    memmove(d->plane, in, n * sizeof *in);
    ph_decorr_apply_plane(d);
    memmove(out, d->plane, n * sizeof *out);
}

/* d->plane <- Re F^-1[F CSZ(k) D] (the full-frame decorrelated kernel). */
static int decorrelated_kernel(ph_decorr *d, const double *k, long kny, long knx)
{
    if (kernel_spectrum(d, k, kny, knx))
        return PH_EFAIL;
    double inv_n = 1.0 / ((double)d->ny * d->nx);
    for (long i = 0; i < d->nc; i++)
        d->spec[i] *= d->filter[i] * inv_n;
    ph_fft2_inverse(d->plan, d->spec, d->plane);
    return PH_OK;
}

static int check_crop(const ph_decorr *d, long kny, long knx, const char *what)
{
    if (kny < 1 || knx < 1 || kny % 2 == 0 || knx % 2 == 0)
        return ph_error(PH_EFAIL, NULL, "%s size %ldx%ld must be odd", what, knx, kny);
    if (kny > d->ny || knx > d->nx)
        return ph_error(PH_EFAIL, NULL, "%s size %ldx%ld is larger than the image %ldx%ld", what,
                        knx, kny, d->nx, d->ny);
    return PH_OK;
}

/* Crop around [0][0] and measure what the crop keeps: signed and absolute
 * sums of the crop and of the whole plane. */
static void crop_plane(const ph_decorr *d, long kny, long knx, double *k, double *lost,
                       double *lost_abs, double *sum)
{
    ph_fft_kernel_icsz(d->plane, d->nx, d->ny, knx, kny, k);
    double sf = 0, af = 0, sc = 0, ac = 0;
    for (long i = 0; i < d->ny * d->nx; i++) {
        sf += d->plane[i];
        af += fabs(d->plane[i]);
    }
    for (long i = 0; i < kny * knx; i++) {
        sc += k[i];
        ac += fabs(k[i]);
    }
    if (lost)
        *lost = sf != 0 ? 1.0 - sc / sf : 0;
    if (lost_abs)
        *lost_abs = af != 0 ? 1.0 - ac / af : 0;
    if (sum)
        *sum = sc;
}

int ph_decorr_stamp(ph_decorr *d, const double *stamp, long kn, long outn, double *out,
                    double *lost)
{
    if (check_crop(d, kn, kn, "stamp") || check_crop(d, outn, outn, "decorrelated stamp"))
        return PH_EFAIL;
    if (decorrelated_kernel(d, stamp, kn, kn))
        return PH_EFAIL;
    crop_plane(d, outn, outn, out, lost, NULL, NULL);
    return PH_OK;
}

int ph_decorr_kernel(ph_decorr *d, long knx, long kny, double *k, double *lost, double *sum)
{
    if (check_crop(d, kny, knx, "decorrelation kernel"))
        return PH_EFAIL;
    double inv_n = 1.0 / ((double)d->ny * d->nx);
    for (long i = 0; i < d->nc; i++)
        d->spec[i] = d->filter[i] * inv_n;
    ph_fft2_inverse(d->plan, d->spec, d->plane);
    crop_plane(d, kny, knx, k, NULL, lost, sum);
    return PH_OK;
}

void ph_decorr_convolve_full(const double *a, long anx, long any, const double *b, long bnx,
                             long bny, double *out)
{
    long ony = any + bny - 1, onx = anx + bnx - 1;
    memset(out, 0, (size_t)ony * onx * sizeof *out);
    for (long ay = 0; ay < any; ay++)
        for (long ax = 0; ax < anx; ax++) {
            double v = a[ay * anx + ax];
            if (v == 0)
                continue;
            for (long by = 0; by < bny; by++) {
                double *o = out + (ay + by) * onx + ax;
                const double *bb = b + by * bnx;
                for (long bx = 0; bx < bnx; bx++)
                    o[bx] += v * bb[bx];
            }
        }
}

/* k (*) k2 in full (allocated), or a copy of k when k2 is NULL. */
static double *combined_kernel(const double *k, long kny, long knx, const double *k2, long k2ny,
                               long k2nx, long *ony, long *onx)
{
    *ony = k2 ? kny + k2ny - 1 : kny;
    *onx = k2 ? knx + k2nx - 1 : knx;
    double *kk = ph_malloc((size_t)*ony * *onx * sizeof *kk, "combined kernel");
    if (!kk)
        return NULL;
    if (k2)
        ph_decorr_convolve_full(k, knx, kny, k2, k2nx, k2ny, kk);
    else
        memcpy(kk, k, (size_t)kny * knx * sizeof *kk);
    return kk;
}

int ph_decorr_variance_add(ph_decorr *d, const double *k, long knx, long kny, const double *k2,
                           long k2nx, long k2ny, double weight, float *acc)
{
    long ny2, nx2;
    double *kk = combined_kernel(k, kny, knx, k2, k2ny, k2nx, &ny2, &nx2);
    if (!kk)
        return PH_EFAIL;
    if (check_crop(d, ny2, nx2, "variance kernel")) {
        free(kk);
        return PH_EFAIL;
    }
    size_t n = (size_t)d->ny * d->nx;
    double inv_n = 1.0 / (double)n;
    ph_fft2_forward(d->plan, d->plane, d->spec2); /* F(var) */
    int st = decorrelated_kernel(d, kk, ny2, nx2); /* plane = h */
    free(kk);
    if (st)
        return PH_EFAIL;
    for (size_t i = 0; i < n; i++)
        d->plane[i] *= d->plane[i];
    ph_fft2_forward(d->plan, d->plane, d->spec); /* F(h^2) */
    for (long i = 0; i < d->nc; i++)
        d->spec[i] *= d->spec2[i] * inv_n;
    ph_fft2_inverse(d->plan, d->spec, d->plane);
    for (size_t i = 0; i < n; i++)
        acc[i] += (float)(weight * d->plane[i]);
    return PH_OK;
}

int ph_decorr_matched_filter(ph_decorr *d, const double *k, long knx, long kny)
{
    if (check_crop(d, kny, knx, "matched-filter kernel"))
        return PH_EFAIL;
    ph_fft2_forward(d->plan, d->plane, d->spec2);
    if (kernel_spectrum(d, k, kny, knx))
        return PH_EFAIL;
    double inv_n = 1.0 / ((double)d->ny * d->nx);
    for (long i = 0; i < d->nc; i++)
        d->spec2[i] *= d->filter[i] * d->filter[i] * conj(d->spec[i]) * inv_n;
    ph_fft2_inverse(d->plan, d->spec2, d->plane);
    return PH_OK;
}

/* ---- truncated variant ---- */

static void max_size(const double *k, long kny, long knx, long *ly, long *lx)
{
    if (!k)
        return;
    if (kny > *ly)
        *ly = kny;
    if (knx > *lx)
        *lx = knx;
}

/* 2^(ceil(log2 l) + 1) */
static long grid_side(long l)
{
    long p = 1;
    while (p < l)
        p *= 2;
    return 2 * p;
}

static long odd_size(double keratio, long l)
{
    long s = (long)nearbyint(keratio * (double)l); /* half to even, as Python's round */
    return s % 2 ? s : s + 1;
}

int ph_decorr_truncated_kernel(const ph_decorr_model *m, double keratio, long *knx, long *kny,
                               double **k, double *lost)
{
    long ly = 0, lx = 0;
    *k = NULL;
    for (int j = 0; j < m->nj; j++)
        max_size(m->j[j].kernel, m->j[j].kny, m->j[j].knx, &ly, &lx);
    for (int i = 0; i < m->ni; i++)
        max_size(m->i[i].kernel, m->i[i].kny, m->i[i].knx, &ly, &lx);
    if (m->ni > 0)
        max_size(m->match, m->mny, m->mnx, &ly, &lx);
    if (!ly)
        return ph_error(PH_EFAIL, NULL, "truncated decorrelation kernel: every kernel is a delta");
    if (!(keratio > 0) || !isfinite(keratio))
        return ph_error(PH_EFAIL, NULL, "kernel size ratio %g must be positive", keratio);
    *kny = odd_size(keratio, ly);
    *knx = odd_size(keratio, lx);
    ph_decorr *d = ph_decorr_new(grid_side(lx), grid_side(ly));
    if (!d)
        return PH_EFAIL;
    *k = ph_malloc((size_t)*kny * *knx * sizeof **k, "decorrelation kernel");
    double sum = 0;
    int st = !*k || ph_decorr_set_model(d, m, 0) || ph_decorr_kernel(d, *knx, *kny, *k, lost, &sum)
                 ? PH_EFAIL
                 : PH_OK;
    ph_decorr_free(d);
    if (!st && !(sum != 0))
        st = ph_error(PH_EFAIL, NULL, "truncated decorrelation kernel sums to zero");
    if (st) {
        free(*k);
        *k = NULL;
        return st;
    }
    for (long i = 0; i < *kny * *knx; i++)
        (*k)[i] /= sum;
    return PH_OK;
}

static long clampl(long v, long n) { return v < 0 ? 0 : v >= n ? n - 1 : v; }

void ph_decorr_convolve_extend(const double *img, long nx, long ny, const double *k, long knx,
                               long kny, double *out)
{
    long cy = (kny - 1) / 2, cx = (knx - 1) / 2;
    long col[knx]; /* source column of tap i for the current x: no branches inside */
    for (long y = 0; y < ny; y++)
        for (long x = 0; x < nx; x++) {
            for (long i = 0; i < knx; i++)
                col[i] = clampl(x - (i - cx), nx);
            double s = 0;
            for (long j = 0; j < kny; j++) {
                const double *row = img + clampl(y - (j - cy), ny) * nx;
                const double *kr = k + j * knx;
                for (long i = 0; i < knx; i++)
                    s += kr[i] * row[col[i]];
            }
            out[y * nx + x] = s;
        }
}
