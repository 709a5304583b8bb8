/* ui.c -- see ui.h. */
#include "ui.h"
#include "base/log.h"

#include <math.h>
#include <string.h>

enum { K_SCI_RMS = 256, K_REF_RMS };

#define O dc_opts
const ph_opt decorr_options[] = {
    {"output", 'o', "FILE", "the decorrelated file to write (required)", "", PH_OPT_OUT,
     PH_AT(O, output)},
    {"science-psf", 0, "FILE", "science PSF (default: HDU SCI_PSF)", "", PH_OPT_IN,
     PH_AT(O, src.sci_psf)},
    {"template-psf", 0, "FILE", "rotated template PSF (default: HDU REF_PSF)", "", PH_OPT_IN,
     PH_AT(O, src.ref_psf)},
    {"conv-psf", 0, "FILE", "PSF of DIFF (default: HDU CONV_PSF or science (*) template)", "",
     PH_OPT_IN, PH_AT(O, src.conv_psf)},
    {"target-psf", 0, "FILE",
     "science PSF at the transient's phase (default: HDU PHASED_PSF of DIFF_FILE)", "", PH_OPT_IN,
     PH_AT(O, src.target_psf)},
    {"centred-psf", 0, NULL,
     "DECORR_PSF from the centred science PSF, not PHASED_PSF (phrosty's; biased)",
     PH_AT(O, src.centred)},
    /* the sky rms values and the sizes: the handler (below) */
    {"science-rms", K_SCI_RMS, "X", "science sky rms (default: DIFF key SKYRMS)", "", .flags = 0},
    {"template-rms", K_REF_RMS, "X", "template sky rms (default: DIFF key TPLRMS)", "", .flags = 0},
    {"match-kernel", 0, NULL, "use the matching kernel (phrosty: no)", PH_AT(O, src.use_match)},
    {"match-kernel-file", 0, "FILE", "matching kernel (implies --match-kernel; default: HDU)", "",
     PH_OPT_IN, PH_AT(O, src.match_file)},
    {"psf-size", 0, "N", "odd size of DECORR_PSF (default: input's)", NULL, PH_OPT_ODD,
     PH_AT(O, psf_size), .lo = 1, .hi = 100001},
    {"kernel-size", 0, "N", "odd size of DECORR_KERNEL (default: 2L+1)", NULL, PH_OPT_ODD,
     PH_AT(O, kernel_size), .lo = 1, .hi = 100001},
    {"score", 0, "FILE", "also write the score image (HDU SCORE) to FILE", "", PH_OPT_OUT,
     PH_AT(O, score_file)},
    {"score-hdu", 0, NULL, "add the score image to the output as HDU SCORE",
     PH_AT(O, score_hdu)},
    {"threads", 'j', "N", "FFTW threads (0: the CPUs this process may use, see ph-config cpus)",
     PH_AT(O, threads), .lo = 0, .hi = 1024, .def = "0"},
    {"quicklook", 0, "PNG",
     "also draw z = DECORR_DIFF / sqrt(DIFF_VAR) around the transient and the brightest "
     "measured stars",
     "", PH_OPT_OUT, PH_AT(O, quicklook)},
    {"phrosty-dir", 0, "DIR",
     "also write phrosty's files into DIR: diff_, decorr_diff_, decorr_zptimg_, diff_var_, "
     "decorr_psf_<S>-<T> (S, T: the images' file names)",
     "", PH_OPT_DIR, PH_AT(O, phrosty_dir)},
    /* old spellings, accepted until the next release */
    {"sci-psf", 0, "FILE", "science-psf", "", .flags = PH_OPT_ALIAS | PH_OPT_OLD},
    {"ref-psf", 0, "FILE", "template-psf", "", .flags = PH_OPT_ALIAS | PH_OPT_OLD},
    {"sci-rms", 0, "X", "science-rms", "", .flags = PH_OPT_ALIAS | PH_OPT_OLD},
    {"ref-rms", 0, "X", "template-rms", "", .flags = PH_OPT_ALIAS | PH_OPT_OLD},
    {"", 'm', NULL, "match-kernel", "", .flags = PH_OPT_ALIAS | PH_OPT_OLD},
    {0},
};
#undef O

void dc_ui_init(dc_opts *o)
{
    memset(o, 0, sizeof *o);
    o->src.rms_sci = o->src.rms_ref = NAN; /* the DIFF header's */
    ph_cli_defaults(decorr_options, NULL, o);     /* the table's: they parse (tests/cli) */
}

void dc_ui_resolve(dc_opts *o)
{
    if (o->src.match_file)
        o->src.use_match = 1;
}

/* A sky rms: finite and non-negative, refused with a message that says so
 * (inf is a number the range [0, DBL_MAX] would report as out of range). */
static int nonneg_rms(ph_cli *cli, const char *arg, double *out)
{
    if (ph_cli_double(cli, arg, out))
        return PH_EUSAGE;
    if (!isfinite(*out) || *out < 0)
        return ph_cli_bad(cli, "%s is not a finite non-negative sky rms", arg);
    return PH_OK;
}

int dc_ui_handle(ph_cli *cli, int key, const char *arg)
{
    dc_opts *o = cli->ctx;
    switch (key) {
    case K_SCI_RMS: return nonneg_rms(cli, arg, &o->src.rms_sci);
    case K_REF_RMS: return nonneg_rms(cli, arg, &o->src.rms_ref);
    }
    return ph_cli_bad(cli, "unexpected option");
}
