/* models.h — transformer configurations tritbench builds at real sizes (weights are generated, seeded).
 * Only the shapes matter for speed and memory; the values are the published configs. */
#ifndef TRITBENCH_MODELS_H
#define TRITBENCH_MODELS_H

#include <stdbool.h>
#include <stddef.h>

typedef enum trit_ffn_act { TRIT_ACT_RELU2 = 0, TRIT_ACT_SILU = 1 } trit_ffn_act;

typedef struct trit_model_config {
    const char *name;        /* "bitnet-2b" */
    const char *description; /* "BitNet-b1.58-2B-4T" */
    int n_layers, hidden, ffn, n_heads, n_kv_heads, head_dim, vocab;
    float rope_theta, norm_eps;
    trit_ffn_act act;        /* squared ReLU (BitNet b1.58) or SiLU gating (Llama) */
    bool tied_embeddings;    /* lm_head shares the embedding matrix */
} trit_model_config;

const trit_model_config *trit_model_configs(size_t *count);
const trit_model_config *trit_model_config_get(const char *name); /* NULL if unknown */
const char *trit_model_names(void); /* "bitnet-2b, bitnet-large, ..." for --help and errors */

/* Parameter counts: ternary (the BitLinear layers) and the rest (embeddings, lm_head, norms). */
size_t trit_model_linear_params(const trit_model_config *c);
size_t trit_model_other_params(const trit_model_config *c);

#endif
