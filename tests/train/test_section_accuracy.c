/* test_section_accuracy.c — vr_section_accuracy against a recording report (mock_report.c).
 *   na:    dataset missing or corrupt → every check N/A with a reason naming the file; other suites
 *          leave the section silent.
 *   quick: the --quick run on the real Fashion-MNIST (exit 77 when absent): both targets per layout,
 *          measured values equal to what the reported accuracies imply, a plot from `datafile`, the run
 *          labelled QUICK. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mock_report.h"
#include "tests/check.h"
#include "tritbench/train.h"
#include "tritbench/validate.h"

extern const vr_section vr_accuracy_section; /* validate_accuracy.c's descriptor */

static vr_options options(bool quick)
{
    vr_options o;
    memset(&o, 0, sizeof o);
    o.quick = quick;
    o.threads = 2;
    o.seed = 1;
    return o;
}

static void expect_all_na(const char *needle)
{
    CHECKF(mock.n_checks == 4, "%zu checks", mock.n_checks);
    size_t deg = 0, rec = 0;
    for (size_t i = 0; i < mock.n_checks; i++) {
        const mock_check *c = &mock.checks[i];
        deg += strcmp(c->target, "accuracy_degradation") == 0;
        rec += strcmp(c->target, "qat_recovery") == 0;
        CHECKF(c->na && strstr(c->na_reason, needle), "%s: not N/A naming '%s': '%s'", c->target, needle,
               c->na_reason);
        CHECK(strcmp(c->section, "accuracy") == 0);
    }
    CHECK(deg == 2 && rec == 2);
}

static int test_na(void)
{
    vr_options o = options(true);
    REQUIRE(setenv("TRITBENCH_FASHION_MNIST", "/nonexistent/fashion", 1) == 0);
    CHECK(vr_section_accuracy(mock_report(), &o) == 0);
    expect_all_na("/nonexistent/fashion/train-images-idx3-ubyte.gz");

    /* The descriptor the run driver reads: which targets it judges (a profile must name them), no model,
     * no benchmark instances (the trainer's numbers are no timings). Section selection (--suite) is the
     * driver's, tested through the CLI. */
    CHECK(strcmp(vr_accuracy_section.name, "accuracy") == 0 && !vr_accuracy_section.needs_model &&
          !vr_accuracy_section.instances && vr_accuracy_section.judge);
    size_t n_targets = 0;
    bool deg = false, rec = false;
    for (const char *const *t = vr_accuracy_section.targets; *t; t++, n_targets++) {
        deg |= strcmp(*t, "accuracy_degradation") == 0;
        rec |= strcmp(*t, "qat_recovery") == 0;
    }
    CHECK(n_targets == 2 && deg && rec);

    /* All four files present but one is not what it claims to be. */
    char dir[4096];
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/tb_acc_XXXXXX", tmp && *tmp ? tmp : "/tmp");
    REQUIRE(mkdtemp(dir));
    static const char *const names[4] = {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                                         "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"};
    for (int i = 0; i < 4; i++) {
        char p[4200];
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        FILE *f = fopen(p, "wb");
        REQUIRE(f);
        REQUIRE(fputs("this is not gzip", f) >= 0);
        REQUIRE(fclose(f) == 0);
    }
    REQUIRE(setenv("TRITBENCH_FASHION_MNIST", dir, 1) == 0);
    memset(&mock, 0, sizeof mock);
    o.suite = "accuracy";
    CHECK(vr_section_accuracy(mock_report(), &o) == 0);
    expect_all_na("train-images-idx3-ubyte.gz: not a gzip file");
    for (int i = 0; i < 4; i++) {
        char p[4200];
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        unlink(p);
    }
    rmdir(dir);
    return check_exit();
}

static double metric(const char *key)
{
    double v = NAN;
    CHECKF(mock_metric(key, &v), "metric %s missing", key);
    return v;
}

static int test_quick(void)
{
    char why[1024];
    if (tb_fashion_available(tb_fashion_dir(), why, sizeof why) != 0) {
        printf("SKIP: %s\n", why);
        return 77;
    }
    vr_options o = options(true);
    o.suite = "all";
    REQUIRE(vr_section_accuracy(mock_report(), &o) == 0);
    const double fp32 = metric("fp32_accuracy");
    CHECKF(fp32 > 0.75 && fp32 < 1.0, "FP32 accuracy %g", fp32);
    static const char *const tags[2] = {"hidden_ternary", "input_hidden_ternary"};
    CHECKF(mock.n_checks == 4, "%zu checks", mock.n_checks);
    for (size_t c = 0; c < 2 && mock.n_checks == 4; c++) {
        char key[96];
        snprintf(key, sizeof key, "%s.ptq_accuracy", tags[c]);
        const double ptq = metric(key);
        snprintf(key, sizeof key, "%s.qat_accuracy", tags[c]);
        const double qat = metric(key);
        CHECKF(qat > 0.7 && ptq > 0.1, "%s: PTQ %g QAT %g", tags[c], ptq, qat);
        const mock_check *deg = &mock.checks[2 * c], *rec = &mock.checks[2 * c + 1];
        CHECK(strcmp(deg->target, "accuracy_degradation") == 0 && strcmp(rec->target, "qat_recovery") == 0);
        CHECK(!deg->na && fabs(deg->measured - (fp32 - qat) / fp32) < 1e-12);
        CHECK(strstr(deg->subject, "QUICK") != NULL);
        if (ptq < fp32)
            CHECK(!rec->na && fabs(rec->measured - (qat - ptq) / (fp32 - ptq)) < 1e-12);
        else
            CHECK(rec->na && strstr(rec->na_reason, "PTQ lost nothing"));
    }
    CHECK(mock.n_plots == 1 && mock.plot_tsv[0] == '#' && strstr(mock.plot_body, "datafile") != NULL);
    CHECK(strstr(mock.plot_title, "QUICK") != NULL && strstr(mock.notes, "QUICK") != NULL);
    CHECK(mock.n_tables == 2 && mock.n_rows >= 2 + 3);
    printf("quick accuracy section: %.1f s, FP32 %.4f\n", metric("seconds"), fp32);
    return check_exit();
}

/* Not a test: the full section, everything it reported printed (for measuring by hand). */
static int dump_full(int threads)
{
    vr_options o = options(false);
    o.threads = threads;
    const int rc = vr_section_accuracy(mock_report(), &o);
    for (size_t i = 0; i < mock.n_checks; i++)
        printf("check %s | %s | measured %.6f | %s\n", mock.checks[i].target, mock.checks[i].subject,
               mock.checks[i].measured, mock.checks[i].na ? mock.checks[i].na_reason : "");
    for (size_t i = 0; i < mock.n_metrics; i++)
        printf("metric %s = %.6f\n", mock.metric_keys[i], mock.metric_values[i]);
    printf("notes: %s\nplot body:\n%s\nplot data:\n%s", mock.notes, mock.plot_body, mock.plot_tsv);
    return rc == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "full") == 0)
        return dump_full(atoi(argv[2]));
    if (argc != 2 || (strcmp(argv[1], "na") != 0 && strcmp(argv[1], "quick") != 0)) {
        fprintf(stderr, "usage: %s na|quick|full THREADS\n", argv[0]);
        return 2;
    }
    return strcmp(argv[1], "na") == 0 ? test_na() : test_quick();
}
