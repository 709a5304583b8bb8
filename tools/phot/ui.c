/* ui.c -- see ui.h. */
#include "ui.h"

#include "io/fits.h"
#include "base/log.h"

#include <math.h>
#include <string.h>

void phot_opts_default(phot_opts *o)
{
    *o = (phot_opts){.ra = NAN, .dec = NAN, .x0 = NAN, .y0 = NAN, .mag_lo = 19, .mag_hi = 21.5,
                     .min_stars = 3, .zpt_aperture = 4,
                     .fit = {.box = 5, .r_in = 15, .r_out = 25}, .aperture = 3,
                     .stamp_size = 100, .gpu_slots = 1};
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
