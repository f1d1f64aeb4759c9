/* test_json.c — results written as google/benchmark JSON (atomically, to a file), parsed back with
 * jansson and checked field by field; CSV and console forms of the same records; context keys. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fake_clock.h"
#include "tests/check.h"
#include "tritbench/reporters.h"

static void run_bytes(tb_state *st)
{
    int n = 0;
    while (tb_keep_running(st)) {
        /* Repetition-dependent speed so the aggregates differ from the runs. */
        fake_advance((1.0 + (double)(n % 3)) / 1024.0, 1.0 / 1024.0);
        n++;
    }
    tb_set_bytes_processed(st, (double)tb_iterations(st) * 4096.0);
    tb_counter(st, "GB/s", (double)tb_iterations(st) * 4096.0 / 1e9, TB_COUNTER_RATE);
    tb_set_label(st, "label \"quoted\"");
}

static void run_skip(tb_state *st)
{
    tb_skip(st, "needs avx512_vnni");
}

static const char *str(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static void check_context(json_t *ctx)
{
    REQUIRE(json_is_object(ctx));
    static const char *const keys[] = {"date", "host_name", "executable", "num_cpus", "mhz_per_cpu",
                                       "cpu_scaling_enabled", "caches", "load_avg", "library_version",
                                       "library_build_type", "json_schema_version", "cpu_model", "compiler",
                                       "cflags", "git_commit", "topology", "perf_counters", "missing"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        CHECKF(json_object_get(ctx, keys[i]) != NULL, "context lacks %s", keys[i]);
    CHECK(json_integer_value(json_object_get(ctx, "json_schema_version")) == 1);
    CHECK(json_integer_value(json_object_get(ctx, "num_cpus")) >= 1);
    CHECK(json_array_size(json_object_get(ctx, "load_avg")) == 3);
    CHECK(strcmp(str(ctx, "isa_features"), "avx2 test") == 0); /* an extra */
    json_t *caches = json_object_get(ctx, "caches");
    CHECK(json_is_array(caches));
    for (size_t i = 0; i < json_array_size(caches); i++) {
        json_t *c = json_array_get(caches, i);
        CHECK(json_is_string(json_object_get(c, "type")) && json_integer_value(json_object_get(c, "level")) >= 1 &&
              json_integer_value(json_object_get(c, "size")) > 0 && json_is_integer(json_object_get(c, "num_sharing")));
    }
    const char *bt = str(ctx, "library_build_type");
    CHECK(bt && (strcmp(bt, "release") == 0 || strcmp(bt, "debug") == 0));
    const char *perf = str(ctx, "perf_counters");
    CHECK(perf && (strncmp(perf, "PAPI", 4) == 0 || strncmp(perf, "unavailable: ", 13) == 0));
}

static void check_benchmarks(json_t *list, const tb_results *res)
{
    REQUIRE(json_is_array(list));
    REQUIRE(json_array_size(list) == res->count);
    for (size_t i = 0; i < res->count; i++) {
        const tb_record *r = &res->records[i];
        json_t *b = json_array_get(list, i);
        CHECK(strcmp(str(b, "name"), r->name) == 0);
        CHECK(strcmp(str(b, "run_name"), r->run_name) == 0);
        CHECK(json_integer_value(json_object_get(b, "family_index")) == r->family_index);
        CHECK(json_integer_value(json_object_get(b, "per_family_instance_index")) == r->per_family_instance_index);
        CHECK(json_integer_value(json_object_get(b, "repetitions")) == r->repetitions);
        CHECK(json_integer_value(json_object_get(b, "threads")) == r->threads);
        CHECK(json_integer_value(json_object_get(b, "iterations")) == r->iterations);
        CHECK(strcmp(str(b, "time_unit"), "us") == 0);
        CHECK(json_real_value(json_object_get(b, "real_time")) == r->real_time); /* %.17g round trip */
        CHECK(json_real_value(json_object_get(b, "cpu_time")) == r->cpu_time);
        if (r->run_type == TB_RUN_AGGREGATE) {
            CHECK(strcmp(str(b, "run_type"), "aggregate") == 0);
            CHECK(strcmp(str(b, "aggregate_name"), r->aggregate_name) == 0);
            CHECK(strcmp(str(b, "aggregate_unit"), r->aggregate_unit) == 0);
            CHECK(json_object_get(b, "repetition_index") == NULL);
        } else {
            CHECK(strcmp(str(b, "run_type"), "iteration") == 0);
            CHECK(json_integer_value(json_object_get(b, "repetition_index")) == r->repetition_index);
            CHECK(json_object_get(b, "aggregate_name") == NULL);
        }
        for (int c = 0; c < r->n_counters; c++)
            CHECK(json_real_value(json_object_get(b, r->counters[c].name)) == r->counters[c].value);
        if (r->skipped) {
            CHECK(json_is_true(json_object_get(b, "skipped")));
            CHECK(strcmp(str(b, "skip_message"), "needs avx512_vnni") == 0);
        } else {
            CHECK(json_object_get(b, "skipped") == NULL && json_object_get(b, "error_occurred") == NULL);
            if (r->run_type == TB_RUN_ITERATION)
                CHECK(strcmp(str(b, "label"), "label \"quoted\"") == 0);
        }
    }
}

int main(void)
{
    tb_registry *reg = tb_registry_new();
    REQUIRE(reg);
    tb_bench_spec s = {.family = "json", .args = "bytes", .run = run_bytes, .threads = 2, .time_unit = TB_US};
    REQUIRE(tb_register(reg, &s) == 0);
    tb_bench_spec k = {.family = "json", .args = "skip", .run = run_skip, .threads = 1, .time_unit = TB_US};
    REQUIRE(tb_register(reg, &k) == 0);
    tb_options o;
    tb_options_default(&o);
    o.min_time = 0.01;
    o.repetitions = 3;
    tb_results res = {0};
    char err[512];
    REQUIRE(tb_run_with_clock(reg, &o, NULL, &res, &fake_clock, err, sizeof err) == 0);
    REQUIRE(res.count == 3 + 5 + 3);
    const tb_record *mean = tb_results_find(&res, "json/bytes/threads:2", "mean");
    REQUIRE(mean);
    CHECK(tb_record_counter(mean, "bytes_per_second", -1) > 0 && tb_record_counter(mean, "GB/s", -1) > 0);

    tb_context ctx;
    tb_context_collect(&ctx);
    const int collected = ctx.n_extras; /* collect's own (kernel_release) */
    tb_context_add(&ctx, "isa_features", "avx2");
    tb_context_add(&ctx, "isa_features", "avx2 test"); /* same key: replaced */
    CHECK(ctx.n_extras == collected + 1);

    char dir[] = "/tmp/tb_json_XXXXXX";
    REQUIRE(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/out.json", dir);
    REQUIRE(tb_results_write_file(path, TB_FORMAT_JSON, &ctx, &res, err, sizeof err) == 0);
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    REQUIRE(root);
    check_context(json_object_get(root, "context"));
    check_benchmarks(json_object_get(root, "benchmarks"), &res);
    json_decref(root);

    /* CSV: a header, one line per record, the label quoted with its quotes doubled. */
    snprintf(path, sizeof path, "%s/out.csv", dir);
    REQUIRE(tb_results_write_file(path, TB_FORMAT_CSV, &ctx, &res, err, sizeof err) == 0);
    FILE *f = fopen(path, "r");
    REQUIRE(f);
    char line[2048];
    int lines = 0, quoted = 0;
    REQUIRE(fgets(line, sizeof line, f));
    CHECK(strncmp(line, "name,iterations,real_time,cpu_time,time_unit,bytes_per_second,items_per_second,label,"
                        "error_occurred,error_message,\"GB/s\"",
                  110) == 0);
    while (fgets(line, sizeof line, f)) {
        lines++;
        quoted += strstr(line, "\"label \"\"quoted\"\"\"") != NULL;
    }
    fclose(f);
    CHECK(lines == (int)res.count);
    CHECKF(quoted == 8, "%d labelled lines", quoted); /* 3 runs + their 5 aggregates (google copies the label) */

    /* Console: every record's name appears, the skip says why. */
    snprintf(path, sizeof path, "%s/out.txt", dir);
    REQUIRE(tb_results_write_file(path, TB_FORMAT_CONSOLE, &ctx, &res, err, sizeof err) == 0);
    f = fopen(path, "r");
    REQUIRE(f);
    char all[16384];
    size_t n = fread(all, 1, sizeof all - 1, f);
    all[n] = '\0';
    fclose(f);
    CHECK(strstr(all, "Run on (") && strstr(all, "Benchmark") && strstr(all, "json/bytes/threads:2_median"));
    CHECK(strstr(all, "SKIPPED: 'needs avx512_vnni'") != NULL);
    CHECK(strstr(all, "Load Average:") != NULL);

    /* A directory that does not exist: refused, with the path in the message. */
    CHECK(tb_results_write_file("/nonexistent-dir/x.json", TB_FORMAT_JSON, &ctx, &res, err, sizeof err) == -1);
    CHECK(strstr(err, "/nonexistent-dir/x.json") != NULL);

    snprintf(path, sizeof path, "%s/out.json", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/out.csv", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/out.txt", dir);
    unlink(path);
    rmdir(dir);
    tb_results_free(&res);
    tb_registry_free(reg);
    return check_exit();
}
