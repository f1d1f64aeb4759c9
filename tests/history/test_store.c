/* test_store.c — the history store against a real database: SQLite (a temp file) or PostgreSQL (the
 * server TRITBENCH_TEST_PG names; skipped, exit 77, without one). Ingest of both file kinds, idempotent
 * re-ingest, overrides, runs and verdicts, series, export round trip, bad files, a killed ingest leaving
 * nothing, migrations from an old schema, a newer schema refused, two concurrent ingests both whole,
 * the learned noise. Usage: test_history_store sqlite|pg DATA_DIR */
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "history/store.h"
#include "tests/check.h"
#include "tests/history/store_gen.h"
#include "tritbench/history.h"

static char spec[4096];
static const char *data_dir;
static char err[1024];

static int64_t count(hist_db *db, const char *sql)
{
    int64_t v = -1;
    bool found;
    if (db_int64(db, sql, 0, NULL, &v, &found, err, sizeof err) != 0)
        fprintf(stderr, "count: %s\n", err);
    return v;
}

static void path_of(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", data_dir, name);
}

static void fresh_database(void)
{
    hist_db *db = hist_open_at_version(spec, -1, err, sizeof err); /* whatever version a previous run left */
    if (!db) {
        fprintf(stderr, "cannot open %s: %s\n", spec, err);
        exit(strncmp(spec, "postgres", 8) == 0 ? 77 : 1);
    }
    if (strcmp(hist_backend_name(db), "postgresql") == 0)
        REQUIRE(db_exec(db, "DROP TABLE IF EXISTS counters, samples, verdicts, results, runs, benchmarks, machines,"
                            " meta CASCADE",
                        err, sizeof err) == 0);
    hist_close(db);
}

static void ingest_and_query(void)
{
    hist_db *db = hist_open(spec, err, sizeof err);
    REQUIRE(db);
    CHECK(hist_schema_version(db) == hist_schema_latest());
    char gb[4200], vr[4200];
    path_of(gb, sizeof gb, "gbench_small.json");
    path_of(vr, sizeof vr, "validate_small.json");
    hist_ingest_result r;
    REQUIRE(hist_ingest_file(db, gb, NULL, &r, err, sizeof err) == 0);
    CHECK(!r.duplicate && strcmp(r.kind, "benchmark") == 0);
    /* avx2 (3 samples), scalar (3), cuda (skipped: kept, no samples), BM_agg_only (median as 1 sample);
     * the BigO row holds nothing measured. */
    CHECKF(r.n_benchmarks == 4 && r.n_samples == 7, "%zu benchmarks, %zu samples", r.n_benchmarks, r.n_samples);
    int64_t first = r.run_id;
    REQUIRE(hist_ingest_file(db, gb, NULL, &r, err, sizeof err) == 0);
    CHECK(r.duplicate && r.run_id == first && r.n_samples == 0);
    CHECK(count(db, "SELECT COUNT(*) FROM runs") == 1);
    CHECK(count(db, "SELECT COUNT(*) FROM samples") == 7);
    CHECK(count(db, "SELECT COUNT(*) FROM counters") == 3 * 2 + 3); /* GB/s + pct (avx2), GB/s (scalar) */
    CHECK(count(db, "SELECT COUNT(*) FROM counters WHERE value IS NULL") == 1); /* "GB/s": null */

    REQUIRE(hist_ingest_file(db, vr, NULL, &r, err, sizeof err) == 0);
    CHECK(strcmp(r.kind, "validate") == 0 && r.n_verdicts == 2 && r.n_samples == 2);
    int64_t validate_id = r.run_id;

    hist_ingest_opts o = {.commit = "cccc3333", .date = "2026-11-03T00:00:00Z", .tags = "manual"};
    REQUIRE(hist_ingest_file(db, gb, &o, &r, err, sizeof err) == 0);
    CHECK(!r.duplicate); /* same bytes, other metadata: another run */

    hist_run *runs;
    size_t n;
    REQUIRE(hist_list_runs(db, &runs, &n, err, sizeof err) == 0);
    REQUIRE(n == 3);
    CHECKF(strcmp(runs[0].date, "2026-11-01T01:00:00Z") == 0, "%s", runs[0].date); /* +01:00 → UTC */
    CHECK(strcmp(runs[0].commit, "aaaa1111") == 0 && strcmp(runs[0].host, "nightly-1") == 0);
    CHECK(strcmp(runs[1].kind, "validate") == 0 && strcmp(runs[1].profile, "bitnet-phase4") == 0);
    CHECK(runs[1].n_verdicts == 2 && runs[1].n_failed == 1);
    CHECK(strcmp(runs[2].commit, "cccc3333") == 0 && strcmp(runs[2].tags, "manual") == 0);
    CHECK(strcmp(runs[0].fingerprint, runs[1].fingerprint) == 0 && strlen(runs[0].fingerprint) == 16);
    CHECK(runs[0].n_benchmarks == 4 && runs[0].n_samples == 7);
    free(runs);

    hist_verdict *v;
    REQUIRE(hist_run_verdicts(db, validate_id, &v, &n, err, sizeof err) == 0);
    CHECK(n == 2 && strcmp(v[0].verdict, "FAIL") == 0 && strstr(v[0].reason, "embedding"));
    free(v);

    hist_series *s;
    REQUIRE(hist_load_series(db, "avx2", NULL, false, &s, &n, err, sizeof err) == 0);
    REQUIRE(n == 1 && s[0].n == 3);
    CHECK(fabs(s[0].points[0].median - 10.5e-6) < 1e-15 && fabs(s[0].points[0].lo - 10.0e-6) < 1e-15);
    CHECK(fabs(s[0].points[1].median - 10.2e-6) < 1e-15 && s[0].points[1].n_reps == 2);
    CHECK(strcmp(s[0].points[2].commit, "cccc3333") == 0);
    hist_series_free(s, n);
    CHECK(hist_load_series(db, "(", NULL, false, &s, &n, err, sizeof err) != 0 && strstr(err, "regex"));

    /* Export: google/benchmark JSON that ingests back to the same samples. */
    char *json;
    REQUIRE(hist_export_run(db, first, &json, err, sizeof err) == 0);
    json_error_t je;
    json_t *root = json_loads(json, 0, &je);
    REQUIRE(root);
    json_t *b = json_object_get(root, "benchmarks");
    size_t i, n_avx2 = 0, n_skipped = 0;
    json_t *e;
    json_array_foreach(b, i, e)
    {
        const char *nm = json_string_value(json_object_get(e, "name"));
        if (strcmp(nm, "gemv/i2/avx2/640x2560/threads:1") == 0) {
            n_avx2++;
            CHECK(strcmp(json_string_value(json_object_get(e, "time_unit")), "us") == 0);
            double t = json_number_value(json_object_get(e, "real_time"));
            CHECK(fabs(t - 10.5) < 1e-9 || fabs(t - 10.0) < 1e-9 || fabs(t - 11.0) < 1e-9);
            CHECK(json_object_get(e, "GB/s") != NULL);
        }
        if (json_is_true(json_object_get(e, "skipped")))
            n_skipped++;
    }
    CHECK(n_avx2 == 3 && n_skipped == 1);
    CHECK(strcmp(json_string_value(json_object_get(json_object_get(root, "context"), "cpu_model")), "Test CPU") == 0);
    json_decref(root);
    hist_ingest_opts o2 = {.commit = "export-roundtrip"};
    REQUIRE(hist_ingest_buffer(db, json, strlen(json), "export", &o2, &r, err, sizeof err) == 0);
    CHECK(!r.duplicate && r.n_samples == 7 && r.n_benchmarks == 4);
    free(json);
    CHECK(hist_export_run(db, 9999, &json, err, sizeof err) != 0 && strstr(err, "no run 9999"));

    /* Bad files: a message naming the file and the problem; nothing stored. */
    int64_t before = count(db, "SELECT COUNT(*) FROM runs");
    CHECK(hist_ingest_buffer(db, "{", 1, "broken.json", NULL, &r, err, sizeof err) != 0 &&
          strstr(err, "broken.json") && strstr(err, "invalid JSON"));
    CHECK(hist_ingest_buffer(db, "{\"a\": 1}", 8, "other.json", NULL, &r, err, sizeof err) != 0 &&
          strstr(err, "not a google/benchmark"));
    const char *bad_date = "{\"context\": {\"date\": \"yesterday\"}, \"benchmarks\": []}";
    CHECK(hist_ingest_buffer(db, bad_date, strlen(bad_date), "d.json", NULL, &r, err, sizeof err) != 0 &&
          strstr(err, "ISO 8601"));
    CHECK(hist_ingest_file(db, "/nonexistent/x.json", NULL, &r, err, sizeof err) != 0 && strstr(err, "cannot open"));
    CHECK(count(db, "SELECT COUNT(*) FROM runs") == before);
    hist_close(db);
}

static void kill_after_two(size_t n_stored)
{
    if (n_stored == 2)
        raise(SIGKILL); /* as a user's kill -9 or an OOM kill in the middle of the transaction */
}

static void killed_ingest_leaves_nothing(void)
{
    hist_db *db = hist_open(spec, err, sizeof err);
    REQUIRE(db);
    int64_t runs = count(db, "SELECT COUNT(*) FROM runs"), results = count(db, "SELECT COUNT(*) FROM results");
    int64_t samples = count(db, "SELECT COUNT(*) FROM samples"), names = count(db, "SELECT COUNT(*) FROM benchmarks");
    hist_close(db);
    size_t len;
    char *text = gen_gbench(50, 3, 7, "2026-11-20T00:00:00Z", "killed", 1.0, &len);
    REQUIRE(text);
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        hist_db *child = hist_open(spec, err, sizeof err);
        hist_ingest_test_hook = kill_after_two;
        hist_ingest_result r;
        if (child)
            hist_ingest_buffer(child, text, len, "killed.json", NULL, &r, err, sizeof err);
        _exit(3); /* not reached when the hook fired */
    }
    int status;
    waitpid(pid, &status, 0);
    CHECKF(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "child status %d", status);
    db = hist_open(spec, err, sizeof err);
    REQUIRE(db);
    CHECK(count(db, "SELECT COUNT(*) FROM runs") == runs);
    CHECK(count(db, "SELECT COUNT(*) FROM results") == results);
    CHECK(count(db, "SELECT COUNT(*) FROM samples") == samples);
    CHECK(count(db, "SELECT COUNT(*) FROM benchmarks") == names);
    /* The same file ingests whole afterwards. */
    hist_ingest_result r;
    REQUIRE(hist_ingest_buffer(db, text, len, "killed.json", NULL, &r, err, sizeof err) == 0);
    CHECK(!r.duplicate && r.n_benchmarks == 50 && r.n_samples == 150);
    hist_close(db);
    free(text);
}

static void concurrent_ingests_both_land(void)
{
    enum { N = 300, REPS = 9 };
    hist_db *db = hist_open(spec, err, sizeof err);
    REQUIRE(db);
    int64_t samples0 = count(db, "SELECT COUNT(*) FROM samples");
    hist_close(db);
    pid_t pids[2];
    for (int k = 0; k < 2; k++) {
        pids[k] = fork();
        REQUIRE(pids[k] >= 0);
        if (pids[k] == 0) {
            size_t len;
            char date[32];
            snprintf(date, sizeof date, "2026-11-2%dT00:00:00Z", k + 1);
            char *text = gen_gbench(N, REPS, (uint64_t)(100 + k), date, k ? "conc-b" : "conc-a", 1.0, &len);
            hist_db *c = text ? hist_open(spec, err, sizeof err) : NULL;
            hist_ingest_result r;
            int rc = c ? hist_ingest_buffer(c, text, len, k ? "b.json" : "a.json", NULL, &r, err, sizeof err) : -1;
            if (rc != 0)
                fprintf(stderr, "concurrent ingest %d: %s\n", k, err);
            hist_close(c);
            free(text);
            _exit(rc == 0 && r.n_samples == N * REPS ? 0 : 1);
        }
    }
    for (int k = 0; k < 2; k++) {
        int status;
        waitpid(pids[k], &status, 0);
        CHECKF(WIFEXITED(status) && WEXITSTATUS(status) == 0, "ingest %d failed", k);
    }
    db = hist_open(spec, err, sizeof err);
    REQUIRE(db);
    CHECK(count(db, "SELECT COUNT(*) FROM samples") == samples0 + 2 * N * REPS);
    CHECK(count(db, "SELECT COUNT(*) FROM runs WHERE git_commit IN ('conc-a', 'conc-b')") == 2);
    CHECK(count(db, "SELECT COUNT(*) FROM results s JOIN runs r ON r.id = s.run_id WHERE r.git_commit = 'conc-a'") ==
          N);
    hist_close(db);
}

static void learned_noise(void)
{
    hist_db *db = hist_open(spec, err, sizeof err);
    REQUIRE(db);
    for (int night = 0; night < 6; night++) {
        size_t len;
        char date[32], commit[16];
        snprintf(date, sizeof date, "2026-12-%02dT00:00:00Z", night + 1);
        snprintf(commit, sizeof commit, "n%d", night);
        char *text = gen_gbench(20, 5, (uint64_t)(1000 + night), date, commit, 1.0 + 0.01 * (night % 2), &len);
        hist_ingest_result r;
        REQUIRE(text && hist_ingest_buffer(db, text, len, date, NULL, &r, err, sizeof err) == 0);
        free(text);
    }
    char fp[20];
    char gb[4200];
    path_of(gb, sizeof gb, "gbench_small.json");
    REQUIRE(hist_fingerprint_of_file(gb, NULL, fp, sizeof fp, err, sizeof err) == 0);
    hist_noise *nv;
    size_t n;
    REQUIRE(hist_learned_noise(db, NULL, &nv, &n, err, sizeof err) == 0);
    const hist_noise *one = hist_noise_find(nv, n, "fam3/bench13");
    REQUIRE(one);
    CHECKF(one->rel_sd > 0.002 && one->rel_sd < 0.02, "rel sd %g", one->rel_sd); /* ±1 % alternation */
    CHECK(one->nights >= 6);
    CHECK(hist_noise_find(nv, n, "no/such/bench") == NULL);
    hist_noise_free(nv, n);
    hist_close(db);
}

static void migrations(void)
{
    if (strncmp(spec, "postgres", 8) == 0) {
        fresh_database();
    } else {
        snprintf(spec + strlen(spec), sizeof spec - strlen(spec), ".old");
        unlink(spec);
    }
    hist_db *db = hist_open_at_version(spec, 1, err, sizeof err);
    REQUIRE(db);
    CHECK(hist_schema_version(db) == 1);
    hist_close(db);
    db = hist_open(spec, err, sizeof err); /* migrates 1 → latest */
    REQUIRE(db);
    CHECK(hist_schema_version(db) == hist_schema_latest());
    char gb[4200];
    path_of(gb, sizeof gb, "gbench_small.json");
    hist_ingest_result r;
    CHECK(hist_ingest_file(db, gb, NULL, &r, err, sizeof err) == 0);
    REQUIRE(db_exec(db, "UPDATE meta SET value = '99' WHERE key = 'schema_version'", err, sizeof err) == 0);
    hist_close(db);
    db = hist_open(spec, err, sizeof err);
    CHECK(!db && strstr(err, "newer than this tritbench"));
    hist_close(db);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s sqlite|pg DATA_DIR\n", argv[0]);
        return 2;
    }
    data_dir = argv[2];
    if (strcmp(argv[1], "pg") == 0) {
        const char *url = getenv("TRITBENCH_TEST_PG");
        if (!hist_have_postgresql()) {
            printf("SKIP: built without PostgreSQL support (%s)\n", hist_missing_backends());
            return 77;
        }
        if (!url || !*url) {
            printf("SKIP: no PostgreSQL server: set TRITBENCH_TEST_PG=postgresql://… (.ci/run starts one)\n");
            return 77;
        }
        snprintf(spec, sizeof spec, "%s", url);
        hist_db *probe = hist_open_at_version(spec, -1, err, sizeof err);
        if (!probe) {
            printf("SKIP: PostgreSQL not reachable at %s: %s\n", url, err);
            return 77;
        }
        hist_close(probe);
    } else {
        if (!hist_have_sqlite()) {
            printf("SKIP: built without SQLite support (%s)\n", hist_missing_backends());
            return 77;
        }
        const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
        snprintf(spec, sizeof spec, "%s/tritbench-history-test-%d.sqlite", tmp, (int)getpid());
        unlink(spec);
    }
    fresh_database();
    ingest_and_query();
    killed_ingest_leaves_nothing();
    concurrent_ingests_both_land();
    learned_noise();
    migrations();
    if (strncmp(spec, "postgres", 8) != 0) {
        unlink(spec);
        char *dot = strrchr(spec, '.');
        if (dot)
            *dot = '\0';
        unlink(spec);
        char side[4200];
        snprintf(side, sizeof side, "%s-wal", spec);
        unlink(side);
        snprintf(side, sizeof side, "%s-shm", spec);
        unlink(side);
    }
    return check_exit();
}
