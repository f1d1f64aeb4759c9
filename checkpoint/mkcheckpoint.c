/* mkcheckpoint.c — `tritbench-mkcheckpoint`: writes a small, seeded, real safetensors checkpoint with a
 * Llama/BitNet transformer's tensor names and shapes (F32, F16 or BF16; one file or sharded with an
 * index), for tests, the fuzz seed corpus and trying `convert` / `validate --model` without a download. */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tritbench/args.h"
#include "tritbench/atomic_file.h"
#include "tritbench/catalog.h"
#include "tritbench/safetensors.h"

#define MAX_TENSORS 4096

typedef struct spec {
    char name[128];
    size_t ndim;
    uint64_t shape[2];
    int is_norm;
} spec;

typedef struct config {
    const char *out;
    st_dtype dtype;
    unsigned long layers, hidden, ffn, heads, kv_heads, vocab, shards;
    unsigned long seed;
    const char *poison; /* tensor whose first element becomes NaN (to test the quantizer's refusal) */
} config;

static int set_dtype(const tb_opt *opt, void *field, const char *v, char *err, size_t err_len)
{
    (void)opt;
    st_dtype *d = field;
    *d = strcmp(v, "f32") == 0 ? ST_F32 : strcmp(v, "f16") == 0 ? ST_F16 : strcmp(v, "bf16") == 0 ? ST_BF16 : ST_DTYPE_COUNT;
    if (*d == ST_DTYPE_COUNT) {
        snprintf(err, err_len, "'%s' is not one of f32, f16, bf16", v);
        return -1;
    }
    return 0;
}

/* Sizes: positive and small enough that a test checkpoint stays a test checkpoint. */
#define SIZE(flag, member, what)                                                                                       \
    {flag, .set = tb_set_ulong, .field = offsetof(config, member), .metavar = "N", .min = 1, .max = 1000000,          \
     .help = what}
static const tb_opt mk_table[] = {
    {"output", 'o', .field = offsetof(config, out), .metavar = "OUT",
     .help = "the .safetensors file (or, with --shards N > 1, the directory) to write"},
    {"dtype", .set = set_dtype, .field = offsetof(config, dtype), .metavar = "T", .help = "f32 (default), f16 or bf16"},
    SIZE("layers", layers, "transformer layers (default 2)"),
    SIZE("hidden", hidden, "hidden size (default 256)"),
    SIZE("ffn", ffn, "MLP size (default 688)"),
    SIZE("heads", heads, "attention heads (default 4)"),
    SIZE("kv-heads", kv_heads, "key/value heads (default 2)"),
    SIZE("vocab", vocab, "vocabulary (default 512)"),
    SIZE("shards", shards, "files (default 1); > 1 writes model-0000i-of-0000N.safetensors + index"),
    {"seed", .set = tb_set_ulong, .field = offsetof(config, seed), .metavar = "S", .min = 1, .max = 1000000,
     .help = "seed of the generated values (default 1)"},
    {"poison", .field = offsetof(config, poison), .metavar = "TENSOR", .help = "put a NaN into TENSOR"},
};

static const tb_command mk_cmd = {
    .name = "tritbench-mkcheckpoint",
    .synopsis = "-o OUT [flags]",
    .about = "Writes a seeded transformer checkpoint (model.embed_tokens, model.layers.N.{self_attn,mlp}.*, norms,\n"
             "lm_head) for tests and for trying `convert` / `validate --model` without a download.\n",
};

static size_t add(spec *s, size_t n, const char *name, uint64_t rows, uint64_t cols)
{
    if (n >= MAX_TENSORS)
        return n;
    snprintf(s[n].name, sizeof s[n].name, "%s", name);
    s[n].ndim = cols ? 2 : 1;
    s[n].shape[0] = rows;
    s[n].shape[1] = cols;
    s[n].is_norm = cols == 0;
    return n + 1;
}

static size_t build_specs(const config *c, spec *s)
{
    const uint64_t head_dim = c->hidden / c->heads, kv = head_dim * c->kv_heads;
    size_t n = add(s, 0, "model.embed_tokens.weight", c->vocab, c->hidden);
    for (unsigned long l = 0; l < c->layers; l++) {
        static const char *const parts[] = {"input_layernorm", "self_attn.q_proj", "self_attn.k_proj",
                                            "self_attn.v_proj", "self_attn.o_proj", "self_attn.attn_sub_norm",
                                            "post_attention_layernorm", "mlp.gate_proj", "mlp.up_proj",
                                            "mlp.down_proj", "mlp.ffn_sub_norm"};
        const uint64_t rows[] = {c->hidden, c->hidden, kv, kv, c->hidden, c->hidden, c->hidden, c->ffn, c->ffn,
                                 c->hidden, c->ffn};
        const uint64_t cols[] = {0, c->hidden, c->hidden, c->hidden, c->hidden, 0, 0, c->hidden, c->hidden, c->ffn, 0};
        for (size_t p = 0; p < sizeof parts / sizeof parts[0]; p++) {
            char name[128];
            snprintf(name, sizeof name, "model.layers.%lu.%s.weight", l, parts[p]);
            n = add(s, n, name, rows[p], cols[p]);
        }
    }
    n = add(s, n, "model.norm.weight", c->hidden, 0);
    return add(s, n, "lm_head.weight", c->vocab, c->hidden);
}

/* Tensor i's values: weights as catalog.h generates them, norms near 1 (as trained RMSNorm gains). */
static int fill(const config *c, const spec *sp, size_t i, float *v)
{
    const size_t n = sp->shape[0] * (sp->ndim == 2 ? sp->shape[1] : 1);
    if (sp->is_norm) {
        trit_rng r;
        trit_rng_seed(&r, c->seed * 7919u + i);
        for (size_t k = 0; k < n; k++)
            v[k] = (float)(1.0 + 0.1 * trit_rng_normal(&r));
    } else {
        trit_fill_weights(v, sp->shape[0], sp->shape[1], TRIT_DIST_GAUSSIAN, c->seed * 7919u + i);
    }
    if (c->poison && strcmp(c->poison, sp->name) == 0)
        v[0] = (float)NAN;
    return 0;
}

static int write_shard(const config *c, const char *path, const spec *s, const size_t *idx, size_t n, char *err,
                       size_t err_len)
{
    st_writer *w = st_writer_new(path, err, err_len);
    if (!w)
        return -1;
    st_writer_add_meta(w, "format", "pt");
    for (size_t j = 0; j < n; j++)
        if (st_writer_add_tensor(w, s[idx[j]].name, c->dtype, s[idx[j]].ndim, s[idx[j]].shape, err, err_len) != 0)
            goto fail;
    if (st_writer_begin_data(w, err, err_len) != 0)
        goto fail;
    for (size_t j = 0; j < n; j++) {
        const spec *sp = &s[idx[j]];
        const size_t count = sp->shape[0] * (sp->ndim == 2 ? sp->shape[1] : 1);
        float *v = malloc(count * sizeof *v);
        uint8_t *bytes = malloc(count * 4);
        int rc = -1;
        if (v && bytes && fill(c, sp, idx[j], v) == 0) {
            size_t nb = count * st_dtype_size(c->dtype);
            for (size_t k = 0; k < count; k++) {
                if (c->dtype == ST_F32) {
                    memcpy(bytes + 4 * k, &v[k], 4);
                } else {
                    const uint16_t h = c->dtype == ST_F16 ? st_f32_to_f16(v[k]) : st_f32_to_bf16(v[k]);
                    bytes[2 * k] = (uint8_t)h;
                    bytes[2 * k + 1] = (uint8_t)(h >> 8);
                }
            }
            rc = st_writer_write(w, bytes, nb, err, err_len);
        } else {
            snprintf(err, err_len, "out of memory");
        }
        free(v);
        free(bytes);
        if (rc != 0)
            goto fail;
    }
    return st_writer_commit(w, err, err_len);
fail:
    st_writer_abort(w);
    return -1;
}

static int write_sharded(const config *c, const spec *s, size_t n, char *err, size_t err_len)
{
    if (mkdir(c->out, 0777) != 0 && errno != EEXIST) {
        snprintf(err, err_len, "%s: cannot create directory: %s", c->out, strerror(errno));
        return -1;
    }
    size_t *idx = malloc(n * sizeof *idx);
    json_t *map = json_object();
    int rc = idx && map ? 0 : -1;
    for (unsigned long sh = 0; rc == 0 && sh < c->shards; sh++) {
        char name[64], path[4096];
        snprintf(name, sizeof name, "model-%05lu-of-%05lu.safetensors", sh + 1, c->shards);
        snprintf(path, sizeof path, "%s/%s", c->out, name);
        size_t k = 0;
        for (size_t i = sh; i < n; i += c->shards) {
            idx[k++] = i;
            json_object_set_new(map, s[i].name, json_string(name));
        }
        rc = write_shard(c, path, s, idx, k, err, err_len);
    }
    if (rc == 0) {
        json_t *root = json_pack("{s:{s:I}, s:O}", "metadata", "total_size", (json_int_t)0, "weight_map", map);
        char *text = root ? json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS) : NULL;
        char path[4096];
        snprintf(path, sizeof path, "%s/model.safetensors.index.json", c->out);
        rc = text ? tb_atomic_write(path, text, strlen(text), err, err_len) : -1;
        free(text);
        json_decref(root);
    }
    json_decref(map);
    free(idx);
    return rc;
}

int main(int argc, char **argv)
{
    config c = {.dtype = ST_F32, .layers = 2, .hidden = 256, .ffn = 688, .heads = 4, .kv_heads = 2, .vocab = 512,
                .shards = 1, .seed = 1};
    const tb_opt_group groups[] = {{NULL, mk_table, TB_COUNT(mk_table), &c}};
    tb_args args;
    const int parsed = tb_args_run(&mk_cmd, groups, TB_COUNT(groups), argc, argv, &args);
    if (parsed >= 0)
        return tb_close_stdout("tritbench-mkcheckpoint", parsed);
    if (c.layers > (MAX_TENSORS - 4) / 11) {
        fprintf(stderr, "tritbench-mkcheckpoint: at most %d layers\n", (MAX_TENSORS - 4) / 11);
        return 2;
    }
    if (!c.out || c.hidden % c.heads != 0 || c.kv_heads > c.heads) {
        fprintf(stderr, "tritbench-mkcheckpoint: need -o OUT, hidden divisible by heads, kv-heads <= heads (see --help)\n");
        return 2;
    }
    spec *s = calloc(MAX_TENSORS, sizeof *s);
    if (!s)
        return 2;
    const size_t n = build_specs(&c, s);
    char err[1024] = "";
    int rc;
    if (c.shards > 1) {
        rc = write_sharded(&c, s, n, err, sizeof err);
    } else {
        size_t *idx = malloc(n * sizeof *idx);
        for (size_t i = 0; idx && i < n; i++)
            idx[i] = i;
        rc = idx ? write_shard(&c, c.out, s, idx, n, err, sizeof err) : -1;
        free(idx);
    }
    free(s);
    if (rc != 0) {
        fprintf(stderr, "tritbench-mkcheckpoint: %s\n", err[0] ? err : "failed");
        return 2;
    }
    return 0;
}
