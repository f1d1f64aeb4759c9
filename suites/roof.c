/* roof.c — the compute roof, measured in the run (beside stream.c's memory roof): the core clock and the
 * throughput of each kernel family's bounding instruction, one thread. Rows "roof/<probe>/threads:1".
 *
 * One benchmark iteration is one ~1 ms chunk of the probe; the counters are the best chunk of the trial
 * (as STREAM reports its best pass), so a chunk another process interrupted is never the figure.
 * Counters:
 *   clock:  GHz (dependent adds per ns), tsc_GHz (the time-stamp counter's rate, x86: not the clock)
 *   others: Ginstr/s, ipc (over the clock measured right after the trial), roof_GOP/s (2 × MACs/s) and,
 *           for the u8×s8 instructions, i2_roof_GB/s (the I2 weight bytes the instruction consumes per s:
 *           4 weights per byte). Rows on a CPU without the ISA are skipped with the reason. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "suite_list.h"
#include "tritbench/roof.h"
#include "tritbench/bench.h"

typedef struct roof_fx {
    uint64_t loops; /* per chunk */
    double best;    /* instructions per ns, best chunk so far */
} roof_fx;

static double now_ns(void) { return tb_clock_seconds() * 1e9; }

static void *roof_setup(tb_state *st)
{
    const tb_roof_probe *p = tb_arg(st);
    char why[160];
    if (!tb_roof_probe_runnable(p, why, sizeof why)) {
        tb_skip(st, why);
        return NULL;
    }
    roof_fx *fx = calloc(1, sizeof *fx);
    if (!fx) {
        tb_skip_with_error(st, "out of memory");
        return NULL;
    }
    /* A chunk of about 1 ms, sized from a short first run. */
    fx->loops = 256;
    double t0 = now_ns();
    p->fn(fx->loops);
    double dt = now_ns() - t0;
    if (dt > 0.0 && dt < 1e6)
        fx->loops = (uint64_t)((double)fx->loops * 1e6 / dt) + 1;
    return fx;
}

static void roof_teardown(void *fx)
{
    free(fx);
}

static void roof_run(tb_state *st)
{
    const tb_roof_probe *p = tb_arg(st);
    roof_fx *fx = tb_fixture(st);
    double chunk = (double)fx->loops * (double)p->per_loop;
    while (tb_keep_running(st)) {
        double a = now_ns();
        p->fn(fx->loops);
        double b = now_ns();
        if (b > a && chunk / (b - a) > fx->best)
            fx->best = chunk / (b - a);
    }
    tb_set_items_processed(st, (double)tb_iterations(st) * chunk);
    const char *emulated = tb_roof_emulated() ? "emulated (qemu?): figures are not the machine's; " : "";
    char label[200];
    if (p->macs == 0) {
        tb_counter(st, "GHz", fx->best, TB_COUNTER_DEFAULT);
        double tsc = tb_roof_tsc_ghz(0.003);
        if (tsc > 0.0)
            tb_counter(st, "tsc_GHz", tsc, TB_COUNTER_DEFAULT);
        snprintf(label, sizeof label, "%s%s", emulated, p->bounds);
        tb_set_label(st, label);
        return;
    }
    /* The clock right after the trial, outside the timed loop: ipc compares two figures of one moment. */
    double ghz = tb_roof_probe_rate(tb_roof_probe_find("clock"), 0.005);
    tb_counter(st, "Ginstr/s", fx->best, TB_COUNTER_DEFAULT);
    if (ghz > 0.0)
        tb_counter(st, "ipc", fx->best / ghz, TB_COUNTER_DEFAULT);
    tb_counter(st, "roof_GOP/s", fx->best * p->macs * 2.0, TB_COUNTER_DEFAULT);
    if (p->int8)
        tb_counter(st, "i2_roof_GB/s", fx->best * p->macs / 4.0, TB_COUNTER_DEFAULT);
    snprintf(label, sizeof label, "%sbounds %s", emulated, p->bounds);
    tb_set_label(st, label);
}

int tb_suite_roof_register(tb_registry *r, const tb_suite_config *cfg)
{
    (void)cfg; /* per-core figures: one thread; a kernel's roof scales them by its thread count */
    size_t n;
    const tb_roof_probe *probes = tb_roof_probes(&n);
    for (size_t i = 0; i < n; i++) {
        tb_bench_spec spec = {.family = "roof",
                              .args = probes[i].name,
                              .run = roof_run,
                              .setup = roof_setup,
                              .teardown = roof_teardown,
                              .arg = &probes[i],
                              .threads = 1,
                              .time_unit = TB_US,
                              /* short: the best 1 ms chunk of 0.1 s is the figure */
                              .min_time = 0.1};
        if (tb_register(r, &spec) != 0)
            return -1;
    }
    return 0;
}
