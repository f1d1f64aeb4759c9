/* test_lm_workload.c — the language-model workload end to end (--quick size) on the real corpus: it runs,
 * its metrics are sane, a second run takes the FP32 and QAT checkpoints from the cache and reproduces every
 * metric exactly (also on another thread count), and the trained checkpoint's FP32 forward equals the
 * independent double-precision reference (lm_reference.h) to 1e-5. Skipped (77) without the corpus. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../check.h"
#include "lm_reference.h"
#include "tritbench/lm.h"

static double forward_vs_reference(const char *path, const uint8_t *text, size_t T)
{
    tb_lm m;
    char err[512];
    REQUIRE(tb_lm_load(&m, path, NULL, err, sizeof err) == 0);
    tb_lm_ws *ws = tb_lm_ws_new(&m, 1);
    float *lg = malloc(T * TB_LM_VOCAB * sizeof *lg);
    double *ref = malloc(T * TB_LM_VOCAB * sizeof *ref);
    REQUIRE(ws && lg && ref);
    REQUIRE(isfinite(tb_lm_loss(&m, TB_LM_FP32, text, 1, T, false, ws, 2, NULL, lg)));
    ref_forward(&m, text, T, ref);
    double worst = 0.0;
    for (size_t i = 0; i < T * TB_LM_VOCAB; i++)
        worst = fmax(worst, fabs((double)lg[i] - ref[i]) / fmax(1.0, fabs(ref[i])));
    tb_lm_ws_free(ws);
    free(lg);
    free(ref);
    tb_lm_free(&m);
    return worst;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

static bool same_eval(const tb_lm_eval *a, const tb_lm_eval *b)
{
    return a->loss == b->loss && a->top1 == b->top1 && a->n_tokens == b->n_tokens;
}

int main(int argc, char **argv)
{
    REQUIRE(argc == 2);
    char why[512];
    tb_lm_corpus c;
    if (tb_lm_corpus_load(tb_lm_corpus_dir(), 10, 1, &c, why, sizeof why) != 0) {
        printf("SKIP: %s\n", why);
        return 77;
    }
    char cache[2048];
    snprintf(cache, sizeof cache, "%s/lm-cache", argv[1]);
    nftw(cache, remove_entry, 16, FTW_DEPTH | FTW_PHYS); /* a fresh cache: the first run must train */
    tb_lm_workload_opts o = {.seed = 7, .quick = true, .threads = 2, .cache_dir = cache, .no_cache = true};
    static tb_lm_workload_result r1, r2;
    char err[1024];
    REQUIRE(tb_lm_workload_run(&o, &r1, err, sizeof err) == 0 || (fprintf(stderr, "%s\n", err), 0));
    CHECK(!r1.fp32_cached && !r1.qat_cached && r1.n_curve > 0 && r1.n_qat_curve > 0);
    /* Sane: trained below the uniform 8 bits/byte, PTQ and QAT evaluated through the kernels. */
    CHECKF(r1.fp32.bpb > 1.0 && r1.fp32.bpb < 6.0, "FP32 %.3f bpb", r1.fp32.bpb);
    CHECKF(r1.ptq.bpb > 1.0 && r1.ptq.bpb < 8.0 && r1.qat.bpb > 1.0 && r1.qat.bpb < 8.0, "PTQ %.3f, QAT %.3f",
           r1.ptq.bpb, r1.qat.bpb);
    CHECK(r1.fp32.ppl == exp(r1.fp32.loss) && r1.fp32.top1 > 0.05 && r1.fp32.n_tokens > 1000);
    CHECK(strstr(r1.kernel, "gemm/i2/") == r1.kernel);
    CHECK(r1.curve[r1.n_curve - 1].train_bpb < r1.curve[0].train_bpb); /* the loss goes down */
    CHECK(fabs(r1.degradation - (r1.qat.bpb / r1.fp32.bpb - 1.0)) < 1e-12);

    /* From the cache, one thread: the same numbers exactly. */
    o.no_cache = false;
    o.threads = 1;
    REQUIRE(tb_lm_workload_run(&o, &r2, err, sizeof err) == 0 || (fprintf(stderr, "%s\n", err), 0));
    CHECK(r2.fp32_cached && r2.qat_cached && strcmp(r1.key, r2.key) == 0);
    CHECK(same_eval(&r1.fp32, &r2.fp32) && same_eval(&r1.ptq, &r2.ptq) && same_eval(&r1.qat, &r2.qat) &&
          same_eval(&r1.fp32_more, &r2.fp32_more) && r2.fp32_more_cached);
    /* The curves come back with the cached checkpoints. */
    CHECK(r2.n_curve == r1.n_curve && r2.n_qat_curve == r1.n_qat_curve &&
          r2.curve[r2.n_curve - 1].train_bpb == r1.curve[r1.n_curve - 1].train_bpb &&
          r2.qat_curve[0].test_bpb == r1.qat_curve[0].test_bpb);
    /* Another seed is another key: never served the cached model. */
    o.seed = 8;
    o.steps = 4;
    o.qat_steps = 2;
    REQUIRE(tb_lm_workload_run(&o, &r2, err, sizeof err) == 0 || (fprintf(stderr, "%s\n", err), 0));
    CHECK(!r2.fp32_cached && strcmp(r1.key, r2.key) != 0 && strcmp(r1.fp32_path, r2.fp32_path) != 0);

    char *j = tb_lm_workload_json(&r1);
    CHECK(j && strstr(j, "\"recovery\"") && strstr(j, "\"qat_curve\""));
    free(j);

    /* The trained checkpoint round-trips: our FP32 forward = the double reference of the same file. */
    const double d = forward_vs_reference(r1.fp32_path, c.test, 32);
    CHECKF(d <= 1e-5, "trained checkpoint: forward vs double reference %.3g", d);
    const char *full = getenv("TRITBENCH_LM_CHECKPOINT"); /* optional: the full-size cached model */
    if (full && *full) {
        const double df = forward_vs_reference(full, c.test, 128);
        CHECKF(df <= 1e-5, "%s: forward vs double reference %.3g", full, df);
        printf("%s: max relative logit difference %.3g\n", full, df);
    }
    printf("quick: FP32 %.4f, PTQ %.4f, QAT %.4f bpb; reference difference %.3g\n", r1.fp32.bpb, r1.ptq.bpb,
           r1.qat.bpb, d);
    tb_lm_corpus_free(&c);
    return check_exit();
}
