/* ph-phot -- forced PSF photometry of the transient on the decorrelated
 * difference and a zero point (phrosty's steps 8-9; pipeline-spec.md
 * "Photometry", pipeline-reference.md §4).
 *
 *   ph-phot DECORR_FILE --ra RA --dec DEC [--catalog STARS] -o row.csv
 *
 * Reads ph-decorr's output (HACKING.md "Decorrelated file") and writes the
 * "Photometry row" (common/io/lightcurve.h). A measurement that cannot be made
 * still writes the row, with success False and NaN measurements, prints
 * one error line and exits 1, so that the pipeline keeps the pair.
 *
 * main.c: the option table and its handling, the star fits on the GPU
 * (here because only the tool links the CUDA code), the mode chosen; the
 * checks are ui.c's, the pair mode transient.c's, the zero point
 * zpsource.c's, the stamps stamps.c's.
 */
#include "base/cli.h"
#include "base/gpu.h"
#include "base/log.h"
#include "ph_cuda.h" /* the GPU engine, under PH_WITH_CUDA */
#include "sci/psffit.h"
#include "base/timing.h"
#include "transient.h"
#include "ui.h"
#include "base/util.h"
#include "zpsource.h"
#include <math.h>
#include <string.h>

enum { K_RA = 256, K_DEC, K_X, K_Y, K_CATALOG, K_CATFMT, K_MAGS, K_MINSTARS, K_ZPTAP, K_FITSIZE,
       K_ANNULUS, K_APERTURE, K_SUBPIX, K_NOAPCORR, K_STAMPS, K_STAMPSIZE, K_ALIGNED, K_SCIIMG, K_TPLIMG, K_STARTABLE,
       K_DEVICE, K_LOCK, K_SLOTS, K_PSF, K_ZPT, K_DIFF };

static const ph_opt opts[] = {
    {"output", 'o', "FILE", "the photometry row (CSV) to write (required)", "", .flags = PH_OPT_OUT},
    {"ra", K_RA, "DEG", "transient RA (with --dec; through the DECORR_DIFF WCS)", "", .flags = 0},
    {"dec", K_DEC, "DEG", "transient Dec", "", .flags = 0},
    {"x", K_X, "X0", "transient column, 0-based (with --y; instead of --ra/--dec)", "", .flags = 0},
    {"y", K_Y, "Y0", "transient row, 0-based", "", .flags = 0},
    {"catalog", K_CATALOG, "FILE",
     "stars for a zero point: OpenUniverse2024 truth file or CSV ra,dec,mag (default: header ZPT)",
     "", .flags = PH_OPT_IN},
    {"zpt", K_ZPT, "FILE",
     "the science image's zero point: the file ph-phot SKY_IMAGE --catalog wrote", "", .flags = PH_OPT_IN},
    {"science-psf", K_PSF, "FILE",
     "zero-point mode: the image's PSF stamp (ph-psf; default: the image's PSF HDU)", "", .flags = PH_OPT_IN},
    {"catalog-format", K_CATFMT, "auto|truth|csv", "catalogue format (auto)", NULL, .flags = 0},
    {"mag-range", K_MAGS, "LO,HI", "AB range of the zero-point stars (19,21.5)", NULL, .flags = 0},
    {"zpt-aperture", K_ZPTAP, "R|psf",
     "catalogue stars measured in an aperture of R px over the PSF's own (4), or psf: the PSF fit "
     "(phrosty; biased for undersampled PSFs)", NULL, .flags = 0},
    {"min-stars", K_MINSTARS, "N", "fewest stars for a catalogue zero point (3)", NULL, .flags = 0},
    {"fit-size", K_FITSIZE, "N", "odd side of the PSF fit box, px (5)", NULL, .flags = 0},
    {"annulus", K_ANNULUS, "RIN,ROUT", "local sky annulus, px, or none (15,25)", NULL, .flags = 0},
    {"aperture", K_APERTURE, "R", "aperture_sum radius, px (3)", NULL, .flags = 0},
    {"aperture-subpixels", K_SUBPIX, "N",
     "0: exact pixel/circle overlap (default); N: photutils' subpixel method (phrosty: 5)", NULL, .flags = 0},
    {"no-aperture-correction", K_NOAPCORR, NULL,
     "fluxes of the normalised DECORR_PSF as phrosty (default: divided by PSFFRAC x (1 - "
     "PSFLOSS), the model flux the stamp holds)", NULL, .flags = 0},
    {"stamps", K_STAMPS, "DIR", "write phrosty's stamps around the transient into DIR", "", .flags = PH_OPT_DIR},
    {"stamp-size", K_STAMPSIZE, "N", "stamp side, px (100)", NULL, .flags = 0},
    {"aligned", K_ALIGNED, "FILE", "aligned template (ph-align output) for its stamp", "", .flags = PH_OPT_IN},
    {"diff", K_DIFF, "FILE", "difference before decorrelation (ph-subtract output, or one image) "
                             "for stamp_diff_", "", .flags = PH_OPT_IN},
    {"science-image", K_SCIIMG, "FILE", "original science image (its SCI) for stamp_<S>", "", .flags = PH_OPT_IN},
    {"template-image", K_TPLIMG, "FILE", "original template image for stamp_<T> (through its "
                                         "WCS)", "", .flags = PH_OPT_IN},
    {"star-table", K_STARTABLE, "FILE", "write every catalogue star's fit (CSV)", "", .flags = PH_OPT_OUT},
    {"device", K_DEVICE, "auto|cpu|gpu", "where the star fits run (auto)", NULL, .flags = 0},
    {"gpu-lock", K_LOCK, "PATH", "GPU lock (default $TMPDIR/phrosty-gpu.lock; none: no lock)",
     NULL, .flags = 0},
    {"gpu-slots", K_SLOTS, "N", "jobs allowed on the GPU at once (1)", NULL, .flags = 0},
    /* old spellings, accepted until the next release */
    {"sci-image", 0, "FILE", "science-image", "", .flags = PH_OPT_ALIAS | PH_OPT_OLD},
    {"tpl-image", 0, "FILE", "template-image", "", .flags = PH_OPT_ALIAS | PH_OPT_OLD},
    {"psf", 0, "FILE", "science-psf", "", .flags = PH_OPT_ALIAS | PH_OPT_OLD},
    {0},
};

static int pair_arg(ph_cli *cli, const char *arg, double *a, double *b)
{
    char buf[128], *comma;
    ph_strlcpy(buf, arg, sizeof buf);
    if (!(comma = strchr(buf, ',')))
        return ph_cli_bad(cli, "'%s' is not two numbers LO,HI", arg);
    *comma = 0;
    if (ph_parse_double(buf, a) || ph_parse_double(comma + 1, b) || !isfinite(*a) ||
        !isfinite(*b))
        return ph_cli_bad(cli, "'%s' is not two numbers LO,HI", arg);
    if (!(*a < *b))
        return ph_cli_bad(cli, "'%s': the first value must be below the second", arg);
    return PH_OK;
}

static int handle(ph_cli *cli, int key, const char *arg)
{
    phot_opts *o = cli->ctx;
    int idx;
    long v;
    switch (key) {
    case 'o': o->output = arg; return PH_OK;
    case K_RA: return ph_cli_double_range(cli, arg, -360, 360, &o->ra);
    case K_DEC: return ph_cli_double_range(cli, arg, -90, 90, &o->dec);
    case K_X: return ph_cli_double_range(cli, arg, -1e9, 1e9, &o->x0);
    case K_Y: return ph_cli_double_range(cli, arg, -1e9, 1e9, &o->y0);
    case K_CATALOG: o->catalog = arg; return PH_OK;
    case K_ZPT: o->zpt_file = arg; return PH_OK;
    case K_PSF: o->psf = arg; return PH_OK;
    case K_CATFMT:
        if (ph_cli_choice(cli, arg, "auto|truth|csv", &idx))
            return PH_EUSAGE;
        o->catfmt = idx;
        return PH_OK;
    case K_MAGS: return pair_arg(cli, arg, &o->mag_lo, &o->mag_hi);
    case K_ZPTAP:
        if (!strcmp(arg, "psf")) {
            o->zpt_aperture = 0;
            return PH_OK;
        }
        return ph_cli_double_range(cli, arg, 0.5, 100, &o->zpt_aperture);
    case K_MINSTARS: return ph_cli_long(cli, arg, 1, 1000000, &o->min_stars);
    case K_FITSIZE:
        if (ph_cli_long(cli, arg, 1, 51, &v))
            return PH_EUSAGE;
        if (v % 2 == 0)
            return ph_cli_bad(cli, "%ld is even; the fit box must be odd", v);
        o->fit.box = (int)v;
        return PH_OK;
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
    case K_APERTURE: return ph_cli_double_range(cli, arg, 0.1, 1000, &o->aperture);
    case K_SUBPIX: return ph_cli_long(cli, arg, 0, 100, &o->subpixels);
    case K_NOAPCORR: o->no_apcorr = 1; return PH_OK;
    case K_STAMPS: o->stamps = arg; return PH_OK;
    case K_STAMPSIZE: return ph_cli_long(cli, arg, 2, 10000, &o->stamp_size);
    case K_ALIGNED: o->aligned = arg; return PH_OK;
    case K_SCIIMG: o->sci_image = arg; return PH_OK;
    case K_TPLIMG: o->tpl_image = arg; return PH_OK;
    case K_DIFF: o->diff = arg; return PH_OK;
    case K_STARTABLE: o->star_table = arg; return PH_OK;
    case K_DEVICE:
        if (ph_gpu_device_parse(arg, &o->device))
            return ph_cli_bad(cli, "'%s' is not one of auto|cpu|gpu", arg);
        return PH_OK;
    case K_LOCK: o->gpu_lock = arg; return PH_OK;
    case K_SLOTS: return ph_cli_long(cli, arg, 1, 64, &o->gpu_slots);
    }
    return ph_cli_bad(cli, "unexpected option");
}

/* The calls that reach the CUDA code, handed to the rest through
 * phot_opts: the unit tests link tools/phot/ without it. */
static int resolve_device(ph_device want, int *use_gpu)
{
    ph_gpu_info info;
    return ph_gpu_device_resolve(want, use_gpu, &info);
}

/* The star fits on the chosen device (ph_zp_fitter). */
static int fit_stars(const ph_zp_opts *o, const ph_psf_spline *s, const ph_fit_plane *p,
                     const ph_fit_opts *fo, long n, const double *x, const double *y,
                     ph_fit_result *res)
{
#ifdef PH_WITH_CUDA
    if (o->use_gpu) {
        int fd = -1;
        if (ph_gpu_lock_option(o->gpu_lock, (int)o->gpu_slots, &fd))
            return PH_EFAIL;
        ph_psffit_gpu *g = ph_psffit_gpu_new(p, s, fo);
        int st = g ? ph_psffit_gpu_run(g, n, x, y, res) : PH_EFAIL;
        if (g)
            ph_info("star fits on %s", ph_psffit_gpu_desc(g));
        ph_psffit_gpu_free(g);
        ph_gpu_unlock(fd);
        if (!st || o->device == PH_DEVICE_GPU)
            return st;
        ph_notice("the GPU star fit failed (%s); running on the CPU", ph_error_message());
        ph_error_clear();
    }
#else
    (void)o;
#endif
    return ph_psffit_batch(p, s, fo, n, x, y, res);
}

int main(int argc, char **argv)
{
    phot_opts o;
    phot_opts_default(&o);
    o.resolve_device = resolve_device;
    o.fit_stars = fit_stars;
    ph_cli cli = {
        .tool = "ph-phot",
        .usage = "[OPTION]... DECORR_FILE (--ra RA --dec DEC | --x X0 --y Y0) -o ROW.csv\n"
                 "  or:  ph-phot [OPTION]... SKY_IMAGE --catalog STARS [--science-psf PSF] -o ZPT.csv",
        .summary = "Forced PSF photometry of a transient on a decorrelated difference; zero point.",
        .description =
            "Reads ph-decorr's file (DECORR_DIFF, DIFF_VAR, MASK, DECORR_PSF, DECORR_SCI).\n"
            "At the fixed position, DECORR_PSF shifted by its bicubic interpolating spline\n"
            "(photutils' ImagePSF) is fitted, linear in the flux, to the fit box of\n"
            "DECORR_DIFF weighted by 1/DIFF_VAR after subtracting the annulus MMM sky;\n"
            "flux_err = 1/sqrt(sum P^2/var). aperture_sum: exact pixel/circle overlap\n"
            "after the stamp's background. NEA = (sum P)^2 / sum P^2. Zero point: the\n"
            "header's ZPT, or with --catalog the median of m_cat + 2.5 log10(flux) over\n"
            "catalogue stars measured on DECORR_SCI in an aperture over DECORR_PSF's own\n"
            "(or, --zpt-aperture psf, PSF-fitted in a batch, on the GPU with --device).\n"
            "Writes one CSV row, the 26 light-curve columns (phrosty's 20, zpt_*, res_*).\n"
            "A failed measurement still writes the row (success False, NaN\n"
            "measurements), prints the reason and exits 1.\n"
            "Given a ph image (ph-skysub's sky-subtracted science image) with --catalog\n"
            "and --science-psf instead, it measures that image's field-star zero point\n"
            "once, over the whole field, and writes the zero-point file each pair's --zpt\n"
            "reads.",
        .example = "ph-phot decorr.fits --ra 7.5512 --dec -44.8013 --zpt zpt_sci.csv -o row.csv",
        .opts = opts,
        .pos_in = 1,
        .handle = handle,
        .ctx = &o,
    };
    int st = ph_cli_parse(&cli, argc, argv);
    if (st < 0)
        return 0;
    int zp_mode = !st && cli.npos == 1 && phot_is_ph_image(cli.pos[0]);
    if (!st && zp_mode) {
        st = phot_check_zp(&o);
        if (!st)
            st = phot_zp_mode(&o, cli.pos[0]);
        if (cli.timing)
            ph_timing_report();
    } else if (!st && !(st = phot_check_pair(&cli, &o))) {
        st = phot_transient(&o, cli.pos[0]);
        if (cli.timing)
            ph_timing_report();
    }
    ph_cli_free(&cli);
    return st ? ph_report_error() : 0;
}
