/* background.c -- see background.h. The arithmetic follows SExtractor's
 * back.c (and SEP's background.c, the same code): pipeline-reference.md
 * §2.2, read against astromatic/sextractor 2.25 and kbarbary/sep 1.2.
 * Floats are used where SExtractor uses them so that the maps agree to
 * rounding. */
#include "background.h"
#include "log.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define BACK_MINGOODFRAC 0.5 /* a mesh needs half its pixels valid */
#define QUANTIF_NSIGMA 5     /* histogram spans mean +- 5 sigma */
#define QUANTIF_NMAXLEVELS 4096
#define QUANTIF_AMIN 4       /* histogram bins: ~ npix sqrt(2/pi) 5 / 4 */
#define BLANK_VALUE (-1e30f) /* SExtractor's -BIG: such pixels are not data */

static inline int valid_pixel(float v, const uint8_t *mask, size_t i, uint8_t bits)
{
    return isfinite(v) && v > BLANK_VALUE && !(mask && (mask[i] & bits));
}

/* ---- one mesh ----------------------------------------------------------- */

typedef struct mesh_src {
    const float *img;
    const uint8_t *mask;
    uint8_t bits;
    long stride;
} mesh_src;

/* SExtractor's backguess(): iterative 3-sigma clipping of the histogram
 * around its median, then the mode estimate. Units of the loop are bins. */
static void histo_guess(const uint32_t *histo, int nlevels, double mean0, float qzero,
                        float qscale, double *back, double *sigma)
{
    const int nlevelsm1 = nlevels - 1;
    int lcut = 0, hcut = nlevelsm1;
    double sig = 10.0 * nlevelsm1, sig1 = 1.0, mea = mean0, med = mean0;
    for (int n = 100; n-- && sig >= 0.1 && fabs(sig / sig1 - 1.0) > 1e-4;) {
        sig1 = sig;
        double sum = 0.0;
        unsigned long lowsum = 0, highsum = 0;
        int lo = lcut, hi = hcut; /* two pointers walking inward */
        mea = sig = 0.0;
        for (int i = lcut; i <= hcut; i++) {
            if (lowsum < highsum)
                lowsum += histo[lo++];
            else
                highsum += histo[hi--];
            double pix = histo[i], dpix = pix * i;
            sum += pix;
            mea += dpix;
            sig += dpix * i;
        }
        if (hi >= 0) {
            double den = 2.0 * (histo[lo] > histo[hi] ? histo[lo] : histo[hi]);
            /* SExtractor divides by 0 when both meeting bins are empty; we
             * take the half-bin position instead of a NaN. */
            med = hi + 0.5 + (den > 0 ? ((double)highsum - (double)lowsum) / den : 0.0);
        } else {
            med = 0.0;
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

/* backstat() + backhisto() + backguess() for the pixels of one mesh.
 * Returns 1 for a bad mesh. `histo` has QUANTIF_NMAXLEVELS entries. */
static int mesh_stats(const mesh_src *s, long x0, long y0, long w, long h, uint32_t *histo,
                      double *back, double *sigma)
{
    double sum = 0, sum2 = 0;
    long npix = 0;
    for (long y = y0; y < y0 + h; y++) {
        size_t r = (size_t)y * s->stride;
        for (long x = x0; x < x0 + w; x++) {
            float v = s->img[r + x];
            if (valid_pixel(v, s->mask, r + x, s->bits)) {
                sum += v;
                sum2 += (double)v * v;
                npix++;
            }
        }
    }
    if ((float)npix < (float)(w * h * BACK_MINGOODFRAC) || npix == 0)
        return 1;
    double mean = sum / npix, var = sum2 / npix - mean * mean;
    double sd = var > 0.0 ? sqrt(var) : 0.0;
    const float lcut = (float)(mean - 2.0 * sd), hcut = (float)(mean + 2.0 * sd);

    sum = sum2 = 0;
    npix = 0;
    for (long y = y0; y < y0 + h; y++) {
        size_t r = (size_t)y * s->stride;
        for (long x = x0; x < x0 + w; x++) {
            float v = s->img[r + x];
            if (v <= hcut && v >= lcut && valid_pixel(v, s->mask, r + x, s->bits)) {
                sum += v;
                sum2 += (double)v * v;
                npix++;
            }
        }
    }
    if (npix == 0)
        return 1;
    mean = sum / npix;
    var = sum2 / npix - mean * mean;
    sd = var > 0.0 ? sqrt(var) : 0.0;
    const double step = sqrt(2 / M_PI) * QUANTIF_NSIGMA / QUANTIF_AMIN;
    int nlevels = (int)(step * npix + 1);
    if (nlevels > QUANTIF_NMAXLEVELS)
        nlevels = QUANTIF_NMAXLEVELS;
    const float qscale = sd > 0.0 ? (float)(2 * QUANTIF_NSIGMA * sd / nlevels) : 1.0f;
    const float qzero = (float)(mean - QUANTIF_NSIGMA * sd);
    const float cste = 0.499999f - qzero / qscale;

    /* Every valid pixel, not only the clipped ones, enters the histogram.
     * (int) truncates toward zero, so values just below bin 0 land in it,
     * as in SExtractor. */
    memset(histo, 0, (size_t)nlevels * sizeof *histo);
    for (long y = y0; y < y0 + h; y++) {
        size_t r = (size_t)y * s->stride;
        for (long x = x0; x < x0 + w; x++) {
            float v = s->img[r + x];
            if (!valid_pixel(v, s->mask, r + x, s->bits))
                continue;
            float f = v / qscale + cste;
            if (f > -1.0f && f < (float)nlevels)
                histo[(int)f]++;
        }
    }
    histo_guess(histo, nlevels, mean, qzero, qscale, back, sigma);
    return 0;
}

int ph_bkg_mesh_estimate(const float *v, long n, double *back, double *sigma)
{
    uint32_t *histo = ph_malloc(QUANTIF_NMAXLEVELS * sizeof *histo, "background histogram");
    if (!histo)
        return PH_EFAIL;
    mesh_src s = {v, NULL, 0, n};
    int bad = mesh_stats(&s, 0, 0, n, 1, histo, back, sigma);
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
        int ry = npy;
        if (ry > ny - 1 - py)
            ry = ny - 1 - py;
        if (ry > py)
            ry = py;
        for (int px = 0; px < nx; px++) {
            int rx = npx;
            if (rx > nx - 1 - px)
                rx = nx - 1 - px;
            if (rx > px)
                rx = px;
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
    if (!b->back || !b->sigma || !b->dback || !b->dsigma || !b->xk || !b->xw || !b->node ||
        !b->dnode || !b->work || !histo) {
        free(histo);
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
            if (mesh_stats(&s, x0, y0, w, h, histo, &back, &sigma)) {
                b->back[k] = b->sigma[k] = NAN;
            } else {
                b->back[k] = (float)back;
                b->sigma[k] = (float)sigma;
            }
        }
    }
    free(histo);
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

/* The map is evaluated row by row several times: a histogram of 64 k bins
 * over [min, max] locates each wanted order statistic in one bin, and a
 * last pass gathers the values of those bins and sorts them. A bin that
 * holds more than QCAP values is narrowed by another histogram first. */
#define QBINS 65536
#define QCAP (1L << 21)

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
    qlevel lv[12];        /* the chain of bins holding it */
    int nl;
    long long below;      /* values before the innermost bin */
    double lo, hi;        /* range of the innermost bin's values */
    long long count;      /* values in the innermost bin */
    float *vals;
} qrank;

static int in_chain(const qrank *q, float v)
{
    for (int i = 0; i < q->nl; i++)
        if (qbin(q->lv[i].lo, q->lv[i].scale, v) != q->lv[i].bin)
            return 0;
    return 1;
}

/* One histogram pass refining every unfinished rank by one level. */
static int refine_pass(ph_bkg *b, int which, qrank *q, int nr, float *row)
{
    uint32_t *hist = ph_calloc((size_t)nr * QBINS, sizeof *hist, "quantile histogram");
    float *bmin = ph_malloc((size_t)nr * QBINS * sizeof *bmin, "quantile histogram");
    float *bmax = ph_malloc((size_t)nr * QBINS * sizeof *bmax, "quantile histogram");
    if (!hist || !bmin || !bmax) {
        free(hist);
        free(bmin);
        free(bmax);
        return PH_EFAIL;
    }
    for (size_t i = 0; i < (size_t)nr * QBINS; i++) {
        bmin[i] = INFINITY;
        bmax[i] = -INFINITY;
    }
    for (int k = 0; k < nr; k++) {
        q[k].lv[q[k].nl].lo = q[k].lo;
        q[k].lv[q[k].nl].scale = QBINS / (q[k].hi - q[k].lo);
    }
    for (long y = 0; y < b->ny; y++) {
        ph_bkg_row(b, which, y, row);
        for (int k = 0; k < nr; k++) {
            if (q[k].done)
                continue;
            uint32_t *h = hist + (size_t)k * QBINS;
            float *mn = bmin + (size_t)k * QBINS, *mx = bmax + (size_t)k * QBINS;
            const qlevel *l = &q[k].lv[q[k].nl];
            for (long x = 0; x < b->nx; x++) {
                float v = row[x];
                if (q[k].nl && !in_chain(&q[k], v))
                    continue;
                int i = qbin(l->lo, l->scale, v);
                h[i]++;
                if (v < mn[i])
                    mn[i] = v;
                if (v > mx[i])
                    mx[i] = v;
            }
        }
    }
    for (int k = 0; k < nr; k++) {
        if (q[k].done)
            continue;
        const uint32_t *h = hist + (size_t)k * QBINS;
        long long acc = q[k].below;
        int i = 0;
        while (i < QBINS - 1 && acc + h[i] <= q[k].r)
            acc += h[i++];
        q[k].lv[q[k].nl].bin = i;
        q[k].nl++;
        q[k].below = acc;
        q[k].count = h[i];
        q[k].lo = bmin[(size_t)k * QBINS + i];
        q[k].hi = bmax[(size_t)k * QBINS + i];
        if (q[k].lo >= q[k].hi) { /* all values of the bin are equal */
            q[k].value = q[k].lo;
            q[k].done = 1;
        }
    }
    free(hist);
    free(bmin);
    free(bmax);
    return PH_OK;
}

int ph_bkg_quantiles(ph_bkg *b, int which, const double *q, int nq, double *out)
{
    float *row = ph_malloc((size_t)b->nx * sizeof *row, "background row");
    qrank *rk = ph_calloc((size_t)(2 * nq + 1), sizeof *rk, "quantiles");
    if (!row || !rk) {
        free(row);
        free(rk);
        return PH_EFAIL;
    }
    float vmin = INFINITY, vmax = -INFINITY;
    for (long y = 0; y < b->ny; y++) {
        ph_bkg_row(b, which, y, row);
        for (long x = 0; x < b->nx; x++) {
            if (row[x] < vmin)
                vmin = row[x];
            if (row[x] > vmax)
                vmax = row[x];
        }
    }
    const long long n = (long long)b->nx * b->ny;
    int nr = 0;
    double *frac = ph_malloc((size_t)nq * sizeof *frac, "quantiles");
    int *r0i = ph_malloc((size_t)nq * sizeof *r0i, "quantiles");
    int st = frac && r0i ? PH_OK : PH_EFAIL;
    for (int i = 0; i < nq && !st; i++) {
        /* numpy: position (n-1) q/100, linear between the neighbours. */
        double pos = (n - 1) * (q[i] / 100.0);
        long long r0 = (long long)floor(pos);
        r0 = r0 < 0 ? 0 : r0 > n - 1 ? n - 1 : r0;
        frac[i] = pos - r0;
        r0i[i] = nr;
        rk[nr++].r = r0;
        rk[nr++].r = r0 + 1 < n ? r0 + 1 : r0;
    }
    for (int k = 0; k < nr; k++) {
        rk[k].lo = vmin;
        rk[k].hi = vmax;
        if (vmin >= vmax) {
            rk[k].value = vmin;
            rk[k].done = 1;
        }
    }
    for (int pass = 0; pass < 12 && !st; pass++) {
        int todo = 0, big = 0;
        for (int k = 0; k < nr; k++)
            if (!rk[k].done) {
                todo = 1;
                big |= rk[k].nl == 0 || rk[k].count > QCAP;
            }
        if (!todo)
            break;
        if (big) {
            st = refine_pass(b, which, rk, nr, row);
            continue;
        }
        /* Gather the values of every innermost bin and sort them. */
        for (int k = 0; k < nr && !st; k++)
            if (!rk[k].done && !(rk[k].vals = ph_malloc((size_t)rk[k].count * sizeof(float),
                                                           "quantile values")))
                st = PH_EFAIL;
        if (st)
            break;
        long long *nv = ph_calloc((size_t)nr, sizeof *nv, "quantiles");
        if (!nv) {
            st = PH_EFAIL;
            break;
        }
        for (long y = 0; y < b->ny; y++) {
            ph_bkg_row(b, which, y, row);
            for (int k = 0; k < nr; k++) {
                if (rk[k].done)
                    continue;
                for (long x = 0; x < b->nx; x++)
                    if (in_chain(&rk[k], row[x]) && nv[k] < rk[k].count)
                        rk[k].vals[nv[k]++] = row[x];
            }
        }
        for (int k = 0; k < nr; k++) {
            if (rk[k].done)
                continue;
            qsort(rk[k].vals, (size_t)nv[k], sizeof(float), cmp_f);
            long long i = rk[k].r - rk[k].below;
            rk[k].value = rk[k].vals[i < nv[k] ? i : nv[k] - 1];
            rk[k].done = 1;
        }
        free(nv);
    }
    for (int k = 0; k < nr && !st; k++)
        if (!rk[k].done)
            st = ph_error(PH_EFAIL, NULL, "quantile search did not converge");
    for (int i = 0; i < nq && !st; i++) {
        double v0 = rk[r0i[i]].value, v1 = rk[r0i[i] + 1].value;
        out[i] = v0 + (v1 - v0) * frac[i];
    }
    for (int k = 0; k < nr; k++)
        free(rk[k].vals);
    free(rk);
    free(frac);
    free(r0i);
    free(row);
    return st;
}
