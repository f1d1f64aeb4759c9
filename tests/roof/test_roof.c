/* test_roof.c — the roof suite's figures are sane and its plumbing holds; no speed is asserted.
 * Sane: the clock between 0.5 and 10 GHz, every runnable probe's instructions per cycle above 0 and at
 * most its issue width; unrunnable probes are skipped with the reason. Run twice by meson: as is, and with
 * TRIT_CPU_MASK hiding avx512_vnni (argv[1] = "masked"), where the vpdpbusd rows must be skipped and the
 * VNNI kernels' compute roof unknown (0). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "suites/suite_list.h"
#include "tests/check.h"
#include "tritbench/cpu.h"
#include "tritbench/roof.h"

static void check_probes_direct(void)
{
    const double ghz = tb_roof_clock_ghz();
    CHECKF(ghz >= 0.5 && ghz <= 10.0, "clock %.3f GHz", ghz);
    CHECK(tb_roof_clock_ghz() == ghz); /* memoized: the same figure for every suite */
    size_t n;
    const tb_roof_probe *probes = tb_roof_probes(&n);
    REQUIRE(n >= 2 && strcmp(probes[0].name, "clock") == 0);
    for (size_t i = 1; i < n; i++) {
        char why[160];
        const tb_roof_probe *p = &probes[i];
        CHECK(p->macs > 0 && p->per_loop > 0);
        if (!tb_roof_probe_runnable(p, why, sizeof why)) {
            CHECK(why[0] != '\0');
            CHECK(tb_roof_rate_per_ns(p->name) == 0.0);
            printf("%-16s skipped: %s\n", p->name, why);
            continue;
        }
        const double rate = tb_roof_rate_per_ns(p->name);
        const double ipc = rate / ghz;
        CHECKF(ipc > 0.0 && ipc <= p->issue_width, "%s: %.3f per ns at %.3f GHz = %.3f per cycle", p->name, rate,
               ghz, ipc);
        printf("%-16s %.3f per ns, %.2f per cycle at %.3f GHz\n", p->name, rate, ipc, ghz);
    }
}

static void check_kernel_roofs(bool masked)
{
    /* A kernel's roof is its probe's rate × MACs × 2, scaled by threads; unknown kernels have none. */
    CHECK(tb_roof_probe_for("i2", "scalar") == NULL);
    CHECK(tb_roof_probe_for("t5", "cuda") == NULL);
    CHECK(strcmp(tb_roof_probe_for("i2", "avx512_vnni"), "vpdpbusd_zmm") == 0);
    CHECK(strcmp(tb_roof_probe_for("t5", "avx2"), "vpmaddubsw_ymm") == 0);
    CHECK(strcmp(tb_roof_probe_for("fp32", "avx2"), "fma_ymm") == 0);
    CHECK(tb_compute_roof_gops("i2", "scalar", 1) == 0.0);
    const double one = tb_compute_roof_gops("i2", "avx512_vnni", 1);
    const double two = tb_compute_roof_gops("i2", "avx512_vnni", 2);
    CHECK(two == 2.0 * one);
    CHECK(one == tb_roof_rate_per_ns("vpdpbusd_zmm") * 64 * 2);
    const bool vnni = (trit_cpu_features() & TRIT_CPU_AVX512_VNNI) && (trit_cpu_features() & TRIT_CPU_AVX512F);
    CHECK((one > 0.0) == vnni);
    if (masked)
        CHECK(one == 0.0);
}

static void check_suite_rows(bool masked)
{
    tb_suite_config cfg = {0};
    cfg.threads[0] = 1;
    cfg.n_threads = 1;
    tb_registry *r = tb_registry_new();
    REQUIRE(r != NULL);
    REQUIRE(tb_suite_roof_register(r, &cfg) == 0);
    size_t n;
    tb_roof_probes(&n);
    CHECK(tb_registry_count(r) == n);
    tb_options opt;
    tb_options_default(&opt);
    opt.filter = "^roof/(clock|vpdpbusd_zmm)/";
    opt.min_iters = 20;
    tb_results res = {0};
    char err[256];
    REQUIRE(tb_run(r, &opt, NULL, &res, err, sizeof err) == 0);
    const tb_record *clock = tb_results_find(&res, "roof/clock/threads:1", NULL);
    REQUIRE(clock != NULL);
    CHECKF(!clock->error_occurred && !clock->skipped, "%s %s", clock->error_message, clock->skip_message);
    const double ghz = tb_record_counter(clock, "GHz", 0);
    CHECKF(ghz >= 0.5 && ghz <= 10.0, "suite clock %.3f GHz", ghz);
    const tb_record *v = tb_results_find(&res, "roof/vpdpbusd_zmm/threads:1", NULL);
    REQUIRE(v != NULL);
    const bool vnni = (trit_cpu_features() & TRIT_CPU_AVX512_VNNI) && (trit_cpu_features() & TRIT_CPU_AVX512F);
    if (!vnni) {
        CHECK(v->skipped && strstr(v->skip_message, "avx512_vnni") != NULL);
    } else {
        CHECK(!v->skipped && !v->error_occurred);
        const double rate = tb_record_counter(v, "Ginstr/s", 0), ipc = tb_record_counter(v, "ipc", 0);
        CHECKF(ipc > 0.0 && ipc <= 4.0, "suite ipc %.3f", ipc);
        /* Derived roofs are the rate times the instruction's work, exactly. */
        CHECK(tb_record_counter(v, "roof_GOP/s", 0) == rate * 64 * 2.0);
        CHECK(tb_record_counter(v, "i2_roof_GB/s", 0) == rate * 16.0);
        printf("suite: clock %.3f GHz, vpdpbusd zmm %.2f per cycle, I2 roof %.1f GB/s (label \"%s\")\n", ghz, ipc,
               rate * 16.0, v->label);
    }
    if (masked)
        CHECK(v->skipped);
    tb_results_free(&res);
    tb_registry_free(r);
}

int main(int argc, char **argv)
{
    const bool masked = argc > 1 && strcmp(argv[1], "masked") == 0;
    check_probes_direct();
    check_kernel_roofs(masked);
    check_suite_rows(masked);
    return check_exit();
}
