/* background.c -- see background.h. The arithmetic follows SExtractor's
 * back.c (and SEP's background.c, the same code): pipeline-reference.md
 * §2.2, read against astromatic/sextractor 2.25 and kbarbary/sep 1.2.
 * Floats are used where SExtractor uses them so that the maps agree to
 * rounding. */
#include "sci/background.h"
#include "base/log.h"
#include "base/util.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct ph_bkg {
    long nx, ny;          /* image size (pixels) */
    int bw, bh;           /* mesh size (pixels) */
    int nmx, nmy;         /* meshes along x and y */
    float *back, *sigma;  /* nmx * nmy mesh maps, after filling and filtering */
    float *dback, *dsigma;/* their natural-spline second derivatives along y (/6) */
    double global;        /* median of the filtered background meshes */
    double globalrms;     /* median of the filtered sigma meshes (SExtractor's
                             detection sigma); median of the positive ones
                             when that is not positive, 1 when none is */
    int nbad;             /* meshes filled from their neighbours */
    /* Precomputed x interpolation: segment and the four spline weights. */
    int32_t *xk;
    float *xw;            /* 4 per pixel */
    float *node, *dnode, *work; /* scratch of nmx values for ph_bkg_row */
} ph_bkg;

double ph_bkg_global(const ph_bkg *bkg) { return bkg->global; }
double ph_bkg_globalrms(const ph_bkg *bkg) { return bkg->globalrms; }

void ph_bkg_size(const ph_bkg *bkg, long *nx, long *ny)
{
    *nx = bkg->nx;
    *ny = bkg->ny;
}

void ph_bkg_meshes(const ph_bkg *bkg, int *nmx, int *nmy, int *nbad)
{
    if (nmx) *nmx = bkg->nmx;
    if (nmy) *nmy = bkg->nmy;
    if (nbad) *nbad = bkg->nbad;
}

double ph_bkg_mesh(const ph_bkg *bkg, int which, int i)
{
    return (which == PH_BKG_RMS ? bkg->sigma : bkg->back)[i];
}

#define BACK_MINGOODFRAC 0.5 /* a mesh needs half its pixels valid */
#define QUANTIF_NSIGMA 5     /* histogram spans mean +- 5 sigma */
#define QUANTIF_NMAXLEVELS 4096
#define QUANTIF_AMIN 4       /* histogram bins: ~ npix sqrt(2/pi) 5 / 4 */
#define BLANK_VALUE (-1e30f) /* SExtractor's -BIG: such pixels are not data */

/* ---- one mesh ----------------------------------------------------------- */

typedef struct mesh_src {
    const float *img;
    const uint8_t *mask;
    uint8_t bits;
    long stride;
} mesh_src;

/* SExtractor's backguess(): iterative 3-sigma clipping of the histogram
 * around its median, then the mode estimate. Units of the loop are bins.
 *
 * SExtractor sums the bins afresh at each iteration; we read the same
 * sums from prefix sums (integers: SExtractor's double sums of integers
 * are exact, so the results are the same), and replay its median walk --
 * two pointers moving inward, always adding to the smaller side -- by
 * jumping over runs with binary searches on the prefix counts. `pre`
 * has room for 3 (nlevels + 1) values. */
static void histo_guess(const uint32_t *histo, int nlevels, int64_t *pre, double mean0,
                        float qzero, float qscale, double *back, double *sigma)
{
    int64_t *c0 = pre, *c1 = pre + nlevels + 1, *c2 = pre + 2 * (nlevels + 1);
    c0[0] = c1[0] = c2[0] = 0;
    for (int i = 0; i < nlevels; i++) {
        int64_t h = histo[i];
        c0[i + 1] = c0[i] + h;
        c1[i + 1] = c1[i] + h * i;
        c2[i + 1] = c2[i] + h * i * i;
    }
    const int nlevelsm1 = nlevels - 1;
    int lcut = 0, hcut = nlevelsm1;
    double sig = 10.0 * nlevelsm1, sig1 = 1.0, mea = mean0, med = mean0;
    for (int n = 100; n-- && sig >= 0.1 && fabs(sig / sig1 - 1.0) > 1e-4;) {
        sig1 = sig;
        /* The walk: lowsum L_k = c0[lcut+k] - c0[lcut] covers [lcut, lcut+k),
         * highsum H_j = c0[hcut+1] - c0[hcut+1-j] covers (hcut-j, hcut]. */
        long N = hcut >= lcut ? hcut - lcut + 1 : 0, klo = 0, khi = N;
        while (klo < khi) { /* largest k in [0, N] with L_{k-1} < H_{N-k} */
            long k = khi - (khi - klo) / 2;
            int64_t Lk1 = c0[lcut + k - 1] - c0[lcut];
            int64_t Hj = c0[hcut + 1] - c0[hcut + 1 - (N - k)];
            if (Lk1 < Hj)
                klo = k;
            else
                khi = k - 1;
        }
        long lo = lcut + klo, hi = hcut - (N - klo);
        int64_t L = c0[lo] - c0[lcut], H = c0[hcut + 1] - c0[hi + 1];
        if (hi >= 0) {
            double den = 2.0 * (histo[lo] > histo[hi] ? histo[lo] : histo[hi]);
            /* SExtractor divides by 0 when both meeting bins are empty; we
             * take the half-bin position instead of a NaN. */
            med = hi + 0.5 + (den > 0 ? ((double)H - (double)L) / den : 0.0);
        } else {
            med = 0.0;
        }
        double sum = 0;
        mea = sig = 0.0;
        if (hcut >= lcut) {
            sum = (double)(c0[hcut + 1] - c0[lcut]);
            mea = (double)(c1[hcut + 1] - c1[lcut]);
            sig = (double)(c2[hcut + 1] - c2[lcut]);
        }
        if (sum > 0) {
            mea /= sum;
            sig = sig / sum - mea * mea;
        }
        sig = sig > 0.0 ? sqrt(sig) : 0.0;
        double t = med - 3.0 * sig;
        lcut = t > 0.0 ? (int)(t + 0.5) : 0;
        t = med + 3.0 * sig;
        hcut = t < nlevelsm1 ? (int)(t > 0.0 ? t + 0.5 : t - 0.5) : nlevelsm1;
    }
    /* The mode rule of the code: SExtractor's "sigma changed by < 20%"
     * branch compares against < 0.0 and never fires. */
    double mode;
    if (fabs(sig) > 0.0)
        mode = fabs((mea - med) / sig) < 0.3 ? 2.5 * med - 1.5 * mea : med;
    else
        mode = mea;
    *back = (float)(qzero + mode * qscale);
    *sigma = (float)(sig * qscale);
}

/* Sum and sum of squares of v[0..n) in double, four chains at a time
 * (the values are the same as one chain's up to rounding). */
static void sums(const float *v, long n, double *s1, double *s2)
{
    double a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
    long i = 0;
    for (; i + 4 <= n; i += 4) {
        double x0 = v[i], x1 = v[i + 1], x2 = v[i + 2], x3 = v[i + 3];
        a0 += x0;
        a1 += x1;
        a2 += x2;
        a3 += x3;
        b0 += x0 * x0;
        b1 += x1 * x1;
        b2 += x2 * x2;
        b3 += x3 * x3;
    }
    for (; i < n; i++) {
        a0 += v[i];
        b0 += (double)v[i] * v[i];
    }
    *s1 = (a0 + a1) + (a2 + a3);
    *s2 = (b0 + b1) + (b2 + b3);
}

/* backstat() + backhisto() + backguess() for the pixels of one mesh.
 * Returns 1 for a bad mesh. `histo` has QUANTIF_NMAXLEVELS entries and
 * `buf` room for w * h values (the valid ones are gathered there once). */
static int mesh_stats(const mesh_src *s, long x0, long y0, long w, long h, uint32_t *histo,
                      int64_t *pre, float *buf, double *back, double *sigma)
{
    long npix = 0;
    for (long y = y0; y < y0 + h; y++) {
        const float *r = s->img + (size_t)y * s->stride + x0;
        const uint8_t *m = s->mask ? s->mask + (size_t)y * s->stride + x0 : NULL;
        if (m) {
            for (long x = 0; x < w; x++) {
                float v = r[x];
                buf[npix] = v;
                npix += (v > BLANK_VALUE) & (v <= FLT_MAX) & ((m[x] & s->bits) == 0);
            }
        } else {
            for (long x = 0; x < w; x++) {
                float v = r[x];
                buf[npix] = v;
                npix += (v > BLANK_VALUE) & (v <= FLT_MAX);
            }
        }
    }
    if ((float)npix < (float)(w * h * BACK_MINGOODFRAC) || npix == 0)
        return 1;
    double sum, sum2;
    sums(buf, npix, &sum, &sum2);
    double mean = sum / npix, var = sum2 / npix - mean * mean;
    double sd = var > 0.0 ? sqrt(var) : 0.0;
    const float lcut = (float)(mean - 2.0 * sd), hcut = (float)(mean + 2.0 * sd);

    /* Second pass: the values within mean +- 2 sigma. */
    double c0 = 0, c1 = 0, d0 = 0, d1 = 0;
    long n0 = 0, n1 = 0, i = 0;
    for (; i + 2 <= npix; i += 2) {
        float v0 = buf[i], v1 = buf[i + 1];
        int k0 = (v0 <= hcut) & (v0 >= lcut), k1 = (v1 <= hcut) & (v1 >= lcut);
        double t0 = k0 ? v0 : 0.0, t1 = k1 ? v1 : 0.0;
        c0 += t0;
        c1 += t1;
        d0 += t0 * t0;
        d1 += t1 * t1;
        n0 += k0;
        n1 += k1;
    }
    for (; i < npix; i++) {
        float v = buf[i];
        int k = (v <= hcut) & (v >= lcut);
        double t = k ? v : 0.0;
        c0 += t;
        d0 += t * t;
        n0 += k;
    }
    long nclip = n0 + n1;
    if (nclip == 0)
        return 1;
    mean = (c0 + c1) / nclip;
    var = (d0 + d1) / nclip - mean * mean;
    sd = var > 0.0 ? sqrt(var) : 0.0;
    const double step = sqrt(2 / M_PI) * QUANTIF_NSIGMA / QUANTIF_AMIN;
    int nlevels = (int)(step * nclip + 1);
    if (nlevels > QUANTIF_NMAXLEVELS)
        nlevels = QUANTIF_NMAXLEVELS;
    const float qscale = sd > 0.0 ? (float)(2 * QUANTIF_NSIGMA * sd / nlevels) : 1.0f;
    const float qzero = (float)(mean - QUANTIF_NSIGMA * sd);
    const float cste = 0.499999f - qzero / qscale;

    /* Every valid pixel, not only the clipped ones, enters the histogram.
     * (int) truncates toward zero, so values just below bin 0 land in it,
     * as in SExtractor. */
    memset(histo, 0, (size_t)nlevels * sizeof *histo);
    const float top = (float)nlevels;
    for (i = 0; i < npix; i++) {
        float f = buf[i] / qscale + cste;
        if (f > -1.0f && f < top)
            histo[(int)f]++;
    }
    histo_guess(histo, nlevels, pre, mean, qzero, qscale, back, sigma);
    return 0;
}

int ph_bkg_mesh_estimate(const float *v, long n, double *back, double *sigma)
{
    uint32_t *histo = ph_malloc(QUANTIF_NMAXLEVELS * sizeof *histo, "background histogram");
    if (!histo)
        return PH_EFAIL;
    float *buf = ph_malloc((size_t)(n ? n : 1) * sizeof *buf, "background mesh");
    int64_t *pre = ph_malloc(3 * (QUANTIF_NMAXLEVELS + 1) * sizeof *pre, "background histogram");
    mesh_src s = {v, NULL, 0, n};
    int bad = buf && pre ? mesh_stats(&s, 0, 0, n, 1, histo, pre, buf, back, sigma) : 1;
    free(pre);
    free(buf);
    free(histo);
    if (bad)
        *back = *sigma = NAN;
    return bad;
}

/* ---- the mesh maps ---------------------------------------------------------- */

static void sort_small(float *a, int n)
{
    for (int i = 1; i < n; i++) {
        float t = a[i];
        int j = i - 1;
        while (j >= 0 && a[j] > t) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = t;
    }
}

/* SExtractor's fqmedian: sorts, mean of the two middle values when even. */
static float median_f(float *a, int n)
{
    sort_small(a, n);
    if (n < 2)
        return a[0];
    return n & 1 ? a[n / 2] : (float)((a[n / 2 - 1] + a[n / 2]) / 2.0);
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

static float median_f_big(float *a, int n)
{
    qsort(a, n, sizeof *a, cmp_float);
    if (n < 2)
        return a[0];
    return n & 1 ? a[n / 2] : (float)((a[n / 2 - 1] + a[n / 2]) / 2.0);
}

/* Half-width of a median window around mesh p of n: at most want, and
 * no wider than the room on either side, so that it stays centred. */
static int half_window(int want, int p, int n)
{
    int r = want;
    if (r > n - 1 - p)
        r = n - 1 - p;
    if (r > p)
        r = p;
    return r;
}

/* filterback(): fill bad meshes (NaN here) with the mean of the nearest
 * good ones, median-filter both maps, and take the global values. */
static int filter_meshes(ph_bkg *b, int fw, int fh)
{
    const int nx = b->nmx, ny = b->nmy, np = nx * ny;
    float *back2 = ph_malloc((size_t)np * sizeof(float), "background meshes");
    float *sigma2 = ph_malloc((size_t)np * sizeof(float), "background meshes");
    if (!back2 || !sigma2) {
        free(back2);
        free(sigma2);
        return PH_EFAIL;
    }
    float *back = b->back, *sigma = b->sigma;
    b->nbad = 0;
    for (int py = 0, i = 0; py < ny; py++)
        for (int px = 0; px < nx; px++, i++) {
            back2[i] = back[i];
            if (!isnan(back[i]))
                continue;
            b->nbad++;
            float d2min = 1e30f, val = 0, sval = 0;
            int nmin = 0;
            for (int y = 0, j = 0; y < ny; y++)
                for (int x = 0; x < nx; x++, j++) {
                    if (isnan(back[j]))
                        continue;
                    float d2 = (float)(x - px) * (x - px) + (float)(y - py) * (y - py);
                    if (d2 < d2min) {
                        val = back[j];
                        sval = sigma[j];
                        nmin = 1;
                        d2min = d2;
                    } else if (d2 == d2min) {
                        val += back[j];
                        sval += sigma[j];
                        nmin++;
                    }
                }
            /* No good mesh at all: SExtractor's fallback 0 +- 1. */
            back2[i] = nmin ? val / nmin : 0.0f;
            sigma[i] = nmin ? sval / nmin : 1.0f;
        }
    memcpy(back, back2, (size_t)np * sizeof(float));

    /* The window shrinks symmetrically near the edges so that it stays
     * centred on the mesh (corner meshes are left as they are). */
    const int npx = fw / 2, npy = fh / 2;
    float bwin[64 * 64], swin[64 * 64];
    for (int py = 0; py < ny; py++) {
        int ry = half_window(npy, py, ny);
        for (int px = 0; px < nx; px++) {
            int rx = half_window(npx, px, nx);
            int k = 0;
            for (int y = py - ry; y <= py + ry; y++)
                for (int x = px - rx; x <= px + rx; x++) {
                    bwin[k] = back[y * nx + x];
                    swin[k++] = sigma[y * nx + x];
                }
            /* BACK_FILTTHRESH is 0: the median always replaces. */
            back2[py * nx + px] = k > 64 ? median_f_big(bwin, k) : median_f(bwin, k);
            sigma2[py * nx + px] = k > 64 ? median_f_big(swin, k) : median_f(swin, k);
        }
    }
    memcpy(back, back2, (size_t)np * sizeof(float));
    memcpy(sigma, sigma2, (size_t)np * sizeof(float));
    b->global = median_f_big(back2, np);
    qsort(sigma2, np, sizeof *sigma2, cmp_float);
    b->globalrms = np & 1 ? sigma2[np / 2] : (sigma2[np / 2 - 1] + sigma2[np / 2]) / 2.0;
    if (!(b->globalrms > 0.0)) {
        int first = 0;
        while (first < np && !(sigma2[first] > 0.0f))
            first++;
        b->globalrms = first < np ? median_f_big(sigma2 + first, np - first) : 1.0;
    }
    free(back2);
    free(sigma2);
    return PH_OK;
}

/* SExtractor's makebackspline()/in-line x spline: second derivatives (/6)
 * of n values y[0], y[stride], ... with natural end conditions. The
 * back-substitution is SExtractor's exactly: it divides by 6 at each step
 * the value that already holds the next one divided by 6, so this is not
 * quite the textbook natural spline; we keep it because the maps must
 * agree with SExtractor's and SEP's. */
static void sx_spline(const float *y, int n, int stride, float *d, float *u)
{
    if (n < 2) {
        d[0] = 0.0f;
        return;
    }
    d[0] = u[0] = 0.0f;
    for (int j = 1; j < n - 1; j++) {
        float temp = -1 / (d[(j - 1) * stride] + 4);
        d[j * stride] = temp;
        temp *= u[j - 1] - 6 * (y[(j + 1) * stride] + y[(j - 1) * stride] - 2 * y[j * stride]);
        u[j] = temp;
    }
    d[(n - 1) * stride] = 0.0f;
    for (int j = n - 2; j >= 1; j--)
        d[j * stride] = (float)((d[j * stride] * d[(j + 1) * stride] + u[j]) / 6.0);
}

int ph_bkg_make(const float *img, const uint8_t *mask, uint8_t maskbits, long nx, long ny,
                int bw, int bh, int fw, int fh, ph_bkg **out)
{
    *out = NULL;
    if (bw < 1 || bh < 1)
        return ph_error(PH_EUSAGE, NULL, "the background mesh must be at least 1 pixel");
    if (fw < 1 || fh < 1 || fw > 63 || fh > 63)
        return ph_error(PH_EUSAGE, NULL, "the background filter must be 1 to 63 meshes");
    if (nx < bw || ny < bh)
        return ph_error(PH_EFAIL, NULL,
                        "the image (%ldx%ld) is smaller than one background mesh (%dx%d); "
                        "use a smaller --back-size",
                        nx, ny, bw, bh);
    ph_bkg *b = ph_calloc(1, sizeof *b, "background");
    if (!b)
        return PH_EFAIL;
    b->nx = nx;
    b->ny = ny;
    b->bw = bw;
    b->bh = bh;
    b->nmx = (int)((nx - 1) / bw + 1);
    b->nmy = (int)((ny - 1) / bh + 1);
    const size_t np = (size_t)b->nmx * b->nmy;
    b->back = ph_malloc(np * sizeof(float), "background meshes");
    b->sigma = ph_malloc(np * sizeof(float), "background meshes");
    b->dback = ph_malloc(np * sizeof(float), "background meshes");
    b->dsigma = ph_malloc(np * sizeof(float), "background meshes");
    b->xk = ph_malloc((size_t)nx * sizeof(int32_t), "background interpolation");
    b->xw = ph_malloc((size_t)nx * 4 * sizeof(float), "background interpolation");
    b->node = ph_malloc((size_t)b->nmx * sizeof(float), "background interpolation");
    b->dnode = ph_malloc((size_t)b->nmx * sizeof(float), "background interpolation");
    b->work = ph_malloc((size_t)(b->nmx > b->nmy ? b->nmx : b->nmy) * sizeof(float),
                        "background interpolation");
    uint32_t *histo = ph_malloc(QUANTIF_NMAXLEVELS * sizeof *histo, "background histogram");
    float *buf = ph_malloc((size_t)bw * bh * sizeof *buf, "background mesh");
    int64_t *pre = ph_malloc(3 * (QUANTIF_NMAXLEVELS + 1) * sizeof *pre, "background histogram");
    if (!b->back || !b->sigma || !b->dback || !b->dsigma || !b->xk || !b->xw || !b->node ||
        !b->dnode || !b->work || !histo || !buf || !pre) {
        free(histo);
        free(buf);
        free(pre);
        ph_bkg_free(b);
        return PH_EFAIL;
    }

    mesh_src s = {img, mask, maskbits, nx};
    for (int j = 0; j < b->nmy; j++) {
        long y0 = (long)j * bh, h = y0 + bh <= ny ? bh : ny - y0;
        for (int i = 0; i < b->nmx; i++) {
            long x0 = (long)i * bw, w = x0 + bw <= nx ? bw : nx - x0;
            double back, sigma;
            size_t k = (size_t)j * b->nmx + i;
            if (mesh_stats(&s, x0, y0, w, h, histo, pre, buf, &back, &sigma)) {
                b->back[k] = b->sigma[k] = NAN;
            } else {
                b->back[k] = (float)back;
                b->sigma[k] = (float)sigma;
            }
        }
    }
    free(histo);
    free(buf);
    free(pre);
    if (filter_meshes(b, b->nmx > 1 ? fw : 1, b->nmy > 1 ? fh : 1)) {
        ph_bkg_free(b);
        return PH_EFAIL;
    }
    for (int i = 0; i < b->nmx; i++) {
        sx_spline(b->back + i, b->nmy, b->nmx, b->dback + i, b->work);
        sx_spline(b->sigma + i, b->nmy, b->nmx, b->dsigma + i, b->work);
    }

    /* x interpolation: pixel x0 lies in the segment between nodes k and k+1
     * at s = (x0 - (bw-1)/2)/bw - k (s < 0 or > 1 at the ends: the end
     * cubic is extrapolated, as SExtractor does). */
    for (long x = 0; x < nx; x++) {
        double pos = (x - (bw - 1) / 2.0) / bw;
        long k = (long)floor(pos);
        if (k > b->nmx - 2)
            k = b->nmx - 2;
        if (k < 0)
            k = 0;
        float dx = (float)(pos - k), cdx = 1 - dx;
        b->xk[x] = (int32_t)k;
        b->xw[4 * x + 0] = cdx;
        b->xw[4 * x + 1] = dx;
        b->xw[4 * x + 2] = cdx * (cdx * cdx - 1);
        b->xw[4 * x + 3] = dx * (dx * dx - 1);
    }
    *out = b;
    return PH_OK;
}

void ph_bkg_free(ph_bkg *b)
{
    if (!b)
        return;
    free(b->back);
    free(b->sigma);
    free(b->dback);
    free(b->dsigma);
    free(b->xk);
    free(b->xw);
    free(b->node);
    free(b->dnode);
    free(b->work);
    free(b);
}

void ph_bkg_row(ph_bkg *b, int which, long y, float *row)
{
    const float *map = which == PH_BKG_RMS ? b->sigma : b->back;
    const float *dmap = which == PH_BKG_RMS ? b->dsigma : b->dback;
    const int nbx = b->nmx, nby = b->nmy;
    const float *node, *dnode;
    if (nby > 1) {
        /* Spline along y through each column of nodes, then the x spline of
         * that row of node values. */
        double pos = (double)y / b->bh - 0.5;
        long k = (long)floor(pos);
        if (k > nby - 2)
            k = nby - 2;
        if (k < 0)
            k = 0;
        float dy = (float)(pos - k), cdy = 1 - dy;
        float dy3 = dy * dy * dy - dy, cdy3 = cdy * cdy * cdy - cdy;
        const float *blo = map + k * nbx, *bhi = blo + nbx;
        const float *dblo = dmap + k * nbx, *dbhi = dblo + nbx;
        for (int i = 0; i < nbx; i++)
            b->node[i] = cdy * blo[i] + dy * bhi[i] + cdy3 * dblo[i] + dy3 * dbhi[i];
        sx_spline(b->node, nbx, 1, b->dnode, b->work);
        node = b->node;
        dnode = b->dnode;
    } else {
        node = map;
        dnode = dmap;
    }
    if (nbx < 2) {
        for (long x = 0; x < b->nx; x++)
            row[x] = node[0];
        return;
    }
    const int32_t *xk = b->xk;
    const float *w = b->xw;
    for (long x = 0; x < b->nx; x++, w += 4) {
        int k = xk[x];
        row[x] = w[0] * node[k] + w[1] * node[k + 1] + w[2] * dnode[k] + w[3] * dnode[k + 1];
    }
}

/* ---- exact quantiles of a streamed map ---------------------------------- */

/* The map is evaluated row by row, twice in the common case: a histogram
 * of 64 k bins (range from the mesh values, values beyond it fall in the
 * end bins) locates each wanted order statistic in one bin, and a second
 * pass gathers the values of those bins to sort them. A bin holding more
 * than QCAP values (a nearly constant map) is narrowed by further
 * histograms of its own values first. */
#define QBINS 65536
#define QCAP (1L << 21)
#define QMAXLEVEL 12

typedef struct qlevel {
    double lo, scale; /* bin = (v - lo) * scale, clamped to [0, QBINS-1] */
    int bin;
} qlevel;

static inline int qbin(double lo, double scale, float v)
{
    double f = (v - lo) * scale;
    return f <= 0 ? 0 : f >= QBINS - 1 ? QBINS - 1 : (int)f;
}

static int cmp_f(const void *a, const void *b)
{
    return cmp_float(a, b);
}

typedef struct qrank {
    long long r;          /* wanted rank (0-based) */
    double value;
    int done;
    qlevel lv[QMAXLEVEL]; /* the chain of bins holding it */
    int nl;
    long long below;      /* values before the innermost bin */
    double lo, hi;        /* range of the innermost bin's values */
    long long count;      /* values in the innermost bin */
} qrank;

static int in_chain(const qrank *q, float v)
{
    for (int i = 0; i < q->nl; i++)
        if (qbin(q->lv[i].lo, q->lv[i].scale, v) != q->lv[i].bin)
            return 0;
    return 1;
}

/* One histogram of the values of the chain of `q` (all values when
 * q->nl == 0) over [q->lo, q->hi]: adds one level to every rank sharing
 * that chain (ranks[0..nr) all have the same chain on entry). */
static int refine(ph_bkg *b, int which, qrank **ranks, int nr, float *row)
{
    qrank *q = ranks[0];
    uint32_t *hist = ph_calloc(QBINS, sizeof *hist, "quantile histogram");
    float *bmin = ph_malloc(QBINS * sizeof *bmin, "quantile histogram");
    float *bmax = ph_malloc(QBINS * sizeof *bmax, "quantile histogram");
    if (!hist || !bmin || !bmax) {
        free(hist);
        free(bmin);
        free(bmax);
        return PH_EFAIL;
    }
    for (int i = 0; i < QBINS; i++) {
        bmin[i] = INFINITY;
        bmax[i] = -INFINITY;
    }
    const double lo = q->lo, scale = QBINS / (q->hi - q->lo);
    for (long y = 0; y < b->ny; y++) {
        ph_bkg_row(b, which, y, row);
        for (long x = 0; x < b->nx; x++) {
            float v = row[x];
            if (q->nl && !in_chain(q, v))
                continue;
            int i = qbin(lo, scale, v);
            hist[i]++;
            bmin[i] = v < bmin[i] ? v : bmin[i];
            bmax[i] = v > bmax[i] ? v : bmax[i];
        }
    }
    for (int k = 0; k < nr; k++) {
        qrank *t = ranks[k];
        long long acc = t->below;
        int i = 0;
        while (i < QBINS - 1 && acc + hist[i] <= t->r)
            acc += hist[i++];
        t->lv[t->nl].lo = lo;
        t->lv[t->nl].scale = scale;
        t->lv[t->nl].bin = i;
        t->nl++;
        t->below = acc;
        t->count = hist[i];
        t->lo = bmin[i];
        t->hi = bmax[i];
        if (t->lo >= t->hi || t->nl == QMAXLEVEL) { /* one value (or give up narrowing) */
            t->value = t->lo;
            t->done = t->lo >= t->hi;
        }
    }
    free(hist);
    free(bmin);
    free(bmax);
    return PH_OK;
}

static int same_chain(const qrank *a, const qrank *b)
{
    if (a->nl != b->nl)
        return 0;
    for (int i = 0; i < a->nl; i++)
        if (a->lv[i].bin != b->lv[i].bin || a->lv[i].lo != b->lv[i].lo)
            return 0;
    return 1;
}

int ph_bkg_quantiles(ph_bkg *b, int which, const double *q, int nq, double *out)
{
    const long long n = (long long)b->nx * b->ny;
    const int nr = 2 * nq;
    float *row = ph_malloc((size_t)b->nx * sizeof *row, "background row");
    qrank *rk = ph_calloc((size_t)nr + 1, sizeof *rk, "quantiles");
    qrank **grp = ph_malloc(((size_t)nr + 1) * sizeof *grp, "quantiles");
    float **vals = ph_calloc((size_t)nr + 1, sizeof *vals, "quantiles");
    long long *nv = ph_calloc((size_t)nr + 1, sizeof *nv, "quantiles");
    double *frac = ph_malloc((size_t)(nq ? nq : 1) * sizeof *frac, "quantiles");
    int st = row && rk && grp && vals && nv && frac ? PH_OK : PH_EFAIL;
    if (st)
        goto done;
    /* The start range: the mesh values with a margin (the spline may
     * overshoot them a little; what lies beyond ends in the end bins). */
    const float *map = which == PH_BKG_RMS ? b->sigma : b->back;
    double mn = INFINITY, mxv = -INFINITY;
    for (int i = 0; i < b->nmx * b->nmy; i++) {
        mn = map[i] < mn ? map[i] : mn;
        mxv = map[i] > mxv ? map[i] : mxv;
    }
    double span = mxv - mn, pad = 0.5 * span + 1e-6 * fabs(mn) + 1e-30;
    for (int i = 0; i < nq; i++) {
        /* numpy: position (n-1) q/100, linear between the neighbours. */
        double pos = (n - 1) * (q[i] / 100.0);
        long long r0 = (long long)floor(pos);
        r0 = r0 < 0 ? 0 : r0 > n - 1 ? n - 1 : r0;
        frac[i] = pos - r0;
        rk[2 * i].r = r0;
        rk[2 * i + 1].r = r0 + 1 < n ? r0 + 1 : r0;
    }
    for (int k = 0; k < nr; k++) {
        rk[k].lo = mn - pad;
        rk[k].hi = mxv + pad;
    }
    /* Narrow until every rank's bin is small enough to gather. */
    for (int iter = 0; iter < 64 && !st; iter++) {
        int k0 = -1;
        for (int k = 0; k < nr && k0 < 0; k++)
            if (!rk[k].done && (rk[k].nl == 0 || rk[k].count > QCAP) && rk[k].nl < QMAXLEVEL)
                k0 = k;
        if (k0 < 0)
            break;
        int ng = 0;
        for (int k = k0; k < nr; k++)
            if (!rk[k].done && same_chain(&rk[k], &rk[k0]) &&
                (rk[k].nl == 0 || rk[k].count > QCAP))
                grp[ng++] = &rk[k];
        st = refine(b, which, grp, ng, row);
    }
    /* Gather: the values of each rank's bin (ranks sharing a bin share it). */
    for (int k = 0; k < nr && !st; k++) {
        if (rk[k].done)
            continue;
        int shared = 0;
        for (int j = 0; j < k && !shared; j++)
            shared = !rk[j].done && vals[j] && same_chain(&rk[j], &rk[k]);
        if (!shared && !(vals[k] = ph_malloc((size_t)(rk[k].count ? rk[k].count : 1) *
                                                 sizeof(float),
                                             "quantile values")))
            st = PH_EFAIL;
    }
    if (!st) {
        int need = 0;
        for (int k = 0; k < nr; k++)
            need |= vals[k] != NULL;
        /* Every rank's chain starts with the same first histogram: bin
         * each value once, then test the few ranks gathering that bin. */
        int first = -1;
        for (int k = 0; k < nr && first < 0; k++)
            if (vals[k])
                first = k;
        const double lo0 = first >= 0 ? rk[first].lv[0].lo : 0;
        const double sc0 = first >= 0 ? rk[first].lv[0].scale : 0;
        for (long y = 0; y < b->ny && need; y++) {
            ph_bkg_row(b, which, y, row);
            for (long x = 0; x < b->nx; x++) {
                float v = row[x];
                int b0 = qbin(lo0, sc0, v);
                for (int k = 0; k < nr; k++)
                    if (vals[k] && rk[k].lv[0].bin == b0 && nv[k] < rk[k].count &&
                        (rk[k].nl == 1 || in_chain(&rk[k], v)))
                        vals[k][nv[k]++] = v;
            }
        }
        for (int k = 0; k < nr; k++) {
            if (!vals[k])
                continue;
            qsort(vals[k], (size_t)nv[k], sizeof(float), cmp_f);
            for (int j = k; j < nr; j++)
                if (!rk[j].done && (j == k || (!vals[j] && same_chain(&rk[j], &rk[k])))) {
                    long long i = rk[j].r - rk[j].below;
                    i = i < 0 ? 0 : i >= nv[k] ? nv[k] - 1 : i;
                    rk[j].value = nv[k] ? vals[k][i] : rk[j].lo;
                    rk[j].done = 1;
                }
        }
    }
    for (int k = 0; k < nr && !st; k++)
        if (!rk[k].done)
            st = ph_error(PH_EFAIL, NULL, "quantile search did not converge");
    for (int i = 0; i < nq && !st; i++) {
        double v0 = rk[2 * i].value, v1 = rk[2 * i + 1].value;
        out[i] = v0 + (v1 - v0) * frac[i];
    }
done:
    if (vals)
        for (int k = 0; k < nr; k++)
            free(vals[k]);
    free(vals);
    free(nv);
    free(grp);
    free(rk);
    free(frac);
    free(row);
    return st;
}
