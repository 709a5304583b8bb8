/* params.c -- ph-sim's run parameters from its options (options.h): the
 * band's defaults first (sim_params_defaults), then every option given over
 * them, since several defaults (exposure time, sky, PSF) depend on the band
 * that may be given after them. */
#include "options.h"

#include "base/log.h"

#include <string.h>

/* Build the final parameters: band defaults, then every option given. */
int sim_opts_finish(sim_opts *c)
{
    sim_params *p = &c->p, *s = &c->set;
    if (sim_params_defaults(p, c->band))
        return PH_EUSAGE;
    p->nx = c->nx;
    p->ny = c->ny;
    struct { int key; void *dst; const void *src; size_t n; } copy[] = {
        {O_SEED, &p->seed, &s->seed, sizeof p->seed},
        {O_TEMPLATES, &p->ntemplates, &s->ntemplates, sizeof(int)},
        {O_SCIENCE, &p->nscience, &s->nscience, sizeof(int)},
        {O_MJD, &p->mjd_science, &s->mjd_science, sizeof(double)},
        {O_TMJD, &p->mjd_template, &s->mjd_template, sizeof(double)},
        {O_CADENCE, &p->cadence_days, &s->cadence_days, sizeof(double)},
        {O_RA, &p->ra0, &s->ra0, sizeof(double)},
        {O_DEC, &p->dec0, &s->dec0, sizeof(double)},
        {O_ROT, &p->rot_deg, &s->rot_deg, sizeof(double)},
        {O_ROTRANGE, &p->rot_range_deg, &s->rot_range_deg, sizeof(double)},
        {O_DITHER, &p->dither_px, &s->dither_px, sizeof(double)},
        {O_SCA, &p->sca, &s->sca, sizeof(long)},
        {O_POINTING, &p->pointing0, &s->pointing0, sizeof(long)},
        {O_DISTORT, &p->distortion_px, &s->distortion_px, sizeof(double)},
        {O_STARMAGS, p->star_mag, s->star_mag, 2 * sizeof(double)},
        {O_GALMAGS, p->gal_mag, s->gal_mag, 2 * sizeof(double)},
        {O_NOHOST, &p->host, &s->host, sizeof(int)},
        {O_NOTRANS, &p->transient, &s->transient, sizeof(int)},
        {O_OID, &p->oid, &s->oid, sizeof p->oid},
        {O_SNMAG, &p->sn_peak_mag, &s->sn_peak_mag, sizeof(double)},
        {O_SNPEAK, &p->sn_peak_mjd, &s->sn_peak_mjd, sizeof(double)},
        {O_SNRISE, &p->sn_rise_days, &s->sn_rise_days, sizeof(double)},
        {O_SNFALL, &p->sn_fall_days, &s->sn_fall_days, sizeof(double)},
        {O_SNOFF, p->sn_offset_arcsec, s->sn_offset_arcsec, 2 * sizeof(double)},
        {O_EXPTIME, &p->exptime_s, &s->exptime_s, sizeof(double)},
        {O_SKY, &p->sky_e, &s->sky_e, sizeof(double)},
        {O_SKYGRAD, p->sky_grad, s->sky_grad, 2 * sizeof(double)},
        {O_RDNOISE, &p->read_noise_e, &s->read_noise_e, sizeof(double)},
        {O_DARK, &p->dark_e_s, &s->dark_e_s, sizeof(double)},
        {O_SATURATE, &p->saturate_e, &s->saturate_e, sizeof(double)},
        {O_NONOISE, &p->noise, &s->noise, sizeof(int)},
        {O_FLAGSAT, &p->flag_saturated, &s->flag_saturated, sizeof(int)},
        {O_COSMIC, &p->cosmic_rays, &s->cosmic_rays, sizeof(long)},
        {O_FLAGCR, &p->flag_cosmic_rays, &s->flag_cosmic_rays, sizeof(int)},
        {O_HOTPIX, &p->hot_pixels, &s->hot_pixels, sizeof(long)},
        {O_SQUARE, &p->square_pixels, &s->square_pixels, sizeof(int)},
        {O_MAGDIST, &p->mag_dist, &s->mag_dist, sizeof(int)},
        {O_BADPIX, &p->bad_pixels, &s->bad_pixels, sizeof(long)},
        {O_BADCOL, &p->bad_columns, &s->bad_columns, sizeof(long)},
        {O_JITVARY, &p->jitter_vary, &s->jitter_vary, sizeof(double)},
    };
    for (size_t i = 0; i < sizeof copy / sizeof *copy; i++)
        if (SIM_GIVEN(c, copy[i].key))
            memcpy(copy[i].dst, copy[i].src, copy[i].n);
    if (c->nrolls) {
        p->rolls = c->rolls;
        p->nrolls = c->nrolls;
    }
    if (SIM_GIVEN(c, O_NSTARS))
        p->nstars = c->nstars;
    else if (c->catalog)
        p->nstars = 0;
    if (SIM_GIVEN(c, O_NGAL))
        p->ngalaxies = c->ngal;
    else if (c->catalog)
        p->ngalaxies = 0;
    if (c->psfmodel)
        ph_romanpsf_parse_model(c->psfmodel, &p->psf);
    ph_romanpsf_cli_apply(&c->rpsf, &p->psf);
    sim_params_finish(p);
    if (p->star_mag[0] > p->star_mag[1] || p->gal_mag[0] > p->gal_mag[1])
        return ph_error(PH_EUSAGE, NULL, "magnitude ranges must be LO,HI with LO <= HI");
    if (p->nrolls && p->nrolls != p->ntemplates + p->nscience)
        return ph_error(PH_EUSAGE, NULL,
                        "--rolls: %d values for %d epochs (%d templates, then %d science)",
                        p->nrolls, p->ntemplates + p->nscience, p->ntemplates, p->nscience);
    return PH_OK;
}
