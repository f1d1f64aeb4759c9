/* train.h — the accuracy trainer: an MLP classifier with BitLinear hidden layers, trained in FP32 or
 * with quantization-aware training (straight-through estimator), and evaluated either with fake
 * quantization or with the real packed ternary kernels of the registry.
 *
 * BitLinear, as in the kernel library (per-tensor absmean γ, per-token int8 activations):
 *   forward   Y = (Q_a(X) · Wqᵀ) · γ / s + b, computed as exact integer sums (xq and Wq held as floats;
 *             |Σ| < 2^24 so every partial sum is exact) and then the same rescale as trit_rescale,
 *             so the fake-quantized forward equals the packed kernels' output bit for bit.
 *   backward  (straight through both roundings) dX = dY · Ŵ with Ŵ = Wq·γ (the dequantized ternary
 *             weights), dW = dYᵀ · X (onto the FP32 shadow weights), db = Σ_rows dY.
 *   The surrogate these are the exact gradients of, at the point (X₀, W₀, b₀) of the forward, is
 *     S(X, W, b) = Y_q(X₀, W₀, b₀) + (X − X₀)·Ŵ₀ᵀ + X₀·(W − W₀)ᵀ + (b − b₀)
 *   i.e. the layer keeps its quantized value at the point, activation rounding counts as the identity
 *   (Ŵ₀ frozen), and weight rounding and γ count as the identity (X₀ frozen).
 *
 * Determinism: same seed, same data → same weights, on any thread count (threads take whole fixed
 * blocks of output features, each a single-threaded product, so every element's sum order is fixed). */
#ifndef TRITBENCH_TRAIN_H
#define TRITBENCH_TRAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tritbench/formats.h"
#include "tritbench/quant.h"

/* ---------------- data ---------------- */

typedef struct tb_dataset {
    size_t n;         /* samples */
    size_t dim;       /* features per sample (784) */
    size_t n_classes; /* 10 */
    uint8_t *pixels;  /* n × dim, 0..255 */
    uint8_t *labels;  /* n, each < n_classes */
} tb_dataset;

#define TB_FASHION_DEFAULT_DIR "/usr/share/datasets/fashion-mnist"
/* $TRITBENCH_FASHION_MNIST if set (tests point it elsewhere), else TB_FASHION_DEFAULT_DIR. */
const char *tb_fashion_dir(void);
/* 0 when all four files of the Debian package are present and readable in dir; else -1 and why
 * names the first missing file. */
int tb_fashion_available(const char *dir, char *why, size_t why_len);
/* Loads {train,t10k}-{images-idx3,labels-idx1}-ubyte.gz. Returns 0, or -1 with an error naming the file. */
int tb_fashion_load(const char *dir, tb_dataset *train, tb_dataset *test, char *err, size_t err_len);
/* Builds a dataset from already-read IDX images (n × rows × cols) and labels (n); checks counts and
 * label range. Takes ownership of nothing (copies). */
int tb_dataset_from_idx(const uint8_t *pixels, size_t n, size_t dim, const uint8_t *labels, size_t n_labels,
                        size_t n_classes, tb_dataset *out, char *err, size_t err_len);
void tb_dataset_free(tb_dataset *d);
/* Rows idx[0..n) of d as normalized floats ((p/255 − 0.2860) / 0.3530, Fashion-MNIST mean/std). */
void tb_dataset_batch(const tb_dataset *d, const size_t *idx, size_t n, float *x);

/* ---------------- model ---------------- */

#define TB_MLP_MAX_LAYERS 4

typedef enum tb_layer_kind { TB_LAYER_FP32 = 0, TB_LAYER_BITLINEAR = 1 } tb_layer_kind;

typedef struct tb_linear {
    tb_layer_kind kind;
    size_t in, out;
    float *W; /* out × in row-major; FP32 (shadow weights for BitLinear) */
    float *b; /* out */
} tb_linear;

typedef struct tb_mlp {
    size_t n_layers;
    tb_linear layer[TB_MLP_MAX_LAYERS]; /* ReLU between layers, logits out of the last */
} tb_mlp;

/* sizes: n_layers + 1 widths (e.g. 784, 512, 256, 10); kinds: one per layer. He-normal weights and zero
 * biases from the seed. Returns 0, or -1 on bad arguments / no memory. */
int tb_mlp_init(tb_mlp *m, const size_t *sizes, size_t n_layers, const tb_layer_kind *kinds, uint64_t seed);
/* The layouts: hidden layers BitLinear; the input (first) and output (last) layer FP32 when asked. */
void tb_mlp_kinds(size_t n_layers, bool fp32_input, bool fp32_output, tb_layer_kind *kinds);
int tb_mlp_copy(tb_mlp *dst, const tb_mlp *src); /* deep copy; 0 or -1 */
void tb_mlp_free(tb_mlp *m);
size_t tb_mlp_max_width(const tb_mlp *m);
/* Fraction of zero ternary weights of a BitLinear layer (absmean, per tensor); -1 for an FP32 layer. */
double tb_mlp_layer_sparsity(const tb_mlp *m, size_t layer);

/* Per-layer forward cache (BitLinear: ternary weights, quantized activations). */
typedef struct tb_linear_cache {
    size_t max_rows, in, out;
    float gamma;     /* γ = mean|W| of the last forward */
    int8_t *wq8;     /* out × in ternary weights */
    float *wq;       /* out × in, Wq as float (exact) */
    float *wdq;      /* out × in, Ŵ = Wq·γ */
    trit_act act;    /* quantized activations of the last forward */
    float *xq;       /* max_rows × in, xq as float (exact) */
    float *inv_s;    /* max_rows, 1/s per row, as trit_rescale computes it */
} tb_linear_cache;

int tb_linear_cache_alloc(tb_linear_cache *c, const tb_linear *L, size_t max_rows);
void tb_linear_cache_free(tb_linear_cache *c);
/* Y (n × out) = layer(X (n × in)). quantize: BitLinear layers run quantized (FP32 layers ignore it).
 * Returns 0, or -1 on n > max_rows / a non-finite input or weight. */
int tb_linear_forward(const tb_linear *L, bool quantize, const float *X, size_t n, float *Y, tb_linear_cache *c,
                      int threads);
/* After tb_linear_forward with the same arguments: dX (n × in; NULL to skip), dW (out × in), db (out)
 * overwritten. For a quantized BitLinear the STE rule above; otherwise the exact FP32 gradient. */
void tb_linear_backward(const tb_linear *L, bool quantize, const tb_linear_cache *c, const float *X,
                        const float *dY, size_t n, float *dX, float *dW, float *db, int threads);

/* Workspace for forward/backward of up to max_rows samples. */
typedef struct tb_mlp_ws {
    size_t max_rows;
    float *act[TB_MLP_MAX_LAYERS + 1]; /* act[0] = input copy, act[l+1] = output of layer l (post-ReLU) */
    float *grad[TB_MLP_MAX_LAYERS + 1];
    tb_linear_cache cache[TB_MLP_MAX_LAYERS];
    float *gW[TB_MLP_MAX_LAYERS], *gb[TB_MLP_MAX_LAYERS];
} tb_mlp_ws;

int tb_mlp_ws_alloc(tb_mlp_ws *ws, const tb_mlp *m, size_t max_rows);
void tb_mlp_ws_free(tb_mlp_ws *ws);
/* logits (n × classes) = ws->act[n_layers]. Returns 0 or -1. */
int tb_mlp_forward(const tb_mlp *m, bool quantize, const float *X, size_t n, tb_mlp_ws *ws, int threads);
/* Mean cross-entropy of the last forward against labels; fills ws->gW/gb. Returns the loss (NaN on
 * a label out of range). */
double tb_mlp_backward(const tb_mlp *m, bool quantize, const uint8_t *labels, size_t n, tb_mlp_ws *ws,
                       int threads);

/* How the FP32 products run: "openblas (single-threaded blocks)" or "portable". */
const char *tb_train_gemm_backend(void);

/* ---------------- optimizer and training ---------------- */

typedef struct tb_adamw {
    float *m[TB_MLP_MAX_LAYERS][2], *v[TB_MLP_MAX_LAYERS][2]; /* [layer][0 = W, 1 = b] */
    double beta1, beta2, eps, weight_decay; /* decay on weights only, decoupled */
    uint64_t t;
} tb_adamw;

int tb_adamw_init(tb_adamw *o, const tb_mlp *m, double weight_decay);
void tb_adamw_step(tb_adamw *o, tb_mlp *m, const tb_mlp_ws *ws, double lr);
void tb_adamw_free(tb_adamw *o);
/* One tensor's AdamW update with o's hyperparameters and step count o->t (already incremented for this
 * step); m, v its moments. For models other than the MLP (workloads/train/lm_train.c). */
void tb_adamw_update(float *w, const float *g, float *m, float *v, size_t n, const tb_adamw *o, double lr,
                     double decay);

typedef struct tb_train_opts {
    size_t epochs;
    size_t batch;
    double lr;           /* peak; cosine decay to lr_final over all steps */
    double lr_final;
    double weight_decay;
    bool quantize;       /* QAT: BitLinear layers forward quantized, STE backward */
    uint64_t seed;       /* shuffling */
    int threads;
    size_t max_train;    /* 0: all training samples; else the first max_train */
    size_t max_test;     /* 0: all test samples (per-epoch evaluation) */
} tb_train_opts;

typedef struct tb_epoch_stat {
    double train_loss; /* mean over the epoch's batches */
    double test_acc;   /* fraction, same quantization mode as training (fake quantization) */
    double test_loss;
    double seconds;
} tb_epoch_stat;

/* Trains m in place; curve (may be NULL) gets opts->epochs entries. Returns 0, or -1 with err. */
int tb_train(tb_mlp *m, const tb_dataset *train, const tb_dataset *test, const tb_train_opts *opts,
             tb_epoch_stat *curve, char *err, size_t err_len);

/* Accuracy and mean loss on the first n (0: all) samples; logits (n × classes) copied out when non-NULL.
 * quantize: fake quantization of the BitLinear layers. Returns 0 or -1. */
int tb_evaluate(const tb_mlp *m, const tb_dataset *d, size_t n, bool quantize, int threads, double *acc,
                double *loss, float *logits);
/* The same, but every BitLinear layer runs through the real kernels: trit_quantize_weights (absmean,
 * per tensor) → trit_pack(format) → trit_bitlinear_forward with trit_kernel_select(GEMM, format).
 * kernel_name (may be NULL) gets the selected variant's name. Returns 0, or -1 with err. */
int tb_evaluate_packed(const tb_mlp *m, const tb_dataset *d, size_t n, trit_format format, int threads,
                       double *acc, double *loss, float *logits, char *kernel_name, size_t kernel_name_len,
                       char *err, size_t err_len);

#endif
