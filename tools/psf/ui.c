/* ui.c -- see ui.h. */
#include "ui.h"

#include "base/bands.h"
#include "base/log.h"
#include "steps.h" /* psf_model_set */

#include <math.h>
#include <string.h>

enum { O_OUTPUT = 'o', O_MODEL = 'm', O_BAND = 'b', O_SIZE = 256 };

#define U params
const ph_opt psf_options[] = {
    {"output", O_OUTPUT, "FILE", "PSF stamp to write (required)", "", PH_OPT_OUT,
     PH_AT(U, output)},
    {"ra", 0, "DEG", "right ascension of the position (with --dec)", "", PH_AT(U, ra), .lo = -360,
     .hi = 720},
    {"dec", 0, "DEG", "declination of the position (with --ra)", "", PH_AT(U, dec), .lo = -90,
     .hi = 90},
    {"x", 0, "X", "0-based pixel x of the position (with --y)", "", PH_AT(U, x), .lo = -1e7,
     .hi = 1e7},
    {"y", 0, "Y", "0-based pixel y of the position (with --x)", "", PH_AT(U, y), .lo = -1e7,
     .hi = 1e7},
    {"model", O_MODEL, "MODEL",
     "auto | epsf | romanfit | roman | gaussian:SIGMA | file:PATTERN ({band} {sca} {pointing}) "
     "| a25:DIR (the A25 ePSF library); default photometry.phrosty.psf.type, else auto: epsf "
     "where the image's stars support it, else romanfit (roman fitted to them), else roman with "
     "a warning",
     NULL, .flags = 0},
    {"size", O_SIZE, "N", "stamp size, odd, 3 ... 1001", NULL, PH_OPT_ODD, PH_AT(U, size),
     .lo = 3, .hi = 1001, .def = "41"},
    {"band", O_BAND, "BAND", "band, instead of the image's FILTER", "", .flags = 0},
    {"sca", 0, "N", "detector for {sca}, instead of the image's SCA_NUM", "", PH_AT(U, sca),
     .lo = 0, .hi = 1000000},
    {"pointing", 0, "ID", "observation id for {pointing}, instead of the image's", "",
     PH_AT(U, pointing)},
    {"at-position", 0, NULL,
     "PSF centre at the position's sub-pixel phase (phrosty's stamps) instead of the centre "
     "pixel's centre",
     NULL, PH_AT(U, at_position)},
    {"interp", 0, "bicubic|lanczos3|fourier",
     "file and a25 models: the resampling (default bicubic; a25: fourier)", NULL,
     PH_CHOICE_AT(U, interp_word)},
    PH_ROMANPSF_CLI_OPTS(U, rpsf),
    {"epsf-oversamp", 0, "N", "epsf: grid samples per pixel, 1 ... 8", NULL,
     PH_AT(U, ep.oversamp), .lo = 1, .hi = 8, .def = "4"},
    {"epsf-radius", 0, "PX", "epsf: model half-width (default: half the stamp size)", NULL,
     PH_AT(U, ep.radius), .lo = 2, .hi = 50},
    {"epsf-order", 0, "N", "epsf: spatial variation, 0 constant, 1 linear, 2 quadratic (1 and 2 "
                           "take longer, see man ph-psf)",
     NULL, PH_AT(U, ep.order), .lo = 0, .hi = 2, .def = "0"},
    {"epsf-stars", 0, "N", "epsf: brightest stars used at most", NULL, PH_AT(U, ep.maxstars),
     .lo = 5, .hi = 100000, .def = "300"},
    {"epsf-snr", 0, "SNR", "epsf: smallest star signal-to-noise", NULL, PH_AT(U, ep.snr), .lo = 5,
     .hi = 1e6, .def = "100"},
    {"epsf-thresh", 0, "K", "epsf: detection threshold, x sky rms", NULL, PH_AT(U, ep.thresh),
     .lo = 1, .hi = 1000, .def = "5"},
    {"epsf-iter", 0, "N", "epsf: fit iterations", NULL, PH_AT(U, ep.niter), .lo = 1, .hi = 50,
     .def = "3"},
    {"", 's', "N", "size", "", .flags = PH_OPT_ALIAS | PH_OPT_OLD}, /* old spelling, until the next release */
    {0}};
#undef U

void psf_ui_init(params *p)
{
    memset(p, 0, sizeof *p);
    p->ra = p->dec = p->x = p->y = NAN;
    p->sca = -1;
    p->interp_word = -1;
    ph_romanpsf_cli_init(&p->rpsf);
    epsf_defaults(&p->ep); /* the fit's fixed settings, and the table's */
    p->ep.radius = 0;      /* half the stamp size */
    ph_cli_defaults(psf_options, NULL, p); /* the table's: they parse (tests/cli) */
}

int psf_ui_handle(ph_cli *cli, int key, const char *arg)
{
    params *p = cli->ctx;
    switch (key) {
    case O_MODEL: return psf_model_set(p, arg, cli->source);
    case O_BAND:
        if (!ph_band_find(arg))
            return ph_cli_bad(cli, "unknown band '%s' (%s)", arg, ph_band_names());
        p->band = arg;
        return PH_OK;
    }
    return ph_cli_bad(cli, "unexpected option");
}

void psf_ui_finish(params *p)
{
    p->have_ra = !isnan(p->ra);
    p->have_dec = !isnan(p->dec);
    p->have_x = !isnan(p->x);
    p->have_y = !isnan(p->y);
    p->interp = p->interp_word == 1 ? PH_INTERP_LANCZOS3 : PH_INTERP_BICUBIC;
    p->fourier = p->interp_word < 0 ? -1 : p->interp_word == 2;
}
