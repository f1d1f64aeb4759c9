/* test_table.c — plugin kernels in the one kernel descriptor table (plugin/table.c). Loads the two
 * example plugins and two test plugins (argv: the examples' and the test plugins' build folders) and
 * checks: each declared op is a descriptor "<plugin>:<variant>" of format I2 with the plugin's layout,
 * origin, result class and tolerance; priority is 0 before the gate, the declared one after it passed,
 * 0 when it failed (and always 0 for FP32 outputs); running a plugin kernel through the table
 * (bind = pack via the host allocator, run, unbind = the plugin's release) gives the oracle's int32
 * accumulators, or FP32 outputs within the declared tolerance; the weight bytes are the plugin's; a
 * self-quantizing kernel given no FP32 rows makes trit_kernel_run fail instead of reading NULL. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin/plugins.h"
#include "tritbench/catalog.h"

static int failures;
#define CHECK(cond, ...)                                                                                               \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                                      \
            fprintf(stderr, __VA_ARGS__);                                                                              \
            fputc('\n', stderr);                                                                                       \
            failures++;                                                                                                \
        }                                                                                                              \
    } while (0)

enum { M = 37, K = 300, N = 3 }; /* odd M, a K tail past 256, several activation rows */

typedef struct inputs {
    trit_packed w;
    trit_act x;
    float *X;
    int32_t *want; /* the scalar oracle's accumulators */
} inputs;

static int make_inputs(inputs *in)
{
    memset(in, 0, sizeof *in);
    float *W = malloc(M * K * sizeof(float));
    int8_t *wq = malloc(M * K);
    float gamma[M];
    const trit_wquant_opts o = {TRIT_SCALE_ROW, TRIT_WQ_ABSMEAN, 0.0f};
    in->X = malloc(N * K * sizeof(float));
    in->want = calloc(N * M, sizeof(int32_t));
    int rc = -1;
    if (W && wq && in->X && in->want) {
        trit_fill_weights(W, M, K, TRIT_DIST_GAUSSIAN, 11);
        trit_fill_activations(in->X, N, K, false, 12);
        rc = trit_quantize_weights(W, M, K, &o, wq, gamma) == 0 &&
                     trit_packed_alloc(&in->w, TRIT_FMT_I2, TRIT_SCALE_ROW, M, K) == 0 &&
                     trit_pack(&in->w, wq, gamma) == 0 && trit_act_alloc(&in->x, N, K) == 0 &&
                     trit_quantize_activations(in->X, K, &in->x) == 0 &&
                     trit_matmul(trit_kernel_get(TRIT_OP_GEMM, TRIT_FMT_I2, "scalar"), &in->w, &in->x, 1,
                                 in->want) == 0
                 ? 0
                 : -1;
    }
    free(W);
    free(wq);
    return rc;
}

static const trit_kernel *get(trit_op op, const char *variant)
{
    const trit_kernel *k = trit_kernel_get(op, TRIT_FMT_I2, variant);
    CHECK(k != NULL, "%s/%s not in the kernel table", trit_op_name(op), variant);
    return k;
}

static void check_descriptors(void)
{
    for (int op = 0; op < TRIT_OP_COUNT; op++) {
        const trit_kernel *k = get((trit_op)op, "example_i2:scalar");
        if (k) {
            CHECK(strcmp(k->origin, "plugin example_i2 1.0") == 0, "origin '%s'", k->origin);
            CHECK(strcmp(trit_kernel_layout(k), "i2") == 0, "layout '%s'", trit_kernel_layout(k));
            CHECK(k->result == TRIT_RESULT_EXACT_INT32 && k->priority == 0, "result %d priority %d", k->result,
                  k->priority);
        }
        k = get((trit_op)op, "example_tq2:scalar");
        if (k) {
            char name[128];
            trit_kernel_name(k, name, sizeof name);
            CHECK(strcmp(name, op == TRIT_OP_GEMV ? "gemv/tq2_0/example_tq2:scalar" : "gemm/tq2_0/example_tq2:scalar") == 0,
                  "name '%s'", name);
            CHECK(k->result == TRIT_RESULT_FP32 && k->tolerance == 1e-3, "result %d tolerance %g", k->result,
                  k->tolerance);
        }
    }
}

static void check_priorities(void)
{
    char err[512];
    CHECK(tb_plugins_gate(err, sizeof err) == 0, "gate: %s", err);
    const struct {
        const char *variant;
        int want;
    } cases[] = {{"test_prioritized:scalar", 7}, {"test_wrong_sign:scalar", 0}, {"example_tq2:scalar", 0}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const trit_kernel *k = get(TRIT_OP_GEMV, cases[i].variant);
        CHECK(!k || k->priority == cases[i].want, "%s: priority %d, want %d", cases[i].variant, k ? k->priority : -1,
              cases[i].want);
    }
}

static void check_exact(const inputs *in)
{
    const trit_kernel *k = get(TRIT_OP_GEMM, "example_i2:scalar");
    if (!k)
        return;
    const trit_weights w = {.packed = &in->w, .rows = M, .cols = K};
    trit_bound_weights b;
    CHECK(trit_kernel_bind(k, &w, &b) == 0, "bind (the plugin's pack) failed");
    CHECK(trit_bound_weight_bytes(&b) == tb_plugin_host_live_bytes() && tb_plugin_host_live_bytes() > 0,
          "weight bytes %zu, plugin allocations %zu", trit_bound_weight_bytes(&b), tb_plugin_host_live_bytes());
    int32_t got[N * M];
    const trit_acts xs = {.q = &in->x, .rows = N};
    for (int threads = 1; threads <= 3; threads += 2) {
        memset(got, 0x55, sizeof got);
        CHECK(trit_kernel_run(&b, &xs, threads, got, NULL) == 0, "run failed");
        CHECK(memcmp(got, in->want, sizeof got) == 0, "example_i2 differs from the oracle (threads %d)", threads);
    }
    trit_kernel_unbind(&b);
    CHECK(tb_plugin_host_live_bytes() == 0, "%zu plugin bytes left after unbind", tb_plugin_host_live_bytes());
}

static void check_fp32(const inputs *in, const char *variant)
{
    const trit_kernel *k = get(TRIT_OP_GEMM, variant);
    if (!k)
        return;
    const trit_weights w = {.packed = &in->w, .rows = M, .cols = K};
    trit_bound_weights b;
    CHECK(trit_kernel_bind(k, &w, &b) == 0, "%s: bind failed", variant);
    float y[N * M], ref[N * M];
    trit_rescale(&in->w, &in->x, in->want, NULL, ref);
    const trit_acts xs = {.q = &in->x, .dense = in->X, .rows = N};
    CHECK(trit_kernel_run(&b, &xs, 2, NULL, y) == 0, "%s: run failed", variant);
    /* Loose bound (the gate checks the declared one exactly): 1 % of |ref| + a small absolute slack. */
    for (size_t i = 0; i < N * M; i++)
        CHECK(fabsf(y[i] - ref[i]) <= 0.01f * fabsf(ref[i]) + 1e-3f, "%s: y[%zu] = %g, want %g", variant, i,
              (double)y[i], (double)ref[i]);
    if (strcmp(variant, "example_tq2:scalar_f32") == 0) { /* quantizes itself: needs the FP32 rows */
        const trit_acts no_dense = {.q = &in->x, .rows = N};
        CHECK(trit_kernel_run(&b, &no_dense, 1, NULL, y) == -1, "%s ran without FP32 activations", variant);
    }
    trit_kernel_unbind(&b);
    CHECK(tb_plugin_host_live_bytes() == 0, "%s: %zu plugin bytes left", variant, tb_plugin_host_live_bytes());
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s EXAMPLES_DIR TEST_PLUGINS_DIR\n", argv[0]);
        return 2;
    }
    char paths[4][1024];
    snprintf(paths[0], sizeof paths[0], "%s/i2_minimal.so", argv[1]);
    snprintf(paths[1], sizeof paths[1], "%s/tq2_0_blocks.so", argv[1]);
    snprintf(paths[2], sizeof paths[2], "%s/test_prioritized.so", argv[2]);
    snprintf(paths[3], sizeof paths[3], "%s/test_wrong_sign.so", argv[2]);
    const char *p[4] = {paths[0], paths[1], paths[2], paths[3]};
    char err[512];
    if (tb_plugins_load(p, 4, err, sizeof err) != 0) {
        fprintf(stderr, "FAIL: %s\n", err);
        return 1;
    }
    check_descriptors();
    check_priorities();
    inputs in;
    CHECK(make_inputs(&in) == 0, "inputs");
    check_exact(&in);
    check_fp32(&in, "example_tq2:scalar");
    check_fp32(&in, "example_tq2:scalar_f32");
    trit_packed_free(&in.w);
    trit_act_free(&in.x);
    free(in.X);
    free(in.want);
    if (failures == 0)
        printf("plugin kernels in the kernel table: descriptors, priorities, exact and FP32 results checked\n");
    return failures != 0;
}
