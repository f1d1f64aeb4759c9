/* test_decoder_kvcache.c — decoding token t with the KV cache equals a full re-evaluation of the prefix
 * (prefill, GEMM path, also in chunks), for both variants; rewinding the position replays exactly. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/check.h"
#include "tritbench/decoder.h"
#include "tritbench/catalog.h"

#define T 16

static double rel_dev(const float *a, const float *b, size_t n)
{
    double dev = 0, scale = 0;
    for (size_t i = 0; i < n; i++) {
        dev = fmax(dev, fabs((double)a[i] - b[i]));
        scale = fmax(scale, fabs((double)b[i]));
    }
    return scale > 0 ? dev / scale : dev;
}

static void run(const char *cfg_name, tb_dec_variant variant, trit_format fmt, double tol)
{
    const trit_model_config *c = tb_decoder_test_config(cfg_name);
    REQUIRE(c != NULL);
    tb_decoder_opts o;
    tb_decoder_opts_default(&o);
    o.variant = variant;
    o.format = fmt;
    o.seed = 21;
    o.max_ctx = 32;
    o.max_batch = 32;
    o.threads = 2;
    char err[512];
    tb_decoder *d = tb_decoder_new(c, &o, err, sizeof err);
    REQUIRE(d != NULL);
    o.max_batch = 5; /* prompts longer than this are prefilled in chunks */
    tb_decoder *chunked = tb_decoder_new(c, &o, err, sizeof err);
    REQUIRE(chunked != NULL);
    const size_t V = (size_t)c->vocab;
    float *step = malloc(T * V * sizeof *step), *pre = malloc(V * sizeof *pre);
    REQUIRE(step && pre);
    int32_t tok[T];
    trit_rng r;
    trit_rng_seed(&r, 99);
    for (int t = 0; t < T; t++) {
        tok[t] = (int32_t)trit_rng_below(&r, V);
        REQUIRE(tb_decoder_decode(d, tok[t], step + (size_t)t * V) == 0);
    }
    CHECK(tb_decoder_pos(d) == T);
    const char *vn = tb_dec_variant_name(variant);
    for (size_t t = 1; t <= T; t++) {
        REQUIRE(tb_decoder_set_pos(d, 0) == 0);
        REQUIRE(tb_decoder_prefill(d, tok, t, pre) == 0);
        double dv = rel_dev(pre, step + (t - 1) * V, V);
        CHECKF(dv <= tol, "%s %s: prefill of %zu tokens vs decode step: rel dev %.3g > %.3g", cfg_name, vn, t, dv,
               tol);
        REQUIRE(tb_decoder_set_pos(chunked, 0) == 0);
        REQUIRE(tb_decoder_prefill(chunked, tok, t, pre) == 0);
        dv = rel_dev(pre, step + (t - 1) * V, V);
        CHECKF(dv <= tol, "%s %s: chunked prefill of %zu tokens vs decode: rel dev %.3g", cfg_name, vn, t, dv);
    }
    /* Prefill half, decode the rest; then rewind to 5 and replay. */
    REQUIRE(tb_decoder_set_pos(d, 0) == 0);
    REQUIRE(tb_decoder_prefill(d, tok, T / 2, NULL) == 0);
    for (int t = T / 2; t < T; t++)
        REQUIRE(tb_decoder_decode(d, tok[t], pre) == 0);
    CHECK(rel_dev(pre, step + (T - 1) * V, V) <= tol);
    REQUIRE(tb_decoder_set_pos(d, 5) == 0);
    for (int t = 5; t < T; t++)
        REQUIRE(tb_decoder_decode(d, tok[t], pre) == 0);
    CHECK(rel_dev(pre, step + (T - 1) * V, V) <= tol);
    /* The cache is what carries the context: decoding the last token at position 0 must differ. */
    REQUIRE(tb_decoder_set_pos(d, 0) == 0);
    REQUIRE(tb_decoder_decode(d, tok[T - 1], pre) == 0);
    CHECK(rel_dev(pre, step + (T - 1) * V, V) > 1e-3);
    /* Misuse is refused, not a crash. */
    CHECK(tb_decoder_set_pos(d, 2) == -1);
    CHECK(tb_decoder_decode(d, c->vocab, pre) == -1);
    CHECK(tb_decoder_decode(d, -1, pre) == -1);
    REQUIRE(tb_decoder_set_pos(d, 0) == 0);
    int32_t *many = calloc(o.max_ctx + 1, sizeof *many);
    REQUIRE(many != NULL);
    CHECK(tb_decoder_prefill(d, many, 33, pre) == -1); /* longer than max_ctx */
    CHECK(tb_decoder_prefill(d, many, 32, NULL) == 0);
    CHECK(tb_decoder_decode(d, 0, pre) == -1); /* context full */
    printf("%s %s/%s: prefill == decode within %.0e\n", cfg_name, vn, trit_format_name(fmt), tol);
    free(many), free(step), free(pre);
    tb_decoder_free(d);
    tb_decoder_free(chunked);
}

int main(void)
{
    run("tiny", TB_DEC_TERNARY, TRIT_FMT_I2, 1e-5);
    run("tiny-silu", TB_DEC_TERNARY, TRIT_FMT_T5, 1e-5);
    /* OpenBLAS sgemm and sgemv sum in different orders: FP32 agrees to rounding, not bit for bit. */
    run("tiny", TB_DEC_FP32, TRIT_FMT_I2, 1e-4);
    run("tiny-silu", TB_DEC_FP32, TRIT_FMT_I2, 1e-4);
    return check_exit();
}
