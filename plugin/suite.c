/* suite.c — benchmarks of plugin kernels, beside ours and on the same inputs: the gemv/gemm shapes and
 * seeds of suites/matmul.c, weights quantized by the same absmean quantizer and handed to the plugin's
 * pack() (outside timing), activations quantized by the harness (INT8 kernels, outside timing) or given
 * as FP32 (kernels that quantize themselves, inside timing).
 *   gemv/tq2_0/example_tq2:scalar/6912x2560/threads:1     gemm/i2/example_i2:scalar/640x2560x8/threads:1
 * Counters as our kernels': GB/s (the plugin's reported weight bytes per call), Gweights/s, GOP/s (GEMM);
 * plus weight_bytes and bits_per_weight (its memory, checked against its allocations by the gate).
 * The label names the origin and, for FP32 outputs, the declared tolerance. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin/plugins.h"
#include "tritbench/args.h"
#include "tritbench/context.h"
#include "tritbench/catalog.h"
#include "tritbench_config.h"

#if TRIT_HAVE_OPENMP
#include <omp.h>
#endif

#define WEIGHT_SEED 0x5eed0001u /* as suites/matmul.c: plugins read the numbers our kernels read */
#define ACT_SEED 0x5eed0002u
#define MAX_THREADS 64

typedef struct pl_arg {
    const tb_plugin_kernel *pk;
    bool gemm;
    size_t M, K, N;
} pl_arg;

typedef struct pl_fixture {
    const pl_arg *a;
    void *packed;
    size_t weight_bytes;
    trit_act x;
    float *X;
    void *out;
    void *ws[MAX_THREADS];
} pl_fixture;

static void pl_teardown(void *p)
{
    pl_fixture *fx = p;
    if (fx->packed)
        fx->a->pk->k.release(tb_plugin_host(fx->a->pk), fx->packed);
    trit_act_free(&fx->x);
    free(fx->X);
    free(fx->out);
    for (int t = 0; t < MAX_THREADS; t++)
        free(fx->ws[t]);
    free(fx);
}

/* W (absmean-quantized, per tensor) as matmul.c makes it. */
static int make_weights(size_t M, size_t K, int8_t **wq, float **gamma)
{
    float *W = malloc(M * K * sizeof(float));
    *wq = malloc(M * K);
    *gamma = malloc(sizeof(float));
    const trit_wquant_opts o = {TRIT_SCALE_TENSOR, TRIT_WQ_ABSMEAN, 0.0f};
    int rc = -1;
    if (W && *wq && *gamma) {
        trit_fill_weights(W, M, K, TRIT_DIST_GAUSSIAN, WEIGHT_SEED);
        rc = trit_quantize_weights(W, M, K, &o, *wq, *gamma);
    }
    free(W);
    return rc;
}

static void *pl_setup(tb_state *st)
{
    const pl_arg *a = tb_arg(st);
    const tbp_kernel *k = &a->pk->k;
    pl_fixture *fx = calloc(1, sizeof *fx);
    const char *err = "out of memory";
    if (!fx)
        goto fail;
    fx->a = a;
    int8_t *wq = NULL;
    float *gamma = NULL;
    if (make_weights(a->M, a->K, &wq, &gamma) == 0) {
        tbp_weights w = {sizeof w, a->M, a->K, wq, gamma, 1};
        const size_t before = tb_plugin_host_live_bytes();
        if (k->pack(tb_plugin_host(a->pk), &w, &fx->packed, &fx->weight_bytes) != 0) {
            fx->packed = NULL;
            err = "the plugin's pack() failed";
        } else if (fx->weight_bytes != tb_plugin_host_live_bytes() - before) {
            err = "the plugin's reported weight bytes differ from what it allocated";
        } else {
            err = NULL;
        }
    }
    free(wq);
    free(gamma);
    if (err)
        goto fail;
    err = "out of memory";
    fx->X = malloc(a->N * a->K * sizeof(float));
    fx->out = calloc(a->N * a->M, 4);
    if (!fx->X || !fx->out || trit_act_alloc(&fx->x, a->N, a->K) != 0)
        goto fail;
    trit_fill_activations(fx->X, a->N, a->K, false, ACT_SEED);
    if (trit_quantize_activations(fx->X, a->K, &fx->x) != 0)
        goto fail;
    const size_t ws = k->workspace_bytes ? k->workspace_bytes(a->M, a->K, a->N) : 0;
    for (int t = 0; ws && t < tb_threads(st) && t < MAX_THREADS; t++)
        if (posix_memalign(&fx->ws[t], 64, ws) != 0)
            goto fail;
    return fx;
fail:
    tb_skip_with_error(st, err);
    if (fx)
        pl_teardown(fx);
    return NULL;
}

/* Output rows split across threads as trit_matmul splits them (multiples of 16). */
static int call_kernel(pl_fixture *fx, const tbp_act *x, int threads)
{
    const tbp_kernel *k = &fx->a->pk->k;
    const size_t M = fx->a->M;
    if (threads <= 1 || M < 32)
        return k->matmul(fx->packed, x, 0, M, fx->out, M, fx->ws[0]);
    size_t chunk = (M + (size_t)threads - 1) / (size_t)threads;
    chunk = (chunk + 15) / 16 * 16;
    int rc = 0;
#if TRIT_HAVE_OPENMP
#pragma omp parallel for num_threads(threads) schedule(static, 1) reduction(| : rc)
#endif
    for (int t = 0; t < threads; t++) {
        const size_t b = (size_t)t * chunk, e = b + chunk < M ? b + chunk : M;
        if (b < e)
            rc |= k->matmul(fx->packed, x, b, e, fx->out, M, fx->ws[t]);
    }
    return rc;
}

/* The origin, and the tolerance an FP32-output kernel declared: shown in every report. */
static void set_label(tb_state *st, const pl_fixture *fx)
{
    char label[128];
    const tb_plugin_lib *lib = fx->a->pk->lib;
    if (fx->a->pk->k.result_class == TBP_RESULT_FP32_TOL)
        snprintf(label, sizeof label, "plugin %.40s %.24s; fp32 out, tolerance %.3g", lib->name, lib->version,
                 fx->a->pk->k.tolerance);
    else
        snprintf(label, sizeof label, "plugin %.40s %.24s; int32 exact", lib->name, lib->version);
    tb_set_label(st, label);
}

static void pl_run(tb_state *st)
{
    pl_fixture *fx = tb_fixture(st);
    if (!fx)
        return;
    const pl_arg *a = fx->a;
    const int threads = tb_threads(st) < MAX_THREADS ? tb_threads(st) : MAX_THREADS;
    const tbp_act x = {sizeof x, a->N, a->K, fx->x.stride, fx->x.q, fx->x.scale, fx->x.sum, fx->X};
    int rc = 0;
    while (tb_keep_running(st))
        rc |= call_kernel(fx, &x, threads);
    if (rc != 0) {
        tb_skip_with_error(st, "the plugin's matmul() returned an error");
        return;
    }
    const double it = (double)tb_iterations(st), bytes = (double)fx->weight_bytes, MK = (double)(a->M * a->K);
    tb_set_bytes_processed(st, it * bytes);
    tb_set_items_processed(st, it * MK);
    tb_counter(st, "GB/s", it * bytes / 1e9, TB_COUNTER_RATE);
    tb_counter(st, "Gweights/s", it * MK / 1e9, TB_COUNTER_RATE);
    if (a->gemm)
        tb_counter(st, "GOP/s", it * 2.0 * MK * (double)a->N / 1e9, TB_COUNTER_RATE);
    /* The plugin's memory, as it reported (and the gate checked against its allocations). */
    tb_counter(st, "weight_bytes", bytes, TB_COUNTER_DEFAULT);
    tb_counter(st, "bits_per_weight", bytes * 8.0 / MK, TB_COUNTER_DEFAULT);
    set_label(st, fx);
}

/* Registry arguments must outlive the registry: one static pool. */
#define MAX_ARGS 4096
static pl_arg pool[MAX_ARGS];
static size_t n_pool;

static int add(tb_registry *r, const tb_plugin_kernel *pk, bool gemm, size_t M, size_t K, size_t N,
               const int *threads, int n_threads)
{
    if (n_pool == MAX_ARGS)
        return -1;
    pl_arg *a = &pool[n_pool++];
    *a = (pl_arg){pk, gemm, M, K, N};
    char family[128], args[256];
    snprintf(family, sizeof family, "%s/%s", gemm ? "gemm" : "gemv", pk->format);
    if (gemm)
        snprintf(args, sizeof args, "%s/%zux%zux%zu", pk->name, M, K, N);
    else
        snprintf(args, sizeof args, "%s/%zux%zu", pk->name, M, K);
    for (int t = 0; t < n_threads; t++) {
        tb_bench_spec spec = {0};
        spec.family = family;
        spec.args = args;
        spec.run = pl_run;
        spec.setup = pl_setup;
        spec.teardown = pl_teardown;
        spec.arg = a;
        spec.threads = threads[t];
        spec.time_unit = TB_US;
        if (tb_register(r, &spec) != 0)
            return -1;
    }
    return 0;
}

int tb_plugin_suite_register(tb_registry *r, const int *threads, int n_threads, bool quick, const char *variants,
                             const char *formats)
{
    size_t count;
    const trit_shape *s = trit_shapes(quick ? "quick" : "bitnet-2b", &count);
    const size_t batch = quick ? 8 : 128;
    for (size_t i = 0; i < tb_plugin_kernel_count(); i++) {
        const tb_plugin_kernel *pk = tb_plugin_kernel_at(i);
        if (pk->gate == TB_GATE_UNAVAILABLE || !tb_list_contains(formats, pk->format) ||
            (!tb_list_contains(variants, pk->name) && !tb_list_contains(variants, pk->lib->name)))
            continue;
        for (size_t j = 0; j < count; j++) {
            bool seen = false; /* q_proj and o_proj often share a shape */
            for (size_t p = 0; p < j; p++)
                seen |= s[p].rows == s[j].rows && s[p].cols == s[j].cols;
            if (seen)
                continue;
            if ((pk->k.ops & TBP_OP_GEMV) && add(r, pk, false, s[j].rows, s[j].cols, 1, threads, n_threads) != 0)
                return -1;
            if ((pk->k.ops & TBP_OP_GEMM) &&
                add(r, pk, true, s[j].rows, s[j].cols, batch, threads, n_threads) != 0)
                return -1;
        }
    }
    return 0;
}

void tb_plugins_add_context(struct tb_context *ctx)
{
    for (size_t i = 0; i < tb_plugin_lib_count(); i++) {
        const tb_plugin_lib *lib = tb_plugin_lib_at(i);
        char key[96], value[2048];
        snprintf(key, sizeof key, "plugin.%s", lib->name);
        int n = snprintf(value, sizeof value, "%s, ABI %u.%u, %s, kernels:", lib->version, lib->abi_major,
                         lib->abi_minor, lib->path);
        for (size_t k = 0; k < tb_plugin_kernel_count() && n > 0 && (size_t)n < sizeof value; k++) {
            const tb_plugin_kernel *pk = tb_plugin_kernel_at(k);
            if (pk->lib == lib)
                n += snprintf(value + n, sizeof value - (size_t)n, " %s", pk->k.variant);
        }
        tb_context_add(ctx, key, value);
    }
}
