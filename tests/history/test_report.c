/* test_report.c — the dashboard from a 30-night history built from real samples (drift rescaled to 1 %,
 * a 5 % step planted at night 21 in one family): index.html and report.md written, the planted family's regressions listed with
 * their commit range and nothing else, the validation failure shown, one trend plot per family inlined
 * (when gnuplot is present); and with only 23 nights the same step is tonight's news (new regression).
 * Usage: test_history_report FIXTURE.tsv DATA_DIR */
#include <unistd.h>

#include "tests/check.h"
#include "tests/files.h"
#include "tests/history/nights.h"
#include "tritbench/history.h"

static char err[1024];

static size_t occurrences(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

static hist_db *build(const char *db_path, int nights, const char *family, const char *data_dir)
{
    unlink(db_path);
    hist_db *db = hist_open(db_path, err, sizeof err);
    REQUIRE(db);
    char **docs = demo_history(nights, 20, family, 0.01);
    REQUIRE(docs);
    for (int k = 0; k < nights; k++) {
        hist_ingest_result r;
        REQUIRE(docs[k] && hist_ingest_buffer(db, docs[k], strlen(docs[k]), "demo", NULL, &r, err, sizeof err) == 0);
        free(docs[k]);
    }
    free(docs);
    char vr[4200], date[32];
    snprintf(vr, sizeof vr, "%s/validate_small.json", data_dir);
    snprintf(date, sizeof date, "2026-10-%02dT03:00:00Z", nights);
    hist_ingest_opts o = {.date = date};
    hist_ingest_result r;
    REQUIRE(hist_ingest_file(db, vr, &o, &r, err, sizeof err) == 0);
    return db;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s FIXTURE.tsv DATA_DIR\n", argv[0]);
        return 2;
    }
    if (!hist_have_sqlite()) {
        printf("SKIP: built without SQLite (%s)\n", hist_missing_backends());
        return 77;
    }
    REQUIRE(load(argv[1]) == 0 && n_rows > 0);
    const char *family = NULL;
    for (int r = 0; r < n_rows && !family; r++)
        if (strcmp(rows[r].family, rows[0].family) != 0)
            family = rows[r].family;
    REQUIRE(family);
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char db_path[4096], dir[4096];
    snprintf(db_path, sizeof db_path, "%s/tritbench-report-%d.sqlite", tmp, (int)getpid());
    snprintf(dir, sizeof dir, "%s/tritbench-report-%d", tmp, (int)getpid());

    hist_db *db = build(db_path, 30, family, argv[2]);
    hist_report_summary sum;
    hist_report_opts o = {.db_label = "test.sqlite"};
    REQUIRE(hist_write_report(db, dir, &o, &sum, err, sizeof err) == 0);
    printf("30 nights: %zu series, %zu families, %zu change points (%zu regressions, %zu new), %zu/%zu plots\n",
           sum.n_series, sum.n_families, sum.n_changes, sum.n_regressions, sum.n_new_regressions,
           sum.n_plots_rendered, sum.n_plots);
    CHECK(sum.n_series == (size_t)n_rows + 1); /* + the validation run's own machine */
    CHECK(sum.n_regressions > 0 && sum.n_regressions == sum.n_changes);
    CHECK(sum.n_failed_verdicts == 1);
    CHECK(strcmp(sum.latest_date, "2026-10-30T03:00:00Z") == 0);
    char path[4200];
    snprintf(path, sizeof path, "%s/index.html", dir);
    char *html = test_slurp(path);
    REQUIRE(html);
    CHECK(strstr(html, "<!DOCTYPE html>") && strstr(html, "</html>"));
    CHECK(strstr(html, "FP16 tied embedding") != NULL);
    CHECK(strstr(html, "01a73bf..01a7790") != NULL); /* night 20 → 21: the commits to bisect */
    CHECK(occurrences(html, "<figure class=\"trend\"") == sum.n_families);
    if (sum.n_plots_rendered == sum.n_plots)
        CHECK(occurrences(html, "<svg") == sum.n_families);
    else
        printf("plots not rendered: %s\n", sum.plots_note);
    /* Every change listed belongs to the planted family. */
    for (int r = 0; r < n_rows; r++)
        if (strcmp(rows[r].family, family) != 0) {
            char cell[200];
            snprintf(cell, sizeof cell, "<td>%s</td>", rows[r].name);
            CHECKF(strstr(html, cell) == NULL, "%s listed with a change", rows[r].name);
        }
    free(html);
    snprintf(path, sizeof path, "%s/report.md", dir);
    char *md = test_slurp(path);
    REQUIRE(md);
    CHECK(strstr(md, "## Change points") && strstr(md, "## Trends per benchmark family"));
    free(md);
    hist_close(db);

    /* Night by night from 21: the step is news on the first night it is found, and only then. */
    unlink(db_path);
    db = hist_open(db_path, err, sizeof err);
    REQUIRE(db);
    char **docs = demo_history(30, 20, family, 0.01);
    REQUIRE(docs);
    int first_seen = 0;
    size_t seen_before = 0;
    for (int k = 0; k < 30; k++) {
        hist_ingest_result r;
        REQUIRE(hist_ingest_buffer(db, docs[k], strlen(docs[k]), "demo", NULL, &r, err, sizeof err) == 0);
        free(docs[k]);
        if (k < 20)
            continue;
        hist_series *s;
        size_t ns, nf;
        hist_finding *f;
        REQUIRE(hist_load_series(db, NULL, NULL, false, &s, &ns, err, sizeof err) == 0);
        REQUIRE(hist_detect_all(s, ns, NULL, &f, &nf) == 0);
        size_t n_new = 0;
        for (size_t i = 0; i < nf; i++)
            n_new += f[i].is_new;
        CHECKF(nf - n_new == seen_before, "night %d: %zu change points, %zu new, %zu before", k + 1, nf, n_new,
               seen_before);
        if (nf && !first_seen) {
            first_seen = k + 1;
            CHECK(n_new == nf);
        }
        seen_before = nf;
        free(f);
        hist_series_free(s, ns);
    }
    free(docs);
    printf("night by night: the step (night 21) first found on night %d\n", first_seen);
    CHECK(first_seen >= 24 && first_seen <= 30); /* the rank test needs ≥ 4 nights after a change */
    hist_close(db);
    unlink(db_path);
    return check_exit();
}
