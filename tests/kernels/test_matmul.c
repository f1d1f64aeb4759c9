/* test_matmul.c — every runnable exact-class descriptor of the kernel table (plus a test-only descriptor
 * using repack, preparation and workspace) against an independent int64 oracle (computed
 * from the unpacked int8 matrices) and the scalar reference: accumulators bit-exact, FP32 rescale equal,
 * thread counts 1/2/3 equal. Edge cases: M = 1, K = 1, K off every block size, odd M, x = −128, all-zero
 * rows, weights all 0 / all ±1, K ≥ 65536 at x = −128 (any int16 running sum would overflow), GEMM
 * batches 1, 2, 3, 7, 16, 33, and every T5 byte pattern in every byte position. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/check.h"
#include "tests/kernels/kernel_rows.h"
#include "kernels/tables.h"
#include "tritbench/catalog.h"
#include "tritbench/kernels.h"

typedef enum { W_RANDOM, W_ZERO, W_PLUS, W_MINUS, W_PLUSMINUS, W_SPARSE } wmode;
typedef enum { X_RANDOM, X_MIN, X_ZERO_ROWS, X_MAX } xmode;

typedef struct tcase {
    size_t M, K, N;
    trit_format fmt;
    wmode wm;
    xmode xm;
    uint64_t seed;
} tcase;

typedef struct built {
    int8_t *wq;
    trit_packed w;
    trit_act x;
    int32_t *oracle;
} built;

static int8_t draw_weight(trit_rng *r, wmode wm, size_t m, size_t k)
{
    switch (wm) {
    case W_ZERO: return 0;
    case W_PLUS: return 1;
    case W_MINUS: return -1;
    case W_PLUSMINUS: return ((m + k) & 1) ? 1 : -1;
    case W_SPARSE: return trit_rng_below(r, 10) == 0 ? (int8_t)(trit_rng_below(r, 2) ? 1 : -1) : 0;
    default: return (int8_t)((int)trit_rng_below(r, 3) - 1);
    }
}

static int8_t draw_act(trit_rng *r, xmode xm, size_t n)
{
    switch (xm) {
    case X_MIN: return -128;
    case X_MAX: return 127;
    case X_ZERO_ROWS: return (n % 2 == 0) ? 0 : (int8_t)((int)trit_rng_below(r, 256) - 128);
    default: return (int8_t)((int)trit_rng_below(r, 256) - 128);
    }
}

/* Builds the packed weights and activations (q set directly, so −128 appears) and the int64 oracle. */
static int build(const tcase *c, built *b)
{
    memset(b, 0, sizeof *b);
    trit_rng r;
    trit_rng_seed(&r, c->seed);
    b->wq = malloc(c->M * c->K);
    b->oracle = malloc(c->M * c->N * sizeof(int32_t));
    float *scales = malloc(c->M * sizeof(float));
    if (!b->wq || !b->oracle || !scales)
        return -1;
    for (size_t m = 0; m < c->M; m++) {
        scales[m] = 0.01f + (float)trit_rng_uniform(&r);
        for (size_t k = 0; k < c->K; k++)
            b->wq[m * c->K + k] = draw_weight(&r, c->wm, m, k);
    }
    const trit_granularity g = (c->seed & 1) ? TRIT_SCALE_ROW : TRIT_SCALE_TENSOR;
    if (trit_packed_alloc(&b->w, c->fmt, g, c->M, c->K) != 0 || trit_pack(&b->w, b->wq, scales) != 0) {
        free(scales);
        return -1;
    }
    free(scales);
    if (trit_act_alloc(&b->x, c->N, c->K) != 0)
        return -1;
    for (size_t n = 0; n < c->N; n++) {
        int8_t *q = b->x.q + n * b->x.stride;
        int32_t sum = 0;
        for (size_t k = 0; k < c->K; k++) {
            q[k] = draw_act(&r, c->xm, n);
            sum += q[k];
        }
        b->x.sum[n] = sum;
        b->x.scale[n] = 1.0f + 200.0f * (float)trit_rng_uniform(&r);
    }
    for (size_t n = 0; n < c->N; n++)
        for (size_t m = 0; m < c->M; m++) {
            int64_t s = 0;
            for (size_t k = 0; k < c->K; k++)
                s += (int64_t)b->wq[m * c->K + k] * b->x.q[n * b->x.stride + k];
            REQUIRE(s >= INT32_MIN && s <= INT32_MAX); /* the test's own shapes must fit the contract */
            b->oracle[n * c->M + m] = (int32_t)s;
        }
    return 0;
}

static void release(built *b)
{
    free(b->wq);
    free(b->oracle);
    trit_packed_free(&b->w);
    trit_act_free(&b->x);
}

static int first_mismatch(const int32_t *a, const int32_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i])
            return (int)i;
    return -1;
}

static long n_compared;

/* A test-only descriptor that uses every optional hook of the contract: its repack unpacks the weights
 * to int8 (its "own layout"), its per-call preparation widens the activations to int16, and its
 * workspace holds one row of products. trit_kernel_run must wire them all, for any thread count. */
static int hooks_repacks, hooks_prepares;

static size_t hooks_repack_bytes(const trit_weights *w) { return w->rows * w->cols; }
static int hooks_repack(const trit_weights *w, void *out)
{
    hooks_repacks++;
    return trit_unpack(w->packed, out);
}
static size_t hooks_prepare_bytes(const trit_matmul_io *io) { return io->x.rows * io->w.cols * sizeof(int16_t); }
static void hooks_prepare(const trit_matmul_io *io, void *out)
{
    hooks_prepares++;
    int16_t *p = out;
    for (size_t n = 0; n < io->x.rows; n++)
        for (size_t k = 0; k < io->w.cols; k++)
            p[n * io->w.cols + k] = io->x.q->q[n * io->x.q->stride + k];
}
static size_t hooks_workspace_bytes(size_t M, size_t K, size_t N)
{
    (void)M;
    (void)N;
    return K * sizeof(int32_t);
}
static void hooks_matmul(const trit_matmul_io *io, void *workspace, size_t m_begin, size_t m_end)
{
    const size_t K = io->w.cols;
    const int8_t *wq = io->repacked;
    const int16_t *xp = io->prepared;
    int32_t *prod = workspace;
    REQUIRE(wq && xp && prod);
    for (size_t n = 0; n < io->x.rows; n++)
        for (size_t m = m_begin; m < m_end; m++) {
            int32_t s = 0;
            for (size_t k = 0; k < K; k++)
                prod[k] = wq[m * K + k] * xp[n * K + k];
            for (size_t k = 0; k < K; k++)
                s += prod[k];
            io->acc[n * io->w.rows + m] = s;
        }
}

static const trit_kernel hooks_kernels[TRIT_FMT_COUNT] = {
    {.op = TRIT_OP_GEMM, .format = TRIT_FMT_I2, .variant = "test_hooks", .origin = "test", .priority = 0,
     .repack_bytes = hooks_repack_bytes, .repack = hooks_repack, .prepare_bytes = hooks_prepare_bytes,
     .prepare = hooks_prepare, .workspace_bytes = hooks_workspace_bytes, .matmul = hooks_matmul,
     .result = TRIT_RESULT_EXACT_INT32},
    {.op = TRIT_OP_GEMM, .format = TRIT_FMT_T5, .variant = "test_hooks", .origin = "test", .priority = 0,
     .repack_bytes = hooks_repack_bytes, .repack = hooks_repack, .prepare_bytes = hooks_prepare_bytes,
     .prepare = hooks_prepare, .workspace_bytes = hooks_workspace_bytes, .matmul = hooks_matmul,
     .result = TRIT_RESULT_EXACT_INT32},
};

/* Runs kernel k on case c (already built) with threads 1, 2, 3; compares with the oracle. */
static void check_kernel(const trit_kernel *k, const tcase *c, const built *b, const float *y_ref)
{
    char name[64];
    trit_kernel_name(k, name, sizeof name);
    const size_t total = c->M * c->N;
    int32_t *acc = malloc(total * sizeof(int32_t));
    float *y = malloc(total * sizeof(float));
    REQUIRE(acc && y);
    for (int threads = 1; threads <= 3; threads++) {
        for (size_t i = 0; i < total; i++)
            acc[i] = 0x5A5A5A5A; /* every output must be written */
        CHECKF(trit_matmul(k, &b->w, &b->x, threads, acc) == 0, "%s: trit_matmul failed", name);
        int bad = first_mismatch(acc, b->oracle, total);
        CHECKF(bad < 0, "%s M=%zu K=%zu N=%zu wm=%d xm=%d seed=%llu threads=%d: acc[%d] = %d, want %d", name,
               c->M, c->K, c->N, (int)c->wm, (int)c->xm, (unsigned long long)c->seed, threads, bad,
               bad < 0 ? 0 : acc[bad], bad < 0 ? 0 : b->oracle[bad]);
        if (bad >= 0)
            break;
        trit_rescale(&b->w, &b->x, acc, NULL, y);
        CHECKF(memcmp(y, y_ref, total * sizeof(float)) == 0, "%s: rescaled FP32 output differs", name);
        n_compared++;
    }
    /* A row range [m0, m1) writes exactly those outputs (what each thread is given). */
    const size_t m0 = c->M / 3, m1 = c->M - c->M / 4;
    for (size_t i = 0; i < total; i++)
        acc[i] = 0x5A5A5A5A;
    kernel_rows(k, &b->w, &b->x, m0, m1, acc);
    size_t wrong = 0;
    for (size_t n = 0; n < c->N; n++)
        for (size_t m = 0; m < c->M; m++) {
            const int32_t want = (m >= m0 && m < m1) ? b->oracle[n * c->M + m] : 0x5A5A5A5A;
            wrong += acc[n * c->M + m] != want;
        }
    CHECKF(wrong == 0, "%s M=%zu K=%zu N=%zu rows [%zu,%zu): %zu outputs wrong or written outside the range", name,
           c->M, c->K, c->N, m0, m1, wrong);
    free(acc);
    free(y);
}

static void run_case(const tcase *c)
{
    built b;
    REQUIRE(build(c, &b) == 0);
    /* The scalar reference must itself equal the oracle (it is what other tests trust). */
    const size_t total = c->M * c->N;
    int32_t *acc = malloc(total * sizeof(int32_t));
    float *y_ref = malloc(total * sizeof(float));
    REQUIRE(acc && y_ref);
    if (c->fmt == TRIT_FMT_I2)
        trit_matmul_i2_scalar(&b.w, &b.x, 0, c->M, acc, c->M);
    else
        trit_matmul_t5_scalar(&b.w, &b.x, 0, c->M, acc, c->M);
    CHECKF(first_mismatch(acc, b.oracle, total) < 0, "scalar %s M=%zu K=%zu N=%zu differs from the oracle",
           trit_format_name(c->fmt), c->M, c->K, c->N);
    trit_rescale(&b.w, &b.x, b.oracle, NULL, y_ref);
    size_t nk;
    const trit_kernel *ks = trit_kernels(&nk);
    for (size_t i = 0; i < nk; i++) {
        const trit_kernel *k = &ks[i];
        char why[256];
        /* Exact-class descriptors of this format; a device kernel counts when its device is present. */
        if (k->format != c->fmt || k->result != TRIT_RESULT_EXACT_INT32 || (k->op == TRIT_OP_GEMV && c->N != 1) ||
            !trit_kernel_runnable(k, why, sizeof why))
            continue;
        check_kernel(k, c, &b, y_ref);
    }
    check_kernel(&hooks_kernels[c->fmt], c, &b, y_ref);
    free(acc);
    free(y_ref);
    release(&b);
}

/* Every T5 byte value (all 243 digit patterns) at every byte position of a block, through every variant
 * of `op` (GEMV: N = 1, which also reaches the table-decode GEMV groups; GEMM: N = 2): row r, block bl,
 * byte j encodes pattern (r + 7j + 13bl) mod 243. */
static void run_t5_patterns(trit_op op)
{
    const size_t M = 243, K = 3 * TRIT_T5_BLOCK - 17, N = op == TRIT_OP_GEMV ? 1 : 2;
    tcase c = {M, K, N, TRIT_FMT_T5, W_RANDOM, X_RANDOM, 99};
    built b;
    REQUIRE(build(&c, &b) == 0);
    for (size_t m = 0; m < M; m++)
        for (size_t k = 0; k < K; k++) {
            const size_t bl = k / TRIT_T5_BLOCK, j = k % 64, i = (k % TRIT_T5_BLOCK) / 64;
            unsigned v = (unsigned)((m + 7 * j + 13 * bl) % 243);
            for (size_t t = 4; t > i; t--)
                v /= 3;
            b.wq[m * K + k] = (int8_t)((int)(v % 3) - 1);
        }
    REQUIRE(trit_pack(&b.w, b.wq, b.w.scales) == 0);
    for (size_t n = 0; n < N; n++)
        for (size_t m = 0; m < M; m++) {
            int64_t s = 0;
            for (size_t k = 0; k < K; k++)
                s += (int64_t)b.wq[m * K + k] * b.x.q[n * b.x.stride + k];
            b.oracle[n * M + m] = (int32_t)s;
        }
    float *y_ref = malloc(M * N * sizeof(float));
    REQUIRE(y_ref);
    trit_rescale(&b.w, &b.x, b.oracle, NULL, y_ref);
    size_t nk;
    const trit_kernel *ks = trit_kernels(&nk);
    for (size_t i = 0; i < nk; i++) {
        char why[256];
        if (ks[i].format == TRIT_FMT_T5 && ks[i].op == op && trit_kernel_runnable(&ks[i], why, sizeof why))
            check_kernel(&ks[i], &c, &b, y_ref);
    }
    free(y_ref);
    release(&b);
}

/* A kernel that threads itself (OpenBLAS, a GPU) is called once for all rows with the thread count; any
 * other is called per chunk, the chunks covering [0, M) exactly once. */
static int own_calls, own_threads_seen;
static size_t rows_covered;
static void count_rows(const trit_matmul_io *io, void *ws, size_t m_begin, size_t m_end)
{
    (void)ws;
#pragma omp atomic
    own_calls++;
    __atomic_store_n(&own_threads_seen, io->threads, __ATOMIC_RELAXED); /* every chunk's thread writes it */
    for (size_t m = m_begin; m < m_end; m++)
        for (size_t n = 0; n < io->x.rows; n++)
            io->acc[n * io->w.rows + m] += 1; /* each output written by exactly one chunk */
#pragma omp atomic
    rows_covered += m_end - m_begin;
}

static void check_thread_split(void)
{
    tcase c = {200, 300, 2, TRIT_FMT_I2, W_RANDOM, X_RANDOM, 77};
    built b;
    REQUIRE(build(&c, &b) == 0);
    int32_t *acc = calloc(c.M * c.N, sizeof(int32_t));
    REQUIRE(acc);
    const trit_kernel own = {.op = TRIT_OP_GEMM, .format = TRIT_FMT_I2, .variant = "test_own_threads",
                             .origin = "test", .flags = TRIT_KERNEL_OWN_THREADS, .matmul = count_rows,
                             .result = TRIT_RESULT_EXACT_INT32};
    const trit_kernel split = {.op = TRIT_OP_GEMM, .format = TRIT_FMT_I2, .variant = "test_split", .origin = "test",
                               .matmul = count_rows, .result = TRIT_RESULT_EXACT_INT32};
    own_calls = 0;
    rows_covered = 0;
    CHECK(trit_matmul(&own, &b.w, &b.x, 3, acc) == 0);
    CHECKF(own_calls == 1 && own_threads_seen == 3 && rows_covered == c.M, "own-threads kernel: %d calls, threads %d",
           own_calls, own_threads_seen);
    memset(acc, 0, c.M * c.N * sizeof(int32_t));
    own_calls = 0;
    rows_covered = 0;
    CHECK(trit_matmul(&split, &b.w, &b.x, 3, acc) == 0);
    CHECK(rows_covered == c.M);
    size_t wrong = 0;
    for (size_t i = 0; i < c.M * c.N; i++)
        wrong += acc[i] != 1;
    CHECKF(wrong == 0, "row split: %zu outputs written other than once", wrong);
    free(acc);
    release(&b);
}

/* Bound once, run three times: one repack, one preparation per call, results equal at 1 and 3 threads. */
static void check_hook_counts(void)
{
    tcase c = {70, 1000, 3, TRIT_FMT_I2, W_RANDOM, X_RANDOM, 4242};
    built b;
    REQUIRE(build(&c, &b) == 0);
    const trit_weights w = {.packed = &b.w};
    trit_bound_weights bw;
    hooks_repacks = hooks_prepares = 0;
    REQUIRE(trit_kernel_bind(&hooks_kernels[TRIT_FMT_I2], &w, &bw) == 0);
    CHECK(bw.w.rows == c.M && bw.w.cols == c.K);
    CHECK(trit_bound_weight_bytes(&bw) == c.M * c.K); /* the repacked layout's bytes, not the I2 matrix's */
    int32_t *acc = malloc(c.M * c.N * sizeof(int32_t));
    REQUIRE(acc);
    const trit_acts xs = {.q = &b.x, .rows = c.N};
    for (int t = 1; t <= 3; t++) {
        memset(acc, 0x5A, c.M * c.N * sizeof(int32_t));
        CHECK(trit_kernel_run(&bw, &xs, t, acc, NULL) == 0);
        CHECKF(first_mismatch(acc, b.oracle, c.M * c.N) < 0, "hooks kernel, %d threads: wrong result", t);
    }
    CHECKF(hooks_repacks == 1 && hooks_prepares == 3, "repacks %d (want 1), preparations %d (want 3)",
           hooks_repacks, hooks_prepares);
    /* Wrong inputs are refused, not run: no output buffer, a GEMV descriptor given 3 rows. */
    CHECK(trit_kernel_run(&bw, &xs, 1, NULL, NULL) == -1);
    trit_kernel_unbind(&bw);
    const trit_kernel *gemv = trit_kernel_get(TRIT_OP_GEMV, TRIT_FMT_I2, "scalar");
    REQUIRE(gemv);
    CHECK(trit_matmul(gemv, &b.w, &b.x, 1, acc) == -1);
    free(acc);
    release(&b);
}

int main(void)
{
    size_t nk;
    const trit_kernel *ks = trit_kernels(&nk);
    for (size_t i = 0; i < nk; i++) {
        char why[256], name[64];
        trit_kernel_name(&ks[i], name, sizeof name);
        if (!trit_kernel_runnable(&ks[i], why, sizeof why))
            printf("skip %s: %s\n", name, why);
    }
    static const size_t batches[] = {1, 2, 3, 7, 16, 33, 70}; /* 70: more than one 64-row activation chunk */
    uint64_t seed = 1;
    for (int f = 0; f < TRIT_FMT_COUNT; f++) {
        const trit_format fmt = (trit_format)f;
        /* Edge shapes × weight/activation modes. */
        static const size_t Ms[] = {1, 3, 4, 5, 33};
        static const size_t Ks[] = {1, 63, 255, 256, 257, 319, 320, 321, 1279, 1281};
        for (size_t mi = 0; mi < sizeof Ms / sizeof Ms[0]; mi++)
            for (size_t ki = 0; ki < sizeof Ks / sizeof Ks[0]; ki++) {
                tcase c = {Ms[mi], Ks[ki], 1 + (mi + ki) % 3, fmt, (wmode)((mi + ki) % 6), (xmode)(ki % 4), seed++};
                run_case(&c);
            }
        for (size_t bi = 0; bi < sizeof batches / sizeof batches[0]; bi++)
            for (int wm = 0; wm < 6; wm++) {
                tcase c = {37 + (size_t)wm, 700 + 64 * (size_t)wm, batches[bi], fmt, (wmode)wm, (xmode)(bi % 4), seed++};
                run_case(&c);
            }
        /* Seeded random shapes. */
        trit_rng r;
        trit_rng_seed(&r, 12345 + (uint64_t)f);
        for (int t = 0; t < 24; t++) {
            tcase c = {1 + trit_rng_below(&r, 80), 1 + trit_rng_below(&r, 3000), 1 + trit_rng_below(&r, 12), fmt,
                       (wmode)trit_rng_below(&r, 6), (xmode)trit_rng_below(&r, 4), seed++};
            run_case(&c);
        }
        /* Long K at x = −128 with w = ±1: |Σ| = 128·K, far beyond int16 and beyond 4096-block folds. */
        for (int wm = W_PLUS; wm <= W_PLUSMINUS; wm++) {
            tcase c = {5, 65536 + 77, 1, fmt, (wmode)wm, X_MIN, seed++};
            run_case(&c);
            c.N = 3;
            run_case(&c);
        }
        tcase longest = {2, 9000000 + 3, 1, fmt, W_PLUS, X_MIN, seed++}; /* > 32768 blocks: lanes of 64·c·x overflow unless folded */
        run_case(&longest);
    }
    run_t5_patterns(TRIT_OP_GEMV);
    run_t5_patterns(TRIT_OP_GEMM);
    check_hook_counts();
    check_thread_split();
    printf("%ld kernel runs compared bit-exact\n", n_compared);
    CHECK(n_compared > 0);
    return check_exit();
}
