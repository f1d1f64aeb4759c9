/* kernel_rows.h — one kernel call over output rows [m0, m1) only, as trit_kernel_run makes it for one
 * thread's share (bind, prepare, workspace, matmul, unbind): the exactness tests compare such partial calls
 * with the scalar reference, since that is where row groups, tails and block edges start mid-way. */
#ifndef TRITBENCH_TESTS_KERNEL_ROWS_H
#define TRITBENCH_TESTS_KERNEL_ROWS_H

#include <stdlib.h>

#include "tests/check.h"
#include "kernels/tables.h"
#include "tritbench/kernels.h"

static inline void kernel_rows(const trit_kernel *k, const trit_packed *p, const trit_act *x, size_t m0, size_t m1,
                        int32_t *acc)
{
    const trit_weights w = {.packed = p, .rows = p->rows, .cols = p->cols};
    trit_bound_weights bw;
    REQUIRE(trit_kernel_bind(k, &w, &bw) == 0);
    trit_matmul_io io = {.w = bw.w, .repacked = bw.repacked, .x = {.q = x, .rows = x->rows}, .acc = acc,
                         .threads = 1};
    void *prepared = NULL, *ws = NULL;
    if (k->prepare) {
        prepared = malloc(k->prepare_bytes(&io));
        REQUIRE(prepared);
        k->prepare(&io, prepared);
        io.prepared = prepared;
    }
    if (k->workspace_bytes) {
        ws = malloc(k->workspace_bytes(p->rows, p->cols, x->rows) + 1);
        REQUIRE(ws);
    }
    k->matmul(&io, ws, m0, m1);
    free(prepared);
    free(ws);
    trit_kernel_unbind(&bw);
}

/* wq (M × K ternary values) packed as fmt with every scale 1: the integer part is all these tests compare. */
static inline void kernel_rows_pack(trit_packed *p, trit_format fmt, trit_granularity kind, const int8_t *wq, size_t M,
                             size_t K)
{
    float *scales = malloc(M * sizeof(float));
    REQUIRE(scales);
    for (size_t m = 0; m < M; m++)
        scales[m] = 1.0f;
    REQUIRE(trit_packed_alloc(p, fmt, kind, M, K) == 0 && trit_pack(p, wq, scales) == 0);
    free(scales);
}

/* The scalar reference's acc (ld = M) for every row: what every exact variant must equal bit for bit. */
static inline void kernel_rows_reference(const trit_packed *p, const trit_act *x, int32_t *want)
{
    if (p->format == TRIT_FMT_I2)
        trit_matmul_i2_scalar(p, x, 0, p->rows, want, p->rows);
    else
        trit_matmul_t5_scalar(p, x, 0, p->rows, want, p->rows);
}

#endif
