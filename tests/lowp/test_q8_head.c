/* test_q8_head.c — the Q8 (int8 per row) lm_head: every compiled variant that this CPU runs gives the
 * scalar oracle's int32 dot products bit for bit on awkward shapes (K = 1, tails around 32/64/128, odd M,
 * row ranges not starting at 0, long K up to TRIT_Q8_MAX_K, all-zero rows, −128 everywhere), the oracle
 * itself equals an int64 evaluation, and quantization / lookup / the rescaled GEMV do what lowp.h says. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tritbench/catalog.h"
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

enum { FILL_RANDOM, FILL_MIN, FILL_ZERO_ROWS, FILL_MAX_MIX };

/* Codes drawn over the whole int8 range (−128 included, which absmax quantization never writes but a
 * kernel must still get right). */
static void fill(trit_q8_rows *w, int8_t *x, int kind, uint64_t seed)
{
    trit_rng r;
    trit_rng_seed(&r, seed);
    for (size_t m = 0; m < w->rows; m++)
        for (size_t k = 0; k < w->cols; k++) {
            int8_t c = (int8_t)(trit_rng_next(&r) >> 56);
            if (kind == FILL_MIN)
                c = -128;
            else if (kind == FILL_ZERO_ROWS && m % 3 == 1)
                c = 0;
            else if (kind == FILL_MAX_MIX)
                c = (m + k) % 2 ? 127 : -128;
            w->codes[m * w->stride + k] = c;
        }
    for (size_t k = 0; k < w->cols; k++)
        x[k] = kind == FILL_MIN || kind == FILL_MAX_MIX ? (int8_t)-128 : (int8_t)(trit_rng_next(&r) >> 56);
    trit_q8_update_sums(w, 0, w->rows);
}

static void check_shape(size_t M, size_t K, int kind)
{
    trit_q8_rows w;
    if (trit_q8_alloc(&w, M, K) != 0) {
        CHECK(0, "alloc %zux%zu", M, K);
        return;
    }
    int8_t *x = malloc(K);
    int32_t *ref = malloc(M * sizeof *ref), *got = malloc(M * sizeof *got);
    if (!x || !ref || !got) {
        CHECK(0, "no memory");
        goto out;
    }
    fill(&w, x, kind, 1000 * M + K + (uint64_t)kind);
    trit_q8_dot_fn scalar = trit_q8_get("scalar")->dot;
    scalar(&w, x, ref, 0, M);
    for (size_t m = 0; m < M; m++) { /* the oracle against int64 arithmetic */
        long long s = 0;
        for (size_t k = 0; k < K; k++)
            s += (long long)w.codes[m * w.stride + k] * x[k];
        CHECK(s == ref[m], "scalar oracle row %zu: %d, int64 %lld (M=%zu K=%zu)", m, ref[m], s, M, K);
    }
    size_t n;
    const trit_q8_kernel *ks = trit_q8_kernels(&n);
    for (size_t i = 0; i < n; i++) {
        if (!trit_q8_runnable(&ks[i])) {
            printf("skip %s (CPU lacks it)\n", ks[i].name);
            continue;
        }
        /* Whole range, then a range starting at an odd row (tile boundaries of the threaded GEMV). */
        const size_t begins[2] = {0, M > 1 ? 1 : 0};
        for (int b = 0; b < 2; b++) {
            memset(got, 0x55, M * sizeof *got);
            ks[i].dot(&w, x, got, begins[b], M);
            for (size_t m = begins[b]; m < M; m++)
                if (got[m - begins[b]] != ref[m]) {
                    CHECK(0, "%s M=%zu K=%zu kind=%d rows [%zu,%zu): row %zu got %d, oracle %d", ks[i].name, M, K,
                          kind, begins[b], M, m, got[m - begins[b]], ref[m]);
                    break;
                }
        }
    }
out:
    free(x);
    free(ref);
    free(got);
    trit_q8_free(&w);
}

static void test_kernels(void)
{
    static const size_t shapes[][2] = {{1, 1},   {3, 1},    {5, 2},    {7, 31},  {4, 32},   {9, 33},
                                       {11, 63}, {8, 64},   {13, 65},  {6, 127}, {5, 128},  {17, 129},
                                       {3, 191}, {21, 255}, {33, 257}, {7, 640}, {31, 2560}, {6, 4097},
                                       {5, 8191}, {3, TRIT_Q8_MAX_K}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (int kind = FILL_RANDOM; kind <= FILL_MAX_MIX; kind++)
            check_shape(shapes[s][0], shapes[s][1], kind);
}

static void test_quantize_and_lookup(void)
{
    trit_q8_rows w;
    CHECK(trit_q8_alloc(&w, 3, 5) == 0, "alloc");
    CHECK(w.stride == 64, "stride %zu", w.stride);
    const float src[15] = {1.0f, -0.5f, 0.25f, 0.0f, -1.0f, /* amax 1: 127, −63.5→−64 (half even), 31.75→32 */
                           0, 0, 0, 0, 0,                  /* all-zero row: codes 0, scale 0 */
                           -2.0f, 1.0f, 0.00787401574f, 3e-3f, 2.0f};
    CHECK(trit_q8_quantize_rows(&w, 0, 3, src) == 0, "quantize");
    const int8_t want0[5] = {127, -64, 32, 0, -127};
    CHECK(memcmp(w.codes, want0, 5) == 0, "row 0 codes %d %d %d %d %d", w.codes[0], w.codes[1], w.codes[2],
          w.codes[3], w.codes[4]);
    CHECK(w.scale[0] == 1.0f / 127.0f, "row 0 scale %g", (double)w.scale[0]);
    CHECK(w.wsum[0] == 127 - 64 + 32 - 127, "row 0 Σ %d", w.wsum[0]);
    CHECK(w.scale[1] == 0.0f && w.wsum[1] == 0 && w.codes[w.stride] == 0, "zero row");
    CHECK(w.codes[2 * w.stride + 0] == -127 && w.codes[2 * w.stride + 1] == 64 && w.codes[2 * w.stride + 4] == 127,
          "row 2 codes");
    float out[5];
    trit_q8_dequantize_row(&w, 0, out);
    CHECK(out[0] == 1.0f && out[4] == -1.0f && fabsf(out[1] + 64.0f / 127.0f) < 1e-7f, "lookup row 0: %g %g",
          (double)out[0], (double)out[1]);
    trit_q8_dequantize_row(&w, 1, out);
    CHECK(out[0] == 0.0f && out[4] == 0.0f, "lookup zero row");
    const float bad[5] = {1.0f, NAN, 0, 0, 0};
    CHECK(trit_q8_quantize_rows(&w, 0, 1, bad) == -1, "NaN accepted");
    CHECK(trit_q8_quantize_rows(&w, 2, 2, src) == -1, "rows beyond the matrix accepted");
    trit_q8_free(&w);
    CHECK(trit_q8_alloc(&w, 1, TRIT_Q8_MAX_K + 1) == -1, "K beyond TRIT_Q8_MAX_K accepted");
    CHECK(trit_q8_alloc(&w, 1, 0) == -1, "K = 0 accepted");
}

/* The full GEMV: y = acc · scale[m] / s, the same floats for every variant and thread count. */
static void test_gemv(void)
{
    const size_t M = 203, K = 333;
    trit_q8_rows w;
    trit_act a;
    float *W = malloc(M * K * sizeof *W), *x = malloc(K * sizeof *x), *y = malloc(M * sizeof *y);
    int32_t *acc = malloc(M * sizeof *acc), *ref = malloc(M * sizeof *ref);
    if (!W || !x || !y || !acc || !ref || trit_q8_alloc(&w, M, K) != 0 || trit_act_alloc(&a, 1, K) != 0) {
        CHECK(0, "setup");
        return;
    }
    trit_rng r;
    trit_rng_seed(&r, 7);
    for (size_t i = 0; i < M * K; i++)
        W[i] = (float)trit_rng_normal(&r);
    for (size_t k = 0; k < K; k++)
        x[k] = (float)trit_rng_normal(&r);
    CHECK(trit_q8_quantize_rows(&w, 0, M, W) == 0, "quantize");
    trit_act one = a;
    CHECK(trit_quantize_activations(x, K, &one) == 0, "activations");
    trit_q8_get("scalar")->dot(&w, one.q, ref, 0, M);
    size_t n;
    const trit_q8_kernel *ks = trit_q8_kernels(&n);
    for (size_t i = 0; i < n; i++) {
        if (!trit_q8_runnable(&ks[i]))
            continue;
        for (int threads = 1; threads <= 2; threads++) {
            CHECK(trit_q8_gemv(&ks[i], &w, x, &a, acc, y, threads) == 0, "gemv %s", ks[i].name);
            double max_rel = 0;
            for (size_t m = 0; m < M; m++) {
                const float want = (float)ref[m] * w.scale[m] * (1.0f / one.scale[0]);
                CHECK(y[m] == want, "%s threads %d row %zu: %g, want %g", ks[i].name, threads, m, (double)y[m],
                      (double)want);
                double exact = 0, mag = 0;
                for (size_t k = 0; k < K; k++) {
                    exact += (double)W[m * K + k] * x[k];
                    mag += fabs((double)W[m * K + k] * x[k]);
                }
                const double rel = fabs(y[m] - exact) / mag;
                max_rel = rel > max_rel ? rel : max_rel;
            }
            /* Two 8-bit roundings: a few % of Σ|w·x| at most; a wrong row or scale is far off. */
            CHECK(max_rel < 0.02, "%s: error %.4f of Σ|w·x|", ks[i].name, max_rel);
        }
    }
    x[3] = INFINITY;
    CHECK(trit_q8_gemv(trit_q8_select(), &w, x, &a, acc, y, 1) == -1, "non-finite activation accepted");
    trit_act_free(&a);
    trit_q8_free(&w);
    free(W);
    free(x);
    free(y);
    free(acc);
    free(ref);
}

int main(void)
{
    printf("q8 selected: %s\n", trit_q8_select()->name);
    test_kernels();
    test_quantize_and_lookup();
    test_gemv();
    if (failures) {
        printf("%d failure(s)\n", failures);
        return 1;
    }
    printf("ok\n");
    return 0;
}
