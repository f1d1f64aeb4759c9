/* test_verdicts.c — speed verdicts with confidence (issue 14): the interval verdict on known intervals and on
 * known repetition samples (clear PASS, clear FAIL, straddling → INCONCLUSIVE with more repetitions), the why
 * sentence, results.json's interval / more_reps / why / incomplete fields, the exit status (INCONCLUSIVE is 0),
 * and the --max-time path: fresh repetitions merged with the first ones, the section dropped and judged again. */
#include <ftw.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "validate/vr_internal.h"
#include "tests/check.h"
#include "tests/files.h"

static vr_report *report_with(const char *targets_json)
{
    char profile[1024];
    snprintf(profile, sizeof profile, "{\"profile_version\": 1, \"name\": \"verdicts\", \"targets\": {%s}}",
             targets_json);
    vr_profile p;
    char err[256];
    REQUIRE(vr_profile_parse(profile, strlen(profile), "verdicts.json", &p, err, sizeof err) == 0);
    vr_report *r = vr_report_new(&p);
    REQUIRE(r);
    return r;
}

static const char *const TARGETS = "\"speedup_gemv\": {\"min\": 2.0, \"optimal\": 4.0, \"unit\": \"x\"},"
                                   "\"nmse\": {\"max\": 0.3},"
                                   "\"sparsity\": {\"min\": 0.2, \"max\": 0.5, \"unit\": \"fraction\"},"
                                   "\"model_memory_reduction\": {\"min\": 8.2, \"unit\": \"x\"}";

/* The pure verdict of an interval against each kind of target. */
static void interval_verdicts(void)
{
    vr_report *r = report_with(TARGETS);
    const vr_target *sp = vr_profile_find(&r->profile, "speedup_gemv");
    const vr_target *nm = vr_profile_find(&r->profile, "nmse");
    const vr_target *range = vr_profile_find(&r->profile, "sparsity");
    REQUIRE(sp && nm && range);
    int more = -1;
    /* ≥ 2: clear PASS, clear FAIL, straddling */
    CHECK(vr_interval_verdict(sp, 3.0, 2.5, 3.5, 9, &more) == VR_PASS && more == 0);
    CHECK(vr_interval_verdict(sp, 1.5, 1.4, 1.6, 9, &more) == VR_FAIL && more == 0);
    CHECK(vr_interval_verdict(sp, 2.2, 1.8, 2.6, 9, &more) == VR_INCONCLUSIVE);
    /* half-width below the estimate w = ln(2.2/1.8), distance to the threshold d = ln(2.2/2): n·(w/d)² − n more */
    const double w = log(2.2 / 1.8), d = log(2.2 / 2.0);
    const int want = (int)ceil(9.0 * (w / d) * (w / d) - 9.0);
    CHECKF(more == want && want == 31, "more_reps %d, wanted %d", more, want);
    /* an estimate below the threshold whose interval reaches over it: the upper half-width decides */
    CHECK(vr_interval_verdict(sp, 1.9, 1.7, 2.3, 4, &more) == VR_INCONCLUSIVE);
    const double w2 = log(2.3 / 1.9), d2 = log(2.0 / 1.9);
    CHECKF(more == (int)ceil(4.0 * (w2 / d2) * (w2 / d2) - 4.0), "more_reps %d", more);
    /* the optimal level does not move the threshold */
    CHECK(vr_interval_verdict(sp, 3.0, 2.01, 3.9, 5, &more) == VR_PASS);
    /* ≤ 0.3 */
    CHECK(vr_interval_verdict(nm, 0.15, 0.1, 0.2, 5, &more) == VR_PASS);
    CHECK(vr_interval_verdict(nm, 0.37, 0.35, 0.4, 5, &more) == VR_FAIL);
    CHECK(vr_interval_verdict(nm, 0.3, 0.25, 0.35, 5, &more) == VR_INCONCLUSIVE && more == 0); /* on the line */
    /* a range [0.2, 0.5] */
    CHECK(vr_interval_verdict(range, 0.35, 0.3, 0.4, 5, &more) == VR_PASS);
    CHECK(vr_interval_verdict(range, 0.57, 0.55, 0.6, 5, &more) == VR_FAIL);
    CHECK(vr_interval_verdict(range, 0.17, 0.1, 0.19, 5, &more) == VR_FAIL);
    CHECK(vr_interval_verdict(range, 0.35, 0.1, 0.6, 5, &more) == VR_INCONCLUSIVE && more > 0);
    /* too few repetitions for any interval: open, and how many more would give one */
    CHECK(vr_interval_verdict(sp, 3.0, 0.0, INFINITY, 3, &more) == VR_INCONCLUSIVE && more == 2);
    /* not a number: FAIL, as any check */
    CHECK(vr_interval_verdict(sp, NAN, 1.0, 2.0, 5, &more) == VR_FAIL);
    vr_report_free(r);
}

/* Iteration records of one instance with the given times (µs), then its aggregates, as the harness returns. */
static void add_instance(tb_results *res, const char *name, const double *us, int n)
{
    for (int i = 0; i < n; i++) {
        tb_record rec;
        memset(&rec, 0, sizeof rec);
        snprintf(rec.name, sizeof rec.name, "%s", name);
        snprintf(rec.run_name, sizeof rec.run_name, "%s", name);
        rec.run_type = TB_RUN_ITERATION;
        rec.repetitions = n;
        rec.repetition_index = i;
        rec.iterations = 10;
        rec.real_time = rec.cpu_time = us[i];
        rec.time_unit = TB_US;
        REQUIRE(vr_records_append(res, &(tb_results){.records = &rec, .count = 1, .capacity = 1}) == 0);
    }
}

static const double BASE[9] = {100, 103, 98, 101, 99, 102, 97, 100.5, 99.5};

static vr_check_row *last(vr_report *r) { return &r->checks[r->n_checks - 1]; }

/* vr_check_speedup over known repetitions: the interval is Hodges–Lehmann of base / subject over all pairs. */
static void speedup_samples(void)
{
    vr_report *r = report_with(TARGETS);
    tb_results res = {0};
    double fast[9], slow[9], wide_b[5] = {80, 120, 90, 110, 100}, wide_s[5] = {38, 58, 43, 53, 48};
    for (int i = 0; i < 9; i++) {
        fast[i] = BASE[8 - i] / 3.0; /* ~3× */
        slow[i] = BASE[(i + 4) % 9] / 1.5; /* ~1.5× */
    }
    add_instance(&res, "base", BASE, 9);
    add_instance(&res, "fast", fast, 9);
    add_instance(&res, "slow", slow, 9);
    add_instance(&res, "wide_base", wide_b, 5);
    add_instance(&res, "wide_subject", wide_s, 5);
    double est = 0;
    CHECK(vr_check_speedup(r, "kernels", "speedup_gemv", "fast", &res, "base", "fast", NULL, &est) == VR_PASS);
    vr_check_row *c = last(r);
    CHECK(c->has_interval && c->conf == 0.95 && c->n_base == 9 && c->n_subject == 9);
    CHECKF(c->lo > 2.0 && c->lo <= est && est <= c->hi && fabs(est - 3.0) < 0.05, "%g [%g, %g]", est, c->lo, c->hi);
    CHECK(c->why[0] == '\0'); /* a PASS needs no reason */
    CHECK(strcmp(c->base_instance, "base") == 0 && strcmp(c->subject_instance, "fast") == 0);

    CHECK(vr_check_speedup(r, "kernels", "speedup_gemv", "slow", &res, "base", "slow", NULL, &est) == VR_FAIL);
    c = last(r);
    CHECKF(c->hi < 2.0 && fabs(est - 1.5) < 0.05, "%g [%g, %g]", est, c->lo, c->hi);
    CHECKF(strstr(c->why, "measured 1.5") && strstr(c->why, "below the threshold ≥ 2.00×") &&
               strstr(c->why, "lies entirely on the failing side") && strstr(c->why, "9 + 9 interleaved") &&
               strstr(c->why, "of slow against base"),
           "why: %s", c->why);

    /* base 80..120, subject 38..58: the ratio is ~2.08 give or take 50 % — straddles ≥ 2 */
    CHECK(vr_check_speedup(r, "kernels", "speedup_gemv", "wide", &res, "wide_base", "wide_subject", NULL, &est) ==
          VR_INCONCLUSIVE);
    c = last(r);
    CHECKF(c->lo < 2.0 && 2.0 < est && c->hi > est, "%g [%g, %g]", est, c->lo, c->hi);
    CHECK(strstr(c->why, "straddles the threshold") && strstr(c->why, "95 % interval"));
    /* settled when the half-width below the estimate shrinks (as 1/sqrt(n)) to its distance from 2 */
    const double w = log(est / c->lo), d = log(est / 2.0);
    CHECKF(c->more_reps == (int)ceil(5.0 * (w / d) * (w / d) - 5.0) && c->more_reps > 0, "more %d", c->more_reps);

    /* N/A passes through; a missing instance gives an open verdict, not a crash */
    CHECK(vr_check_speedup(r, "kernels", "speedup_gemv", "na", &res, "base", "fast", "no such variant", NULL) == VR_NA);
    CHECK(!last(r)->has_interval && strcmp(last(r)->reason, "no such variant") == 0);
    CHECK(vr_check_speedup(r, "kernels", "speedup_gemv", "gone", &res, "base", "nothing", NULL, &est) == VR_FAIL);
    CHECK(isnan(est) && strstr(last(r)->why, "not a finite number"));
    /* one repetition each: an estimate, no interval → INCONCLUSIVE asking for more */
    tb_results one = {0};
    add_instance(&one, "b1", BASE, 1);
    add_instance(&one, "s1", fast, 1);
    CHECK(vr_check_speedup(r, "kernels", "speedup_gemv", "one", &one, "b1", "s1", NULL, &est) == VR_INCONCLUSIVE);
    CHECKF(last(r)->more_reps == 4 && strstr(last(r)->why, "too few"), "%d %s", last(r)->more_reps, last(r)->why);
    free(one.records);

    /* Tables print vr_speedup_estimate: the check's estimate, not the ratio of medians. Skewed data make the two
     * differ: base median 100 / subject median 50 = 2.0, while 15 of the 25 pairwise ratios are 2.5 or more. */
    tb_results sk = {0};
    const double sb[5] = {100, 100, 100, 150, 150}, ss[5] = {40, 40, 50, 50, 50};
    add_instance(&sk, "sb", sb, 5);
    add_instance(&sk, "ss", ss, 5);
    const double table_est = vr_speedup_estimate(&sk, "sb", "ss");
    vr_check_speedup(r, "kernels", "speedup_gemv", "skewed", &sk, "sb", "ss", NULL, &est);
    CHECKF(table_est == est && est > 2.1, "table %g check %g", table_est, est);
    CHECK(isnan(vr_speedup_estimate(&sk, "sb", "nothing")));
    free(sk.records);

    /* counts and the gate: INCONCLUSIVE is counted apart and does not fail */
    vr_report *g = report_with(TARGETS);
    vr_check(g, "kernels", "speedup_gemv", "p", 3.0, NULL);
    vr_check_interval(g, "kernels", "speedup_gemv", "i", 2.1, 1.9, 2.4, 0.95, 5, 5, "a", "b");
    vr_check(g, "kernels", "nmse", "n/a", NAN, "not measured");
    size_t np, nf, nn;
    CHECK(vr_report_verdict(g, &np, &nf, &nn) == VR_INCONCLUSIVE && np == 1 && nf == 0 && nn == 1);
    CHECK(vr_report_count(g, VR_INCONCLUSIVE) == 1);
    CHECK(vr_exit_code(g, true) == 0);
    CHECK(vr_exit_code(g, false) == 2);
    g->incomplete = true;
    CHECK(vr_exit_code(g, true) == 2);
    g->incomplete = false;
    vr_check(g, "kernels", "nmse", "f", 0.9, NULL);
    CHECK(vr_report_verdict(g, &np, &nf, &nn) == VR_FAIL && nf == 1 && vr_exit_code(g, true) == 1);
    vr_report_free(g);
    free(res.records);
    vr_report_free(r);
}

/* A section's why: appended for FAIL / INCONCLUSIVE rows, ignored for PASS. */
static void section_why(void)
{
    vr_report *r = report_with(TARGETS);
    vr_check(r, "e2e", "model_memory_reduction", "planted", 8.18, NULL);
    vr_check_why(r, "tied FP16 embedding/lm_head = %.2f GB; with the q8 head %.1f×", 0.66, 9.1);
    CHECKF(strstr(r->checks[0].why, "measured 8.18×, 0.2 % below the threshold ≥ 8.20×; tied FP16 embedding/lm_head "
                                    "= 0.66 GB; with the q8 head 9.1×") != NULL,
           "why: %s", r->checks[0].why);
    vr_check(r, "e2e", "model_memory_reduction", "fine", 9.5, NULL);
    vr_check_why(r, "not shown");
    CHECK(r->checks[1].why[0] == '\0');
    vr_report_free(r);
}

/* results.json: every check has interval / more_reps / why; the document says incomplete and which section. */
static void json_fields(void)
{
    vr_report *r = report_with(TARGETS);
    vr_check(r, "kernels", "nmse", "plain", 0.1, NULL);
    vr_check_interval(r, "kernels", "speedup_gemv", "straddle", 2.2, 1.8, 2.6, 0.95, 9, 9, "b", "s");
    vr_check_interval(r, "kernels", "speedup_gemv", "open", 2.2, 0, INFINITY, 0.95, 1, 1, "b", "s");
    vr_report_section_done(r, "kernels", 0, 1.0);
    vr_report_section_done(r, "model", -1, 0.0);
    r->incomplete = true;
    char dir[] = "/tmp/tb-verdicts-XXXXXX", err[512], path[256];
    REQUIRE(mkdtemp(dir));
    REQUIRE(vr_write_json(r, dir, err, sizeof err) == 0);
    snprintf(path, sizeof path, "%s/results.json", dir);
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    REQUIRE(root);
    CHECK(json_is_true(json_object_get(root, "incomplete")));
    json_t *nd = json_object_get(root, "sections_not_done");
    CHECK(json_array_size(nd) == 1 && strcmp(json_string_value(json_array_get(nd, 0)), "model") == 0);
    json_t *sum = json_object_get(root, "summary");
    CHECK(json_integer_value(json_object_get(sum, "inconclusive")) == 2 &&
          json_integer_value(json_object_get(sum, "passed")) == 1 &&
          strcmp(json_string_value(json_object_get(sum, "verdict")), "INCONCLUSIVE") == 0);
    json_t *checks = json_object_get(root, "checks");
    REQUIRE(json_array_size(checks) == 3);
    json_t *plain = json_array_get(checks, 0), *st = json_array_get(checks, 1), *open = json_array_get(checks, 2);
    CHECK(json_is_null(json_object_get(plain, "interval")) &&
          json_integer_value(json_object_get(plain, "more_reps")) == 0);
    CHECK(strcmp(json_string_value(json_object_get(plain, "why")), "") == 0);
    json_t *iv = json_object_get(st, "interval");
    CHECK(json_real_value(json_object_get(iv, "lo")) == 1.8 && json_real_value(json_object_get(iv, "hi")) == 2.6 &&
          json_real_value(json_object_get(iv, "conf")) == 0.95);
    CHECK(json_integer_value(json_object_get(st, "more_reps")) == 31);
    CHECK(strcmp(json_string_value(json_object_get(st, "verdict")), "INCONCLUSIVE") == 0);
    CHECK(strstr(json_string_value(json_object_get(st, "why")), "about 31 more repetitions per side") != NULL);
    iv = json_object_get(open, "interval");
    CHECK(json_is_null(json_object_get(iv, "lo")) && json_is_null(json_object_get(iv, "hi"))); /* unbounded */
    json_decref(root);
    /* complete when every section ran */
    r->incomplete = false;
    r->sections[1].rc = 0;
    REQUIRE(vr_write_json(r, dir, err, sizeof err) == 0);
    root = json_load_file(path, 0, &je);
    REQUIRE(root);
    CHECK(json_is_false(json_object_get(root, "incomplete")) &&
          json_array_size(json_object_get(root, "sections_not_done")) == 0);
    json_decref(root);
    test_remove_tree(dir);
    vr_report_free(r);
}

/* A judge of one section over records: a table, a note, a plot, a metric and the speed check. */
static void judge(vr_report *r, const tb_results *records)
{
    const char *h[] = {"x"};
    vr_table *t = vr_table_new(r, "kernels", "speed", 1, h);
    const char *row[] = {"1"};
    vr_table_add_row(t, row);
    vr_note(r, "kernels", "a note");
    vr_plot(r, "kernels", "speed", "Speed", "plot datafile using 1", "1\n");
    vr_metric(r, "kernels", "m", 1.0);
    vr_check_speedup(r, "kernels", "speedup_gemv", "wide", records, "wide_base", "wide_subject", NULL, NULL);
}

static size_t records_of(const tb_results *res, const char *name, tb_run_type type)
{
    size_t n = 0;
    for (size_t i = 0; i < res->count; i++)
        n += strcmp(res->records[i].run_name, name) == 0 && res->records[i].run_type == type;
    return n;
}

/* --max-time's path: drop the section, merge fresh repetitions, judge again — one set of rows, new verdict. */
static void drop_and_rejudge(void)
{
    vr_report *r = report_with(TARGETS);
    /* another section's content must survive */
    vr_check(r, "e2e", "model_memory_reduction", "other", 9.0, NULL);
    const char *h[] = {"y"};
    vr_table_new(r, "e2e", "other table", 1, h);
    vr_note(r, "e2e", "other note");
    vr_plot(r, "e2e", "other", "Other", "plot datafile using 1", "1\n");
    vr_metric(r, "e2e", "other", 2.0);

    tb_results rec = {0};
    const double wb[5] = {100, 104, 96, 102, 98}, ws[5] = {47, 53, 50, 44, 56}; /* 2.0× ± noise: straddles */
    add_instance(&rec, "wide_base", wb, 5);
    add_instance(&rec, "wide_subject", ws, 5);
    add_instance(&rec, "untouched", wb, 3);
    /* the harness's aggregates after the repetitions (merge must recompute them, not keep these) */
    tb_record agg;
    memset(&agg, 0, sizeof agg);
    snprintf(agg.run_name, sizeof agg.run_name, "wide_subject");
    snprintf(agg.name, sizeof agg.name, "wide_subject_median");
    snprintf(agg.aggregate_name, sizeof agg.aggregate_name, "median");
    agg.run_type = TB_RUN_AGGREGATE;
    agg.real_time = 50;
    agg.time_unit = TB_US;
    REQUIRE(vr_records_append(&rec, &(tb_results){.records = &agg, .count = 1, .capacity = 1}) == 0);
    judge(r, &rec);
    CHECK(r->checks[r->n_checks - 1].verdict == VR_INCONCLUSIVE);
    CHECK(r->n_checks == 2 && r->n_tables == 2 && r->n_notes == 2 && r->n_plots == 2 && r->n_metrics == 2);

    /* fresh repetitions: the subject is clearly 3× faster in 20 more, base steady */
    tb_results fresh = {0};
    double fb[20], fs[20];
    for (int i = 0; i < 20; i++) {
        fb[i] = 100 + (i % 5) - 2;
        fs[i] = 33 + (i % 3) - 1;
    }
    add_instance(&fresh, "wide_base", fb, 20);
    add_instance(&fresh, "wide_subject", fs, 20);
    REQUIRE(vr_records_merge(&rec, &fresh) == 0);
    CHECK(records_of(&rec, "wide_base", TB_RUN_ITERATION) == 25 &&
          records_of(&rec, "wide_subject", TB_RUN_ITERATION) == 25);
    CHECK(records_of(&rec, "untouched", TB_RUN_ITERATION) == 3 && records_of(&rec, "untouched", TB_RUN_AGGREGATE) == 0);
    /* one median per merged instance, over all 25 repetitions; indexes renumbered 0..24 */
    CHECK(records_of(&rec, "wide_subject", TB_RUN_AGGREGATE) == 5);
    const tb_record *med = vr_record(&rec, "wide_subject", "median");
    CHECKF(med && med->real_time == 33.0 && med->repetitions == 25, "median %g", med ? med->real_time : NAN);
    int max_index = -1;
    for (size_t i = 0; i < rec.count; i++)
        if (strcmp(rec.records[i].run_name, "wide_subject") == 0 && rec.records[i].run_type == TB_RUN_ITERATION &&
            rec.records[i].repetition_index > max_index)
            max_index = rec.records[i].repetition_index;
    CHECK(max_index == 24);

    vr_report_drop_section(r, "kernels");
    CHECK(r->n_checks == 1 && r->n_tables == 1 && r->n_notes == 1 && r->n_plots == 1 && r->n_metrics == 1);
    CHECK(strcmp(r->checks[0].subject, "other") == 0 && strcmp(r->tables[0]->title, "other table") == 0 &&
          strcmp(r->notes[0].text, "other note") == 0 && strcmp(r->plots[0].name, "e2e_other") == 0 &&
          strcmp(r->metrics[0].key, "other") == 0);
    judge(r, &rec);
    CHECK(r->n_checks == 2 && r->n_tables == 2 && r->n_notes == 2 && r->n_plots == 2 && r->n_metrics == 2);
    const vr_check_row *c = &r->checks[1];
    CHECKF(c->verdict == VR_PASS && c->n_base == 25 && c->n_subject == 25 && c->lo > 2.0, "%s [%g, %g] %d+%d",
           vr_verdict_name(c->verdict), c->lo, c->hi, c->n_base, c->n_subject);
    free(fresh.records);
    free(rec.records);
    vr_report_free(r);
}

static bool planned(const vr_instances *l, const char *name, unsigned group)
{
    for (size_t i = 0; i < l->count; i++)
        if (strcmp(l->items[i].name, name) == 0)
            return l->items[i].group == group;
    return false;
}

/* What --max-time re-measures: the two sides of each INCONCLUSIVE row in their declared group, the baseline's
 * competitors (one name component apart, same group), nothing of PASS rows, other groups or other sections. */
static void remeasure_plan(void)
{
    vr_report *r = report_with(TARGETS);
    vr_instances decl = {0};
    vr_instances_add(&decl, 0, "gemv/fp32/avx2/64x64/threads:1");
    vr_instances_add(&decl, 0, "gemv/fp32/openblas/64x64/threads:1");  /* a competitor of avx2 */
    vr_instances_add(&decl, 0, "gemv/i2/avx2/64x64/threads:1");        /* two components apart: the subject */
    vr_instances_add(&decl, 0, "gemv/t5/avx2/64x64/threads:1");        /* also one apart from the baseline */
    vr_instances_add(&decl, 0, "gemv/t5/avx512/64x64/threads:1");      /* a PASS row's subject, two apart */
    vr_instances_add(&decl, 0, "gemm/fp32/avx2/64x64x8/threads:1");    /* another op and shape */
    vr_instances_add(&decl, 1, "gemv/fp32/openblas/128x64/threads:1"); /* one apart, but in another group */
    vr_instances_add(&decl, 1, "gemv/fp32/avx2/128x64/threads:1");
    REQUIRE(!decl.oom);
    vr_check_interval(r, "kernels", "speedup_gemv", "i2", 2.1, 1.8, 2.5, 0.95, 5, 5, "gemv/fp32/avx2/64x64/threads:1",
                      "gemv/i2/avx2/64x64/threads:1");
    REQUIRE(r->checks[0].verdict == VR_INCONCLUSIVE);
    vr_check_interval(r, "kernels", "speedup_gemv", "t5", 3.0, 2.5, 3.5, 0.95, 5, 5, "gemv/fp32/avx2/64x64/threads:1",
                      "gemv/t5/avx512/64x64/threads:1");
    vr_check_interval(r, "e2e", "speedup_gemv", "elsewhere", 2.1, 1.8, 2.5, 0.95, 5, 5,
                      "gemv/fp32/avx2/128x64/threads:1", "gemv/i2/avx2/64x64/threads:1");
    vr_check_interval(r, "kernels", "speedup_gemv", "undeclared", 2.1, 1.9, 2.2, 0.95, 5, 5, "x/y", "x/z");
    vr_instances out = {0};
    int reps = 0;
    CHECK(vr_remeasure_plan(r, "kernels", &decl, &out, &reps) == 2); /* i2 and the undeclared row */
    /* the name rule over-includes gemv/t5/avx2 (one component from the baseline): cost, not a wrong verdict */
    CHECKF(out.count == 4, "%zu planned", out.count);
    CHECK(planned(&out, "gemv/fp32/avx2/64x64/threads:1", 0) &&
          planned(&out, "gemv/fp32/openblas/64x64/threads:1", 0) && planned(&out, "gemv/i2/avx2/64x64/threads:1", 0) &&
          planned(&out, "gemv/t5/avx2/64x64/threads:1", 0));
    /* the i2 row asks for n·(w/d)² − n more (w = ln(2.1/1.8), d = ln(2.1/2)); the undeclared one does not count */
    const double w = log(2.1 / 1.8), d = log(2.1 / 2.0);
    const int want = (int)ceil(5.0 * (w / d) * (w / d) - 5.0);
    CHECKF(reps == (want > VR_REMEASURE_MAX_REPS ? VR_REMEASURE_MAX_REPS : want), "reps %d want %d", reps, want);
    vr_instances_free(&out);
    /* nothing inconclusive: nothing planned */
    vr_report_drop_section(r, "kernels");
    CHECK(vr_remeasure_plan(r, "kernels", &decl, &out, &reps) == 0 && out.count == 0 && reps == 3);
    vr_instances_free(&out);
    vr_instances_free(&decl);
    vr_report_free(r);
}

int main(void)
{
    interval_verdicts();
    speedup_samples();
    section_why();
    json_fields();
    drop_and_rejudge();
    remeasure_plan();
    return check_exit();
}
