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

/* The monotonic clock, read through the vDSO (~20 ns). The thread CPU clock was tried first (a stretch that
 * ignores time spent preempted) but it is a system call: its reads around every call added their own cost,
 * and a planted 5 % on gemv/i2/avx2 2560x2560 (68 us a call) measured +7.6 % [+6.8, +8.5] with `ab`. With
 * this clock the hook costs < 0.1 % of such a call; the price is that a call preempted mid-way is stretched
 * by its preempted time too, so run the sensitivity benchmark on a machine whose other work is niced. */
static double now_s(void) { return tb_clock_seconds(); }

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
    if (t0 >= 0) {
        const double until = t0 + (now_s() - t0) * (1.0 + fraction());
        while (now_s() < until) {
        }
    }
    return -2;
}
