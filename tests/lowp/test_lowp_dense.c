/* test_lowp_dense.c — FP16 / BF16 GEMV and GEMM baselines: every compiled variant this CPU runs is within
 * lowp.h's bound, |y − exact| ≤ (K/8 + 16) · 2⁻²⁴ · Σ|w·x|, of the exact (double) product of the same
 * rounded inputs (FP16: half(W)·X; BF16: bf16(W)·bf16(X)), for GEMV and GEMM shapes with tails, K = 1,
 * odd M and N, 1 and 2 threads; plus the conversions against known bit patterns. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tritbench/catalog.h"
#include "tritbench/kernels.h"
#include "tritbench/lowp.h"

static int failures;
#define CHECK(cond, ...)                                                                                      \
    do {                                                                                                     \
        if (!(cond)) {                                                                                       \
            failures++;                                                                                      \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                                                      \
            printf(__VA_ARGS__);                                                                             \
            printf("\n");                                                                                    \
        }                                                                                                    \
    } while (0)

static float f_of(uint32_t bits)
{
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

static void test_conversions(void)
{
    CHECK(trit_f32_to_f16(1.0f) == 0x3c00, "fp16 1.0");
    CHECK(trit_f32_to_f16(-2.0f) == 0xc000, "fp16 -2.0");
    CHECK(trit_f32_to_f16(65504.0f) == 0x7bff, "fp16 max");
    CHECK(trit_f32_to_f16(65520.0f) == 0x7c00, "fp16 overflow → Inf");
    CHECK(trit_f32_to_f16(0x1p-24f) == 0x0001, "fp16 smallest subnormal");
    CHECK(trit_f32_to_f16(0x1p-25f) == 0x0000, "fp16 half of the smallest subnormal rounds to even (0)");
    CHECK(trit_f32_to_f16(1.0f + 0x1p-11f) == 0x3c00, "fp16 tie to even (down)");
    CHECK(trit_f32_to_f16(1.0f + 3 * 0x1p-11f) == 0x3c02, "fp16 tie to even (up)");
    CHECK((trit_f32_to_f16(NAN) & 0x7e00) == 0x7e00, "fp16 NaN stays a quiet NaN");
    CHECK(trit_f16_to_f32(0x0001) == 0x1p-24f && trit_f16_to_f32(0xfbff) == -65504.0f, "fp16 → f32");
    CHECK(trit_f32_to_bf16(1.0f) == 0x3f80, "bf16 1.0");
    CHECK(trit_f32_to_bf16(f_of(0x3f808000u)) == 0x3f80, "bf16 tie to even (down)");
    CHECK(trit_f32_to_bf16(f_of(0x3f818000u)) == 0x3f82, "bf16 tie to even (up)");
    CHECK(trit_f32_to_bf16(f_of(0x3f808001u)) == 0x3f81, "bf16 above the tie");
    CHECK(isnan(trit_bf16_to_f32(trit_f32_to_bf16(NAN))), "bf16 NaN");
    CHECK(trit_bf16_to_f32(0xc040) == -3.0f, "bf16 → f32");
    /* The row converter (F16C where present) equals the portable one, subnormals included. */
    trit_rng r;
    trit_rng_seed(&r, 3);
    enum { N = 4099 };
    static float src[N];
    static uint16_t a[N];
    for (size_t i = 0; i < N; i++)
        src[i] = (float)(trit_rng_normal(&r) * pow(2.0, (double)(int)(i % 40) - 28.0));
    trit_f32_to_half_row(TRIT_HALF_FP16, src, N, a);
    for (size_t i = 0; i < N; i++)
        if (a[i] != trit_f32_to_f16(src[i])) {
            CHECK(0, "fp16 row conversion differs at %zu: %04x vs %04x (%g)", i, a[i], trit_f32_to_f16(src[i]),
                  (double)src[i]);
            break;
        }
}

static void check_shape(const trit_half_kernel *k, size_t M, size_t K, size_t N, int threads)
{
    uint16_t *W = malloc(M * K * sizeof *W);
    float *X = malloc(N * K * sizeof *X), *Y = malloc(N * M * sizeof *Y);
    if (!W || !X || !Y) {
        CHECK(0, "no memory");
        goto out;
    }
    trit_rng r;
    trit_rng_seed(&r, M * 7919 + K * 31 + N);
    for (size_t i = 0; i < M * K; i++) /* normal values well inside both formats' range */
        W[i] = k->type == TRIT_HALF_BF16 ? trit_f32_to_bf16((float)trit_rng_normal(&r))
                                         : trit_f32_to_f16((float)trit_rng_normal(&r));
    for (size_t i = 0; i < N * K; i++)
        X[i] = (float)(trit_rng_normal(&r) + 0.01);
    for (size_t i = 0; i < N * M; i++)
        Y[i] = NAN;
    k->fn(W, X, Y, M, K, N, threads);
    const double u = 0x1p-24, bound = ((double)K / 8.0 + 16.0) * u;
    for (size_t n = 0; n < N; n++)
        for (size_t m = 0; m < M; m++) {
            double exact = 0, mag = 0;
            for (size_t kk = 0; kk < K; kk++) {
                const double w = k->type == TRIT_HALF_BF16 ? trit_bf16_to_f32(W[m * K + kk]) : trit_f16_to_f32(W[m * K + kk]);
                const double x = k->type == TRIT_HALF_BF16 ? trit_bf16_to_f32(trit_f32_to_bf16(X[n * K + kk])) : X[n * K + kk];
                exact += w * x;
                mag += fabs(w * x);
            }
            const double got = Y[n * M + m], err = fabs(got - exact);
            if (!(err <= bound * mag + 1e-30)) {
                CHECK(0, "%s/%s M=%zu K=%zu N=%zu threads=%d: y[%zu][%zu] = %.9g, exact %.9g (|Δ| %.3g > %.3g)",
                      trit_half_type_name(k->type), k->name, M, K, N, threads, n, m, got, exact, err, bound * mag);
                goto out;
            }
        }
out:
    free(W);
    free(X);
    free(Y);
}

static void test_products(void)
{
    static const size_t shapes[][3] = {{1, 1, 1},   {3, 7, 1},    {5, 33, 2},   {67, 129, 5},  {64, 2560, 1},
                                       {13, 1000, 7}, {2, 8191, 3}, {130, 65, 4}, {9, 31, 9},   {4, 64, 1}};
    size_t n;
    const trit_half_kernel *ks = trit_half_kernels(&n);
    for (size_t i = 0; i < n; i++) {
        if (!trit_half_runnable(&ks[i])) {
            printf("skip %s/%s (CPU lacks it)\n", trit_half_type_name(ks[i].type), ks[i].name);
            continue;
        }
        printf("checking %s/%s\n", trit_half_type_name(ks[i].type), ks[i].name);
        for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
            for (int threads = 1; threads <= 2; threads++)
                check_shape(&ks[i], shapes[s][0], shapes[s][1], shapes[s][2], threads);
    }
    for (int g = 0; g < 2; g++)
        CHECK(trit_half_select(TRIT_HALF_FP16, g) && trit_half_select(TRIT_HALF_BF16, g) &&
                  trit_half_select(TRIT_HALF_FP16, g)->type == TRIT_HALF_FP16 &&
                  trit_half_select(TRIT_HALF_BF16, g)->type == TRIT_HALF_BF16,
              "a runnable variant of each type and op");
}

/* The same kernels as descriptors of the one kernel table (kernels/lowp/table.c): trit_kernel_run's row
 * split, BF16 preparation and adapters give the trit_half_kernel results bit for bit, and the declared
 * tolerance covers the exact product of the half weights and the FP32 activations. */
static void test_descriptors(void)
{
    enum { M = 77, K = 333, N = 5 };
    static uint16_t W[M * K];
    static float X[N * K], Y[N * M], Yref[N * M];
    trit_rng r;
    trit_rng_seed(&r, 17);
    size_t nk, checked = 0;
    const trit_kernel *ks = trit_kernels(&nk);
    for (size_t i = 0; i < nk; i++) {
        const trit_kernel *k = &ks[i];
        if ((k->format != TRIT_FMT_FP16 && k->format != TRIT_FMT_BF16) || !trit_kernel_runnable(k, NULL, 0))
            continue;
        const trit_half_type t = k->format == TRIT_FMT_BF16 ? TRIT_HALF_BF16 : TRIT_HALF_FP16;
        const trit_half_kernel *h = trit_half_get(t, k->variant);
        CHECK(h != NULL, "descriptor %s/%s has no trit_half_kernel twin", trit_format_name(k->format), k->variant);
        if (!h)
            continue;
        const size_t n = k->op == TRIT_OP_GEMV ? 1 : N;
        for (size_t j = 0; j < M * K; j++)
            W[j] = t == TRIT_HALF_BF16 ? trit_f32_to_bf16((float)trit_rng_normal(&r)) : trit_f32_to_f16((float)trit_rng_normal(&r));
        for (size_t j = 0; j < n * K; j++)
            X[j] = (float)trit_rng_normal(&r);
        h->fn(W, X, Yref, M, K, n, 1);
        trit_weights w = {.dense = W, .rows = M, .cols = K};
        trit_bound_weights b;
        CHECK(trit_kernel_bind(k, &w, &b) == 0, "bind %s", k->variant);
        const trit_acts xs = {.dense = X, .rows = n};
        for (int threads = 1; threads <= 2; threads++) {
            for (size_t j = 0; j < n * M; j++)
                Y[j] = NAN;
            CHECK(trit_kernel_run(&b, &xs, threads, NULL, Y) == 0, "run %s", k->variant);
            int bad = 0;
            for (size_t j = 0; j < n * M; j++) {
                double exact = 0, mag = 0;
                for (size_t kk = 0; kk < K; kk++) {
                    const double wv = t == TRIT_HALF_BF16 ? trit_bf16_to_f32(W[(j % M) * K + kk]) : trit_f16_to_f32(W[(j % M) * K + kk]);
                    exact += wv * X[(j / M) * K + kk];
                    mag += fabs(wv * X[(j / M) * K + kk]);
                }
                bad += Y[j] != Yref[j] || !(fabs(Y[j] - exact) <= k->tolerance * mag);
            }
            CHECK(bad == 0, "%s/%s/%s threads %d: %d outputs differ from the twin or exceed tolerance %g",
                  trit_op_name(k->op), trit_format_name(k->format), k->variant, threads, bad, k->tolerance);
        }
        trit_kernel_unbind(&b);
        checked++;
    }
    CHECK(checked >= 4, "only %zu fp16/bf16 descriptors ran", checked);
    printf("%zu fp16/bf16 descriptors agree with their twins\n", checked);
}

int main(void)
{
    test_conversions();
    test_products();
    test_descriptors();
    if (failures) {
        printf("%d failure(s)\n", failures);
        return 1;
    }
    printf("ok\n");
    return 0;
}
