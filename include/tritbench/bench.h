/* bench.h — the harness as suites see it: registration, the timed loop, counters.
 * Modelled on google/benchmark (names, calibration, counters, JSON schema). Knows nothing of ternary
 * math: suites join kernels to the harness.
 *
 * A suite registers instances; each has a family name and an argument name, and its full name reads
 * "<family>/<args>/threads:<N>", e.g. "gemv/i2/avx512_vnni/6912x2560/threads:1".
 * Per repetition the harness calls setup (outside timing) → run (the timed loop, possibly several
 * times while calibrating the iteration count) → teardown.
 *
 *     static void run_gemv(tb_state *st) {
 *         struct gemv_case *c = tb_fixture(st);
 *         while (tb_keep_running(st))
 *             trit_matmul(c->k, &c->w, &c->x, tb_threads(st), c->acc);
 *         tb_set_bytes_processed(st, (double)tb_iterations(st) * c->w.alloc_bytes);
 *         tb_counter(st, "GB/s", (double)tb_iterations(st) * c->w.alloc_bytes / 1e9, TB_COUNTER_RATE);
 *     }
 */
#ifndef TRITBENCH_BENCH_H
#define TRITBENCH_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct tb_state tb_state;
typedef struct tb_registry tb_registry;

typedef enum tb_time_unit { TB_NS = 0, TB_US, TB_MS, TB_S } tb_time_unit;

typedef struct tb_bench_spec {
    const char *family;    /* "gemv/i2" */
    const char *args;      /* "avx512_vnni/6912x2560"; NULL for none */
    void (*run)(tb_state *st);
    void *(*setup)(tb_state *st);     /* optional; may call tb_skip_with_error and return NULL */
    void (*teardown)(void *fixture);  /* optional */
    const void *arg;                  /* suite data, tb_arg(); must outlive the registry */
    int threads;                      /* ≥ 1; kernels split their work across this many threads */
    tb_time_unit time_unit;           /* default TB_NS */
    bool manual_time;                 /* run() reports each iteration with tb_set_iteration_time */
    double min_time;                  /* seconds; 0 → the run's --benchmark_min_time */
} tb_bench_spec;

tb_registry *tb_registry_new(void);
void tb_registry_free(tb_registry *r);
/* Copies the spec (strings too). Returns 0, or -1 on a bad spec / no memory. */
int tb_register(tb_registry *r, const tb_bench_spec *spec);
size_t tb_registry_count(const tb_registry *r);
const char *tb_registry_name(const tb_registry *r, size_t i); /* full instance name */
/* Instance i is not to be timed (e.g. its kernel failed the correctness gate): each repetition is a row
 * with error_occurred and this message, setup and run are never called. 0, or -1 for a bad index. */
int tb_registry_refuse(tb_registry *r, size_t i, const char *message);

/* --- inside run() --- */
bool tb_keep_running(tb_state *st);
void tb_pause_timing(tb_state *st);
void tb_resume_timing(tb_state *st);
void tb_set_iteration_time(tb_state *st, double seconds); /* manual_time benchmarks, once per iteration */
const void *tb_arg(const tb_state *st);
void *tb_fixture(const tb_state *st);
int tb_threads(const tb_state *st);
int64_t tb_iterations(const tb_state *st); /* iterations of the current trial */
void tb_set_bytes_processed(tb_state *st, double total_bytes); /* → bytes_per_second */
void tb_set_items_processed(tb_state *st, double total_items); /* → items_per_second */

enum {
    TB_COUNTER_DEFAULT = 0,
    TB_COUNTER_RATE = 1 << 0,                /* divided by the (real or manual) time */
    TB_COUNTER_AVG_ITERATIONS = 1 << 1,      /* divided by the iterations */
    TB_COUNTER_ITERATION_INVARIANT = 1 << 2, /* multiplied by the iterations */
    TB_COUNTER_INVERT = 1 << 3               /* 1 / value, after the above */
};
/* Named user counter, google/benchmark semantics; the same name twice overwrites. */
void tb_counter(tb_state *st, const char *name, double value, unsigned flags);
void tb_set_label(tb_state *st, const char *label);
void tb_skip_with_error(tb_state *st, const char *message); /* error_occurred: true */
void tb_skip(tb_state *st, const char *message);            /* skipped, not an error (e.g. not runnable) */

/* --- running --- */
typedef struct tb_options {
    const char *filter;        /* POSIX ERE over instance names; NULL or "" = all, "all" too */
    int repetitions;           /* ≥ 1 */
    double min_time;           /* seconds per trial (default 0.5) ... */
    int64_t min_iters;         /* ... or an explicit iteration count ("100x"); 0 = use min_time */
    double min_warmup_time;    /* seconds, default 0 */
    bool random_interleaving;
    uint64_t seed;             /* for interleaving order */
    bool report_aggregates_only;
    bool pin;                  /* hwloc: bind each worker thread to its own core */
    const char *perf_counters; /* "PAPI_TOT_CYC,PAPI_TOT_INS"; NULL = none */
} tb_options;

void tb_options_default(tb_options *o);

#define TB_MAX_COUNTERS 32
#define TB_NAME_MAX 256

typedef struct tb_counter_value {
    char name[64];
    double value; /* final (after rate/average semantics) */
} tb_counter_value;

typedef enum tb_run_type { TB_RUN_ITERATION = 0, TB_RUN_AGGREGATE = 1 } tb_run_type;

/* One row of results: a repetition (iteration) or an aggregate over repetitions. */
typedef struct tb_record {
    char name[TB_NAME_MAX];     /* name, with _mean/_median/... for aggregates */
    char run_name[TB_NAME_MAX]; /* instance name */
    char family[TB_NAME_MAX];
    int family_index, per_family_instance_index;
    tb_run_type run_type;
    int repetitions, repetition_index, threads;
    int64_t iterations;
    double real_time, cpu_time; /* per iteration, in time_unit */
    tb_time_unit time_unit;
    char aggregate_name[16];    /* "mean", "median", "stddev", "cv", "min" */
    char aggregate_unit[16];    /* "time" or "percentage" (cv) */
    tb_counter_value counters[TB_MAX_COUNTERS];
    int n_counters;
    char label[128];
    bool error_occurred;
    char error_message[256];
    bool skipped;
    char skip_message[256];
} tb_record;

typedef struct tb_results {
    tb_record *records; /* repetitions of each benchmark, then its aggregates (when repetitions > 1) */
    size_t count, capacity;
} tb_results;

/* Where a run stands, for a progress line: given before each repetition and once at the end. */
typedef struct tb_progress {
    size_t done, total; /* repetitions finished / in the whole run (instances × repetitions) */
    double elapsed;     /* seconds since the run started (the harness's clock) */
    const char *next;   /* the instance about to run; NULL when the run is over */
    int repetition;     /* the next one's repetition index */
} tb_progress;

/* Called as results arrive (console output while running); may be NULL, and so may each function. */
typedef struct tb_listener {
    void (*on_records)(void *user, const tb_record *recs, size_t n);
    void *user;
    void (*on_progress)(void *user, const tb_progress *p);
} tb_listener;

/* Runs every registered instance that matches o->filter. Returns 0, or -1 if the run could not be done
 * (bad regex: message in err). Failing benchmarks are records with error_occurred, not a -1. */
int tb_run(tb_registry *r, const tb_options *o, const tb_listener *listener, tb_results *out, char *err,
           size_t err_len);
void tb_results_free(tb_results *res);
/* Lookups for consumers (the validator): the aggregate (or, with one repetition, the run) of an instance. */
const tb_record *tb_results_find(const tb_results *res, const char *run_name, const char *aggregate_name);
double tb_record_counter(const tb_record *rec, const char *name, double missing);
double tb_time_unit_seconds(tb_time_unit u);  /* 1e-9 for TB_NS ... */

/* --- your own benchmark program (google/benchmark's BENCHMARK_MAIN) --- */
/* Parses `tritbench run`'s flags (--benchmark_filter, --benchmark_repetitions, --benchmark_format,
 * --benchmark_out, ...), runs what reg holds, prints and writes the same console/JSON/CSV, closes stdout.
 * Returns the exit status (0 done, 1 a benchmark failed, 2 bad usage / could not run): call it last.
 *
 *     int main(int argc, char **argv) {
 *         tb_registry *reg = tb_registry_new();
 *         tb_register(reg, &(tb_bench_spec){.family = "mine/dot", .args = "4096", .run = run_dot, .threads = 1});
 *         int status = tb_main(argc, argv, reg);
 *         tb_registry_free(reg);
 *         return status;
 *     }
 * Build: cc prog.c $(pkg-config --cflags --libs tritbench)   (examples/bench_example.c) */
int tb_main(int argc, char **argv, tb_registry *reg);

/* The harness's clocks, the only ones in the project (seconds). tb_clock_seconds: the wall clock
 * (CLOCK_MONOTONIC) — for logging how long something took, for a suite that times sub-steps inside its
 * own benchmark (STREAM's best pass, the roof's best chunk, a decoder's per-phase breakdown) and for
 * scheduling (ab's rounds). tb_clock_thread_cpu_seconds: the calling thread's CPU time. A figure a report
 * shows is always a benchmark's record, never a reading taken outside the harness. */
double tb_clock_seconds(void);
double tb_clock_thread_cpu_seconds(void);
const char *tb_time_unit_name(tb_time_unit u); /* "ns", "us", "ms", "s" */

#endif
