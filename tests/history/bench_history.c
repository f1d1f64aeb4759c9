/* bench_history.c — the history's two performance goals, measured (a benchmark, not a test: nothing is
 * asserted about time). 1) ingest of one run of 1,000 benchmarks × 9 repetitions into SQLite (best of 3);
 * 2) detect over 100 nights × 1,000 series: load the series from the database and find the change points.
 * Usage: bench_history [DIR [ingest|detect|all]] (a temp dir by default). Run under flock /tmp/tritbench-bench.lock. */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "tests/history/store_gen.h"
#include "tritbench/history.h"
#include "tritbench/bench.h"

static double now(void) { return tb_clock_seconds(); }

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : (getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    const char *what = argc > 2 ? argv[2] : "all"; /* ingest | detect | all */
    char path[4096], err[1024];
    snprintf(path, sizeof path, "%s/tritbench-bench-history-%d.sqlite", dir, (int)getpid());
    unlink(path);
    hist_db *db = hist_open(path, err, sizeof err);
    if (!db) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    double best = 1e9;
    for (int k = 0; k < 3 && strcmp(what, "detect") != 0; k++) {
        size_t len = 0;
        char date[32];
        snprintf(date, sizeof date, "2026-09-%02dT00:00:00Z", k + 1);
        char *text = gen_gbench(1000, 9, (uint64_t)k, date, "bench", 1.0, &len);
        hist_ingest_result r;
        double t0 = now();
        int rc = hist_ingest_buffer(db, text, len, "bench.json", NULL, &r, err, sizeof err);
        double dt = now() - t0;
        free(text);
        if (rc != 0) {
            fprintf(stderr, "%s\n", err);
            return 1;
        }
        if (dt < best)
            best = dt;
        printf("ingest 1000 benchmarks x 9 repetitions (%zu samples, JSON parse included): %.3f s\n", r.n_samples, dt);
    }
    if (strcmp(what, "detect") != 0)
        printf("ingest: best of 3 %.3f s (goal < 1 s)\n", best);
    hist_close(db);
    unlink(path);
    if (strcmp(what, "ingest") == 0)
        return 0;

    /* 100 nights × 1,000 series (3 repetitions a night keep the set-up short), a 5 % step in 10 series. */
    db = hist_open(path, err, sizeof err);
    double t0 = now();
    for (int night = 0; night < 100; night++) {
        size_t len = 0;
        char date[32], commit[16];
        snprintf(date, sizeof date, "2026-%02d-%02dT00:00:00Z", 1 + night / 28, 1 + night % 28);
        snprintf(commit, sizeof commit, "c%03d", night);
        /* bench0..bench9 5 % slower from night 61 (index 60). */
        char *text = gen_gbench_slow(1000, 3, (uint64_t)(500 + night), date, commit, 1.0, 10, night >= 60 ? 1.05 : 1.0,
                                     &len);
        hist_ingest_result r;
        if (hist_ingest_buffer(db, text, len, date, NULL, &r, err, sizeof err) != 0) {
            fprintf(stderr, "%s\n", err);
            return 1;
        }
        free(text);
    }
    printf("set-up: 100 nights x 1000 benchmarks x 3 repetitions ingested in %.1f s\n", now() - t0);
    t0 = now();
    hist_series *s;
    size_t ns;
    if (hist_load_series(db, NULL, NULL, false, &s, &ns, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    double t_load = now() - t0;
    hist_finding *f;
    size_t nf;
    double t1 = now();
    if (hist_detect_all(s, ns, NULL, &f, &nf) != 0)
        return 1;
    double t_detect = now() - t1;
    size_t hits = 0;
    for (size_t i = 0; i < nf; i++)
        hits += f[i].cp.index == 60;
    printf("detect over %zu series x %zu nights: load %.3f s + detection %.3f s = %.3f s (goal < 5 s); "
           "%zu change points, %zu of them at the planted step (10 series)\n",
           ns, ns ? s[0].n : 0, t_load, t_detect, t_load + t_detect, nf, hits);
    free(f);
    hist_series_free(s, ns);
    hist_close(db);
    unlink(path);
    return 0;
}
