/* ph-align -- the template ph image resampled onto the science pixel grid,
 * with its PSF carried into the science frame (sfft-spec.md "Alignment",
 * sfft-reference.md §3; output: HACKING.md "Aligned template").
 *
 *   ph-align --science SCIENCE --template TEMPLATE [--template-psf PSF] -o ALIGNED
 *
 * main.c: the positional argument and the required options; the option
 * table is ui.c's, the steps, in order, are run.c's.
 */
#include "base/cli.h"
#include "base/log.h"
#include "run.h"
#include "ui.h"

int main(int argc, char **argv)
{
    align_params p;
    align_ui_init(&p);
    ph_cli cli = {
        .tool = "ph-align",
        .usage = "[OPTION]... --science SCIENCE --template TEMPLATE -o ALIGNED",
        .summary = "Resample a template ph image onto the science pixel grid and rotate its PSF.",
        .description =
            "TEMPLATE's SCI, VAR and MASK are resampled at the positions every science\n"
            "pixel maps to through both WCSs (SIP/TPV included); its PSF is carried into\n"
            "the science frame. The output is a ph image on the science grid with the\n"
            "science WCS, the template's metadata and AL* keys describing the alignment.",
        .example = "ph-align --science sci.fits --template tpl.fits --template-psf tpl_psf.fits "
                   "-o tpl_aligned.fits",
        .opts = align_options,
        .pos_in = 1,
        .ctx = &p,
    };
    int st = ph_cli_parse(&cli, argc, argv);
    if (!st && cli.npos > (p.template ? 0 : 1))
        st = ph_error(PH_EUSAGE, NULL, "expected one TEMPLATE ph image, got %d arguments (try --help)",
                      cli.npos + (p.template != NULL));
    if (!st && cli.npos == 1)
        p.template = cli.pos[0];
    if (!st && !p.template)
        st = ph_error(PH_EUSAGE, NULL, "--template TEMPLATE is required: the ph image to resample");
    if (!st && !p.target)
        st = ph_error(PH_EUSAGE, NULL, "--science SCIENCE is required: the image whose grid the "
                                       "template is resampled onto");
    if (!st && !p.output)
        st = ph_error(PH_EUSAGE, NULL, "-o/--output FILE is required");
    if (!st) {
        align_ui_resolve(&p);
        st = align_run(&p, p.template);
    }
    return ph_cli_exit(&cli, st);
}
