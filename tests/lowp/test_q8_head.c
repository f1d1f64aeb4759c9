/* test_q8_head.c — the Q8 (int8 per row) lm_head: every compiled variant that this CPU runs gives the
 * scalar oracle's int64 dot products against the int16 activation bit for bit on awkward shapes (K = 1,
 * tails around 32/64/128, odd M, row ranges not starting at 0, long K up to TRIT_Q8_MAX_K, all-zero rows,
 * codes −128 against activations −32768 and 32767 — the largest sums of either sign —, activations at the
 * byte-plane edges ±256, ±255, −1, 255), the oracle itself equals a plain int64 evaluation, and
 * quantization / the byte planes / lookup / the rescaled GEMV do what lowp.h says. */
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

enum { FILL_RANDOM, FILL_MIN, FILL_MIN_NEG, FILL_ZERO_ROWS, FILL_MAX_MIX, FILL_PLANE_EDGES, FILL_KINDS };

/* Activation values where q = 256·hi + lo changes hi or wraps lo. */
static const int16_t plane_edges[] = {-32768, -32767, -257, -256, -255, -129, -128, -1, 0,
                                      1,      127,    128,  255,  256,  257,  32512, 32767};

/* Codes drawn over the whole int8 range (−128 included, which absmax quantization never writes but a
 * kernel must still get right), activations over the whole int16 range. */
static void fill(trit_q8_rows *w, trit_q8_act *x, int kind, uint64_t seed)
{
    trit_rng r;
    trit_rng_seed(&r, seed);
    for (size_t m = 0; m < w->rows; m++)
        for (size_t k = 0; k < w->cols; k++) {
            int8_t c = (int8_t)(trit_rng_next(&r) >> 56);
            if (kind == FILL_MIN || kind == FILL_MIN_NEG)
                c = -128;
            else if (kind == FILL_ZERO_ROWS && m % 3 == 1)
                c = 0;
            else if (kind == FILL_MAX_MIX)
                c = (m + k) % 2 ? 127 : -128;
            w->codes[m * w->stride + k] = c;
        }
    for (size_t k = 0; k < x->cols; k++) {
        int16_t q = (int16_t)(trit_rng_next(&r) >> 48);
        if (kind == FILL_MIN || kind == FILL_MAX_MIX)
            q = -32768;
        else if (kind == FILL_MIN_NEG)
            q = 32767;
        else if (kind == FILL_PLANE_EDGES)
            q = plane_edges[trit_rng_next(&r) % (sizeof plane_edges / sizeof plane_edges[0])];
        x->q[k] = q;
    }
    trit_q8_act_split(x);
    trit_q8_update_sums(w, 0, w->rows);
}

static void check_shape(size_t M, size_t K, int kind)
{
    trit_q8_rows w;
    trit_q8_act x;
    if (trit_q8_alloc(&w, M, K) != 0 || trit_q8_act_alloc(&x, K) != 0) {
        CHECK(0, "alloc %zux%zu", M, K);
        return;
    }
    int64_t *ref = malloc(M * sizeof *ref), *got = malloc(M * sizeof *got);
    if (!ref || !got) {
        CHECK(0, "no memory");
        goto out;
    }
    fill(&w, &x, kind, 1000 * M + K + (uint64_t)kind);
    trit_q8_dot_fn scalar = trit_q8_get("scalar")->dot;
    scalar(&w, &x, ref, 0, M);
    for (size_t m = 0; m < M; m++) { /* the oracle against plain int64 arithmetic */
        long long s = 0;
        for (size_t k = 0; k < K; k++)
            s += (long long)w.codes[m * w.stride + k] * x.q[k];
        CHECK(s == ref[m], "scalar oracle row %zu: %lld, int64 %lld (M=%zu K=%zu)", m, (long long)ref[m], s, M, K);
    }
    if (kind == FILL_MIN && M > 0) /* the largest sum: beyond int32 from K = 512 on */
        CHECK(ref[0] == (int64_t)K * 128 * 32768, "oracle: %lld for K=%zu of −128 · −32768", (long long)ref[0], K);
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
            ks[i].dot(&w, &x, got, begins[b], M);
            for (size_t m = begins[b]; m < M; m++)
                if (got[m - begins[b]] != ref[m]) {
                    CHECK(0, "%s M=%zu K=%zu kind=%d rows [%zu,%zu): row %zu got %lld, oracle %lld", ks[i].name, M,
                          K, kind, begins[b], M, m, (long long)got[m - begins[b]], (long long)ref[m]);
                    break;
                }
        }
    }
out:
    free(ref);
    free(got);
    trit_q8_free(&w);
    trit_q8_act_free(&x);
}

static void test_kernels(void)
{
    static const size_t shapes[][2] = {{1, 1},    {3, 1},    {5, 2},     {7, 31},   {4, 32},   {9, 33},
                                       {11, 63},  {8, 64},   {13, 65},   {6, 127},  {5, 128},  {17, 129},
                                       {3, 191},  {21, 255}, {33, 257},  {7, 640},  {31, 2560}, {5, 2048},
                                       {5, 2049}, {6, 4097}, {5, 8191}, {3, TRIT_Q8_MAX_K - 1}, {3, TRIT_Q8_MAX_K},
                                       /* codes ≥ TRIT_HUGE_MIN: the 2 MiB-aligned huge-page storage */
                                       {821, 2560}, {33, TRIT_Q8_MAX_K}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (int kind = FILL_RANDOM; kind < FILL_KINDS; kind++)
            check_shape(shapes[s][0], shapes[s][1], kind);
}

/* The byte planes for every int16 value; the quantizer's rounding, scale and refusals. */
static void test_activation(void)
{
    trit_q8_act a;
    CHECK(trit_q8_act_alloc(&a, 0) == -1, "cols 0 accepted");
    CHECK(trit_q8_act_alloc(&a, 65536) == 0, "alloc");
    for (size_t k = 0; k < 65536; k++)
        a.q[k] = (int16_t)((int32_t)k - 32768);
    trit_q8_act_split(&a);
    int bad = 0;
    for (size_t k = 0; k < 65536; k++)
        bad += 256 * (int32_t)a.hi[k] + (int32_t)a.lo[k] != a.q[k];
    CHECK(bad == 0, "%d int16 values are not 256·hi + lo", bad);
    trit_q8_act_free(&a);

    CHECK(trit_q8_act_alloc(&a, 5) == 0, "alloc");
    /* amax 2: s = 32767/2; 1 → 16383.5 → 16384 (half even), −0.5 → −8191.75 → −8192, 2 → 32767 */
    const float x[5] = {1.0f, -0.5f, 0.0f, 2.0f, -2.0f};
    CHECK(trit_q8_quantize_act(x, &a) == 0, "quantize");
    const int16_t want[5] = {16384, -8192, 0, 32767, -32767};
    CHECK(memcmp(a.q, want, sizeof want) == 0, "codes %d %d %d %d %d", a.q[0], a.q[1], a.q[2], a.q[3], a.q[4]);
    CHECK(a.scale == 32767.0f / 2.0f, "scale %g", (double)a.scale);
    CHECK(a.hi[4] == -128 && a.lo[4] == 1 && a.hi[3] == 127 && a.lo[3] == 255, "planes of ±32767");
    const float zero[5] = {0};
    CHECK(trit_q8_quantize_act(zero, &a) == 0 && a.q[0] == 0 && a.scale == 32767.0f / TRIT_ACT_MIN_ABSMAX,
          "all-zero activation");
    const float bad_x[5] = {0, 0, INFINITY, 0, 0};
    CHECK(trit_q8_quantize_act(bad_x, &a) == -1, "non-finite activation accepted");
    trit_q8_act_free(&a);
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

/* Storage of TRIT_HUGE_MIN bytes and more (lm_head-sized) starts on a 2 MiB boundary and, like the
 * small one, holds zero codes (padding included) and zero scales / sums until written; one byte below
 * the threshold keeps the ordinary alignment contract. */
static void test_large_storage(void)
{
    static const size_t shapes[][2] = {{821, 2559}, {TRIT_HUGE_MIN / 64 - 1, 64}, {TRIT_HUGE_MIN / 64, 64}};
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        trit_q8_rows w;
        if (trit_q8_alloc(&w, shapes[i][0], shapes[i][1]) != 0) {
            CHECK(0, "alloc %zux%zu", shapes[i][0], shapes[i][1]);
            continue;
        }
        const size_t bytes = w.rows * w.stride;
        const uintptr_t align = bytes >= TRIT_HUGE_MIN ? TRIT_HUGE_MIN : 64;
        CHECK((uintptr_t)w.codes % align == 0, "%zu bytes of codes at %p, not %zu-aligned", bytes, (void *)w.codes,
              (size_t)align);
        size_t nonzero = 0;
        for (size_t b = 0; b < bytes; b++)
            nonzero += w.codes[b] != 0;
        for (size_t m = 0; m < w.rows; m++)
            nonzero += w.scale[m] != 0.0f || w.wsum[m] != 0;
        CHECK(nonzero == 0, "%zux%zu: %zu values not zero after alloc", w.rows, w.cols, nonzero);
        w.codes[bytes - 1] = -128; /* the last byte is ours to write */
        trit_q8_update_sums(&w, w.rows - 1, 1);
        CHECK(w.wsum[w.rows - 1] == (w.cols == w.stride ? -128 : 0), "Σ of the last row %d", w.wsum[w.rows - 1]);
        trit_q8_free(&w);
    }
}

/* The full GEMV: y = rescale(acc, scale[m], s), the same floats for every variant and thread count; the
 * activation's rounding is int16's: |y − Σ w_deq·x| ≤ Σ|w_deq| · (0.5/s) (+ FP rounding), a bound int8
 * activations (0.5 · 127/32767 … 258× coarser) would miss. */
static void test_gemv(void)
{
    const size_t M = 203, K = 333;
    trit_q8_rows w;
    trit_q8_act a;
    float *W = malloc(M * K * sizeof *W), *x = malloc(K * sizeof *x), *y = malloc(M * sizeof *y),
          *wd = malloc(K * sizeof *wd);
    int64_t *acc = malloc(M * sizeof *acc), *ref = malloc(M * sizeof *ref);
    if (!W || !x || !y || !wd || !acc || !ref || trit_q8_alloc(&w, M, K) != 0 || trit_q8_act_alloc(&a, K) != 0) {
        CHECK(0, "setup");
        return;
    }
    trit_rng r;
    trit_rng_seed(&r, 7);
    for (size_t i = 0; i < M * K; i++)
        W[i] = (float)trit_rng_normal(&r);
    for (size_t k = 0; k < K; k++)
        x[k] = (float)trit_rng_normal(&r);
    x[5] = 9.0f; /* an outlier sets the scale, as in real hidden states */
    CHECK(trit_q8_quantize_rows(&w, 0, M, W) == 0, "quantize");
    CHECK(trit_q8_quantize_act(x, &a) == 0, "activations");
    const float s = a.scale;
    trit_q8_get("scalar")->dot(&w, &a, ref, 0, M);
    size_t n;
    const trit_q8_kernel *ks = trit_q8_kernels(&n);
    for (size_t i = 0; i < n; i++) {
        if (!trit_q8_runnable(&ks[i]))
            continue;
        for (int threads = 1; threads <= 2; threads++) {
            CHECK(trit_q8_gemv(&ks[i], &w, x, &a, acc, y, threads) == 0, "gemv %s", ks[i].name);
            double max_rel = 0, worst_act = 0;
            for (size_t m = 0; m < M; m++) {
                const float want = trit_q8_rescale(ref[m], w.scale[m], s);
                CHECK(y[m] == want, "%s threads %d row %zu: %g, want %g", ks[i].name, threads, m, (double)y[m],
                      (double)want);
                trit_q8_dequantize_row(&w, m, wd);
                double exact = 0, mag = 0, deq = 0, deq_abs = 0;
                for (size_t k = 0; k < K; k++) {
                    exact += (double)W[m * K + k] * x[k];
                    mag += fabs((double)W[m * K + k] * x[k]);
                    deq += (double)wd[k] * x[k];
                    deq_abs += fabs((double)wd[k]);
                }
                const double rel = fabs(y[m] - exact) / mag;
                max_rel = rel > max_rel ? rel : max_rel;
                /* activation rounding alone, against its bound (with room for the FP32 rescale) */
                const double act = fabs(y[m] - deq) / (deq_abs * 0.5 / s + 1e-6 * fabs(deq));
                worst_act = act > worst_act ? act : worst_act;
            }
            /* The int8 weights' rounding: ~1 % of Σ|w·x| at most; a wrong row or scale is far off. */
            CHECK(max_rel < 0.02, "%s: error %.4f of Σ|w·x|", ks[i].name, max_rel);
            CHECK(worst_act <= 1.0, "%s: activation error %.3f of the int16 bound", ks[i].name, worst_act);
        }
    }
    x[3] = INFINITY;
    CHECK(trit_q8_gemv(trit_q8_select(), &w, x, &a, acc, y, 1) == -1, "non-finite activation accepted");
    trit_q8_act b;
    CHECK(trit_q8_act_alloc(&b, K + 1) == 0, "alloc");
    CHECK(trit_q8_gemv(trit_q8_select(), &w, x, &b, acc, y, 1) == -1, "activation of another width accepted");
    trit_q8_act_free(&b);
    trit_q8_act_free(&a);
    trit_q8_free(&w);
    free(W);
    free(x);
    free(y);
    free(wd);
    free(acc);
    free(ref);
}

int main(void)
{
    printf("q8 selected: %s\n", trit_q8_select()->name);
    test_kernels();
    test_activation();
    test_quantize_and_lookup();
    test_large_storage();
    test_gemv();
    if (failures) {
        printf("%d failure(s)\n", failures);
        return 1;
    }
    printf("ok\n");
    return 0;
}
