/* context.h — the machine a run happened on: what google/benchmark's "context" holds, plus ours
 * (ISA, compiler, hwloc topology, PAPI status, kernel variants). Reporters print it; JSON embeds it. */
#ifndef TRITBENCH_CONTEXT_H
#define TRITBENCH_CONTEXT_H

#include <stdbool.h>
#include <stddef.h>

typedef struct tb_cache_info {
    char type[16]; /* "Data", "Instruction", "Unified" */
    int level;
    long long size; /* bytes */
    int num_sharing;
} tb_cache_info;

#define TB_CONTEXT_MAX_EXTRAS 32

typedef struct tb_context {
    char date[64];            /* ISO 8601 with offset */
    char host_name[256];
    char executable[1024];
    int num_cpus;
    double mhz_per_cpu;
    bool cpu_scaling_enabled;
    tb_cache_info caches[16];
    int n_caches;
    double load_avg[3];
    char library_version[64];     /* tritbench version */
    char library_build_type[16];  /* "release" / "debug" */
    char cpu_model[128];
    char compiler[128];
    char cflags[512];
    char git_commit[64];
    char topology[256];        /* hwloc summary, or why not */
    char perf_counters[256];   /* "PAPI 7.0.0: 6 counters" or "unavailable: <reason>" */
    bool have_hwloc, have_papi, have_openblas, have_cuda;
    char missing[512];         /* features built without, and why that matters */
    /* Keys added by the caller (ISA features, kernel variants ...): the harness knows nothing of them. */
    char extra_keys[TB_CONTEXT_MAX_EXTRAS][64];
    char extra_values[TB_CONTEXT_MAX_EXTRAS][512];
    int n_extras;
} tb_context;

/* Fills ctx from the system (hwloc when built with it, /proc otherwise). Never fails hard: unknown
 * fields stay empty/zero. */
void tb_context_collect(tb_context *ctx);
void tb_context_add(tb_context *ctx, const char *key, const char *value);
/* Largest cache (bytes) — the last-level cache; 0 if unknown. */
long long tb_context_llc_bytes(const tb_context *ctx);

#endif
