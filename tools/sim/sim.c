/* sim.c -- see sim.h: parameters, the static sky, the epochs, the WCS. */
#include "sim.h"
#include "cosmic.h"
#include "counts.h"
#include "base/log.h"
#include "sca.h"
#include "ui.h" /* sim_opts_init: the options' defaults */
#include "base/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define D2R (M_PI / 180.0)
/* Sky rate of every band, e-/px/s: Y106's OpenUniverse2024 level (SKY_MEAN
 * 112 e- in 302.275 s, pipeline-reference 1.1). */
#define SKY_RATE_E_S 0.37
/* W146 has no OpenUniverse2024 exposures; we use the wide-field 302.275 s. */
#define DEFAULT_EXPTIME_S 302.275

const char *sim_type_name(int type)
{
    return type == SIM_STAR ? "star" : type == SIM_GALAXY ? "galaxy" : "transient";
}

/* ph-sim's defaults: its option table's (ui.c), written there once. */
int sim_params_defaults(sim_params *p, const char *band)
{
    sim_opts c;
    sim_opts_init(&c);
    *p = c.p;
    if (ph_romanpsf_defaults(&p->psf, band))
        return PH_EUSAGE;
    p->band = ph_band_find(band);
    return PH_OK;
}

void sim_params_finish(sim_params *p)
{
    double *range[2] = {p->star_mag, p->gal_mag};
    for (int type = 0; type < 2; type++)
        if (isnan(range[type][0]) || isnan(range[type][1])) {
            double lo, hi;
            sim_counts_range(type, &lo, &hi);
            if (isnan(range[type][0]))
                range[type][0] = lo;
            if (isnan(range[type][1]))
                range[type][1] = hi;
        }
    /* Default counts: OU2024's sky density in the magnitude ranges, over the
     * image's area at 0.11"/px; at least one of each. */
    double side = PH_ROMAN_PIXSCALE_ARCSEC / 60.0, area_arcmin2 = p->nx * side * p->ny * side;
    if (p->nstars < 0)
        p->nstars = (long)ceil(sim_counts_density(SIM_STAR, p->star_mag[0], p->star_mag[1]) *
                               area_arcmin2);
    if (p->ngalaxies < 0)
        p->ngalaxies = (long)ceil(sim_counts_density(SIM_GALAXY, p->gal_mag[0], p->gal_mag[1]) *
                                  area_arcmin2);
    if (isnan(p->dither_px))
        p->dither_px = floor(0.05 * (p->nx < p->ny ? p->nx : p->ny));
    if (isnan(p->exptime_s))
        p->exptime_s = p->band->exptime_s > 0 ? p->band->exptime_s : DEFAULT_EXPTIME_S;
    if (isnan(p->sky_e))
        p->sky_e = SKY_RATE_E_S * p->exptime_s;
    if (p->cosmic_rays < 0)
        p->cosmic_rays = sim_cosmic_default(p->nx, p->ny, p->exptime_s);
    if (isnan(p->mjd_template))
        p->mjd_template = p->mjd_science - 365.0;
    if (isnan(p->sn_peak_mjd))
        p->sn_peak_mjd = p->mjd_science + 0.5 * (p->nscience > 1 ? p->nscience - 1 : 1) * p->cadence_days;
}

double sim_mag_to_flux(const sim_scene *s, double mag) { return pow(10.0, -0.4 * (mag - s->zpt)); }

double sim_transient_flux(const sim_params *p, double mjd)
{
    double t0 = p->sn_peak_mjd - p->sn_rise_days;
    double peak = pow(10.0, -0.4 * (p->sn_peak_mag - ph_band_zeropoint(p->band, p->exptime_s)));
    if (mjd <= t0)
        return 0.0;
    if (mjd <= p->sn_peak_mjd)
        return p->sn_rise_days > 0 ? peak * (mjd - t0) / p->sn_rise_days : peak;
    return peak * exp(-(mjd - p->sn_peak_mjd) / p->sn_fall_days);
}

/* Inverse gnomonic projection about (ra0, dec0): tangent-plane offsets
 * (xi east, eta north, degrees) to (ra, dec). */
static void tan_deproject(double ra0, double dec0, double xi, double eta, double *ra, double *dec)
{
    double x = xi * D2R, y = eta * D2R, d0 = dec0 * D2R;
    double den = cos(d0) - y * sin(d0);
    double a = atan2(x, den);
    *ra = fmod(ra0 + a / D2R + 360.0, 360.0);
    *dec = atan2((sin(d0) + y * cos(d0)) * cos(a), den) / D2R;
}

int sim_scene_add(sim_scene *s, const sim_obj *o)
{
    sim_obj *n = realloc(s->obj, (size_t)(s->nobj + 1) * sizeof *n);
    if (!n)
        return ph_error(PH_EFAIL, NULL, "out of memory for the object list");
    s->obj = n;
    s->obj[s->nobj++] = *o;
    return PH_OK;
}

static int draw_objects(sim_scene *s, ph_rng *r)
{
    const sim_params *p = &s->p;
    double scale = p->psf.pixscale_arcsec / 3600.0;
    /* A disc that holds every epoch's footprint: half diagonal + dither + margin. */
    double rad_px = 0.5 * hypot((double)p->nx, (double)p->ny) + 1.5 * p->dither_px + 32.0;
    double disc_over_image = M_PI * rad_px * rad_px / ((double)p->nx * p->ny);
    long counts[2] = {(long)llround(p->nstars * disc_over_image),
                      (long)llround(p->ngalaxies * disc_over_image)};
    static const double sersic_n[] = {1, 1, 1, 1, 1, 1, 0.5, 1.5, 2.5, 4, 4, 4};
    const double *range[2] = {p->star_mag, p->gal_mag};
    for (int type = 0; type < 2; type++) {
        for (long i = 0; i < counts[type]; i++) {
            sim_obj o = {0};
            double rr = rad_px * sqrt(ph_rng_uniform(r)) * scale, th = 2 * M_PI * ph_rng_uniform(r);
            tan_deproject(p->ra0, p->dec0, rr * cos(th), rr * sin(th), &o.ra, &o.dec);
            o.type = type;
            double mag = sim_counts_draw_mag(type, p->mag_dist, range[type][0], range[type][1], r);
            if (isnan(mag))
                return ph_error(PH_EUSAGE, NULL, "OpenUniverse2024 has no %ss of AB %g ... %g "
                                "(give --mag-dist uniform)", sim_type_name(type), range[type][0],
                                range[type][1]);
            o.flux = sim_mag_to_flux(s, mag);
            if (type == SIM_STAR) {
                o.id = 1000000 + i;
            } else {
                o.id = 2000000 + i;
                o.re_arcsec = sim_counts_galaxy_re(mag, r);
                o.n = sersic_n[ph_rng_u64(r) % (sizeof sersic_n / sizeof *sersic_n)];
                o.q = 0.3 + 0.7 * ph_rng_uniform(r);
                o.pa_deg = 180.0 * ph_rng_uniform(r);
            }
            if (sim_scene_add(s, &o))
                return PH_EFAIL;
        }
    }
    return PH_OK;
}

int sim_scene_build(sim_scene *s)
{
    sim_params *p = &s->p;
    s->zpt = ph_band_zeropoint(p->band, p->exptime_s);
    s->itransient = -1;
    ph_rng r;
    ph_rng_seed2(&r, p->seed, 1);
    if (draw_objects(s, &r))
        return PH_EFAIL;
    double ra_sn = p->ra0, dec_sn = p->dec0;
    if (p->host) {
        sim_obj h = {.id = 3000000, .type = SIM_GALAXY, .ra = p->ra0, .dec = p->dec0,
                     .flux = sim_mag_to_flux(s, 20.5), .re_arcsec = 0.4, .n = 1.0, .q = 0.6,
                     .pa_deg = 30.0};
        if (sim_scene_add(s, &h))
            return PH_EFAIL;
        tan_deproject(p->ra0, p->dec0, p->sn_offset_arcsec[0] / 3600.0,
                      p->sn_offset_arcsec[1] / 3600.0, &ra_sn, &dec_sn);
    }
    if (p->transient) {
        sim_obj t = {.id = p->oid, .type = SIM_TRANSIENT, .ra = ra_sn, .dec = dec_sn,
                     .science_only = 1};
        if (sim_scene_add(s, &t))
            return PH_EFAIL;
        s->itransient = s->nobj - 1;
    }
    /* Epochs: templates, then science; each its own pointing. */
    s->nepoch = p->ntemplates + p->nscience;
    s->ep = ph_calloc((size_t)(s->nepoch ? s->nepoch : 1), sizeof *s->ep, "epochs");
    if (!s->ep)
        return PH_EFAIL;
    double scale = p->psf.pixscale_arcsec / 3600.0;
    for (int k = 0; k < s->nepoch; k++) {
        sim_epoch *e = &s->ep[k];
        ph_rng er;
        ph_rng_seed2(&er, p->seed, 1000 + (uint64_t)k);
        e->is_template = k < p->ntemplates;
        int j = e->is_template ? k : k - p->ntemplates;
        e->mjd = (e->is_template ? p->mjd_template : p->mjd_science) + j * p->cadence_days;
        e->pointing = p->pointing0 + k;
        e->sca = p->sca > 0 ? p->sca : 1 + (long)(ph_rng_u64(&er) % 18);
        e->rot_deg = p->rot_deg + p->rot_range_deg * (2 * ph_rng_uniform(&er) - 1);
        if (p->rolls && k < p->nrolls) /* the same random draws either way */
            e->rot_deg = p->rot_deg + p->rolls[k];
        double ox = p->dither_px * (2 * ph_rng_uniform(&er) - 1);
        double oy = p->dither_px * (2 * ph_rng_uniform(&er) - 1);
        tan_deproject(p->ra0, p->dec0, ox * scale, oy * scale, &e->ra0, &e->dec0);
        e->jitter_arcsec = p->psf.jitter_arcsec * (1 + p->jitter_vary * (2 * ph_rng_uniform(&er) - 1));
        e->seed = ph_rng_u64(&er);
    }
    return PH_OK;
}

void sim_scene_free(sim_scene *s)
{
    free(s->obj);
    free(s->ep);
    s->obj = NULL;
    s->ep = NULL;
    s->nobj = s->nepoch = 0;
}

void sim_epoch_psf(const sim_scene *s, const sim_epoch *e, ph_romanpsf_opts *o)
{
    *o = s->p.psf;
    o->jitter_arcsec = e->jitter_arcsec;
    o->wfe_nm *= sim_sca_get(e->sca, 0).wfe_scale;
}

/* SIP polynomial for a 4088 SCA, normalised so that the displacement at the
 * worst corner is about `distortion_px` (0.92 of it); (p, q, A, B) with
 * U = u / 2044, V = v / 2044. Small enough to stay invertible (Jacobian
 * within 0.2% of one for 3 px). */
static const struct { int p, q; double a, b; } sip_terms[] = {
    {2, 0, 0.45, -0.20}, {1, 1, -0.25, 0.35}, {0, 2, 0.15, 0.40},
    {3, 0, 0.10, 0.00},  {1, 2, -0.05, 0.00}, {2, 1, 0.00, -0.04}, {0, 3, 0.00, 0.08},
};

int sim_epoch_header(const sim_scene *s, const sim_epoch *e, ph_header *h)
{
    const sim_params *p = &s->p;
    sim_sca g = sim_sca_get(e->sca, p->square_pixels);
    double th = e->rot_deg * D2R;
    int sip = p->distortion_px > 0;
    /* The +y step points at position angle rot (east of north), g.sy long;
     * the x step is g.sx long, at 90 degrees east-left of it tilted by the
     * SCA's skew (cos of the angle between them = g.cosxy). */
    double uy[2] = {sin(th), cos(th)}, ux[2] = {-cos(th), sin(th)};
    double sn = sqrt(1.0 - g.cosxy * g.cosxy), cd[2][2];
    for (int i = 0; i < 2; i++) {
        cd[i][0] = g.sx / 3600.0 * (sn * ux[i] + g.cosxy * uy[i]);
        cd[i][1] = g.sy / 3600.0 * uy[i];
    }
    int st = 0;
    st |= ph_header_set_long(h, "WCSAXES", 2, "number of World Coordinate System axes");
    st |= ph_header_set_str(h, "CTYPE1", sip ? "RA---TAN-SIP" : "RA---TAN", NULL);
    st |= ph_header_set_str(h, "CTYPE2", sip ? "DEC--TAN-SIP" : "DEC--TAN", NULL);
    st |= ph_header_set_double(h, "CRPIX1", p->nx / 2.0, "reference pixel (1-based)");
    st |= ph_header_set_double(h, "CRPIX2", p->ny / 2.0, "reference pixel (1-based)");
    st |= ph_header_set_double(h, "CRVAL1", e->ra0, "[deg] RA at the reference pixel");
    st |= ph_header_set_double(h, "CRVAL2", e->dec0, "[deg] Dec at the reference pixel");
    st |= ph_header_set_str(h, "CUNIT1", "deg", NULL);
    st |= ph_header_set_str(h, "CUNIT2", "deg", NULL);
    st |= ph_header_set_double(h, "CD1_1", cd[0][0], NULL);
    st |= ph_header_set_double(h, "CD1_2", cd[0][1], NULL);
    st |= ph_header_set_double(h, "CD2_1", cd[1][0], NULL);
    st |= ph_header_set_double(h, "CD2_2", cd[1][1], NULL);
    st |= ph_header_set_double(h, "LONPOLE", 180.0, NULL);
    st |= ph_header_set_double(h, "EQUINOX", 2000.0, NULL);
    if (sip) {
        double u = PH_ROMAN_NPIX / 2.0;
        st |= ph_header_set_long(h, "A_ORDER", 3, "SIP polynomial order");
        st |= ph_header_set_long(h, "B_ORDER", 3, "SIP polynomial order");
        for (size_t i = 0; i < sizeof sip_terms / sizeof *sip_terms; i++) {
            char key[16];
            int pp = sip_terms[i].p;
            double norm = p->distortion_px / pow(u, pp + sip_terms[i].q);
            /* SCAs 10-18: the pattern mirrored in x (u -> -u, A -> -A). */
            double sa = g.mirror ? (pp % 2 ? 1.0 : -1.0) : 1.0, sb = g.mirror && pp % 2 ? -1.0 : 1.0;
            snprintf(key, sizeof key, "A_%d_%d", pp, sip_terms[i].q);
            st |= ph_header_set_double(h, key, sa * sip_terms[i].a * norm, NULL);
            snprintf(key, sizeof key, "B_%d_%d", pp, sip_terms[i].q);
            st |= ph_header_set_double(h, key, sb * sip_terms[i].b * norm, NULL);
        }
    }
    st |= ph_header_set_str(h, "TELESCOP", "ROMAN", NULL);
    st |= ph_header_set_str(h, "INSTRUME", "WFI", NULL);
    st |= ph_header_set_str(h, "FILTER", p->band->name, "band");
    st |= ph_header_set_double(h, "MJD-OBS", e->mjd, "MJD of the exposure");
    st |= ph_header_set_long(h, "SCA_NUM", e->sca, "detector");
    st |= ph_header_set_double(h, "EXPTIME", p->exptime_s, "[s] exposure time");
    st |= ph_header_set_double(h, "ZPTMAG", 2.5 * log10(p->exptime_s * PH_ROMAN_AREA_CM2),
                               "2.5 log10(EXPTIME * 37570 cm2)");
    st |= ph_header_set_double(h, "RA_TARG", e->ra0, "[deg] pointing");
    st |= ph_header_set_double(h, "DEC_TARG", e->dec0, "[deg] pointing");
    st |= ph_header_set_double(h, "PA_OBSY", e->rot_deg, "[deg] position angle of +y");
    return st ? ph_error(PH_EFAIL, NULL, "cannot format the image header") : PH_OK;
}
