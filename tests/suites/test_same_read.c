/* test_same_read.c — the GEMV rows' same-size read (suites/matmul.c, same_read): an out-of-cache GEMV row
 * (weights ≥ 32 MiB, one thread) reports same_read_GB/s and pct_of_same_read, an in-cache row and a
 * 2-thread row do not, and the figures are consistent (no speed is asserted: a read of 32 MiB between 1 and
 * 1000 GB/s, the kernel between 1 % and 1000 % of it). */
#include <stdio.h>
#include <string.h>

#include "suites/suite_list.h"
#include "tests/check.h"
#include "tritbench/bench.h"
#include "tritbench/kernels.h"

int main(void)
{
    char err[256];
    const trit_kernel *k = trit_kernel_select(TRIT_OP_GEMV, TRIT_FMT_I2, err, sizeof err);
    REQUIRE(k != NULL);
    tb_suite_config cfg = {0};
    cfg.threads[0] = 1;
    cfg.threads[1] = 2;
    cfg.n_threads = 2;
    cfg.shapes = "quick";
    cfg.extra_gemv_shapes[0][0] = 4096; /* 4096 × 32768 I2 = 32 MiB of packed weights: the threshold */
    cfg.extra_gemv_shapes[0][1] = 32768;
    cfg.n_extra_gemv_shapes = 1;
    tb_registry *r = tb_registry_new();
    REQUIRE(r != NULL);
    REQUIRE(tb_suite_gemv_register(r, &cfg) == 0);
    char filter[160];
    snprintf(filter, sizeof filter, "^gemv/i2/%s/(4096x32768|256x640)/threads:[12]$", k->variant);
    tb_options opt;
    tb_options_default(&opt);
    opt.filter = filter;
    opt.min_iters = 2;
    tb_results res = {0};
    REQUIRE(tb_run(r, &opt, NULL, &res, err, sizeof err) == 0);
    char name[128];
    snprintf(name, sizeof name, "gemv/i2/%s/4096x32768/threads:1", k->variant);
    const tb_record *big = tb_results_find(&res, name, NULL);
    REQUIRE(big != NULL);
    CHECKF(!big->error_occurred && !big->skipped, "%s %s", big->error_message, big->skip_message);
    const double read = tb_record_counter(big, "same_read_GB/s", 0), pct = tb_record_counter(big, "pct_of_same_read", 0);
    CHECKF(read > 1.0 && read < 1000.0, "same_read_GB/s %.3f", read);
    CHECKF(pct > 1.0 && pct < 1000.0, "pct_of_same_read %.3f", pct);
    printf("%s: same-size read %.1f GB/s, kernel at %.1f %% of it\n", name, read, pct);
    snprintf(name, sizeof name, "gemv/i2/%s/4096x32768/threads:2", k->variant);
    const tb_record *two = tb_results_find(&res, name, NULL);
    REQUIRE(two != NULL);
    CHECK(tb_record_counter(two, "pct_of_same_read", -1.0) == -1.0); /* one thread only */
    snprintf(name, sizeof name, "gemv/i2/%s/256x640/threads:1", k->variant);
    const tb_record *small = tb_results_find(&res, name, NULL);
    REQUIRE(small != NULL);
    CHECK(tb_record_counter(small, "same_read_GB/s", -1.0) == -1.0); /* in cache: no same-size read */
    tb_results_free(&res);
    tb_registry_free(r);
    return check_exit();
}
