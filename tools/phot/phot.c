/* phot.c -- see phot.h. */
#include "phot.h"

#include "io/header.h"
#include "base/log.h"
#include "sci/stats.h"
#include "base/util.h"

#include <math.h>
#include <stdlib.h>

long phot_stamp_start(double x0, long size) { return (long)(x0 - 0.5) - size / 2; }

double phot_stamp_background(const ph_fit_plane *p, double x0, double y0, long size)
{
    long xa = phot_stamp_start(x0, size), ya = phot_stamp_start(y0, size);
    double *v = ph_malloc((size_t)size * size * sizeof *v, "stamp background");
    if (!v)
        return NAN;
    size_t m = 0;
    for (long y = ya; y < ya + size; y++)
        for (long x = xa; x < xa + size; x++) {
            if (x < 0 || y < 0 || x >= p->nx || y >= p->ny)
                continue;
            long k = y * p->nx + x;
            if (isfinite(p->data[k]) && !(p->mask && (p->mask[k] & p->badbits)))
                v[m++] = p->data[k];
        }
    double mean, median, std, bkg = NAN;
    if (m && ph_sigma_clip(v, m, 3.0, 10, &mean, &median, &std))
        bkg = ph_sex_mode(mean, median, std);
    free(v);
    return bkg;
}

int phot_measure(const ph_fit_plane *p, const ph_psf_spline *s, const ph_fit_opts *o, double x0,
                 double y0, double ap_r, int subpixels, long stamp, phot_meas *m)
{
    return phot_measure_at(p, s, o, x0, y0, x0, y0, 1.0, ap_r, subpixels, stamp, m);
}

void phot_psf_model_read(const ph_header *h, phot_psf_model *m)
{
    *m = (phot_psf_model){.apcorr = 1.0, .psfx = NAN, .psfy = NAN};
    char v[16] = "";
    double frac = 1.0, loss = 0.0;
    if (!h)
        return;
    if (!ph_header_get_str(h, "PSFPHASE", v, sizeof v) && v[0] == 'T' &&
        !ph_header_get_double(h, "PSFX", &m->psfx) && !ph_header_get_double(h, "PSFY", &m->psfy) &&
        isfinite(m->psfx) && isfinite(m->psfy)) {
        m->phased = 1;
        m->dx = m->psfx - floor(m->psfx + 0.5);
        m->dy = m->psfy - floor(m->psfy + 0.5);
    }
    if (ph_header_get_double(h, "PSFFRAC", &frac) || !(frac > 0 && frac <= 1))
        frac = 1.0;
    if (ph_header_get_double(h, "PSFLOSS", &loss) || !(loss >= 0 && loss < 1))
        loss = 0.0;
    m->apcorr = frac * (1.0 - loss);
}

int phot_measure_at(const ph_fit_plane *p, const ph_psf_spline *s, const ph_fit_opts *o, double x0,
                    double y0, double fx, double fy, double apcorr, double ap_r, int subpixels,
                    long stamp, phot_meas *m)
{
    ph_fit_work w = {0};
    int st = ph_psffit_one(p, s, o, fx, fy, &m->fit, &w);
    ph_psffit_work_free(&w);
    if (!st && m->fit.status == PH_FIT_OK) {
        m->fit.flux /= apcorr;
        m->fit.flux_err /= apcorr;
    }
    m->aperture_sum = m->stamp_bkg = m->mag = m->mag_err = NAN;
    if (st || m->fit.status != PH_FIT_OK)
        return st;
    m->stamp_bkg = phot_stamp_background(p, x0, y0, stamp);
    if (isfinite(m->stamp_bkg))
        m->aperture_sum = ph_psffit_aperture_sum(p, x0, y0, ap_r, m->stamp_bkg, subpixels, NULL);
    double f = m->fit.flux;
    if (f > 0) {
        m->mag = -2.5 * log10(f);
        m->mag_err = 2.5 / log(10.0) * fabs(m->fit.flux_err / f);
    }
    return PH_OK;
}

double phot_fit_chi2(const ph_fit_plane *p, const ph_psf_spline *s, const ph_fit_opts *o, double fx,
                     double fy, double amp, double sky, double *allow)
{
    int b = o->box;
    long bx = ph_psffit_box_start(fx, b), by = ph_psffit_box_start(fy, b);
    double *m = malloc((size_t)b * b * sizeof *m),
           *work = malloc((size_t)3 * b * s->n * sizeof *work);
    double chi = 0, me = 0;
    long n = 0;
    *allow = 0;
    if (!m || !work) {
        free(m);
        free(work);
        return NAN;
    }
    ph_psffit_spline_box(s, fx, fy, bx, by, b, b, m, work);
    for (long j = 0; j < b; j++)
        for (long i = 0; i < b; i++) {
            long x = bx + i, y = by + j;
            if (x < 0 || y < 0 || x >= p->nx || y >= p->ny)
                continue;
            long k = y * p->nx + x;
            float d = p->data[k], v = p->var[k];
            if (!isfinite(d) || !(v > 0) || !isfinite(v) || (p->mask && (p->mask[k] & p->badbits)))
                continue;
            double model = amp * m[j * b + i], r = d - sky - model;
            chi += r * r / v;
            me += (0.03 * model) * (0.03 * model) / v;
            n++;
        }
    free(m);
    free(work);
    if (n < 2)
        return NAN;
    *allow = me / (double)(n - 1);
    return chi / (double)(n - 1);
}

void phot_zeropoint(long n, const double *mag, const ph_fit_result *fit, double lo, double hi,
                    double *zpt, double *scatter, long *nused, unsigned char *used)
{
    double *z = malloc((size_t)(n ? n : 1) * sizeof *z);
    long k = 0;
    for (long i = 0; i < n; i++) {
        int ok = z && fit[i].status == PH_FIT_OK && fit[i].flux > 0 && mag[i] > lo && mag[i] < hi;
        if (used)
            used[i] = (unsigned char)ok;
        if (ok)
            z[k++] = mag[i] + 2.5 * log10(fit[i].flux);
    }
    *nused = k;
    *zpt = *scatter = NAN;
    if (k) {
        double med = ph_median(z, (size_t)k);
        for (long i = 0; i < k; i++)
            z[i] = fabs(z[i] - med);
        *zpt = med;
        *scatter = 1.482602218505602 * ph_median(z, (size_t)k);
    }
    free(z);
}

int phot_star_apertures(const ph_fit_plane *p, const double *psf, long n, double dx, double dy,
                        double r, const ph_fit_opts *o, long nstars, const double *x,
                        const double *y, ph_fit_result *res)
{
    /* the stamp's enclosed flux, measured exactly as the stars are */
    float *pf = ph_malloc((size_t)n * n * sizeof *pf, "PSF plane"),
          *pv = ph_malloc((size_t)n * n * sizeof *pv, "PSF plane");
    if (!pf || !pv) {
        free(pf);
        free(pv);
        return PH_EFAIL;
    }
    for (long i = 0; i < n * n; i++)
        pf[i] = (float)psf[i], pv[i] = 1.0f;
    ph_fit_plane sp = {pf, pv, NULL, 0, n, n};
    double c = (n - 1) / 2.0, ee = ph_psffit_aperture_sum(&sp, c + dx, c + dy, r, 0.0, 0, NULL);
    free(pf);
    free(pv);
    for (long i = 0; i < nstars; i++) {
        double xs = x[i] + dx, ys = y[i] + dy, sky = 0.0;
        int ns = PH_FIT_MIN_SKY, nbad = 0;
        res[i] = (ph_fit_result){.flux = NAN, .flux_err = NAN, .status = PH_FIT_OK};
        if (o->r_out > 0)
            sky = ph_psffit_local_sky(p, xs, ys, o->r_in, o->r_out, &ns);
        if (!isfinite(sky) || ns < PH_FIT_MIN_SKY) {
            res[i].status = PH_FIT_NO_SKY;
            continue;
        }
        double a = ph_psffit_aperture_sum(p, xs, ys, r, sky, 0, &nbad);
        if (!isfinite(a) || !(ee > 0)) {
            res[i].status = PH_FIT_FEW_PIXELS;
            continue;
        }
        res[i].flux = a / ee;
        res[i].sky = sky;
    }
    return PH_OK;
}
