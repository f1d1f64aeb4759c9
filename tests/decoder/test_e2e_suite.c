/* test_e2e_suite.c — the "e2e" suite registers the expected instances (names as documented, only what
 * fits) and one quick decode instance runs through the harness with counters that agree with the
 * decoder's memory model. Values only: tokens/s must merely be positive. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "suites/suite_list.h"
#include "tests/check.h"
#include "tritbench/decoder.h"

#define QUICK_DECODE "e2e/bitnet-large-4L/i2/decode/ctx:128/threads:1"
#define QUICK_Q8_DECODE "e2e/bitnet-large-4L/i2-q8head/decode/ctx:128/threads:1"

static bool has_name(const tb_registry *r, const char *name)
{
    for (size_t i = 0; i < tb_registry_count(r); i++)
        if (strcmp(tb_registry_name(r, i), name) == 0)
            return true;
    return false;
}

int main(void)
{
    tb_suite_config cfg = {0};
    cfg.threads[0] = 1;
    cfg.n_threads = 1;
    cfg.quick = true;
    cfg.formats = "i2,fp32";
    tb_registry *r = tb_registry_new();
    REQUIRE(r != NULL);
    REQUIRE(tb_suite_e2e_register(r, &cfg) == 0);
    /* i2, i2-q8head, i2-q8rhead, fp16, bf16, fp32 × {decode 128, 512, prefill 128, 512} × 1 thread, where each fits here. */
    const trit_model_config *large = trit_model_config_get("bitnet-large");
    REQUIRE(large != NULL);
    trit_model_config quick = *large;
    quick.n_layers = 4;
    tb_decoder_opts o;
    tb_decoder_opts_default(&o);
    o.max_ctx = 640;
    char msg[512];
    REQUIRE(tb_decoder_fits(&quick, &o, 0, msg, sizeof msg)); /* ~0.5 GB: the test machine must hold it */
    o.head = TB_DEC_HEAD_Q8;
    const bool q8_fits = tb_decoder_fits(&quick, &o, 0, msg, sizeof msg);
    o.head = TB_DEC_HEAD_Q8R;
    const bool q8r_fits = tb_decoder_fits(&quick, &o, 0, msg, sizeof msg);
    o.head = TB_DEC_HEAD_FP16;
    o.variant = TB_DEC_FP16;
    const bool fp16_fits = tb_decoder_fits(&quick, &o, 0, msg, sizeof msg);
    o.variant = TB_DEC_BF16;
    const bool bf16_fits = tb_decoder_fits(&quick, &o, 0, msg, sizeof msg);
    o.variant = TB_DEC_FP32;
    const bool fp32_fits = tb_decoder_fits(&quick, &o, 0, msg, sizeof msg);
    CHECK(tb_registry_count(r) == 4u * (1u + q8_fits + q8r_fits + fp16_fits + bf16_fits + fp32_fits));
    CHECK(has_name(r, "e2e/bitnet-large-4L/i2-q8rhead/decode/ctx:128/threads:1") == q8r_fits);
    CHECK(has_name(r, QUICK_DECODE));
    CHECK(has_name(r, QUICK_Q8_DECODE) == q8_fits);
    CHECK(has_name(r, "e2e/bitnet-large-4L/fp16/decode/ctx:128/threads:1") == fp16_fits);
    CHECK(has_name(r, "e2e/bitnet-large-4L/bf16/prefill/512/threads:1") == bf16_fits);
    CHECK(has_name(r, "e2e/bitnet-large-4L/i2/prefill/512/threads:1"));
    CHECK(has_name(r, "e2e/bitnet-large-4L/fp32/decode/ctx:512/threads:1") == fp32_fits);
    CHECK(!has_name(r, "e2e/bitnet-large-4L/t5/decode/ctx:128/threads:1")); /* --formats excluded it */

    tb_options opt;
    tb_options_default(&opt);
    opt.filter = "^(" QUICK_DECODE "|" QUICK_Q8_DECODE ")$";
    opt.min_iters = 2;
    tb_results res = {0};
    char err[256];
    REQUIRE(tb_run(r, &opt, NULL, &res, err, sizeof err) == 0);
    const tb_record *rec = tb_results_find(&res, QUICK_DECODE, NULL);
    REQUIRE(rec != NULL);
    CHECKF(!rec->error_occurred && !rec->skipped, "%s %s", rec->error_message, rec->skip_message);
    o.variant = TB_DEC_TERNARY;
    const double bytes = (double)tb_decoder_weight_bytes(&quick, &o);
    o.variant = TB_DEC_FP32;
    const double fp32_bytes = (double)tb_decoder_weight_bytes(&quick, &o);
    CHECK(tb_record_counter(rec, "tokens/s", 0) > 0);
    CHECK(tb_record_counter(rec, "weights_bytes", 0) == bytes);
    CHECK(tb_record_counter(rec, "fp32_weights_bytes", 0) == fp32_bytes);
    CHECK(fabs(tb_record_counter(rec, "memory_reduction", 0) - fp32_bytes / bytes) < 1e-9);
    CHECK(tb_record_counter(rec, "peak_rss_bytes", 0) >= bytes);
    const double outside = tb_record_counter(rec, "outside_matmul", -1);
    CHECK(outside > 0 && outside < 1);
    printf("%s: %.2f tokens/s, outside matmul %.2f, reduction %.2fx\n", QUICK_DECODE,
           tb_record_counter(rec, "tokens/s", 0), outside, fp32_bytes / bytes);
    /* The Q8-head instance is the same ternary model with the embedding/lm_head int8 per row: smaller. */
    const tb_record *q8 = q8_fits ? tb_results_find(&res, QUICK_Q8_DECODE, NULL) : NULL;
    if (q8_fits) {
        REQUIRE(q8 != NULL);
        CHECKF(!q8->error_occurred && !q8->skipped, "%s %s", q8->error_message, q8->skip_message);
        o.variant = TB_DEC_TERNARY;
        o.head = TB_DEC_HEAD_Q8;
        const double q8_bytes = (double)tb_decoder_weight_bytes(&quick, &o);
        CHECK(tb_record_counter(q8, "weights_bytes", 0) == q8_bytes && q8_bytes < bytes);
        CHECK(tb_record_counter(q8, "fp32_weights_bytes", 0) == fp32_bytes);
        CHECK(strstr(q8->label, "q8") != NULL);
    }
    tb_results_free(&res);
    tb_registry_free(r);
    return check_exit();
}
