/* bench_q8r_refine.c — what stage 2 of the q8r head costs beside stage 1, on the lm_head shape (default
 * bitnet-2b's 128256 × 2560): random codes/residuals/scales, a random activation per call; medians of
 * alternating calls of the Q8 GEMV (stage 1, the selected kernel) and trit_q8r_refine (stage 2), and the
 * rows stage 2 re-scored. Not a test (speed is never asserted). Hold the lock on a shared machine:
 *     flock /tmp/tritbench-bench.lock build/tests/lowp/bench_q8r_refine [rows cols reps] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "tritbench/catalog.h"
#include "tritbench/lowp.h"

static double now_s(void) /* monotonic wall clock (this file links the kernel library only, not the harness) */
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    const size_t M = argc > 1 ? strtoull(argv[1], NULL, 10) : 128256, K = argc > 2 ? strtoull(argv[2], NULL, 10) : 2560;
    const int reps = argc > 3 ? atoi(argv[3]) : 21;
    trit_q8_rows w;
    trit_q8_resid r;
    trit_q8_act a;
    int64_t *acc = malloc(M * sizeof *acc);
    float *y = malloc(M * sizeof *y), *x = malloc(K * sizeof *x);
    uint32_t cand[TRIT_Q8R_CAP];
    double key[TRIT_Q8R_CAP], *t1 = malloc(reps * sizeof *t1), *t2 = malloc(reps * sizeof *t2);
    if (reps < 1 || !acc || !y || !x || !t1 || !t2 || trit_q8_alloc(&w, M, K) || trit_q8r_alloc(&r, M, K) ||
        trit_q8_act_alloc(&a, K)) {
        fprintf(stderr, "bench_q8r_refine: bad arguments or out of memory\n");
        return 1;
    }
    trit_rng g;
    trit_rng_seed(&g, 1);
    for (size_t m = 0; m < M; m++) {
        for (size_t k = 0; k < K; k++)
            w.codes[m * w.stride + k] = (int8_t)((int)(trit_rng_next(&g) % 255) - 127);
        for (size_t b = 0; b < r.row_bytes; b++)
            r.nib[m * r.row_bytes + b] = (uint8_t)trit_rng_next(&g);
        if (K % 2)
            r.nib[m * r.row_bytes + r.row_bytes - 1] &= 15;
        w.scale[m] = (float)(2.7e-4 * (0.9 + 0.2 * trit_rng_uniform(&g)));
    }
    trit_q8_update_sums(&w, 0, M);
    const trit_q8_kernel *k = trit_q8_select();
    size_t rescored = 0, most = 0, capped = 0;
    for (int i = 0; i < reps; i++) {
        for (size_t j = 0; j < K; j++) /* roughly a final-normed hidden state: unit scale, some spread */
            x[j] = (float)((trit_rng_uniform(&g) * 2 - 1) * 1.7);
        const double t0 = now_s();
        if (trit_q8_gemv(k, &w, x, &a, acc, y, 1) != 0)
            return 1;
        const double t_1 = now_s();
        trit_q8r_stats st;
        if (trit_q8r_refine(&w, &r, &a, acc, y, TRIT_Q8R_CAP, cand, key, &st) != 0)
            return 1;
        t2[i] = now_s() - t_1;
        t1[i] = t_1 - t0;
        rescored += st.rescored;
        most = st.rescored > most ? st.rescored : most;
        capped += st.capped;
    }
    qsort(t1, (size_t)reps, sizeof *t1, cmp);
    qsort(t2, (size_t)reps, sizeof *t2, cmp);
    printf("q8r head %zu x %zu, %d calls: stage 1 (%s GEMV) median %.3f ms, stage 2 (bound + re-score) median %.3f ms "
           "(%.1f %% of stage 1); %.1f rows re-scored per call (max %zu, capped %zu)\n",
           M, K, reps, k->name, 1e3 * t1[reps / 2], 1e3 * t2[reps / 2], 100 * t2[reps / 2] / t1[reps / 2],
           (double)rescored / reps, most, capped);
    trit_q8_free(&w);
    trit_q8r_free(&r);
    trit_q8_act_free(&a);
    return 0;
}
