/* render.c -- one epoch: objects through the WCS and PSF, then sky, dark,
 * photon and read noise, saturation and quantisation as roman_imsim's
 * simple model (pipeline-reference 1.1): objects and sky are Poisson
 * draws, the sum is clipped at the saturation level, read noise is added,
 * and SCI and the sky-only ERR plane share the sky, dark and read-noise
 * realisations, so SCI - ERR is the objects' photon counts. */
#include "galaxy.h"
#include "log.h"
#include "sim.h"
#include "util.h"
#include "wcs.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PERIOD 1024

static long pow2_at_least(long n)
{
    long L = 64;
    while (L < n)
        L *= 2;
    return L;
}

/* Add one object: its stamp (period L, centred on pixel (ix, iy)) times
 * flux, Poisson-drawn when noise is on; returns the photons drawn. */
static double add_stamp(const sim_scene *s, const double *stamp, long L, long ix, long iy,
                        double flux, ph_rng *r, double *sci)
{
    const sim_params *p = &s->p;
    double drawn = 0.0;
    for (long j = 0; j < L; j++) {
        long y = iy + j - L / 2;
        int yin = y >= 0 && y < p->ny;
        for (long i = 0; i < L; i++) {
            long x = ix + i - L / 2;
            double mu = flux * stamp[j * L + i];
            double v = p->noise ? ph_rng_poisson(r, mu > 0 ? mu : 0) : mu;
            drawn += v;
            if (yin && x >= 0 && x < p->nx)
                sci[y * p->nx + x] += v;
        }
    }
    return drawn;
}

static int render_objects(const sim_scene *s, const sim_epoch *e, ph_romanpsf *psf, ph_wcs *w,
                          sim_image *img)
{
    const sim_params *p = &s->p;
    int n = s->nobj, st = PH_OK;
    double *ra = malloc((size_t)(n ? n : 1) * sizeof *ra), *dec = malloc((size_t)(n ? n : 1) * sizeof *dec);
    double *x0 = malloc((size_t)(n ? n : 1) * sizeof *x0), *y0 = malloc((size_t)(n ? n : 1) * sizeof *y0);
    double *stamp = malloc((size_t)MAX_PERIOD * MAX_PERIOD * sizeof *stamp);
    img->truth = malloc((size_t)(n ? n : 1) * sizeof *img->truth);
    if (!ra || !dec || !x0 || !y0 || !stamp || !img->truth) {
        st = ph_error(PH_EFAIL, NULL, "out of memory rendering %d objects", n);
        goto done;
    }
    for (int i = 0; i < n; i++) {
        ra[i] = s->obj[i].ra;
        dec[i] = s->obj[i].dec;
    }
    if ((st = ph_wcs_sky2pix(w, (size_t)n, ra, dec, x0, y0)))
        goto done;
    for (int i = 0; i < n && !st; i++) {
        const sim_obj *o = &s->obj[i];
        if (o->science_only && e->is_template)
            continue;
        double flux = o->type == SIM_TRANSIENT && i == s->itransient ? sim_transient_flux(p, e->mjd)
                                                                      : o->flux;
        if (!(flux > 0) || !isfinite(x0[i]) || !isfinite(y0[i]))
            continue;
        long ix = (long)floor(x0[i] + 0.5), iy = (long)floor(y0[i] + 0.5);
        double dx = x0[i] - ix, dy = y0[i] - iy;
        long L = ph_romanpsf_period(psf, 1);
        sim_galaxy_ft g;
        ph_source_ft src, *srcp = NULL;
        if (o->type == SIM_GALAXY) {
            const sersic_table *tab = sersic_get(o->n);
            ph_wcs_local loc;
            if (!tab || (st = ph_wcs_local_at(w, x0[i], y0[i], &loc)))
                goto done;
            double J[2][2];
            for (int a = 0; a < 2; a++)
                for (int b = 0; b < 2; b++)
                    J[a][b] = loc.cd[a][b] * 3600.0;
            double ext = sim_galaxy_setup(&g, &src, tab, J, o->re_arcsec, o->q, o->pa_deg);
            L = pow2_at_least((long)ceil(2 * ext) + 32);
            if (L > MAX_PERIOD) {
                st = ph_error(PH_EFAIL, NULL, "galaxy %lld is too large to draw (%.0f px across; "
                              "at most %d)", o->id, 2 * ext, MAX_PERIOD - 32);
                goto done;
            }
            srcp = &src;
        }
        if (ix + L / 2 <= 0 || ix - L / 2 >= p->nx || iy + L / 2 <= 0 || iy - L / 2 >= p->ny)
            continue; /* the stamp misses the image */
        if ((st = ph_romanpsf_render(psf, srcp, L, 1, dx, dy, stamp)))
            goto done;
        ph_rng r;
        ph_rng_seed2(&r, e->seed ^ 0x6f626a65637473ULL, (uint64_t)i);
        sim_truth *t = &img->truth[img->ntruth++];
        t->iobj = i;
        t->x0 = x0[i];
        t->y0 = y0[i];
        t->flux = flux;
        t->realized = add_stamp(s, stamp, L, ix, iy, flux, &r, img->sci);
    }
done:
    free(ra);
    free(dec);
    free(x0);
    free(y0);
    free(stamp);
    return st;
}

/* Sky, dark, noise, saturation, quantisation; one random stream per row so
 * that the result does not depend on how rows are visited. */
static void add_sky_noise(const sim_scene *s, const sim_epoch *e, sim_image *img)
{
    const sim_params *p = &s->p;
    double dark = p->dark_e_s * p->exptime_s, cx = (p->nx - 1) / 2.0, cy = (p->ny - 1) / 2.0;
    for (long y = 0; y < p->ny; y++) {
        ph_rng r;
        ph_rng_seed2(&r, e->seed, (uint64_t)y);
        double *sci = img->sci + y * p->nx;
        float *err = img->err + y * p->nx;
        uint32_t *dq = img->dq + y * p->nx;
        double sky_y = p->sky_e + p->sky_grad[1] * (y - cy) / 1000.0 + dark;
        for (long x = 0; x < p->nx; x++) {
            double mean = sky_y + p->sky_grad[0] * (x - cx) / 1000.0;
            if (mean < 0)
                mean = 0;
            double sky = p->noise ? ph_rng_poisson(&r, mean) : mean;
            double tot = sci[x] + sky;
            if (tot > p->saturate_e) {
                tot = p->saturate_e;
                dq[x] |= 2;
            }
            if (p->noise) {
                double rn = p->read_noise_e * ph_rng_gauss(&r);
                sci[x] = nearbyint(tot + rn);
                err[x] = (float)nearbyint(sky + rn);
            } else {
                sci[x] = tot;
                err[x] = (float)mean;
            }
        }
    }
    img->sky_mean = p->sky_e + dark;
}

/* Dead pixels and columns: SCI 0, DQ bit 1. */
static void add_defects(const sim_scene *s, const sim_epoch *e, sim_image *img)
{
    const sim_params *p = &s->p;
    ph_rng r;
    ph_rng_seed2(&r, e->seed, (uint64_t)p->ny + 1);
    for (long k = 0; k < p->bad_columns; k++) {
        long x = (long)(ph_rng_u64(&r) % (uint64_t)p->nx);
        for (long y = 0; y < p->ny; y++) {
            img->sci[y * p->nx + x] = 0.0;
            img->dq[y * p->nx + x] |= 1;
        }
    }
    for (long k = 0; k < p->bad_pixels; k++) {
        long i = (long)(ph_rng_u64(&r) % (uint64_t)(p->nx * p->ny));
        img->sci[i] = 0.0;
        img->dq[i] |= 1;
    }
}

int sim_render(const sim_scene *s, const sim_epoch *e, ph_romanpsf *psf, sim_image *img)
{
    const sim_params *p = &s->p;
    memset(img, 0, sizeof *img);
    img->nx = p->nx;
    img->ny = p->ny;
    size_t npix = (size_t)p->nx * p->ny;
    ph_header *h = ph_header_new();
    ph_wcs *w = NULL;
    int st = h ? sim_epoch_header(s, e, h) : ph_error(PH_EFAIL, NULL, "out of memory");
    if (!st)
        st = ph_wcs_from_header(h, "generated WCS", &w);
    ph_header_free(h);
    if (!st) {
        img->sci = ph_calloc(npix, sizeof *img->sci, "SCI plane");
        img->err = ph_malloc(npix * sizeof *img->err, "ERR plane");
        img->dq = ph_calloc(npix, sizeof *img->dq, "DQ plane");
        if (!img->sci || !img->err || !img->dq)
            st = PH_EFAIL;
    }
    if (!st)
        st = render_objects(s, e, psf, w, img);
    if (!st) {
        add_sky_noise(s, e, img);
        add_defects(s, e, img);
    }
    ph_wcs_free(w);
    if (st)
        sim_image_free(img);
    return st;
}

void sim_image_free(sim_image *img)
{
    free(img->sci);
    free(img->err);
    free(img->dq);
    free(img->truth);
    memset(img, 0, sizeof *img);
}
