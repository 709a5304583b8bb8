/* stars.c -- see stars.h. */
#include "stars.h"

#include "base/log.h"
#include "base/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The centre (2r+1)^2 of an odd n x n stamp (zeros where it is smaller). */
static void crop(const double *k, long n, int r, double *out)
{
    long m = 2 * r + 1, c = (n - 1) / 2;
    for (long j = 0; j < m; j++)
        for (long i = 0; i < m; i++) {
            long y = c + j - r, x = c + i - r;
            out[j * m + i] = x >= 0 && y >= 0 && x < n && y < n ? k[y * n + x] : 0;
        }
}

/* acc[(2m-1)^2] += s * full convolution of a and b (both m x m) */
static void conv_add(const double *a, const double *b, long m, double s, double *acc)
{
    long w = 2 * m - 1;
    for (long j = 0; j < m; j++)
        for (long i = 0; i < m; i++) {
            double v = s * a[j * m + i];
            if (v == 0)
                continue;
            double *row = acc + j * w + i;
            for (long q = 0; q < m; q++)
                for (long p = 0; p < m; p++)
                    row[q * w + p] += v * b[q * m + p];
        }
}

long sub_stars_correct(double *cref, long nx, long ny, const ph_startab *s, const ph_ovpsf *sci,
                       const ph_ovpsf *ref, const double *ksci, long nsci, const double *kref,
                       long nref, int r)
{
    long m = 2 * r + 1, w = 2 * m - 1, done = 0;
    double *buf = ph_malloc((size_t)(4 * m * m + w * w) * sizeof *buf, "star correction");
    if (!buf)
        return -1;
    double *kr = buf, *ks = kr + m * m, *rs = ks + m * m, *rr = rs + m * m, *acc = rr + m * m;
    crop(ksci, nsci, r, ks);
    crop(kref, nref, r, kr);
    for (long i = 0; i < s->n; i++) {
        if (s->drawn[i] != 1)
            continue;
        done++;
        long ix = (long)floor(s->x[i] + 0.5), iy = (long)floor(s->y[i] + 0.5);
        double dx = s->x[i] - ix, dy = s->y[i] - iy;
        ph_ovpsf_stamp(sci, NULL, dx, dy, m, rs);
        ph_ovpsf_stamp(ref, NULL, dx, dy, m, rr);
        memset(acc, 0, (size_t)w * w * sizeof *acc);
        conv_add(kr, rs, m, s->flux[i], acc);
        conv_add(ks, rr, m, -s->flux[i], acc);
        /* acc[(0,0)] is image pixel (ix - 2r, iy - 2r) */
        for (long j = 0; j < w; j++) {
            long y = iy - 2 * r + j;
            if (y < 0 || y >= ny)
                continue;
            for (long q = 0; q < w; q++) {
                long x = ix - 2 * r + q;
                if (x >= 0 && x < nx)
                    cref[y * nx + x] += acc[j * w + q];
            }
        }
    }
    free(buf);
    return done;
}
