/* ui.c -- see ui.h. */
#include "ui.h"
#include "base/log.h"

#include <math.h>
#include <string.h>

enum { K_SKYRMS = 256 };

#define U import_ui
const ph_opt import_options[] = {
    {"output", 'o', "FILE", "the ph image to write", "", PH_OPT_OUT, PH_AT(U, output)},
    {"hdu", 0, "HDU", "image HDU, name or number (default: the first 2-D image)", "",
     PH_AT(U, hdu)},
    {"noise", 0, "FILE", "noise (1-sigma) map: VAR = noise^2", "", PH_OPT_IN, PH_AT(U, noise)},
    {"var", 0, "FILE", "variance map (instead of --noise)", "", PH_OPT_IN, PH_AT(U, var)},
    {"mask", 0, "FILE", "bad-pixel mask: non-zero pixels are BAD", "", PH_OPT_IN, PH_AT(U, mask)},
    {"detmask", 0, "FILE", "detection mask: non-zero pixels are DETECTED (the SFFT fitting "
                           "pixels); all or none", "", PH_OPT_IN, PH_AT(U, det), .def = "all"},
    {"psf", 0, "FILE", "PSF model (odd square): written as the PSF HDU, sum 1", "", PH_OPT_IN,
     PH_AT(U, psf)},
    {"psf-size", 0, "N", "crop the PSF to N x N around its centre (odd)", "", PH_OPT_ODD,
     PH_AT(U, psf_size), .lo = 3, .hi = 100001},
    {"psf-out", 0, "FILE", "also write the PSF as a stamp file (ph-psf's format)", "",
     PH_OPT_OUT, PH_AT(U, psf_out)},
    {"skyrms", K_SKYRMS, "X", "sky rms for SKYRMS (default: median noise, or the image's "
                              "robust sigma)", "", .flags = 0},
    {"nan-outside", 0, NULL, "NaN image pixels are OUTSIDE (no data), not BAD", "",
     PH_AT(U, nan_outside)},
    {"band", 0, "NAME", "band (default: the FILTER key)", "", PH_AT(U, band)},
    {"mjd", 0, "MJD", "MJD of the exposure (default: MJD-OBS)", "", PH_AT(U, mjd)},
    {"zpt", 0, "MAG", "AB zero point (default: ZPT, else from the band)", "", PH_AT(U, zpt)},
    {0},
};
#undef U

void import_ui_init(import_ui *u)
{
    memset(u, 0, sizeof *u);
    u->mjd = u->zpt = NAN;
    ph_cli_defaults(import_options, NULL, u); /* the table's: they parse (tests/cli) */
}

/* A positive rms of any size (--skyrms): what a row's range cannot say,
 * with the message the tests check. */
int import_ui_handle(ph_cli *cli, int key, const char *arg)
{
    import_ui *u = cli->ctx;
    switch (key) {
    case K_SKYRMS:
        if (ph_cli_double(cli, arg, &u->skyrms))
            return PH_EUSAGE;
        return u->skyrms > 0 && isfinite(u->skyrms) ? PH_OK
                                                     : ph_cli_bad(cli, "%s is not positive", arg);
    }
    return ph_cli_bad(cli, "unexpected option");
}
