/* json_demo.c — writes a small, real (not fake-clock) result file in google/benchmark's JSON with 3
 * repetitions and one skipped benchmark (as a CUDA row on a machine without a GPU), for the compare.py
 * test: `json_demo OUT.json`. */
#include <stdio.h>
#include <string.h>

#include "tritbench/reporters.h"

static void run_sum(tb_state *st)
{
    const size_t *n = tb_arg(st);
    volatile double sink = 0.0;
    while (tb_keep_running(st)) {
        double s = 0.0;
        for (size_t i = 0; i < *n; i++)
            s += (double)i;
        sink = s;
    }
    (void)sink;
    tb_set_items_processed(st, (double)tb_iterations(st) * (double)*n);
}

static void run_skipped(tb_state *st) { tb_skip(st, "no CUDA device"); }

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: json_demo OUT.json\n");
        return 2;
    }
    static const size_t sizes[] = {256, 4096};
    tb_registry *r = tb_registry_new();
    if (!r)
        return 1;
    for (int i = 0; i < 2; i++) {
        char args[32];
        snprintf(args, sizeof args, "%zu", sizes[i]);
        tb_bench_spec s = {.family = "demo/sum", .args = args, .run = run_sum, .threads = 1, .arg = &sizes[i]};
        if (tb_register(r, &s) != 0)
            return 1;
    }
    tb_bench_spec skip = {.family = "demo/skipped", .args = "1", .run = run_skipped, .threads = 1};
    if (tb_register(r, &skip) != 0)
        return 1;
    tb_options o;
    tb_options_default(&o);
    o.min_time = 0.01;
    o.repetitions = 3;
    tb_results res = {0};
    char err[512];
    tb_context ctx;
    tb_context_collect(&ctx);
    int rc = tb_run(r, &o, NULL, &res, err, sizeof err) == 0 &&
                     tb_results_write_file(argv[1], TB_FORMAT_JSON, &ctx, &res, err, sizeof err) == 0
                 ? 0
                 : 1;
    if (rc)
        fprintf(stderr, "json_demo: %s\n", err);
    tb_results_free(&res);
    tb_registry_free(r);
    return rc;
}
