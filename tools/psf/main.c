/* ph-psf -- the PSF stamp at a position on an image (pipeline-spec.md "PSF
 * retrieval"; output: common/io/psfstamp.h).
 *
 *   ph-psf IMAGE (--ra RA --dec DEC | --x X --y Y) [--model MODEL] -o PSF
 *
 * main.c: the options and the run's steps; steps.h says which file takes
 * each (phrosty's config, the model, the image, the output).
 */
#include "base/cli.h"
#include "base/log.h"
#include "io/psfstamp.h"
#include "steps.h"
#include "base/timing.h"
#include "base/util.h"

#include <math.h>
#include <stdlib.h>

/* The phrosty keys phrosty.c reads (for --settings). */
static const char *const phrosty_keys[] = {"photometry.phrosty.psf",
                                           "system.paths.snappl.A25ePSF_path", NULL};

/* Read the image, place the position, draw the model's two stamps, the
 * oversampled ePSF beside them, write. */
static int run(params *p, const char *path)
{
    image im = {0};
    target t = {0};
    int small = 0;
    ph_timing_begin("read");
    int st = psf_image_read(p, path, &im, &small);
    ph_timing_end();
    if (!st)
        st = psf_target(p, &im, path, &t);
    /* Two stamps: [0] the primary (centred, or at the position's phase
     * with --at-position), [1] PHASED_PSF, always at the position's phase
     * (psfstamp.h). */
    stamp sv[2] = {{0}};
    sv[1].dx = t.x0 - floor(t.x0 + 0.5);
    sv[1].dy = t.y0 - floor(t.y0 + 0.5);
    if (p->at_position)
        sv[0].dx = sv[1].dx, sv[0].dy = sv[1].dy;
    long n = p->size;
    for (int k = 0; k < 2 && !st; k++)
        if (!(sv[k].data = ph_malloc((size_t)n * n * sizeof *sv[k].data, "PSF stamp")))
            st = PH_EFAIL;
    drawn d = {0};
    ph_timing_begin("model");
    if (!st)
        st = psf_model_draw(p, &im, &t, small, sv, &d);
    ph_timing_end();

    /* The oversampled ePSF beside the stamps, for the tools that draw the
     * PSF at other phases or in another image's frame (ph-align,
     * ph-subtract). */
    ph_timing_begin("oversampled");
    ph_ovpsf ov = {0};
    const char *src = d.file[0] ? d.file : path;
    if (!st && d.ov_o)
        st = psf_oversampled(psf_model_stamp, &d.mc, d.ov_o, n, src, &ov);
    else if (!st)
        ph_notice("%s: the model is not oversampled (OVERSAMP 1): no EPSF HDU, so later "
                  "steps cannot draw this PSF at other phases",
                  src);
    ph_timing_end();

    ph_timing_begin("write");
    if (!st)
        st = psf_write_stamps(p, &t, &im, &d, &sv[0], &sv[1], ov.v ? &ov : NULL);
    ph_timing_end();
    if (!st)
        ph_info("%s PSF at (%.3f, %.3f), %ldx%ld, flux fraction %.5f; phase (%.3f, %.3f) in %s",
                p->model_text, t.x0, t.y0, n, n, sv[0].frac, sv[1].dx, sv[1].dy,
                PH_PSF_PHASED_HDU);
    psf_drawn_free(&d);
    ph_ovpsf_free(&ov);
    free(sv[0].data);
    free(sv[1].data);
    psf_image_free(&im);
    return st;
}

int main(int argc, char **argv)
{
    params p;
    psf_ui_init(&p);
    ph_cli cli = {
        .tool = "ph-psf",
        .usage = "[OPTION]... IMAGE (--ra RA --dec DEC | --x X --y Y) -o PSF",
        .summary = "Write the PSF stamp of an image at a position: odd, sum 1, centred, and at "
                   "the position's phase.",
        .description =
            "IMAGE is a ph image (ph-skysub output) or an input image. The model is the\n"
            "analytic Roman PSF of the image's band (roman), a pixel-integrated Gaussian\n"
            "(gaussian:SIGMA), PSF model files (file:PATTERN, {band} {sca} {pointing}\n"
            "filled from the image), phrosty's A25 ePSF library (a25:DIR), or an empirical\n"
            "PSF built from the image's stars (epsf). Without --model,\n"
            "photometry.phrosty.psf.type of the config decides; with none, auto: epsf\n"
            "where the image's stars support it, else romanfit (roman with its wavefront\n"
            "error and jitter fitted to 3 or more stars), else roman with a warning.\n"
            "The primary image is the centred stamp (SFFT's); extension PHASED_PSF holds\n"
            "the PSF at the position's sub-pixel phase, the transient's own pixel profile,\n"
            "which ph-subtract carries and ph-decorr turns into the photometry's PSF.",
        .example = "ph-psf sci.fits --ra 7.551 --dec -44.807 -m roman -o psf.fits",
        .opts = psf_options,
        .pos_in = 1,
        .cfg_read = phrosty_keys,
        .handle = psf_ui_handle,
        .ctx = &p,
    };
    int st = ph_cli_parse(&cli, argc, argv);
    if (!st)
        psf_ui_finish(&p);
    if (!st && cli.npos != 1)
        st = ph_error(PH_EUSAGE, NULL, "expected one IMAGE, got %d arguments (try --help)",
                      cli.npos);
    if (!st && !p.output)
        st = ph_error(PH_EUSAGE, NULL, "-o/--output FILE is required");
    if (!st && (p.have_ra != p.have_dec || p.have_x != p.have_y))
        st = ph_error(PH_EUSAGE, NULL, "give --ra with --dec, and --x with --y");
    if (!st && p.have_ra == p.have_x)
        st = ph_error(PH_EUSAGE, NULL, "give the position as either --ra/--dec or --x/--y");
    if (!st && p.model == M_NONE)
        st = psf_model_from_phrosty(&p, cli.cfg);
    if (!st)
        st = run(&p, cli.pos[0]);
    return ph_cli_exit(&cli, st);
}
