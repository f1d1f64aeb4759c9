/* test_i2_int16_bound.c — the I2 GEMVs that sum in int16 (tile_maddubs.h: AVX2, AVX-512BW) at the edge of
 * their bound: every weight +1 (code 2) against x = −128 everywhere, then x = 127, so every vpmaddubsw pair
 * is −512 (508) and the int16 sums reach exactly −32768 (32512) where maddubs_i2_gemv_rows folds (hi
 * after 8 vectors) and widens (lo + hi / 4 after 16). K runs over 1 … 40 blocks, so every count of odd
 * blocks in the first group (1 … 8 ymm blocks, 1 … 16 zmm) meets the full groups after it; M = 13 gives
 * 4-row groups and a 1-row tail. Every exact I2 GEMV is compared with the scalar reference. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "tests/check.h"
#include "tests/kernels/kernel_rows.h"
#include "kernels/tables.h"
#include "tritbench/kernels.h"

static long n_compared;

static void run_shape(size_t M, size_t K, int8_t xv)
{
    int8_t *wq = malloc(M * K);
    REQUIRE(wq);
    for (size_t i = 0; i < M * K; i++)
        wq[i] = 1;
    trit_packed p;
    kernel_rows_pack(&p, TRIT_FMT_I2, TRIT_SCALE_TENSOR, wq, M, K);
    trit_act x;
    REQUIRE(trit_act_alloc(&x, 1, K) == 0);
    int32_t sum = 0;
    for (size_t k = 0; k < K; k++) {
        x.q[k] = xv;
        sum += xv;
    }
    x.sum[0] = sum;
    x.scale[0] = 1.0f;
    int32_t *ref = malloc(M * sizeof(int32_t)), *acc = malloc(M * sizeof(int32_t));
    REQUIRE(ref && acc);
    kernel_rows_reference(&p, &x, ref);
    size_t nk;
    const trit_kernel *ks = trit_kernels(&nk);
    for (size_t i = 0; i < nk; i++) {
        const trit_kernel *k = &ks[i];
        char why[256], name[64];
        if (k->op != TRIT_OP_GEMV || k->format != TRIT_FMT_I2 || k->result != TRIT_RESULT_EXACT_INT32 ||
            !trit_kernel_runnable(k, why, sizeof why))
            continue;
        trit_kernel_name(k, name, sizeof name);
        for (size_t m = 0; m < M; m++)
            acc[m] = 0x5A5A5A5A;
        kernel_rows(k, &p, &x, 0, M, acc);
        size_t wrong = 0, first = M;
        for (size_t m = 0; m < M; m++)
            if (acc[m] != ref[m] && wrong++ == 0)
                first = m;
        CHECKF(wrong == 0, "%s M=%zu K=%zu x=%d: %zu wrong, first acc[%zu] = %d, want %d", name, M, K, xv, wrong,
               first, first < M ? acc[first] : 0, first < M ? ref[first] : 0);
        n_compared++;
    }
    free(ref);
    free(acc);
    free(wq);
    trit_packed_free(&p);
    trit_act_free(&x);
}

int main(void)
{
    for (size_t blocks = 1; blocks <= 40; blocks++) {
        run_shape(13, blocks * TRIT_I2_BLOCK, -128);
        run_shape(13, blocks * TRIT_I2_BLOCK, 127);
    }
    printf("%ld kernel runs compared bit-exact\n", n_compared);
    CHECK(n_compared > 0);
    return check_exit();
}
