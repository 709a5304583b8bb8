/* psffile.c -- PSF model files: pattern, reading, grid interpolation,
 * resampling to native pixels (see psf.h). */
#include "io/fits.h"
#include "base/log.h"
#include "psf.h"
#include "sci/romanpsf.h"
#include "base/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int psf_pattern_expand(const char *pattern, const char *band, long sca, const char *pointing,
                       char *out, size_t size, const char *image)
{
    size_t o = 0;
    for (const char *s = pattern; *s;) {
        char val[128];
        const char *put = NULL;
        size_t step = 1;
        if (*s == '{') {
            const char *e = strchr(s, '}');
            size_t len = e ? (size_t)(e - s - 1) : 0;
            if (e && len == 4 && !strncmp(s + 1, "band", 4)) {
                if (!band || !*band)
                    return ph_error(PH_EUSAGE, image,
                                    "the model pattern needs {band} but the image has no FILTER; "
                                    "give --band");
                put = band;
            } else if (e && len == 3 && !strncmp(s + 1, "sca", 3)) {
                if (sca < 0)
                    return ph_error(PH_EUSAGE, image,
                                    "the model pattern needs {sca} but the image has no SCA_NUM; "
                                    "give --sca");
                snprintf(val, sizeof val, "%ld", sca);
                put = val;
            } else if (e && len == 8 && !strncmp(s + 1, "pointing", 8)) {
                if (!pointing || !*pointing)
                    return ph_error(PH_EUSAGE, image,
                                    "the model pattern needs {pointing} but the image has no "
                                    "observation id; give --pointing");
                put = pointing;
            } else
                return ph_error(PH_EUSAGE, NULL,
                                "model pattern '%s': unknown placeholder at '%.20s' (use {band}, "
                                "{sca}, {pointing})",
                                pattern, s);
            step = (size_t)(e - s) + 1;
        }
        size_t len = put ? strlen(put) : 1;
        if (o + len + 1 > size)
            return ph_error(PH_EUSAGE, NULL, "model pattern '%s' gives too long a path", pattern);
        memcpy(out + o, put ? put : s, len);
        o += len;
        s += step;
    }
    out[o] = '\0';
    return PH_OK;
}

void psf_file_free(psf_file *f)
{
    free(f->gx);
    free(f->gy);
    free(f->planes);
    memset(f, 0, sizeof *f);
}

/* Grid positions GRID<axis>0 ... from the header; strictly increasing. */
static int grid_axis(const ph_header *h, const char *path, char axis, int n, double **out)
{
    double *g = ph_malloc((size_t)n * sizeof *g, "PSF grid");
    if (!g)
        return PH_EFAIL;
    for (int i = 0; i < n; i++) {
        char key[24]; /* GRIDX + up to 11 digits */
        snprintf(key, sizeof key, "GRID%c%d", axis, i);
        if (ph_header_get_double(h, key, &g[i]) || !isfinite(g[i])) {
            free(g);
            return ph_error(PH_EFAIL, path, "PSF grid: %s missing or not a number", key);
        }
        if (i > 0 && !(g[i] > g[i - 1])) {
            free(g);
            return ph_error(PH_EFAIL, path, "PSF grid: %s is not above GRID%c%d", key, axis, i - 1);
        }
    }
    *out = g;
    return PH_OK;
}

/* A running box sum of width 2r + 1 along one axis of an m x m array,
 * divided by div: element j of line i is at i * line + j * step (samples
 * outside the array count as 0). */
static void box_sum_axis(const double *in, double *out, long m, int r, long line, long step,
                         double div)
{
    for (long i = 0; i < m; i++)
        for (long j = 0; j < m; j++) {
            double s = 0;
            for (long k = j - r; k <= j + r; k++)
                if (k >= 0 && k < m)
                    s += in[i * line + k * step];
            out[i * line + j * step] = s / div;
        }
}

/* Integrate optical samples over the native pixel: an o x o box sum,
 * divided by o^2 (separable: along x, then along y). */
static int box_integrate(double *d, long m, int o)
{
    double *t = ph_malloc((size_t)m * m * sizeof *t, "PSF model");
    if (!t)
        return PH_EFAIL;
    box_sum_axis(d, t, m, o / 2, m, 1, 1.0);
    box_sum_axis(t, d, m, o / 2, 1, m, (double)o * o);
    free(t);
    return PH_OK;
}

int psf_file_load(const char *path, psf_file *f)
{
    memset(f, 0, sizeof *f);
    ph_strlcpy(f->path, path, sizeof f->path);
    if (!ph_path_exists(path))
        return ph_error(PH_EFAIL, path, "PSF model file not found");
    ph_fits fp;
    if (ph_fits_open(&fp, path))
        return PH_EFAIL;
    long nx = 0, ny = 0, nz = 0;
    ph_header *h = NULL;
    int st;
    /* The PSF HDU if there is one, else the primary, else HDU 1. */
    if (ph_fits_has_hdu(&fp, "PSF"))
        st = ph_fits_goto(&fp, "PSF");
    else {
        int status = 0, naxis = 0;
        st = ph_fits_goto(&fp, "0");
        if (!st)
            ffgidm(fp.f, &naxis, &status);
        if (!st && naxis == 0 && ph_fits_nhdu(&fp) > 1)
            st = ph_fits_goto(&fp, "1");
    }
    if (!st)
        st = ph_fits_read_cube_double(&fp, &nx, &ny, &nz, &f->planes);
    if (!st)
        st = ph_fits_read_header(&fp, &h);
    ph_fits_close(&fp);
    long ov = 1, ng = 1, ngx = -1, ngy = -1;
    if (!st) {
        if (nx != ny || nx % 2 == 0 || nx < 3)
            st = ph_error(PH_EFAIL, path, "PSF model is %ldx%ld; it must be square and odd", nx,
                          ny);
        else if (ph_header_get_long(h, "OVERSAMP", &ov) < 0 || ov < 1 || ov > 64)
            st = ph_error(PH_EFAIL, path, "OVERSAMP must be an integer 1 ... 64");
        else if (ph_header_get_long(h, "NGRID", &ng) < 0 || ng < 1 || ng != nz)
            st = ph_error(PH_EFAIL, path, "NGRID = %ld but the file holds %ld PSF plane(s)", ng,
                          nz);
    }
    if (!st) {
        int rx = ph_header_get_long(h, "NGRIDX", &ngx), ry = ph_header_get_long(h, "NGRIDY", &ngy);
        if (rx == 1 && ry == 1)
            ngx = ng, ngy = 1;
        else if (rx || ry || ngx < 1 || ngy < 1 || ngx * ngy != ng)
            st = ph_error(PH_EFAIL, path, "NGRIDX x NGRIDY must be given together and equal NGRID "
                                          "= %ld",
                          ng);
    }
    if (!st) {
        f->m = nx, f->oversamp = (int)ov, f->ngx = (int)ngx, f->ngy = (int)ngy;
        char b[16] = "T";
        ph_header_get_str(h, "PIXRESP", b, sizeof b);
        f->pixresp = !(b[0] == 'F' || b[0] == 'f' || b[0] == '0');
        f->fluxfrac = 1.0;
        double ff;
        if (!ph_header_get_double(h, "PSFFRAC", &ff)) {
            if (!(ff > 0 && ff <= 1))
                st = ph_error(PH_EFAIL, path, "PSFFRAC = %g is not a flux fraction in (0, 1]", ff);
            else
                f->fluxfrac = ff;
        }
    }
    if (!st) {
        if (ng == 1) {
            /* A constant PSF: the grid position does not matter. */
            f->gx = ph_calloc(1, sizeof(double), "PSF grid");
            f->gy = ph_calloc(1, sizeof(double), "PSF grid");
            st = f->gx && f->gy ? PH_OK : PH_EFAIL;
        } else {
            st = grid_axis(h, path, 'X', f->ngx, &f->gx);
            if (!st)
                st = grid_axis(h, path, 'Y', f->ngy, &f->gy);
        }
    }
    for (long k = 0; !st && k < nz; k++) {
        const double *d = f->planes + k * nx * nx;
        double s = 0;
        for (long i = 0; i < nx * nx; i++) {
            if (!isfinite(d[i])) {
                st = ph_error(PH_EFAIL, path, "PSF model plane %ld has a non-finite value at "
                                              "(%ld, %ld)",
                              k, i % nx, i / nx);
                break;
            }
            s += d[i];
        }
        if (!st && !(s > 0))
            st = ph_error(PH_EFAIL, path, "PSF model plane %ld sums to %g; it must be positive", k,
                          s);
    }
    if (!st && !f->pixresp) {
        if (ov < 3 || ov % 2 == 0)
            st = ph_error(PH_EFAIL, path, "PIXRESP = F needs an odd OVERSAMP >= 3 to integrate "
                                          "over the pixel");
        for (long k = 0; !st && k < nz; k++)
            st = box_integrate(f->planes + k * nx * nx, nx, (int)ov);
    }
    ph_header_free(h);
    if (st)
        psf_file_free(f);
    return st;
}

/* c = a b for a row-major rows x inner a and an inner x cols b whose
 * element (r, j) is b[r * brs + j * bcs] (bcs = inner, brs = 1: b^T). */
static void mat_mul(const double *a, const double *b, double *c, long rows, long cols,
                    long inner, long brs, long bcs)
{
    for (long i = 0; i < rows; i++)
        for (long j = 0; j < cols; j++) {
            double s = 0;
            for (long r = 0; r < inner; r++)
                s += a[i * inner + r] * b[r * brs + j * bcs];
            c[i * cols + j] = s;
        }
}

/* Band-limited (Fourier) interpolation of the m x m model (m odd) at the
 * sample coordinates xs[0 .. nxs-1] (columns) and ys[] (rows): the
 * periodic sinc (Dirichlet) kernel D(t) = sin(pi t) / (m sin(pi t / m)),
 * exact for samples of a function band-limited below their Nyquist
 * frequency that has decayed at the array's edges. Coordinates outside
 * the array (beyond half a sample) give 0. Separable: out = Wy M Wx^T. */
static double dirichlet(double t, long m)
{
    double s = sin(M_PI * t / m);
    if (fabs(s) < 1e-12)
        return 1; /* t a multiple of m: only t = 0 is in range */
    return sin(M_PI * t) / (m * s);
}

static int fourier_sample(const double *model, long m, const double *xs, long nxs,
                          const double *ys, long nys, double *out)
{
    double *wx = ph_malloc((size_t)(nxs + nys) * m * sizeof *wx, "PSF resampling");
    double *t = ph_malloc((size_t)nys * m * sizeof *t, "PSF resampling");
    if (!wx || !t) {
        free(wx), free(t);
        return PH_EFAIL;
    }
    double *wy = wx + nxs * m;
    for (int axis = 0; axis < 2; axis++) {
        const double *c = axis ? ys : xs;
        double *w = axis ? wy : wx;
        for (long i = 0; i < (axis ? nys : nxs); i++)
            for (long k = 0; k < m; k++) {
                double d = c[i] - k;
                w[i * m + k] = c[i] >= -0.5 && c[i] <= m - 0.5
                                   ? (fabs(d) < 1e-12 ? 1 : dirichlet(d, m))
                                   : 0;
            }
    }
    /* t = Wy M (nys x m), then out = t Wx^T (nys x nxs) */
    mat_mul(wy, model, t, nys, m, m, m, 1);
    mat_mul(t, wx, out, nys, nxs, m, 1, m);
    free(wx), free(t);
    return PH_OK;
}

/* Bracketing index i and weight t of position p on grid g[0..n-1]
 * (clamped outside). */
static void bracket(const double *g, int n, double p, int *i, double *t)
{
    if (n == 1 || p <= g[0]) {
        *i = 0, *t = 0;
        return;
    }
    if (p >= g[n - 1]) {
        *i = n - 2, *t = 1;
        return;
    }
    int k = 0;
    while (k < n - 2 && p > g[k + 1])
        k++;
    *i = k;
    *t = (p - g[k]) / (g[k + 1] - g[k]);
}

/* The model at (x0, y0): bilinear between the grid planes; returns its
 * flux (sum / OVERSAMP^2). */
static double model_at(const psf_file *f, double x0, double y0, double *model)
{
    long mm = f->m * f->m;
    int ix, iy;
    double tx, ty;
    bracket(f->gx, f->ngx, x0, &ix, &tx);
    bracket(f->gy, f->ngy, y0, &iy, &ty);
    int ix1 = f->ngx > 1 ? ix + 1 : ix, iy1 = f->ngy > 1 ? iy + 1 : iy;
    const double *p00 = f->planes + (size_t)(iy * f->ngx + ix) * mm;
    const double *p10 = f->planes + (size_t)(iy * f->ngx + ix1) * mm;
    const double *p01 = f->planes + (size_t)(iy1 * f->ngx + ix) * mm;
    const double *p11 = f->planes + (size_t)(iy1 * f->ngx + ix1) * mm;
    double w00 = (1 - tx) * (1 - ty), w10 = tx * (1 - ty), w01 = (1 - tx) * ty, w11 = tx * ty;
    double flux = 0;
    for (long i = 0; i < mm; i++) {
        model[i] = w00 * p00[i] + w10 * p10[i] + w01 * p01[i] + w11 * p11[i];
        flux += model[i];
    }
    return flux / ((double)f->oversamp * f->oversamp);
}

double psf_file_fwhm(const psf_file *f, double x0, double y0)
{
    if (f->oversamp < 2)
        return NAN;
    double *model = ph_malloc((size_t)f->m * f->m * sizeof *model, "PSF model");
    if (!model)
        return NAN;
    model_at(f, x0, y0, model);
    long n = 8 * 2 * 8 + 1;
    double *t = ph_malloc((size_t)n * n * sizeof *t, "PSF FWHM"), cm = (f->m - 1) / 2.0,
           o = f->oversamp;
    double *c = ph_malloc((size_t)n * sizeof *c, "PSF FWHM");
    double w = NAN;
    if (t && c) {
        for (long i = 0; i < n; i++)
            c[i] = cm + o * (i - (n - 1) / 2) / 8.0;
        int st = PH_OK;
        if (f->fourier)
            st = fourier_sample(model, f->m, c, n, c, n, t);
        else
            for (long j = 0; j < n; j++)
                for (long i = 0; i < n; i++)
                    t[j * n + i] = ph_interp_sample(model, f->m, f->m, c[i], c[j],
                                                    PH_INTERP_BICUBIC, 0);
        if (!st)
            w = ph_romanpsf_fwhm_halfmax(t, n, 1.0 / 8);
    }
    free(c);
    free(t);
    free(model);
    return w;
}

int psf_file_stamp(const psf_file *f, double x0, double y0, double dx, double dy, long n,
                   ph_interp k, double *out, double *frac)
{
    long m = f->m;
    double *model = ph_malloc((size_t)m * m * sizeof *model, "PSF model");
    if (!model)
        return PH_EFAIL;
    double flux = model_at(f, x0, y0, model), o = f->oversamp;
    double cm = (m - 1) / 2.0, c = (n - 1) / 2.0, s = 0;
    if (f->fourier) {
        double *xs = ph_malloc((size_t)2 * n * sizeof *xs, "PSF resampling");
        int st = xs ? PH_OK : PH_EFAIL;
        for (long i = 0; !st && i < n; i++) {
            xs[i] = cm + o * (i - c - dx);
            xs[n + i] = cm + o * (i - c - dy);
        }
        if (!st)
            st = fourier_sample(model, m, xs, n, xs + n, n, out);
        free(xs);
        if (st) {
            free(model);
            return st;
        }
        for (long i = 0; i < n * n; i++)
            s += out[i];
    } else
        for (long j = 0; j < n; j++)
            for (long i = 0; i < n; i++) {
                double v = ph_interp_sample(model, m, m, cm + o * (i - c - dx),
                                            cm + o * (j - c - dy), k, 0.0);
                out[j * n + i] = v;
                s += v;
            }
    free(model);
    /* of the whole PSF, not just of the (truncated) model: what a
     * photometry on the normalised stamp must be corrected by */
    *frac = flux > 0 ? s / flux * f->fluxfrac : NAN;
    return PH_OK;
}
