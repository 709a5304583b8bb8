/* ui.c -- see ui.h. */
#include "ui.h"

#include "catalog.h"
#include "io/fits.h"
#include "base/log.h"
#include "base/util.h"

#include <math.h>
#include <string.h>

/* The rows the handler parses: a grammar of their own. */
enum { K_MAGS = 256, K_ZPTAP, K_ANNULUS };

#define U phot_opts
const ph_opt phot_options[] = {
    {"output", 'o', "FILE", "the photometry row (CSV) to write (required)", "", PH_OPT_OUT,
     PH_AT(U, output)},
    {"ra", 0, "DEG", "transient RA (with --dec; through the DECORR_DIFF WCS)", "", PH_AT(U, ra),
     .lo = -360, .hi = 360},
    {"dec", 0, "DEG", "transient Dec", "", PH_AT(U, dec), .lo = -90, .hi = 90},
    {"x", 0, "X0", "transient column, 0-based (with --y; instead of --ra/--dec)", "",
     PH_AT(U, x0), .lo = -1e9, .hi = 1e9},
    {"y", 0, "Y0", "transient row, 0-based", "", PH_AT(U, y0), .lo = -1e9, .hi = 1e9},
    {"catalog", 0, "FILE",
     "stars for a zero point: OpenUniverse2024 truth file or CSV ra,dec,mag (default: header ZPT)",
     "", PH_OPT_IN, PH_AT(U, catalog)},
    {"zpt", 0, "FILE",
     "the science image's zero point: the file ph-phot SKY_IMAGE --catalog wrote", "", PH_OPT_IN,
     PH_AT(U, zpt_file)},
    {"science-psf", 0, "FILE",
     "zero-point mode: the image's PSF stamp (ph-psf; default: the image's PSF HDU)", "",
     PH_OPT_IN, PH_AT(U, psf)},
    {"catalog-format", 0, "auto|truth|csv", "catalogue format", PH_CHOICE_AT(U, catfmt),
     .def = "auto", .values = (const int[]){PH_CAT_AUTO, PH_CAT_TRUTH, PH_CAT_CSV}},
    {"mag-range", K_MAGS, "LO,HI", "AB range of the zero-point stars", .def = "19,21.5"},
    {"zpt-aperture", K_ZPTAP, "R|psf",
     "catalogue stars measured in an aperture of R px over the PSF's own, or psf: the PSF fit "
     "(phrosty; biased for undersampled PSFs)", .def = "4"},
    {"min-stars", 0, "N", "fewest stars for a catalogue zero point", PH_AT(U, min_stars), .lo = 1,
     .hi = 1000000, .def = "3"},
    {"fit-size", 0, "N", "odd side of the PSF fit box, px", NULL, PH_OPT_ODD, PH_AT(U, fit.box),
     .lo = 1, .hi = 51, .def = "5"},
    {"annulus", K_ANNULUS, "RIN,ROUT", "local sky annulus, px, or none", .def = "15,25"},
    {"aperture", 0, "R", "aperture_sum radius, px", PH_AT(U, aperture), .lo = 0.1, .hi = 1000,
     .def = "3"},
    {"aperture-subpixels", 0, "N",
     "0: exact pixel/circle overlap; N: photutils' subpixel method (phrosty: 5)",
     PH_AT(U, subpixels), .lo = 0, .hi = 100, .def = "0"},
    {"no-aperture-correction", 0, NULL,
     "fluxes of the normalised DECORR_PSF as phrosty (default: divided by PSFFRAC x (1 - "
     "PSFLOSS), the model flux the stamp holds)", PH_AT(U, no_apcorr)},
    {"stamps", 0, "DIR", "write phrosty's stamps around the transient into DIR", "", PH_OPT_DIR,
     PH_AT(U, stamps)},
    {"stamp-size", 0, "N", "stamp side, px", PH_AT(U, stamp_size), .lo = 2, .hi = 10000,
     .def = "100"},
    {"aligned", 0, "FILE", "aligned template (ph-align output) for its stamp", "", PH_OPT_IN,
     PH_AT(U, aligned)},
    {"diff", 0, "FILE", "difference before decorrelation (ph-subtract output, or one image) "
                        "for stamp_diff_", "", PH_OPT_IN, PH_AT(U, diff)},
    {"science-image", 0, "FILE", "original science image (its SCI) for stamp_<S>", "", PH_OPT_IN,
     PH_AT(U, sci_image)},
    {"template-image", 0, "FILE", "original template image for stamp_<T> (through its WCS)", "",
     PH_OPT_IN, PH_AT(U, tpl_image)},
    {"star-table", 0, "FILE", "write every catalogue star's fit (CSV)", "", PH_OPT_OUT,
     PH_AT(U, star_table)},
    PH_GPU_DEVICE_OPT(U, device, "where the star fits run"),
    PH_GPU_LOCK_OPTS(U, gpu_lock, gpu_slots),
    /* old spellings, accepted until the next release */
    {"sci-image", 0, "FILE", "science-image", "", .flags = PH_OPT_ALIAS | PH_OPT_OLD},
    {"tpl-image", 0, "FILE", "template-image", "", .flags = PH_OPT_ALIAS | PH_OPT_OLD},
    {"psf", 0, "FILE", "science-psf", "", .flags = PH_OPT_ALIAS | PH_OPT_OLD},
    {0},
};
#undef U

void phot_opts_default(phot_opts *o)
{
    *o = (phot_opts){.ra = NAN, .dec = NAN, .x0 = NAN, .y0 = NAN};
    ph_cli_defaults(phot_options, phot_ui_handle, o); /* the table's: they parse (tests/cli) */
}

/* LO,HI with LO < HI. */
static int pair_arg(ph_cli *cli, const char *arg, double *a, double *b)
{
    double v[2];
    if (ph_cli_pair(cli, arg, "LO,HI", v))
        return PH_EUSAGE;
    if (!(v[0] < v[1]))
        return ph_cli_bad(cli, "'%s': the first value must be below the second", arg);
    *a = v[0];
    *b = v[1];
    return PH_OK;
}

/* Two numbers LO,HI (--mag-range, --annulus), a number or the word psf
 * (--zpt-aperture): what a typed row cannot say. */
int phot_ui_handle(ph_cli *cli, int key, const char *arg)
{
    phot_opts *o = cli->ctx;
    switch (key) {
    case K_MAGS: return pair_arg(cli, arg, &o->mag_lo, &o->mag_hi);
    case K_ZPTAP:
        if (!strcmp(arg, "psf")) {
            o->zpt_aperture = 0;
            return PH_OK;
        }
        return ph_cli_double_range(cli, arg, 0.5, 100, &o->zpt_aperture);
    case K_ANNULUS:
        if (!strcmp(arg, "none")) {
            o->fit.r_in = o->fit.r_out = 0;
            return PH_OK;
        }
        if (pair_arg(cli, arg, &o->fit.r_in, &o->fit.r_out))
            return PH_EUSAGE;
        if (o->fit.r_in < 0 || o->fit.r_out > 1000)
            return ph_cli_bad(cli, "'%s': radii must lie in 0 ... 1000 px", arg);
        return PH_OK;
    }
    return ph_cli_bad(cli, "unexpected option");
}

int phot_check_pair(const ph_cli *cli, const phot_opts *o)
{
    if (cli->npos != 1)
        return ph_error(PH_EUSAGE, NULL, "expected one decorrelated file, got %d (try --help)",
                        cli->npos);
    if (!o->output)
        return ph_error(PH_EUSAGE, NULL, "no output: give -o FILE");
    if (strcmp(o->output, "-") && !strcmp(o->output, cli->pos[0]))
        return ph_error(PH_EUSAGE, NULL, "the output %s would replace the input", o->output);
    int sky = !isnan(o->ra) || !isnan(o->dec), pix = !isnan(o->x0) || !isnan(o->y0);
    if (sky && pix)
        return ph_error(PH_EUSAGE, NULL, "give --ra/--dec or --x/--y, not both");
    if (!sky && !pix)
        return ph_error(PH_EUSAGE, NULL, "no position: give --ra and --dec (or --x and --y)");
    if (sky && (isnan(o->ra) || isnan(o->dec)))
        return ph_error(PH_EUSAGE, NULL, "--ra and --dec go together");
    if (pix && (isnan(o->x0) || isnan(o->y0)))
        return ph_error(PH_EUSAGE, NULL, "--x and --y go together");
    if (o->star_table && !o->catalog)
        return ph_error(PH_EUSAGE, NULL, "--star-table needs --catalog");
    if (o->zpt_file && o->catalog)
        return ph_error(PH_EUSAGE, NULL, "--zpt and --catalog both give the zero point; give one");
    if (o->psf)
        return ph_error(PH_EUSAGE, NULL, "--science-psf is for the zero point of a ph image; a "
                        "decorrelated file has its DECORR_PSF");
    if ((o->aligned || o->sci_image || o->tpl_image || o->diff) && !o->stamps)
        return ph_error(PH_EUSAGE, NULL, "--%s is only read for --stamps",
                        o->aligned ? "aligned" : o->sci_image ? "science-image"
                                             : o->tpl_image ? "template-image" : "diff");
    if (o->fit.r_out > 0 && o->fit.r_in >= o->fit.r_out)
        return ph_error(PH_EUSAGE, NULL, "--annulus: the inner radius must be below the outer");
    return PH_OK;
}

int phot_is_ph_image(const char *path)
{
    ph_fits fp;
    if (ph_fits_open(&fp, path)) {
        ph_error_clear(); /* the pair mode says what is wrong with it */
        return 0;
    }
    int yes = !ph_fits_has_hdu(&fp, "DECORR_DIFF") && ph_fits_has_hdu(&fp, "SCI") &&
              ph_fits_has_hdu(&fp, "VAR") && ph_fits_has_hdu(&fp, "MASK");
    ph_fits_close(&fp);
    return yes;
}

int phot_check_zp(const phot_opts *o)
{
    const char *pair = !isnan(o->ra) || !isnan(o->dec) ? "--ra/--dec"
                       : !isnan(o->x0) || !isnan(o->y0) ? "--x/--y"
                       : o->stamps                       ? "--stamps"
                       : o->zpt_file                     ? "--zpt"
                       : o->aligned                      ? "--aligned"
                       : o->diff                         ? "--diff"
                       : o->sci_image || o->tpl_image    ? "--science-image/--template-image"
                                                         : NULL;
    if (!o->catalog)
        return ph_error(PH_EUSAGE, NULL, "a ph image is given: ph-phot measures its zero point, "
                        "which needs --catalog STARS (the transient is measured on ph-decorr's "
                        "file)");
    if (pair)
        return ph_error(PH_EUSAGE, NULL, "%s is for a decorrelated file; a ph image only gets "
                        "its zero point", pair);
    if (!o->output)
        return ph_error(PH_EUSAGE, NULL, "no output: give -o FILE");
    return PH_OK;
}
