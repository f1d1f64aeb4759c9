/* lm.h — a small byte-level BitNet-style language model, trained here end to end: corpus → FP32 training
 * (forward + backward in C, AdamW) → safetensors checkpoint with Hugging-Face names → `convert` → evaluation
 * through the packed ternary kernels (PTQ) → quantization-aware fine-tuning with the straight-through
 * estimator (QAT) → convert → evaluation through the packed kernels again.
 *
 * The model (the e2e decoder's block, workloads/decoder, at training size): vocab 256 (bytes), per layer
 *   h += o( SubLN( MHA( RoPE(q(n)), RoPE(k(n)), v(n) ) ) ),   n = RMSNorm(h)
 *   h += down( SubLN( relu(gate(n))² ⊙ up(n) ) ),              n = RMSNorm(h)
 * then RMSNorm and an FP32 lm_head. The seven projections per layer are BitLinear (tb_linear of train.h:
 * FP32 when training in FP32, per-tensor absmean ternary weights and per-token int8 activations, bit-exact
 * with the packed kernels, under QAT); embedding, norms and lm_head stay FP32, as convert's defaults keep them.
 *
 * Determinism: same seed, corpus and configuration → the same weights and metrics on any thread count
 * (products through train.h's fixed-block GEMMs; every other reduction runs in a fixed order). */
#ifndef TRITBENCH_LM_H
#define TRITBENCH_LM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tritbench/formats.h"
#include "tritbench/train.h"

/* Bump when anything changes what training produces (model, init, optimizer, data order, corpus split):
 * cached checkpoints carry it in their key, so a new version never reuses an old one. */
#define TB_LM_CODE_VERSION "lm-v1"

/* ---------------- corpus ---------------- */

#define TB_LM_CORPUS_DEFAULT_DIR "/usr/share/games/fortunes" /* Debian package `fortunes` (BSD licence) */

typedef struct tb_lm_corpus {
    uint8_t *train, *test; /* documents joined, each followed by '\n' */
    size_t n_train, n_test;  /* bytes */
    size_t docs_train, docs_test;
    uint64_t hash;           /* FNV-1a over every file's name and bytes, in name order */
    size_t n_files;
} tb_lm_corpus;

/* $TRITBENCH_LM_CORPUS if set, else TB_LM_CORPUS_DEFAULT_DIR. */
const char *tb_lm_corpus_dir(void);
/* Reads every fortune file of dir (regular files without '.': skips *.dat indexes and *.u8 links), splits
 * them into documents at lines holding a single '%', and sends every test_every-th document (by its
 * position in the whole corpus, the same on any machine) to the held-out split. At least min_bytes of text
 * are required. Returns 0, or -1 with a message naming dir and the problem. */
int tb_lm_corpus_load(const char *dir, size_t test_every, size_t min_bytes, tb_lm_corpus *c, char *err,
                      size_t err_len);
void tb_lm_corpus_free(tb_lm_corpus *c);

/* ---------------- model ---------------- */

enum { TB_LM_Q = 0, TB_LM_K, TB_LM_V, TB_LM_O, TB_LM_GATE, TB_LM_UP, TB_LM_DOWN, TB_LM_N_LINEAR };
enum { TB_LM_ATTN_NORM = 0, TB_LM_ATTN_SUBNORM, TB_LM_FFN_NORM, TB_LM_FFN_SUBNORM, TB_LM_N_NORM };
#define TB_LM_VOCAB 256
#define TB_LM_MAX_LAYERS 8

typedef struct tb_lm_config {
    size_t n_layers, dim, n_heads, ffn, ctx; /* head_dim = dim / n_heads, even */
    float norm_eps, rope_theta;
} tb_lm_config;

typedef struct tb_lm_layer {
    tb_linear lin[TB_LM_N_LINEAR]; /* kind BITLINEAR; biases zero and never trained (BitNet has none) */
    float *norm[TB_LM_N_NORM];
    trit_packed packed[TB_LM_N_LINEAR]; /* loaded from a converted checkpoint (tb_lm_load_packed) */
} tb_lm_layer;

typedef struct tb_lm {
    tb_lm_config cfg;
    float *embed;      /* vocab × dim */
    tb_lm_layer layer[TB_LM_MAX_LAYERS];
    float *final_norm; /* dim */
    float *head;       /* vocab × dim */
    bool has_packed;
} tb_lm;

/* How the seven projections of every layer run. */
typedef enum tb_lm_mode {
    TB_LM_FP32 = 0,   /* FP32 weights (training, FP32 evaluation) */
    TB_LM_FAKEQUANT,  /* BitLinear fake quantization (QAT training; equals the packed kernels) */
    TB_LM_PACKED,     /* the packed weights through trit_matmul (trit_kernel_select): needs has_packed */
} tb_lm_mode;

int tb_lm_config_check(const tb_lm_config *c, char *err, size_t err_len);
/* Normal(0, 0.02) weights (output projections o/down scaled by 1/√(2·layers)), unit norm gains. */
int tb_lm_init(tb_lm *m, const tb_lm_config *c, uint64_t seed);
void tb_lm_free(tb_lm *m);
int tb_lm_clone(tb_lm *dst, const tb_lm *src); /* the FP32 weights (not the packed ones); 0 or -1 */
size_t tb_lm_n_params(const tb_lm_config *c);
/* Visits every trainable tensor in a fixed order with its Hugging-Face name (BitNet/Llama layout:
 * "model.layers.0.self_attn.q_proj.weight", ...), data and shape (rows, cols; cols 0 for a vector). */
typedef void (*tb_lm_param_fn)(void *user, const char *name, float *data, size_t rows, size_t cols);
void tb_lm_params(tb_lm *m, tb_lm_param_fn fn, void *user);

/* Forward/backward workspace for up to max_batch sequences of cfg.ctx tokens. */
typedef struct tb_lm_ws tb_lm_ws;
tb_lm_ws *tb_lm_ws_new(const tb_lm *m, size_t max_batch);
void tb_lm_ws_free(tb_lm_ws *ws);
/* Gradients of the last tb_lm_loss with backward, in tb_lm_params order, one buffer per tensor. */
float *tb_lm_ws_grad(tb_lm_ws *ws, size_t param_index);

/* tokens: batch × (T + 1) bytes (inputs, then the targets shifted by one), T ≤ cfg.ctx. Mean
 * cross-entropy in nats over batch × T predictions; with backward, the gradients into ws. correct (may be
 * NULL) gets the number of argmax hits. logits (may be NULL) gets batch × T × vocab. NaN on failure. */
double tb_lm_loss(tb_lm *m, tb_lm_mode mode, const uint8_t *tokens, size_t batch, size_t T, bool backward,
                  tb_lm_ws *ws, int threads, size_t *correct, float *logits);

/* ---------------- checkpoints ---------------- */

/* The FP32 model as safetensors (F32, HF names, metadata holds the config and `key`) and a config.json
 * (model_type "bitnet") beside it. Atomic. 0 or -1 (message). */
int tb_lm_save(const tb_lm *m, const char *path, const char *key, char *err, size_t err_len);
/* Loads an FP32 checkpoint written by tb_lm_save; with want_key non-NULL it must carry that key
 * (returns 1, model untouched, if it is another). 0, 1, or -1 (message). */
int tb_lm_load(tb_lm *m, const char *path, const char *want_key, char *err, size_t err_len);
/* Loads the packed projections of a converted checkpoint (the rest must equal m's FP32 tensors' shapes);
 * sets has_packed. 0 or -1 (message). */
int tb_lm_load_packed(tb_lm *m, const char *path, char *err, size_t err_len);

/* ---------------- training and evaluation ---------------- */

typedef struct tb_lm_train_opts {
    size_t steps, batch, seq; /* seq ≤ cfg.ctx */
    double lr, lr_final, weight_decay, warmup_frac;
    uint64_t seed;            /* window sampling */
    bool quantize;            /* QAT (fake quantization forward, STE backward) */
    int threads;
    size_t curve_every;       /* a curve point every N steps and at the last (0: none) */
    const uint8_t *eval_data; /* held-out bytes scored at each curve point (NULL: none) */
    size_t eval_n, eval_bytes;
    double clip;              /* global gradient-norm clip (0: none) */
} tb_lm_train_opts;

typedef struct tb_lm_curve_point {
    size_t step;      /* steps done */
    double train_bpb; /* mean training loss since the previous point, bits per byte */
    double test_bpb;  /* held-out bits per byte on opts.eval_bytes (NaN without eval_data) */
} tb_lm_curve_point;

/* Trains m in place on random windows of the byte stream. curve gets at most max_curve points
 * (*n_curve set). Returns 0 or -1 (message). */
int tb_lm_train(tb_lm *m, const uint8_t *data, size_t n, const tb_lm_train_opts *o, tb_lm_curve_point *curve,
                size_t max_curve, size_t *n_curve, char *err, size_t err_len);

typedef struct tb_lm_eval {
    double loss;     /* nats per byte */
    double bpb;      /* bits per byte = loss / ln 2 */
    double ppl;      /* per-byte perplexity e^loss */
    double top1;     /* next-byte argmax accuracy */
    size_t n_tokens; /* predictions scored */
} tb_lm_eval;

/* Scores up to max_bytes (0: all) of data in consecutive windows of seq + 1 bytes (each window predicts
 * its seq bytes from its own prefix). 0 or -1 (message). */
int tb_lm_evaluate(tb_lm *m, tb_lm_mode mode, const uint8_t *data, size_t n, size_t seq, size_t max_bytes,
                   int threads, tb_lm_eval *out, char *err, size_t err_len);

/* ---------------- the end-to-end workload (lm_workload.c) ---------------- */

typedef struct tb_lm_workload_opts {
    uint64_t seed;          /* initialisation and data order */
    bool quick;             /* a tiny model and a few steps: seconds */
    int threads;            /* ≥ 1; results do not depend on it */
    const char *cache_dir;  /* NULL: $XDG_CACHE_HOME/tritbench, else $HOME/.cache/tritbench */
    const char *corpus_dir; /* NULL: tb_lm_corpus_dir() */
    bool no_cache;          /* train even when a checkpoint with the same key is cached (and replace it) */
    bool verbose;           /* progress lines on stderr */
    /* Overrides for experiments (0: the quick/full default). */
    size_t n_layers, dim, steps, qat_steps;
} tb_lm_workload_opts;

#define TB_LM_MAX_CURVE 64

typedef struct tb_lm_workload_result {
    tb_lm_config cfg;
    size_t n_params, steps, qat_steps, batch, seq;
    uint64_t corpus_hash;
    size_t train_bytes, test_bytes, train_docs, test_docs, eval_bytes;
    char key[128];                     /* the FP32 checkpoint's cache key */
    bool fp32_cached, qat_cached;      /* training skipped: the checkpoint came from the cache */
    char fp32_path[4096], ptq_path[4096], qat_path[4096], qat_packed_path[4096];
    char kernel[128];                  /* the packed kernel that ran PTQ/QAT evaluation */
    tb_lm_eval fp32, ptq, qat;         /* held-out; ptq and qat through the packed kernels */
    /* Control: the FP32 model trained the same extra steps as QAT, without quantization (QAT's fine-tuning
     * also trains longer, so QAT vs this separates quantization from the extra training). */
    tb_lm_eval fp32_more;
    bool fp32_more_cached;
    double degradation; /* QAT bpb / FP32 bpb − 1 (goal < 0.10) */
    double recovery;    /* (PTQ bpb − QAT bpb) / (PTQ bpb − FP32 bpb) (goal ≥ 0.50) */
    double degradation_same_steps; /* QAT bpb / fp32_more bpb − 1 */
    tb_lm_curve_point curve[TB_LM_MAX_CURVE], qat_curve[TB_LM_MAX_CURVE]; /* cached: as trained */
    size_t n_curve, n_qat_curve;
} tb_lm_workload_result;

/* Loads the corpus, trains the FP32 model (or loads it from the cache under the key seed + corpus hash +
 * TB_LM_CODE_VERSION + configuration), converts it with st_convert (layout detected from its config.json,
 * default excludes), evaluates FP32 and the packed conversion (PTQ), fine-tunes with QAT (cached the
 * same way), converts and evaluates through the packed kernels again. 0, or -1 with a message. */
int tb_lm_workload_run(const tb_lm_workload_opts *o, tb_lm_workload_result *r, char *err, size_t err_len);
/* The result as one JSON object (metrics, configuration, curves); malloc'd string or NULL. */
char *tb_lm_workload_json(const tb_lm_workload_result *r);

#endif
