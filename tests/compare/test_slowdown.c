/* test_slowdown.c — the planted slowdown behind TB_TEST_SLOWDOWN_SCOPE (include/tritbench/test_hook.h),
 * linked only into the test-only contender `tritbench_slow_test`. The slowed kernel is fixed at compile
 * time (TB_TEST_SLOWDOWN_KERNEL); the size defaults to TB_TEST_SLOWDOWN_PCT and may be overridden in this
 * test binary by the environment variable TB_TEST_SLOWDOWN_PCT, so one build measures 2, 3 and 5 %. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tritbench/formats.h"
#include "tritbench/kernels.h"
#include "tritbench/test_hook.h"
#include "tritbench/bench.h"

/* How the stretch is made, and why (each tried and measured with `ab` at 16 rounds, planted 5 %):
 * - busy-wait on the thread CPU clock: that clock is a system call, and its reads around every 68 us call
 *   added their own cost: measured +7.6 % [+6.8, +8.5];
 * - busy-wait on the monotonic clock: a call preempted mid-way (the other work on a 2-core host, even at
 *   nice 19) stretched by its preempted time too: +14 % under load 10.
 * So: time the call with the monotonic clock (vDSO, ~20 ns a read), take the median of the last few calls
 * (a preempted call is an outlier the median ignores), and add that fraction of it as a fixed amount of
 * WORK — a spin loop of a calibrated count — which costs the same CPU time preempted or not. */
static double now_s(void) { return tb_clock_seconds(); }

/* Spin iterations per second of thread CPU time, measured once (one system call pair, not per call). */
static double spin_rate(void)
{
    static double rate = 0;
    if (rate == 0) {
        const double t0 = tb_clock_thread_cpu_seconds();
        for (volatile unsigned long i = 0; i < 20000000UL; i++) {
        }
        const double dt = tb_clock_thread_cpu_seconds() - t0;
        rate = dt > 0 ? 20000000.0 / dt : 1e9;
    }
    return rate;
}

static void spin(double seconds)
{
    const unsigned long n = (unsigned long)(seconds * spin_rate());
    for (volatile unsigned long i = 0; i < n; i++) {
    }
}

#define RECENT 9
static double recent[RECENT];
static int n_recent, next_recent;

static double median_recent(double latest)
{
    recent[next_recent] = latest;
    next_recent = (next_recent + 1) % RECENT;
    if (n_recent < RECENT)
        n_recent++;
    double v[RECENT];
    memcpy(v, recent, sizeof v);
    for (int i = 1; i < n_recent; i++) /* insertion sort of ≤ 9 values */
        for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
            const double t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    return v[n_recent / 2];
}

static double fraction(void)
{
    static double f = -1;
    if (f < 0) {
        const char *e = getenv("TB_TEST_SLOWDOWN_PCT");
        double pct = e && *e ? strtod(e, NULL) : TB_TEST_SLOWDOWN_PCT;
        f = pct > 0 && pct < 1000 ? pct / 100.0 : 0.0;
    }
    return f;
}

static int is_target(const trit_kernel *k)
{
    static const char target[] = TB_TEST_SLOWDOWN_KERNEL; /* "op/format/variant" */
    const char *op = trit_op_name(k->op), *fmt = trit_format_name(k->format);
    size_t lo = strlen(op), lf = strlen(fmt);
    return strncmp(target, op, lo) == 0 && target[lo] == '/' && strncmp(target + lo + 1, fmt, lf) == 0 &&
           target[lo + 1 + lf] == '/' && strcmp(target + lo + lf + 2, k->variant) == 0;
}

double tb_test_slowdown_begin(const struct trit_kernel *k)
{
    return is_target(k) && fraction() > 0 ? now_s() : -1;
}

double tb_test_slowdown_end(const struct trit_kernel *k, double t0)
{
    (void)k;
    if (t0 >= 0)
        spin(median_recent(now_s() - t0) * fraction());
    return -2;
}
