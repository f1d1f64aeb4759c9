/* bench_example.c — your own benchmark program on tritbench, google/benchmark style: register
 * benchmarks, hand the registry to tb_main, and get `tritbench run`'s flags, console table and JSON
 * (which `tritbench compare` and google/benchmark's compare.py read).
 *
 *     cc -O2 -o bench_example bench_example.c $(pkg-config --cflags --libs tritbench)
 *     ./bench_example --benchmark_filter=dot --benchmark_repetitions=3 --benchmark_format=json
 *
 * Two benchmarks: a plain int8 dot product (your code), and tritbench's best ternary GEMV kernel for
 * this CPU through the public kernel API (trit_kernel_select, trit_pack, trit_matmul). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <tritbench/bench.h>
#include <tritbench/kernels.h>

/* --- 1. your own code: setup outside timing, the loop inside --- */

typedef struct dot_fixture {
    int8_t *a, *b;
    size_t n;
    int32_t sink;
} dot_fixture;

static void *dot_setup(tb_state *st)
{
    const size_t n = (size_t)(uintptr_t)tb_arg(st);
    dot_fixture *f = calloc(1, sizeof *f);
    if (!f || !(f->a = malloc(n)) || !(f->b = malloc(n))) {
        tb_skip_with_error(st, "out of memory");
        if (f)
            free(f->a);
        free(f);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        f->a[i] = (int8_t)(i * 7 % 255 - 127);
        f->b[i] = (int8_t)(i * 13 % 255 - 127);
    }
    f->n = n;
    return f;
}

static void dot_teardown(void *p)
{
    dot_fixture *f = p;
    free(f->a);
    free(f->b);
    free(f);
}

static void dot_run(tb_state *st)
{
    dot_fixture *f = tb_fixture(st);
    if (!f)
        return;
    while (tb_keep_running(st)) {
        int32_t s = 0;
        for (size_t i = 0; i < f->n; i++)
            s += f->a[i] * f->b[i];
        f->sink += s; /* keeps the loop from being optimised away */
    }
    tb_set_bytes_processed(st, (double)tb_iterations(st) * 2.0 * (double)f->n);
}

/* --- 2. tritbench's kernels through the public API --- */

typedef struct gemv_fixture {
    const trit_kernel *k;
    trit_packed w;
    trit_act x;
    int32_t *acc;
} gemv_fixture;

static void gemv_teardown(void *p)
{
    gemv_fixture *f = p;
    trit_packed_free(&f->w);
    trit_act_free(&f->x);
    free(f->acc);
    free(f);
}

static void *gemv_setup(tb_state *st)
{
    const size_t M = 1024, K = 4096;
    char err[256];
    gemv_fixture *f = calloc(1, sizeof *f);
    int8_t *wq = malloc(M * K);
    float *X = malloc(K * sizeof(float)), gamma = 0.02f;
    const char *why = "out of memory";
    if (f && wq && X && (f->k = trit_kernel_select(TRIT_OP_GEMV, TRIT_FMT_I2, err, sizeof err)) == NULL)
        why = err;
    if (f && wq && X && f->k && trit_packed_alloc(&f->w, TRIT_FMT_I2, TRIT_SCALE_TENSOR, M, K) == 0 &&
        trit_act_alloc(&f->x, 1, K) == 0 && (f->acc = malloc(M * sizeof(int32_t))) != NULL) {
        for (size_t i = 0; i < M * K; i++)
            wq[i] = (int8_t)((int)((i * 2654435761u >> 7) % 3) - 1);
        for (size_t k = 0; k < K; k++)
            X[k] = (float)((int)(k * 40503u % 2001) - 1000) / 1000.0f;
        why = trit_pack(&f->w, wq, &gamma) == 0 && trit_quantize_activations(X, K, &f->x) == 0
                  ? NULL
                  : "could not pack the weights or quantize the activations";
    }
    free(wq);
    free(X);
    if (why) {
        tb_skip_with_error(st, why);
        if (f && f->w.codes)
            trit_packed_free(&f->w);
        if (f && f->x.q)
            trit_act_free(&f->x);
        if (f)
            free(f->acc);
        free(f);
        return NULL;
    }
    char name[64];
    trit_kernel_name(f->k, name, sizeof name);
    tb_set_label(st, name);
    return f;
}

static void gemv_run(tb_state *st)
{
    gemv_fixture *f = tb_fixture(st);
    if (!f)
        return;
    while (tb_keep_running(st))
        trit_matmul(f->k, &f->w, &f->x, tb_threads(st), f->acc);
    tb_counter(st, "GB/s", (double)tb_iterations(st) * (double)f->w.alloc_bytes / 1e9, TB_COUNTER_RATE);
}

int main(int argc, char **argv)
{
    tb_registry *reg = tb_registry_new();
    if (!reg)
        return 2;
    static const size_t sizes[] = {1024, 65536};
    for (size_t i = 0; i < 2; i++) {
        char args[32];
        snprintf(args, sizeof args, "%zu", sizes[i]);
        tb_bench_spec spec = {.family = "example/dot_i8", .args = args, .run = dot_run, .setup = dot_setup,
                              .teardown = dot_teardown, .arg = (const void *)(uintptr_t)sizes[i], .threads = 1};
        tb_register(reg, &spec);
    }
    tb_bench_spec gemv = {.family = "example/ternary_gemv", .args = "1024x4096", .run = gemv_run,
                          .setup = gemv_setup, .teardown = gemv_teardown, .threads = 1, .time_unit = TB_US};
    tb_register(reg, &gemv);
    int status = tb_main(argc, argv, reg);
    tb_registry_free(reg);
    return status;
}
