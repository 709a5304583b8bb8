/* render.c -- one epoch: objects through the WCS and PSF, then the
 * detector's hot pixels and the exposure's cosmic rays, then sky, dark,
 * photon and read noise, saturation and quantisation as roman_imsim's
 * simple model (pipeline-reference 1.1): objects and sky are Poisson
 * draws, the sum is clipped at the saturation level, read noise is added,
 * and SCI and the sky-only ERR plane share the sky, dark and read-noise
 * realisations, so SCI - ERR is the objects' photon counts (plus hot-pixel
 * and cosmic-ray charge); dead pixels and columns end at 0. */
#include "cosmic.h"
#include "defects.h"
#include "galaxy.h"
#include "base/log.h"
#include "sim.h"
#include "base/util.h"
#include "io/wcs.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PERIOD 1024
/* Objects fainter than this many e- (AB 25.2 in Y106: most of OU2024's
 * galaxies) are drawn on a period of 32 px instead of 64: their light
 * beyond 16 px of the centre (1 to 3%, a few e-) wraps around inside the
 * stamp, and drawing them costs a quarter as much. */
#define FAINT_E 1000.0

static long pow2_at_least(long L, long n)
{
    while (L < n)
        L *= 2;
    return L;
}

/* Add v to the image pixel under stamp pixel k (if it is on the image). */
static void put(const sim_params *p, long k, long L, long ix, long iy, double v, double *sci)
{
    long y = iy + k / L - L / 2, x = ix + k % L - L / 2;
    if (y >= 0 && y < p->ny && x >= 0 && x < p->nx)
        sci[y * p->nx + x] += v;
}

/* Add one object: its stamp (period L, centred on pixel (ix, iy)) times
 * flux, Poisson-drawn when noise is on; returns the photons drawn. */
static double add_stamp(const sim_scene *s, const double *stamp, long L, long ix, long iy,
                        double flux, ph_rng *r, double *sci)
{
    const sim_params *p = &s->p;
    long n = L * L;
    double drawn = 0.0, pos = 0.0;
    if (p->noise)
        for (long k = 0; k < n; k++)
            pos += stamp[k] > 0 ? stamp[k] : 0.0;
    if (p->noise && flux * pos < 0.25 * (double)n) {
        /* Few photons for the stamp's pixels (the faint galaxies that make
         * most of the sky): draw their total, then give each one a pixel
         * with probability proportional to the stamp -- the same
         * distribution as a Poisson draw per pixel (Poisson splitting), for
         * a handful of random numbers instead of one per pixel. The
         * photons' positions are sorted uniforms (cumulated exponential
         * spacings), met in one sweep of the stamp. */
        long np = (long)ph_rng_poisson(r, flux * pos);
        if (np == 0)
            return 0.0;
        ph_rng replay = *r; /* the same exponentials twice: their sum, then the sweep */
        double total = 0.0, cum = 0.0;
        for (long k = 0; k <= np; k++)
            total -= log(1.0 - ph_rng_uniform(r));
        double scale = pos / total, next = -log(1.0 - ph_rng_uniform(&replay)) * scale;
        long got = 0, last = -1;
        for (long k = 0; k < n && got < np; k++) {
            if (!(stamp[k] > 0))
                continue;
            cum += stamp[k];
            last = k;
            double v = 0.0;
            while (got < np && next < cum) {
                v += 1.0;
                got++;
                next -= log(1.0 - ph_rng_uniform(&replay)) * scale;
            }
            if (v > 0)
                put(p, k, L, ix, iy, v, sci);
        }
        if (got < np) /* rounding at the very end of the stamp */
            put(p, last, L, ix, iy, (double)(np - got), sci);
        return (double)np;
    }
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
        long L0 = flux < FAINT_E ? 32 : ph_romanpsf_period(psf, 1), L = L0;
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
            L = pow2_at_least(L0, (long)ceil(2 * ext) + L0 / 2);
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
                if (p->flag_saturated)
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

/* Hot pixels: their dark current, drawn (Poisson) when noise is on. */
static void add_hot(const sim_scene *s, const sim_epoch *e, const sim_defects *d, sim_image *img)
{
    const sim_params *p = &s->p;
    ph_rng r;
    ph_rng_seed2(&r, e->seed, (uint64_t)p->ny + 1);
    for (long k = 0; k < d->nhot; k++) {
        double mu = d->hot_rate[k] * p->exptime_s;
        img->sci[d->hot[k]] += p->noise ? ph_rng_poisson(&r, mu) : mu;
        img->dq[d->hot[k]] |= 1;
    }
}

/* Dead pixels and columns: SCI 0, DQ bit 1. */
static void add_dead(const sim_scene *s, const sim_defects *d, sim_image *img)
{
    const sim_params *p = &s->p;
    for (long k = 0; k < d->ncol; k++)
        for (long y = 0; y < p->ny; y++) {
            img->sci[y * p->nx + d->col[k]] = 0.0;
            img->dq[y * p->nx + d->col[k]] |= 1;
        }
    for (long k = 0; k < d->ndead; k++) {
        img->sci[d->dead[k]] = 0.0;
        img->dq[d->dead[k]] |= 1;
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
    sim_defects d;
    if (!st && !(st = sim_defects_get(p, e->sca, &d))) {
        add_hot(s, e, &d, img);
        img->nhot = d.nhot;
        img->ndead = d.ndead;
        if (p->noise && p->cosmic_rays > 0) {
            sim_cosmic_rays(p->nx, p->ny, p->cosmic_rays, e->seed, p->flag_cosmic_rays, img->sci,
                            img->dq);
            img->ncr = p->cosmic_rays;
        }
        add_sky_noise(s, e, img);
        add_dead(s, &d, img);
        sim_defects_free(&d);
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
