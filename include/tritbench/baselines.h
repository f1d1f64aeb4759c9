/* baselines.h — COMPATIBILITY VIEW, to be deleted once its last callers move to kernels.h.
 *
 * The FP32 baselines are descriptors of the one kernel table (kernels.h): format TRIT_FMT_FP32, variants
 * "scalar", "avx2", "avx512" (the project's own vectorized FP32) and "openblas" (cblas_sgemv/sgemm), with
 * result class TRIT_RESULT_FP32. New code enumerates trit_kernels() and calls trit_sgemm or
 * trit_kernel_run. This header only maps the old names onto that table for callers not yet moved:
 *     Y[n·M + m] = Σ_k W[m·K + k] · X[n·K + k]     (W: M × K row-major, X: N × K, Y: N × M)
 */
#ifndef TRITBENCH_BASELINES_H
#define TRITBENCH_BASELINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tritbench/kernels.h"

typedef void (*trit_sgemm_fn)(const float *W, const float *X, float *Y, size_t M, size_t K, size_t N,
                              int threads);

typedef struct trit_fp32_kernel {
    const char *name;     /* the descriptor's variant */
    uint32_t requires;    /* TRIT_CPU_* bits */
    trit_sgemm_fn fn;     /* trit_sgemm through the descriptor (GEMM descriptor; N == 1 included) */
    const trit_kernel *k; /* the gemm/fp32 descriptor this entry views */
} trit_fp32_kernel;

const trit_fp32_kernel *trit_fp32_kernels(size_t *count);      /* one per gemm/fp32 descriptor */
bool trit_fp32_runnable(const trit_fp32_kernel *k, char *why, size_t why_len);
const trit_fp32_kernel *trit_fp32_get(const char *name);        /* NULL if no such descriptor */
bool trit_have_openblas(void);

#endif
