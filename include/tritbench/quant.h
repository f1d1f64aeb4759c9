/* quant.h — BitNet b1.58 quantizers (portable C; the oracle for every variant).
 *
 * Weights (absmean): γ = mean|W| over the tensor or the row; Wq = RoundClip(W / (γ + ε), −1, 1).
 *   The stored scale is γ itself (so "γ equals mean|W|" holds exactly); outputs use y = acc · γ / s.
 *   Threshold variant: |W| < t·γ → 0, else sign(W).
 * Activations, per token (row): s = 127 / max(max|x|, 1e-5), xq = clamp(round(x·s), −128, 127),
 *   rounding half to even (nearbyintf in the default mode, as torch.round and cvtps2dq do).
 *   Σ xq per row is kept for the I2 offset trick (Σ w·x = Σ c·x − Σ x).
 */
#ifndef TRITBENCH_QUANT_H
#define TRITBENCH_QUANT_H

#include <stddef.h>
#include <stdint.h>

#include "tritbench/formats.h"

#define TRIT_WEIGHT_EPS 1e-5f
#define TRIT_ACT_MIN_ABSMAX 1e-5f

typedef enum trit_wquant_method { TRIT_WQ_ABSMEAN = 0, TRIT_WQ_THRESHOLD = 1 } trit_wquant_method;

typedef struct trit_wquant_opts {
    trit_granularity granularity;
    trit_wquant_method method;
    float threshold; /* t, for TRIT_WQ_THRESHOLD only (|W| < t·γ → 0); 0.5 is usual */
} trit_wquant_opts;

/* W: rows × cols row-major FP32. wq: rows × cols int8 in {−1,0,1}. gamma: 1 or rows floats (= mean|W|).
 * Returns 0, or -1 on bad arguments / a non-finite weight. */
int trit_quantize_weights(const float *W, size_t rows, size_t cols, const trit_wquant_opts *o, int8_t *wq,
                          float *gamma);

/* Quantized activations: rows × stride int8, zero beyond cols (stride = cols rounded up to
 * TRIT_ACT_K_ALIGN), one scale s and one Σ q per row. Buffers TRIT_ALIGN-aligned. */
typedef struct trit_act {
    size_t rows, cols, stride;
    int8_t *q;
    float *scale;  /* s = 127 / max|x| per row */
    int32_t *sum;  /* Σ q per row */
    size_t alloc_bytes;
} trit_act;

int trit_act_alloc(trit_act *a, size_t rows, size_t cols); /* 0 or -1 (errno) */
void trit_act_free(trit_act *a);
/* X: a->rows × a->cols FP32 with leading dimension ld_x (≥ cols). Returns 0, or -1 on a non-finite x.
 * Uses the CPU's vector units (AVX2 / AVX-512 on x86-64), equal bit for bit to the scalar oracle _ref. */
int trit_quantize_activations(const float *X, size_t ld_x, trit_act *a);
int trit_quantize_activations_ref(const float *X, size_t ld_x, trit_act *a);

#endif
