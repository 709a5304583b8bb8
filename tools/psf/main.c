/* ph-psf -- the PSF stamp at a position on an image (pipeline-spec.md "PSF
 * retrieval"; output: common/io/psfstamp.h).
 *
 *   ph-psf IMAGE (--ra RA --dec DEC | --x X --y Y) [--model MODEL] -o PSF
 *
 * main.c: the options and the run's steps; steps.h says which file takes
 * each (phrosty's config, the model, the image, the output).
 */
#include "base/bands.h"
#include "base/cli.h"
#include "base/log.h"
#include "io/psfstamp.h"
#include "steps.h"
#include "base/timing.h"
#include "base/util.h"

#include <math.h>
#include <stdlib.h>

enum {
    O_RA = 256, O_DEC, O_X, O_Y, O_SIZE, O_BAND, O_SCA, O_POINTING, O_ATPOS, O_INTERP, O_EOVER,
    O_ERADIUS, O_EORDER, O_EMAX, O_ESNR, O_ETHRESH, O_EITER
};

static const ph_opt opts[] = {
    {"output", 'o', "FILE", "PSF stamp to write (required)", "", PH_OPT_OUT},
    {"ra", O_RA, "DEG", "right ascension of the position (with --dec)", "", 0},
    {"dec", O_DEC, "DEG", "declination of the position (with --ra)", "", 0},
    {"x", O_X, "X", "0-based pixel x of the position (with --y)", "", 0},
    {"y", O_Y, "Y", "0-based pixel y of the position (with --x)", "", 0},
    {"model", 'm', "MODEL",
     "auto | epsf | romanfit | roman | gaussian:SIGMA | file:PATTERN ({band} {sca} {pointing}) "
     "| a25:DIR (the A25 ePSF library); default photometry.phrosty.psf.type, else auto: epsf "
     "where the image's stars support it, else romanfit (roman fitted to them), else roman with "
     "a warning",
     NULL, 0},
    {"size", O_SIZE, "N", "stamp size, odd, 3 ... 1001 (default 41)", NULL, 0},
    {"band", 'b', "BAND", "band, instead of the image's FILTER", "", 0},
    {"sca", O_SCA, "N", "detector for {sca}, instead of the image's SCA_NUM", "", 0},
    {"pointing", O_POINTING, "ID", "observation id for {pointing}, instead of the image's", "", 0},
    {"at-position", O_ATPOS, NULL,
     "PSF centre at the position's sub-pixel phase (phrosty's stamps) instead of the centre "
     "pixel's centre",
     NULL, 0},
    {"interp", O_INTERP, "NAME",
     "file and a25 models: bicubic|lanczos3|fourier resampling (default bicubic; a25: fourier)",
     NULL, 0},
    PH_ROMANPSF_CLI_OPTS,
    {"epsf-oversamp", O_EOVER, "N", "epsf: grid samples per pixel, 1 ... 8 (default 4)", NULL, 0},
    {"epsf-radius", O_ERADIUS, "PX", "epsf: model half-width (default: half the stamp size)", NULL, 0},
    {"epsf-order", O_EORDER, "N", "epsf: spatial variation, 0 constant, 1 linear, 2 quadratic "
                                  "(default 0; 1 and 2 take longer, see man ph-psf)",
     NULL, 0},
    {"epsf-stars", O_EMAX, "N", "epsf: brightest stars used at most (default 300)", NULL, 0},
    {"epsf-snr", O_ESNR, "SNR", "epsf: smallest star signal-to-noise (default 100)", NULL, 0},
    {"epsf-thresh", O_ETHRESH, "K", "epsf: detection threshold, x sky rms (default 5)", NULL, 0},
    {"epsf-iter", O_EITER, "N", "epsf: fit iterations (default 6)", NULL, 0},
    {"", 's', "N", "size", "", PH_OPT_ALIAS | PH_OPT_OLD}, /* old spelling, until the next release */
    {NULL, 0, NULL, NULL, NULL, 0}};

/* A whole number into an int field. */
static int cli_int(ph_cli *cli, const char *arg, long lo, long hi, int *out)
{
    long v;
    if (ph_cli_long(cli, arg, lo, hi, &v))
        return PH_EUSAGE;
    *out = (int)v;
    return PH_OK;
}

static int handle(ph_cli *cli, int key, const char *arg)
{
    params *p = cli->ctx;
    int i;
    if (ph_romanpsf_cli_owns(key))
        return ph_romanpsf_cli_handle(cli, key, arg, &p->rpsf);
    switch (key) {
    case 'o': p->output = arg; return PH_OK;
    case O_RA: p->have_ra = 1; return ph_cli_double_range(cli, arg, -360, 720, &p->ra);
    case O_DEC: p->have_dec = 1; return ph_cli_double_range(cli, arg, -90, 90, &p->dec);
    case O_X: p->have_x = 1; return ph_cli_double_range(cli, arg, -1e7, 1e7, &p->x);
    case O_Y: p->have_y = 1; return ph_cli_double_range(cli, arg, -1e7, 1e7, &p->y);
    case 'm': return psf_model_set(p, arg, cli->source);
    case O_SIZE:
        if (ph_cli_long(cli, arg, 3, 1001, &p->size))
            return PH_EUSAGE;
        if (p->size % 2 == 0)
            return ph_cli_bad(cli, "stamp size %ld is even; it must be odd (centre on a pixel)",
                              p->size);
        return PH_OK;
    case 'b':
        if (!ph_band_find(arg))
            return ph_cli_bad(cli, "unknown band '%s' (%s)", arg, ph_band_names());
        p->band = arg;
        return PH_OK;
    case O_SCA: return ph_cli_long(cli, arg, 0, 1000000, &p->sca);
    case O_POINTING: p->pointing = arg; return PH_OK;
    case O_ATPOS: p->at_position = 1; return PH_OK;
    case O_INTERP:
        if (ph_cli_choice(cli, arg, "bicubic|lanczos3|fourier", &i))
            return PH_EUSAGE;
        p->interp = i == 1 ? PH_INTERP_LANCZOS3 : PH_INTERP_BICUBIC;
        p->fourier = i == 2;
        return PH_OK;
    case O_EOVER: return cli_int(cli, arg, 1, 8, &p->ep.oversamp);
    case O_ERADIUS: return cli_int(cli, arg, 2, 50, &p->ep.radius);
    case O_EORDER: return cli_int(cli, arg, 0, 2, &p->ep.order);
    case O_EMAX: return cli_int(cli, arg, 5, 100000, &p->ep.maxstars);
    case O_ESNR: return ph_cli_double_range(cli, arg, 5, 1e6, &p->ep.snr);
    case O_ETHRESH: return ph_cli_double_range(cli, arg, 1, 1000, &p->ep.thresh);
    case O_EITER: return cli_int(cli, arg, 1, 50, &p->ep.niter);
    }
    return ph_cli_bad(cli, "unexpected option");
}

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
    params p = {.size = 41, .sca = -1, .interp = PH_INTERP_BICUBIC, .fourier = -1};
    ph_romanpsf_cli_init(&p.rpsf);
    epsf_defaults(&p.ep);
    p.ep.radius = 0;
    p.ep.saturate = NAN;
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
        .opts = opts,
        .pos_in = 1,
        .cfg_read = phrosty_keys,
        .handle = handle,
        .ctx = &p,
    };
    int st = ph_cli_parse(&cli, argc, argv);
    if (st < 0)
        return 0;
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
    if (cli.timing)
        ph_timing_report();
    ph_cli_free(&cli);
    return st ? ph_report_error() : 0;
}
