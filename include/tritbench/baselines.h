/* baselines.h — FP32 matmul baselines that ternary kernels are judged against, in the same run.
 *     Y[n·M + m] = Σ_k W[m·K + k] · X[n·K + k]     (W: M × K row-major, X: N × K, Y: N × M)
 * N == 1 is the GEMV (decode) case. Variants: "scalar" (reference), "avx2", "avx512" (the project's
 * own vectorized FP32), "openblas" (cblas_sgemv / cblas_sgemm, when built with OpenBLAS).
 */
#ifndef TRITBENCH_BASELINES_H
#define TRITBENCH_BASELINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef void (*trit_sgemm_fn)(const float *W, const float *X, float *Y, size_t M, size_t K, size_t N,
                              int threads);

typedef struct trit_fp32_kernel {
    const char *name;  /* "scalar", "avx2", "avx512", "openblas" */
    uint32_t requires; /* TRIT_CPU_* bits */
    trit_sgemm_fn fn;
} trit_fp32_kernel;

const trit_fp32_kernel *trit_fp32_kernels(size_t *count);      /* all compiled in */
bool trit_fp32_runnable(const trit_fp32_kernel *k, char *why, size_t why_len);
const trit_fp32_kernel *trit_fp32_get(const char *name);        /* NULL if not compiled in */
bool trit_have_openblas(void);

#endif
