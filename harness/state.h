/* state.h — the harness's private structures: registered instances and the per-trial state that
 * run() sees as tb_state. */
#ifndef TRITBENCH_HARNESS_STATE_H
#define TRITBENCH_HARNESS_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "harness/clock.h"
#include "harness/perf.h"
#include "tritbench/bench.h"

typedef struct tb_instance {
    tb_bench_spec spec; /* family/args point into the copies below */
    char family[TB_NAME_MAX];
    char args[TB_NAME_MAX];
    char name[TB_NAME_MAX]; /* "<family>/<args>/threads:<N>" */
    char refused[256];      /* non-empty: never timed, every repetition is this error */
} tb_instance;

struct tb_registry {
    tb_instance *items;
    size_t count, capacity;
};

typedef struct tb_user_counter {
    char name[64];
    double value;
    unsigned flags;
} tb_user_counter;

struct tb_state {
    const tb_instance *inst;
    const tb_clock *clock;
    tb_perf *perf; /* NULL: no hardware counters */
    void *fixture;
    int64_t max_iters; /* this trial */
    int64_t iters_done;
    bool started, finished, timing;
    double real_start, cpu_start;
    double real_used, cpu_used, manual_used; /* seconds, this trial */
    tb_user_counter counters[TB_MAX_COUNTERS];
    int n_counters;
    double bytes, items;
    bool have_bytes, have_items;
    char label[128];
    bool error, skipped;
    char message[256];
};

/* Resets the per-trial parts of st (times, counters, label) for a trial of `iters` iterations. */
void tb_state_begin_trial(tb_state *st, int64_t iters);

#endif
