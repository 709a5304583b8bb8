/* ph-subtract -- cross-convolution and SFFT subtraction of a science image
 * and its aligned reference (phrosty's GPU steps 5 and 6; sfft-spec.md).
 *
 *   ph-subtract --science SCI --science-psf PSF --template ALIGNED -o diff.fits
 *
 * main: the engine on the chosen device (here because only the tool links
 * the CUDA code), the steps in order; the option table, the checks, the
 * reading and the work's input are ui.c's. */
#include "base/cli.h"
#include "base/gpu.h"
#include "base/log.h"
#include "ph_cuda.h" /* the GPU engine, under PH_WITH_CUDA */
#include "subtract.h"
#include "base/timing.h"
#include "ui.h"
#include "base/util.h"
#include "write.h"

#include <malloc.h>
#include <stdlib.h>
#include <string.h>

/* The engine for the resolved device; on `auto`, a GPU engine that cannot
 * start (e.g. too little free memory) falls back to the CPU with a notice. */
static ph_sfft_engine *make_engine(const sub_opts *o, long nx, long ny, long max_psf,
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

    sub_opts o;
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
        .opts = subtract_options,
        .handle = sub_ui_handle,
        .ctx = &o,
    };
    int st = ph_cli_parse(&cli, argc, argv);
    if (!st)
        st = sub_opts_check(&cli, &o);

    sub_data d;
    sub_out r;
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
        sub_in in;
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
    sub_out_free(&r);
    sub_data_free(&d);
    return ph_cli_exit(&cli, st);
}
