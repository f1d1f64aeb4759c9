/* test_hook.h — a planted slowdown for the sensitivity test of `tritbench ab` (issue 12), compiled only
 * into the test-only contender executable (tests/compare/meson.build defines TB_TEST_SLOWDOWN). In every
 * shipped build TB_TEST_SLOWDOWN_SCOPE expands to nothing: no flag, no environment variable, no cost.
 *
 * Usage, on the one statement of a timed loop:  TB_TEST_SLOWDOWN_SCOPE(kernel) rc |= call(...);
 * The test build stretches that statement by a fixed fraction of the CPU time it took (busy wait) when the
 * kernel is the one named by TB_TEST_SLOWDOWN_KERNEL ("op/format/variant", e.g. "gemv/i2/avx2"). */
#ifndef TRITBENCH_TEST_HOOK_H
#define TRITBENCH_TEST_HOOK_H

#ifdef TB_TEST_SLOWDOWN
struct trit_kernel;
double tb_test_slowdown_begin(const struct trit_kernel *k);     /* < 0: not the slowed kernel */
double tb_test_slowdown_end(const struct trit_kernel *k, double t0); /* spins; always returns -2 */
/* A for statement that runs its body exactly once, timed around it. */
#define TB_TEST_SLOWDOWN_SCOPE(k)                                                                            \
    for (double tb_slow_t0_ = tb_test_slowdown_begin(k); tb_slow_t0_ > -2;                                   \
         tb_slow_t0_ = tb_test_slowdown_end(k, tb_slow_t0_))
#else
#define TB_TEST_SLOWDOWN_SCOPE(k)
#endif

#endif
