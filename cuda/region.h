// region.h -- a region of device time and an NVTX range, for the CUDA
// engines: CUDA events recorded on the engine's stream at the start and
// the end of a scope, their elapsed time added to the --timing table with
// ph_timing_add_device(step), and an NVTX range for Nsight around it.
#ifndef PH_CUDA_REGION_H
#define PH_CUDA_REGION_H

#include <cuda_runtime.h>
#include <nvtx3/nvToolsExt.h>

extern "C" {
#include "base/timing.h"
}

struct ph_cuda_region {
    cudaStream_t stream;
    cudaEvent_t ev0, ev1;
    const char *step;
    ph_cuda_region(cudaStream_t s, cudaEvent_t e0, cudaEvent_t e1, const char *st,
                   const char *nvtx)
        : stream(s), ev0(e0), ev1(e1), step(st)
    {
        nvtxRangePushA(nvtx);
        cudaEventRecord(ev0, stream);
    }
    ~ph_cuda_region()
    {
        float ms = 0;
        cudaEventRecord(ev1, stream);
        if (cudaEventSynchronize(ev1) == cudaSuccess &&
            cudaEventElapsedTime(&ms, ev0, ev1) == cudaSuccess)
            ph_timing_add_device(step, ms / 1000.0);
        cudaGetLastError();
        nvtxRangePop();
    }
};

#endif
