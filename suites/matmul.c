/* matmul.c — the "gemv" and "gemm" suites: ternary matmul per runnable CPU variant × format × shape ×
 * threads, with the FP32 baselines (scalar, own AVX2/AVX-512, OpenBLAS) on the same shapes in the same run.
 *   gemv/i2/avx512_vnni/6912x2560/threads:1       gemv/fp32/openblas/6912x2560/threads:1
 *   gemm/i2/avx512_vnni/6912x2560x128/threads:1   gemm/fp32/avx512/6912x2560x128/threads:1
 * Counters: GB/s (packed weight bytes per call, w.alloc_bytes; FP32 weights for baselines), Gweights/s,
 * GOP/s (2·M·K·N, GEMM), pct_of_roofline (GB/s over the STREAM read bandwidth of the working set at the
 * same thread count, measured in this process during setup), pct_of_compute_roof (2·M·K·N ops per second over the
 * roof of the variant's bounding instruction × threads, roof.h; absent for variants without one).
 * Instances enumerate the one kernel table (kernels.h): every runnable CPU descriptor of the op, ternary
 * and FP32 alike; device kernels (CUDA) are timed by the cuda suite with device-resident buffers.
 * Filters: cfg->variants names variants; cfg->formats names formats ("i2", "t5", "fp32"). Weights come
 * from the weight cache (weight_cache.h): generated once per shape across repetitions and jobs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suite_list.h"
#include "tritbench/catalog.h"
#include "tritbench/kernels.h"
#include "tritbench/lowp.h"
#include "tritbench/order_stats.h"
#include "tritbench/quant.h"
#include "tritbench/roof.h"
#include "tritbench/test_hook.h" /* a no-op outside the ab sensitivity test build */
#include "weight_cache.h"

/* Scalar code is registered only below this many multiply-adds per call (unless named in --variants):
 * larger cases take seconds per iteration and tell nothing new. */
#define SCALAR_MAX_MACS 1.0e9
#define WEIGHT_SEED 0x5eed0001u
#define ACT_SEED 0x5eed0002u

/* What one registered instance measures (static storage: the registry keeps the pointer). */
typedef struct mm_arg {
    trit_op op;
    trit_format format; /* I2/T5, or FP32 for the baselines */
    char variant[160];  /* ours, or "<plugin>:<variant>" */
    size_t rows, cols, batch;
} mm_arg;

typedef struct mm_fixture {
    const mm_arg *arg;
    const trit_kernel *k;
    const void *cached;   /* the weight cache's pinned entry (packed or FP32) */
    trit_bound_weights b; /* weights bound to the kernel: its repack, once, outside timing */
    bool bound;
    trit_act x;
    trit_acts xs;
    float *X, *Y;
    uint16_t *half; /* fp16/bf16 formats: the cached FP32 weights rounded to the format (lowp.h) */
    int32_t *acc;
    double roof_gbps;
    double compute_roof_gops; /* 0: no bounding instruction known for this variant */
} mm_fixture;

static void mm_teardown(void *p)
{
    mm_fixture *fx = p;
    if (fx->bound)
        trit_kernel_unbind(&fx->b);
    tb_wcache_release(fx->cached);
    trit_act_free(&fx->x);
    free(fx->X);
    free(fx->Y);
    trit_free_weights(fx->half);
    free(fx->acc);
    free(fx);
}

static void *mm_setup(tb_state *st)
{
    const mm_arg *a = tb_arg(st);
    mm_fixture *fx = calloc(1, sizeof *fx);
    if (!fx) {
        tb_skip_with_error(st, "out of memory");
        return NULL;
    }
    fx->arg = a;
    const size_t M = a->rows, K = a->cols, N = a->batch;
    char why[256];
    const char *err = NULL;
    fx->k = trit_kernel_get(a->op, a->format, a->variant);
    if (!fx->k || !trit_kernel_runnable(fx->k, why, sizeof why)) {
        err = fx->k ? why : "variant not compiled in";
        goto fail;
    }
    fx->X = trit_aligned_alloc(N * K * sizeof(float));
    if (!fx->X) {
        err = "out of memory (activations)";
        goto fail;
    }
    trit_fill_activations(fx->X, N, K, false, ACT_SEED);
    trit_weights w = {.rows = M, .cols = K};
    size_t act_bytes, out_bytes;
    if (trit_format_is_ternary(a->format)) {
        const trit_packed *p = tb_wcache_packed(a->format, M, K, WEIGHT_SEED);
        fx->cached = p;
        w.packed = p;
        /* A ternary kernel returns int32 accumulators, or (a plugin's) FP32 outputs. */
        const bool exact = fx->k->result == TRIT_RESULT_EXACT_INT32;
        if (exact)
            fx->acc = trit_aligned_alloc(N * M * sizeof(int32_t));
        else
            fx->Y = trit_aligned_alloc(N * M * sizeof(float));
        if (!p || !(exact ? (void *)fx->acc : (void *)fx->Y) || trit_act_alloc(&fx->x, N, K) != 0 ||
            trit_quantize_activations(fx->X, K, &fx->x) != 0) {
            err = "out of memory (packed weights / activations)";
            goto fail;
        }
        /* The dense rows too: a plugin kernel that quantizes itself reads them (inside timing). */
        fx->xs = (trit_acts){.q = &fx->x, .dense = fx->X, .rows = N};
        act_bytes = fx->x.alloc_bytes;
        out_bytes = N * M * (exact ? sizeof(int32_t) : sizeof(float));
    } else {
        const float *W = tb_wcache_f32(M, K, WEIGHT_SEED);
        fx->cached = W;
        w.dense = W;
        if (W && trit_format_element_bytes(a->format) == 2) { /* fp16/bf16 descriptors hold 16-bit weights */
            fx->half = trit_alloc_weights(M * K * sizeof(uint16_t));
            if (fx->half)
                trit_f32_to_half_row(a->format == TRIT_FMT_BF16 ? TRIT_HALF_BF16 : TRIT_HALF_FP16, W, M * K, fx->half);
            w.dense = fx->half;
        }
        fx->Y = trit_aligned_alloc(N * M * sizeof(float));
        if (!W || !fx->Y || !w.dense) {
            err = "out of memory (FP32 weights)";
            goto fail;
        }
        fx->xs = (trit_acts){.dense = fx->X, .rows = N};
        act_bytes = N * K * sizeof(float);
        out_bytes = N * M * sizeof(float);
    }
    if (trit_kernel_bind(fx->k, &w, &fx->b) != 0) {
        err = "weight repack for this variant failed";
        goto fail;
    }
    fx->bound = true;
    /* Measured here, outside the timed loop; remembered per size class and thread count. */
    const double ws_bytes = (double)(trit_bound_weight_bytes(&fx->b) + act_bytes + out_bytes);
    fx->roof_gbps = tb_stream_read_gbps((size_t)ws_bytes, tb_threads(st));
    fx->compute_roof_gops = tb_compute_roof_gops(trit_format_name(fx->k->format), fx->k->variant, tb_threads(st));
    return fx;
fail:
    tb_skip_with_error(st, err);
    mm_teardown(fx);
    return NULL;
}

/* A kernel from elsewhere (a plugin): its origin and result class in the label (an FP32 output's declared
 * tolerance is shown in every report), and its weight memory as it reported it (checked against its
 * allocations when bound). */
static void set_origin(tb_state *st, const trit_kernel *k, double bytes, double weights)
{
    char label[160];
    if (k->result == TRIT_RESULT_FP32)
        snprintf(label, sizeof label, "%.100s; fp32 out, tolerance %.3g", k->origin, k->tolerance);
    else
        snprintf(label, sizeof label, "%.100s; int32 exact", k->origin);
    tb_set_label(st, label);
    tb_counter(st, "weight_bytes", bytes, TB_COUNTER_DEFAULT);
    tb_counter(st, "bits_per_weight", bytes * 8.0 / weights, TB_COUNTER_DEFAULT);
}

/* The weights a bound kernel reads: its own layout when it has one, else the packed or dense matrix. */
static const void *bound_weights(const trit_bound_weights *b)
{
    if (b->repacked)
        return b->repacked;
    return b->w.packed ? (const void *)b->w.packed->codes : (const void *)b->w.dense;
}

/* Out of cache, a GEMV streams its weights once per call, so the memory roof that judges it is a read of
 * the same bytes. pct_of_roofline divides by tb_stream_read_gbps: STREAM's best pass over a buffer of the
 * size class below (64 MiB for a 93 MB matrix), measured once per process, against this row's mean — a
 * different buffer, size and statistic. Here, after the timed loop, SAME_READ_PAIRS kernel calls and
 * SAME_READ_PAIRS passes of STREAM's read kernel over the kernel's own weights alternate (same pages, same
 * minute), and the medians are compared: same_read_GB/s, and pct_of_same_read = read time ÷ kernel time
 * × 100 (above 100: the kernel moves its weights faster than a plain read of them does). One thread only
 * (the read kernel is single-threaded); from SAME_READ_MIN_BYTES (past this machine class's 32 MiB L3). */
#define SAME_READ_MIN_BYTES (32.0 * 1024 * 1024)
#define SAME_READ_PAIRS 7

static void same_read(tb_state *st, mm_fixture *fx, double bytes)
{
    double tk[SAME_READ_PAIRS], tr[SAME_READ_PAIRS];
    const void *w = bound_weights(&fx->b);
    int rc = 0;
    for (int i = 0; i < SAME_READ_PAIRS; i++) {
        const double t0 = tb_clock_seconds();
        rc |= trit_kernel_run(&fx->b, &fx->xs, 1, fx->acc, fx->Y);
        tk[i] = tb_clock_seconds() - t0;
        tr[i] = tb_stream_read_seconds(w, (size_t)bytes);
    }
    const double k = tb_median(tk, SAME_READ_PAIRS), r = tb_median(tr, SAME_READ_PAIRS);
    if (rc != 0 || k <= 0.0 || r <= 0.0)
        return;
    tb_counter(st, "same_read_GB/s", bytes / r / 1e9, TB_COUNTER_DEFAULT);
    tb_counter(st, "pct_of_same_read", r / k * 100.0, TB_COUNTER_DEFAULT);
}

static void mm_run(tb_state *st)
{
    mm_fixture *fx = tb_fixture(st);
    if (!fx)
        return;
    const mm_arg *a = fx->arg;
    const int threads = tb_threads(st);
    const size_t M = a->rows, K = a->cols, N = a->batch;
    int rc = 0;
    while (tb_keep_running(st))
        TB_TEST_SLOWDOWN_SCOPE(fx->k) rc |= trit_kernel_run(&fx->b, &fx->xs, threads, fx->acc, fx->Y);
    if (rc != 0) {
        tb_skip_with_error(st, "trit_kernel_run rejected the shapes, or the kernel reported an error");
        return;
    }
    const double bytes = (double)trit_bound_weight_bytes(&fx->b);
    const double it = (double)tb_iterations(st);
    tb_set_bytes_processed(st, it * bytes);
    tb_set_items_processed(st, it * (double)(M * K));
    tb_counter(st, "GB/s", it * bytes / 1e9, TB_COUNTER_RATE);
    tb_counter(st, "Gweights/s", it * (double)(M * K) / 1e9, TB_COUNTER_RATE);
    if (a->op == TRIT_OP_GEMM)
        tb_counter(st, "GOP/s", it * 2.0 * (double)(M * K) * (double)N / 1e9, TB_COUNTER_RATE);
    if (fx->roof_gbps > 0.0)
        tb_counter(st, "pct_of_roofline", it * bytes / 1e9 / fx->roof_gbps * 100.0, TB_COUNTER_RATE);
    if (fx->compute_roof_gops > 0.0)
        tb_counter(st, "pct_of_compute_roof", it * 2.0 * (double)(M * K) * (double)N / 1e9 / fx->compute_roof_gops * 100.0,
                   TB_COUNTER_RATE);
    if (a->op == TRIT_OP_GEMV && threads == 1 && bytes >= SAME_READ_MIN_BYTES)
        same_read(st, fx, bytes);
    if (strcmp(fx->k->origin, "builtin") != 0)
        set_origin(st, fx->k, bytes, (double)(M * K));
}

/* Registered instances live as long as the process (the registry keeps tb_bench_spec.arg). */
#define MAX_ARGS 4096
static mm_arg args[MAX_ARGS];
static size_t n_args;

static int add_instance(tb_registry *r, const tb_suite_config *cfg, const mm_arg *proto, const char *fmt)
{
    char family[64], shape[128];
    snprintf(family, sizeof family, "%s/%s", trit_op_name(proto->op), fmt);
    if (proto->op == TRIT_OP_GEMV)
        snprintf(shape, sizeof shape, "%s/%zux%zu", proto->variant, proto->rows, proto->cols);
    else
        snprintf(shape, sizeof shape, "%s/%zux%zux%zu", proto->variant, proto->rows, proto->cols, proto->batch);
    const int n_threads = cfg->n_threads > 0 ? cfg->n_threads : 1;
    for (int t = 0; t < n_threads; t++) {
        if (n_args >= MAX_ARGS) {
            fprintf(stderr, "matmul suite: more than %d instances\n", MAX_ARGS);
            return -1;
        }
        mm_arg *a = &args[n_args++];
        *a = *proto;
        tb_bench_spec spec = {0};
        spec.family = family;
        spec.args = shape;
        spec.run = mm_run;
        spec.setup = mm_setup;
        spec.teardown = mm_teardown;
        spec.arg = a;
        spec.threads = cfg->n_threads > 0 ? cfg->threads[t] : 1;
        spec.time_unit = TB_US;
        if (spec.threads < 1 || tb_register(r, &spec) != 0)
            return -1;
    }
    return 0;
}

static bool scalar_allowed(const tb_suite_config *cfg, const char *name, double macs)
{
    if (strcmp(name, "scalar") != 0)
        return true;
    return macs <= SCALAR_MAX_MACS || (cfg->variants && tb_list_contains(cfg->variants, name));
}

/* --variants names a variant, or the origin before ':' of an added one ("acme" for "acme:avx2"). */
static bool variant_wanted(const char *variants, const char *variant)
{
    if (tb_list_contains(variants, variant))
        return true;
    const char *colon = strchr(variant, ':');
    char origin[160];
    if (!colon || (size_t)(colon - variant) >= sizeof origin)
        return false;
    snprintf(origin, sizeof origin, "%.*s", (int)(colon - variant), variant);
    return tb_list_contains(variants, origin);
}

/* Every runnable CPU descriptor of op (ternary formats first, then float formats) for one shape and batch.
 * --formats names the layout a kernel reads (a plugin's own, e.g. "tq2_0", or the format). */
static int register_shape(tb_registry *r, const tb_suite_config *cfg, trit_op op, size_t M, size_t K, size_t N)
{
    const double macs = (double)M * (double)K * (double)N;
    size_t nk;
    const trit_kernel *ks = trit_kernels(&nk);
    for (int f = 0; f < TRIT_FMT_FLOAT_END; f = f + 1 == TRIT_FMT_COUNT ? TRIT_FMT_FLOAT_FIRST : f + 1) {
        for (size_t i = 0; i < nk; i++) {
            char why[256];
            const trit_kernel *k = &ks[i];
            if (k->op != op || k->format != (trit_format)f || k->device != TRIT_DEVICE_CPU ||
                !tb_list_contains(cfg->formats, trit_kernel_layout(k)) || !variant_wanted(cfg->variants, k->variant) ||
                !trit_kernel_runnable(k, why, sizeof why) || !scalar_allowed(cfg, k->variant, macs))
                continue;
            mm_arg a = {op, k->format, "", M, K, N};
            snprintf(a.variant, sizeof a.variant, "%s", k->variant);
            if (add_instance(r, cfg, &a, trit_kernel_layout(k)) != 0)
                return -1;
        }
    }
    return 0;
}

/* Distinct M×K of a shape set, in the set's order (q_proj and o_proj often coincide). */
static size_t unique_shapes(const char *set, size_t (*out)[2], size_t cap)
{
    size_t n = 0, count;
    const trit_shape *s = trit_shapes(set, &count);
    for (size_t i = 0; i < count; i++) {
        bool seen = false;
        for (size_t j = 0; j < n; j++)
            seen |= out[j][0] == s[i].rows && out[j][1] == s[i].cols;
        if (!seen && n < cap) {
            out[n][0] = s[i].rows;
            out[n][1] = s[i].cols;
            n++;
        }
    }
    return n;
}

int tb_suite_gemv_register(tb_registry *r, const tb_suite_config *cfg)
{
    size_t shapes[32][2];
    size_t n = unique_shapes(cfg->shapes ? cfg->shapes : cfg->quick ? "quick" : "all", shapes, 32);
    for (size_t e = 0; e < cfg->n_extra_gemv_shapes && n < 32; e++) { /* e.g. a checkpoint's own layer shapes */
        bool seen = false;
        for (size_t j = 0; j < n; j++)
            seen |= shapes[j][0] == cfg->extra_gemv_shapes[e][0] && shapes[j][1] == cfg->extra_gemv_shapes[e][1];
        if (!seen) {
            shapes[n][0] = cfg->extra_gemv_shapes[e][0];
            shapes[n++][1] = cfg->extra_gemv_shapes[e][1];
        }
    }
    for (size_t i = 0; i < n; i++)
        if (register_shape(r, cfg, TRIT_OP_GEMV, shapes[i][0], shapes[i][1], 1) != 0)
            return -1;
    return 0;
}

/* GEMM (prefill): every batch size of trit_gemm_batches() on the BitNet-2B shapes only, so the default run
 * stays in minutes (--benchmark_filter narrows further; the 100B shapes take minutes per FP32 call). */
int tb_suite_gemm_register(tb_registry *r, const tb_suite_config *cfg)
{
    size_t shapes[32][2];
    const size_t n = unique_shapes(cfg->shapes ? cfg->shapes : cfg->quick ? "quick" : "bitnet-2b", shapes, 32);
    size_t nb;
    const size_t *batches = trit_gemm_batches(&nb);
    for (size_t i = 0; i < n; i++)
        for (size_t b = 0; b < nb; b++)
            if (register_shape(r, cfg, TRIT_OP_GEMM, shapes[i][0], shapes[i][1], batches[b]) != 0)
                return -1;
    return 0;
}
