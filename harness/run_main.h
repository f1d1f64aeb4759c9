/* run_main.h — the body of `tritbench run` after flag parsing, shared with tb_main (bench.h). */
#ifndef TRITBENCH_HARNESS_RUN_MAIN_H
#define TRITBENCH_HARNESS_RUN_MAIN_H

#include "tritbench/bench.h"
#include "tritbench/context.h"
#include "tritbench/flags.h"

typedef struct tb_run_hooks {
    void (*add_context)(tb_context *ctx, void *user); /* keys the harness cannot know (kernels, plugins) */
    void *user;
} tb_run_hooks;

/* The filter compiles and --benchmark_out is writable (checked before anything runs). 0, or -1 (printed). */
int tb_run_check_flags(const char *prog, const tb_flags *fl);
int tb_run_check_out_path(const char *path);
/* Selects (or lists, --benchmark_list_tests), runs, reports. Returns the exit status: 0, 1 a benchmark
 * failed (error_occurred), 2 nothing matched or the run/output could not be done. Messages start with prog. */
int tb_run_registry(const char *prog, tb_flags *fl, tb_registry *reg, const tb_run_hooks *hooks);

#endif
