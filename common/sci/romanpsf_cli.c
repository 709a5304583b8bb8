/* romanpsf_cli.c -- see romanpsf_cli.h. The ranges are the union of what
 * ph-psf and ph-sim accepted before they shared these options; the model
 * itself (ph_romanpsf_new) has the last word on the edges. */
#include "sci/romanpsf_cli.h"

#include "base/log.h"

#include <math.h>

void ph_romanpsf_cli_init(ph_romanpsf_cli *s)
{
    s->jitter = s->wfe = s->obscuration = s->diffusion = NAN;
    s->nlambda = 0;
}

int ph_romanpsf_cli_owns(int key)
{
    return key >= PH_ROMANPSF_CLI_JITTER && key < PH_ROMANPSF_CLI_END;
}

int ph_romanpsf_cli_handle(ph_cli *cli, int key, const char *arg, ph_romanpsf_cli *s)
{
    switch (key) {
    case PH_ROMANPSF_CLI_JITTER: return ph_cli_double_range(cli, arg, 0, 1, &s->jitter);
    case PH_ROMANPSF_CLI_NLAMBDA: return ph_cli_long(cli, arg, 1, 200, &s->nlambda);
    case PH_ROMANPSF_CLI_WFE: return ph_cli_double_range(cli, arg, 0, 500, &s->wfe);
    case PH_ROMANPSF_CLI_OBSCURATION:
        return ph_cli_double_range(cli, arg, 0, 0.9, &s->obscuration);
    case PH_ROMANPSF_CLI_DIFFUSION: return ph_cli_double_range(cli, arg, 0, 5, &s->diffusion);
    }
    return ph_cli_bad(cli, "unexpected option");
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
