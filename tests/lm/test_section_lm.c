/* test_section_lm.c — the validator's `lm` section (validate/sections/validate_lm.c) against a recording
 * report (tests/train/mock_report.c).
 *   na:    no corpus → both checks N/A with a reason naming the directory.
 *   quick: the --quick run on the real corpus (exit 77 without it), cache in argv[2]: both targets, measured
 *          values equal to what the reported bits/byte imply, the four-row table, a plot with the FP32 and
 *          QAT curves and the PTQ level, the run labelled QUICK. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "../train/mock_report.h"
#include "tritbench/lm.h"
#include "tritbench/validate.h"

extern const vr_section vr_lm_section; /* validate_lm.c's descriptor */

static vr_options options(void)
{
    vr_options o;
    memset(&o, 0, sizeof o);
    o.quick = true;
    o.threads = 2;
    o.seed = 3;
    return o;
}

static const mock_check *find_check(const char *target)
{
    for (size_t i = 0; i < mock.n_checks; i++)
        if (strcmp(mock.checks[i].target, target) == 0)
            return &mock.checks[i];
    return NULL;
}

static double metric(const char *key)
{
    double v = NAN;
    CHECKF(mock_metric(key, &v), "no metric %s", key);
    return v;
}

static int test_na(void)
{
    REQUIRE(setenv("TRITBENCH_LM_CORPUS", "/nonexistent/fortunes", 1) == 0);
    vr_options o = options();
    CHECK(vr_lm_section.judge(mock_report(), &o, NULL) == 0);
    CHECKF(mock.n_checks == 2, "%zu checks", mock.n_checks);
    for (size_t i = 0; i < mock.n_checks; i++)
        CHECKF(mock.checks[i].na && strstr(mock.checks[i].na_reason, "/nonexistent/fortunes") &&
                   strcmp(mock.checks[i].section, "lm") == 0,
               "%s: '%s'", mock.checks[i].target, mock.checks[i].na_reason);
    CHECK(find_check("lm_degradation") && find_check("lm_recovery"));
    CHECK(mock.n_plots == 0 && mock.n_tables == 0);
    /* The descriptor: no model, no benchmark instances, the two targets. */
    CHECK(strcmp(vr_lm_section.name, "lm") == 0 && !vr_lm_section.needs_model && !vr_lm_section.instances);
    CHECK(vr_lm_section.targets[0] && vr_lm_section.targets[1] && !vr_lm_section.targets[2]);
    return check_exit();
}

static int test_quick(const char *cache)
{
    char why[512];
    tb_lm_corpus c;
    if (tb_lm_corpus_load(tb_lm_corpus_dir(), 10, 1, &c, why, sizeof why) != 0) {
        printf("SKIP: %s\n", why);
        return 77;
    }
    tb_lm_corpus_free(&c);
    REQUIRE(setenv("XDG_CACHE_HOME", cache, 1) == 0); /* the workload's default cache: never the user's here */
    vr_options o = options();
    REQUIRE(vr_lm_section.judge(mock_report(), &o, NULL) == 0);
    CHECKF(mock.n_checks == 2, "%zu checks", mock.n_checks);
    const mock_check *deg = find_check("lm_degradation"), *rec = find_check("lm_recovery");
    REQUIRE(deg && rec);
    const double fp32 = metric("fp32.bpb"), ptq = metric("ptq.bpb"), qat = metric("qat.bpb");
    CHECK(fp32 > 1.0 && fp32 < 8.0 && ptq > 1.0 && qat > 1.0 && metric("fp32_more.bpb") > 1.0);
    CHECK(!deg->na && fabs(deg->measured - (qat / fp32 - 1.0)) < 1e-12);
    if (ptq > fp32)
        CHECK(!rec->na && fabs(rec->measured - (ptq - qat) / (ptq - fp32)) < 1e-12);
    else
        CHECK(rec->na && strstr(rec->na_reason, "nothing to recover"));
    CHECK(fabs(metric("fp32.perplexity") - exp(fp32 * log(2.0))) < 1e-9 * metric("fp32.perplexity"));
    const double top1 = metric("qat.top1");
    CHECK(top1 > 0.0 && top1 < 1.0 && metric("quick") == 1.0);
    CHECK(strstr(deg->subject, "[QUICK]") && strstr(mock.notes, "QUICK"));
    /* The table: FP32, FP32 control, PTQ, QAT. */
    CHECK(mock.n_tables == 1 && mock.n_rows == 4);
    /* The plot: both curves from `datafile` (phases 0 and 1) and PTQ as a level. */
    CHECK(mock.n_plots == 1 && strstr(mock.plot_title, "QUICK"));
    CHECK(strstr(mock.plot_body, "datafile using 1:($2==0?$4:1/0)") &&
          strstr(mock.plot_body, "datafile using 1:($2==1?$4:1/0)") && strstr(mock.plot_body, "title 'PTQ"));
    CHECK(strncmp(mock.plot_tsv, "# step\tphase\t", 13) == 0 && strstr(mock.plot_tsv, "\t0\t") &&
          strstr(mock.plot_tsv, "\t1\t"));
    char level[32];
    snprintf(level, sizeof level, "%.5f with lines", ptq);
    CHECK(strstr(mock.plot_body, level) != NULL);
    return check_exit();
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "na") == 0)
        return test_na();
    if (argc == 3 && strcmp(argv[1], "quick") == 0)
        return test_quick(argv[2]);
    fprintf(stderr, "usage: %s na | quick CACHE_DIR\n", argv[0]);
    return 2;
}
