/* cublas_baselines.c — the GPU baselines ternary kernels are judged against in the same run: cuBLAS
 * SGEMV/SGEMM (FP32) and cublasGemmEx in FP16 and BF16 with FP32 accumulation. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include <cublas_v2.h>

#include "kernels/cuda/cuda_internal.h"

struct trit_cuda_blas {
    cublasHandle_t h;
};

trit_cuda_blas *trit_cuda_blas_new(trit_cuda_stream s)
{
    trit_cuda_blas *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    if (cublasCreate(&b->h) != CUBLAS_STATUS_SUCCESS) {
        free(b);
        return NULL;
    }
    if (cublasSetStream(b->h, s) != CUBLAS_STATUS_SUCCESS ||
        cublasSetMathMode(b->h, CUBLAS_DEFAULT_MATH) != CUBLAS_STATUS_SUCCESS) { /* FP32 stays FP32 (no TF32) */
        (void)cublasDestroy(b->h);
        free(b);
        return NULL;
    }
    return b;
}

void trit_cuda_blas_free(trit_cuda_blas *b)
{
    if (!b)
        return;
    (void)cublasDestroy(b->h);
    free(b);
}

const char *trit_cuda_blas_type_name(trit_cuda_blas_type t)
{
    return t == TRIT_CUDA_FP16 ? "fp16" : t == TRIT_CUDA_BF16 ? "bf16" : "fp32";
}

int trit_cuda_blas_gemm(trit_cuda_blas *b, trit_cuda_blas_type t, const void *W, const void *X, void *Y, size_t M,
                        size_t K, size_t N)
{
    if (!b || !W || !X || !Y || M == 0 || K == 0 || N == 0 || M > INT_MAX || K > INT_MAX || N > INT_MAX)
        return trit_cuda_fail("cuBLAS baseline: bad shape", cudaErrorInvalidValue);
    const int m = (int)M, k = (int)K, n = (int)N;
    const float one = 1.0f, zero = 0.0f;
    cublasStatus_t st;
    /* Row-major W (M × K) is column-major K × M: Y (column-major M × N) = Wᵀ·X. */
    if (t == TRIT_CUDA_FP32 && n == 1)
        st = cublasSgemv(b->h, CUBLAS_OP_T, k, m, &one, W, k, X, 1, &zero, Y, 1);
    else if (t == TRIT_CUDA_FP32)
        st = cublasSgemm(b->h, CUBLAS_OP_T, CUBLAS_OP_N, m, n, k, &one, W, k, X, k, &zero, Y, m);
    else {
        const cudaDataType dt = t == TRIT_CUDA_FP16 ? CUDA_R_16F : CUDA_R_16BF;
        st = cublasGemmEx(b->h, CUBLAS_OP_T, CUBLAS_OP_N, m, n, k, &one, W, dt, k, X, dt, k, &zero, Y, dt, m,
                          CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT);
    }
    if (st != CUBLAS_STATUS_SUCCESS) {
        char what[96];
        snprintf(what, sizeof what, "cuBLAS %s: %s", trit_cuda_blas_type_name(t), cublasGetStatusString(st));
        return trit_cuda_fail(what, cudaErrorUnknown);
    }
    return 0;
}
