/* test_quant.c — the BitNet b1.58 quantizers against quant.h: weights in {−1,0,1}, γ = mean|W| (tensor and
 * row), ≈ 31 % zeros for Gaussian weights, the threshold rule; activations in range with Σq kept,
 * all-zero rows (scale from 1e-5), half-to-even rounding, −128 never produced by scaling, zero padding,
 * and non-finite input rejected. Expected values are computed here from the formulas, in double. The
 * vectorized activation quantizers (AVX2, AVX-512) equal the scalar oracle bit for bit on awkward rows. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/check.h"
#include "tritbench/catalog.h"
#include "tritbench/cpu.h"
#include "tritbench/quant.h"
#include "tritbench_config.h"

#if TRIT_HAVE_X86_64
#include "kernels/x86/act_quant.h"
#endif

static double mean_abs(const float *w, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += fabs((double)w[i]);
    return s / (double)n;
}

/* RoundClip(w / (γ + ε)); returns 99 when the value sits too close to a rounding boundary to judge. */
static int expected_absmean(float w, double gamma)
{
    const double v = (double)w / (gamma + TRIT_WEIGHT_EPS);
    if (fabs(fabs(v) - 0.5) < 1e-4)
        return 99;
    const double r = v > 0.5 ? 1 : v < -0.5 ? -1 : 0;
    return (int)r;
}

static void weights_absmean(trit_granularity g, trit_dist d, size_t rows, size_t cols, uint64_t seed)
{
    float *W = malloc(rows * cols * sizeof(float));
    int8_t *wq = malloc(rows * cols);
    float *gamma = malloc(rows * sizeof(float));
    REQUIRE(W && wq && gamma);
    trit_fill_weights(W, rows, cols, d, seed);
    trit_wquant_opts o = {g, TRIT_WQ_ABSMEAN, 0};
    REQUIRE(trit_quantize_weights(W, rows, cols, &o, wq, gamma) == 0);
    size_t zeros = 0, mism = 0;
    for (size_t m = 0; m < rows; m++) {
        const double gm = g == TRIT_SCALE_ROW ? mean_abs(W + m * cols, cols) : mean_abs(W, rows * cols);
        const float got = gamma[g == TRIT_SCALE_ROW ? m : 0];
        CHECKF(fabs(got - gm) <= 1e-5 * gm, "row %zu: gamma %.9g, mean|W| %.9g", m, (double)got, gm);
        for (size_t k = 0; k < cols; k++) {
            const int8_t q = wq[m * cols + k];
            CHECK(q >= -1 && q <= 1);
            zeros += q == 0;
            const int e = expected_absmean(W[m * cols + k], gm);
            if (e != 99 && e != q)
                mism++;
        }
    }
    CHECKF(mism == 0, "%zu weights differ from RoundClip(W/(gamma+eps))", mism);
    if (d == TRIT_DIST_GAUSSIAN) {
        /* P(|Z| < 0.5·E|Z|) = P(|Z| < 0.399) ≈ 0.310 */
        const double frac = (double)zeros / (double)(rows * cols);
        CHECKF(frac > 0.29 && frac < 0.33, "gaussian zero fraction %.4f outside 0.29..0.33", frac);
    }
    free(W);
    free(wq);
    free(gamma);
}

static void weights_threshold(void)
{
    const size_t rows = 64, cols = 1000;
    float *W = malloc(rows * cols * sizeof(float));
    int8_t *wq = malloc(rows * cols);
    float gamma[64];
    REQUIRE(W && wq);
    trit_fill_weights(W, rows, cols, TRIT_DIST_LAPLACE, 7);
    for (int t = 0; t < 3; t++) {
        const float thr = 0.3f + 0.4f * (float)t;
        trit_wquant_opts o = {TRIT_SCALE_ROW, TRIT_WQ_THRESHOLD, thr};
        REQUIRE(trit_quantize_weights(W, rows, cols, &o, wq, gamma) == 0);
        size_t bad = 0;
        for (size_t m = 0; m < rows; m++) {
            const double gm = mean_abs(W + m * cols, cols);
            for (size_t k = 0; k < cols; k++) {
                const double a = fabs((double)W[m * cols + k]);
                if (fabs(a - thr * gm) < 1e-6 * gm)
                    continue;
                const int e = a < thr * gm ? 0 : (W[m * cols + k] > 0 ? 1 : -1);
                bad += e != wq[m * cols + k];
            }
        }
        CHECKF(bad == 0, "threshold %.2f: %zu weights differ from the rule", (double)thr, bad);
    }
    float nan_w[2] = {1.0f, NAN};
    int8_t q2[2];
    trit_wquant_opts o = {TRIT_SCALE_TENSOR, TRIT_WQ_ABSMEAN, 0};
    CHECK(trit_quantize_weights(nan_w, 1, 2, &o, q2, gamma) == -1);
    free(W);
    free(wq);
}

static void check_row(const trit_act *a, size_t n, const float *x)
{
    double amax = 0;
    for (size_t k = 0; k < a->cols; k++)
        amax = fmax(amax, fabs((double)x[k]));
    const float s_want = 127.0f / fmaxf((float)amax, TRIT_ACT_MIN_ABSMAX);
    CHECKF(fabsf(a->scale[n] - s_want) <= 1e-6f * s_want, "row %zu: scale %g, want %g", n, (double)a->scale[n],
           (double)s_want);
    const int8_t *q = a->q + n * a->stride;
    int32_t sum = 0;
    size_t bad = 0;
    for (size_t k = 0; k < a->cols; k++) {
        sum += q[k];
        CHECKF(q[k] >= -127, "row %zu: q = %d; scaling never reaches -128", n, q[k]);
        const double v = (double)x[k] * (double)a->scale[n];
        if (fabs(v - nearbyint(v)) > 0.4999 && fabs(v - nearbyint(v)) < 0.5001)
            continue; /* float vs double product can straddle a half */
        bad += (double)q[k] != fmin(127, fmax(-128, nearbyint(v)));
    }
    CHECKF(bad == 0, "row %zu: %zu values differ from clamp(round(x*s))", n, bad);
    CHECKF(a->sum[n] == sum, "row %zu: sum %d, want %d", n, a->sum[n], sum);
    for (size_t k = a->cols; k < a->stride; k++)
        if (q[k] != 0) {
            CHECKF(0, "row %zu: padding q[%zu] = %d", n, k, q[k]);
            break;
        }
}

static void activations(void)
{
    const size_t rows = 9, cols = 1000;
    float *X = malloc(rows * cols * sizeof(float));
    REQUIRE(X);
    trit_fill_activations(X, rows, cols, true, 11);
    memset(X + 3 * cols, 0, cols * sizeof(float)); /* an all-zero row */
    trit_act a;
    REQUIRE(trit_act_alloc(&a, rows, cols) == 0);
    CHECK(a.stride % TRIT_ACT_K_ALIGN == 0 && a.stride >= cols);
    REQUIRE(trit_quantize_activations(X, cols, &a) == 0);
    for (size_t n = 0; n < rows; n++)
        check_row(&a, n, X + n * cols);
    CHECKF(a.scale[3] == 127.0f / TRIT_ACT_MIN_ABSMAX, "zero row scale %g", (double)a.scale[3]);
    for (size_t k = 0; k < cols; k++)
        CHECK(a.q[3 * a.stride + k] == 0);
    /* Each row's largest |x| maps to ±127 exactly. */
    for (size_t n = 0; n < rows; n++) {
        if (n == 3)
            continue;
        int peak = 0;
        for (size_t k = 0; k < cols; k++)
            peak = abs(a.q[n * a.stride + k]) > peak ? abs(a.q[n * a.stride + k]) : peak;
        CHECKF(peak == 127, "row %zu: largest |q| = %d", n, peak);
    }
    trit_act_free(&a);

    /* Half to even: with max|x| = 127 the scale is exactly 1. */
    const float halves[] = {127.0f, 0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f, 3.5f, -126.5f, 126.5f};
    const int8_t want[] = {127, 0, 2, 2, 0, -2, -2, 4, -126, 126};
    const size_t nh = sizeof halves / sizeof halves[0];
    REQUIRE(trit_act_alloc(&a, 1, nh) == 0);
    REQUIRE(trit_quantize_activations(halves, nh, &a) == 0);
    CHECK(a.scale[0] == 1.0f);
    for (size_t k = 0; k < nh; k++)
        CHECKF(a.q[k] == want[k], "round(%g) = %d, want %d (half to even)", (double)halves[k], a.q[k], want[k]);
    /* Non-finite input is an error, not a silently wrong row. */
    float bad[3] = {1.0f, INFINITY, 0.0f};
    trit_act b;
    REQUIRE(trit_act_alloc(&b, 1, 3) == 0);
    CHECK(trit_quantize_activations(bad, 3, &b) == -1);
    bad[1] = NAN;
    CHECK(trit_quantize_activations(bad, 3, &b) == -1);
    trit_act_free(&b);
    trit_act_free(&a);
    free(X);
}

typedef int (*act_quant_fn)(const float *X, size_t ld_x, trit_act *a);

/* One row set through fn and through the oracle: q (padding included), scale bits and Σq identical. */
static void same_as_ref(const char *name, act_quant_fn fn, const float *X, size_t rows, size_t cols, size_t ld)
{
    trit_act a, r;
    REQUIRE(trit_act_alloc(&a, rows, cols) == 0 && trit_act_alloc(&r, rows, cols) == 0);
    const int rc_ref = trit_quantize_activations_ref(X, ld, &r);
    const int rc = fn(X, ld, &a);
    CHECKF(rc == rc_ref, "%s rows %zu cols %zu: returned %d, oracle %d", name, rows, cols, rc, rc_ref);
    if (rc == 0 && rc_ref == 0) {
        CHECKF(memcmp(a.q, r.q, rows * a.stride) == 0, "%s rows %zu cols %zu: q differs from the oracle", name,
               rows, cols);
        CHECKF(memcmp(a.scale, r.scale, rows * sizeof(float)) == 0, "%s cols %zu: scale differs", name, cols);
        CHECKF(memcmp(a.sum, r.sum, rows * sizeof(int32_t)) == 0, "%s cols %zu: sum differs", name, cols);
    }
    trit_act_free(&a);
    trit_act_free(&r);
}

/* Rows that stress each vector path: every tail length around 8/16/32, K = 1, BitNet widths, ld > cols,
 * exact halves after scaling (scale 1), values that round to ±127 and would pass −128, an all-zero row,
 * tiny rows under the 1e-5 floor, denormals, and a non-finite value placed in the body and in the tail. */
static void simd_equals_oracle(const char *name, act_quant_fn fn)
{
    const size_t widths[] = {1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 63, 64, 65, 100, 255, 1000, 2560, 6912};
    const size_t rows = 5;
    for (size_t wi = 0; wi < sizeof widths / sizeof widths[0]; wi++) {
        const size_t cols = widths[wi], ld = cols + 3;
        float *X = calloc(rows * ld, sizeof(float));
        REQUIRE(X);
        trit_fill_activations(X, rows, ld, true, 100 + wi);
        for (size_t k = 0; k < cols; k++) { /* row 1: halves at scale 1 (max |x| = 127) */
            X[ld + k] = (float)((int)(k % 255) - 127) + ((k & 1) ? 0.5f : -0.5f);
            if (X[ld + k] > 127.0f || X[ld + k] < -127.0f)
                X[ld + k] = 127.0f;
        }
        X[ld] = -127.0f;
        memset(X + 2 * ld, 0, cols * sizeof(float)); /* row 2: all zero */
        for (size_t k = 0; k < cols; k++)              /* row 3: below the 1e-5 floor, denormals included */
            X[3 * ld + k] = (k % 3 == 0) ? 1e-40f * (float)k : -3e-6f * (float)(k % 5);
        same_as_ref(name, fn, X, rows, cols, ld);
        X[4 * ld + cols / 2] = NAN; /* body or tail, depending on the width */
        same_as_ref(name, fn, X, rows, cols, ld);
        X[4 * ld + cols / 2] = 1.0f;
        X[4 * ld + cols - 1] = -INFINITY; /* the last element: in the tail for every odd width */
        same_as_ref(name, fn, X, rows, cols, ld);
        free(X);
    }
}

static void vector_quantizers(void)
{
    simd_equals_oracle("dispatched", trit_quantize_activations);
#if TRIT_HAVE_X86_64
    const uint32_t f = trit_cpu_features_detected();
    if (f & TRIT_CPU_AVX2)
        simd_equals_oracle("avx2", trit_act_quant_x86_256);
    else
        printf("skip: the AVX2 activation quantizer (no AVX2 here)\n");
    if ((f & (TRIT_CPU_AVX512F | TRIT_CPU_AVX512BW)) == (TRIT_CPU_AVX512F | TRIT_CPU_AVX512BW))
        simd_equals_oracle("avx512", trit_act_quant_x86_512);
    else
        printf("skip: the AVX-512 activation quantizer (no AVX-512BW here)\n");
#endif
}

int main(void)
{
    weights_absmean(TRIT_SCALE_TENSOR, TRIT_DIST_GAUSSIAN, 512, 2048, 1);
    weights_absmean(TRIT_SCALE_ROW, TRIT_DIST_GAUSSIAN, 256, 4096, 2);
    weights_absmean(TRIT_SCALE_ROW, TRIT_DIST_STUDENT_T3, 64, 777, 3);
    weights_absmean(TRIT_SCALE_TENSOR, TRIT_DIST_OUTLIER_CHANNELS, 33, 1000, 4);
    weights_threshold();
    activations();
    vector_quantizers();
    return check_exit();
}
