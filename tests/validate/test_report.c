/* test_report.c — the writers: report.md's sign-off table matches results.json row for row, tables and
 * notes land in both, benchmark records keep google/benchmark's schema, and plots without gnuplot are
 * skipped with the reason while the report stays complete. */
#include <dirent.h>
#include <ftw.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "validate/vr_internal.h"
#include "tests/check.h"
#include "tests/files.h"

static bool exists(const char *dir, const char *name)
{
    char p[4200];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    struct stat st;
    return stat(p, &st) == 0 && st.st_size > 0;
}

static vr_report *planted_report(void)
{
    static const char *profile =
        "{\"profile_version\": 1, \"name\": \"planted\", \"targets\": {"
        "\"speedup_gemv\": {\"min\": 2.0, \"optimal\": 4.0, \"unit\": \"x\"}, \"nmse\": {\"max\": 0.3},"
        "\"sparsity\": {\"min\": 0.2, \"max\": 0.5, \"unit\": \"fraction\"}}}";
    vr_profile p;
    char err[256];
    REQUIRE(vr_profile_parse(profile, strlen(profile), "planted.json", &p, err, sizeof err) == 0);
    vr_report *r = vr_report_new(&p);
    REQUIRE(r);
    snprintf(r->command, sizeof r->command, "tritbench validate --seed=7");
    tb_context_collect(&r->ctx);
    vr_check(r, "kernels", "speedup_gemv", "i2/avx512_vnni gemv q_proj 2560x2560", 5.25, NULL);
    vr_check(r, "kernels", "speedup_gemv", "t5/avx2 gemv | with a pipe", 1.5, NULL);
    vr_check(r, "kernels", "nmse", "gaussian", 0.27, NULL);
    vr_check(r, "kernels", "sparsity", "gaussian", 0.31, NULL);
    vr_check(r, "cuda", "speedup_gemv", "cuda", 0, "no GPU: no CUDA device");
    vr_check(r, "e2e", "e2e_decode_speedup", "bitnet-2b", 3.0, NULL);
    const char *h[] = {"Shape", "Value"};
    vr_table *t = vr_table_new(r, "kernels", "A planted table", 2, h);
    const char *row[] = {"q_proj", "12.5"};
    vr_table_add_row(t, row);
    vr_note(r, "kernels", "A planted note: %d", 42);
    vr_metric(r, "kernels", "planted_metric", 3.5);
    vr_plot(r, "kernels", "planted", "A planted plot", "plot datafile using 1:2 with lines title 'y'",
            "# x\ty\n1\t2\n2\t4\n3\t1\n");
    tb_results res = {0};
    tb_record rec;
    memset(&rec, 0, sizeof rec);
    snprintf(rec.name, sizeof rec.name, "gemv/i2/avx512_vnni/2560x2560/threads:1");
    snprintf(rec.run_name, sizeof rec.run_name, "%s", rec.name);
    snprintf(rec.family, sizeof rec.family, "gemv/i2");
    rec.repetitions = 1;
    rec.threads = 1;
    rec.iterations = 100;
    rec.real_time = 12.5;
    rec.cpu_time = 12.4;
    rec.time_unit = TB_US;
    res.records = &rec;
    res.count = 1;
    vr_add_records(r, &res);
    return r;
}

/* The sign-off rows of report.md: lines between "## Sign-off" and the first blank line after the table. */
static size_t md_signoff_rows(const char *md, char rows[][6][256], size_t cap)
{
    const char *p = strstr(md, "## Sign-off");
    if (!p)
        return 0;
    p = strstr(p, "|---");
    if (!p)
        return 0;
    p = strchr(p, '\n');
    size_t n = 0;
    while (p && p[1] == '|' && n < cap) {
        p++;
        const char *end = strchr(p, '\n');
        /* Split on unescaped '|': Section | Target | Subject | Threshold | Measured | Verdict | Note */
        size_t col = 0, len = 0;
        char cell[256];
        for (const char *c = p + 1; c < end && col < 7; c++) {
            if (*c == '\\' && c[1] == '|') {
                if (len < sizeof cell - 1)
                    cell[len++] = '|';
                c++;
                continue;
            }
            if (*c == '|') {
                cell[len] = '\0';
                /* trim */
                char *s = cell;
                while (*s == ' ')
                    s++;
                size_t l = strlen(s);
                while (l && s[l - 1] == ' ')
                    s[--l] = '\0';
                if (col < 6)
                    snprintf(rows[n][col], 256, "%s", s);
                col++;
                len = 0;
                continue;
            }
            if (len < sizeof cell - 1)
                cell[len++] = *c;
        }
        n++;
        p = end;
    }
    return n;
}

static void md_matches_json(const char *dir, vr_report *r)
{
    char path[4200], err[512];
    snprintf(path, sizeof path, "%s/results.json", dir);
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    REQUIRE(root);
    CHECK(json_integer_value(json_object_get(root, "schema_version")) == 1);
    json_t *checks = json_object_get(root, "checks");
    REQUIRE(json_is_array(checks));
    CHECK(json_array_size(checks) == r->n_checks);
    snprintf(path, sizeof path, "%s/report.md", dir);
    char *md = test_slurp(path);
    REQUIRE(md);
    /* The sign-off comes first. */
    const char *so = strstr(md, "## Sign-off"), *sec = strstr(md, "## Sections");
    CHECK(so && sec && so < sec);
    static char rows[64][6][256];
    size_t n = md_signoff_rows(md, rows, 64);
    CHECKF(n == json_array_size(checks), "report.md has %zu sign-off rows, results.json %zu", n,
           json_array_size(checks));
    /* report.md lists the rows failures first (FAIL, INCONCLUSIVE, PASS, N/A), results.json in the sections'
     * order: row i of the table is the i-th check of that stable order. */
    size_t order[64], no = 0;
    static const char *const rank[] = {"FAIL", "INCONCLUSIVE", "PASS", "N/A"};
    for (size_t k = 0; k < 4; k++)
        for (size_t j = 0; j < json_array_size(checks) && no < 64; j++)
            if (strcmp(json_string_value(json_object_get(json_array_get(checks, j), "verdict")), rank[k]) == 0)
                order[no++] = j;
    CHECK(no == json_array_size(checks));
    for (size_t i = 0; i < n && i < no; i++) {
        json_t *c = json_array_get(checks, order[i]);
        const char *fields[] = {"section", "target", "subject", "threshold", "measured_text"};
        for (int k = 0; k < 5; k++)
            CHECKF(strcmp(rows[i][k], json_string_value(json_object_get(c, fields[k]))) == 0,
                   "row %zu %s: md \"%s\" json \"%s\"", i, fields[k], rows[i][k],
                   json_string_value(json_object_get(c, fields[k])));
        char bold[32];
        snprintf(bold, sizeof bold, "**%s**", json_string_value(json_object_get(c, "verdict")));
        CHECKF(strcmp(rows[i][5], bold) == 0, "row %zu verdict md %s json %s", i, rows[i][5], bold);
    }
    /* Planted verdicts come through: PASS, FAIL, PASS, PASS, N/A, FAIL (no such target). */
    static const char *const want[] = {"PASS", "FAIL", "PASS", "PASS", "N/A", "FAIL"};
    for (size_t i = 0; i < 6 && i < json_array_size(checks); i++)
        CHECK(strcmp(json_string_value(json_object_get(json_array_get(checks, i), "verdict")), want[i]) == 0);
    json_t *summary = json_object_get(root, "summary");
    CHECK(strcmp(json_string_value(json_object_get(summary, "verdict")), "FAIL") == 0);
    CHECK(json_integer_value(json_object_get(summary, "passed")) == 3);
    CHECK(json_integer_value(json_object_get(summary, "failed")) == 2);
    CHECK(json_integer_value(json_object_get(summary, "na")) == 1);
    CHECK(strstr(md, "## Verdict: FAIL") != NULL);
    CHECK(strstr(md, "**2 failed**, 0 inconclusive, 3 passed, 1 N/A") != NULL);
    /* google/benchmark's schema for the records, and the context */
    json_t *b = json_array_get(json_object_get(root, "benchmarks"), 0);
    CHECK(b && strcmp(json_string_value(json_object_get(b, "name")), "gemv/i2/avx512_vnni/2560x2560/threads:1") == 0);
    CHECK(b && json_number_value(json_object_get(b, "real_time")) == 12.5);
    CHECK(b && strcmp(json_string_value(json_object_get(b, "time_unit")), "us") == 0);
    CHECK(json_is_object(json_object_get(root, "context")));
    /* tables, notes, metrics, command */
    json_t *k = json_object_get(json_object_get(root, "sections"), "kernels");
    CHECK(json_number_value(json_object_get(json_object_get(k, "metrics"), "planted_metric")) == 3.5);
    CHECK(strstr(md, "A planted table") && strstr(md, "| q_proj | 12.5 |") && strstr(md, "A planted note: 42"));
    CHECK(strstr(md, "tritbench validate --seed=7") != NULL);
    CHECK(strstr(md, "t5/avx2 gemv \\| with a pipe") != NULL);
    free(md);
    json_decref(root);
    (void)err;
}

/* No leftover private file (".NAME.PID.N.ext") in DIR/plots. */
static bool no_private_files(const char *dir)
{
    char p[4200];
    snprintf(p, sizeof p, "%s/plots", dir);
    DIR *d = opendir(p);
    if (!d)
        return false;
    bool clean = true;
    for (struct dirent *e = readdir(d); e; e = readdir(d))
        if (e->d_name[0] == '.' && strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            fprintf(stderr, "leftover %s\n", e->d_name);
            clean = false;
        }
    closedir(d);
    return clean;
}

/* Control bytes in names (terminal escapes, tabs, newlines) never reach a file or the console raw. */
static void escapes(const char *dir)
{
    char field[64];
    CHECK(vr_tsv_field(field, sizeof field, "a\tb\nc\\d\x1b") == 14);
    CHECKF(strcmp(field, "a\\tb\\nc\\\\d\\x1b") == 0, "tsv field \"%s\"", field);

    vr_report *r = planted_report();
    vr_check(r, "kernels", "nmse", "layer \x1b]0;pwned\x07 x", 0.2, NULL);
    vr_check(r, "kernels", "nmse", "other", 0.2, "reason \x1b[2J");
    const char *h[] = {"Layer"};
    vr_table *t = vr_table_new(r, "kernels", "Names\x1b[31m", 1, h);
    const char *row[] = {"tab\there\x1b]0;x\x07"};
    vr_table_add_row(t, row);
    vr_note(r, "kernels", "note with \x1b[1mbold\x1b[0m\nsecond line");
    char err[512];
    REQUIRE(vr_write_markdown(r, dir, err, sizeof err) == 0);
    REQUIRE(vr_write_json(r, dir, err, sizeof err) == 0);
    char path[4200];
    snprintf(path, sizeof path, "%s/report.md", dir);
    char *md = test_slurp(path);
    REQUIRE(md);
    CHECK(!strchr(md, '\x1b') && !strchr(md, '\x07'));
    CHECK(strstr(md, "layer \\x1b]0;pwned\\x07 x") && strstr(md, "tab\\x09here") && strstr(md, "second line"));
    free(md);
    snprintf(path, sizeof path, "%s/results.json", dir);
    char *js = test_slurp(path);
    CHECK(js && !strstr(js, "\\u001b"));
    free(js);
    bool raw = false; /* what the console prints comes from the same rows */
    for (size_t i = 0; i < r->n_checks; i++)
        raw |= strchr(r->checks[i].subject, '\x1b') || strchr(r->checks[i].reason, '\x1b');
    CHECK(!raw);
    vr_report_free(r);
}

int main(void)
{
    char tmpl[] = "/tmp/tb-test-report-XXXXXX";
    REQUIRE(mkdtemp(tmpl));
    char err[512];
    /* 1. Without gnuplot on PATH: still a complete report, plots skipped with the reason. */
    char *old_path = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
    setenv("PATH", "/nonexistent-dir-for-test", 1);
    vr_report *r = planted_report();
    CHECK(vr_render_plots(r, tmpl) == 0);
    CHECKF(strstr(r->plots_status, "gnuplot not found") != NULL, "plots_status \"%s\"", r->plots_status);
    REQUIRE(vr_write_json(r, tmpl, err, sizeof err) == 0);
    REQUIRE(vr_write_markdown(r, tmpl, err, sizeof err) == 0);
    CHECK(exists(tmpl, "report.md") && exists(tmpl, "results.json"));
    CHECK(exists(tmpl, "plots/kernels_planted.tsv") && exists(tmpl, "plots/kernels_planted.gp"));
    CHECK(!exists(tmpl, "plots/kernels_planted.png") && !exists(tmpl, "plots/kernels_planted.svg"));
    char path[4200];
    snprintf(path, sizeof path, "%s/report.md", tmpl);
    char *md = test_slurp(path);
    CHECK(md && strstr(md, "not rendered") && strstr(md, "gnuplot not found"));
    free(md);
    md_matches_json(tmpl, r);
    vr_report_free(r);
    if (old_path)
        setenv("PATH", old_path, 1);

    /* 2. With gnuplot (when installed): PNG and SVG appear, the report links them. Another run's temporary
     * file under the old fixed name (here a directory, which gnuplot cannot write) must not matter:
     * temporary names are this process's own. */
    char stale[4200];
    snprintf(stale, sizeof stale, "%s/plots/.kernels_planted.png.tmp", tmpl);
    REQUIRE(mkdir(stale, 0700) == 0);
    r = planted_report();
    size_t rendered = vr_render_plots(r, tmpl);
    CHECK(rmdir(stale) == 0); /* untouched, and nothing else of ours left behind */
    CHECK(no_private_files(tmpl));
    snprintf(stale, sizeof stale, "%s/plots/kernels_planted.gp", tmpl);
    char *gp = test_slurp(stale);
    CHECK(gp && strstr(gp, "kernels_planted.png'") && strstr(gp, "kernels_planted.tsv'") && !strstr(gp, ".tmp"));
    free(gp);
    if (r->plots_status[0] && strstr(r->plots_status, "not found")) {
        printf("gnuplot not installed: rendering part skipped (%s)\n", r->plots_status);
    } else {
        CHECKF(rendered == 1, "rendered %zu: %s / %s", rendered, r->plots_status, r->plots[0].status);
        CHECK(exists(tmpl, "plots/kernels_planted.png") && exists(tmpl, "plots/kernels_planted.svg"));
        REQUIRE(vr_write_markdown(r, tmpl, err, sizeof err) == 0);
        md = test_slurp(path);
        CHECK(md && strstr(md, "![A planted plot](plots/kernels_planted.png)"));
        free(md);
        /* A broken gnuplot body is reported, not fatal. */
        vr_plot(r, "kernels", "broken", "Broken", "plot datafile using 1:2 with nonsense_style", "1\t2\n");
        vr_render_plots(r, tmpl);
        CHECK(!r->plots[1].rendered && strstr(r->plots[1].status, "gnuplot failed"));
        CHECK(!exists(tmpl, "plots/kernels_broken.png"));
    }
    vr_report_free(r);
    free(old_path);
    escapes(tmpl);
    if (test_remove_tree(tmpl) != 0)
        fprintf(stderr, "note: could not remove %s\n", tmpl);
    return check_exit();
}
