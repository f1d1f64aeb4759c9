/* state.c — what run() calls inside its timed loop: keep_running, pause/resume, counters, skips. */
#include <stdio.h>
#include <string.h>

#include "harness/state.h"

void tb_state_begin_trial(tb_state *st, int64_t iters)
{
    st->max_iters = iters;
    st->iters_done = 0;
    st->started = st->finished = st->timing = false;
    st->real_used = st->cpu_used = st->manual_used = 0.0;
    st->n_counters = 0;
    st->bytes = st->items = 0.0;
    st->have_bytes = st->have_items = false;
    st->label[0] = '\0';
    if (st->perf)
        tb_perf_reset(st->perf);
}

static void start_timer(tb_state *st)
{
    if (st->timing)
        return;
    st->timing = true;
    if (st->perf)
        tb_perf_start(st->perf);
    st->real_start = st->clock->real_now(st->clock->user);
    st->cpu_start = st->clock->cpu_now(st->clock->user);
}

static void stop_timer(tb_state *st)
{
    if (!st->timing)
        return;
    double real = st->clock->real_now(st->clock->user);
    double cpu = st->clock->cpu_now(st->clock->user);
    if (st->perf)
        tb_perf_stop(st->perf);
    st->real_used += real - st->real_start;
    st->cpu_used += cpu - st->cpu_start;
    st->timing = false;
}

bool tb_keep_running(tb_state *st)
{
    if (!st->started) {
        st->started = true;
        if (st->error || st->skipped) {
            st->finished = true;
            return false;
        }
        start_timer(st);
    }
    if (st->iters_done < st->max_iters && !st->error && !st->skipped) {
        st->iters_done++;
        return true;
    }
    if (!st->finished) {
        stop_timer(st);
        st->finished = true;
    }
    return false;
}

void tb_pause_timing(tb_state *st)
{
    stop_timer(st);
}

void tb_resume_timing(tb_state *st)
{
    if (st->started && !st->finished)
        start_timer(st);
}

void tb_set_iteration_time(tb_state *st, double seconds)
{
    if (seconds > 0.0)
        st->manual_used += seconds;
}

const void *tb_arg(const tb_state *st)
{
    return st->inst->spec.arg;
}

void *tb_fixture(const tb_state *st)
{
    return st->fixture;
}

int tb_threads(const tb_state *st)
{
    return st->inst->spec.threads;
}

int64_t tb_iterations(const tb_state *st)
{
    return st->max_iters;
}

void tb_set_bytes_processed(tb_state *st, double total_bytes)
{
    st->bytes = total_bytes;
    st->have_bytes = true;
}

void tb_set_items_processed(tb_state *st, double total_items)
{
    st->items = total_items;
    st->have_items = true;
}

void tb_counter(tb_state *st, const char *name, double value, unsigned flags)
{
    if (!name || !*name)
        return;
    for (int i = 0; i < st->n_counters; i++) {
        if (strcmp(st->counters[i].name, name) == 0) {
            st->counters[i].value = value;
            st->counters[i].flags = flags;
            return;
        }
    }
    /* Room is kept for bytes/items per second and the hardware counters. */
    if (st->n_counters >= TB_MAX_COUNTERS - 2 - TB_PERF_MAX)
        return;
    tb_user_counter *c = &st->counters[st->n_counters++];
    snprintf(c->name, sizeof c->name, "%s", name);
    c->value = value;
    c->flags = flags;
}

void tb_set_label(tb_state *st, const char *label)
{
    snprintf(st->label, sizeof st->label, "%s", label ? label : "");
}

static void end_loop_now(tb_state *st)
{
    /* Like google's SkipWithError: the loop stops at its next check. */
    if (st->max_iters > st->iters_done)
        st->max_iters = st->iters_done;
}

void tb_skip_with_error(tb_state *st, const char *message)
{
    if (st->error || st->skipped)
        return;
    st->error = true;
    snprintf(st->message, sizeof st->message, "%s", message ? message : "error");
    end_loop_now(st);
}

void tb_skip(tb_state *st, const char *message)
{
    if (st->error || st->skipped)
        return;
    st->skipped = true;
    snprintf(st->message, sizeof st->message, "%s", message ? message : "skipped");
    end_loop_now(st);
}
