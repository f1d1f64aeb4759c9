/* test_report_view.c — the first screen of report.md / report.html and the kernels plots, on rows filled by
 * hand (the sections' verdicts, intervals and reasons are other tests' business): the banner counts
 * INCONCLUSIVE apart from PASS and N/A; "What failed and why" lists every FAIL then every INCONCLUSIVE, with the
 * section's sentence when it wrote one and a composed one (measured vs threshold, by how much, the interval,
 * repetitions to settle it) when not; the per-target summary counts rows, min–max and the worst subject;
 * tables come failures first; the speedup plot colours bars by verdict and carries the intervals; the memory
 * plot draws information-only figures hollow; the roofline has every kernel row as a point and the roofs read
 * from the stream and roof records. */
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "validate/report_view.h"
#include "validate/sections/kernels_plots.h"
#include "validate/vr_internal.h"
#include "tests/check.h"
#include "tests/files.h"

/* The check vr_check just added, to fill in what a section's verdict code would. */
static vr_check_row *last(vr_report *r) { return &r->checks[r->n_checks - 1]; }

static vr_report *hand_report(void)
{
    static const char *profile =
        "{\"profile_version\": 1, \"name\": \"hand\", \"targets\": {"
        "\"speedup_gemv\": {\"min\": 2.0, \"optimal\": 4.0, \"unit\": \"x\"},"
        "\"speedup_bitlinear_gemm\": {\"min\": 2.0, \"unit\": \"x\"},"
        "\"memory_reduction\": {\"min\": 8.2, \"unit\": \"x\"},"
        "\"sparsity\": {\"min\": 0.2, \"max\": 0.5, \"unit\": \"fraction\"}}}";
    vr_profile p;
    char err[256];
    REQUIRE(vr_profile_parse(profile, strlen(profile), "hand.json", &p, err, sizeof err) == 0);
    vr_report *r = vr_report_new(&p);
    REQUIRE(r);
    snprintf(r->command, sizeof r->command, "tritbench validate --seed=1");
    /* 0: PASS with an interval */
    vr_check(r, "kernels", "speedup_gemv", "i2/avx512_vnni gemv up 6912x2560", 30.0, NULL);
    last(r)->has_interval = true, last(r)->lo = 28.0, last(r)->hi = 32.0, last(r)->conf = 0.95;
    /* 1: INCONCLUSIVE, its interval straddles 2×, no sentence from the section */
    vr_check(r, "kernels", "speedup_bitlinear_gemm", "t5/avx512_vnni bitlinear gemm kv_proj 640x2560 N=128", 1.9,
             NULL);
    last(r)->verdict = VR_INCONCLUSIVE, last(r)->has_interval = true, last(r)->lo = 1.74, last(r)->hi = 2.08;
    last(r)->conf = 0.95, last(r)->more_reps = 12;
    last(r)->why[0] = '\0'; /* vr_check wrote a FAIL sentence; this row exercises the composed one */
    /* 2: PASS memory */
    vr_check(r, "kernels", "memory_reduction", "i2 up 6912x2560", 16.0, NULL);
    /* 3: FAIL, composed sentence */
    vr_check(r, "kernels", "memory_reduction", "i2 tiny 4x4", 4.0, NULL);
    /* 4: N/A */
    vr_check(r, "kernels", "speedup_gemv", "cuda gemv", 0, "no GPU");
    /* 5: FAIL with the section's own sentence */
    vr_check(r, "kernels", "sparsity", "gaussian weights", 0.1, NULL);
    snprintf(last(r)->why, sizeof last(r)->why, "PLANTED SENTENCE: depends on the absmean threshold.");
    const char *h[] = {"Shape", "Verdict"};
    vr_table *t = vr_table_new(r, "kernels", "Rows", 2, h);
    const char *rows[][2] = {{"a", "PASS"}, {"b", "N/A"}, {"c", "PASS (info)"}, {"d", "FAIL (info)"}, {"e", "FAIL"},
                             {"f", "INCONCLUSIVE"}};
    for (size_t i = 0; i < 6; i++)
        vr_table_add_row(t, rows[i]);
    vr_metric(r, "kernels", "model_memory_reduction/i2/emb_fp32", 5.26);
    return r;
}

static void view(vr_report *r)
{
    vr_view_counts c;
    CHECK(strcmp(vr_view_verdict(r, &c), "FAIL") == 0);
    CHECK(c.fail == 2 && c.inconclusive == 1 && c.pass == 2 && c.na == 1 && c.total == 6);
    size_t order[6];
    vr_view_order(r, order);
    static const size_t want[] = {3, 5, 1, 0, 2, 4}; /* FAIL, FAIL, INCONCLUSIVE, PASS, PASS, N/A; stable */
    for (size_t i = 0; i < 6; i++)
        CHECKF(order[i] == want[i], "order[%zu] = %zu, want %zu", i, order[i], want[i]);
    char why[1024];
    vr_view_why(r, &r->checks[3], why, sizeof why);
    /* a plain miss: the sentence vr_check wrote (report.c), shown as it is */
    CHECKF(strcmp(why, r->checks[3].why) == 0 && strstr(why, "measured 4.00×") && strstr(why, "≥ 8.20×") &&
               strstr(why, "51.2 %"),
           "%s", why);
    vr_view_why(r, &r->checks[1], why, sizeof why);
    CHECKF(strstr(why, "measured 1.90× against ≥ 2.00×: 0.10× short of it (5.0 %)") &&
               strstr(why, "interval [1.74×, 2.08×] (95 %), which straddles the threshold") &&
               strstr(why, "about 12 more repetitions per side would settle it"),
           "%s", why);
    vr_view_why(r, &r->checks[5], why, sizeof why);
    CHECK(strcmp(why, "PLANTED SENTENCE: depends on the absmean threshold.") == 0);
    vr_view_target *v;
    const size_t n = vr_view_targets(r, &v);
    REQUIRE(n == 4);
    CHECK(strcmp(v[0].target, "speedup_gemv") == 0 && v[0].rows == 2 && v[0].pass == 1 && v[0].na == 1);
    CHECK(v[0].min == 30.0 && v[0].max == 30.0 && v[0].verdict == VR_PASS && v[0].worst == 0);
    CHECK(strcmp(v[2].target, "memory_reduction") == 0 && v[2].rows == 2 && v[2].fail == 1 && v[2].worst == 3);
    CHECK(v[2].min == 4.0 && v[2].max == 16.0 && v[2].verdict == VR_FAIL);
    CHECK(v[1].verdict == VR_INCONCLUSIVE && v[1].worst == 1);
    free(v);
    size_t torder[6];
    vr_view_table_order(r->tables[0], torder);
    static const char *const tw[] = {"e", "f", "d", "a", "c", "b"};
    for (size_t i = 0; i < 6; i++)
        CHECKF(strcmp(r->tables[0]->cells[torder[i] * 2], tw[i]) == 0, "table row %zu is %s, want %s", i,
               r->tables[0]->cells[torder[i] * 2], tw[i]);
}

static void writers(vr_report *r, const char *dir)
{
    char err[256], path[4200];
    REQUIRE(vr_write_markdown(r, dir, err, sizeof err) == 0);
    REQUIRE(vr_write_html(r, dir, err, sizeof err) == 0);
    snprintf(path, sizeof path, "%s/report.md", dir);
    char *md = test_slurp(path);
    REQUIRE(md);
    CHECK(strstr(md, "## Verdict: FAIL") && strstr(md, "**2 failed**, 1 inconclusive, 2 passed, 1 N/A (6 checks)"));
    const char *why = strstr(md, "## What failed and why"), *so = strstr(md, "## Sign-off");
    const char *f1 = strstr(md, "1. **FAIL** kernels · memory_reduction — i2 tiny 4x4: measured 4.00×");
    const char *f2 = strstr(md, "2. **FAIL** kernels · sparsity — gaussian weights: PLANTED SENTENCE");
    const char *f3 = strstr(md, "3. **INCONCLUSIVE** kernels · speedup_bitlinear_gemm — t5/avx512_vnni");
    CHECK(why && so && f1 && f2 && f3 && why < f1 && f1 < f2 && f2 < f3 && f3 < so);
    CHECK(strstr(md, "| kernels | memory_reduction | ≥ 8.20× | 2 | 4.00× – 16.00× | 1 **FAIL**, 1 PASS | i2 tiny 4x4 "
                     "(4.00×) |"));
    CHECK(strstr(md, "| kernels | speedup_gemv | i2/avx512_vnni gemv up 6912x2560 | ≥ 2.00× (optimal ≥ 4.00×) | 30.00× | "
                     "**PASS** | [28.00×, 32.00×] (95 %) |"));
    const char *e = strstr(md, "| e | FAIL |"), *f = strstr(md, "| f | INCONCLUSIVE |"), *a = strstr(md, "| a | PASS |");
    CHECK(e && f && a && e < f && f < a);
    free(md);
    snprintf(path, sizeof path, "%s/report.html", dir);
    char *html = test_slurp(path);
    REQUIRE(html);
    CHECK(strstr(html, "<div id=\"verdict\" class=\"fail\"><h1>Verdict: FAIL</h1>"));
    CHECK(strstr(html, "<nav id=\"toc\">") && strstr(html, "href=\"#sec-kernels\"") && strstr(html, "id=\"sec-kernels\""));
    CHECK(strstr(html, "<td class=\"v inconclusive\">INCONCLUSIVE</td>") && strstr(html, "<td class=\"v fail\">FAIL</td>"));
    CHECK(strstr(html, "<td class=\"v fail info\">FAIL (info)</td>"));
    free(html);
}

static void put_record(tb_results *res, const char *name, double real_us, const char *counter, double value)
{
    REQUIRE(res->count < res->capacity);
    tb_record *rec = &res->records[res->count++];
    memset(rec, 0, sizeof *rec);
    snprintf(rec->name, sizeof rec->name, "%s_median", name);
    snprintf(rec->run_name, sizeof rec->run_name, "%s", name);
    rec->run_type = TB_RUN_AGGREGATE;
    snprintf(rec->aggregate_name, sizeof rec->aggregate_name, "median");
    rec->real_time = real_us;
    rec->time_unit = TB_US;
    if (counter) {
        snprintf(rec->counters[0].name, sizeof rec->counters[0].name, "%s", counter);
        rec->counters[0].value = value;
        rec->n_counters = 1;
    }
}

static void plots(vr_report *r)
{
    tb_results res = {0};
    res.capacity = 8;
    res.records = calloc(res.capacity, sizeof *res.records);
    REQUIRE(res.records);
    /* 6912x2560 I2 GEMV: 4.42 MB of weights in 100 µs = 44.2 GB/s; 35.4 Mops → 353.9 GOP/s */
    put_record(&res, "gemv/i2/avx512_vnni/6912x2560/threads:1", 100.0, "GB/s", 44.2368);
    put_record(&res, "gemv/fp32/openblas/6912x2560/threads:1", 3000.0, "GB/s", 23.59);
    put_record(&res, "stream/read/16MiB/threads:1", 50.0, "GB/s", 72.0);
    put_record(&res, "roof/vpdpbusd_zmm/threads:1", 1000.0, "roof_GOP/s", 473.0);
    res.records[3].counters[1] = (tb_counter_value){"i2_roof_GB/s", 59.1};
    res.records[3].n_counters = 2;
    put_record(&res, "roof/fma_zmm/threads:1", 1000.0, "roof_GOP/s", 118.0);
    double hist[TRIT_DIST_COUNT][VK_HIST_BINS] = {{0}};
    hist[0][20] = 1;
    const vr_options o = {.threads = 1, .seed = 1};
    const size_t before = r->n_plots;
    vk_add_plots(r, &o, 1, 5, &res, (const double(*)[VK_HIST_BINS])hist);
    free(res.records);
    const vr_plot_item *sp = NULL, *mem = NULL, *roof = NULL;
    for (size_t i = before; i < r->n_plots; i++) {
        if (strcmp(r->plots[i].name, "kernels_speedup") == 0)
            sp = &r->plots[i];
        if (strcmp(r->plots[i].name, "kernels_memory") == 0)
            mem = &r->plots[i];
        if (strcmp(r->plots[i].name, "kernels_roofline") == 0)
            roof = &r->plots[i];
    }
    REQUIRE(sp && mem && roof);
    /* speedup: the PASS bar blue with its interval, the INCONCLUSIVE one orange in the BitLinear GEMM panel
     * (index 3), the threshold drawn; the N/A row (no measurement) is no bar */
    CHECKF(strstr(sp->data, "0\ti2/avx512_vnni up 6912x2560\t30\t1\t30\t") && strstr(sp->data, "\t28\t32\tPASS\t30.00×"),
           "%s", sp->data);
    CHECKF(strstr(sp->data, "0\tt5/avx512_vnni kv_proj 640x2560 N=128\t1.9\t1\t1.9\t16748288\t1.74\t2.08\tINCONCLUSIVE"),
           "%s", sp->data);
    CHECK(!strstr(sp->data, "cuda"));
    CHECK(strstr(sp->body, "set arrow from 2, graph 0 to 2, graph 1 nohead front lw 3 lc rgb '#6a1b9a'"));
    CHECK(strstr(sp->body, "set logscale x"));
    /* memory: the failing row red, the whole-model FP32-embedding figure hollow (white fill, grey border) */
    CHECKF(strstr(mem->data, "i2 tiny 4x4\t4\t13959168\t") && strstr(mem->data, "(info)\t5.26\t16777215\t10395294\t0"),
           "%s", mem->data);
    /* roofline: two kernel points (I2 GEMV: 7.95 ops/byte, 353.9 GOP/s, FP32), the 72 GB/s memory roof, both compute roofs */
    CHECKF(strstr(roof->data, "7.9457\t353.89\n") && strstr(roof->body, "72*x") &&
               strstr(roof->body, "compute roof int8 (vpdpbusd_zmm × 1 thread): 473 GOP/s") &&
               strstr(roof->body, "compute roof FP32 (fma_zmm × 1 thread): 118 GFLOP/s") && strstr(roof->body, "set logscale xy"),
           "%s\n%s", roof->data, roof->body);
}

int main(void)
{
    char dir[] = "/tmp/tritbench-report-view-XXXXXX";
    REQUIRE(mkdtemp(dir));
    vr_report *r = hand_report();
    view(r);
    writers(r, dir);
    plots(r);
    vr_report_free(r);
    test_remove_tree(dir);
    return check_exit();
}
