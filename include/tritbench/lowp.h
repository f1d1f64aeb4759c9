/* lowp.h — dense low-precision kernels that sit beside the ternary ones:
 *
 * 1. Q8 rows (the int8 lm_head / embedding of llama.cpp-family deployments): a matrix stored per row as
 *    absmax int8 codes and one FP32 scale, w[m][k] ≈ code[m][k] · scale[m] with
 *    scale = max_k |w[m][k]| / 127 (0 for an all-zero row) and code = round-half-even(w · 127 / max|w|),
 *    in [−127, 127] (kernels also take −128, which the tests use).
 *    Its GEMV quantizes the activation per token to INT16 (absmax: s = 32767 / max(max|x|, 1e-5),
 *    q = clamp(round-half-even(x·s), −32768, 32767)), computes acc[m] = Σ_k code[m][k] · q[k] exactly in
 *    int64 — BIT-EXACT, the same integers in every variant — and then one rescale y[m] = acc[m]·scale[m]/s.
 *    Why int16 and not int8 (as BitLinear's activations): measured on bitnet-2b (tests/decoder/
 *    q8_head_error_sources), int8 activations were ~4/5 of the head's logit error (1 − cosine 6.3e-5 of
 *    7.1e-5 at worst, max |Δ logit| 0.055 of 0.061); int16 leaves the int8 weights' own rounding
 *    (1 − cosine 7.8e-6, max |Δ| 0.021). The head streams its int8 rows from memory, so the extra
 *    arithmetic is nearly free; storage stays int8 per row.
 *    Kernels read q or its two byte planes q = 256·hi + lo (hi = q >> 8 as int8, lo = q & 255 as uint8):
 *    Σ c·q = 256·Σ c·hi + Σ c·lo, each part int32-exact for K ≤ TRIT_Q8_MAX_K.
 *      scalar      — the oracle (int64 over q);
 *      avx2        — codes sign-extended to int16, vpmaddwd with q (pairs ≤ 2²³), int32 lanes widened
 *                    to int64 every 2048 columns (≤ 2³⁰ per lane in between);
 *      avx512_vnni — vpdpbusd takes u8 × s8: lo is the unsigned side as it is; hi is fed as hi + 128
 *                    (hi ^ 0x80) and the row's Σ code (stored, trit_q8_rows.wsum) corrects:
 *                    Σ c·hi = Σ c·(hi + 128) − 128·Σ c;
 *      neon(_dotprod) — sdot (s8 × s8) where present, else vmull/vpadal (aarch64 builds); lo is fed as
 *                    lo − 128 (lo ^ 0x80) and corrected by + 128·Σ c.
 *    K ≤ TRIT_Q8_MAX_K keeps every int32 partial sum (including the offsets') exact: 255 · 128 · K < 2³¹.
 *
 * 2. FP16 / BF16 GEMV and GEMM baselines ("like-for-like": bitnet.cpp quotes its speedups over llama.cpp
 *    FP16). Weights are IEEE binary16 or bfloat16 bits (uint16), activations FP32, output FP32:
 *        Y[n·M + m] = Σ_k W[m·K + k] · X[n·K + k]        (W: M × K row-major, X: N × K, Y: N × M)
 *    FP16 multiplies the widened weight by the FP32 activation (F16C convert + FMA on x86). BF16 rounds the
 *    activation to bfloat16 as well (vdpbf16ps takes bf16 pairs; the convert fallback does the same rounding
 *    so every BF16 variant computes the same product): Σ bf16(W)·bf16(X).
 *    Tolerance (tests/kernels/test_lowp_dense.c): every variant is within
 *        |y − y_exact| ≤ (K/8 + 16) · 2⁻²⁴ · Σ_k |w_k · x_k|
 *    of the exact (double) product of the same rounded inputs — the FP32 summation error of a sum split
 *    into ≥ 8 lanes. vdpbf16ps flushes denormals (inputs of the tests are normal).
 */
#ifndef TRITBENCH_LOWP_H
#define TRITBENCH_LOWP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tritbench/quant.h"

/* ---- Q8 rows ---------------------------------------------------------------------------------------- */

#define TRIT_Q8_MAX_K 65536u  /* 255 · 128 · K < 2³¹ (the byte planes' offset sums) */
#define TRIT_Q8_ROW_ALIGN 64u /* row stride of the codes; padding codes are 0 */

typedef struct trit_q8_rows {
    size_t rows, cols, stride; /* stride = cols rounded up to TRIT_Q8_ROW_ALIGN */
    int8_t *codes;             /* rows × stride, TRIT_ALIGN-aligned (trit_alloc_weights: 2 MiB from TRIT_HUGE_MIN bytes) */
    float *scale;              /* per row */
    int32_t *wsum;             /* Σ codes per row (the VNNI offset correction) */
} trit_q8_rows;

/* Bytes trit_q8_alloc allocates for (rows, cols), as the memory accounting counts them. */
size_t trit_q8_bytes(size_t rows, size_t cols);
int trit_q8_alloc(trit_q8_rows *w, size_t rows, size_t cols); /* 0, or -1 (cols 0 or > MAX_K, no memory) */
void trit_q8_free(trit_q8_rows *w);
/* Quantizes rows [r0, r0 + n) from src (n × cols FP32). Returns 0, or -1 on a non-finite value. */
int trit_q8_quantize_rows(trit_q8_rows *w, size_t r0, size_t n, const float *src);
/* Σ codes of rows [r0, r0 + n), after the codes were written directly (tests write −128). */
void trit_q8_update_sums(trit_q8_rows *w, size_t r0, size_t n);
/* Row r as FP32 (code · scale): the int8 embedding lookup. */
void trit_q8_dequantize_row(const trit_q8_rows *w, size_t r, float *out);

/* The GEMV's activation: one token quantized to int16 absmax (above), with the byte planes the kernels
 * read. TRIT_ALIGN-aligned buffers of cols values (no padding is read). */
typedef struct trit_q8_act {
    size_t cols;
    int16_t *q;  /* round-half-even(x · scale), clamped to [−32768, 32767] */
    int8_t *hi;  /* q >> 8 (arithmetic) */
    uint8_t *lo; /* q & 255: q = 256·hi + lo */
    float scale; /* s = 32767 / max(max|x|, TRIT_ACT_MIN_ABSMAX) */
} trit_q8_act;

int trit_q8_act_alloc(trit_q8_act *a, size_t cols); /* 0, or -1 (cols 0, no memory) */
void trit_q8_act_free(trit_q8_act *a);
/* Quantizes x (a->cols values) into q, hi, lo, scale. Returns 0, or -1 on a non-finite value. */
int trit_q8_quantize_act(const float *x, trit_q8_act *a);
/* hi and lo from q, after q was written directly (tests write −32768). */
void trit_q8_act_split(trit_q8_act *a);

/* acc[m − m_begin] = Σ_k codes[m][k] · x->q[k] for m in [m_begin, m_end), exact (int64). */
typedef void (*trit_q8_dot_fn)(const trit_q8_rows *w, const trit_q8_act *x, int64_t *acc, size_t m_begin,
                               size_t m_end);

typedef struct trit_q8_kernel {
    const char *name;  /* "scalar", "avx2", "avx512_vnni", "neon", "neon_dotprod" */
    uint32_t requires; /* TRIT_CPU_* bits */
    int priority;      /* higher is preferred by trit_q8_select */
    trit_q8_dot_fn dot;
} trit_q8_kernel;

const trit_q8_kernel *trit_q8_kernels(size_t *count); /* compiled in, scalar first */
bool trit_q8_runnable(const trit_q8_kernel *k);
const trit_q8_kernel *trit_q8_get(const char *name);  /* NULL if not compiled in */
const trit_q8_kernel *trit_q8_select(void);           /* highest-priority runnable (scalar at worst) */

/* The rescale every variant shares: y = acc · scale_row / s, in double, rounded once to FP32. */
static inline float trit_q8_rescale(int64_t acc, float scale_row, float s)
{
    return (float)((double)acc * (double)scale_row / (double)s);
}

/* y (w->rows) = W · x: quantizes x into a (a->cols == w->cols), runs k over the rows split among threads
 * (acc: w->rows int64 workspace), rescales. Returns 0 or -1 (non-finite x, shape mismatch). */
int trit_q8_gemv(const trit_q8_kernel *k, const trit_q8_rows *w, const float *x, trit_q8_act *a, int64_t *acc,
                 float *y, int threads);

/* ---- Q8 rows + 4-bit residual ("q8r"): a two-stage head -------------------------------------------
 * Why: the Q8 head's top-1 disagreements with an FP32 head are near-ties (reference margins ≤ 0.003) flipped
 * by the int8 weights' own rounding (README). A finer weight for every row would double the 328 MB stream;
 * but only the few rows that could be the top-1 need it. So:
 *   stage 1 — the Q8 GEMV above over the whole vocabulary, unchanged (same kernels, same speed);
 *   stage 2 — the rows whose stage-1 logit is provably close enough to the maximum are re-scored with a
 *             12-bit weight q + r/16, r a 4-bit residual stored per weight:
 *                 r = clamp(round-half-even(16 · (w · 127/max|w| − q)), −8, 7)   (two's complement nibble)
 *             w ≈ scale · (q + r/16), |error| ≤ scale/32 (scale/16 where +8 was clamped to 7).
 *             The re-scored logit is exact in integers, acc2 = Σ_k (16·q_k + r_k) · x_k (int64), then one
 *             rescale y = acc2 · scale / (16 · s) — the same int16 activation x, s as stage 1.
 *             Those logits replace the stage-1 ones of the same rows (stage-1 values elsewhere).
 * Which rows (the bound, derived in q8r_refine.c): with acc1 = Σ q·x (stage 1) and R = 8 · Σ_k |x_k|,
 * |acc2 − 16·acc1| = |Σ r·x| ≤ R, so every row's 12-bit logit lies in [16·acc1 − R, 16·acc1 + R] · scale/(16s);
 * a row is a candidate when its upper end reaches the largest lower end. The set provably holds the argmax
 * of the 12-bit weights (and of the unrounded weights times the same x: |16·(w/scale − q)| ≤ 8 up to float
 * rounding, which a 2⁻¹² slack on R covers), so
 * the refined vector's argmax IS the 12-bit head's. If more than `cap` rows qualify (a flat top), the `cap`
 * best by stage-1 logit are re-scored instead and the call says so (capped).
 * Storage: row m's residuals in nib[m · row_bytes …], column k in byte k/2, low nibble for even k;
 * rows × ceil(cols/2) bytes: +164 MB for BitNet-2B's 128256 × 2560 table (counted by trit_q8r_bytes). */

#define TRIT_Q8R_CAP 256u /* default most rows stage 2 re-scores per call */

typedef struct trit_q8_resid {
    size_t rows, cols, row_bytes; /* row_bytes = ceil(cols / 2) */
    uint8_t *nib;                 /* rows × row_bytes, trit_alloc_weights */
} trit_q8_resid;

size_t trit_q8r_bytes(size_t rows, size_t cols); /* the residual plane alone (the Q8 rows: trit_q8_bytes) */
int trit_q8r_alloc(trit_q8_resid *r, size_t rows, size_t cols); /* 0, or -1 (cols 0 or > MAX_K, no memory) */
void trit_q8r_free(trit_q8_resid *r);
/* Residuals of rows [r0, r0 + n) of src (n × cols FP32), against w's codes of the same rows (quantized from
 * the same src by trit_q8_quantize_rows first). 0, or -1 (shape mismatch, non-finite value). */
int trit_q8r_quantize_rows(const trit_q8_rows *w, trit_q8_resid *r, size_t r0, size_t n, const float *src);

/* Residual of (row, k) in [−8, 7]. */
static inline int trit_q8r_get(const trit_q8_resid *r, size_t row, size_t k)
{
    const unsigned b = r->nib[row * r->row_bytes + k / 2];
    const int v = (int)((k & 1) ? b >> 4 : b & 15u);
    return v >= 8 ? v - 16 : v;
}
static inline void trit_q8r_set(trit_q8_resid *r, size_t row, size_t k, int v)
{
    uint8_t *b = &r->nib[row * r->row_bytes + k / 2];
    const unsigned n = (unsigned)v & 15u;
    *b = (uint8_t)((k & 1) ? (*b & 0x0fu) | (n << 4) : (*b & 0xf0u) | n);
}

/* Row as FP32, (16·q + r) · scale / 16: the q8r embedding lookup (one row, so the finer weight is free). */
void trit_q8r_dequantize_row(const trit_q8_rows *w, const trit_q8_resid *r, size_t row, float *out);
/* Σ_k (16·codes[row][k] + r[row][k]) · x->q[k], exact (scalar: stage 2 touches a handful of rows). */
int64_t trit_q8r_dot_row(const trit_q8_rows *w, const trit_q8_resid *r, const trit_q8_act *x, size_t row);

typedef struct trit_q8r_stats {
    size_t rescored; /* rows re-scored by the last call */
    size_t admitted; /* rows the bound admitted (> cap when capped) */
    bool capped;     /* the bound admitted more than cap: the cap best stage-1 rows were re-scored */
} trit_q8r_stats;

/* Stage 2 on a finished stage 1: x, acc (w->rows stage-1 int64 sums) and y (their rescaled logits) as
 * trit_q8_gemv left them; re-scores the candidate rows in y. cand: workspace of cap indices, key: of cap
 * doubles. 0, or -1 (shape mismatch, cap 0). */
int trit_q8r_refine(const trit_q8_rows *w, const trit_q8_resid *r, const trit_q8_act *x, const int64_t *acc,
                    float *y, size_t cap, uint32_t *cand, double *key, trit_q8r_stats *st);

/* ---- FP16 / BF16 dense baselines -------------------------------------------------------------------- */

typedef enum trit_half_type { TRIT_HALF_FP16 = 0, TRIT_HALF_BF16 = 1 } trit_half_type;
const char *trit_half_type_name(trit_half_type t); /* "fp16", "bf16" */

uint16_t trit_f32_to_f16(float f);   /* round half to even, overflow → Inf (as F16C) */
float trit_f16_to_f32(uint16_t h);
uint16_t trit_f32_to_bf16(float f);  /* round half to even, NaN kept quiet (as vcvtneps2bf16) */
float trit_bf16_to_f32(uint16_t h);
void trit_f32_to_half_row(trit_half_type t, const float *src, size_t n, uint16_t *dst);
void trit_half_to_f32_row(trit_half_type t, const uint16_t *src, size_t n, float *dst);

/* Same shape convention as trit_sgemm_fn (baselines.h); threads split rows (N == 1) or tokens. */
typedef void (*trit_hgemm_fn)(const uint16_t *W, const float *X, float *Y, size_t M, size_t K, size_t N,
                              int threads);

typedef struct trit_half_kernel {
    const char *name;    /* "scalar", "f16c", "avx512_bf16", "bf16_convert" */
    trit_half_type type;
    uint32_t requires;   /* TRIT_CPU_* bits; plus the extra checks of trit_half_runnable */
    int priority;        /* GEMV (N == 1) preference, higher wins */
    int priority_gemm;   /* GEMM (N > 1) preference: the fastest path differs (lowp/half.c) */
    trit_hgemm_fn fn;
} trit_half_kernel;

const trit_half_kernel *trit_half_kernels(size_t *count);
bool trit_half_runnable(const trit_half_kernel *k);
const trit_half_kernel *trit_half_get(trit_half_type t, const char *name);
/* Best runnable for GEMV (gemm false) or GEMM (true); scalar at worst. */
const trit_half_kernel *trit_half_select(trit_half_type t, bool gemm);

/* What the CPU has beyond cpu.h's bits (cpu.h has no F16C / AVX512_BF16 bit yet). */
bool trit_cpu_has_f16c(void);
bool trit_cpu_has_avx512_bf16(void);

#endif
