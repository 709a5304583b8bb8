/* ui.c -- see ui.h. Every option is typed: the table fills align_params. */
#include "ui.h"
#include "base/util.h"

#include <string.h>

#define P align_params
const ph_opt align_options[] = {
    {"science", 0, "FILE", "science ph image whose pixel grid and WCS the output takes (required)",
     "", PH_OPT_IN, PH_AT(P, target)},
    {"template", 0, "FILE", "template ph image to resample (required; also the argument)", "",
     PH_OPT_IN, PH_AT(P, template)},
    {"template-psf", 0, "FILE", "template PSF stamp (default: the template's PSF HDU)", "",
     PH_OPT_IN, PH_AT(P, psf)},
    {"output", 'o', "FILE", "aligned template ph image to write (required)", "", PH_OPT_OUT,
     PH_AT(P, output)},
    {"method", 0, "psf|phrosty",
     "psf: the template's stars fitted with its oversampled PSF (EPSF) and drawn exactly on the "
     "science grid, the rest interpolated with lanczos3; phrosty: everything interpolated "
     "bilinearly, as SFFT",
     PH_CHOICE_AT(P, method), .def = "psf", .values = (const int[]){METHOD_PSF, METHOD_PHROSTY}},
    {"interp", 0, "bilinear|bicubic|lanczos3",
     "interpolation (default: lanczos3, or bilinear with --method phrosty)",
     PH_CHOICE_AT(P, interp),
     .values = (const int[]){PH_INTERP_BILINEAR, PH_INTERP_BICUBIC, PH_INTERP_LANCZOS3}},
    {"star-snr", 0, "X", "psf method: smallest star S/N modelled", PH_AT(P, stars.snr_min),
     .lo = 1, .hi = 1e6, .def = "10"},
    {"var-weights", 0, "squared|linear",
     "squared: VAR = sum w^2 V, the variance of the interpolated pixel; linear: sum w V, as SFFT",
     PH_CHOICE_AT(P, ro.var_linear), .def = "squared"},
    {"flux-scale", 0, "mean|jacobian|none",
     "mean: multiply by the mean pixel-area ratio; jacobian: by the per-pixel ratio; none: no "
     "scaling (SFFT)",
     PH_CHOICE_AT(P, ro.flux), .def = "mean",
     .values = (const int[]){ALIGN_FLUX_MEAN, ALIGN_FLUX_JACOBIAN, ALIGN_FLUX_NONE}},
    {"psf-mode", 0, "rotate|affine|sfft",
     "rotate: rotate (mirror when parities differ), normalise; affine: full local map; sfft: "
     "SFFT's rotation exactly, unnormalised",
     PH_CHOICE_AT(P, psf_mode), .def = "rotate",
     .values = (const int[]){ALIGN_PSF_ROTATE, ALIGN_PSF_AFFINE, ALIGN_PSF_SFFT}},
    {"map-step", 0, "N",
     "exact WCS mapping every N pixels, interpolated between (1: exact everywhere)",
     PH_AT(P, map_step), .lo = 1, .hi = 1024, .def = "64"},
    {"map-tol", 0, "PX", "largest mapping error accepted; the step is halved until met",
     PH_AT(P, map_tol), .lo = 1e-9, .hi = 1.0, .def = "0.001"},
    {"mask-threshold", 0, "F",
     "DETECTED where the bilinearly resampled template mask >= F (SFFT's)",
     PH_AT(P, ro.det_threshold), .lo = 0.0, .hi = 1.0, .def = "0.1"},
    {"threads", 'j', "N", "threads (0: the CPUs this process may use, see ph-config cpus)",
     PH_AT(P, ro.nthreads), .lo = 0, .hi = 1024, .def = "0"},
    /* old spellings, accepted until the next release */
    {"target", 't', "FILE", "science", "", .flags = PH_OPT_ALIAS | PH_OPT_OLD},
    {"psf", 'p', "FILE", "template-psf", "", .flags = PH_OPT_ALIAS | PH_OPT_OLD},
    {"kernel", 'k', "NAME", "interp", NULL, .flags = PH_OPT_ALIAS | PH_OPT_OLD},
    {0},
};
#undef P

void align_ui_init(align_params *p)
{
    memset(p, 0, sizeof *p);
    ph_ptsrc_defaults(&p->stars);
    p->interp = -1;
    ph_cli_defaults(align_options, NULL, p); /* the table's: they parse (tests/cli) */
}

void align_ui_resolve(align_params *p)
{
    if (p->interp >= 0)
        p->ro.kernel = (ph_interp)p->interp;
    else
        p->ro.kernel = p->method == METHOD_PHROSTY ? PH_INTERP_BILINEAR : PH_INTERP_LANCZOS3;
    if (p->ro.nthreads == 0)
        p->ro.nthreads = ph_ncpu();
}
