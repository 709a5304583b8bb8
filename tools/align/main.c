/* ph-align -- the template ph image resampled onto the science pixel grid,
 * with its PSF carried into the science frame (sfft-spec.md "Alignment",
 * sfft-reference.md §3; output: HACKING.md "Aligned template").
 *
 *   ph-align --science SCIENCE --template TEMPLATE [--template-psf PSF] -o ALIGNED
 *
 * main.c: the option table, their handling and checks; the steps, in
 * order, are in run.c.
 */
#include "base/cli.h"
#include "base/log.h"
#include "run.h"
#include "base/timing.h"
#include "base/util.h"

enum { OPT_VARW = 256, OPT_FLUX, OPT_PSFMODE, OPT_STEP, OPT_TOL, OPT_MTHR, OPT_METHOD,
       OPT_STARSNR, OPT_SCI, OPT_TPL, OPT_TPSF, OPT_INTERP };

static const ph_opt opts[] = {
    {"science", OPT_SCI, "FILE", "science ph image whose pixel grid and WCS the output takes (required)",
     "", PH_OPT_IN},
    {"template", OPT_TPL, "FILE", "template ph image to resample (required; also the argument)", "",
     PH_OPT_IN},
    {"template-psf", OPT_TPSF, "FILE", "template PSF stamp (default: the template's PSF HDU)", "",
     PH_OPT_IN},
    {"output", 'o', "FILE", "aligned template ph image to write (required)", "", PH_OPT_OUT},
    {"method", OPT_METHOD, "psf|phrosty",
     "psf: the template's stars fitted with its oversampled PSF (EPSF) and drawn exactly on the "
     "science grid, the rest interpolated with lanczos3 (default); phrosty: everything "
     "interpolated bilinearly, as SFFT",
     NULL, 0},
    {"interp", OPT_INTERP, "bilinear|bicubic|lanczos3",
     "interpolation (default: lanczos3, or bilinear with --method phrosty)", NULL, 0},
    {"star-snr", OPT_STARSNR, "X", "psf method: smallest star S/N modelled (default 10)", NULL, 0},
    {"var-weights", OPT_VARW, "W",
     "squared: VAR = sum w^2 V, the variance of the interpolated pixel (default); linear: "
     "sum w V, as SFFT",
     NULL, 0},
    {"flux-scale", OPT_FLUX, "MODE",
     "mean: multiply by the mean pixel-area ratio (default); jacobian: by the per-pixel ratio; "
     "none: no scaling (SFFT)",
     NULL, 0},
    {"psf-mode", OPT_PSFMODE, "MODE",
     "rotate: rotate (mirror when parities differ), normalise (default); affine: full local "
     "map; sfft: SFFT's rotation exactly, unnormalised",
     NULL, 0},
    {"map-step", OPT_STEP, "N", "exact WCS mapping every N pixels, interpolated between (default 64; "
                                "1: exact everywhere)",
     NULL, 0},
    {"map-tol", OPT_TOL, "PX", "largest mapping error accepted; the step is halved until met "
                               "(default 0.001)",
     NULL, 0},
    {"mask-threshold", OPT_MTHR, "F",
     "DETECTED where the bilinearly resampled template mask >= F (default 0.1, SFFT's)", NULL, 0},
    {"threads", 'j', "N", "threads (default 0: the CPUs this process may use, see ph-config cpus)",
     NULL, 0},
    /* old spellings, accepted until the next release */
    {"target", 't', "FILE", "science", "", PH_OPT_ALIAS | PH_OPT_OLD},
    {"psf", 'p', "FILE", "template-psf", "", PH_OPT_ALIAS | PH_OPT_OLD},
    {"kernel", 'k', "NAME", "interp", NULL, PH_OPT_ALIAS | PH_OPT_OLD},
    {NULL, 0, NULL, NULL, NULL, 0}};

static int handle(ph_cli *cli, int key, const char *arg)
{
    align_params *p = cli->ctx;
    int i;
    long v;
    switch (key) {
    case OPT_SCI:
        p->target = arg;
        return PH_OK;
    case OPT_TPL:
        p->template = arg;
        return PH_OK;
    case OPT_TPSF:
        p->psf = arg;
        return PH_OK;
    case 'o':
        p->output = arg;
        return PH_OK;
    case OPT_INTERP:
        if (ph_cli_choice(cli, arg, "bilinear|bicubic|lanczos3", &i))
            return PH_EUSAGE;
        p->ro.kernel = i == 0 ? PH_INTERP_BILINEAR : i == 1 ? PH_INTERP_BICUBIC : PH_INTERP_LANCZOS3;
        p->kernel_set = 1;
        return PH_OK;
    case OPT_METHOD:
        if (ph_cli_choice(cli, arg, "psf|phrosty", &i))
            return PH_EUSAGE;
        p->method = i;
        return PH_OK;
    case OPT_STARSNR:
        return ph_cli_double_range(cli, arg, 1, 1e6, &p->stars.snr_min);
    case OPT_VARW:
        if (ph_cli_choice(cli, arg, "squared|linear", &i))
            return PH_EUSAGE;
        p->ro.var_linear = i == 1;
        return PH_OK;
    case OPT_FLUX:
        if (ph_cli_choice(cli, arg, "mean|jacobian|none", &i))
            return PH_EUSAGE;
        p->ro.flux = i == 0 ? ALIGN_FLUX_MEAN : i == 1 ? ALIGN_FLUX_JACOBIAN : ALIGN_FLUX_NONE;
        return PH_OK;
    case OPT_PSFMODE:
        if (ph_cli_choice(cli, arg, "rotate|affine|sfft", &i))
            return PH_EUSAGE;
        p->psf_mode = i == 0 ? ALIGN_PSF_ROTATE : i == 1 ? ALIGN_PSF_AFFINE : ALIGN_PSF_SFFT;
        p->psf_mode_set = 1;
        return PH_OK;
    case OPT_STEP:
        return ph_cli_long(cli, arg, 1, 1024, &p->map_step);
    case OPT_TOL:
        return ph_cli_double_range(cli, arg, 1e-9, 1.0, &p->map_tol);
    case OPT_MTHR:
        return ph_cli_double_range(cli, arg, 0.0, 1.0, &p->ro.det_threshold);
    case 'j':
        if (ph_cli_long(cli, arg, 0, 1024, &v))
            return PH_EUSAGE;
        p->ro.nthreads = (int)v;
        return PH_OK;
    }
    return ph_cli_bad(cli, "unexpected option");
}
int main(int argc, char **argv)
{
    align_params p = {.ro = {.kernel = PH_INTERP_LANCZOS3, .det_threshold = 0.1,
                       .flux = ALIGN_FLUX_MEAN},
                .psf_mode = ALIGN_PSF_ROTATE,
                .map_step = 64,
                .map_tol = 0.001};
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
        .opts = opts,
        .pos_in = 1,
        .handle = handle,
        .ctx = &p,
    };
    ph_ptsrc_defaults(&p.stars);
    int st = ph_cli_parse(&cli, argc, argv);
    if (st < 0)
        return 0;
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
    if (!st && p.ro.nthreads == 0)
        p.ro.nthreads = ph_ncpu();
    if (!st && p.method == METHOD_PHROSTY && !p.kernel_set)
        p.ro.kernel = PH_INTERP_BILINEAR;
    if (!st)
        st = align_run(&p, p.template);
    if (cli.timing)
        ph_timing_report();
    ph_cli_free(&cli);
    return st ? ph_report_error() : 0;
}
