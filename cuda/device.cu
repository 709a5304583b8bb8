// device.cu -- probe the CUDA device (see common/base/gpu.h). Compiled only when
// nvcc is present; every failure becomes "not usable" with a reason, never
// an abort, so `--device auto` can fall back to the CPU. The probe is an
// NVTX range ("ph gpu probe": context creation shows up there in Nsight
// Systems); NVTX is header-only and costs nothing without a profiler.
#include <cuda_runtime.h>
#include <nvtx3/nvToolsExt.h>
#include <stdio.h>
#include <string.h>

extern "C" {
#include "ph_cuda.h"

static void probe(ph_gpu_info *info);

void ph_cuda_probe(ph_gpu_info *info)
{
    nvtxRangePushA("ph gpu probe");
    probe(info);
    nvtxRangePop();
}

static void probe(ph_gpu_info *info)
{
    int n = 0;
    cudaError_t e = cudaGetDeviceCount(&n);
    if (e != cudaSuccess || n < 1) {
        snprintf(info->why, sizeof info->why, "%s",
                 e != cudaSuccess ? cudaGetErrorString(e) : "no CUDA device");
        cudaGetLastError(); // clear the sticky error
        return;
    }
    cudaDeviceProp prop;
    if ((e = cudaGetDeviceProperties(&prop, 0)) != cudaSuccess) {
        snprintf(info->why, sizeof info->why, "%s", cudaGetErrorString(e));
        return;
    }
    size_t freeb = 0, totalb = 0;
    if ((e = cudaMemGetInfo(&freeb, &totalb)) != cudaSuccess) {
        snprintf(info->why, sizeof info->why, "%s", cudaGetErrorString(e));
        return;
    }
    snprintf(info->name, sizeof info->name, "%s", prop.name);
    info->mem_total_gb = totalb / 1e9;
    info->mem_free_gb = freeb / 1e9;
    info->usable = 1;
}
}
