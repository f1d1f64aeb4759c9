/* test_gemm_blocks.c — GEMM over shapes whose weight rows span several of the x86 drive's row blocks
 * (kernels/x86/drive.h: row_block bytes of weights per pass over the activations, the next block
 * prefetched): long rows make the blocks a few rows each, so block edges, a last block with a row tail,
 * full and partial activation tiles and thread / row-range splits that cut through blocks all occur.
 * Every runnable exact-class GEMM descriptor must equal the scalar reference bit for bit (test_matmul
 * checks the scalar reference against an independent oracle). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/check.h"
#include "tests/kernels/kernel_rows.h"
#include "kernels/tables.h"
#include "tritbench/catalog.h"
#include "tritbench/kernels.h"

static long n_compared;

static void run_case(trit_format fmt, size_t M, size_t K, size_t N, uint64_t seed)
{
    trit_rng r;
    trit_rng_seed(&r, seed);
    int8_t *wq = malloc(M * K);
    REQUIRE(wq);
    for (size_t i = 0; i < M * K; i++)
        wq[i] = (int8_t)((int)trit_rng_below(&r, 3) - 1);
    trit_packed p;
    kernel_rows_pack(&p, fmt, TRIT_SCALE_ROW, wq, M, K);
    trit_act x;
    REQUIRE(trit_act_alloc(&x, N, K) == 0);
    for (size_t n = 0; n < N; n++) {
        int32_t sum = 0;
        for (size_t k = 0; k < K; k++) {
            /* −128 in every third row: the largest |x| the u8 × s8 products see. */
            const int8_t v = n % 3 == 2 ? -128 : (int8_t)((int)trit_rng_below(&r, 256) - 128);
            x.q[n * x.stride + k] = v;
            sum += v;
        }
        x.sum[n] = sum;
        x.scale[n] = 1.0f;
    }
    const size_t total = M * N;
    int32_t *want = malloc(total * sizeof(int32_t)), *acc = malloc(total * sizeof(int32_t));
    REQUIRE(want && acc);
    kernel_rows_reference(&p, &x, want);
    size_t nk;
    const trit_kernel *ks = trit_kernels(&nk);
    for (size_t i = 0; i < nk; i++) {
        const trit_kernel *k = &ks[i];
        char why[256], name[64];
        if (k->op != TRIT_OP_GEMM || k->format != fmt || k->result != TRIT_RESULT_EXACT_INT32 ||
            !trit_kernel_runnable(k, why, sizeof why))
            continue;
        trit_kernel_name(k, name, sizeof name);
        for (int threads = 1; threads <= 3; threads++) {
            for (size_t j = 0; j < total; j++)
                acc[j] = 0x5A5A5A5A;
            CHECKF(trit_matmul(k, &p, &x, threads, acc) == 0, "%s: trit_matmul failed", name);
            size_t bad = 0;
            for (size_t j = 0; j < total; j++)
                bad += acc[j] != want[j];
            CHECKF(bad == 0, "%s M=%zu K=%zu N=%zu threads=%d: %zu outputs differ from the scalar reference", name,
                   M, K, N, threads, bad);
            n_compared++;
        }
        /* Row ranges starting and ending inside blocks and off the 4-row tiles. */
        const size_t ranges[][2] = {{3, M - 2}, {M / 2 + 1, M}, {0, 7}};
        for (size_t ri = 0; ri < sizeof ranges / sizeof ranges[0]; ri++) {
            const size_t m0 = ranges[ri][0], m1 = ranges[ri][1];
            for (size_t j = 0; j < total; j++)
                acc[j] = 0x5A5A5A5A;
            kernel_rows(k, &p, &x, m0, m1, acc);
            size_t wrong = 0;
            for (size_t n = 0; n < N; n++)
                for (size_t m = 0; m < M; m++)
                    wrong += acc[n * M + m] != (m >= m0 && m < m1 ? want[n * M + m] : 0x5A5A5A5A);
            CHECKF(wrong == 0, "%s M=%zu K=%zu N=%zu rows [%zu,%zu): %zu outputs wrong or outside the range", name,
                   M, K, N, m0, m1, wrong);
            n_compared++;
        }
    }
    free(want);
    free(acc);
    free(wq);
    trit_packed_free(&p);
    trit_act_free(&x);
}

int main(void)
{
    /* K = 16684: 4160 bytes per I2 row (3392 T5), so a 128 KiB row block is 28 (36) rows and M = 103 ends
     * in a partial block with a row tail. N: full activation tiles only, a tail of 1, of 3, two tiles. */
    static const size_t Ns[] = {4, 5, 8, 11};
    uint64_t seed = 7;
    for (int f = 0; f < TRIT_FMT_COUNT; f++) {
        if (f != TRIT_FMT_I2 && f != TRIT_FMT_T5)
            continue;
        for (size_t i = 0; i < sizeof Ns / sizeof Ns[0]; i++)
            run_case((trit_format)f, 103, 16684, Ns[i], seed++);
        run_case((trit_format)f, 61, 65536 + 300, 6, seed++); /* blocks of 4 rows: one tile each */
    }
    printf("%ld GEMM runs compared bit-exact\n", n_compared);
    CHECK(n_compared > 0);
    return check_exit();
}
