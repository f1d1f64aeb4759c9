/* kernels_measure.h — the kernels section's measurements that need no clock: memory read from real
 * buffers, FP64 oracles, error statistics, sparsity. Pure functions, unit-tested in tests/validate. */
#ifndef TRITBENCH_REPORTS_KERNELS_MEASURE_H
#define TRITBENCH_REPORTS_KERNELS_MEASURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tritbench/formats.h"
#include "tritbench/quant.h"

/* FP32 bytes of the same matrix / the bytes the packed buffer really holds (codes + scales, padding
 * included): a format that wastes bytes shows it here. 0 for an empty buffer. */
double vk_memory_reduction(const trit_packed *p);

/* Whole-model memory for a model config whose linear layers are packed in format f. The ternary bytes
 * come from allocated (not filled) packed buffers of the model's own layer shapes. */
typedef struct vk_model_memory {
    size_t linear_params, other_params, embedding_params, norm_params;
    double fp32_bytes;           /* every parameter in FP32 */
    double ternary_linear_bytes; /* packed BitLinear weights, read from the buffers */
    double model_bytes_emb_fp16; /* packed linear + embeddings/lm_head FP16 + norms FP32 */
    double model_bytes_emb_fp32; /* packed linear + embeddings/lm_head FP32 + norms FP32 */
    double weight_only;          /* linear FP32 bytes / packed linear bytes */
    double whole_emb_fp16;       /* fp32_bytes / model_bytes_emb_fp16 */
    double whole_emb_fp32;
    bool extrapolated;           /* the shape set misses layers: linear bytes scaled (why says so) */
} vk_model_memory;
/* 0 (why holds a note when extrapolated), or -1 with the reason (unknown model, no memory). */
int vk_model_memory_get(const char *model, trit_format f, vk_model_memory *out, char *why, size_t why_len);

/* y[n·M + m] = Σ_k W[m·K + k] · X[n·K + k] in double: the FP32 layer, exactly. */
void vk_ref_fp32(const float *W, const float *X, size_t M, size_t K, size_t N, double *y);
/* The same quantized math as the kernels, in integers then FP64: (Σ wq·xq) · γ_m / s_n. */
void vk_ref_quant(const int8_t *wq, const float *gamma, trit_granularity g, const trit_act *a, size_t M, double *y);

typedef struct vk_error {
    double mse, nmse, max_abs, cosine;
} vk_error;
/* Statistics of y (FP32, n values) against ref. nmse = Σ(y−ref)² / Σ ref²; cosine of the two vectors. */
void vk_error_stats(const float *y, const double *ref, size_t n, vk_error *e);

typedef struct vk_sparsity {
    double zero, neg, pos; /* fractions of −1 / 0 / +1 */
} vk_sparsity;
void vk_sparsity_of(const int8_t *wq, size_t n, vk_sparsity *s);

#endif
