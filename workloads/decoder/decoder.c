/* decoder.c — decoder lifetime (memory check, kernel choice, weights, KV cache, workspaces), accessors,
 * the small test configurations and process memory readings. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decoder_internal.h"
#include "tritbench/catalog.h"
#include "tritbench_config.h"

#if TRIT_HAVE_OPENMP
#include <omp.h>
#endif

#define DEC_MAX_THREADS 64

static const char *const variant_names[TB_DEC_VARIANT_COUNT] = {"ternary", "fp32", "fp16", "bf16"};
static const char *const head_names[TB_DEC_HEAD_COUNT] = {"fp16", "q8", "fp32", "q8r"};

const char *tb_dec_variant_name(tb_dec_variant v)
{
    return (unsigned)v < TB_DEC_VARIANT_COUNT ? variant_names[v] : "?";
}

int tb_dec_variant_parse(const char *name, tb_dec_variant *out)
{
    for (int i = 0; name && i < TB_DEC_VARIANT_COUNT; i++)
        if (strcmp(variant_names[i], name) == 0) {
            *out = (tb_dec_variant)i;
            return 0;
        }
    return -1;
}

const char *tb_dec_head_name(tb_dec_head h) { return (unsigned)h < TB_DEC_HEAD_COUNT ? head_names[h] : "?"; }

int tb_dec_head_parse(const char *name, tb_dec_head *out)
{
    for (int i = 0; name && i < TB_DEC_HEAD_COUNT; i++)
        if (strcmp(head_names[i], name) == 0) {
            *out = (tb_dec_head)i;
            return 0;
        }
    return -1;
}

bool dec_variant_is_half(tb_dec_variant v) { return v == TB_DEC_FP16 || v == TB_DEC_BF16; }
trit_half_type dec_half_type(tb_dec_variant v) { return v == TB_DEC_BF16 ? TRIT_HALF_BF16 : TRIT_HALF_FP16; }

dec_table_kind dec_table_kind_of(const tb_decoder_opts *o)
{
    switch (o->variant) {
    case TB_DEC_FP32: return DEC_TAB_F32;
    case TB_DEC_FP16: return DEC_TAB_F16;
    case TB_DEC_BF16: return DEC_TAB_BF16;
    default: break;
    }
    if (o->head_fp32 || o->head == TB_DEC_HEAD_FP32)
        return DEC_TAB_F32;
    return o->head == TB_DEC_HEAD_Q8 ? DEC_TAB_Q8 : o->head == TB_DEC_HEAD_Q8R ? DEC_TAB_Q8R : DEC_TAB_F16;
}

const char *tb_decoder_table_type(const tb_decoder *d)
{
    static const char *const names[] = {"fp32", "fp16", "bf16", "q8", "q8r"};
    return names[d->tables];
}

const char *tb_dec_phase_name(tb_dec_phase p)
{
    static const char *const names[TB_DEC_PH_COUNT] = {"embed",     "norm",    "quant",  "matmul",
                                                       "attention", "ffn_act", "lm_head"};
    return (unsigned)p < TB_DEC_PH_COUNT ? names[p] : "?";
}

void tb_decoder_opts_default(tb_decoder_opts *o)
{
    memset(o, 0, sizeof *o);
    o->variant = TB_DEC_TERNARY;
    o->format = TRIT_FMT_I2;
    o->threads = 1;
    o->max_ctx = 1024;
    o->max_batch = 512;
    o->seed = 1;
}

/* Test configurations: small enough for the scalar oracle, shaped like the real ones (GQA, a K that is
 * not a multiple of the I2/T5 blocks for the FFN down projection, both activations, tied and untied). */
static const trit_model_config test_configs[] = {
    {"tiny", "test: 2 layers, hidden 256, GQA 4/2, relu2, tied", 2, 256, 672, 4, 2, 64, 512, 10000.0f, 1e-5f,
     TRIT_ACT_RELU2, true},
    {"tiny-silu", "test: 3 layers, hidden 192, MHA 3/3, SiLU, untied", 3, 192, 400, 3, 3, 64, 300, 10000.0f, 1e-5f,
     TRIT_ACT_SILU, false},
};

const trit_model_config *tb_decoder_test_config(const char *name)
{
    for (size_t i = 0; name && i < sizeof test_configs / sizeof test_configs[0]; i++)
        if (strcmp(test_configs[i].name, name) == 0)
            return &test_configs[i];
    return NULL;
}

static bool config_ok(const trit_model_config *c, char *err, size_t err_len)
{
    if (c->n_layers <= 0 || c->hidden <= 0 || c->ffn <= 0 || c->n_heads <= 0 || c->n_kv_heads <= 0 ||
        c->head_dim <= 0 || c->head_dim % 2 != 0 || c->vocab <= 0 || c->n_heads % c->n_kv_heads != 0) {
        snprintf(err, err_len, "%s: invalid model configuration (sizes must be positive, head_dim even, "
                 "n_heads a multiple of n_kv_heads)", c->name ? c->name : "?");
        return false;
    }
    return true;
}

static int pick_kernels(tb_decoder *d, char *err, size_t err_len)
{
    const tb_decoder_opts *o = &d->opts;
    char why[256];
    d->fp32 = o->fp32;
    if (!d->fp32 && trit_have_openblas())
        d->fp32 = trit_fp32_get("openblas");
    static const char *const own[] = {"avx512", "avx2", "scalar"};
    for (size_t i = 0; !d->fp32 && i < sizeof own / sizeof own[0]; i++) {
        const trit_fp32_kernel *k = trit_fp32_get(own[i]);
        if (k && trit_fp32_runnable(k, why, sizeof why))
            d->fp32 = k;
    }
    if (!d->fp32 || !trit_fp32_runnable(d->fp32, why, sizeof why)) {
        snprintf(err, err_len, "no runnable FP32 kernel for the FP32 parts");
        return -1;
    }
    d->tables = dec_table_kind_of(o);
    if (d->tables == DEC_TAB_F16 || d->tables == DEC_TAB_BF16) {
        const trit_half_type t = d->tables == DEC_TAB_BF16 ? TRIT_HALF_BF16 : TRIT_HALF_FP16;
        d->half = o->half ? o->half : trit_half_select(t, false);
        d->half_gemm = o->half ? o->half : trit_half_select(t, true);
        if (!d->half || d->half->type != t || !trit_half_runnable(d->half) || !d->half_gemm) {
            snprintf(err, err_len, "no runnable %s kernel%s%s", trit_half_type_name(t), d->half ? " for " : "",
                     d->half ? d->half->name : "");
            return -1;
        }
    }
    if (dec_table_is_q8(d->tables)) {
        d->q8 = o->q8 ? o->q8 : trit_q8_select();
        if (!trit_q8_runnable(d->q8)) {
            snprintf(err, err_len, "Q8 head kernel %s cannot run on this CPU", d->q8 ? d->q8->name : "?");
            return -1;
        }
    }
    if (o->variant == TB_DEC_FP32) {
        snprintf(d->kernel_desc, sizeof d->kernel_desc, "fp32/%s", d->fp32->name);
        return 0;
    }
    if (dec_variant_is_half(o->variant)) {
        snprintf(d->kernel_desc, sizeof d->kernel_desc, "gemv/%s/%s + gemm/%s/%s", trit_half_type_name(d->half->type),
                 d->half->name, trit_half_type_name(d->half->type), d->half_gemm->name);
        return 0;
    }
    d->gemv = o->gemv ? o->gemv : trit_kernel_select(TRIT_OP_GEMV, o->format, err, err_len);
    d->gemm = o->gemm ? o->gemm : trit_kernel_select(TRIT_OP_GEMM, o->format, err, err_len);
    if (!d->gemv || !d->gemm)
        return -1;
    const trit_kernel *ks[2] = {d->gemv, d->gemm};
    for (int i = 0; i < 2; i++) {
        char name[96];
        trit_kernel_name(ks[i], name, sizeof name);
        if (ks[i]->format != o->format || ks[i]->op != (i == 0 ? TRIT_OP_GEMV : TRIT_OP_GEMM)) {
            snprintf(err, err_len, "kernel %s does not match %s/%s", name, i == 0 ? "gemv" : "gemm",
                     trit_format_name(o->format));
            return -1;
        }
        if (!trit_kernel_runnable(ks[i], why, sizeof why)) {
            snprintf(err, err_len, "kernel %s cannot run here: %s", name, why);
            return -1;
        }
    }
    char a[96], b[96];
    trit_kernel_name(d->gemv, a, sizeof a);
    trit_kernel_name(d->gemm, b, sizeof b);
    snprintf(d->kernel_desc, sizeof d->kernel_desc, "%s + %s, head %s/%s", a, b, tb_decoder_table_type(d),
             dec_table_is_q8(d->tables) ? d->q8->name : d->tables == DEC_TAB_F16 ? d->half->name : d->fp32->name);
    return 0;
}

static int alloc_ws(tb_decoder *d)
{
    const trit_model_config *c = &d->cfg;
    dec_ws *w = &d->ws;
    const size_t B = d->opts.max_batch, H = (size_t)c->hidden, F = (size_t)c->ffn, Q = d->q_dim, KV = d->kv_dim;
    size_t widest = H > Q ? H : Q;
    widest = widest > F ? widest : F;
    const size_t max_rows = F > H ? (F > Q ? F : Q) : (H > Q ? H : Q);
    w->h = trit_aligned_alloc(B * H * sizeof(float));
    w->n = trit_aligned_alloc(B * widest * sizeof(float));
    w->q = trit_aligned_alloc(B * Q * sizeof(float));
    w->k = trit_aligned_alloc(B * KV * sizeof(float));
    w->v = trit_aligned_alloc(B * KV * sizeof(float));
    w->att = trit_aligned_alloc(B * Q * sizeof(float));
    w->gate = trit_aligned_alloc(B * F * sizeof(float));
    w->up = trit_aligned_alloc(B * F * sizeof(float));
    w->out = trit_aligned_alloc(B * H * sizeof(float));
    w->scores = trit_aligned_alloc((size_t)DEC_MAX_THREADS * d->opts.max_ctx * sizeof(float));
    w->last = trit_aligned_alloc(H * sizeof(float));
    if (!w->h || !w->n || !w->q || !w->k || !w->v || !w->att || !w->gate || !w->up || !w->out || !w->scores ||
        !w->last)
        return -1;
    if (dec_table_is_q8(d->tables) && (!(d->head_acc = trit_aligned_alloc((size_t)c->vocab * sizeof(int64_t))) ||
                                       trit_q8_act_alloc(&d->head_act, H) != 0))
        return -1;
    if (d->tables == DEC_TAB_Q8R) {
        d->q8r_cap = d->opts.q8r_cap ? d->opts.q8r_cap : TRIT_Q8R_CAP;
        d->q8r_cand = malloc(d->q8r_cap * sizeof(uint32_t));
        d->q8r_key = malloc(d->q8r_cap * sizeof(double));
        if (!d->q8r_cand || !d->q8r_key)
            return -1;
    }
    if (d->opts.variant == TB_DEC_TERNARY) {
        w->acc = trit_aligned_alloc(B * max_rows * sizeof(int32_t));
        if (!w->acc || trit_act_alloc(&w->act_hidden, B, H) != 0 || trit_act_alloc(&w->act_q, B, Q) != 0 ||
            trit_act_alloc(&w->act_ffn, B, F) != 0)
            return -1;
    }
    return 0;
}

static void free_ws(dec_ws *w)
{
    float *bufs[] = {w->h, w->n, w->q, w->k, w->v, w->att, w->gate, w->up, w->out, w->scores, w->last};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
        free(bufs[i]);
    free(w->acc);
    trit_act_free(&w->act_hidden);
    trit_act_free(&w->act_q);
    trit_act_free(&w->act_ffn);
    memset(w, 0, sizeof *w);
}

tb_decoder *tb_decoder_new(const trit_model_config *cfg, const tb_decoder_opts *o, char *err, size_t err_len)
{
    if (!cfg || !o) {
        snprintf(err, err_len, "tb_decoder_new: no configuration or options");
        return NULL;
    }
    if (!config_ok(cfg, err, err_len))
        return NULL;
    if (o->threads < 1 || o->threads > DEC_MAX_THREADS || (unsigned)o->format >= TRIT_FMT_COUNT) {
        snprintf(err, err_len, "%s: threads must be 1..%d and the format i2 or t5", cfg->name, DEC_MAX_THREADS);
        return NULL;
    }
    if ((unsigned)o->variant >= TB_DEC_VARIANT_COUNT || (unsigned)o->head >= TB_DEC_HEAD_COUNT) {
        snprintf(err, err_len, "%s: unknown decoder variant (%d) or head storage (%d)", cfg->name, (int)o->variant,
                 (int)o->head);
        return NULL;
    }
    if ((o->head == TB_DEC_HEAD_Q8 || o->head == TB_DEC_HEAD_Q8R) && (size_t)cfg->hidden > TRIT_Q8_MAX_K) {
        snprintf(err, err_len, "%s: hidden %d is beyond the Q8 head's %u columns", cfg->name, cfg->hidden,
                 TRIT_Q8_MAX_K);
        return NULL;
    }
    tb_decoder_opts opts = *o;
    opts.max_ctx = opts.max_ctx ? opts.max_ctx : 1024;
    opts.max_batch = opts.max_batch ? opts.max_batch : 512;
    opts.max_batch = opts.max_batch < opts.max_ctx ? opts.max_batch : opts.max_ctx;
    if (!tb_decoder_fits(cfg, &opts, 0, err, err_len))
        return NULL;
    tb_decoder *d = calloc(1, sizeof *d);
    if (!d) {
        snprintf(err, err_len, "%s: out of memory", cfg->name);
        return NULL;
    }
    d->cfg = *cfg;
    d->opts = opts;
    d->q_dim = (size_t)cfg->n_heads * (size_t)cfg->head_dim;
    d->kv_dim = (size_t)cfg->n_kv_heads * (size_t)cfg->head_dim;
    if (pick_kernels(d, err, err_len) != 0) {
        free(d);
        return NULL;
    }
    const size_t cache = (size_t)cfg->n_layers * d->kv_dim * opts.max_ctx;
    const size_t half = (size_t)cfg->head_dim / 2;
    d->k_cache = trit_aligned_alloc(cache * sizeof(float));
    d->v_cache = trit_aligned_alloc(cache * sizeof(float));
    d->rope_cos = trit_aligned_alloc(opts.max_ctx * half * sizeof(float));
    d->rope_sin = trit_aligned_alloc(opts.max_ctx * half * sizeof(float));
    if (!d->k_cache || !d->v_cache || !d->rope_cos || !d->rope_sin || alloc_ws(d) != 0) {
        snprintf(err, err_len, "%s: out of memory for the KV cache / workspaces", cfg->name);
        tb_decoder_free(d);
        return NULL;
    }
    dec_rope_tables(d->rope_cos, d->rope_sin, opts.max_ctx, (size_t)cfg->head_dim, cfg->rope_theta);
    if (dec_weights_generate(d, err, err_len) != 0) {
        tb_decoder_free(d);
        return NULL;
    }
    return d;
}

void tb_decoder_free(tb_decoder *d)
{
    if (!d)
        return;
    dec_weights_free(d);
    free_ws(&d->ws);
    free(d->head_acc);
    free(d->q8r_cand);
    free(d->q8r_key);
    trit_q8_act_free(&d->head_act);
    free(d->k_cache);
    free(d->v_cache);
    free(d->rope_cos);
    free(d->rope_sin);
    free(d);
}

size_t tb_decoder_pos(const tb_decoder *d) { return d->pos; }

int tb_decoder_set_pos(tb_decoder *d, size_t pos)
{
    if (!d || pos > d->pos)
        return -1;
    d->pos = pos;
    return 0;
}

int tb_decoder_fill_cache(tb_decoder *d, size_t n, uint64_t seed)
{
    if (!d || n > d->opts.max_ctx)
        return -1;
    const size_t hd = (size_t)d->cfg.head_dim;
    trit_rng r;
    trit_rng_seed(&r, seed);
    for (int l = 0; l < d->cfg.n_layers; l++)
        for (size_t h = 0; h < (size_t)d->cfg.n_kv_heads; h++) {
            const size_t base = (((size_t)l * (size_t)d->cfg.n_kv_heads + h) * d->opts.max_ctx) * hd;
            for (size_t i = 0; i < n * hd; i++) {
                d->k_cache[base + i] = (float)(trit_rng_uniform(&r) * 2.0 - 1.0);
                d->v_cache[base + i] = (float)(trit_rng_uniform(&r) * 2.0 - 1.0);
            }
        }
    d->pos = n;
    return 0;
}

int tb_decoder_set_threads(tb_decoder *d, int threads)
{
    if (!d || threads < 1 || threads > DEC_MAX_THREADS)
        return -1;
    d->opts.threads = threads;
    return 0;
}

const trit_model_config *tb_decoder_config(const tb_decoder *d) { return &d->cfg; }
const tb_decoder_opts *tb_decoder_options(const tb_decoder *d) { return &d->opts; }
size_t tb_decoder_weight_bytes_actual(const tb_decoder *d) { return d->weight_bytes; }
const char *tb_decoder_kernel_desc(const tb_decoder *d) { return d->kernel_desc; }

void tb_decoder_times(const tb_decoder *d, double out[TB_DEC_PH_COUNT])
{
    memcpy(out, d->phase, sizeof d->phase);
}

void tb_decoder_reset_times(tb_decoder *d) { memset(d->phase, 0, sizeof d->phase); }

static int linear_index(const char *name)
{
    static const char *const names[DEC_N_LINEAR] = {"q", "k", "v", "o", "gate", "up", "down"};
    for (int i = 0; name && i < DEC_N_LINEAR; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}

const trit_packed *tb_decoder_ternary_weight(const tb_decoder *d, int layer, const char *name)
{
    const int i = linear_index(name);
    if (!d || i < 0 || layer < 0 || layer >= d->cfg.n_layers || d->opts.variant != TB_DEC_TERNARY)
        return NULL;
    return &d->layers[layer].lin[i].w;
}

const float *tb_decoder_fp32_weight(const tb_decoder *d, int layer, const char *name)
{
    const int i = linear_index(name);
    if (!d || i < 0 || layer < 0 || layer >= d->cfg.n_layers || d->opts.variant != TB_DEC_FP32)
        return NULL;
    return d->layers[layer].lin[i].f;
}

const float *tb_decoder_norm_weight(const tb_decoder *d, int layer, const char *name)
{
    static const char *const names[DEC_N_NORM] = {"attn_norm", "attn_subnorm", "ffn_norm", "ffn_subnorm"};
    if (!d || !name)
        return NULL;
    if (strcmp(name, "final_norm") == 0)
        return d->final_norm;
    for (int i = 0; i < DEC_N_NORM; i++)
        if (strcmp(names[i], name) == 0)
            return layer >= 0 && layer < d->cfg.n_layers ? d->layers[layer].norm[i] : NULL;
    return NULL;
}

/* One row of a table as FP32: the embedding lookup (Q8: code · scale of that row only). */
static int table_row(const tb_decoder *d, const uint16_t *th, const float *tf, const trit_q8_rows *tq,
                     const trit_q8_resid *tr, int32_t row, float *out)
{
    const size_t H = (size_t)d->cfg.hidden;
    if (!out || row < 0 || row >= d->cfg.vocab)
        return -1;
    switch (d->tables) {
    case DEC_TAB_Q8: trit_q8_dequantize_row(tq, (size_t)row, out); break;
    case DEC_TAB_Q8R: trit_q8r_dequantize_row(tq, tr, (size_t)row, out); break; /* the stored 12 bits: one row, free */
    case DEC_TAB_F16: trit_half_to_f32_row(TRIT_HALF_FP16, th + (size_t)row * H, H, out); break;
    case DEC_TAB_BF16: trit_half_to_f32_row(TRIT_HALF_BF16, th + (size_t)row * H, H, out); break;
    default: memcpy(out, tf + (size_t)row * H, H * sizeof(float)); break;
    }
    return 0;
}

int tb_decoder_embedding_row(const tb_decoder *d, int32_t token, float *out)
{
    return table_row(d, d->embed_h, d->embed_f, &d->embed_q, &d->embed_r, token, out);
}

int tb_decoder_head_row(const tb_decoder *d, int32_t vocab_row, float *out)
{
    if (d->cfg.tied_embeddings)
        return table_row(d, d->embed_h, d->embed_f, &d->embed_q, &d->embed_r, vocab_row, out);
    return table_row(d, d->head_h, d->head_f, &d->head_q, &d->head_r, vocab_row, out);
}

void tb_decoder_rescore_stats(const tb_decoder *d, tb_dec_rescore *out) { *out = d->rescore; }
void tb_decoder_reset_rescore(tb_decoder *d) { memset(&d->rescore, 0, sizeof d->rescore); }

static size_t status_kb(const char *key)
{
    FILE *fp = fopen("/proc/self/status", "r");
    if (!fp)
        return 0;
    char line[256];
    unsigned long long kb = 0;
    const size_t klen = strlen(key);
    bool found = false;
    while (!found && fgets(line, sizeof line, fp))
        if (strncmp(line, key, klen) == 0 && line[klen] == ':')
            found = sscanf(line + klen + 1, "%llu", &kb) == 1;
    fclose(fp);
    return found ? (size_t)kb * 1024u : 0;
}

size_t tb_process_peak_rss(void) { return status_kb("VmHWM"); }
size_t tb_process_rss(void) { return status_kb("VmRSS"); }
