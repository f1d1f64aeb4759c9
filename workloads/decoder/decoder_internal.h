/* decoder_internal.h — the decoder's data layout, shared by its weight generator, forward and ops. */
#ifndef TRITBENCH_DECODER_INTERNAL_H
#define TRITBENCH_DECODER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tritbench/decoder.h"

enum { DEC_Q = 0, DEC_K, DEC_V, DEC_O, DEC_GATE, DEC_UP, DEC_DOWN, DEC_N_LINEAR };
enum { DEC_ATTN_NORM = 0, DEC_ATTN_SUBNORM, DEC_FFN_NORM, DEC_FFN_SUBNORM, DEC_N_NORM };

/* One projection in one representation (the others stay empty). */
typedef struct dec_linear {
    size_t rows, cols;
    trit_packed w; /* ternary variant */
    float *f;      /* FP32 variant: rows × cols, row-major */
    uint16_t *h;   /* FP16/BF16 variants: rows × cols half / bfloat16 bits */
} dec_linear;

/* How the embedding and lm_head tables are stored. */
typedef enum dec_table_kind { DEC_TAB_F32 = 0, DEC_TAB_F16, DEC_TAB_BF16, DEC_TAB_Q8, DEC_TAB_Q8R } dec_table_kind;
/* Q8 rows (Q8 and Q8R: the residual plane is Q8R's addition). */
static inline bool dec_table_is_q8(dec_table_kind k) { return k == DEC_TAB_Q8 || k == DEC_TAB_Q8R; }
dec_table_kind dec_table_kind_of(const tb_decoder_opts *o);
bool dec_variant_is_half(tb_dec_variant v); /* FP16 or BF16 */
trit_half_type dec_half_type(tb_dec_variant v);

typedef struct dec_layer {
    dec_linear lin[DEC_N_LINEAR];
    float *norm[DEC_N_NORM];
} dec_layer;

/* Workspace for up to max_batch token rows. */
typedef struct dec_ws {
    float *h;      /* residual stream, batch × hidden */
    float *n;      /* normalized input of a projection, batch × max(hidden, q_dim, ffn) */
    float *q, *k, *v, *att; /* batch × q_dim / kv_dim / kv_dim / q_dim */
    float *gate, *up;       /* batch × ffn */
    float *out;             /* projection output, batch × hidden */
    float *scores;          /* threads × max_ctx */
    float *last;            /* one row: the final-normed last token */
    trit_act act_hidden, act_q, act_ffn; /* one quantized activation buffer per input width */
    int32_t *acc;           /* batch × max(rows of any projection) */
} dec_ws;

struct tb_decoder {
    trit_model_config cfg;
    tb_decoder_opts opts;
    const trit_kernel *gemv, *gemm;
    const trit_fp32_kernel *fp32;
    char kernel_desc[256];
    dec_layer *layers;
    float *final_norm;
    /* Embedding (vocab × hidden) and lm_head (empty when tied), stored as `tables`: FP16/BF16 bits, FP32
     * or Q8 rows — one of the three. */
    dec_table_kind tables;
    uint16_t *embed_h, *head_h;
    float *embed_f, *head_f;
    trit_q8_rows embed_q, head_q;
    trit_q8_resid embed_r, head_r;  /* Q8R: the 4-bit residuals of embed_q / head_q */
    const trit_q8_kernel *q8;       /* Q8 tables */
    const trit_half_kernel *half;      /* FP16/BF16 GEMV: decode linears and the tables */
    const trit_half_kernel *half_gemm; /* FP16/BF16 GEMM: prefill linears */
    int64_t *head_acc;              /* vocab int64: the Q8 lm_head's integer dot products */
    trit_q8_act head_act;           /* the Q8 lm_head's int16 activation (lowp.h) */
    size_t q8r_cap;                 /* Q8R stage 2: most rows re-scored, its workspaces below */
    uint32_t *q8r_cand;
    double *q8r_key;
    tb_dec_rescore rescore;
    float *k_cache, *v_cache; /* n_layers × n_kv_heads × max_ctx × head_dim */
    float *rope_cos, *rope_sin; /* max_ctx × head_dim/2 */
    size_t pos, q_dim, kv_dim;
    size_t weight_bytes;
    dec_ws ws;
    double phase[TB_DEC_PH_COUNT];
};

/* ops.c — the non-linear-layer parts, shared by both variants. */
void dec_rms_norm(const float *x, const float *g, float eps, size_t cols, float *out);
void dec_rope_tables(float *cos_t, float *sin_t, size_t max_ctx, size_t head_dim, float theta);
void dec_rope(float *vec, size_t n_heads, size_t head_dim, const float *cos_row, const float *sin_row);
/* One query row at position pos over cache rows [0, pos]; out: n_heads × head_dim. */
void dec_attend_head(const float *q, const float *k_cache, const float *v_cache, size_t pos, size_t head_dim,
                     float *scores, float *out);
float dec_dot(const float *a, const float *b, size_t n);
void dec_ffn_gate(float *gate, const float *up, size_t n, trit_ffn_act act); /* gate ← act(gate) ⊙ up */

/* half.c — IEEE binary16 conversion and the FP16 lm_head GEMV (F16C where the CPU has it). */
uint16_t dec_f32_to_f16(float f);
float dec_f16_to_f32(uint16_t h);
void dec_f16_row_to_f32(const uint16_t *src, size_t n, float *dst);
void dec_f32_row_to_f16(const float *src, size_t n, uint16_t *dst); /* F16C where present, same rounding */
/* y[m] = Σ_k W[m·K + k] · x[k] over rows [0, M), W FP16; threads split the rows. */
void dec_gemv_f16(const uint16_t *W, const float *x, float *y, size_t M, size_t K, int threads);
/* half_x86.c (x86-64 builds): the F16C/FMA row range; absent elsewhere. */
void dec_gemv_f16_rows_f16c(const uint16_t *W, const float *x, float *y, size_t m_begin, size_t m_end, size_t K);
void dec_f32_row_to_f16_f16c(const float *src, size_t n, uint16_t *dst);

/* Q8R stage 2 workspace bytes for a vocabulary (the memory model counts them). */
static inline size_t dec_q8r_ws_bytes(size_t cap) { return cap * (sizeof(uint32_t) + sizeof(double)); }

/* weights.c — generation and the memory model. */
int dec_weights_generate(tb_decoder *d, char *err, size_t err_len);
void dec_weights_free(tb_decoder *d);

#endif
