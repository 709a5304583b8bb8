/* ph-subtract -- cross-convolution and SFFT subtraction of a science image
 * and its aligned reference (phrosty's GPU steps 5 and 6; sfft-spec.md).
 *
 *   ph-subtract --science SCI --science-psf PSF --template ALIGNED -o diff.fits
 *
 * main: the option table and its handling, the engine on the chosen
 * device (here because only the tool links the CUDA code), the steps in
 * order; the checks, reading and the work's input are ui.c's. */
#include "cli.h"
#include "gpu.h"
#include "log.h"
#include "ph_cuda.h" /* the GPU engine, under PH_WITH_CUDA */
#include "subtract.h"
#include "timing.h"
#include "ui.h"
#include "util.h"
#include "write.h"

#include <malloc.h>
#include <stdlib.h>
#include <string.h>

enum { K_SCI = 256, K_SCI_PSF, K_REF, K_REF_PSF, K_HW, K_ORDER, K_BG, K_CONST, K_GRID,
       K_DEVICE, K_LOCK, K_SLOTS, K_RCOND, K_RA, K_DEC, K_EXCL, K_METHOD, K_FITPIX, K_STARR,
       K_CLIP };

static const ph_opt opts[] = {
    {"science", K_SCI, "FILE", "science ph image (SCI, VAR, MASK; header SKYRMS)", "", PH_OPT_IN},
    {"science-psf", K_SCI_PSF, "FILE", "science PSF stamp (default: the PSF HDU of --science)", "",
     PH_OPT_IN},
    {"template", K_REF, "FILE", "aligned template: ph image on the science grid with a PSF HDU", "",
     PH_OPT_IN},
    {"template-psf", K_REF_PSF, "FILE", "rotated template PSF (default: the PSF HDU of --template)",
     "", PH_OPT_IN},
    {"output", 'o', "FILE", "the difference file to write", "", PH_OPT_OUT},
    {"ra", K_RA, "DEG", "transient RA (with --dec): its pixels stay out of the kernel fit", "", 0},
    {"dec", K_DEC, "DEG", "transient Dec", "", 0},
    {"exclude-radius", K_EXCL, "PX",
     "radius around --ra/--dec kept out of the fit; 0: none, as phrosty (15)", NULL, 0},
    {"method", K_METHOD, "psf|sfft",
     "psf: the template's modelled stars (ph-align's STARS) matched exactly, a constant kernel "
     "fitted on them (default); sfft: phrosty's SFFT exactly",
     NULL, 0},
    {"fit-pixels", K_FITPIX, "stars|signal|detected|all",
     "stars: about the drawn template stars (psf default; every source when fewer than 5); "
     "signal: every source, 3 sigma in either cross-convolved image; detected: DETECTED in "
     "both masks (sfft default); all: every pixel; never BAD or OUTSIDE",
     NULL, 0},
    {"star-radius", K_STARR, "PX", "psf method: radius of the star correction (8)", NULL, 0},
    {"clip", K_CLIP, "K",
     "fit again without the pixels beyond K sigma of the first fit (psf default 10; sfft: 0, "
     "one fit)",
     NULL, 0},
    {"kernel-halfwidth", K_HW, "N", "matching-kernel half-width w, (2w+1)^2 kernel (9)", NULL, 0},
    {"kernel-order", K_ORDER, "N", "kernel spatial polynomial order (2)",
     "photometry.phrosty.kerpolyorder", 0},
    {"bg-order", K_BG, "N", "differential background polynomial order (0)", NULL, 0},
    {"const-phot-ratio", K_CONST, NULL, "kernel sum constant over the image (default on)", NULL,
     PH_OPT_BOOL},
    {"kernel-grid", K_GRID, "N", "also write the kernel at N x N positions (KERNEL_GRID; 0)",
     NULL, 0},
    {"min-rcond", K_RCOND, "X", "smallest reciprocal condition accepted (1e-18)", NULL, 0},
    {"device", K_DEVICE, "auto|cpu|gpu", "where to run (auto: the GPU when one is usable)", NULL, 0},
    {"threads", 'j', "N", "CPU threads (default 0: the CPUs this process may use, see ph-config "
                          "cpus)", NULL, 0},
    {"gpu-lock", K_LOCK, "PATH", "GPU lock (default $TMPDIR/phrosty-gpu.lock; none: no lock)",
     NULL, 0},
    {"gpu-slots", K_SLOTS, "N", "jobs allowed on the GPU at once (1)", NULL, 0},
    /* old spellings, accepted until the next release */
    {"sci", 0, "FILE", "science", "", PH_OPT_ALIAS | PH_OPT_OLD},
    {"sci-psf", 0, "FILE", "science-psf", "", PH_OPT_ALIAS | PH_OPT_OLD},
    {"ref", 0, "FILE", "template", "", PH_OPT_ALIAS | PH_OPT_OLD},
    {"ref-psf", 0, "FILE", "template-psf", "", PH_OPT_ALIAS | PH_OPT_OLD},
    {NULL, 0, NULL, NULL, NULL, 0},
};

static int handle(ph_cli *cli, int key, const char *arg)
{
    ph_sub_opts *o = cli->ctx;
    long v;
    int b, st;
    switch (key) {
    case K_SCI: o->sci = arg; return PH_OK;
    case K_SCI_PSF: o->sci_psf = arg; return PH_OK;
    case K_REF: o->ref = arg; return PH_OK;
    case K_REF_PSF: o->ref_psf = arg; return PH_OK;
    case 'o': o->output = arg; return PH_OK;
    case K_HW:
        if ((st = ph_cli_long(cli, arg, 1, 100, &v)))
            return st;
        o->par.w = (int)v;
        return PH_OK;
    case K_ORDER:
        if ((st = ph_cli_long(cli, arg, 0, 10, &v)))
            return st;
        o->par.dk = (int)v;
        /* phrosty's kerpolyorder is the order of its SFFT kernel: it sets
         * the sfft method's, not the psf method's (see sub_opts_check) */
        o->order_src = cli->source && strstr(cli->source, "photometry.phrosty.") ? 1 : 2;
        return PH_OK;
    case K_BG:
        if ((st = ph_cli_long(cli, arg, 0, 10, &v)))
            return st;
        o->par.db = (int)v;
        return PH_OK;
    case K_CONST:
        if ((st = ph_cli_bool(cli, arg, &b)))
            return st;
        o->par.const_ratio = b;
        return PH_OK;
    case K_GRID: return ph_cli_long(cli, arg, 0, 64, &o->kernel_grid);
    case K_RCOND: return ph_cli_double_range(cli, arg, 0, 1, &o->min_rcond);
    case K_DEVICE:
        if (ph_gpu_device_parse(arg, &o->device))
            return ph_cli_bad(cli, "'%s' is not one of auto|cpu|gpu", arg);
        return PH_OK;
    case 'j': return ph_cli_long(cli, arg, 0, 256, &o->threads);
    case K_LOCK: o->gpu_lock = arg; return PH_OK;
    case K_RA: return ph_cli_double_range(cli, arg, -360, 360, &o->ra);
    case K_DEC: return ph_cli_double_range(cli, arg, -90, 90, &o->dec);
    case K_EXCL: return ph_cli_double_range(cli, arg, 0, 10000, &o->exclude_r);
    case K_SLOTS: return ph_cli_long(cli, arg, 1, 64, &o->gpu_slots);
    case K_METHOD:
        if (ph_cli_choice(cli, arg, "psf|sfft", &b))
            return PH_EUSAGE;
        o->method = b;
        return PH_OK;
    case K_FITPIX:
        if (ph_cli_choice(cli, arg, "detected|all|signal|stars", &b))
            return PH_EUSAGE;
        o->fit_pixels = b;
        return PH_OK;
    case K_STARR: return ph_cli_long(cli, arg, 2, 30, &o->star_r);
    case K_CLIP: return ph_cli_double_range(cli, arg, 0, 1000, &o->clip);
    }
    return ph_cli_bad(cli, "unexpected option");
}

/* The engine for the resolved device; on `auto`, a GPU engine that cannot
 * start (e.g. too little free memory) falls back to the CPU with a notice. */
static ph_sfft_engine *make_engine(const ph_sub_opts *o, long nx, long ny, long max_psf,
                                   int *lock_fd)
{
    int use_gpu = 0;
    ph_gpu_info info;
    *lock_fd = -1;
    if (ph_gpu_device_resolve(o->device, &use_gpu, &info))
        return NULL;
#ifdef PH_WITH_CUDA
    if (use_gpu) {
        if (ph_gpu_lock_option(o->gpu_lock, (int)o->gpu_slots, lock_fd))
            return NULL;
        ph_sfft_engine *e = ph_subtract_gpu_engine_new(nx, ny, &o->par, max_psf);
        if (e || o->device == PH_DEVICE_GPU)
            return e;
        ph_notice("the GPU engine could not start (%s); running on the CPU", ph_error_message());
        ph_error_clear();
        ph_gpu_unlock(*lock_fd);
        *lock_fd = -1;
    }
#endif
    (void)use_gpu;
    (void)max_psf;
    long t = o->threads > 0 ? o->threads : ph_ncpu();
    return ph_sfft_cpu_engine_new(nx, ny, (int)t);
}

int main(int argc, char **argv)
{
    /* Keep freed memory in the heap for reuse: first touching fresh memory
     * (page faults) is a large share of the run time on virtual machines,
     * and FFTW allocates scratch on every threaded transform. */
    mallopt(M_MMAP_THRESHOLD, 1 << 30);
    mallopt(M_TRIM_THRESHOLD, -1);

    ph_sub_opts o;
    sub_opts_default(&o);
    ph_cli cli = {
        .tool = "ph-subtract",
        .usage = "[OPTION]... --science SCI --template ALIGNED -o DIFF.fits",
        .summary = "Cross-convolve a science image and its aligned reference and subtract them "
                   "with SFFT.",
        .description =
            "The science image is convolved with the reference PSF and the reference with the\n"
            "science PSF (zero boundary). SFFT (Hu et al. 2022) then fits a (2w+1)^2 delta-basis\n"
            "kernel whose shape varies as a polynomial over the image, and a differential\n"
            "background, on the pixels DETECTED in both masks, and writes DIFF = science -\n"
            "kernel (*) reference with CSCI, CREF, the variances, the mask, the PSFs and the\n"
            "kernel solution. Defaults are phrosty's: w 9, order 2, background 0, constant\n"
            "photometric ratio.",
        .example = "ph-subtract --science sci.fits --science-psf sci_psf.fits --template "
                   "aligned.fits -o diff.fits",
        .opts = opts,
        .handle = handle,
        .ctx = &o,
    };
    int st = ph_cli_parse(&cli, argc, argv);
    if (st < 0)
        return 0;
    if (!st)
        st = sub_opts_check(&cli, &o);

    ph_sub_data d;
    ph_sub_out r;
    memset(&d, 0, sizeof d);
    memset(&r, 0, sizeof r);
    ph_sfft_engine *e = NULL;
    int lock_fd = -1;
    char device[256] = "";
    if (!st) {
        ph_timing_begin("read");
        st = sub_read(&o, &d);
        ph_timing_end();
    }
    if (!st)
        st = sub_locate(&o, &d);
    if (!st && !(st = ph_sfft_check(&o.par, d.sci.nx, d.sci.ny, o.sci))) {
        ph_timing_begin("setup");
        e = make_engine(&o, d.sci.nx, d.sci.ny,
                        d.psf_sci.n > d.psf_ref.n ? d.psf_sci.n : d.psf_ref.n, &lock_fd);
        st = e ? PH_OK : PH_EFAIL;
        ph_timing_end();
    }
    if (!st) {
        snprintf(device, sizeof device, "%s", e->desc);
        ph_sub_in in;
        sub_in_make(&o, &d, &in);
        st = sub_run(e, &o.par, o.min_rcond, &in, &r);
        ph_info("engine peak memory %.2f GB (%s)", e->peak_bytes / 1e9, device);
    }
    ph_sfft_engine_free(e);
    ph_gpu_unlock(lock_fd);
    if (!st) {
        ph_timing_begin("write");
        st = sub_write(o.output, &o, &d, &r, device);
        ph_timing_end();
    }
    if (cli.timing)
        ph_timing_report();
    sub_out_free(&r);
    sub_data_free(&d);
    ph_cli_free(&cli);
    return st ? ph_report_error() : 0;
}
