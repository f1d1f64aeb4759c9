/* bitlinear.c — the "bitlinear" suite: the whole BitLinear forward (RMSNorm → activation quantization →
 * ternary matmul → rescale) per runnable variant × format × shape × tokens × threads, next to the FP32
 * layer it replaces (RMSNorm + sgemm with each FP32 baseline):
 *   bitlinear/i2/avx512_vnni/6912x2560x1/threads:1     bitlinear/fp32/openblas/6912x2560x1/threads:1
 * One token uses the GEMV kernel, more use the GEMM kernel. Counters: tokens/s, GB/s (weight bytes read
 * per call: packed for ternary, FP32 for baselines), Gweights/s. Instances enumerate the one kernel
 * table (CPU descriptors); weights come from the weight cache (weight_cache.h), shared with gemv/gemm. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suite_list.h"
#include "tritbench/catalog.h"
#include "tritbench/kernels.h"
#include "tritbench/quant.h"
#include "weight_cache.h"

#define SCALAR_MAX_MACS 1.0e9
#define NORM_EPS 1e-5f
#define WEIGHT_SEED 0x5eed0001u
#define ACT_SEED 0x5eed0002u

typedef struct bl_arg {
    trit_format format; /* I2/T5, or FP32 for the layer it replaces */
    char variant[160]; /* ours, or "<plugin>:<variant>" */
    size_t rows, cols, tokens;
} bl_arg;

typedef struct bl_fixture {
    const trit_kernel *k;
    const void *cached;   /* the weight cache's pinned entry (packed or FP32) */
    trit_bitlinear layer; /* ternary: layer.w is a view of the cached packed matrix (not owned) */
    trit_bitlinear_ws ws;
    bool have_ws;
    trit_bound_weights b; /* FP32: the cached matrix bound to the baseline */
    bool bound;
    float *X, *Xn, *Y, *norm;
} bl_fixture;

static void bl_teardown(void *p)
{
    bl_fixture *fx = p;
    if (fx->have_ws)
        trit_bitlinear_ws_free(&fx->ws);
    if (fx->bound)
        trit_kernel_unbind(&fx->b);
    tb_wcache_release(fx->cached);
    free(fx->X);
    free(fx->Xn);
    free(fx->Y);
    free(fx->norm);
    free(fx);
}

static void *bl_setup(tb_state *st)
{
    const bl_arg *a = tb_arg(st);
    bl_fixture *fx = calloc(1, sizeof *fx);
    char why[256];
    const char *err = "out of memory";
    if (!fx)
        goto fail;
    const size_t M = a->rows, K = a->cols, N = a->tokens;
    fx->k = trit_kernel_get(N == 1 ? TRIT_OP_GEMV : TRIT_OP_GEMM, a->format, a->variant);
    if (!fx->k || !trit_kernel_runnable(fx->k, why, sizeof why)) {
        err = fx->k ? why : "variant not compiled in";
        goto fail;
    }
    fx->X = trit_aligned_alloc(N * K * sizeof(float));
    fx->Y = trit_aligned_alloc(N * M * sizeof(float));
    fx->norm = malloc(K * sizeof(float));
    if (!fx->X || !fx->Y || !fx->norm)
        goto fail;
    trit_fill_activations(fx->X, N, K, true, ACT_SEED);
    for (size_t k = 0; k < K; k++)
        fx->norm[k] = 1.0f + 0.01f * (float)(k % 7);
    if (!trit_format_is_ternary(a->format)) {
        const float *W = tb_wcache_f32(M, K, WEIGHT_SEED);
        fx->cached = W;
        fx->Xn = trit_aligned_alloc(N * K * sizeof(float));
        const trit_weights w = {.dense = W, .rows = M, .cols = K};
        if (!W || !fx->Xn || trit_kernel_bind(fx->k, &w, &fx->b) != 0)
            goto fail;
        fx->bound = true;
        return fx;
    }
    const trit_packed *p = tb_wcache_packed(a->format, M, K, WEIGHT_SEED);
    fx->cached = p;
    if (!p)
        goto fail;
    fx->layer.w = *p;
    fx->layer.norm_weight = fx->norm;
    fx->layer.norm_eps = NORM_EPS;
    if (trit_bitlinear_ws_alloc(&fx->ws, &fx->layer, N) != 0)
        goto fail;
    fx->have_ws = true;
    return fx;
fail:
    tb_skip_with_error(st, err);
    if (fx)
        bl_teardown(fx);
    return NULL;
}

/* The FP32 layer's RMSNorm, the same formula as the ternary path's (ops.c). */
static void rms_norm_rows(const float *X, const float *g, size_t rows, size_t cols, float *out)
{
    for (size_t r = 0; r < rows; r++) {
        const float *x = X + r * cols;
        double ss = 0;
        for (size_t k = 0; k < cols; k++)
            ss += (double)x[k] * x[k];
        const float s = (float)(1.0 / sqrt(ss / (double)cols + NORM_EPS));
        for (size_t k = 0; k < cols; k++)
            out[r * cols + k] = x[k] * s * g[k];
    }
}

static void bl_run(tb_state *st)
{
    bl_fixture *fx = tb_fixture(st);
    if (!fx)
        return;
    const bl_arg *a = tb_arg(st);
    const int threads = tb_threads(st);
    const size_t M = a->rows, K = a->cols, N = a->tokens;
    double bytes;
    if (fx->bound) {
        const trit_acts xs = {.dense = fx->Xn, .rows = N};
        int rc = 0;
        while (tb_keep_running(st)) {
            rms_norm_rows(fx->X, fx->norm, N, K, fx->Xn);
            rc |= trit_kernel_run(&fx->b, &xs, threads, NULL, fx->Y);
        }
        if (rc != 0) {
            tb_skip_with_error(st, "trit_kernel_run rejected the shapes");
            return;
        }
        bytes = (double)trit_bound_weight_bytes(&fx->b);
    } else {
        int rc = 0;
        while (tb_keep_running(st))
            rc |= trit_bitlinear_forward(fx->k, &fx->layer, fx->X, N, fx->Y, threads, &fx->ws);
        if (rc != 0) {
            tb_skip_with_error(st, "trit_bitlinear_forward failed");
            return;
        }
        bytes = (double)fx->layer.w.alloc_bytes;
    }
    const double it = (double)tb_iterations(st);
    tb_set_bytes_processed(st, it * bytes);
    tb_set_items_processed(st, it * (double)N);
    tb_counter(st, "tokens/s", it * (double)N, TB_COUNTER_RATE);
    tb_counter(st, "GB/s", it * bytes / 1e9, TB_COUNTER_RATE);
    tb_counter(st, "Gweights/s", it * (double)(M * K) / 1e9, TB_COUNTER_RATE);
}

#define MAX_ARGS 1024
static bl_arg args[MAX_ARGS];
static size_t n_args;

static int add_instance(tb_registry *r, const tb_suite_config *cfg, const bl_arg *proto, const char *layout)
{
    char family[96], argstr[256];
    snprintf(family, sizeof family, "bitlinear/%s", layout);
    snprintf(argstr, sizeof argstr, "%s/%zux%zux%zu", proto->variant, proto->rows, proto->cols, proto->tokens);
    const int n_threads = cfg->n_threads > 0 ? cfg->n_threads : 1;
    for (int t = 0; t < n_threads; t++) {
        if (n_args >= MAX_ARGS)
            return -1;
        bl_arg *a = &args[n_args++];
        *a = *proto;
        tb_bench_spec spec = {0};
        spec.family = family;
        spec.args = argstr;
        spec.run = bl_run;
        spec.setup = bl_setup;
        spec.teardown = bl_teardown;
        spec.arg = a;
        spec.threads = cfg->n_threads > 0 ? cfg->threads[t] : 1;
        spec.time_unit = TB_US;
        if (spec.threads < 1 || tb_register(r, &spec) != 0)
            return -1;
    }
    return 0;
}

static bool scalar_ok(const tb_suite_config *cfg, const char *name, double macs)
{
    return strcmp(name, "scalar") != 0 || macs <= SCALAR_MAX_MACS ||
           (cfg->variants && tb_list_contains(cfg->variants, name));
}

/* Every runnable CPU descriptor of the op for N tokens: ternary formats first, then float formats. */
static int register_case(tb_registry *r, const tb_suite_config *cfg, size_t M, size_t K, size_t N)
{
    const double macs = (double)M * (double)K * (double)N;
    size_t nk;
    const trit_kernel *ks = trit_kernels(&nk);
    const trit_op op = N == 1 ? TRIT_OP_GEMV : TRIT_OP_GEMM;
    for (int f = 0; f < TRIT_FMT_FLOAT_END; f = f + 1 == TRIT_FMT_COUNT ? TRIT_FMT_FLOAT_FIRST : f + 1) {
        for (size_t i = 0; i < nk; i++) {
            char why[256];
            const trit_kernel *k = &ks[i];
            /* --formats names the layout a kernel reads (a plugin's own, or the format). */
            if (k->op != op || k->format != (trit_format)f || k->device != TRIT_DEVICE_CPU ||
                !tb_list_contains(cfg->formats, trit_kernel_layout(k)) || !tb_list_contains(cfg->variants, k->variant) || !trit_kernel_runnable(k, why, sizeof why) ||
                !scalar_ok(cfg, k->variant, macs))
                continue;
            /* The FP32 layer is RMSNorm + sgemm: a float kernel with FP32 results. */
            if (!trit_format_is_ternary(k->format) && k->result != TRIT_RESULT_FP32)
                continue;
            /* The ternary layer rescales int32 accumulators: a (plugin) kernel with FP32 outputs has none.
             * An added (plugin) kernel is timed by gemv/gemm only: trit_bitlinear_forward binds per call,
             * so its pack() would be timed. */
            if (trit_format_is_ternary(k->format) && (k->result != TRIT_RESULT_EXACT_INT32 || k->ctx))
                continue;
            bl_arg a = {k->format, "", M, K, N};
            snprintf(a.variant, sizeof a.variant, "%s", k->variant);
            if (add_instance(r, cfg, &a, trit_kernel_layout(k)) != 0)
                return -1;
        }
    }
    return 0;
}

int tb_suite_bitlinear_register(tb_registry *r, const tb_suite_config *cfg)
{
    size_t count;
    const trit_shape *s = trit_shapes(cfg->shapes ? cfg->shapes : cfg->quick ? "quick" : "bitnet-2b", &count);
    const size_t tokens[2] = {1, cfg->quick ? 8 : 128};
    for (size_t i = 0; i < count; i++) {
        bool seen = false;
        for (size_t j = 0; j < i; j++)
            seen |= s[j].rows == s[i].rows && s[j].cols == s[i].cols;
        if (seen)
            continue;
        for (int t = 0; t < 2; t++)
            if (register_case(r, cfg, s[i].rows, s[i].cols, tokens[t]) != 0)
                return -1;
    }
    return 0;
}
