/* params.c -- ph-sim's run parameters from its options (options.h): the
 * options fill them (ui.c); the band's PSF and the derived defaults
 * (exposure time, sky, counts, ...) come after the parse, since the band
 * may be given after the options they depend on. */
#include "options.h"

#include "base/bands.h"
#include "base/log.h"

/* The band's part of the parameters, then what the options imply. */
int sim_opts_finish(sim_opts *c)
{
    sim_params *p = &c->p;
    if (ph_romanpsf_defaults(&p->psf, c->band))
        return PH_EUSAGE;
    p->band = ph_band_find(c->band);
    p->host = !c->no_host;
    p->transient = !c->no_transient;
    p->noise = !c->no_noise;
    if (c->nrolls) {
        p->rolls = c->rolls;
        p->nrolls = c->nrolls;
    }
    if (c->catalog && p->nstars < 0) /* a catalogue: no random objects unless asked */
        p->nstars = 0;
    if (c->catalog && p->ngalaxies < 0)
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
