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
 * main.c: the positional argument and the checks across options; the
 * option table is ui.c's, the run run.c's, the products products.c's.
 */
#include "base/cli.h"
#include "base/log.h"
#include "run.h"
#include "ui.h"

#include <string.h>

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
    dc_opts o;
    dc_ui_init(&o);
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
        .opts = decorr_options,
        .pos_in = 1,
        .handle = dc_ui_handle,
        .ctx = &o,
    };
    int st = ph_cli_parse(&cli, argc, argv);
    if (!st)
        st = check_usage(&cli, &o);
    if (!st) {
        dc_ui_resolve(&o);
        dc_run r = {.o = &o, .in = {.path = cli.pos[0]}};
        st = dc_run_all(&r);
        dc_run_free(&r);
    }
    return ph_cli_exit(&cli, st);
}
