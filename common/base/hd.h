/* hd.h -- PH_HD marks a static inline function that both the CPU code and
 * the CUDA kernels call: __host__ __device__ under nvcc, nothing in C.
 *
 * Such functions hold the per-pixel and per-coefficient arithmetic the two
 * engines share (sfft_elem.h, psffit_elem.h), so that the GPU code, which
 * CI cannot run, keeps only its launches and library calls, and the
 * arithmetic is unit-tested on the CPU. They must compile as C and as CUDA
 * C++: no designated initialisers, no compound literals, no C-only headers.
 */
#ifndef PH_HD_H
#define PH_HD_H

#ifdef __CUDACC__
#define PH_HD __host__ __device__
#else
#define PH_HD
#endif

#endif
