/* ph-decorr -- whiten the noise of a difference image (phrosty's step
 * "find/apply decorrelation" and "variance", sfft-reference §6-7).
 *
 *   ph-decorr DIFF_FILE -o decorr.fits
 *
 * Reads ph-subtract's difference file (HACKING.md "Difference file"),
 * computes the decorrelation filter from both PSFs and both sky rms values
 * (and the matching kernel with --match-kernel), and writes the "Decorrelated file":
 * DECORR_DIFF, DECORR_SCI, DIFF_VAR, DECORR_PSF, DECORR_KERNEL, MASK (and
 * SCORE on request). Full planes are streamed one at a time through one
 * FFT buffer: peak memory is about 4.5 float64 planes.
 *
 * main.c: the option table, their handling and checks; the run is in
 * run.c, the products in products.c.
 */
#include "base/cli.h"
#include "base/log.h"
#include "run.h"
#include "base/timing.h"

#include <math.h>
#include <string.h>

enum { K_SCI_PSF = 256, K_REF_PSF, K_CONV_PSF, K_TARGET_PSF, K_CENTRED, K_SCI_RMS, K_REF_RMS, K_MATCH_FILE, K_PSF_SIZE,
       K_KERNEL_SIZE, K_SCORE, K_SCORE_HDU, K_MATCH, K_PHROSTY_DIR, K_QUICKLOOK };

static const ph_opt opts[] = {
    {"output", 'o', "FILE", "the decorrelated file to write (required)", "", PH_OPT_OUT},
    {"science-psf", K_SCI_PSF, "FILE", "science PSF (default: HDU SCI_PSF)", "", PH_OPT_IN},
    {"template-psf", K_REF_PSF, "FILE", "rotated template PSF (default: HDU REF_PSF)", "",
     PH_OPT_IN},
    {"conv-psf", K_CONV_PSF, "FILE",
     "PSF of DIFF (default: HDU CONV_PSF or science (*) template)", "", PH_OPT_IN},
    {"target-psf", K_TARGET_PSF, "FILE",
     "science PSF at the transient's phase (default: HDU PHASED_PSF of DIFF_FILE)", "",
     PH_OPT_IN},
    {"centred-psf", K_CENTRED, NULL,
     "DECORR_PSF from the centred science PSF, not PHASED_PSF (phrosty's; biased)", NULL, 0},
    {"science-rms", K_SCI_RMS, "X", "science sky rms (default: DIFF key SKYRMS)", "", 0},
    {"template-rms", K_REF_RMS, "X", "template sky rms (default: DIFF key TPLRMS)", "", 0},
    {"match-kernel", K_MATCH, NULL, "use the matching kernel (phrosty: no)", NULL, 0},
    {"match-kernel-file", K_MATCH_FILE, "FILE",
     "matching kernel (implies --match-kernel; default: HDU)", "", PH_OPT_IN},
    {"psf-size", K_PSF_SIZE, "N", "odd size of DECORR_PSF (default: input's)",
     NULL, 0},
    {"kernel-size", K_KERNEL_SIZE, "N", "odd size of DECORR_KERNEL (default: 2L+1)",
     NULL, 0},
    {"score", K_SCORE, "FILE", "also write the score image (HDU SCORE) to FILE", "", PH_OPT_OUT},
    {"score-hdu", K_SCORE_HDU, NULL, "add the score image to the output as HDU SCORE", NULL, 0},
    {"threads", 'j', "N", "FFTW threads (default 0: the CPUs this process may use, see ph-config "
                          "cpus)", NULL, 0},
    {"quicklook", K_QUICKLOOK, "PNG",
     "also draw z = DECORR_DIFF / sqrt(DIFF_VAR) around the transient and the brightest "
     "measured stars",
     "", PH_OPT_OUT},
    {"phrosty-dir", K_PHROSTY_DIR, "DIR",
     "also write phrosty's files into DIR: diff_, decorr_diff_, decorr_zptimg_, diff_var_, "
     "decorr_psf_<S>-<T> (S, T: the images' file names)", "", PH_OPT_DIR},
    /* old spellings, accepted until the next release */
    {"sci-psf", 0, "FILE", "science-psf", "", PH_OPT_ALIAS | PH_OPT_OLD},
    {"ref-psf", 0, "FILE", "template-psf", "", PH_OPT_ALIAS | PH_OPT_OLD},
    {"sci-rms", 0, "X", "science-rms", "", PH_OPT_ALIAS | PH_OPT_OLD},
    {"ref-rms", 0, "X", "template-rms", "", PH_OPT_ALIAS | PH_OPT_OLD},
    {"", 'm', NULL, "match-kernel", "", PH_OPT_ALIAS | PH_OPT_OLD},
    {NULL, 0, NULL, NULL, NULL, 0},
};

static int odd_size(ph_cli *cli, const char *arg, long *out)
{
    if (ph_cli_long(cli, arg, 1, 100001, out))
        return PH_EUSAGE;
    if (*out % 2 == 0)
        return ph_cli_bad(cli, "%ld is even; the size must be odd (centre on a pixel)", *out);
    return PH_OK;
}

static int nonneg_rms(ph_cli *cli, const char *arg, double *out)
{
    if (ph_cli_double(cli, arg, out))
        return PH_EUSAGE;
    if (!isfinite(*out) || *out < 0)
        return ph_cli_bad(cli, "%s is not a finite non-negative sky rms", arg);
    return PH_OK;
}

static int handle(ph_cli *cli, int key, const char *arg)
{
    dc_opts *o = cli->ctx;
    switch (key) {
    case 'o': o->output = arg; return PH_OK;
    case K_SCI_PSF: o->src.sci_psf = arg; return PH_OK;
    case K_REF_PSF: o->src.ref_psf = arg; return PH_OK;
    case K_CONV_PSF: o->src.conv_psf = arg; return PH_OK;
    case K_TARGET_PSF: o->src.target_psf = arg; return PH_OK;
    case K_CENTRED: o->src.centred = 1; return PH_OK;
    case K_SCI_RMS: return nonneg_rms(cli, arg, &o->src.rms_sci);
    case K_REF_RMS: return nonneg_rms(cli, arg, &o->src.rms_ref);
    case K_MATCH: o->src.use_match = 1; return PH_OK;
    case K_MATCH_FILE:
        o->src.match_file = arg;
        o->src.use_match = 1;
        return PH_OK;
    case K_PSF_SIZE: return odd_size(cli, arg, &o->psf_size);
    case K_KERNEL_SIZE: return odd_size(cli, arg, &o->kernel_size);
    case K_SCORE: o->score_file = arg; return PH_OK;
    case K_SCORE_HDU: o->score_hdu = 1; return PH_OK;
    case 'j': return ph_cli_long(cli, arg, 0, 1024, &o->threads);
    case K_QUICKLOOK: o->quicklook = arg; return PH_OK;
    case K_PHROSTY_DIR: o->phrosty_dir = arg; return PH_OK;
    }
    return ph_cli_bad(cli, "unexpected option");
}

static int check_usage(const ph_cli *cli, const dc_opts *o)
{
    if (cli->npos != 1)
        return ph_error(PH_EUSAGE, NULL, "expected one difference file, got %d (try --help)",
                        cli->npos);
    if (!o->output)
        return ph_error(PH_EUSAGE, NULL, "no output: give -o FILE");
    if (strcmp(o->output, "-") && !strcmp(o->output, cli->pos[0]))
        return ph_error(PH_EUSAGE, NULL, "the output %s would replace the input", o->output);
    if (o->score_file && !strcmp(o->score_file, o->output))
        return ph_error(PH_EUSAGE, NULL, "--score and -o name the same file %s", o->output);
    if (o->score_file && strcmp(o->score_file, "-") && !strcmp(o->score_file, cli->pos[0]))
        return ph_error(PH_EUSAGE, NULL, "the score file %s would replace the input",
                        o->score_file);
    return PH_OK;
}

int main(int argc, char **argv)
{
    dc_opts o = {.src = {.rms_sci = NAN, .rms_ref = NAN}};
    ph_cli cli = {
        .tool = "ph-decorr",
        .usage = "[OPTION]... DIFF_FILE -o OUTPUT",
        .summary = "Whiten the noise of a difference image; its variance and PSF.",
        .description =
            "Reads the difference file of ph-subtract (DIFF, CSCI, SCI_VAR, REF_VAR, MASK,\n"
            "SCI_PSF, REF_PSF, CONV_PSF, MATCH_KERNEL; sky rms SKYRMS and TPLRMS in the DIFF\n"
            "header). The decorrelation filter, in Fourier space on the full frame,\n"
            "  D = [sci_rms^2 |F REF_PSF|^2 + ref_rms^2 |F SCI_PSF|^2 |F M|^2]^-1/2, D(0) = 1\n"
            "(M: the matching kernel with --match-kernel, else a delta, as phrosty), is\n"
            "applied circularly to DIFF and CSCI and to the PSF of the difference: by\n"
            "default PHASED_PSF (the science PSF at the transient's sub-pixel phase,\n"
            "ph-psf's) (*) REF_PSF, the transient's own profile. Writes\n"
            "DECORR_DIFF, DECORR_SCI, DIFF_VAR (variance of DECORR_DIFF), DECORR_PSF\n"
            "(odd, sum 1, key PSFLOSS), DECORR_KERNEL and MASK; optionally SCORE.\n"
            "Edges wrap around: keep photometry away from them.",
        .example = "ph-decorr diff.fits -o decorr.fits --score score.fits",
        .opts = opts,
        .pos_in = 1,
        .handle = handle,
        .ctx = &o,
    };
    int st = ph_cli_parse(&cli, argc, argv);
    if (st < 0)
        return 0;
    if (!st)
        st = check_usage(&cli, &o);
    if (!st) {
        dc_run r = {.o = &o, .in = {.path = cli.pos[0]}};
        st = dc_run_all(&r);
        dc_run_free(&r);
        if (cli.timing)
            ph_timing_report();
    }
    ph_cli_free(&cli);
    return st ? ph_report_error() : 0;
}
