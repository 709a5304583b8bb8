/* romanpsf_cli.c -- see romanpsf_cli.h: the values not given, and the
 * values given over the band's defaults. */
#include "sci/romanpsf_cli.h"

#include <math.h>

void ph_romanpsf_cli_init(ph_romanpsf_cli *s)
{
    s->jitter = s->wfe = s->obscuration = s->diffusion = NAN;
    s->nlambda = 0;
}

void ph_romanpsf_cli_apply(const ph_romanpsf_cli *s, ph_romanpsf_opts *o)
{
    if (isfinite(s->jitter))
        o->jitter_arcsec = s->jitter;
    if (isfinite(s->wfe))
        o->wfe_nm = s->wfe;
    if (isfinite(s->obscuration))
        o->obscuration = s->obscuration;
    if (isfinite(s->diffusion))
        o->diffusion_px = s->diffusion;
    if (s->nlambda > 0)
        o->nlambda = (int)s->nlambda;
}
