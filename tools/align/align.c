/* align.c -- see align.h. */
#include "align.h"
#include "base/log.h"
#include "base/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int on_template(double x, double y, long tnx, long tny)
{
    return x >= -0.5 && x <= tnx - 0.5 && y >= -0.5 && y <= tny - 0.5;
}

int align_overlaps(const ph_pixmap *map, long tnx, long tny)
{
    for (long j = 1; j < map->gny; j++)
        for (long i = 1; i < map->gnx; i++) {
            long k = j * map->gnx + i;
            if ((i - 1) * map->step <= map->nx - 1 && (j - 1) * map->step <= map->ny - 1 &&
                on_template(map->sx[k], map->sy[k], tnx, tny))
                return 1;
        }
    /* A sliver narrower than the node spacing: look at every pixel. */
    double *buf = ph_malloc((3 * (size_t)map->gnx + 2 * (size_t)map->nx) * sizeof *buf,
                            "overlap scratch");
    if (!buf)
        return -1;
    double *sx = buf + 3 * map->gnx, *sy = sx + map->nx;
    int found = 0;
    for (long y = 0; y < map->ny && !found; y++) {
        ph_pixmap_row(map, y, buf, sx, sy, NULL);
        for (long x = 0; x < map->nx && !found; x++)
            found = on_template(sx[x], sy[x], tnx, tny);
    }
    free(buf);
    return found;
}

int align_geometry(ph_wcs *sci, ph_wcs *tpl, long tnx, long tny, const ph_pixmap *map, double ax0,
                   double ay0, align_geom *g)
{
    memset(g, 0, sizeof *g);
    double cx = (map->nx - 1) / 2.0, cy = (map->ny - 1) / 2.0, sx, sy;
    ph_pixmap_at(map, cx, cy, &sx, &sy);
    g->shift_x = sx - cx;
    g->shift_y = sy - cy;
    /* Mean area ratio over the nodes inside both images: nodes are evenly
     * spaced on the science grid, so this is the mean over the overlap. */
    double sum = 0;
    long n = 0;
    for (long j = 1; j < map->gny; j++)
        for (long i = 1; i < map->gnx; i++) {
            double tx = (double)(i - 1) * map->step, ty = (double)(j - 1) * map->step;
            long k = j * map->gnx + i;
            if (tx > map->nx - 1 || ty > map->ny - 1 || !on_template(map->sx[k], map->sy[k], tnx, tny))
                continue;
            sum += map->area[k];
            n++;
        }
    g->area_ratio = n ? sum / n : ph_pixmap_area_at(map, cx, cy);
    if (!isfinite(g->area_ratio) || g->area_ratio <= 0)
        return ph_error(PH_EFAIL, NULL, "the pixel-area ratio of the two WCSs is undefined");
    g->anchor_x0 = ax0;
    g->anchor_y0 = ay0;
    return ph_psfrotate_pattern_rotation(tpl, ax0, ay0, sci, &g->rot);
}

void align_psf(const double *in, long n, const align_geom *g, align_psf_mode mode, ph_interp k,
               double *out, double *sum_before)
{
    if (mode == ALIGN_PSF_SFFT) {
        ph_psfrotate_sfft(in, n, g->rot.alpha_deg, out);
        double s = 0;
        for (long i = 0; i < n * n; i++)
            s += out[i];
        *sum_before = s;
        return;
    }
    /* The stamp is sampled at m (X - c) + c: m maps science offsets back to
     * template offsets, the inverse of q (orthogonal: its transpose) or of
     * the Jacobian. */
    double m[2][2];
    if (mode == ALIGN_PSF_ROTATE) {
        m[0][0] = g->rot.q[0][0], m[0][1] = g->rot.q[1][0];
        m[1][0] = g->rot.q[0][1], m[1][1] = g->rot.q[1][1];
    } else {
        ph_psfrotate_mat2_inverse(
            g->rot.jac, m); /* det != 0: checked by ph_psfrotate_pattern_rotation's caller */
    }
    *sum_before = ph_psfrotate_transform(in, n, m, k, 1, out);
}
