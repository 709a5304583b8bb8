/* stars.c -- see stars.h. */
#include "stars.h"

#include "base/log.h"
#include "io/image.h"
#include "base/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int align_stars_psf(const ph_ovpsf *tpl, const double m[2][2], long n, ph_ovpsf *out,
                    double *stamp, double *norm, const char *file)
{
    double det = fabs(m[0][0] * m[1][1] - m[0][1] * m[1][0]);
    if (ph_ovpsf_transform(tpl, m, det, out))
        return PH_EFAIL;
    double s = ph_ovpsf_stamp(out, NULL, 0, 0, n, stamp);
    if (!(s > 0)) {
        ph_ovpsf_free(out);
        return ph_error(PH_EFAIL, file, "the PSF has no positive flux in the science frame");
    }
    ph_ovpsf_scale(out, 1 / s);
    for (long i = 0; i < n * n; i++)
        stamp[i] /= s;
    *norm = 1 / s;
    return PH_OK;
}

int align_stars_fit(float *sci, const float *var, const uint8_t *mask, long nx, long ny,
                    const ph_ovpsf *psf, const ph_ptsrc_opts *o, int remove, const char *file,
                    ph_ptsrc **src, long *n)
{
    if (ph_ptsrc_find(sci, var, mask, nx, ny, psf, o, file, src, n))
        return PH_EFAIL;
    for (long i = 0; remove && i < *n; i++)
        ph_ptsrc_draw(psf, NULL, (*src)[i].x, (*src)[i].y, -(*src)[i].flux, sci, nx, ny);
    return PH_OK;
}

int align_stars_place(const ph_ptsrc *src, long n, ph_wcs *twcs, ph_wcs *swcs,
                      const ph_ovpsf *rpsf, double scale, int draw, align_planes *out,
                      ph_startab *placed)
{
    memset(placed, 0, sizeof *placed);
    double *ra = ph_malloc((size_t)(n ? n : 1) * 4 * sizeof *ra, "star positions");
    if (!ra || ph_startab_alloc(placed, n)) {
        free(ra);
        return PH_EFAIL;
    }
    double *dec = ra + n, *sx = ra + 2 * n, *sy = ra + 3 * n;
    for (long i = 0; i < n; i++) {
        sx[i] = src[i].x;
        sy[i] = src[i].y;
    }
    /* template pixel -> sky -> science pixel, all at once (in place) */
    int st = n ? ph_wcs_pix2sky(twcs, (size_t)n, sx, sy, ra, dec) : 0;
    if (!st && n)
        st = ph_wcs_sky2pix(swcs, (size_t)n, ra, dec, sx, sy);
    long k = 0;
    for (long i = 0; !st && i < n; i++) {
        double x = sx[i], y = sy[i];
        if (!(x >= -0.5 && y >= -0.5 && x < out->nx - 0.5 && y < out->ny - 0.5))
            continue;
        double a = src[i].flux * scale;
        if (draw)
            ph_ptsrc_draw(rpsf, NULL, x, y, a, out->sci, out->nx, out->ny);
        placed->x[k] = x;
        placed->y[k] = y;
        placed->flux[k] = a;
        placed->tx[k] = src[i].x;
        placed->ty[k] = src[i].y;
        placed->tflux[k] = src[i].flux;
        placed->fluxerr[k] = src[i].flux_err;
        placed->chi2[k] = src[i].chi2;
        placed->drawn[k] = draw;
        k++;
    }
    placed->n = k;
    free(ra);
    if (st) {
        ph_startab_free(placed);
        return PH_EFAIL;
    }
    /* the outside of the footprint stays SFFT's fill value */
    if (draw && out->mask)
        for (long p = 0; p < out->nx * out->ny; p++)
            if (out->mask[p] & PH_MASK_OUTSIDE)
                out->sci[p] = 0;
    return PH_OK;
}
