/* test_cuda_i2.c — the CUDA I2 GEMV/GEMM (registry variants gemv/i2/cuda and gemm/i2/cuda) give the
 * integer accumulators of trit_matmul_i2_scalar bit for bit over awkward shapes (M = 1, K = 1, K off
 * the block, odd M and N, −128 activations, all-zero rows, very long K), write exactly the rows asked
 * for, and the fused FP32 output equals trit_rescale of the oracle. Exits 77 when no device. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/cuda/trit_cuda.h"
#include "kernels/tables.h"
#include "tests/check.h"

static uint64_t rng_state;
static uint64_t next_u64(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}
static double next_unit(void) { return (double)(next_u64() >> 11) * 0x1p-53; }

typedef struct shape {
    size_t M, K, N;
    const char *why;
} shape;

static const int32_t POISON = 0x7eadbeef;

/* Random ternary W (with all-zero rows and one all −1 row), activations from random floats, then
 * −128 planted by hand (the quantizer never makes it: |x·s| ≤ 127) with Σq kept right. */
static void make_case(const shape *s, trit_packed *w, trit_act *x)
{
    int8_t *wq = malloc(s->M * s->K);
    float *gamma = malloc(s->M * sizeof *gamma);
    float *X = malloc(s->N * s->K * sizeof *X);
    REQUIRE(wq && gamma && X);
    for (size_t m = 0; m < s->M; m++) {
        const int kind = (int)(next_u64() % 8); /* 0: all-zero row, 1: all −1, else random */
        for (size_t k = 0; k < s->K; k++)
            wq[m * s->K + k] = kind == 0 ? 0 : kind == 1 ? -1 : (int8_t)((int)(next_u64() % 3) - 1);
        gamma[m] = (float)(0.01 + 0.02 * next_unit());
    }
    for (size_t i = 0; i < s->N * s->K; i++)
        X[i] = (float)((next_unit() - 0.5) * 8.0);
    REQUIRE(trit_packed_alloc(w, TRIT_FMT_I2, TRIT_SCALE_ROW, s->M, s->K) == 0);
    REQUIRE(trit_pack(w, wq, gamma) == 0);
    REQUIRE(trit_act_alloc(x, s->N, s->K) == 0);
    REQUIRE(trit_quantize_activations(X, s->K, x) == 0);
    for (size_t n = 0; n < s->N; n++) {
        int8_t *q = x->q + n * x->stride;
        const bool all_min = n % 5 == 4; /* whole rows at the int8 minimum */
        for (size_t k = 0; k < s->K; k++)
            if (all_min || next_u64() % 16 == 0)
                q[k] = -128;
        int32_t sum = 0;
        for (size_t k = 0; k < s->K; k++)
            sum += q[k];
        x->sum[n] = sum;
    }
    free(wq);
    free(gamma);
    free(X);
}

static size_t count_mismatch(const int32_t *a, const int32_t *b, size_t n, size_t *first)
{
    size_t bad = 0;
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i] && bad++ == 0)
            *first = i;
    return bad;
}

static void check_shape(const shape *s, const trit_kernel *gemv, const trit_kernel *gemm)
{
    trit_packed w;
    trit_act x;
    make_case(s, &w, &x);
    const size_t total = s->M * s->N;
    int32_t *ref = malloc(total * sizeof *ref), *got = malloc(total * sizeof *got);
    REQUIRE(ref && got);
    trit_matmul_i2_scalar(&w, &x, 0, s->M, ref, s->M);

    /* Every kernel configuration the environment can pick (tools/gpu-check.sh tunes with these). */
    static const char *const tiles[] = {"128", "256"}, *const gemv_rows[] = {"1", "2", "4", "8"};
    for (int cfg = 0; cfg < 4; cfg++) {
        REQUIRE(setenv("TRIT_CUDA_GEMM_TILE", tiles[cfg % 2], 1) == 0);
        REQUIRE(setenv("TRIT_CUDA_GEMV_ROWS", gemv_rows[cfg], 1) == 0);
        const trit_kernel *ks[2] = {gemv, gemm};
        for (int v = 0; v < 2; v++) {
            if (v == 0 && s->N != 1)
                continue;
            for (size_t i = 0; i < total; i++)
                got[i] = POISON;
            CHECK(trit_matmul(ks[v], &w, &x, 1, got) == 0);
            size_t first = 0;
            const size_t bad = count_mismatch(ref, got, total, &first);
            CHECKF(bad == 0, "%s (tile %s, gemv rows %s) M=%zu K=%zu N=%zu (%s): %zu of %zu accumulators differ, "
                   "first n=%zu m=%zu: %" PRId32 " != %" PRId32, v ? "gemm" : "gemv", tiles[cfg % 2], gemv_rows[cfg],
                   s->M, s->K, s->N, s->why, bad, total, first / s->M, first % s->M, got[first], ref[first]);
        }
    }
    REQUIRE(unsetenv("TRIT_CUDA_GEMM_TILE") == 0 && unsetenv("TRIT_CUDA_GEMV_ROWS") == 0);

    /* A row range (as threads split the work): only [m_begin, m_end) of each activation row written. */
    if (s->M >= 3) {
        const size_t mb = s->M / 3, me = s->M - s->M / 4;
        for (size_t i = 0; i < total; i++)
            got[i] = POISON;
        /* The descriptor's matmul for one chunk, as trit_kernel_run hands rows to a thread. */
        const trit_matmul_io io = {.w = {.packed = &w, .rows = w.rows, .cols = w.cols},
                                   .x = {.q = &x, .rows = x.rows}, .acc = got, .threads = 1};
        gemm->matmul(&io, NULL, mb, me);
        size_t bad = 0;
        for (size_t n = 0; n < s->N; n++)
            for (size_t m = 0; m < s->M; m++) {
                const int32_t want = m >= mb && m < me ? ref[n * s->M + m] : POISON;
                bad += got[n * s->M + m] != want;
            }
        CHECKF(bad == 0, "gemm rows [%zu,%zu) of M=%zu K=%zu N=%zu: %zu wrong or stray writes", mb, me, s->M, s->K,
               s->N, bad);
    }

    /* Fused rescale on the resident API: y must be trit_rescale(oracle) exactly (same float operations). */
    float *yref = malloc(total * sizeof *yref), *y = malloc(total * sizeof *y);
    REQUIRE(yref && y);
    trit_rescale(&w, &x, ref, NULL, yref);
    trit_cuda_weights dw;
    trit_cuda_act dx;
    REQUIRE(trit_cuda_weights_upload(&dw, &w, 0, s->M) == 0);
    REQUIRE(trit_cuda_act_alloc(&dx, s->N, s->K) == 0);
    REQUIRE(trit_cuda_act_upload(&dx, &x) == 0);
    float *dy = trit_cuda_malloc(total * sizeof(float));
    REQUIRE(dy);
    REQUIRE(trit_cuda_memset(dy, 0xff, total * sizeof(float)) == 0); /* NaN poison */
    const int r = s->N == 1 ? trit_cuda_gemv_i2(&dw, &dx, NULL, dy, s->M, NULL)
                            : trit_cuda_gemm_i2(&dw, &dx, NULL, dy, s->M, NULL);
    CHECKF(r == 0, "fused launch: %s", trit_cuda_last_error());
    REQUIRE(trit_cuda_download(y, dy, total * sizeof(float)) == 0);
    CHECKF(memcmp(y, yref, total * sizeof(float)) == 0, "fused y differs from trit_rescale, M=%zu K=%zu N=%zu",
           s->M, s->K, s->N);
    trit_cuda_free(dy);
    trit_cuda_act_free(&dx);
    trit_cuda_weights_free(&dw);

    free(y);
    free(yref);
    free(ref);
    free(got);
    trit_packed_free(&w);
    trit_act_free(&x);
}

/* Bad input is refused with a message, not run. */
static void check_errors(void)
{
    trit_cuda_weights dw;
    trit_cuda_act dx;
    REQUIRE(trit_cuda_weights_alloc(&dw, 8, 300, TRIT_SCALE_TENSOR) == 0);
    REQUIRE(trit_cuda_act_alloc(&dx, 2, 299) == 0);
    int32_t *dacc = trit_cuda_malloc(64 * sizeof(int32_t));
    REQUIRE(dacc);
    CHECK(trit_cuda_gemm_i2(&dw, &dx, dacc, NULL, 8, NULL) == -1); /* K mismatch */
    CHECK(strstr(trit_cuda_last_error(), "shape mismatch") != NULL);
    trit_cuda_act_free(&dx);
    REQUIRE(trit_cuda_act_alloc(&dx, 2, 300) == 0);
    CHECK(trit_cuda_gemv_i2(&dw, &dx, dacc, NULL, 8, NULL) == -1); /* GEMV with 2 rows */
    CHECK(trit_cuda_gemm_i2(&dw, &dx, dacc, NULL, 7, NULL) == -1); /* ld < M */
    CHECK(trit_cuda_gemm_i2(&dw, &dx, NULL, NULL, 8, NULL) == -1); /* no output */
    trit_cuda_free(dacc);
    trit_cuda_act_free(&dx);
    trit_cuda_weights_free(&dw);
}

int main(void)
{
    const trit_kernel *gemv = trit_kernel_get(TRIT_OP_GEMV, TRIT_FMT_I2, "cuda");
    const trit_kernel *gemm = trit_kernel_get(TRIT_OP_GEMM, TRIT_FMT_I2, "cuda");
    REQUIRE(gemv && gemm);
    char why[256] = "";
    if (!trit_kernel_runnable(gemm, why, sizeof why)) {
        CHECKF(strncmp(why, "no CUDA device", 14) == 0 || strstr(why, "sm_80") != NULL, "unexpected reason '%s'",
               why);
        CHECK(!trit_kernel_runnable(gemv, why, sizeof why));
        printf("SKIP: %s\n", why);
        return check_failures ? 1 : 77;
    }
    const char *env = getenv("TRIT_TEST_SEED");
    const uint64_t seed = env ? strtoull(env, NULL, 0) : 0x5eed2026ull;
    rng_state = seed;
    printf("seed %#" PRIx64 " (TRIT_TEST_SEED)\n", seed);

    static const shape shapes[] = {
        {1, 1, 1, "M = K = N = 1"},
        {1, 256, 1, "one exact block"},
        {3, 255, 1, "K one short of a block"},
        {5, 257, 1, "K one past a block"},
        {333, 2560, 1, "odd M, decode"},
        {1, 1 << 20, 1, "very long K, GEMV"},
        {7, 1000, 5, "tiny GEMM"},
        {129, 513, 129, "M and N one past the 128 tile"},
        {255, 1280, 127, "M and N one short of the tile"},
        {513, 768, 200, "M one past two wide tiles"},
        {64, 1, 130, "K = 1, N over two tiles"},
        {300, 4096 + 17, 33, "long K off the block"},
        {3, 300000, 2, "very long K, GEMM"},
    };
    /* TRIT_TEST_QUICK=1: small shapes only (for runs under compute-sanitizer). */
    const bool quick = getenv("TRIT_TEST_QUICK") && strcmp(getenv("TRIT_TEST_QUICK"), "1") == 0;
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
        if (!quick || shapes[i].M * shapes[i].K * shapes[i].N <= 4000000)
            check_shape(&shapes[i], gemv, gemm);
    check_errors();
    return check_exit();
}
