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
 * main.c: the star fits on the GPU (here because only the tool links the
 * CUDA code), the mode chosen; the option table and the checks are ui.c's,
 * the pair mode transient.c's, the zero point zpsource.c's, the stamps
 * stamps.c's.
 */
#include "base/cli.h"
#include "base/gpu.h"
#include "base/log.h"
#include "ph_cuda.h" /* the GPU engine, under PH_WITH_CUDA */
#include "sci/psffit.h"
#include "transient.h"
#include "ui.h"
#include "zpsource.h"

/* The calls that reach the CUDA code, handed to the rest through
 * phot_opts: the unit tests link tools/phot/ without it. */
static int resolve_device(ph_device want, int *use_gpu)
{
    ph_gpu_info info;
    return ph_gpu_device_resolve(want, use_gpu, &info);
}

/* The star fits on the chosen device (phot_zp_fitter). */
static int fit_stars(const phot_zp_opts *o, const ph_psf_spline *s, const ph_fit_plane *p,
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
        .opts = phot_options,
        .pos_in = 1,
        .handle = phot_ui_handle,
        .ctx = &o,
    };
    int st = ph_cli_parse(&cli, argc, argv);
    if (!st && cli.npos == 1 && phot_is_ph_image(cli.pos[0])) {
        if (!(st = phot_check_zp(&o)))
            st = phot_zp_mode(&o, cli.pos[0]);
    } else if (!st && !(st = phot_check_pair(&cli, &o))) {
        st = phot_transient(&o, cli.pos[0]);
    }
    return ph_cli_exit(&cli, st);
}
