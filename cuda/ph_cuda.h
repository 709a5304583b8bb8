/* ph_cuda.h -- every entry point of the CUDA objects (the .cu files of
 * cuda/), in one place: what the C side may call when the toolkit is built
 * with nvcc (PH_WITH_CUDA defined). C and C++ both include it; the .cu
 * files include it too, so that a definition that drifts from its
 * declaration does not compile.
 *
 * Who links what: libph (build/libph.a, common/) never needs these symbols
 * to link. Its only call into CUDA, ph_gpu_probe() -> ph_cuda_probe(), is
 * answered by a weak stub in common/base/gpu.c ("linked without the CUDA
 * objects") that cuda/device.cu overrides. The tools whose tool.mk says
 * <name>_GPU = 1 (ph-subtract, ph-phot) link all the objects of cuda/
 * before libph, and call the engines below only under #ifdef PH_WITH_CUDA,
 * after ph_gpu_device_resolve() (common/base/gpu.h) chose the GPU.
 *
 * Every function records its failures with ph_error() (common/base/log.h) and
 * returns them; none aborts, so a tool under --device auto can fall back to
 * the CPU.
 */
#ifndef PH_CUDA_H
#define PH_CUDA_H

#ifdef __cplusplus
extern "C" {
#endif

/* The C headers of common/ (no linkage guards of their own). */
#include "base/gpu.h"
#include "sci/psffit.h"
#include "sci/sfft.h"

/* ---- cuda/device.cu: the device ------------------------------------------ */

/* Fill *info (zeroed by the caller) for device 0: usable, name, memory, or
 * why not usable. Never fails. Called by ph_gpu_probe(). */
void ph_cuda_probe(ph_gpu_info *info);

/* ---- cuda/subtract_engine.cu: the GPU ph_sfft_engine (ph-subtract) -------- */

/* The GPU implementation of the engine table of common/sci/sfft.h (the CPU one
 * is ph_sfft_cpu_engine_new): cuFFT D2Z/Z2D in float64, images resident on
 * the device, for parameters p and PSFs of at most max_psf pixels. NULL on
 * error (recorded), e.g. when the planned memory does not fit in the free
 * device memory. Freed with ph_sfft_engine_free(). */
ph_sfft_engine *ph_subtract_gpu_engine_new(long nx, long ny, const ph_sfft_params *p,
                                           long max_psf);
/* Device memory the GPU engine plans for an nx x ny pair (bytes). */
double ph_subtract_gpu_planned_bytes(long nx, long ny, const ph_sfft_params *p, long max_psf);

/* ---- cuda/phot_engine.cu: the GPU batch of PSF fits (ph-phot) ------------- */

/* The batch form of ph_psffit_one() (common/sci/psffit.h), one thread block per
 * star: the planes and the PSF stay on the device between calls of
 * ph_psffit_gpu_run(). */
typedef struct ph_psffit_gpu ph_psffit_gpu;
/* Errors (recorded): no device memory, annulus or box too large for the
 * engine (it says so: the CPU then runs). */
ph_psffit_gpu *ph_psffit_gpu_new(const ph_fit_plane *p, const ph_psf_spline *s,
                                 const ph_fit_opts *o);
/* Fit the n stars at (x0[i], y0[i]) into r[i], as ph_psffit_one() would. */
int ph_psffit_gpu_run(ph_psffit_gpu *g, long n, const double *x0, const double *y0,
                      ph_fit_result *r);
void ph_psffit_gpu_free(ph_psffit_gpu *g);
/* "GPU NAME", for the messages. */
const char *ph_psffit_gpu_desc(const ph_psffit_gpu *g);

#ifdef __cplusplus
}
#endif

#endif
