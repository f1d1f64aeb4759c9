/* cuda_internal.h — shared between the CUDA variant's .cu and .c files (not a public API): error
 * recording and the kernel launchers that device.c validates arguments for. */
#ifndef TRITBENCH_KERNELS_CUDA_INTERNAL_H
#define TRITBENCH_KERNELS_CUDA_INTERNAL_H

#include <cuda_runtime_api.h>

#include "kernels/cuda/trit_cuda.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Records "<what>: <cudaGetErrorString(e)>" as the last error and returns -1. */
int trit_cuda_fail(const char *what, cudaError_t e);
/* cudaGetLastError after a launch: 0, or trit_cuda_fail(kernel, error). */
int trit_cuda_check_launch(const char *kernel);

/* GEMM pipeline depth from TRIT_CUDA_GEMM_STAGES (2, 3 or 4; anything else: 3). */
int trit_cuda_gemm_stages(void);
/* GEMM kernel from TRIT_CUDA_GEMM_TILE: 128 (128×128 tile) or 256 (256×128); anything else: 0,
 * automatic (by grid size). */
int trit_cuda_gemm_tile(void);
/* GEMV rows per warp from TRIT_CUDA_GEMV_ROWS (1, 2, 4 or 8; anything else: the default). */
int trit_cuda_gemv_rows(void);

/* Launchers (arguments already validated by device.c). */
int trit_cuda_launch_gemv_i2(const trit_cuda_weights *w, const trit_cuda_act *x, int32_t *acc, float *y,
                             trit_cuda_stream s);
int trit_cuda_launch_gemm_i2(const trit_cuda_weights *w, const trit_cuda_act *x, int32_t *acc, float *y, size_t ld,
                             trit_cuda_stream s);
int trit_cuda_launch_quantize(const float *X, size_t ld_x, trit_cuda_act *a, trit_cuda_stream s);
int trit_cuda_launch_to_half(const float *src, void *dst, size_t n, bool bf16, trit_cuda_stream s);

#ifdef __cplusplus
}
#endif

#endif
