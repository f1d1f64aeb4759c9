/* suites.h — benchmark suites: each joins kernels (or models) to the harness by registering instances.
 * `tritbench run` registers every suite; --benchmark_filter picks among the instance names. */
#ifndef TRITBENCH_SUITES_H
#define TRITBENCH_SUITES_H

#include <stdbool.h>
#include <stddef.h>

#include "tritbench/args.h" /* tb_list_contains: is a name in a comma list (NULL list = yes) */
#include "tritbench/bench.h"
#include "tritbench/kernels.h"

#define TB_MAX_THREAD_COUNTS 8
#define TB_MAX_EXTRA_SHAPES 32

typedef struct tb_suite_config {
    int threads[TB_MAX_THREAD_COUNTS]; /* each instance is registered once per thread count */
    int n_threads;
    bool quick;           /* smaller shapes / sizes for smoke runs */
    const char *variants; /* comma list of kernel variants to include, NULL = all runnable */
    const char *formats;  /* comma list of formats ("i2,t5"), NULL = all */
    const char *shapes;   /* shape set for gemv/gemm/bitlinear (catalog), NULL = each suite's default */
    size_t extra_gemv_shapes[TB_MAX_EXTRA_SHAPES][2]; /* GEMV shapes beyond the set (a checkpoint's layers) */
    size_t n_extra_gemv_shapes;
} tb_suite_config;

typedef struct tb_suite {
    const char *name;        /* "stream", "gemv", ... (the first path component of its instances) */
    const char *description;
    int (*register_fn)(tb_registry *r, const tb_suite_config *cfg); /* 0 or -1 */
} tb_suite;

const tb_suite *tb_suites(size_t *count);
int tb_suites_register_all(tb_registry *r, const tb_suite_config *cfg);

/* The roofline: STREAM-style read bandwidth (GB/s) over a buffer of `bytes` with `threads` threads,
 * measured in this process on first use (best of N excluding the first) and remembered per
 * (size class, threads). Later speed figures are judged against it. Returns 0 if it cannot measure. */
double tb_stream_read_gbps(size_t bytes, int threads);

/* Seconds for one pass of STREAM's read kernel (one thread) over the `bytes` at p (whole doubles; p
 * aligned to 8): a read of the very bytes a kernel streams, in its own window, for a same-size comparison
 * (the gemv rows' pct_of_same_read). */
double tb_stream_read_seconds(const void *p, size_t bytes);

/* The suite configuration that `run` and `list` derive from their flags: thread counts (the default list
 * when none was given), --quick, --variants, --formats. */
struct tb_flags;
void tb_suite_config_from_flags(struct tb_flags *fl, tb_suite_config *cfg);

/* The suite configuration a validation run registers: its one thread count, --quick, its shape set, and
 * the user's --variants / --formats widened by the FP32 baselines (every section judges against them; the
 * scalar FP32 reference is no baseline). `buf` holds the widened lists. */
void tb_suite_config_for_validation(tb_suite_config *cfg, int threads, bool quick, const char *shapes,
                                    const char *variants, const char *formats, char *buf, size_t buf_len);

/* Names of the FP32 baselines that run here (as the gemv/gemm suites name them), at most cap. */
size_t tb_suite_fp32_baselines(const char **names, size_t cap);

/* The one place a suite chooses a kernel for a workload that runs one variant (the e2e decoder): without a
 * --variants list, trit_kernel_select's choice (TRIT_ISA honoured there); with one, the first listed variant
 * whose GEMV and GEMM both run here. NULL (why says so) when none does. */
const trit_kernel *tb_suite_pick_kernel(trit_op op, trit_format f, const char *variants, char *why, size_t why_len);

/* Adds what the harness cannot know to a run's context: ISA features, the kernel variants compiled
 * in and whether each can run here (suites/context_kernels.c). */
struct tb_context;
void tb_context_add_kernel_info(struct tb_context *ctx);

#endif
