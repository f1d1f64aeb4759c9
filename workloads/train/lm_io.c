/* lm_io.c — the language model as a safetensors checkpoint with Hugging-Face names (F32, the config and
 * the cache key in __metadata__, a config.json with model_type "bitnet" beside it, so `convert` recognises
 * the layout), read back exactly; and the packed projections of a converted checkpoint. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tritbench/atomic_file.h"
#include "tritbench/kernels.h"
#include "tritbench/lm.h"
#include "tritbench/safetensors.h"

#define META_CONFIG "tritbench.lm.config"
#define META_KEY "tritbench.lm.key"

typedef struct save_ctx {
    st_writer *w;
    int pass; /* 0 declare, 1 write */
    int rc;
    char *err;
    size_t err_len;
} save_ctx;

static void save_param(void *user, const char *name, float *data, size_t rows, size_t cols)
{
    save_ctx *s = user;
    if (s->rc != 0)
        return;
    const uint64_t shape[2] = {rows, cols};
    if (s->pass == 0)
        s->rc = st_writer_add_tensor(s->w, name, ST_F32, cols ? 2 : 1, shape, s->err, s->err_len);
    else
        s->rc = st_writer_write(s->w, data, rows * (cols ? cols : 1) * sizeof(float), s->err, s->err_len);
}

static char *config_json(const tb_lm_config *c)
{
    json_t *j = json_pack("{s:I, s:I, s:I, s:I, s:I, s:f, s:f}", "n_layers", (json_int_t)c->n_layers, "dim",
                          (json_int_t)c->dim, "n_heads", (json_int_t)c->n_heads, "ffn", (json_int_t)c->ffn, "ctx",
                          (json_int_t)c->ctx, "norm_eps", (double)c->norm_eps, "rope_theta", (double)c->rope_theta);
    char *text = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(j);
    return text;
}

/* config.json beside path, as Hugging Face writes one (what convert reads to know the layout). */
static int write_hf_config(const tb_lm_config *c, const char *path, char *err, size_t err_len)
{
    char cfg_path[4096];
    const char *slash = strrchr(path, '/');
    if (slash)
        snprintf(cfg_path, sizeof cfg_path, "%.*s/config.json", (int)(slash - path), path);
    else
        snprintf(cfg_path, sizeof cfg_path, "config.json");
    json_t *j = json_pack("{s:[s], s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:f, s:s, s:b}", "architectures",
                          "BitNetForCausalLM", "model_type", "bitnet", "vocab_size", (json_int_t)TB_LM_VOCAB,
                          "hidden_size", (json_int_t)c->dim, "intermediate_size", (json_int_t)c->ffn,
                          "num_hidden_layers", (json_int_t)c->n_layers, "num_attention_heads", (json_int_t)c->n_heads,
                          "max_position_embeddings", (json_int_t)c->ctx, "rms_norm_eps", (double)c->norm_eps,
                          "rope_theta", (double)c->rope_theta, "hidden_act", "relu2", "tie_word_embeddings", 0);
    char *text = j ? json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(j);
    if (!text) {
        snprintf(err, err_len, "%s: out of memory", cfg_path);
        return -1;
    }
    const int rc = tb_atomic_write(cfg_path, text, strlen(text), err, err_len);
    free(text);
    return rc;
}

int tb_lm_save(const tb_lm *m, const char *path, const char *key, char *err, size_t err_len)
{
    char *cfg = config_json(&m->cfg);
    st_writer *w = cfg ? st_writer_new(path, err, err_len) : NULL;
    if (!w) {
        if (!cfg)
            snprintf(err, err_len, "%s: out of memory", path);
        free(cfg);
        return -1;
    }
    save_ctx s = {w, 0, 0, err, err_len};
    if (st_writer_add_meta(w, "format", "pt") != 0 || st_writer_add_meta(w, META_CONFIG, cfg) != 0 ||
        (key && st_writer_add_meta(w, META_KEY, key) != 0)) {
        snprintf(err, err_len, "%s: out of memory", path);
        s.rc = -1;
    }
    free(cfg);
    tb_lm_params((tb_lm *)m, save_param, &s);
    if (s.rc == 0)
        s.rc = st_writer_begin_data(w, err, err_len);
    s.pass = 1;
    tb_lm_params((tb_lm *)m, save_param, &s);
    if (s.rc != 0) {
        st_writer_abort(w);
        return -1;
    }
    if (st_writer_commit(w, err, err_len) != 0)
        return -1;
    return write_hf_config(&m->cfg, path, err, err_len);
}

static int parse_config(const char *text, tb_lm_config *c)
{
    json_error_t jerr;
    json_t *j = text ? json_loads(text, 0, &jerr) : NULL;
    json_int_t v[5];
    double eps = 0.0, theta = 0.0;
    const int rc = j && json_unpack(j, "{s:I, s:I, s:I, s:I, s:I, s:F, s:F}", "n_layers", &v[0], "dim", &v[1],
                                    "n_heads", &v[2], "ffn", &v[3], "ctx", &v[4], "norm_eps", &eps, "rope_theta",
                                    &theta) == 0
                       ? 0
                       : -1;
    json_decref(j);
    for (int i = 0; rc == 0 && i < 5; i++)
        if (v[i] <= 0 || v[i] > 1 << 20)
            return -1;
    if (rc == 0)
        *c = (tb_lm_config){(size_t)v[0], (size_t)v[1], (size_t)v[2], (size_t)v[3], (size_t)v[4], (float)eps,
                            (float)theta};
    return rc;
}

typedef struct load_ctx {
    const st_model *sm;
    int rc;
    char *err;
    size_t err_len;
} load_ctx;

static void load_param(void *user, const char *name, float *data, size_t rows, size_t cols)
{
    load_ctx *s = user;
    if (s->rc != 0)
        return;
    const st_tensor *t = st_model_find(s->sm, name);
    const size_t nd = cols ? 2 : 1;
    if (!t || t->ndim != nd || t->shape[0] != rows || (cols && t->shape[1] != cols) || !st_dtype_is_float(t->dtype)) {
        snprintf(s->err, s->err_len, "%s: tensor '%s' missing or not a float tensor of shape [%zu%s%.0zu]",
                 s->sm->path, name, rows, cols ? ", " : "", cols);
        s->rc = -1;
        return;
    }
    s->rc = st_tensor_to_f32(t, data, s->err, s->err_len);
}

int tb_lm_load(tb_lm *m, const char *path, const char *want_key, char *err, size_t err_len)
{
    st_model sm;
    if (st_model_open(path, &sm, err, err_len) != 0)
        return -1;
    const char *key = st_model_meta(&sm, META_KEY);
    tb_lm_config c;
    int rc = -1;
    if (want_key && (!key || strcmp(key, want_key) != 0)) {
        rc = 1; /* another version, seed or corpus: never mixed in */
    } else if (parse_config(st_model_meta(&sm, META_CONFIG), &c) != 0 || tb_lm_config_check(&c, err, err_len) != 0) {
        snprintf(err, err_len, "%s: no valid '%s' metadata (not written by tb_lm_save)", path, META_CONFIG);
    } else if (tb_lm_init(m, &c, 0) != 0) {
        snprintf(err, err_len, "%s: out of memory", path);
    } else {
        load_ctx s = {&sm, 0, err, err_len};
        tb_lm_params(m, load_param, &s);
        rc = s.rc;
        if (rc != 0)
            tb_lm_free(m);
    }
    st_model_close(&sm);
    return rc;
}

int tb_lm_load_packed(tb_lm *m, const char *path, char *err, size_t err_len)
{
    static const char *const names[TB_LM_N_LINEAR] = {"self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj",
                                                      "self_attn.o_proj", "mlp.gate_proj",    "mlp.up_proj",
                                                      "mlp.down_proj"};
    st_model sm;
    if (st_model_open(path, &sm, err, err_len) != 0)
        return -1;
    int rc = 0;
    for (size_t l = 0; rc == 0 && l < m->cfg.n_layers; l++)
        for (int i = 0; rc == 0 && i < TB_LM_N_LINEAR; i++) {
            char name[128];
            snprintf(name, sizeof name, "model.layers.%zu.%s.weight", l, names[i]);
            trit_packed *p = &m->layer[l].packed[i];
            if (p->codes)
                trit_packed_free(p);
            memset(p, 0, sizeof *p);
            if (!st_is_packed(&sm, name)) {
                snprintf(err, err_len, "%s: '%s' is not packed (not converted, or excluded)", path, name);
                rc = -1;
            } else if (st_load_packed(&sm, name, p, err, err_len) != 0) {
                rc = -1;
            } else if (p->rows != m->layer[l].lin[i].out || p->cols != m->layer[l].lin[i].in) {
                snprintf(err, err_len, "%s: '%s' is %zu x %zu, the model's is %zu x %zu", path, name, p->rows, p->cols,
                         m->layer[l].lin[i].out, m->layer[l].lin[i].in);
                rc = -1;
            }
        }
    st_model_close(&sm);
    m->has_packed = rc == 0;
    return rc;
}
