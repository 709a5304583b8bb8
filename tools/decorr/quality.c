/* quality.c -- see quality.h. */
#include "quality.h"

#include "io/atomicfile.h"
#include "base/log.h"
#include "base/util.h"

#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void dc_quality_free(dc_quality *q)
{
    ph_startab_free(&q->stars);
    free(q->snr);
    free(q->sel);
    free(q->bx);
    free(q->diff);
    free(q->label);
    memset(q, 0, sizeof *q);
}

/* The first k of idx[0..n) by decreasing f (a partial selection sort). */
static void brightest_first(long *idx, long n, long k, const double *f)
{
    for (long i = 0; i < k && i < n; i++) {
        long b = i;
        for (long j = i + 1; j < n; j++)
            if (f[idx[j]] > f[idx[b]])
                b = j;
        long t = idx[i];
        idx[i] = idx[b];
        idx[b] = t;
    }
}

int dc_quality_init(dc_quality *q, const char *path, const ph_header *hdr, const uint8_t *mask,
                    long nx, long ny, int panels)
{
    memset(q, 0, sizeof *q);
    q->nx = nx;
    q->ny = ny;
    q->tx = q->ty = NAN;
    int found;
    if (ph_startab_read(path, &q->stars, &found))
        return PH_EFAIL;
    double ex = NAN, ey = NAN, er = 0;
    ph_header_get_double(hdr, "EXCLX", &ex);
    ph_header_get_double(hdr, "EXCLY", &ey);
    ph_header_get_double(hdr, "EXCLR", &er);
    q->tx = ex;
    q->ty = ey;
    long n = q->stars.n;
    q->snr = ph_malloc((size_t)(n ? n : 1) * sizeof *q->snr, "star S/N");
    q->sel = ph_malloc((size_t)(n ? n : 1) * sizeof *q->sel, "star selection");
    if (!q->snr || !q->sel)
        return PH_EFAIL;
    for (long i = 0; i < n; i++)
        q->snr[i] = q->stars.fluxerr[i] > 0 ? q->stars.tflux[i] / q->stars.fluxerr[i] : 0;
    ph_resid_stars s = {n, q->stars.x, q->stars.y, q->stars.tflux, q->snr};
    ph_resid_opts o;
    ph_resid_defaults(&o);
    o.excl_x = ex;
    o.excl_y = ey;
    o.excl_r = er > 0 ? er : 15;
    q->nsel = ph_resid_select(&s, &o, mask, nx, ny, q->sel);

    /* boxes: the measured stars, then the panels (transient, brightest stars) */
    long *bright = ph_malloc((size_t)(q->nsel ? q->nsel : 1) * sizeof *bright, "panels");
    if (!bright)
        return PH_EFAIL;
    memcpy(bright, q->sel, (size_t)q->nsel * sizeof *bright);
    brightest_first(bright, q->nsel, DC_QL_STARS, q->stars.tflux);
    long np = 0;
    if (panels)
        np = (isfinite(ex) ? 1 : 0) + (q->nsel < DC_QL_STARS ? q->nsel : DC_QL_STARS);
    q->npanel = np;
    q->nbox = q->nsel + np;
    long nb = q->nbox ? q->nbox : 1;
    q->bx = ph_malloc((size_t)nb * (2 * sizeof(long) + sizeof(int) + sizeof(size_t)), "boxes");
    q->label = ph_calloc((size_t)nb, sizeof *q->label, "panel labels");
    if (!q->bx || !q->label) {
        free(bright);
        return PH_EFAIL;
    }
    q->by = q->bx + nb;
    q->off = (size_t *)(q->by + nb);
    q->half = (int *)(q->off + nb);
    size_t total = 0;
    for (long k = 0; k < q->nbox; k++) {
        long i;
        int panel = k >= q->nsel;
        if (!panel)
            i = q->sel[k];
        else if (isfinite(ex) && k == q->nsel)
            i = -1;
        else
            i = bright[k - q->nsel - (isfinite(ex) ? 1 : 0)];
        double x = i < 0 ? ex : q->stars.x[i], y = i < 0 ? ey : q->stars.y[i];
        q->bx[k] = (long)floor(x + 0.5);
        q->by[k] = (long)floor(y + 0.5);
        q->half[k] = panel ? DC_QL_HALF : 3;
        q->off[k] = total;
        total += (size_t)(2 * q->half[k] + 1) * (2 * q->half[k] + 1);
        if (panel && i < 0)
            snprintf(q->label[k], sizeof q->label[k], "transient (%.1f, %.1f)", x, y);
        else if (panel)
            snprintf(q->label[k], sizeof q->label[k], "star %.3g (%.0f, %.0f)",
                     q->stars.tflux[i], x, y);
    }
    free(bright);
    q->diff = ph_malloc((total ? total : 1) * 2 * sizeof *q->diff, "residual boxes");
    if (!q->diff)
        return PH_EFAIL;
    q->var = q->diff + (total ? total : 1);
    return PH_OK;
}

static void take(dc_quality *q, const double *d, const float *f, float *into)
{
    for (long k = 0; k < q->nbox; k++) {
        int h = q->half[k], w = 2 * h + 1;
        float *o = into + q->off[k];
        for (int j = -h; j <= h; j++)
            for (int i = -h; i <= h; i++) {
                long x = q->bx[k] + i, y = q->by[k] + j;
                float v = NAN;
                if (x >= 0 && y >= 0 && x < q->nx && y < q->ny)
                    v = d ? (float)d[y * q->nx + x] : f[y * q->nx + x];
                o[(j + h) * w + (i + h)] = v;
            }
    }
}

void dc_quality_take_diff(dc_quality *q, const double *plane) { take(q, plane, NULL, q->diff); }
void dc_quality_take_var(dc_quality *q, const float *plane) { take(q, NULL, plane, q->var); }

/* Pixel access for resid.h: the star boxes (7x7, box k = star k). */
typedef struct box_ctx {
    const dc_quality *q;
    long k;
} box_ctx;
static long box_index(const dc_quality *q, long x, long y, long *k)
{
    for (long b = 0; b < q->nsel; b++)
        if (labs(x - q->bx[b]) <= 3 && labs(y - q->by[b]) <= 3) {
            *k = b;
            return (long)q->off[b] + (y - q->by[b] + 3) * 7 + (x - q->bx[b] + 3);
        }
    return -1;
}
static double b_diff(void *c, long x, long y)
{
    long k, i = box_index(((box_ctx *)c)->q, x, y, &k);
    return i < 0 ? NAN : ((box_ctx *)c)->q->diff[i];
}
static double b_sigma(void *c, long x, long y)
{
    long k, i = box_index(((box_ctx *)c)->q, x, y, &k);
    double v = i < 0 ? NAN : ((box_ctx *)c)->q->var[i];
    return v > 0 ? sqrt(v) : NAN;
}

int dc_quality_stats(const dc_quality *q, ph_resid_stats *out)
{
    ph_resid_stars s = {q->stars.n, q->stars.x, q->stars.y, q->stars.tflux, q->snr};
    box_ctx c = {q, 0};
    ph_resid_src src = {b_diff, b_sigma, NULL, &c};
    ph_resid_opts o;
    ph_resid_defaults(&o);
    return ph_resid_measure(&src, &s, q->sel, q->nsel, o.snr_min, out);
}

/* ---- the quick-look PNG ---- */

enum { ZOOM = 5, PAD = 8, TEXT = 14 };

static cairo_status_t write_png_stream(void *closure, const unsigned char *data, unsigned int len)
{
    return fwrite(data, 1, len, closure) == len ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

int dc_quality_png(const dc_quality *q, const ph_resid_stats *s, const char *path)
{
    long np = q->npanel;
    int side = (2 * DC_QL_HALF + 1) * ZOOM;
    int width = (int)(np > 0 ? np : 1) * (side + PAD) + PAD, height = side + 3 * TEXT + 2 * PAD;
    cairo_surface_t *cs = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
    cairo_t *cr = cairo_create(cs);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, 11);
    for (long p = 0; p < np; p++) {
        long k = q->nsel + p;
        int h = q->half[k], w = 2 * h + 1, x0 = PAD + (int)p * (side + PAD), y0 = PAD + TEXT;
        for (int j = 0; j < w; j++)
            for (int i = 0; i < w; i++) {
                float d = q->diff[q->off[k] + (size_t)j * w + i];
                float v = q->var[q->off[k] + (size_t)j * w + i];
                double z = v > 0 && isfinite(d) ? d / sqrt(v) : NAN;
                double g = isfinite(z) ? (fmax(-5, fmin(5, z)) + 5) / 10 : 0.5;
                if (isfinite(z))
                    cairo_set_source_rgb(cr, g, g, g);
                else
                    cairo_set_source_rgb(cr, 0.9, 0.6, 0.6); /* no data */
                /* FITS orientation: y up */
                cairo_rectangle(cr, x0 + i * ZOOM, y0 + (w - 1 - j) * ZOOM, ZOOM, ZOOM);
                cairo_fill(cr);
            }
        cairo_set_source_rgb(cr, 0, 0, 0);
        cairo_move_to(cr, x0, PAD + 10);
        cairo_show_text(cr, q->label[k]);
    }
    char foot[200];
    if (s->nstars > 0)
        snprintf(foot, sizeof foot,
                 "z = DECORR_DIFF / sqrt(DIFF_VAR), grey -5 .. +5; static stars (S/N >= %g): %ld, "
                 "median max|z| %.2f, 90th percentile %.2f",
                 s->snr_min, s->nstars, s->zmed, s->zp90);
    else
        snprintf(foot, sizeof foot,
                 "z = DECORR_DIFF / sqrt(DIFF_VAR), grey -5 .. +5; no static star measured");
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_move_to(cr, PAD, height - PAD);
    cairo_show_text(cr, foot);
    cairo_destroy(cr);
    ph_atomic af;
    int st = ph_atomic_open(&af, path);
    if (!st && cairo_surface_write_to_png_stream(cs, write_png_stream, af.f) != CAIRO_STATUS_SUCCESS) {
        ph_atomic_abort(&af);
        st = ph_error(PH_EFAIL, path, "cannot write the quick-look PNG");
    } else if (!st)
        st = ph_atomic_commit(&af);
    cairo_surface_destroy(cs);
    /* cairo's and fontconfig's process-wide caches are not used again */
    cairo_debug_reset_static_data();
    FcFini();
    return st;
}
