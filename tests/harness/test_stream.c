/* test_stream.c — the stream suite: instance names and sizes from the caches, every kernel's
 * validation passing with 1 and 2 threads, and the memoized read roofline. Checks values, never speed. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "suite_list.h"
#include "tests/check.h"
#include "tritbench/context.h"

int main(void)
{
    tb_suite_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.threads[0] = 1;
    cfg.threads[1] = 2;
    cfg.n_threads = 2;
    cfg.quick = true;
    tb_registry *r = tb_registry_new();
    REQUIRE(r && tb_suite_stream_register(r, &cfg) == 0);
    size_t n = tb_registry_count(r);
    CHECKF(n == 5 * 2 * 2, "%zu quick instances (5 kernels x 2 sizes x 2 thread counts)", n);
    static const char *const kernels[] = {"read", "copy", "scale", "add", "triad"};
    for (int k = 0; k < 5; k++) {
        char prefix[64];
        snprintf(prefix, sizeof prefix, "stream/%s/", kernels[k]);
        int seen = 0;
        for (size_t i = 0; i < n; i++)
            seen += strncmp(tb_registry_name(r, i), prefix, strlen(prefix)) == 0;
        CHECKF(seen == 4, "%s: %d instances", kernels[k], seen);
    }
    CHECK(strstr(tb_registry_name(r, 0), "KiB/threads:1") != NULL);
    CHECK(strstr(tb_registry_name(r, 1), "KiB/threads:2") != NULL);

    tb_options o;
    tb_options_default(&o);
    o.min_iters = 2;
    tb_results res = {0};
    char err[256];
    REQUIRE(tb_run(r, &o, NULL, &res, err, sizeof err) == 0);
    REQUIRE(res.count == n);
    for (size_t i = 0; i < res.count; i++) {
        const tb_record *rec = &res.records[i];
        CHECKF(!rec->error_occurred && !rec->skipped, "%s: %s%s", rec->name, rec->error_message, rec->skip_message);
        CHECK(rec->iterations == 2);
        CHECK(tb_record_counter(rec, "GB/s", 0) > 0 && tb_record_counter(rec, "bytes_per_second", 0) > 0);
        CHECK(strcmp(rec->label, "L1") == 0 || strcmp(rec->label, "L2") == 0);
    }
    tb_results_free(&res);
    tb_registry_free(r);

    /* The full (non-quick) set reaches at least 4x the last-level cache. */
    cfg.quick = false;
    cfg.n_threads = 1;
    r = tb_registry_new();
    REQUIRE(r && tb_suite_stream_register(r, &cfg) == 0);
    tb_context ctx;
    tb_context_collect(&ctx);
    long long llc = tb_context_llc_bytes(&ctx);
    long long largest = 0;
    for (size_t i = 0; i < tb_registry_count(r); i++) {
        const char *name = tb_registry_name(r, i);
        const char *size = strchr(name + strlen("stream/"), '/') + 1;
        char *unit;
        long long v = strtoll(size, &unit, 10) * (strncmp(unit, "MiB", 3) == 0 ? 1024 * 1024 : 1024);
        largest = v > largest ? v : largest;
    }
    CHECKF(llc <= 0 || largest >= 4 * llc, "largest %lld vs LLC %lld", largest, llc);
    tb_registry_free(r);

    double a = tb_stream_read_gbps(256 * 1024, 1);
    CHECK(a > 0.0 && isfinite(a));
    CHECK(tb_stream_read_gbps(256 * 1024, 1) == a);     /* memoized: measured once */
    CHECK(tb_stream_read_gbps(256 * 1024 + 8, 1) == a); /* same size class */
    CHECK(tb_stream_read_gbps(16, 1) == 0.0);           /* too small to measure */
    CHECK(tb_stream_read_gbps(256 * 1024, 0) == 0.0);
    return check_exit();
}
