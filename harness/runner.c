/* runner.c — tb_run: filter, calibrate (google/benchmark's rules), warm up, repeat, interleave,
 * aggregate, and hand records to the listener and the result list. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/filter.h"
#include "harness/pin.h"
#include "harness/results_internal.h"
#include "harness/state.h"
#include "tritbench_config.h"

/* Calibration stops after this many trials whatever happens (the 1e9 iteration cap is reached in
 * fewer anyway). */
#define TB_MAX_TRIALS 64

typedef struct inst_run {
    const tb_instance *inst;
    int family_index, per_family_instance_index;
    int64_t iters; /* calibrated count reused by later repetitions; 0 = not yet */
    bool warmed;
    tb_record *reps;
    int reps_done;
} inst_run;

typedef struct run_ctx {
    const tb_options *o;
    const tb_clock *clock;
    tb_perf *perf;
    const tb_listener *listener;
} run_ctx;

static void notify(const run_ctx *rc, const tb_record *recs, size_t n)
{
    if (rc->listener && rc->listener->on_records && n > 0)
        rc->listener->on_records(rc->listener->user, recs, n);
}

static void progress(const run_ctx *rc, double start, size_t done, size_t total, const inst_run *next, int rep)
{
    if (!rc->listener || !rc->listener->on_progress)
        return;
    tb_progress p = {done, total, rc->clock->real_now(rc->clock->user) - start, next ? next->inst->name : NULL, rep};
    rc->listener->on_progress(rc->listener->user, &p);
}

static void run_trial(tb_state *st, int64_t iters)
{
    tb_state_begin_trial(st, iters);
    st->inst->spec.run(st);
    tb_pause_timing(st); /* run() may have returned without finishing its loop */
    if (!st->started && !st->error && !st->skipped)
        tb_skip_with_error(st, "the benchmark neither ran its loop (tb_keep_running) nor skipped");
}

static double trial_seconds(const tb_state *st)
{
    return st->inst->spec.manual_time ? st->manual_used : st->real_used;
}

/* Runs trials from `iters` until one is long enough; returns the iteration count of the last one. */
static int64_t calibrate(tb_state *st, int64_t iters, double min_time, bool accept_first)
{
    for (int trial = 0; trial < TB_MAX_TRIALS; trial++) {
        run_trial(st, iters);
        if (st->error || st->skipped || accept_first)
            break;
        double secs = trial_seconds(st);
        if (tb_trial_is_enough(iters, secs, st->real_used, min_time, st->inst->spec.manual_time))
            break;
        iters = tb_predict_iterations(iters, secs, min_time);
    }
    return iters;
}

static double finish_counter(const tb_user_counter *c, double seconds, int64_t iters)
{
    double v = c->value;
    if (c->flags & TB_COUNTER_RATE)
        v = seconds > 0.0 ? v / seconds : 0.0;
    if (c->flags & TB_COUNTER_ITERATION_INVARIANT)
        v *= (double)iters;
    if (c->flags & TB_COUNTER_AVG_ITERATIONS)
        v = iters > 0 ? v / (double)iters : 0.0;
    if (c->flags & TB_COUNTER_INVERT)
        v = v != 0.0 ? 1.0 / v : 0.0;
    return v;
}

static void add_counter(tb_record *rec, const char *name, double value)
{
    if (rec->n_counters >= TB_MAX_COUNTERS)
        return;
    tb_counter_value *c = &rec->counters[rec->n_counters++];
    snprintf(c->name, sizeof c->name, "%s", name);
    c->value = value;
}

static void fill_record(const inst_run *ir, const tb_state *st, int rep_index, int repetitions, tb_record *rec)
{
    const tb_bench_spec *sp = &ir->inst->spec;
    memset(rec, 0, sizeof *rec);
    snprintf(rec->name, sizeof rec->name, "%s", ir->inst->name);
    snprintf(rec->run_name, sizeof rec->run_name, "%s", ir->inst->name);
    snprintf(rec->family, sizeof rec->family, "%s", ir->inst->family);
    rec->family_index = ir->family_index;
    rec->per_family_instance_index = ir->per_family_instance_index;
    rec->run_type = TB_RUN_ITERATION;
    rec->repetitions = repetitions;
    rec->repetition_index = rep_index;
    rec->threads = sp->threads;
    rec->time_unit = sp->time_unit;
    snprintf(rec->label, sizeof rec->label, "%s", st->label);
    if (st->error || st->skipped) {
        rec->error_occurred = st->error;
        rec->skipped = st->skipped;
        snprintf(st->error ? rec->error_message : rec->skip_message, sizeof rec->error_message, "%s", st->message);
        return;
    }
    int64_t it = st->iters_done > 0 ? st->iters_done : 1;
    double unit = tb_time_unit_seconds(sp->time_unit);
    double secs = trial_seconds(st);
    rec->iterations = st->iters_done;
    rec->real_time = secs / (double)it / unit;
    rec->cpu_time = st->cpu_used / (double)it / unit;
    if (st->have_bytes)
        add_counter(rec, "bytes_per_second", secs > 0.0 ? st->bytes / secs : 0.0);
    if (st->have_items)
        add_counter(rec, "items_per_second", secs > 0.0 ? st->items / secs : 0.0);
    for (int i = 0; i < st->n_counters; i++)
        add_counter(rec, st->counters[i].name, finish_counter(&st->counters[i], secs, it));
    if (st->perf)
        for (int i = 0; i < st->perf->n; i++)
            add_counter(rec, st->perf->names[i], (double)st->perf->acc[i] / (double)it);
}

static void run_repetition(const run_ctx *rc, inst_run *ir, int rep_index)
{
    const tb_options *o = rc->o;
    const tb_bench_spec *sp = &ir->inst->spec;
    tb_state st;
    memset(&st, 0, sizeof st);
    st.inst = ir->inst;
    st.clock = rc->clock;
    st.perf = rc->perf;
    if (o->pin) {
        char why[256];
        if (tb_pin_threads(sp->threads, why, sizeof why) != 0)
            tb_skip_with_error(&st, why);
    }
    if (!st.error && sp->setup)
        st.fixture = sp->setup(&st);
    if (!st.error && !st.skipped) {
        double min_time = sp->min_time > 0.0 ? sp->min_time : o->min_time;
        bool explicit_iters = o->min_iters > 0 && sp->min_time <= 0.0;
        if (!ir->warmed && o->min_warmup_time > 0.0)
            calibrate(&st, 1, o->min_warmup_time, false); /* results discarded */
        ir->warmed = true;
        if (!st.error && !st.skipped) {
            int64_t start = explicit_iters ? o->min_iters : (ir->iters > 0 ? ir->iters : 1);
            int64_t iters = calibrate(&st, start, min_time, explicit_iters || ir->iters > 0);
            if (!st.error && !st.skipped)
                ir->iters = iters;
        }
    }
    tb_record *rec = &ir->reps[rep_index];
    fill_record(ir, &st, rep_index, o->repetitions, rec);
    if (sp->teardown && st.fixture)
        sp->teardown(st.fixture);
    ir->reps_done++;
    if (!(o->report_aggregates_only && o->repetitions > 1))
        notify(rc, rec, 1);
    if (ir->reps_done == o->repetitions && o->repetitions > 1) {
        tb_record agg[8];
        int n = tb_make_aggregates(ir->reps, o->repetitions, agg);
        notify(rc, agg, (size_t)n);
    }
}

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Each repetition is one job; interleaving shuffles the jobs (Fisher–Yates, seeded). */
static int run_jobs(const run_ctx *rc, inst_run *runs, size_t n_runs)
{
    int reps = rc->o->repetitions;
    size_t n_jobs = n_runs * (size_t)reps;
    size_t *jobs = malloc((n_jobs ? n_jobs : 1) * sizeof *jobs);
    if (!jobs)
        return -1;
    for (size_t i = 0; i < n_jobs; i++)
        jobs[i] = i;
    if (rc->o->random_interleaving) {
        uint64_t s = rc->o->seed;
        for (size_t i = n_jobs; i > 1; i--) {
            size_t j = (size_t)(splitmix64(&s) % i);
            size_t t = jobs[i - 1];
            jobs[i - 1] = jobs[j];
            jobs[j] = t;
        }
    }
    /* Repetitions of one instance run in index order even when shuffled among instances. */
    int *next_rep = calloc(n_runs ? n_runs : 1, sizeof *next_rep);
    if (!next_rep) {
        free(jobs);
        return -1;
    }
    const double start = rc->clock->real_now(rc->clock->user);
    for (size_t j = 0; j < n_jobs; j++) {
        size_t inst = jobs[j] / (size_t)reps;
        progress(rc, start, j, n_jobs, &runs[inst], next_rep[inst]);
        run_repetition(rc, &runs[inst], next_rep[inst]++);
    }
    progress(rc, start, n_jobs, n_jobs, NULL, 0);
    free(next_rep);
    free(jobs);
    return 0;
}

static int collect(const tb_options *o, inst_run *runs, size_t n_runs, tb_results *out)
{
    for (size_t i = 0; i < n_runs; i++) {
        if (!(o->report_aggregates_only && o->repetitions > 1))
            for (int r = 0; r < o->repetitions; r++)
                if (tb_results_append(out, &runs[i].reps[r]) != 0)
                    return -1;
        if (o->repetitions > 1) {
            tb_record agg[8];
            int n = tb_make_aggregates(runs[i].reps, o->repetitions, agg);
            for (int a = 0; a < n; a++)
                if (tb_results_append(out, &agg[a]) != 0)
                    return -1;
        }
    }
    return 0;
}

/* family_index counts families with at least one selected instance, as google's does. */
static size_t select_instances(const tb_registry *r, const tb_filter *f, inst_run *runs)
{
    size_t n = 0;
    int n_families = 0;
    for (size_t i = 0; i < r->count; i++) {
        const tb_instance *in = &r->items[i];
        if (!tb_filter_match(f, in->name))
            continue;
        int fam = -1, count_in_family = 0;
        for (size_t k = 0; k < n; k++) {
            if (strcmp(runs[k].inst->family, in->family) == 0) {
                fam = runs[k].family_index;
                count_in_family++;
            }
        }
        if (fam < 0)
            fam = n_families++;
        memset(&runs[n], 0, sizeof runs[n]);
        runs[n].inst = in;
        runs[n].family_index = fam;
        runs[n].per_family_instance_index = count_in_family;
        n++;
    }
    return n;
}

static int check_options(const tb_options *o, char *err, size_t err_len)
{
    if (o->repetitions < 1 || o->repetitions > 512) {
        snprintf(err, err_len, "--benchmark_repetitions must be between 1 and 512 (got %d)", o->repetitions);
        return -1;
    }
    if (o->min_iters < 0 || (o->min_iters == 0 && !(o->min_time > 0.0)) || o->min_warmup_time < 0.0) {
        snprintf(err, err_len, "--benchmark_min_time / --benchmark_min_warmup_time must be positive");
        return -1;
    }
#if !TRIT_HAVE_HWLOC
    if (o->pin) {
        snprintf(err, err_len, "--pin needs hwloc, and this build has none");
        return -1;
    }
#endif
    return 0;
}

int tb_run_with_clock(tb_registry *r, const tb_options *o, const tb_listener *listener, tb_results *out,
                      const tb_clock *clock, char *err, size_t err_len)
{
    if (!r || !o || !out || !clock) {
        snprintf(err, err_len, "tb_run: missing argument");
        return -1;
    }
    if (check_options(o, err, err_len) != 0)
        return -1;
    tb_filter filter;
    if (tb_filter_compile(&filter, o->filter, err, err_len) != 0)
        return -1;
    inst_run *runs = calloc(r->count ? r->count : 1, sizeof *runs);
    if (!runs) {
        tb_filter_free(&filter);
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    size_t n_runs = select_instances(r, &filter, runs);
    tb_filter_free(&filter);
    int rc_val = 0;
    for (size_t i = 0; i < n_runs && rc_val == 0; i++) {
        runs[i].reps = calloc((size_t)o->repetitions, sizeof(tb_record));
        if (!runs[i].reps)
            rc_val = -1;
    }
    tb_perf perf;
    run_ctx rc = {o, clock, NULL, listener};
    if (rc_val == 0 && o->perf_counters && *o->perf_counters) {
        char why[256];
        if (tb_perf_open(&perf, o->perf_counters, why, sizeof why) == 0)
            rc.perf = &perf;
        else
            fprintf(stderr, "tritbench: --perf_counters: unavailable: %s; running without them\n", why);
    }
    if (rc_val == 0)
        rc_val = run_jobs(&rc, runs, n_runs);
    if (rc_val == 0)
        rc_val = collect(o, runs, n_runs, out);
    if (rc.perf)
        tb_perf_close(rc.perf);
    for (size_t i = 0; i < n_runs; i++)
        free(runs[i].reps);
    free(runs);
    if (rc_val != 0)
        snprintf(err, err_len, "out of memory");
    return rc_val;
}

int tb_run(tb_registry *r, const tb_options *o, const tb_listener *listener, tb_results *out, char *err,
           size_t err_len)
{
    return tb_run_with_clock(r, o, listener, out, tb_clock_system(), err, err_len);
}
