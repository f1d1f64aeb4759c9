/* test_weight_cache.c — the suites' weight cache: one generation per shape and seed however often asked
 * (repetitions, interleaved jobs), the same numbers as a fresh generation, packed formats kept beside the
 * FP32 matrix, pinned entries never evicted, unpinned ones evicted oldest first beyond the budget. */
#include <stdlib.h>
#include <string.h>

#include "suites/weight_cache.h"
#include "tests/check.h"
#include "tritbench/catalog.h"
#include "tritbench/kernels.h"

int main(void)
{
    const size_t M = 100, K = 300;
    const float *a = tb_wcache_f32(M, K, 7);
    REQUIRE(a);
    float *fresh = malloc(M * K * sizeof(float));
    REQUIRE(fresh);
    trit_fill_weights(fresh, M, K, TRIT_DIST_GAUSSIAN, 7);
    CHECK(memcmp(a, fresh, M * K * sizeof(float)) == 0);
    for (int rep = 0; rep < 5; rep++) { /* repetitions and other jobs ask again: the same matrix */
        const float *again = tb_wcache_f32(M, K, 7);
        CHECK(again == a);
        tb_wcache_release(again);
    }
    const trit_packed *i2 = tb_wcache_packed(TRIT_FMT_I2, M, K, 7), *t5 = tb_wcache_packed(TRIT_FMT_T5, M, K, 7);
    REQUIRE(i2 && t5);
    CHECK(i2->rows == M && i2->cols == K && i2->format == TRIT_FMT_I2 && t5->format == TRIT_FMT_T5);
    CHECK(tb_wcache_packed(TRIT_FMT_I2, M, K, 7) == i2);
    tb_wcache_release(i2);
    CHECK(tb_wcache_packed(TRIT_FMT_FP32, M, K, 7) == NULL); /* no packed layout for a float format */
    const float *b8 = tb_wcache_f32(M, K, 8);
    CHECK(b8 && b8 != a); /* another seed is another matrix */
    const size_t held = tb_wcache_bytes();
    CHECK(held >= 2 * M * K * sizeof(float) + i2->alloc_bytes + t5->alloc_bytes);

    /* A budget below what is held: pinned entries stay, unpinned ones go (oldest first). */
    tb_wcache_release(b8);
    tb_wcache_set_budget(1);
    const float *other = tb_wcache_f32(10, 10, 9);
    REQUIRE(other);
    CHECK(tb_wcache_f32(M, K, 7) == a); /* still pinned (a, i2 twice, t5): kept */
    CHECK(tb_wcache_bytes() < held + 10 * 10 * sizeof(float)); /* the unpinned seed-8 matrix was evicted */
    /* trim frees what nobody pins, keeps the rest. */
    tb_wcache_release(other);
    const size_t before = tb_wcache_bytes();
    tb_wcache_trim();
    CHECK(tb_wcache_bytes() < before);
    CHECK(tb_wcache_f32(M, K, 7) == a);
    free(fresh);
    return check_exit();
}
