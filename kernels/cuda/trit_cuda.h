/* trit_cuda.h — the CUDA variant's own API: device copies of packed weights and activations, the
 * I2 GEMV/GEMM and activation-quantization launches, CUDA-event timing and the cuBLAS baselines.
 *
 * Used by suites/cuda.c, validate/sections/validate_cuda.c and tests/cuda; the registry entry
 * (kernels/cuda/table.c) wraps the same launches with host↔device copies. Plain C: streams are the
 * runtime's opaque `struct CUstream_st *` (cudaStream_t), so callers need no CUDA headers.
 *
 * Integer contract (kernels.h): acc[n·ld + m] = Σ_k w[m,k]·xq[n,k] (int32), bit-identical to
 * trit_matmul_i2_scalar. The fused float output is y[n·ld + m] = acc · γ_m / s_n, as trit_rescale. */
#ifndef TRITBENCH_KERNELS_CUDA_TRIT_CUDA_H
#define TRITBENCH_KERNELS_CUDA_TRIT_CUDA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tritbench/formats.h"
#include "tritbench/quant.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct CUstream_st *trit_cuda_stream; /* == cudaStream_t; NULL = the default stream */

/* Is a CUDA device usable? false with "no CUDA device: <cudaGetErrorString>" (or the reason) in why. */
bool trit_cuda_available(char *why, size_t why_len);

typedef struct trit_cuda_info {
    char name[256];
    int sm_major, sm_minor;
    int multiprocessors;
    size_t l2_bytes;
    size_t global_mem_bytes;
    int driver_version, runtime_version;
} trit_cuda_info;
int trit_cuda_get_info(trit_cuda_info *info); /* 0, or -1 (no device) */

/* Last CUDA error text of this thread's most recent failing call in this module ("" if none). */
const char *trit_cuda_last_error(void);

/* Device memory (cudaMalloc; never managed memory). */
void *trit_cuda_malloc(size_t bytes); /* NULL on failure (trit_cuda_last_error says why) */
void trit_cuda_free(void *p);
int trit_cuda_upload(void *dst, const void *src, size_t bytes);   /* host → device, synchronous */
int trit_cuda_download(void *dst, const void *src, size_t bytes); /* device → host, synchronous */
int trit_cuda_memset(void *dst, int value, size_t bytes);
int trit_cuda_sync(void);

/* Packed I2 weights on the device: the same bytes as trit_packed (rows × row_bytes) + the γ scales. */
typedef struct trit_cuda_weights {
    size_t rows, cols, cols_padded, row_bytes;
    trit_granularity granularity;
    uint8_t *codes; /* device */
    float *scales;  /* device: 1 or rows floats */
} trit_cuda_weights;
/* Copies rows [m_begin, m_end) of an I2 matrix (the whole matrix: 0, w->rows). 0, or -1 (not I2,
 * bad range, no memory). */
int trit_cuda_weights_upload(trit_cuda_weights *dw, const trit_packed *w, size_t m_begin, size_t m_end);
/* Allocates an I2 matrix on the device only (codes and scales unset). 0 or -1. */
int trit_cuda_weights_alloc(trit_cuda_weights *dw, size_t rows, size_t cols, trit_granularity g);
void trit_cuda_weights_free(trit_cuda_weights *dw);

/* Quantized activations on the device: rows × stride int8 (zero beyond cols), s and Σq per row. */
typedef struct trit_cuda_act {
    size_t rows, cols, stride;
    int8_t *q;
    float *scale;
    int32_t *sum;
    int *error; /* set to 1 by the device quantizer on a non-finite input */
} trit_cuda_act;
int trit_cuda_act_alloc(trit_cuda_act *a, size_t rows, size_t cols); /* stride as trit_act_alloc */
void trit_cuda_act_free(trit_cuda_act *a);
int trit_cuda_act_upload(trit_cuda_act *a, const trit_act *x);     /* shapes must match */
int trit_cuda_act_download(trit_act *x, const trit_cuda_act *a);   /* shapes must match */

/* Device activation quantization (the quant.h rule, bit-identical to trit_quantize_activations):
 * X is a device array a->rows × a->cols with leading dimension ld_x. Asynchronous; call
 * trit_cuda_act_check after synchronizing to learn whether an input was non-finite. */
int trit_cuda_quantize(const float *X, size_t ld_x, trit_cuda_act *a, trit_cuda_stream s);
int trit_cuda_act_check(const trit_cuda_act *a); /* 0 all finite, -1 a non-finite input (or a CUDA error) */

/* acc (int32, may be NULL) and/or y (float, fused rescale, may be NULL): device arrays, leading
 * dimension ld ≥ w->rows, rows n < x->rows. Asynchronous on stream s. 0, or -1 on a shape mismatch
 * or a launch error. GEMV takes exactly one activation row (dp4a); GEMM any number (int8 MMA, sm_80+). */
int trit_cuda_gemv_i2(const trit_cuda_weights *w, const trit_cuda_act *x, int32_t *acc, float *y, size_t ld,
                      trit_cuda_stream s);
int trit_cuda_gemm_i2(const trit_cuda_weights *w, const trit_cuda_act *x, int32_t *acc, float *y, size_t ld,
                      trit_cuda_stream s);

/* FP32 → FP16 / BF16 on the device (for the cuBLAS baselines): n elements. */
int trit_cuda_to_half(const float *src, void *dst, size_t n, bool bf16, trit_cuda_stream s);

/* --- device-made inputs (counter-based random numbers: the same seed gives the same data) --- */
int trit_cuda_fill_i2(trit_cuda_weights *w, uint64_t seed);   /* codes uniform over {−1,0,+1}, padding 0 */
int trit_cuda_fill_normal(float *x, size_t n, uint64_t seed); /* ≈ N(0,1) */

/* --- timing with CUDA events --- */
typedef struct trit_cuda_timer {
    void *start, *stop; /* cudaEvent_t */
} trit_cuda_timer;
int trit_cuda_timer_init(trit_cuda_timer *t);
void trit_cuda_timer_free(trit_cuda_timer *t);
int trit_cuda_timer_start(trit_cuda_timer *t, trit_cuda_stream s);
/* Records stop, waits for it, returns the elapsed seconds (< 0 on error). */
double trit_cuda_timer_stop(trit_cuda_timer *t, trit_cuda_stream s);

/* Evicts the L2 by writing a buffer larger than it (allocated on first use; freed by
 * trit_cuda_flush_free). Outside the timed region. 0 or -1. */
int trit_cuda_flush_l2(trit_cuda_stream s);
void trit_cuda_flush_free(void);

/* Device-to-device copy bandwidth in GB/s (bytes read + bytes written per second), median of `reps`
 * cudaMemcpyAsync's of `bytes` each after a warm-up. ≤ 0 on error. */
double trit_cuda_copy_gbps(size_t bytes, int reps);

/* --- cuBLAS baselines: Y (N × M, column m fastest) = W (M × K row-major) · X (N × K row-major) ---
 * The same orientation as the ternary kernels and baselines.h. N == 1 uses cublasSgemv for FP32. */
typedef enum trit_cuda_blas_type { TRIT_CUDA_FP32 = 0, TRIT_CUDA_FP16, TRIT_CUDA_BF16 } trit_cuda_blas_type;
typedef struct trit_cuda_blas trit_cuda_blas;
trit_cuda_blas *trit_cuda_blas_new(trit_cuda_stream s); /* NULL on failure */
void trit_cuda_blas_free(trit_cuda_blas *b);
/* W, X device arrays of the type (FP32: float; FP16/BF16: 2-byte elements); Y is FP32 for FP32 and
 * of the input type otherwise; accumulation in FP32 (CUBLAS_COMPUTE_32F). 0 or -1. */
int trit_cuda_blas_gemm(trit_cuda_blas *b, trit_cuda_blas_type t, const void *W, const void *X, void *Y, size_t M,
                        size_t K, size_t N);
const char *trit_cuda_blas_type_name(trit_cuda_blas_type t); /* "fp32", "fp16", "bf16" */
/* W[m·cols + k] = w[m,k] · γ_m decoded from the device I2 matrix into type t (rows × cols). 0 or -1. */
int trit_cuda_decode_i2(const trit_cuda_weights *w, trit_cuda_blas_type t, void *W);

/* --- benchmark cases: one implementation of Y (N × M) = W · X on device-made data, timed per launch.
 * All implementations of one (M, K, N, seed) multiply the same ternary matrix and activations. --- */
typedef enum trit_cuda_impl {
    TRIT_CUDA_IMPL_I2 = 0,   /* ternary kernel on pre-quantized activations, fused rescale to FP32 */
    TRIT_CUDA_IMPL_I2_QUANT, /* device activation quantization + the above (the whole BitLinear matmul) */
    TRIT_CUDA_IMPL_FP32,     /* cuBLAS SGEMV (N = 1) / SGEMM */
    TRIT_CUDA_IMPL_FP16,     /* cublasGemmEx FP16, FP32 accumulation */
    TRIT_CUDA_IMPL_BF16,     /* cublasGemmEx BF16, FP32 accumulation */
    TRIT_CUDA_IMPL_COUNT
} trit_cuda_impl;
const char *trit_cuda_impl_name(trit_cuda_impl i); /* "i2", "i2_quant", "cublas_fp32", "cublas_fp16", "cublas_bf16" */

typedef struct trit_cuda_case {
    trit_cuda_impl impl;
    size_t M, K, N;
    trit_cuda_weights w;
    trit_cuda_act x;
    float *X;            /* N × K FP32 activations */
    void *Wb, *Xb, *Yb;  /* the baseline's operands in its type (NULL for i2) */
    float *y;            /* i2 output, N × M FP32 */
    trit_cuda_blas *blas;
    trit_cuda_timer timer;
    double bytes;        /* fewest bytes the operation must move: weights, activations and output once */
    double weight_bytes; /* the weights alone, in this implementation's format */
    double ops;          /* 2·M·K·N */
} trit_cuda_case;
int trit_cuda_case_init(trit_cuda_case *c, trit_cuda_impl impl, size_t M, size_t K, size_t N, uint64_t seed);
/* One launch timed with events (seconds), after evicting the L2 when flush_l2 (not timed). < 0 on error. */
double trit_cuda_case_run(trit_cuda_case *c, bool flush_l2);
/* The output as FP32 on the host (N × M floats). 0 or -1. */
int trit_cuda_case_output(const trit_cuda_case *c, float *y_host);
void trit_cuda_case_free(trit_cuda_case *c);

#ifdef __cplusplus
}
#endif

#endif
