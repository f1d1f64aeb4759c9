/* test_memory.c — the kernels section's clock-free measurements: memory reduction read from real packed
 * buffers (padding and wasted bytes show), the whole-model figure, the FP64 oracles against the scalar
 * kernel, error statistics and sparsity on planted data. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "validate/sections/kernels_measure.h"
#include "tests/check.h"
#include "tritbench/catalog.h"
#include "tritbench/kernels.h"
#include "tritbench/models.h"

static void memory_from_buffers(void)
{
    trit_packed p;
    /* K = 2560 fills I2 blocks exactly: 16× less the one tensor scale. */
    REQUIRE(trit_packed_alloc(&p, TRIT_FMT_I2, TRIT_SCALE_TENSOR, 64, 2560) == 0);
    const double exact = 64.0 * 2560 * 4 / (64.0 * 640 + 4);
    CHECKF(fabs(vk_memory_reduction(&p) - exact) < 1e-9, "%g vs %g", vk_memory_reduction(&p), exact);
    /* A buffer that holds more bytes than it needs must show a smaller reduction: the figure comes from
     * alloc_bytes, not from the format's nominal 2 bits. */
    const size_t honest = p.alloc_bytes;
    p.alloc_bytes = 2 * honest;
    CHECK(fabs(vk_memory_reduction(&p) - exact / 2) < 1e-9);
    p.alloc_bytes = honest;
    trit_packed_free(&p);
    /* K = 257 pads to 512 weights per row: the padding halves the reduction, and it shows. */
    REQUIRE(trit_packed_alloc(&p, TRIT_FMT_I2, TRIT_SCALE_ROW, 10, 257) == 0);
    const double padded = 10.0 * 257 * 4 / (double)p.alloc_bytes;
    CHECK(fabs(vk_memory_reduction(&p) - padded) < 1e-9);
    CHECKF(vk_memory_reduction(&p) < 8.1, "K=257 I2 reduction %g should show the padding", vk_memory_reduction(&p));
    trit_packed_free(&p);
    memset(&p, 0, sizeof p);
    CHECK(vk_memory_reduction(&p) == 0.0);
}

static void model_memory(void)
{
    vk_model_memory mm;
    char why[256];
    REQUIRE(vk_model_memory_get("bitnet-2b", TRIT_FMT_I2, &mm, why, sizeof why) == 0);
    const trit_model_config *c = trit_model_config_get("bitnet-2b");
    REQUIRE(c);
    CHECK(!mm.extrapolated);
    CHECK(mm.linear_params == trit_model_linear_params(c));
    /* Independent count: per layer q, k, v, o and three FFN matrices; K = 2560 or 6912 are multiples of
     * 256, so packed bytes are exactly params / 4 plus one 4-byte scale per matrix. */
    const double mats_per_layer = 7.0;
    const double packed = (double)mm.linear_params / 4.0 + 4.0 * mats_per_layer * c->n_layers;
    CHECKF(fabs(mm.ternary_linear_bytes - packed) < 1.0, "%.0f vs %.0f", mm.ternary_linear_bytes, packed);
    const double emb = (double)c->vocab * c->hidden; /* tied */
    CHECK((double)mm.embedding_params == emb);
    const double fp32 = 4.0 * ((double)trit_model_linear_params(c) + (double)trit_model_other_params(c));
    CHECK(fabs(mm.whole_emb_fp16 - fp32 / (packed + 2 * emb + 4.0 * (double)mm.norm_params)) < 1e-9);
    CHECK(mm.whole_emb_fp32 < mm.whole_emb_fp16 && mm.whole_emb_fp16 < mm.weight_only);
    CHECK(mm.weight_only > 15.9 && mm.weight_only <= 16.0);
    /* T5 packs tighter. */
    vk_model_memory t5;
    REQUIRE(vk_model_memory_get("bitnet-2b", TRIT_FMT_T5, &t5, why, sizeof why) == 0);
    CHECK(t5.ternary_linear_bytes < mm.ternary_linear_bytes);
    /* A shape set that misses layers is scaled and says so. */
    REQUIRE(vk_model_memory_get("100b", TRIT_FMT_I2, &mm, why, sizeof why) == 0);
    CHECK(mm.extrapolated && strstr(why, "scaled"));
    CHECK(vk_model_memory_get("no-such-model", TRIT_FMT_I2, &mm, why, sizeof why) == -1 && strstr(why, "no-such-model"));
}

static void oracles_and_errors(void)
{
    const size_t M = 37, K = 700, N = 3;
    float *W = malloc(M * K * sizeof *W), *X = malloc(N * K * sizeof *X), *Y = malloc(N * M * sizeof *Y);
    int8_t *wq = malloc(M * K);
    float *gamma = malloc(M * sizeof *gamma);
    double *ref = malloc(N * M * sizeof *ref), *ref32 = malloc(N * M * sizeof *ref32);
    REQUIRE(W && X && Y && wq && gamma && ref && ref32);
    trit_fill_weights(W, M, K, TRIT_DIST_GAUSSIAN, 5);
    trit_fill_activations(X, N, K, false, 6);
    const trit_wquant_opts qo = {TRIT_SCALE_ROW, TRIT_WQ_ABSMEAN, 0.0f};
    REQUIRE(trit_quantize_weights(W, M, K, &qo, wq, gamma) == 0);
    trit_act a;
    REQUIRE(trit_act_alloc(&a, N, K) == 0);
    REQUIRE(trit_quantize_activations(X, K, &a) == 0);
    /* The quantized oracle against the scalar kernel through the library: equal to float rounding. */
    trit_packed p;
    REQUIRE(trit_packed_alloc(&p, TRIT_FMT_T5, TRIT_SCALE_ROW, M, K) == 0);
    REQUIRE(trit_pack(&p, wq, gamma) == 0);
    const trit_kernel *k = trit_kernel_get(TRIT_OP_GEMM, TRIT_FMT_T5, "scalar");
    REQUIRE(k);
    int32_t *acc = malloc(N * M * sizeof *acc);
    REQUIRE(acc && trit_matmul(k, &p, &a, 1, acc) == 0);
    trit_rescale(&p, &a, acc, NULL, Y);
    vk_ref_quant(wq, gamma, TRIT_SCALE_ROW, &a, M, ref);
    vk_error e;
    vk_error_stats(Y, ref, N * M, &e);
    CHECKF(e.nmse < 1e-12 && e.cosine > 1 - 1e-12, "fidelity nmse %g", e.nmse);
    /* A planted bug (one accumulator off by one) is seen by the oracle. */
    acc[5] += 1;
    trit_rescale(&p, &a, acc, NULL, Y);
    vk_error_stats(Y, ref, N * M, &e);
    CHECKF(e.nmse > 1e-9, "an off-by-one accumulator gave nmse %g", e.nmse);
    /* The FP32 reference: exact sums in double; ternary quantization costs ~0.26 NMSE on Gaussian weights. */
    vk_ref_fp32(W, X, M, K, N, ref32);
    double s = 0;
    for (size_t kk = 0; kk < K; kk++)
        s += (double)W[kk] * X[kk];
    CHECK(fabs(ref32[0] - s) < 1e-12 * (fabs(s) + 1));
    acc[5] -= 1;
    trit_rescale(&p, &a, acc, NULL, Y);
    vk_error_stats(Y, ref32, N * M, &e);
    CHECKF(e.nmse > 0.1 && e.nmse < 0.45 && e.cosine > 0.75 && e.cosine < 0.95, "quant nmse %g cos %g", e.nmse, e.cosine);
    free(acc);
    trit_packed_free(&p);
    trit_act_free(&a);

    /* Planted error statistics: y = ref·(1 + 0.1) → nmse 0.01, cosine 1, max abs 0.1·max|ref|. */
    const double r4[] = {1, -2, 3, -4};
    const float y4[] = {1.1f, -2.2f, 3.3f, -4.4f};
    vk_error_stats(y4, r4, 4, &e);
    CHECK(fabs(e.nmse - 0.01) < 1e-6 && fabs(e.cosine - 1) < 1e-6 && fabs(e.max_abs - 0.4) < 1e-6);
    CHECK(fabs(e.mse - (0.01 + 0.04 + 0.09 + 0.16) / 4) < 1e-6);
    const float neg[] = {-1, 2, -3, 4};
    vk_error_stats(neg, r4, 4, &e);
    CHECK(fabs(e.cosine + 1) < 1e-9 && fabs(e.nmse - 4) < 1e-9);
    /* sparsity */
    const int8_t w[] = {-1, 0, 0, 1, 1, 1, 0, -1, 0, 0};
    vk_sparsity sp;
    vk_sparsity_of(w, 10, &sp);
    CHECK(fabs(sp.zero - 0.5) < 1e-12 && fabs(sp.neg - 0.2) < 1e-12 && fabs(sp.pos - 0.3) < 1e-12);
    free(W);
    free(X);
    free(Y);
    free(wq);
    free(gamma);
    free(ref);
    free(ref32);
}

int main(void)
{
    memory_from_buffers();
    model_memory();
    oracles_and_errors();
    return check_exit();
}
