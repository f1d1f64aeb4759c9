/* test_decoder_heads.c — the decoder's head storages and FP16/BF16 variants:
 *  - Q8 head: the int8 embedding lookup is within half a quantization step of the FP32 table of the same
 *    seed; the lm_head logits equal the Q8 formula (int64 dot products of the codes and the per-token int8
 *    activation, one FP32 rescale) exactly; logit error against the FP32 head over decode steps.
 *  - memory: estimate == allocation for every (variant, head); the Q8 head shrinks bitnet-2b's tables.
 *  - FP16 / BF16 models agree with the FP32 model of the same seed (logit error over decode steps).
 *  - option names parse both ways; unknown values are refused with a message. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workloads/decoder/decoder_internal.h"
#include "tests/check.h"
#include "tritbench/decoder.h"

static tb_decoder *make(const char *cfg, tb_dec_variant v, tb_dec_head head, size_t ctx)
{
    tb_decoder_opts o;
    tb_decoder_opts_default(&o);
    o.variant = v;
    o.head = head;
    o.max_ctx = ctx;
    o.seed = 11;
    char err[512];
    tb_decoder *d = tb_decoder_new(tb_decoder_test_config(cfg), &o, err, sizeof err);
    if (!d)
        fprintf(stderr, "%s %s head %s: %s\n", cfg, tb_dec_variant_name(v), tb_dec_head_name(head), err);
    return d;
}

static void names(void)
{
    for (int v = 0; v < TB_DEC_VARIANT_COUNT; v++) {
        tb_dec_variant got;
        CHECK(tb_dec_variant_parse(tb_dec_variant_name((tb_dec_variant)v), &got) == 0 && (int)got == v);
    }
    for (int h = 0; h < TB_DEC_HEAD_COUNT; h++) {
        tb_dec_head got;
        CHECK(tb_dec_head_parse(tb_dec_head_name((tb_dec_head)h), &got) == 0 && (int)got == h);
    }
    tb_dec_head h;
    tb_dec_variant v;
    CHECK(tb_dec_head_parse("q4", &h) == -1 && tb_dec_head_parse(NULL, &h) == -1);
    CHECK(tb_dec_variant_parse("fp8", &v) == -1);
    tb_decoder_opts o;
    tb_decoder_opts_default(&o);
    o.head = (tb_dec_head)7;
    char err[256];
    CHECK(tb_decoder_new(tb_decoder_test_config("tiny"), &o, err, sizeof err) == NULL);
    CHECKF(strstr(err, "head") != NULL, "%s", err);
}

/* The int8 lookup is code · scale of one row: within scale/2 of the FP32 value (plus float rounding). */
static void q8_lookup(const char *cfg)
{
    tb_decoder *q = make(cfg, TB_DEC_TERNARY, TB_DEC_HEAD_Q8, 16), *f = make(cfg, TB_DEC_TERNARY, TB_DEC_HEAD_FP32, 16);
    REQUIRE(q && f);
    CHECK(strcmp(tb_decoder_table_type(q), "q8") == 0 && strcmp(tb_decoder_table_type(f), "fp32") == 0);
    CHECKF(strstr(tb_decoder_kernel_desc(q), "head q8/") != NULL, "%s", tb_decoder_kernel_desc(q));
    const trit_model_config *c = tb_decoder_config(q);
    const size_t H = (size_t)c->hidden;
    float *a = malloc(H * sizeof *a), *b = malloc(H * sizeof *b);
    REQUIRE(a && b);
    int bad = 0;
    for (int32_t t = 0; t < c->vocab; t += 7) {
        REQUIRE(tb_decoder_embedding_row(q, t, a) == 0 && tb_decoder_embedding_row(f, t, b) == 0);
        const float step = q->embed_q.scale[t];
        for (size_t k = 0; k < H; k++)
            bad += !(fabsf(a[k] - b[k]) <= step * 0.5f * (1 + 1e-5f) + 1e-12f);
        REQUIRE(tb_decoder_head_row(q, t, a) == 0 && tb_decoder_head_row(f, t, b) == 0);
        const float hstep = c->tied_embeddings ? step : q->head_q.scale[t];
        for (size_t k = 0; k < H; k++)
            bad += !(fabsf(a[k] - b[k]) <= hstep * 0.5f * (1 + 1e-5f) + 1e-12f);
    }
    CHECKF(bad == 0, "%s: %d table values beyond half a Q8 step", cfg, bad);
    CHECK(tb_decoder_embedding_row(q, -1, a) == -1 && tb_decoder_embedding_row(q, c->vocab, a) == -1);
    free(a);
    free(b);
    tb_decoder_free(q);
    tb_decoder_free(f);
}

/* The decoder's Q8 logits are exactly the lowp.h formula applied to its final-normed hidden state: int16
 * absmax activation, int64 Σ code·q, one rescale in double — written out here, not through lowp.h. */
static void q8_logits_exact(const char *cfg)
{
    tb_decoder *q = make(cfg, TB_DEC_TERNARY, TB_DEC_HEAD_Q8, 16);
    REQUIRE(q);
    const trit_model_config *c = tb_decoder_config(q);
    const size_t V = (size_t)c->vocab, H = (size_t)c->hidden;
    float *logits = malloc(V * sizeof *logits);
    REQUIRE(logits);
    REQUIRE(tb_decoder_decode(q, 3, logits) == 0 && tb_decoder_decode(q, 5, logits) == 0);
    const float *x = q->ws.last;
    float amax = 0;
    for (size_t k = 0; k < H; k++)
        amax = fabsf(x[k]) > amax ? fabsf(x[k]) : amax;
    const float s = 32767.0f / (amax > TRIT_ACT_MIN_ABSMAX ? amax : TRIT_ACT_MIN_ABSMAX);
    const trit_q8_rows *w = c->tied_embeddings ? &q->embed_q : &q->head_q;
    int bad = 0;
    for (size_t m = 0; m < V; m++) {
        long long acc = 0;
        for (size_t k = 0; k < H; k++) {
            float v = nearbyintf(x[k] * s);
            v = v > 32767.0f ? 32767.0f : v < -32768.0f ? -32768.0f : v;
            acc += (long long)w->codes[m * w->stride + k] * (long long)v;
        }
        const float want = (float)((double)acc * (double)w->scale[m] / (double)s);
        if (logits[m] != want && bad++ < 3)
            fprintf(stderr, "%s logit %zu: %.9g, formula %.9g\n", cfg, m, (double)logits[m], (double)want);
    }
    CHECKF(bad == 0, "%s: %d logits differ from the Q8 formula", cfg, bad);
    free(logits);
    tb_decoder_free(q);
}

static tb_logit_error compare(const char *cfg, tb_logit_mode mode, tb_dec_variant tv, tb_dec_head th,
                              tb_dec_variant rv, tb_dec_head rh, size_t steps)
{
    tb_logit_error e;
    memset(&e, 0, sizeof e);
    tb_decoder *t = make(cfg, tv, th, 8 + steps), *r = make(cfg, rv, rh, 8 + steps);
    REQUIRE(t && r);
    const int32_t prompt[4] = {1, 17, 42, 99};
    char err[256];
    CHECKF(tb_decoder_logit_error(t, r, mode, prompt, 4, steps, &e, err, sizeof err) == 0, "%s", err);
    printf("%-9s %s %s/%s vs %s/%s over %zu steps: max|Δ| %.4f mean|Δ| %.5f cosine min %.6f mean %.6f top-1 %zu/%zu "
           "(flip margin ≤ %.4f)\n",
           cfg, mode == TB_LOGIT_HEAD ? "head " : "model", tb_dec_variant_name(tv), tb_decoder_table_type(t), tb_dec_variant_name(rv), tb_decoder_table_type(r),
           e.steps, e.max_abs, e.mean_abs, e.min_cosine, e.mean_cosine, e.top1_agree, e.steps, e.max_flip_margin);
    CHECK(e.steps == steps && tb_decoder_pos(r) == 4 + steps);
    CHECK(tb_decoder_pos(t) == (mode == TB_LOGIT_HEAD ? 0 : 4 + steps));
    tb_decoder_free(t);
    tb_decoder_free(r);
    return e;
}

static void logit_errors(void)
{
    static const char *const cfgs[2] = {"tiny", "tiny-silu"};
    for (int i = 0; i < 2; i++) {
        /* The Q8 head against the FP32 head on the same hidden states: the error the int8 head adds. */
        const tb_logit_error q =
            compare(cfgs[i], TB_LOGIT_HEAD, TB_DEC_TERNARY, TB_DEC_HEAD_Q8, TB_DEC_TERNARY, TB_DEC_HEAD_FP32, 64);
        CHECKF(q.top1_agreement >= 0.98 && q.min_cosine > 0.9995 && q.max_abs > 0, "%s Q8 head", cfgs[i]);
        /* A flip happens only where the reference's top two are within the head's error of each other. */
        CHECKF(q.max_flip_margin <= 2 * q.max_abs, "%s Q8 head flips at margin %g (max |Δ| %g)", cfgs[i],
               q.max_flip_margin, q.max_abs);
        const tb_logit_error h =
            compare(cfgs[i], TB_LOGIT_HEAD, TB_DEC_TERNARY, TB_DEC_HEAD_FP16, TB_DEC_TERNARY, TB_DEC_HEAD_FP32, 16);
        CHECK(h.min_cosine > q.min_cosine && h.max_abs < q.max_abs); /* FP16 rounds finer than int8 */
        /* The whole Q8 configuration (int8 embedding too) runs and stays close to the FP32-table model. */
        const tb_logit_error qf =
            compare(cfgs[i], TB_LOGIT_FULL, TB_DEC_TERNARY, TB_DEC_HEAD_Q8, TB_DEC_TERNARY, TB_DEC_HEAD_FP32, 16);
        CHECKF(qf.min_cosine > 0.99, "%s Q8 model", cfgs[i]);
        /* FP16 / BF16 models against the FP32 model of the same seed. */
        const tb_logit_error f16 =
            compare(cfgs[i], TB_LOGIT_FULL, TB_DEC_FP16, TB_DEC_HEAD_FP16, TB_DEC_FP32, TB_DEC_HEAD_FP16, 16);
        CHECKF(f16.min_cosine > 0.99999 && f16.top1_agreement >= 0.9, "%s fp16 model", cfgs[i]);
        const tb_logit_error b16 =
            compare(cfgs[i], TB_LOGIT_FULL, TB_DEC_BF16, TB_DEC_HEAD_FP16, TB_DEC_FP32, TB_DEC_HEAD_FP16, 16);
        CHECKF(b16.min_cosine > 0.9995 && b16.top1_agreement >= 0.8, "%s bf16 model", cfgs[i]);
    }
    /* The accumulator itself: identical vectors, then an opposite one. */
    tb_logit_error e;
    memset(&e, 0, sizeof e);
    const float a[3] = {1, 2, 3}, b[3] = {-1, -2, -3};
    tb_logit_error_add(&e, a, a, 3);
    CHECK(e.max_abs == 0 && fabs(e.min_cosine - 1) < 1e-12 && e.top1_agree == 1);
    tb_logit_error_add(&e, a, b, 3);
    CHECK(e.steps == 2 && e.max_abs == 6 && fabs(e.min_cosine + 1) < 1e-12 && e.top1_agree == 1 &&
          fabs(e.top1_agreement - 0.5) < 1e-12 && fabs(e.mean_abs - 2) < 1e-12 && fabs(e.max_flip_margin - 2) < 1e-12);
    /* A flip: the reference prefers entry 2 by 0.5 over the test's choice, entry 0. */
    const float r3[3] = {1.0f, 0.0f, 1.5f}, t3[3] = {2.0f, 0.0f, 1.5f};
    memset(&e, 0, sizeof e);
    tb_logit_error_add(&e, a, a, 3);
    CHECK(e.max_flip_margin == 0);
    tb_logit_error_add(&e, t3, r3, 3);
    CHECK(e.steps == 2 && e.top1_agree == 1 && fabs(e.max_flip_margin - 0.5) < 1e-12);
}

static void memory(void)
{
    static const char *const cfgs[2] = {"tiny", "tiny-silu"};
    for (int i = 0; i < 2; i++)
        for (int v = 0; v < TB_DEC_VARIANT_COUNT; v++)
            for (int h = 0; h < TB_DEC_HEAD_COUNT; h++) {
                if (v != TB_DEC_TERNARY && h != TB_DEC_HEAD_FP16)
                    continue; /* the head option is the ternary model's */
                tb_decoder *d = make(cfgs[i], (tb_dec_variant)v, (tb_dec_head)h, 16);
                REQUIRE(d);
                CHECKF(tb_decoder_weight_bytes_actual(d) == tb_decoder_weight_bytes(tb_decoder_config(d), tb_decoder_options(d)),
                       "%s %s head %s: allocated %zu, estimated %zu", cfgs[i], tb_dec_variant_name((tb_dec_variant)v),
                       tb_decoder_table_type(d), tb_decoder_weight_bytes_actual(d),
                       tb_decoder_weight_bytes(tb_decoder_config(d), tb_decoder_options(d)));
                tb_decoder_free(d);
            }
    /* bitnet-2b (estimate only): int8 tables halve the FP16 ones; FP16/BF16 models are half the FP32 one. */
    const trit_model_config *c = trit_model_config_get("bitnet-2b");
    REQUIRE(c);
    tb_decoder_opts o;
    tb_decoder_opts_default(&o);
    const double fp16_head = (double)tb_decoder_weight_bytes(c, &o);
    o.head = TB_DEC_HEAD_Q8;
    const double q8_head = (double)tb_decoder_weight_bytes(c, &o);
    o.head = TB_DEC_HEAD_Q8R;
    const double q8r_head = (double)tb_decoder_weight_bytes(c, &o);
    o.head = TB_DEC_HEAD_FP16;
    o.variant = TB_DEC_FP32;
    const double fp32 = (double)tb_decoder_weight_bytes(c, &o);
    o.variant = TB_DEC_BF16;
    const double bf16 = (double)tb_decoder_weight_bytes(c, &o);
    const double table = (double)c->vocab * c->hidden;
    printf("bitnet-2b weights: fp32 %.3f GB, bf16 %.3f GB, ternary+fp16 head %.3f GB (%.2fx), ternary+q8 head %.3f GB "
           "(%.2fx)\n", fp32 / 1e9, bf16 / 1e9, fp16_head / 1e9, fp32 / fp16_head, q8_head / 1e9, fp32 / q8_head);
    CHECK(fabs((fp16_head - q8_head) - table) < 0.01 * table); /* one byte per table entry saved (tied) */
    CHECK(fabs(bf16 / fp32 - 0.5) < 0.001);
    CHECK(fp32 / q8_head > 8.2); /* the phase's whole-model memory target holds with the Q8 head */
    printf("bitnet-2b ternary+q8r head %.3f GB (%.2fx)\n", q8r_head / 1e9, fp32 / q8r_head);
    CHECK(fabs((q8r_head - q8_head) - table / 2) < 0.01 * table); /* half a byte per entry: the residual */
    CHECK(fp32 / q8r_head > 8.2);                                  /* and with the q8r head */
}

int main(void)
{
    names();
    q8_lookup("tiny");
    q8_lookup("tiny-silu");
    q8_logits_exact("tiny");
    q8_logits_exact("tiny-silu");
    memory();
    logit_errors();
    return check_exit();
}
