/* e2e.c — the "e2e" suite: end-to-end decoder tokens/s (workloads/decoder) per model × weights × phase × threads:
 *   e2e/bitnet-2b/i2/decode/ctx:128/threads:1     e2e/bitnet-2b/fp32/decode/ctx:512/threads:2
 *   e2e/bitnet-2b/t5/prefill/512/threads:2        (as llama-bench -p 512 -n 128 reports)
 * Weights: i2 / t5 (ternary, embedding/lm_head FP16), i2-q8head / t5-q8head (the same ternary model with the
 * embedding/lm_head int8 per row), i2-q8rhead / t5-q8rhead (int8 per row + a 4-bit residual, the top
 * candidates re-scored: lowp.h "q8r"), fp32, fp16, bf16 (the whole model in that type: the baselines).
 * Decode is one token at context depth ctx (KV cache filled with seeded values: attention cost depends on
 * the depth only); prefill is P prompt tokens from an empty cache through the GEMM kernels, logits of the
 * last. Only configurations that fit in memory are registered; --quick uses bitnet-large cut to 4 layers
 * (named bitnet-large-4L). Counters: tokens/s, weights_bytes, fp32_weights_bytes, memory_reduction (whole
 * model, FP32 / this), rss_bytes, peak_rss_bytes (VmHWM, process-wide), outside_matmul (fraction of the
 * forward's time outside the projections' matmuls: attention, norms, quantization, lm_head). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suite_list.h"
#include "tritbench/decoder.h"
#include "tritbench/models.h"

#define E2E_MAX_CTX 640 /* decode at 512 + headroom */
#define E2E_SEED 0xe2e0001u

typedef struct e2e_arg {
    trit_model_config cfg; /* a copy: the quick config is derived */
    tb_dec_variant kind;   /* ternary, or the FP32/FP16/BF16 baseline model */
    tb_dec_head head;      /* ternary: embedding/lm_head storage */
    trit_format format;
    char variant[32];      /* ternary kernel variant, or the FP32 baseline's name ("" for FP16/BF16) */
    bool prefill;
    size_t tokens;         /* decode: context depth; prefill: prompt length */
} e2e_arg;

/* Models stay loaded between instances: building bitnet-2b in FP32 means faulting in ~10 GB, which is slow on
 * some VMs, and a validation run interleaves the ternary and FP32 decoders of one model repetition by
 * repetition, so each must stay resident. A different model (name or layer count) frees the others first. */
#define E2E_CACHE 8 /* i2, t5, each with both heads, fp32, fp16, bf16 */
static struct {
    tb_decoder *d;
    char key[160];
    char model[96];
} cache[E2E_CACHE];

static void key_of(const e2e_arg *a, char *key, size_t len)
{
    snprintf(key, len, "%s/%d/%s/%s/%s/%s", a->cfg.name, a->cfg.n_layers, tb_dec_variant_name(a->kind),
             trit_format_name(a->format), tb_dec_head_name(a->head), a->variant);
}

static void cache_drop(size_t i)
{
    tb_decoder_free(cache[i].d);
    memset(&cache[i], 0, sizeof cache[i]);
}

static tb_decoder *model_for(const e2e_arg *a, char *err, size_t err_len)
{
    char key[160], model[96];
    key_of(a, key, sizeof key);
    snprintf(model, sizeof model, "%s/%d", a->cfg.name, a->cfg.n_layers);
    size_t slot = E2E_CACHE;
    for (size_t i = 0; i < E2E_CACHE; i++) {
        if (cache[i].d && strcmp(cache[i].key, key) == 0)
            return cache[i].d;
        if (cache[i].d && strcmp(cache[i].model, model) != 0)
            cache_drop(i);
        if (!cache[i].d && slot == E2E_CACHE)
            slot = i;
    }
    if (slot == E2E_CACHE) {
        cache_drop(0);
        slot = 0;
    }
    tb_decoder_opts o;
    tb_decoder_opts_default(&o);
    o.variant = a->kind;
    o.head = a->head;
    o.format = a->format;
    o.max_ctx = E2E_MAX_CTX;
    o.max_batch = 512;
    o.seed = E2E_SEED;
    if (a->kind == TB_DEC_FP32) {
        o.fp32 = trit_fp32_get(a->variant);
    } else if (a->kind == TB_DEC_TERNARY) {
        o.gemv = trit_kernel_get(TRIT_OP_GEMV, a->format, a->variant);
        o.gemm = trit_kernel_get(TRIT_OP_GEMM, a->format, a->variant);
    }
    /* Seven bitnet-2b models (ternary × two heads, FP32, FP16, BF16) do not fit in 24 GB together: when this
     * one does not fit beside the cached ones, they go (and are rebuilt when asked for again). */
    char why[160];
    if (!tb_decoder_fits(&a->cfg, &o, 0, why, sizeof why))
        for (size_t i = 0; i < E2E_CACHE; i++)
            if (cache[i].d)
                cache_drop(i);
    cache[slot].d = tb_decoder_new(&a->cfg, &o, err, err_len);
    if (cache[slot].d) {
        snprintf(cache[slot].key, sizeof cache[slot].key, "%s", key);
        snprintf(cache[slot].model, sizeof cache[slot].model, "%s", model);
    }
    return cache[slot].d;
}

typedef struct e2e_fixture {
    tb_decoder *d;
    float *logits;
    int32_t *prompt;
} e2e_fixture;

static void e2e_teardown(void *p)
{
    e2e_fixture *fx = p;
    free(fx->logits);
    free(fx->prompt);
    free(fx); /* the model stays in the cache */
}

static void *e2e_setup(tb_state *st)
{
    const e2e_arg *a = tb_arg(st);
    char err[512];
    e2e_fixture *fx = calloc(1, sizeof *fx);
    if (!fx) {
        tb_skip_with_error(st, "out of memory");
        return NULL;
    }
    fx->d = model_for(a, err, sizeof err);
    fx->logits = malloc((size_t)a->cfg.vocab * sizeof(float));
    fx->prompt = malloc(a->tokens * sizeof(int32_t));
    if (!fx->d || !fx->logits || !fx->prompt) {
        tb_skip_with_error(st, fx->d ? "out of memory" : err);
        e2e_teardown(fx);
        return NULL;
    }
    for (size_t i = 0; i < a->tokens; i++)
        fx->prompt[i] = (int32_t)((i * 7919u + 17u) % (size_t)a->cfg.vocab);
    if (tb_decoder_set_threads(fx->d, tb_threads(st)) != 0 ||
        (!a->prefill && tb_decoder_fill_cache(fx->d, a->tokens, E2E_SEED) != 0)) {
        tb_skip_with_error(st, "cannot set threads / fill the KV cache");
        e2e_teardown(fx);
        return NULL;
    }
    return fx;
}

static void e2e_run(tb_state *st)
{
    e2e_fixture *fx = tb_fixture(st);
    if (!fx)
        return;
    const e2e_arg *a = tb_arg(st);
    tb_decoder *d = fx->d;
    int rc = 0;
    tb_decoder_reset_times(d);
    while (tb_keep_running(st)) {
        if (a->prefill) {
            rc |= tb_decoder_set_pos(d, 0);
            rc |= tb_decoder_prefill(d, fx->prompt, a->tokens, fx->logits);
        } else {
            rc |= tb_decoder_set_pos(d, a->tokens);
            rc |= tb_decoder_decode(d, fx->prompt[0], fx->logits);
        }
    }
    if (rc != 0) {
        tb_skip_with_error(st, "decoder forward failed");
        return;
    }
    double ph[TB_DEC_PH_COUNT], total = 0;
    tb_decoder_times(d, ph);
    for (int p = 0; p < TB_DEC_PH_COUNT; p++)
        total += ph[p];
    tb_decoder_opts fo = *tb_decoder_options(d);
    fo.variant = TB_DEC_FP32;
    const double fp32_bytes = (double)tb_decoder_weight_bytes(&a->cfg, &fo);
    const double bytes = (double)tb_decoder_weight_bytes_actual(d);
    const double per_it = a->prefill ? (double)a->tokens : 1.0;
    tb_set_items_processed(st, (double)tb_iterations(st) * per_it);
    tb_counter(st, "tokens/s", (double)tb_iterations(st) * per_it, TB_COUNTER_RATE);
    tb_counter(st, "weights_bytes", bytes, TB_COUNTER_DEFAULT);
    tb_counter(st, "fp32_weights_bytes", fp32_bytes, TB_COUNTER_DEFAULT);
    tb_counter(st, "memory_reduction", fp32_bytes / bytes, TB_COUNTER_DEFAULT);
    tb_counter(st, "rss_bytes", (double)tb_process_rss(), TB_COUNTER_DEFAULT);
    tb_counter(st, "peak_rss_bytes", (double)tb_process_peak_rss(), TB_COUNTER_DEFAULT);
    tb_counter(st, "outside_matmul", total > 0 ? 1.0 - ph[TB_DEC_PH_MATMUL] / total : 0.0, TB_COUNTER_DEFAULT);
    tb_counter(st, "lm_head_frac", total > 0 ? ph[TB_DEC_PH_LM_HEAD] / total : 0.0, TB_COUNTER_DEFAULT);
    tb_counter(st, "attention_frac", total > 0 ? ph[TB_DEC_PH_ATTENTION] / total : 0.0, TB_COUNTER_DEFAULT);
    for (int p = 0; p < TB_DEC_PH_COUNT; p++) { /* where the time goes, per phase of the forward */
        char name[64];
        snprintf(name, sizeof name, "phase:%s", tb_dec_phase_name((tb_dec_phase)p));
        tb_counter(st, name, total > 0 ? ph[p] / total : 0.0, TB_COUNTER_DEFAULT);
    }
    tb_set_label(st, tb_decoder_kernel_desc(d));
}

#define MAX_ARGS 512
static e2e_arg args[MAX_ARGS];
static size_t n_args;

static int add_instances(tb_registry *r, const tb_suite_config *cfg, const e2e_arg *proto)
{
    static const size_t depths[2] = {128, 512};
    char family[96], argstr[64];
    if (proto->kind != TB_DEC_TERNARY)
        snprintf(family, sizeof family, "e2e/%s/%s", proto->cfg.name, tb_dec_variant_name(proto->kind));
    else if (proto->head == TB_DEC_HEAD_Q8 || proto->head == TB_DEC_HEAD_Q8R)
        snprintf(family, sizeof family, "e2e/%s/%s-%shead", proto->cfg.name, trit_format_name(proto->format),
                 tb_dec_head_name(proto->head));
    else
        snprintf(family, sizeof family, "e2e/%s/%s", proto->cfg.name, trit_format_name(proto->format));
    for (int phase = 0; phase < 2; phase++)
        for (int t = 0; t < 2; t++) {
            snprintf(argstr, sizeof argstr, phase ? "prefill/%zu" : "decode/ctx:%zu", depths[t]);
            for (int i = 0; i < (cfg->n_threads > 0 ? cfg->n_threads : 1); i++) {
                if (n_args >= MAX_ARGS)
                    return -1;
                e2e_arg *a = &args[n_args++];
                *a = *proto;
                a->prefill = phase == 1;
                a->tokens = depths[t];
                tb_bench_spec spec = {0};
                spec.family = family;
                spec.args = argstr;
                spec.run = e2e_run;
                spec.setup = e2e_setup;
                spec.teardown = e2e_teardown;
                spec.arg = a;
                spec.threads = cfg->n_threads > 0 ? cfg->threads[i] : 1;
                spec.time_unit = TB_MS;
                if (spec.threads < 1 || tb_register(r, &spec) != 0)
                    return -1;
            }
        }
    return 0;
}

static int register_model(tb_registry *r, const tb_suite_config *cfg, const trit_model_config *mc)
{
    char msg[512];
    tb_decoder_opts o;
    tb_decoder_opts_default(&o);
    o.max_ctx = E2E_MAX_CTX;
    for (int f = 0; f < TRIT_FMT_COUNT; f++) {
        char why[256];
        const trit_kernel *k = tb_suite_pick_kernel(TRIT_OP_GEMV, (trit_format)f, cfg->variants, why, sizeof why);
        if (k && strcmp(k->variant, "cuda") == 0)
            k = NULL; /* the decoder keeps its activations on the host */
        if (!k || !tb_list_contains(cfg->formats, trit_format_name((trit_format)f)))
            continue;
        /* The scalar oracle would take minutes per token at real sizes. */
        if (strcmp(k->variant, "scalar") == 0 && !cfg->quick && !tb_list_contains(cfg->variants, "scalar"))
            continue;
        o.format = (trit_format)f;
        static const tb_dec_head heads[3] = {TB_DEC_HEAD_FP16, TB_DEC_HEAD_Q8, TB_DEC_HEAD_Q8R};
        for (int h = 0; h < 3; h++) {
            o.head = heads[h];
            if (!tb_decoder_fits(mc, &o, 0, msg, sizeof msg)) {
                fprintf(stderr, "e2e: not registered: %s\n", msg);
                continue;
            }
            e2e_arg a = {*mc, TB_DEC_TERNARY, heads[h], (trit_format)f, "", false, 0};
            snprintf(a.variant, sizeof a.variant, "%s", k->variant);
            if (add_instances(r, cfg, &a) != 0)
                return -1;
        }
    }
    o.head = TB_DEC_HEAD_FP16;
    if (!tb_list_contains(cfg->formats, "fp32"))
        return 0;
    /* The FP16/BF16 models (the llama.cpp baselines bitnet.cpp compares with) come with FP32: all three are
     * the "fp32" format's baselines, and the e2e speedups are over the fastest of them. */
    static const tb_dec_variant lowp[2] = {TB_DEC_FP16, TB_DEC_BF16};
    for (int v = 0; v < 2; v++) {
        o.variant = lowp[v];
        if (!tb_decoder_fits(mc, &o, 0, msg, sizeof msg)) {
            fprintf(stderr, "e2e: not registered: %s\n", msg);
            continue;
        }
        e2e_arg a = {*mc, lowp[v], TB_DEC_HEAD_FP16, TRIT_FMT_I2, "", false, 0};
        if (add_instances(r, cfg, &a) != 0)
            return -1;
    }
    o.variant = TB_DEC_FP32;
    const char *fp = trit_have_openblas() ? "openblas" : "avx512";
    char why[256];
    const trit_fp32_kernel *fk = trit_fp32_get(fp);
    if (!fk || !trit_fp32_runnable(fk, why, sizeof why))
        fk = trit_fp32_get("avx2");
    if (!fk || !trit_fp32_runnable(fk, why, sizeof why) || !tb_list_contains(cfg->variants, fk->name))
        return 0;
    if (!tb_decoder_fits(mc, &o, 0, msg, sizeof msg)) {
        fprintf(stderr, "e2e: not registered: %s (ternary figures stand alone)\n", msg);
        return 0;
    }
    e2e_arg a = {*mc, TB_DEC_FP32, TB_DEC_HEAD_FP16, TRIT_FMT_I2, "", false, 0};
    snprintf(a.variant, sizeof a.variant, "%s", fk->name);
    return add_instances(r, cfg, &a);
}

int tb_suite_e2e_register(tb_registry *r, const tb_suite_config *cfg)
{
    if (cfg->quick) {
        const trit_model_config *base = trit_model_config_get("bitnet-large");
        if (!base)
            return -1;
        static trit_model_config quick;
        quick = *base;
        quick.name = "bitnet-large-4L";
        quick.description = "bitnet_b1_58-large cut to 4 of 24 layers (--quick)";
        quick.n_layers = 4;
        return register_model(r, cfg, &quick);
    }
    size_t n;
    const trit_model_config *mc = trit_model_configs(&n);
    for (size_t i = 0; i < n; i++)
        if (register_model(r, cfg, &mc[i]) != 0)
            return -1;
    return 0;
}
