/* lcplot.c -- see lcplot.h. Two panels sharing the MJD axis: flux (top) and
 * magnitude (bottom, brighter up), one colour and marker per template,
 * vertical error bars, failed pairs as red crosses along the bottom of each
 * panel, the truth as a black line with dots, the legend to the right.
 * Everything is drawn with cairo's vector API; surfaces are cairo's PNG,
 * SVG and PDF writers. */
#define _GNU_SOURCE /* qsort_r */
#include "lcplot.h"
#include "lcaxis.h"
#include "lc.h"
#include "base/log.h"
#include "sci/stats.h"
#include "base/util.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define FONT "DejaVu Sans"
#define MAX_LEGEND 12 /* template entries shown before "+ N more" */

int lc_plot_format(const char *path)
{
    const char *dot = strrchr(ph_path_basename(path), '.');
    if (!dot)
        return -1;
    if (!strcasecmp(dot, ".png"))
        return LC_PLOT_PNG;
    if (!strcasecmp(dot, ".svg"))
        return LC_PLOT_SVG;
    if (!strcasecmp(dot, ".pdf"))
        return LC_PLOT_PDF;
    return -1;
}

void lc_plot_default_size(int format, int *width, int *height)
{
    *width = format == LC_PLOT_PNG ? 1000 : 720;
    *height = format == LC_PLOT_PNG ? 800 : 576;
}

/* ---- geometry ----------------------------------------------------------- */

typedef struct panel {
    double x0, y0, w, h;            /* device rectangle */
    double xlo, xhi, ylo, yhi;      /* data range */
    int yinv;                       /* 1: ylo at the top (magnitudes) */
} panel;

static double px(const panel *p, double x) { return p->x0 + (x - p->xlo) / (p->xhi - p->xlo) * p->w; }

static double py(const panel *p, double y)
{
    double t = (y - p->ylo) / (p->yhi - p->ylo);
    return p->yinv ? p->y0 + t * p->h : p->y0 + (1 - t) * p->h;
}

/* tab10 without its red, which marks failed pairs */
static const double palette[][3] = {
    {0.122, 0.467, 0.706}, {1.000, 0.498, 0.055}, {0.173, 0.627, 0.173},
    {0.580, 0.404, 0.741}, {0.549, 0.337, 0.294}, {0.890, 0.467, 0.761},
    {0.498, 0.498, 0.498}, {0.737, 0.741, 0.133}, {0.090, 0.745, 0.812},
};
#define NPALETTE ((int)(sizeof palette / sizeof palette[0]))
enum { M_CIRCLE, M_SQUARE, M_TRIANGLE, M_DIAMOND, M_TRIANGLE_DOWN, M_HEXAGON, NMARKERS };

static void set_colour(cairo_t *cr, int g, double alpha)
{
    const double *c = palette[g % NPALETTE];
    cairo_set_source_rgba(cr, c[0], c[1], c[2], alpha);
}

static void polygon(cairo_t *cr, double x, double y, double r, int nv, double phase)
{
    for (int i = 0; i < nv; i++) {
        double a = phase + 2 * M_PI * i / nv;
        if (i)
            cairo_line_to(cr, x + r * cos(a), y - r * sin(a));
        else
            cairo_move_to(cr, x + r * cos(a), y - r * sin(a));
    }
    cairo_close_path(cr);
}

/* Marker of template group g, radius r, filled in its colour, dark edge. */
static void marker(cairo_t *cr, int g, double x, double y, double r)
{
    switch (g % NMARKERS) {
    case M_CIRCLE: cairo_new_sub_path(cr); cairo_arc(cr, x, y, r, 0, 2 * M_PI); break;
    case M_SQUARE: cairo_rectangle(cr, x - 0.85 * r, y - 0.85 * r, 1.7 * r, 1.7 * r); break;
    case M_TRIANGLE: polygon(cr, x, y + 0.2 * r, 1.25 * r, 3, M_PI / 2); break;
    case M_DIAMOND: polygon(cr, x, y, 1.2 * r, 4, M_PI / 2); break;
    case M_TRIANGLE_DOWN: polygon(cr, x, y - 0.2 * r, 1.25 * r, 3, -M_PI / 2); break;
    default: polygon(cr, x, y, 1.1 * r, 6, 0); break;
    }
    set_colour(cr, g, 1.0);
    cairo_fill_preserve(cr);
    cairo_set_source_rgba(cr, 0, 0, 0, 0.75);
    cairo_set_line_width(cr, r * 0.22);
    cairo_stroke(cr);
}

static void cross(cairo_t *cr, double x, double y, double r, double lw)
{
    cairo_set_source_rgb(cr, 0.84, 0.15, 0.16);
    cairo_set_line_width(cr, lw);
    cairo_move_to(cr, x - r, y - r);
    cairo_line_to(cr, x + r, y + r);
    cairo_move_to(cr, x - r, y + r);
    cairo_line_to(cr, x + r, y - r);
    cairo_stroke(cr);
}

/* Text with its anchor at (x, y): ha 0 left, 0.5 centre, 1 right; va 0
 * top, 0.5 middle, 1 baseline. */
static void text(cairo_t *cr, double x, double y, const char *s, double ha, double va)
{
    cairo_text_extents_t te;
    cairo_font_extents_t fe;
    cairo_text_extents(cr, s, &te);
    cairo_font_extents(cr, &fe);
    double cap = fe.ascent * 0.72; /* height of digits and capitals */
    cairo_move_to(cr, x - te.x_advance * ha, y + cap * (1 - va));
    cairo_show_text(cr, s);
}

static double text_width(cairo_t *cr, const char *s)
{
    cairo_text_extents_t te;
    cairo_text_extents(cr, s, &te);
    return te.x_advance;
}

/* ---- data ranges -------------------------------------------------------- */

typedef struct plotdata {
    const lc_plot_in *in;
    int *group, ngroups, *first;
    int mag_ab; /* magnitudes are AB (zpt known) rather than instrumental */
    double zpt_truth; /* zero point for the truth's magnitudes */
    int *torder;      /* truth sorted by MJD */
    int nfailed, nnonpos;
    double marker_r; /* marker radius at scale 1: smaller when crowded */
} plotdata;

static int usable(const ph_lc_row *r) { return r->success && isfinite(r->flux) && isfinite(r->mjd); }

static double row_mag(const plotdata *d, const ph_lc_row *r)
{
    if (!(r->flux > 0))
        return NAN;
    return d->mag_ab ? lc_mag_ab(r) : -2.5 * log10(r->flux);
}

static double truth_mag(const plotdata *d, double flux)
{
    return flux > 0 ? -2.5 * log10(flux) + d->zpt_truth : NAN;
}

static void grow(double *lo, double *hi, double v)
{
    if (!isfinite(v))
        return;
    if (!(v >= *lo))
        *lo = v;
    if (!(v <= *hi))
        *hi = v;
}

static void ranges(const plotdata *d, panel *pf, panel *pm)
{
    const lc_plot_in *in = d->in;
    double xlo = NAN, xhi = NAN;
    for (int i = 0; i < in->n; i++)
        grow(&xlo, &xhi, in->rows[i].mjd);
    if (isnan(xlo))
        for (int j = 0; j < in->ntruth; j++)
            grow(&xlo, &xhi, in->truth_mjd[j]);
    lc_pad_range(&xlo, &xhi, 0.04, 0.5);

    double flo = 0, fhi = 0; /* the zero line is always shown */
    double mlo = NAN, mhi = NAN;
    for (int i = 0; i < in->n; i++) {
        const ph_lc_row *r = &in->rows[i];
        if (!usable(r))
            continue;
        double e = isfinite(r->flux_err) ? r->flux_err : 0;
        grow(&flo, &fhi, r->flux - e);
        grow(&flo, &fhi, r->flux + e);
        double m = row_mag(d, r), me = lc_mag_err(r);
        if (isfinite(m)) {
            /* a huge error bar would squash the other points: it is
             * clipped at the panel's edge instead */
            me = isfinite(me) ? fmin(me, 0.75) : 0;
            grow(&mlo, &mhi, m - me);
            grow(&mlo, &mhi, m + me);
        }
    }
    /* The truth counts within the MJD range; for magnitudes only down to
     * 1/1000 of its peak (7.5 mag), where a rising light curve starts. */
    double tmax = 0;
    for (int j = 0; j < in->ntruth; j++)
        if (in->truth_mjd[j] >= xlo && in->truth_mjd[j] <= xhi && in->truth_flux[j] > tmax)
            tmax = in->truth_flux[j];
    for (int j = 0; j < in->ntruth; j++) {
        if (!(in->truth_mjd[j] >= xlo && in->truth_mjd[j] <= xhi))
            continue;
        grow(&flo, &fhi, in->truth_flux[j]);
        if (in->truth_flux[j] > 1e-3 * tmax)
            grow(&mlo, &mhi, truth_mag(d, in->truth_flux[j]));
    }
    double half = fmax(fabs(flo), fabs(fhi));
    lc_pad_range(&flo, &fhi, 0.06, half > 0 ? half : 1.0);
    lc_pad_range(&mlo, &mhi, 0.08, 0.5);
    if (mhi - mlo < 1.0) { /* at least a magnitude: a lone point is not a trend */
        double c = (mlo + mhi) / 2;
        mlo = c - 0.5;
        mhi = c + 0.5;
    }
    pf->xlo = pm->xlo = xlo;
    pf->xhi = pm->xhi = xhi;
    pf->ylo = flo;
    pf->yhi = fhi;
    pf->yinv = 0;
    pm->ylo = mlo;
    pm->yhi = mhi;
    pm->yinv = 1;
}

/* ---- drawing ------------------------------------------------------------ */

typedef struct style {
    double s;                            /* scale: 1 at 1000 x 800 */
    double f_title, f_label, f_tick, f_legend;
} style;

/* As many MJD ticks as fit with a label's width of space between labels. */
static int x_target(cairo_t *cr, const style *st, const panel *p)
{
    double t[64];
    int ndec;
    char buf[64];
    cairo_set_font_size(cr, st->f_tick);
    int target = 10;
    for (; target > 3; target--) {
        int nt = lc_ticks(p->xlo, p->xhi, target, t, 64, &ndec);
        double wmax = 0;
        for (int i = 0; i < nt; i++) {
            lc_tick_label(t[i], ndec, buf, sizeof buf);
            wmax = fmax(wmax, text_width(cr, buf));
        }
        if (nt < 2 || (px(p, t[1]) - px(p, t[0])) > 2.2 * wmax)
            break;
    }
    return target;
}

static void frame_and_ticks(cairo_t *cr, const style *st, const panel *p, int xlabels,
                            const char *ylabel)
{
    double t[64];
    int ndec, nt;
    char buf[64];
    int xt = x_target(cr, st, p);
    cairo_set_line_width(cr, 1.0 * st->s);

    /* grid */
    cairo_set_source_rgb(cr, 0.90, 0.90, 0.90);
    nt = lc_ticks(p->xlo, p->xhi, xt, t, 64, &ndec);
    for (int i = 0; i < nt; i++) {
        cairo_move_to(cr, px(p, t[i]), p->y0);
        cairo_line_to(cr, px(p, t[i]), p->y0 + p->h);
    }
    int ny = lc_ticks(fmin(p->ylo, p->yhi), fmax(p->ylo, p->yhi), p->h > 300 * st->s ? 6 : 4,
                      t + 32, 32, &ndec);
    for (int i = 0; i < ny; i++) {
        cairo_move_to(cr, p->x0, py(p, t[32 + i]));
        cairo_line_to(cr, p->x0 + p->w, py(p, t[32 + i]));
    }
    cairo_stroke(cr);

    /* frame and tick marks */
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_rectangle(cr, p->x0, p->y0, p->w, p->h);
    double tl = 6 * st->s;
    for (int i = 0; i < nt; i++) {
        double x = px(p, t[i]);
        cairo_move_to(cr, x, p->y0 + p->h);
        cairo_line_to(cr, x, p->y0 + p->h - tl);
        cairo_move_to(cr, x, p->y0);
        cairo_line_to(cr, x, p->y0 + tl);
    }
    for (int i = 0; i < ny; i++) {
        double y = py(p, t[32 + i]);
        cairo_move_to(cr, p->x0, y);
        cairo_line_to(cr, p->x0 + tl, y);
        cairo_move_to(cr, p->x0 + p->w, y);
        cairo_line_to(cr, p->x0 + p->w - tl, y);
    }
    cairo_stroke(cr);

    /* labels */
    cairo_set_font_size(cr, st->f_tick);
    int xdec;
    nt = lc_ticks(p->xlo, p->xhi, xt, t, 32, &xdec);
    if (xlabels)
        for (int i = 0; i < nt; i++) {
            lc_tick_label(t[i], xdec, buf, sizeof buf);
            text(cr, px(p, t[i]), p->y0 + p->h + 8 * st->s, buf, 0.5, 0);
        }
    double wmax = 0;
    for (int i = 0; i < ny; i++) {
        lc_tick_label(t[32 + i], ndec, buf, sizeof buf);
        wmax = fmax(wmax, text_width(cr, buf));
        text(cr, p->x0 - 7 * st->s, py(p, t[32 + i]), buf, 1, 0.5);
    }
    cairo_set_font_size(cr, st->f_label);
    cairo_save(cr);
    cairo_translate(cr, p->x0 - wmax - 16 * st->s, p->y0 + p->h / 2);
    cairo_rotate(cr, -M_PI / 2);
    text(cr, 0, 0, ylabel, 0.5, 1);
    cairo_restore(cr);
}

static void errbar(cairo_t *cr, const style *st, const panel *p, double x, double ylo, double yhi)
{
    double cap = 3.5 * st->s;
    double a = py(p, ylo), b = py(p, yhi);
    cairo_move_to(cr, x, a);
    cairo_line_to(cr, x, b);
    cairo_move_to(cr, x - cap, a);
    cairo_line_to(cr, x + cap, a);
    cairo_move_to(cr, x - cap, b);
    cairo_line_to(cr, x + cap, b);
    cairo_stroke(cr);
}

/* Horizontal offset of template group g, so that the points of several
 * templates at one epoch do not hide each other. */
static double dodge(const plotdata *d, const style *st, int g)
{
    if (d->ngroups < 2)
        return 0;
    double dx = fmin(3.0, 24.0 / d->ngroups) * st->s;
    return (g - (d->ngroups - 1) / 2.0) * dx;
}

static void truth_line(cairo_t *cr, const style *st, const plotdata *d, const panel *p, int mag)
{
    const lc_plot_in *in = d->in;
    if (!in->ntruth)
        return;
    cairo_set_source_rgba(cr, 0, 0, 0, 0.8);
    cairo_set_line_width(cr, 1.6 * st->s);
    int pen = 0;
    for (int k = 0; k < in->ntruth; k++) {
        int j = d->torder[k];
        double y = mag ? truth_mag(d, in->truth_flux[j]) : in->truth_flux[j];
        if (!isfinite(y)) {
            pen = 0;
            continue;
        }
        if (pen)
            cairo_line_to(cr, px(p, in->truth_mjd[j]), py(p, y));
        else
            cairo_move_to(cr, px(p, in->truth_mjd[j]), py(p, y));
        pen = 1;
    }
    cairo_stroke(cr);
    if (in->ntruth > 300)
        return;
    for (int j = 0; j < in->ntruth; j++) {
        double y = mag ? truth_mag(d, in->truth_flux[j]) : in->truth_flux[j];
        if (!isfinite(y))
            continue;
        cairo_new_sub_path(cr);
        cairo_arc(cr, px(p, in->truth_mjd[j]), py(p, y), 2.2 * st->s, 0, 2 * M_PI);
    }
    cairo_fill(cr);
}

static void points(cairo_t *cr, const style *st, const plotdata *d, const panel *p, int mag)
{
    const lc_plot_in *in = d->in;
    /* error bars first, so that no bar crosses a marker */
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < in->n; i++) {
            const ph_lc_row *r = &in->rows[i];
            if (!usable(r))
                continue;
            int g = d->group[i];
            double y = mag ? row_mag(d, r) : r->flux;
            double e = mag ? lc_mag_err(r) : r->flux_err;
            if (!isfinite(y))
                continue;
            double x = px(p, r->mjd) + dodge(d, st, g);
            if (pass == 0 && isfinite(e)) {
                set_colour(cr, g, 0.85);
                cairo_set_line_width(cr, 1.3 * st->s);
                errbar(cr, st, p, x, y - e, y + e);
            } else if (pass == 1)
                marker(cr, g, x, py(p, y), d->marker_r * st->s);
        }
    /* failed pairs: crosses along the bottom edge */
    for (int i = 0; i < in->n; i++)
        if (!in->rows[i].success && isfinite(in->rows[i].mjd))
            cross(cr, px(p, in->rows[i].mjd), p->y0 + p->h - 11 * st->s, 4.5 * st->s,
                  1.8 * st->s);
}

static void zero_line(cairo_t *cr, const style *st, const panel *p)
{
    double dash = 5 * st->s;
    cairo_set_source_rgb(cr, 0.45, 0.45, 0.45);
    cairo_set_line_width(cr, 1.0 * st->s);
    cairo_set_dash(cr, &dash, 1, 0);
    cairo_move_to(cr, p->x0, py(p, 0));
    cairo_line_to(cr, p->x0 + p->w, py(p, 0));
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
}

/* Legend entries: templates (up to MAX_LEGEND), "+ N more", truth, failed. */
static int legend_lines(const plotdata *d, char lines[][96], int *kind)
{
    const lc_plot_in *in = d->in;
    int n = 0;
    int shown = d->ngroups > MAX_LEGEND ? MAX_LEGEND - 1 : d->ngroups;
    for (int g = 0; g < shown; g++) {
        char lab[80];
        lc_template_label(&in->rows[d->first[g]], lab, sizeof lab);
        int cnt = 0;
        for (int i = 0; i < in->n; i++)
            cnt += d->group[i] == g;
        snprintf(lines[n], 96, "%.60s (%d)", lab, cnt);
        kind[n++] = g;
    }
    if (shown < d->ngroups) {
        snprintf(lines[n], 96, "+ %d more", d->ngroups - shown);
        kind[n++] = -1;
    }
    if (in->ntruth) {
        snprintf(lines[n], 96, "truth");
        kind[n++] = -2;
    }
    if (d->nfailed) {
        snprintf(lines[n], 96, "failed (%d)", d->nfailed);
        kind[n++] = -3;
    }
    return n;
}

static double legend_width(cairo_t *cr, const style *st, const plotdata *d)
{
    char lines[MAX_LEGEND + 4][96];
    int kind[MAX_LEGEND + 4];
    int n = legend_lines(d, lines, kind);
    cairo_set_font_size(cr, st->f_legend);
    double w = text_width(cr, "template (pairs)");
    for (int i = 0; i < n; i++)
        w = fmax(w, text_width(cr, lines[i]));
    return w + 44 * st->s;
}

static void legend(cairo_t *cr, const style *st, const plotdata *d, double x0, double y0)
{
    char lines[MAX_LEGEND + 4][96];
    int kind[MAX_LEGEND + 4];
    int n = legend_lines(d, lines, kind);
    double lh = st->f_legend * 1.6, w = legend_width(cr, st, d) - 12 * st->s;
    double h = lh * (n + 1) + 8 * st->s;
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_rectangle(cr, x0, y0, w, h);
    cairo_fill_preserve(cr);
    cairo_set_source_rgb(cr, 0.6, 0.6, 0.6);
    cairo_set_line_width(cr, 1.0 * st->s);
    cairo_stroke(cr);
    cairo_set_font_size(cr, st->f_legend);
    cairo_set_source_rgb(cr, 0.25, 0.25, 0.25);
    text(cr, x0 + 8 * st->s, y0 + 4 * st->s + lh * 0.5, "template (pairs)", 0, 0.5);
    for (int i = 0; i < n; i++) {
        double y = y0 + 4 * st->s + lh * (i + 1.5), xm = x0 + 16 * st->s;
        if (kind[i] >= 0) {
            set_colour(cr, kind[i], 0.85);
            cairo_set_line_width(cr, 1.3 * st->s);
            cairo_move_to(cr, xm, y - 7 * st->s);
            cairo_line_to(cr, xm, y + 7 * st->s);
            cairo_stroke(cr);
            marker(cr, kind[i], xm, y, 4.5 * st->s);
        } else if (kind[i] == -2) {
            cairo_set_source_rgba(cr, 0, 0, 0, 0.8);
            cairo_set_line_width(cr, 1.6 * st->s);
            cairo_move_to(cr, xm - 9 * st->s, y);
            cairo_line_to(cr, xm + 9 * st->s, y);
            cairo_stroke(cr);
            cairo_arc(cr, xm, y, 2.2 * st->s, 0, 2 * M_PI);
            cairo_fill(cr);
        } else if (kind[i] == -3)
            cross(cr, xm, y, 4.5 * st->s, 1.8 * st->s);
        cairo_set_source_rgb(cr, 0, 0, 0);
        text(cr, x0 + 32 * st->s, y, lines[i], 0, 0.5);
    }
}

static void draw(cairo_t *cr, double W, double H, const plotdata *d)
{
    const lc_plot_in *in = d->in;
    style st;
    st.s = fmin(fmax(sqrt(W * H / (1000.0 * 800.0)), 0.7), 4.0);
    st.f_title = 19 * st.s;
    st.f_label = 15 * st.s;
    st.f_tick = 12.5 * st.s;
    st.f_legend = 12.5 * st.s;
    cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);

    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);

    double left = 100 * st.s, right = legend_width(cr, &st, d) + 16 * st.s;
    double top = 62 * st.s, bottom = 58 * st.s, gap = 14 * st.s;
    if (W - left - right < 200 * st.s) /* a narrow picture: legend inside */
        right = 20 * st.s;
    panel pf, pm;
    ranges(d, &pf, &pm);
    double ph = H - top - bottom - gap;
    pf.x0 = pm.x0 = left;
    pf.w = pm.w = W - left - right;
    pf.y0 = top;
    pf.h = ph * 0.56;
    pm.y0 = top + pf.h + gap;
    pm.h = ph - pf.h;

    /* title */
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
    cairo_set_font_size(cr, st.f_title);
    text(cr, left + pf.w / 2, 26 * st.s, in->title && *in->title ? in->title : "light curve", 0.5, 0.5);
    cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, st.f_tick);
    char sub[160];
    snprintf(sub, sizeof sub, "%d pair%s, %d failed, %d template%s", in->n, in->n == 1 ? "" : "s",
             d->nfailed, d->ngroups, d->ngroups == 1 ? "" : "s");
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    text(cr, left + pf.w / 2, 47 * st.s, sub, 0.5, 0.5);

    const char *maglabel = d->mag_ab ? "AB magnitude" : "instrumental magnitude";
    frame_and_ticks(cr, &st, &pf, 0, "flux (counts)");
    frame_and_ticks(cr, &st, &pm, 1, maglabel);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_font_size(cr, st.f_label);
    text(cr, left + pm.w / 2, H - 14 * st.s, "MJD", 0.5, 1);

    const panel *pp[2] = {&pf, &pm};
    for (int k = 0; k < 2; k++) {
        const panel *p = pp[k];
        cairo_save(cr);
        cairo_rectangle(cr, p->x0, p->y0, p->w, p->h);
        cairo_clip(cr);
        if (k == 0)
            zero_line(cr, &st, p);
        truth_line(cr, &st, d, p, k);
        points(cr, &st, d, p, k);
        cairo_restore(cr);
    }
    if (d->nnonpos) {
        char note[96];
        snprintf(note, sizeof note, "%d point%s with flux <= 0 not shown", d->nnonpos,
                 d->nnonpos == 1 ? "" : "s");
        cairo_set_font_size(cr, st.f_tick);
        cairo_set_source_rgba(cr, 1, 1, 1, 0.85);
        cairo_rectangle(cr, pm.x0 + 3 * st.s, pm.y0 + 3 * st.s,
                        text_width(cr, note) + 10 * st.s, st.f_tick * 1.5);
        cairo_fill(cr);
        cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
        text(cr, pm.x0 + 8 * st.s, pm.y0 + 3 * st.s + st.f_tick * 0.75, note, 0, 0.5);
    }
    double lx = right > 20 * st.s ? pf.x0 + pf.w + 12 * st.s
                                  : pf.x0 + pf.w - legend_width(cr, &st, d);
    legend(cr, &st, d, lx, pf.y0);
}

/* ---- surfaces ----------------------------------------------------------- */

static cairo_status_t write_fn(void *closure, const unsigned char *data, unsigned int length)
{
    return fwrite(data, 1, length, closure) == length ? CAIRO_STATUS_SUCCESS
                                                      : CAIRO_STATUS_WRITE_ERROR;
}

static int cmp_truth(const void *a, const void *b, void *ctx)
{
    const double *m = ctx;
    double x = m[*(const int *)a], y = m[*(const int *)b];
    return (x > y) - (x < y);
}

static int prepare(plotdata *d, const lc_plot_in *in)
{
    memset(d, 0, sizeof *d);
    d->in = in;
    size_t n = (size_t)(in->n ? in->n : 1), nt = (size_t)(in->ntruth ? in->ntruth : 1);
    d->group = ph_malloc(n * sizeof *d->group, "plot");
    d->first = ph_malloc(n * sizeof *d->first, "plot");
    d->torder = ph_malloc(nt * sizeof *d->torder, "plot");
    double *zp = ph_malloc(n * sizeof *zp, "plot");
    if (!d->group || !d->first || !d->torder || !zp) {
        free(zp);
        return PH_EFAIL;
    }
    ph_lc_rows rows = {in->n, in->n, (ph_lc_row *)in->rows};
    d->ngroups = lc_template_groups(&rows, d->group, d->first);
    if (d->ngroups < 0)
        return PH_EFAIL;
    d->marker_r = 4.5 * fmin(1.0, fmax(0.45, sqrt(150.0 / (in->n ? in->n : 1))));
    for (int i = 0; i < in->n; i++) {
        zp[i] = in->rows[i].zpt;
        d->nfailed += !in->rows[i].success;
        d->nnonpos += usable(&in->rows[i]) && !(in->rows[i].flux > 0);
    }
    /* The truth's magnitudes use the median zero point of the rows (one
     * band: all exposures share it in OU2024). */
    d->zpt_truth = ph_median(zp, (size_t)in->n);
    d->mag_ab = isfinite(d->zpt_truth);
    if (!d->mag_ab)
        d->zpt_truth = 0;
    free(zp);
    for (int j = 0; j < in->ntruth; j++)
        d->torder[j] = j;
    qsort_r(d->torder, (size_t)in->ntruth, sizeof *d->torder, cmp_truth, (void *)in->truth_mjd);
    return PH_OK;
}

static void release(plotdata *d)
{
    free(d->group);
    free(d->first);
    free(d->torder);
}

int lc_plot_write(FILE *f, const char *name, int format, const lc_plot_in *in)
{
    plotdata d;
    if (prepare(&d, in)) {
        release(&d);
        return PH_EFAIL;
    }
    int W = in->width, H = in->height, dw, dh;
    lc_plot_default_size(format, &dw, &dh);
    if (W <= 0)
        W = dw;
    if (H <= 0)
        H = dh;
    cairo_surface_t *sf;
    if (format == LC_PLOT_PNG)
        sf = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, W, H);
    else if (format == LC_PLOT_SVG)
        sf = cairo_svg_surface_create_for_stream(write_fn, f, W, H);
    else {
        sf = cairo_pdf_surface_create_for_stream(write_fn, f, W, H);
        cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_TITLE, in->title ? in->title : "");
        cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_CREATOR, "ph-lc (phrosty-c)");
    }
    cairo_t *cr = cairo_create(sf);
    draw(cr, W, H, &d);
    cairo_status_t cs = cairo_status(cr);
    cairo_destroy(cr);
    if (!cs && format == LC_PLOT_PNG)
        cs = cairo_surface_write_to_png_stream(sf, write_fn, f);
    cairo_surface_finish(sf);
    if (!cs)
        cs = cairo_surface_status(sf);
    cairo_surface_destroy(sf);
    /* Give back cairo's and fontconfig's process-wide caches: they are
     * never used again, and LeakSanitizer would report them. */
    cairo_debug_reset_static_data();
    FcFini();
    release(&d);
    if (cs)
        return ph_error(PH_EFAIL, name, "cannot draw the plot: %s", cairo_status_to_string(cs));
    return PH_OK;
}
