/* lm_model.c — the language model's parameters: configuration check, seeded initialisation, the one
 * ordered list of tensors with their Hugging-Face names (saving, loading, the optimizer and the gradients
 * all walk it), and freeing. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tritbench/catalog.h"
#include "tritbench/kernels.h"
#include "tritbench/lm.h"

static const char *const linear_names[TB_LM_N_LINEAR] = {
    "self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
    "mlp.gate_proj",    "mlp.up_proj",      "mlp.down_proj"};
/* Norm names as Hugging Face's BitNet port writes them (attn_sub_norm / ffn_sub_norm are SubLN). */
static const char *const norm_names[TB_LM_N_NORM] = {"input_layernorm", "self_attn.attn_sub_norm",
                                                     "post_attention_layernorm", "mlp.ffn_sub_norm"};

int tb_lm_config_check(const tb_lm_config *c, char *err, size_t err_len)
{
    if (c->n_layers == 0 || c->n_layers > TB_LM_MAX_LAYERS || c->dim == 0 || c->n_heads == 0 ||
        c->dim % c->n_heads != 0 || (c->dim / c->n_heads) % 2 != 0 || c->ffn == 0 || c->ctx < 2 ||
        c->dim > 4096 || c->ffn > 16384 || c->ctx > 4096 || !(c->norm_eps > 0.0f) || !(c->rope_theta > 1.0f)) {
        snprintf(err, err_len, "invalid language-model configuration: layers %zu (1..%d), dim %zu, heads %zu (dim a "
                 "multiple of heads, even head size), ffn %zu, ctx %zu (≥ 2)", c->n_layers, TB_LM_MAX_LAYERS, c->dim,
                 c->n_heads, c->ffn, c->ctx);
        return -1;
    }
    return 0;
}

static void linear_shape(const tb_lm_config *c, int i, size_t *out, size_t *in)
{
    *out = i == TB_LM_GATE || i == TB_LM_UP ? c->ffn : c->dim;
    *in = i == TB_LM_DOWN ? c->ffn : c->dim;
}

size_t tb_lm_n_params(const tb_lm_config *c)
{
    size_t per_layer = 3 * c->dim + c->ffn;
    for (int i = 0; i < TB_LM_N_LINEAR; i++) {
        size_t out, in;
        linear_shape(c, i, &out, &in);
        per_layer += out * in;
    }
    return 2 * TB_LM_VOCAB * c->dim + c->dim + c->n_layers * per_layer;
}

void tb_lm_params(tb_lm *m, tb_lm_param_fn fn, void *user)
{
    const tb_lm_config *c = &m->cfg;
    char name[128];
    fn(user, "model.embed_tokens.weight", m->embed, TB_LM_VOCAB, c->dim);
    for (size_t l = 0; l < c->n_layers; l++) {
        tb_lm_layer *L = &m->layer[l];
        /* Order of a layer: norm, q k v, subnorm, o, norm, gate up, subnorm, down (the forward's order). */
        static const int order[] = {-1 - TB_LM_ATTN_NORM, TB_LM_Q, TB_LM_K, TB_LM_V, -1 - TB_LM_ATTN_SUBNORM,
                                    TB_LM_O, -1 - TB_LM_FFN_NORM, TB_LM_GATE, TB_LM_UP, -1 - TB_LM_FFN_SUBNORM,
                                    TB_LM_DOWN};
        for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
            if (order[k] >= 0) {
                tb_linear *W = &L->lin[order[k]];
                snprintf(name, sizeof name, "model.layers.%zu.%s.weight", l, linear_names[order[k]]);
                fn(user, name, W->W, W->out, W->in);
            } else {
                const int n = -1 - order[k];
                snprintf(name, sizeof name, "model.layers.%zu.%s.weight", l, norm_names[n]);
                fn(user, name, L->norm[n], n == TB_LM_FFN_SUBNORM ? c->ffn : c->dim, 0);
            }
        }
    }
    fn(user, "model.norm.weight", m->final_norm, c->dim, 0);
    fn(user, "lm_head.weight", m->head, TB_LM_VOCAB, c->dim);
}

void tb_lm_free(tb_lm *m)
{
    free(m->embed);
    free(m->final_norm);
    free(m->head);
    for (size_t l = 0; l < TB_LM_MAX_LAYERS; l++) {
        for (int i = 0; i < TB_LM_N_LINEAR; i++) {
            free(m->layer[l].lin[i].W);
            free(m->layer[l].lin[i].b);
            if (m->layer[l].packed[i].codes)
                trit_packed_free(&m->layer[l].packed[i]);
        }
        for (int n = 0; n < TB_LM_N_NORM; n++)
            free(m->layer[l].norm[n]);
    }
    memset(m, 0, sizeof *m);
}

static void fill_normal(float *w, size_t n, double sd, trit_rng *rng)
{
    for (size_t i = 0; i < n; i++)
        w[i] = (float)(sd * trit_rng_normal(rng));
}

int tb_lm_init(tb_lm *m, const tb_lm_config *c, uint64_t seed)
{
    char err[256];
    memset(m, 0, sizeof *m);
    if (tb_lm_config_check(c, err, sizeof err) != 0)
        return -1;
    m->cfg = *c;
    trit_rng rng;
    trit_rng_seed(&rng, seed);
    bool ok = (m->embed = malloc(TB_LM_VOCAB * c->dim * sizeof(float))) != NULL &&
              (m->head = malloc(TB_LM_VOCAB * c->dim * sizeof(float))) != NULL &&
              (m->final_norm = malloc(c->dim * sizeof(float))) != NULL;
    /* GPT-2's scheme: N(0, 0.02), the projections into the residual stream scaled by 1/√(2·layers). */
    const double sd = 0.02, sd_out = 0.02 / sqrt(2.0 * (double)c->n_layers);
    if (ok) {
        fill_normal(m->embed, TB_LM_VOCAB * c->dim, sd, &rng);
        for (size_t k = 0; k < c->dim; k++)
            m->final_norm[k] = 1.0f;
    }
    for (size_t l = 0; ok && l < c->n_layers; l++) {
        tb_lm_layer *L = &m->layer[l];
        for (int i = 0; ok && i < TB_LM_N_LINEAR; i++) {
            tb_linear *W = &L->lin[i];
            W->kind = TB_LAYER_BITLINEAR;
            linear_shape(c, i, &W->out, &W->in);
            ok = (W->W = malloc(W->out * W->in * sizeof(float))) != NULL &&
                 (W->b = calloc(W->out, sizeof(float))) != NULL;
            if (ok)
                fill_normal(W->W, W->out * W->in, i == TB_LM_O || i == TB_LM_DOWN ? sd_out : sd, &rng);
        }
        for (int n = 0; ok && n < TB_LM_N_NORM; n++) {
            const size_t len = n == TB_LM_FFN_SUBNORM ? c->ffn : c->dim;
            ok = (L->norm[n] = malloc(len * sizeof(float))) != NULL;
            for (size_t k = 0; ok && k < len; k++)
                L->norm[n][k] = 1.0f;
        }
    }
    if (ok)
        fill_normal(m->head, TB_LM_VOCAB * c->dim, sd, &rng);
    if (!ok)
        tb_lm_free(m);
    return ok ? 0 : -1;
}

typedef struct clone_ctx {
    float *data[3 + TB_LM_MAX_LAYERS * (TB_LM_N_LINEAR + TB_LM_N_NORM)];
    size_t n, i;
} clone_ctx;

static void clone_collect(void *user, const char *name, float *data, size_t rows, size_t cols)
{
    (void)name, (void)rows, (void)cols;
    clone_ctx *c = user;
    c->data[c->n++] = data;
}

static void clone_copy(void *user, const char *name, float *data, size_t rows, size_t cols)
{
    (void)name;
    clone_ctx *c = user;
    memcpy(data, c->data[c->i++], rows * (cols ? cols : 1) * sizeof(float));
}

int tb_lm_clone(tb_lm *dst, const tb_lm *src)
{
    if (tb_lm_init(dst, &src->cfg, 0) != 0)
        return -1;
    clone_ctx c = {.n = 0, .i = 0};
    tb_lm_params((tb_lm *)src, clone_collect, &c);
    tb_lm_params(dst, clone_copy, &c);
    return 0;
}
