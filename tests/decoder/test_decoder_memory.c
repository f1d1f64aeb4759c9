/* test_decoder_memory.c — memory model and refusal: configs that do not fit are refused with a message
 * naming the model and sizes (never allocated); the estimate matches the allocation; FP32 model bytes
 * match the parameter counts of catalog/models.c; FP16 storage rounds as IEEE binary16; the ternary and
 * FP32 twins of one seed compute the same model. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workloads/decoder/decoder_internal.h"
#include "tests/check.h"
#include "tritbench/decoder.h"

static void refusal(void)
{
    char msg[512];
    tb_decoder_opts o;
    tb_decoder_opts_default(&o);
    const trit_model_config *c = trit_model_config_get("bitnet-2b");
    REQUIRE(c != NULL);
    o.mem_limit_bytes = 256ull << 20;
    CHECK(!tb_decoder_fits(c, &o, 0, msg, sizeof msg));
    tb_decoder *d = tb_decoder_new(c, &o, msg, sizeof msg);
    CHECK(d == NULL);
    printf("refused: %s\n", msg);
    CHECK(strstr(msg, "bitnet-2b") && strstr(msg, "does not fit") && strstr(msg, "GB"));
    tb_decoder_free(d);
    /* The 100B-class config against this machine's real memory: either it fits or it is refused. */
    const trit_model_config *big = trit_model_config_get("100b");
    REQUIRE(big != NULL);
    o.mem_limit_bytes = 0;
    const bool fits = tb_decoder_fits(big, &o, 0, msg, sizeof msg);
    printf("100b here: %s\n", msg);
    if ((double)tb_decoder_mem_available(&o) < (double)tb_decoder_weight_bytes(big, &o))
        CHECK(!fits && strstr(msg, "does not fit"));
    /* Needing the other variant on top must count. */
    o.mem_limit_bytes = (uint64_t)tb_decoder_total_bytes(c, &o) + (1u << 20);
    CHECK(tb_decoder_fits(c, &o, 0, msg, sizeof msg));
    CHECK(!tb_decoder_fits(c, &o, 2u << 20, msg, sizeof msg));
}

static void bad_options(void)
{
    char msg[512];
    tb_decoder_opts o;
    tb_decoder_opts_default(&o);
    trit_model_config bad = *tb_decoder_test_config("tiny");
    bad.n_kv_heads = 3; /* 4 heads do not group into 3 */
    CHECK(tb_decoder_new(&bad, &o, msg, sizeof msg) == NULL);
    CHECK(strstr(msg, "n_kv_heads") != NULL);
    o.threads = 0;
    CHECK(tb_decoder_new(tb_decoder_test_config("tiny"), &o, msg, sizeof msg) == NULL);
    CHECK(strstr(msg, "threads") != NULL);
    CHECK(tb_decoder_test_config("no-such") == NULL);
}

static void memory_model(void)
{
    size_t n;
    const trit_model_config *cs = trit_model_configs(&n);
    tb_decoder_opts t, f;
    tb_decoder_opts_default(&t);
    tb_decoder_opts_default(&f);
    f.variant = TB_DEC_FP32;
    for (size_t i = 0; i < n; i++) {
        const double params = (double)trit_model_linear_params(&cs[i]) + (double)trit_model_other_params(&cs[i]);
        const double fp32 = (double)tb_decoder_weight_bytes(&cs[i], &f);
        CHECKF(fabs(fp32 / (4 * params) - 1) < 1e-3, "%s: FP32 bytes %.0f vs 4 x params %.0f", cs[i].name, fp32,
               4 * params);
        const double tern = (double)tb_decoder_weight_bytes(&cs[i], &t);
        /* Lower bound: 2 bits per ternary weight + 16 bits per other parameter. */
        const double floor = (double)trit_model_linear_params(&cs[i]) / 4 + 2 * (double)trit_model_other_params(&cs[i]);
        CHECKF(tern >= floor && tern < floor * 1.05, "%s: ternary bytes %.0f vs floor %.0f", cs[i].name, tern, floor);
        printf("%-12s fp32 %6.2f GB  ternary(i2, fp16 head) %6.2f GB  reduction %.2fx\n", cs[i].name, fp32 / 1e9,
               tern / 1e9, fp32 / tern);
    }
    /* The estimate equals what a real (small) model allocates. */
    const char *names[2] = {"tiny", "tiny-silu"};
    for (int v = 0; v < 2; v++)
        for (int k = 0; k < 2; k++) {
            tb_decoder_opts o = v ? f : t;
            o.format = k ? TRIT_FMT_T5 : TRIT_FMT_I2;
            o.max_ctx = 16;
            char err[512];
            const trit_model_config *c = tb_decoder_test_config(names[k]);
            tb_decoder *d = tb_decoder_new(c, &o, err, sizeof err);
            REQUIRE(d != NULL);
            CHECKF(tb_decoder_weight_bytes_actual(d) == tb_decoder_weight_bytes(c, &o), "%s %s: %zu vs %zu",
                   names[k], tb_dec_variant_name(o.variant), tb_decoder_weight_bytes_actual(d),
                   tb_decoder_weight_bytes(c, &o));
            tb_decoder_free(d);
        }
}

static void half_rounding(void)
{
    CHECK(dec_f32_to_f16(1.0f) == 0x3c00);
    CHECK(dec_f32_to_f16(-2.0f) == 0xc000);
    CHECK(dec_f32_to_f16(65504.0f) == 0x7bff);
    CHECK(dec_f32_to_f16(65520.0f) == 0x7c00);        /* rounds past the largest half */
    CHECK(dec_f32_to_f16(0x1p-24f) == 0x0001);        /* smallest subnormal */
    CHECK(dec_f32_to_f16(0x1p-25f) == 0x0000);        /* halfway to zero: even */
    CHECK(dec_f32_to_f16(1.0f + 0x1p-11f) == 0x3c00); /* halfway: to even */
    CHECK(dec_f32_to_f16(1.0f + 3 * 0x1p-11f) == 0x3c02);
    CHECK(isnan(dec_f16_to_f32(dec_f32_to_f16(NAN))));
    int bad = 0;
    for (unsigned h = 0; h < 0x10000u; h++) {
        const float f = dec_f16_to_f32((uint16_t)h);
        if (!isnan(f) && dec_f32_to_f16(f) != h)
            bad++;
    }
    CHECKF(bad == 0, "%d half values do not round-trip", bad);
    /* The bulk converter (F16C where present) rounds exactly like the portable one, over every binade a
     * weight can land in, subnormals and overflow included. */
    enum { NR = 1 << 16 };
    static float src[NR];
    static uint16_t bulk[NR];
    uint64_t z = 12345;
    for (int i = 0; i < NR; i++) {
        z = z * 6364136223846793005ull + 1442695040888963407ull;
        const double mant = (double)(z >> 11) * 0x1p-53 * 2 - 1;
        src[i] = (float)ldexp(mant, (int)((z >> 3) % 48) - 30);
    }
    dec_f32_row_to_f16(src, NR, bulk);
    int diff = 0;
    for (int i = 0; i < NR; i++)
        diff += bulk[i] != dec_f32_to_f16(src[i]);
    CHECKF(diff == 0, "%d of %d values convert differently in bulk", diff, NR);
    /* The lm_head GEMV (F16C where present) against the portable conversion. */
    enum { M = 37, K = 83 };
    uint16_t W[M * K];
    float x[K], y[M], y1[M];
    for (int i = 0; i < M * K; i++)
        W[i] = dec_f32_to_f16((float)sin(i * 0.37));
    for (int k = 0; k < K; k++)
        x[k] = (float)cos(k * 0.11);
    dec_gemv_f16(W, x, y, M, K, 1);
    dec_gemv_f16(W, x, y1, M, K, 2);
    for (int m = 0; m < M; m++) {
        double s = 0;
        for (int k = 0; k < K; k++)
            s += (double)dec_f16_to_f32(W[m * K + k]) * x[k];
        CHECKF(fabs(y[m] - s) < 1e-4 && y[m] == y1[m], "row %d: %g vs %g", m, y[m], s);
    }
}

/* The FP32 variant is the dequantized ternary model: the two differ only by int8 activation rounding and
 * the FP16 head, so their logits agree closely (a wrong γ, scale or weight stream would not). */
static void twins(void)
{
    const trit_model_config *c = tb_decoder_test_config("tiny");
    tb_decoder_opts o;
    tb_decoder_opts_default(&o);
    o.max_ctx = 16;
    o.seed = 5;
    char err[512];
    tb_decoder *t = tb_decoder_new(c, &o, err, sizeof err);
    o.variant = TB_DEC_FP32;
    tb_decoder *f = tb_decoder_new(c, &o, err, sizeof err);
    REQUIRE(t && f);
    const size_t V = (size_t)c->vocab;
    float *lt = malloc(V * sizeof *lt), *lf = malloc(V * sizeof *lf);
    REQUIRE(lt && lf);
    for (int s = 0; s < 8; s++) {
        REQUIRE(tb_decoder_decode(t, (int32_t)(s * 37 % c->vocab), lt) == 0);
        REQUIRE(tb_decoder_decode(f, (int32_t)(s * 37 % c->vocab), lf) == 0);
    }
    double dot = 0, nt = 0, nf = 0;
    for (size_t i = 0; i < V; i++) {
        dot += (double)lt[i] * lf[i];
        nt += (double)lt[i] * lt[i];
        nf += (double)lf[i] * lf[i];
    }
    const double cosine = dot / sqrt(nt * nf);
    printf("ternary vs FP32 twin logits: cosine %.5f\n", cosine);
    CHECK(cosine > 0.99);
    double tt[TB_DEC_PH_COUNT];
    tb_decoder_times(t, tt);
    CHECK(tt[TB_DEC_PH_MATMUL] > 0 && tt[TB_DEC_PH_ATTENTION] > 0 && tt[TB_DEC_PH_LM_HEAD] > 0);
    free(lt), free(lf);
    tb_decoder_free(t);
    tb_decoder_free(f);
}

int main(void)
{
    refusal();
    bad_options();
    memory_model();
    half_rounding();
    twins();
    return check_exit();
}
