/* decoder.h — an end-to-end BitNet b1.58 transformer forward (prefill and decode) built on the kernel
 * library, at real sizes, with weights generated from a seed at load.
 *
 * Per layer (BitNet b1.58 / bitnet-2B-4T layout):
 *   h += o( SubLN( GQA-attention( RoPE(q(n)), RoPE(k(n)), v(n) ) ) ),   n = RMSNorm(h)
 *   h += down( SubLN( act(gate(n)) ⊙ up(n) ) ),                         n = RMSNorm(h)
 * with act = squared ReLU (BitNet b1.58) or SiLU (Llama-style), then a final RMSNorm and lm_head.
 *
 * Two variants of the same model:
 *   TB_DEC_TERNARY — the seven projections are packed ternary (trit_matmul + one FP32 rescale), drawn as
 *                    trits from the start (no FP32 copy); embedding and lm_head FP16 (as bitnet.cpp keeps
 *                    them) unless head_fp32.
 *   TB_DEC_FP32    — the dequantized weights (trit · γ, bit-for-bit the same model) as FP32 matrices run by
 *                    an FP32 baseline (OpenBLAS sgemv/sgemm when built with it); FP32 embedding/lm_head.
 *   TB_DEC_FP16 / TB_DEC_BF16 — the same dequantized weights rounded to IEEE half / bfloat16 (γ rounded: the
 *                    same model up to one rounding of γ), every linear layer, the embedding and lm_head in
 *                    that type, run by the lowp.h FP16/BF16 baselines (F16C+FMA, vdpbf16ps): the llama.cpp
 *                    FP16/BF16 models bitnet.cpp compares against.
 * The ternary variant's embedding/lm_head storage is opts.head: FP16 (default), Q8 (absmax int8 per row +
 * FP32 scale, lowp.h: int8 embedding lookup and the int8 × int16 lm_head GEMV), Q8R (the same Q8 rows plus a
 * 4-bit residual per weight: the Q8 GEMV over the vocabulary, then the rows that could be the top-1 re-scored
 * exactly with 12-bit weights; 12-bit embedding lookup; lowp.h "q8r") or FP32 (head_fp32, the reference).
 * Everything else (norms, RoPE, attention over an FP32 KV cache) is the same code for both.
 */
#ifndef TRITBENCH_DECODER_H
#define TRITBENCH_DECODER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tritbench/baselines.h"
#include "tritbench/formats.h"
#include "tritbench/kernels.h"
#include "tritbench/lowp.h"
#include "tritbench/models.h"

typedef enum tb_dec_variant { TB_DEC_TERNARY = 0, TB_DEC_FP32 = 1, TB_DEC_FP16 = 2, TB_DEC_BF16 = 3 } tb_dec_variant;
#define TB_DEC_VARIANT_COUNT 4
const char *tb_dec_variant_name(tb_dec_variant v); /* "ternary", "fp32", "fp16", "bf16" */
int tb_dec_variant_parse(const char *name, tb_dec_variant *out); /* 0, or -1 for an unknown name */

/* Storage of the ternary model's embedding and lm_head (the FP variants keep theirs in their own type). */
typedef enum tb_dec_head {
    TB_DEC_HEAD_FP16 = 0,
    TB_DEC_HEAD_Q8 = 1,
    TB_DEC_HEAD_FP32 = 2,
    TB_DEC_HEAD_Q8R = 3 /* int8 per row + 4-bit residual, top candidates re-scored */
} tb_dec_head;
#define TB_DEC_HEAD_COUNT 4
const char *tb_dec_head_name(tb_dec_head h);              /* "fp16", "q8", "fp32", "q8r" */
int tb_dec_head_parse(const char *name, tb_dec_head *out); /* 0, or -1 for an unknown name */

typedef struct tb_decoder_opts {
    tb_dec_variant variant;
    trit_format format;            /* ternary: I2 or T5 */
    const trit_kernel *gemv;       /* ternary decode kernel; NULL → trit_kernel_select (TRIT_ISA) */
    const trit_kernel *gemm;       /* ternary prefill kernel; NULL → trit_kernel_select */
    const trit_fp32_kernel *fp32;  /* FP32 variant; NULL → "openblas", else the best runnable own one */
    bool head_fp32;                /* ternary: keep embedding/lm_head FP32 (same as head = TB_DEC_HEAD_FP32) */
    tb_dec_head head;              /* ternary: embedding/lm_head storage, FP16 by default */
    const trit_q8_kernel *q8;      /* Q8 / Q8R head stage-1 kernel; NULL → trit_q8_select */
    size_t q8r_cap;                /* Q8R: most rows re-scored per token; 0 → TRIT_Q8R_CAP */
    const trit_half_kernel *half;  /* FP16/BF16 variants and FP16 head: NULL → trit_half_select per op */
    int threads;                   /* ≥ 1 */
    size_t max_ctx;                /* KV cache length (tokens); 0 → 1024 */
    size_t max_batch;              /* rows per prefill step (longer prompts go in chunks); 0 → 512 */
    uint64_t seed;                 /* weights; the same seed gives the same model in both variants */
    /* Memory the model may use, in bytes; 0 → what /proc/meminfo MemAvailable says, minus a margin. */
    uint64_t mem_limit_bytes;
} tb_decoder_opts;

void tb_decoder_opts_default(tb_decoder_opts *o); /* ternary, I2, 1 thread, ctx 1024, batch 512, seed 1 */

/* Per-phase time of the forward (seconds, accumulated until tb_decoder_reset_times). MATMUL is the
 * ternary trit_matmul calls (or the FP32 sgemm/sgemv in the FP32 variant); QUANT is activation
 * quantization + rescale around them; everything else is outside the linear layers. */
typedef enum tb_dec_phase {
    TB_DEC_PH_EMBED = 0,
    TB_DEC_PH_NORM,      /* RMSNorm + SubLN + final norm */
    TB_DEC_PH_QUANT,     /* activation quantization + FP32 rescale (ternary only) */
    TB_DEC_PH_MATMUL,    /* the seven projections per layer */
    TB_DEC_PH_ATTENTION, /* RoPE, KV cache write, scores, softmax, weighted sum */
    TB_DEC_PH_FFN_ACT,   /* gating activation and residual adds */
    TB_DEC_PH_LM_HEAD,
    TB_DEC_PH_COUNT
} tb_dec_phase;
const char *tb_dec_phase_name(tb_dec_phase p); /* "embed", "norm", ... */

typedef struct tb_decoder tb_decoder;

/* Bytes the weights of (cfg, variant) occupy as this module lays them out (packing padding included),
 * and the whole process need (weights + KV cache + workspaces). */
size_t tb_decoder_weight_bytes(const trit_model_config *cfg, const tb_decoder_opts *o);
size_t tb_decoder_total_bytes(const trit_model_config *cfg, const tb_decoder_opts *o);
/* Memory available for a new model: opts->mem_limit_bytes if set, else MemAvailable (/proc/meminfo,
 * sysinfo as a fallback) minus a safety margin. 0 if unknown. */
uint64_t tb_decoder_mem_available(const tb_decoder_opts *o);
/* Does (cfg, o) fit, with extra_bytes already needed by something else (e.g. the other variant)?
 * Returns true, or false with "bitnet-2b fp32 needs 9.8 GB, 6.1 GB available" in msg. */
bool tb_decoder_fits(const trit_model_config *cfg, const tb_decoder_opts *o, size_t extra_bytes, char *msg,
                     size_t msg_len);

/* Checks memory first (never allocates a model that does not fit), then allocates and generates the
 * weights, re-checking MemAvailable at every layer (another process may allocate meanwhile) and stopping
 * cleanly if the rest would not fit. NULL with the reason in err (does not fit, bad config, unrunnable
 * kernel, no memory). Generation uses every CPU (OpenMP), whatever o->threads says. */
tb_decoder *tb_decoder_new(const trit_model_config *cfg, const tb_decoder_opts *o, char *err, size_t err_len);
void tb_decoder_free(tb_decoder *d);

/* Prefill n prompt tokens at the current position (GEMM path, in chunks of max_batch); writes the
 * logits of the last one (vocab floats) if logits != NULL. Returns 0, or -1 (bad token, context full). */
int tb_decoder_prefill(tb_decoder *d, const int32_t *tokens, size_t n, float *logits);
/* One token at the current position (GEMV path); logits: vocab floats. Returns 0 or -1. */
int tb_decoder_decode(tb_decoder *d, int32_t token, float *logits);

size_t tb_decoder_pos(const tb_decoder *d); /* tokens in the KV cache */
/* Moves the position back (≤ current): later tokens are forgotten. Returns 0 or -1. */
int tb_decoder_set_pos(tb_decoder *d, size_t pos);
/* Benchmarks: fills KV positions [0, n) with seeded values and sets the position to n, so decode can be
 * timed at context n without a prefill (attention cost depends on n only, not on the values). */
int tb_decoder_fill_cache(tb_decoder *d, size_t n, uint64_t seed);
int tb_decoder_set_threads(tb_decoder *d, int threads); /* ≥ 1 */

const trit_model_config *tb_decoder_config(const tb_decoder *d);
const tb_decoder_opts *tb_decoder_options(const tb_decoder *d);
size_t tb_decoder_weight_bytes_actual(const tb_decoder *d); /* allocated for weights */
/* What runs the projections: "gemv/i2/avx512_vnni + gemm/i2/avx512_vnni" or "fp32/openblas". */
const char *tb_decoder_kernel_desc(const tb_decoder *d);

void tb_decoder_times(const tb_decoder *d, double out[TB_DEC_PH_COUNT]);
void tb_decoder_reset_times(tb_decoder *d);

/* Small configurations for tests and --quick runs (not in catalog/models.c): "tiny" (2 layers,
 * hidden 256, GQA 4/2 heads of 64, vocab 512, squared ReLU) and "tiny-silu" (SiLU, untied head). */
const trit_model_config *tb_decoder_test_config(const char *name);

/* Read access for reference evaluations in tests: layer l's projection by name ("q","k","v","o",
 * "gate","up","down"), its norms ("attn_norm","attn_subnorm","ffn_norm","ffn_subnorm"), the final
 * norm (l ignored, "final_norm"). NULL if unknown / not of this variant. */
const trit_packed *tb_decoder_ternary_weight(const tb_decoder *d, int layer, const char *name);
const float *tb_decoder_fp32_weight(const tb_decoder *d, int layer, const char *name);
const float *tb_decoder_norm_weight(const tb_decoder *d, int layer, const char *name);
/* Embedding row of a token as FP32 (converted from FP16 where stored so); lm_head row likewise. */
int tb_decoder_embedding_row(const tb_decoder *d, int32_t token, float *out);
int tb_decoder_head_row(const tb_decoder *d, int32_t vocab_row, float *out);

/* The embedding/lm_head storage this decoder uses (head_fp32 folded in; FP variants: their own type). */
const char *tb_decoder_table_type(const tb_decoder *d); /* "fp32", "fp16", "bf16", "q8", "q8r" */

/* Q8R head: what stage 2 did since the decoder was made (or tb_decoder_reset_rescore). All 0 otherwise. */
typedef struct tb_dec_rescore {
    size_t calls;          /* lm_head evaluations */
    size_t rescored;       /* rows re-scored, summed over calls */
    size_t max_rescored;   /* most in one call */
    size_t max_admitted;   /* most rows the bound admitted in one call (> cap when capped) */
    size_t capped;         /* calls where the bound admitted more than the cap (top-cap fallback) */
} tb_dec_rescore;
void tb_decoder_rescore_stats(const tb_decoder *d, tb_dec_rescore *out);
void tb_decoder_reset_rescore(tb_decoder *d);

/* lm_head of d applied to a final-normed hidden state (hidden floats) → logits (vocab floats). 0 or -1. */
int tb_decoder_head_logits(tb_decoder *d, const float *hidden, float *logits);

/* Logit error of one decoder against a reference over decode steps. Both must have the same
 * configuration and an empty KV cache. The reference prefills `prompt`, then decodes `steps` tokens, each
 * its own argmax of the previous step (greedy). Per step: max |Δ logit|, the cosine of the logit vectors,
 * whether the argmaxes agree.
 *   TB_LOGIT_HEAD — the head alone: the test decoder's lm_head runs on the reference's final hidden state
 *                   of each step (e.g. Q8 head vs the same ternary model with an FP32 head); the test
 *                   decoder's layers do not run. This is the error the head storage adds.
 *   TB_LOGIT_FULL — the test decoder runs the same token stream itself (embedding lookup, every layer,
 *                   its head): the whole model's divergence (e.g. an FP16 model vs the FP32 one). In a
 *                   ternary model any input change flips some int8 activation roundings, so this is
 *                   larger than the head's own error.
 * Leaves the decoders that ran at position n_prompt + steps. */
typedef enum tb_logit_mode { TB_LOGIT_HEAD = 0, TB_LOGIT_FULL = 1 } tb_logit_mode;
typedef struct tb_logit_error {
    size_t steps;
    double max_abs;        /* over all steps and vocabulary entries */
    double top_abs;        /* max over steps of |Δ| at the reference's top-1 entry (what decides the token;
                            * the q8r head re-scores it, so it drops there while max_abs stays Q8's) */
    double mean_abs;       /* mean |Δ| over all steps and entries */
    double min_cosine, mean_cosine;
    size_t top1_agree;     /* steps whose argmax agrees */
    double top1_agreement; /* top1_agree / steps */
    /* Over the steps whose argmax differs: the largest ref[ref's top-1] − ref[test's top-1], i.e. how near
     * a tie the reference had there (0 when all agree). Flips with margins below max_abs are near-ties. */
    double max_flip_margin;
} tb_logit_error;
int tb_decoder_logit_error(tb_decoder *test, tb_decoder *ref, tb_logit_mode mode, const int32_t *prompt,
                           size_t n_prompt, size_t steps, tb_logit_error *out, char *err, size_t err_len);
/* Adds one step's logit vectors (n entries) to an accumulating error (zeroed before the first step;
 * min_cosine starts from the first step). */
void tb_logit_error_add(tb_logit_error *e, const float *test, const float *ref, size_t n);
/* The greedy choice: the index of the largest of x[n] (the first on a tie), the top-1 the errors compare. */
size_t tb_logits_argmax(const float *x, size_t n);

/* Process memory from /proc/self/status: VmHWM (peak) and VmRSS in bytes; 0 if unavailable. */
size_t tb_process_peak_rss(void);
size_t tb_process_rss(void);

#endif
