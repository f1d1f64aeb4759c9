/* test_gemv_groups.c — the GEMV row grouping of the exact kernels against the scalar reference: 16-row
 * groups (AVX-512 VNNI I2: one reduction and one store per 16 rows), then 4-row groups, then single rows,
 * for row ranges that start off every group boundary (a thread's share), rows over 4096 blocks (2^20
 * weights), where the plane folds run per chunk and the chunks are added, two matrices over 32 MiB (the
 * VNNI I2 GEMV then streams short rows row by row and cuts long ones into K slices met by 16-row groups),
 * and the maddubs GEMVs' int16 sums at the exact edge of their bound. test_matmul's shapes have at most 80
 * rows and its long rows at most 5, so they reach neither the second chunk of a group nor a range starting
 * mid-group with 16-row groups after it. */
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

/* M × K weights: pattern 0 alternates ±1 (x = −128 makes every plane's lanes large), 1 draws at random;
 * 2 and 3 set every weight to +1 (code 2) against x = −128 and x = 127: the int16 sums of the maddubs GEMVs
 * (tile_maddubs.h: AVX2, AVX-512BW) then reach exactly −32768 and 32512 where maddubs_i2_gemv_rows folds (hi
 * after 8 vectors) and widens (lo + hi / 4 after 16), the edge of their bound. */
enum { ALTERNATING, RANDOM, PLUS_ONES_LOW, PLUS_ONES_HIGH };
static void run_shape(trit_format fmt, size_t M, size_t K, int pattern, uint64_t seed)
{
    trit_rng r;
    trit_rng_seed(&r, seed);
    int8_t *wq = malloc(M * K);
    REQUIRE(wq);
    for (size_t m = 0; m < M; m++)
        for (size_t k = 0; k < K; k++)
            wq[m * K + k] = pattern == ALTERNATING ? (int8_t)(((m + k) & 1) ? 1 : -1)
                            : pattern == RANDOM    ? (int8_t)((int)trit_rng_below(&r, 3) - 1)
                                                   : 1;
    trit_packed p;
    kernel_rows_pack(&p, fmt, TRIT_SCALE_TENSOR, wq, M, K);
    trit_act x;
    REQUIRE(trit_act_alloc(&x, 1, K) == 0);
    int32_t sum = 0;
    for (size_t k = 0; k < K; k++) {
        x.q[k] = pattern == RANDOM           ? (int8_t)((int)trit_rng_below(&r, 256) - 128)
                 : pattern == PLUS_ONES_HIGH ? 127
                                             : -128;
        sum += x.q[k];
    }
    x.sum[0] = sum;
    x.scale[0] = 1.0f;
    int32_t *ref = malloc(M * sizeof(int32_t)), *acc = malloc(M * sizeof(int32_t));
    REQUIRE(ref && acc);
    kernel_rows_reference(&p, &x, ref);
    static const size_t ranges[][2] = {{0, SIZE_MAX}, {1, SIZE_MAX}, {3, 19}, {5, 41}, {2, 6}};
    size_t nk;
    const trit_kernel *ks = trit_kernels(&nk);
    for (size_t i = 0; i < nk; i++) {
        const trit_kernel *k = &ks[i];
        char why[256], name[64];
        if (k->op != TRIT_OP_GEMV || k->format != fmt || k->result != TRIT_RESULT_EXACT_INT32 ||
            !trit_kernel_runnable(k, why, sizeof why))
            continue;
        trit_kernel_name(k, name, sizeof name);
        for (size_t ri = 0; ri < sizeof ranges / sizeof ranges[0]; ri++) {
            const size_t m0 = ranges[ri][0], m1 = ranges[ri][1] < M ? ranges[ri][1] : M;
            for (size_t m = 0; m < M; m++)
                acc[m] = 0x5A5A5A5A;
            kernel_rows(k, &p, &x, m0, m1, acc);
            size_t wrong = 0, first = M;
            for (size_t m = 0; m < M; m++) {
                const int32_t want = (m >= m0 && m < m1) ? ref[m] : 0x5A5A5A5A;
                if (acc[m] != want && wrong++ == 0)
                    first = m;
            }
            CHECKF(wrong == 0, "%s M=%zu K=%zu pattern %d rows [%zu,%zu): %zu wrong, first acc[%zu] = %d, want %d",
                   name, M, K, pattern, m0, m1, wrong, first, first < M ? acc[first] : 0,
                   first < M ? ((first >= m0 && first < m1) ? ref[first] : 0x5A5A5A5A) : 0);
            n_compared++;
        }
    }
    free(ref);
    free(acc);
    free(wq);
    trit_packed_free(&p);
    trit_act_free(&x);
}

int main(void)
{
    for (int f = 0; f < TRIT_FMT_COUNT; f++) {
        const trit_format fmt = (trit_format)f;
        for (int pattern = 0; pattern < 2; pattern++) {
            run_shape(fmt, 16 * 2 + 4 + 3, 2560, pattern, 7 + (uint64_t)pattern);       /* a BitNet row */
            run_shape(fmt, 16 + 4 + 1, 4096 * 256 + 257, pattern, 9 + (uint64_t)pattern); /* two fold chunks */
        }
        /* The int16 bound's edge: K over 1 … 40 blocks, so every count of odd blocks in the first group (1 … 8
         * ymm blocks, 1 … 16 zmm) meets the full groups after it; M = 13: 4-row groups and a 1-row tail. */
        for (size_t blocks = 1; fmt == TRIT_FMT_I2 && blocks <= 40; blocks++) {
            run_shape(fmt, 13, blocks * TRIT_I2_BLOCK, PLUS_ONES_LOW, 0);
            run_shape(fmt, 13, blocks * TRIT_I2_BLOCK, PLUS_ONES_HIGH, 0);
        }
        if (fmt == TRIT_FMT_I2) { /* over the VNNI kernel's I2_STREAM_BYTES (32 MiB): */
            run_shape(fmt, 130, 4096 * 256 + 257, RANDOM, 11); /* 34 MB of long rows: K slices, 16-row groups */
            run_shape(fmt, 16 * 1063 + 7, 8192 - 64, RANDOM, 13); /* 34 MB of short rows: row by row */
        }
    }
    printf("%ld row ranges compared bit-exact\n", n_compared);
    CHECK(n_compared > 0);
    return check_exit();
}
