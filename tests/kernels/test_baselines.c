/* test_baselines.c — every runnable FP32-result descriptor of the kernel table (the FP32 baselines: scalar,
 * own AVX2/AVX-512, OpenBLAS; GEMV and GEMM) against a double-precision oracle within the tolerance the
 * descriptor declares, over tail shapes and thread counts 1–3; and the baselines.h compatibility view. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "tests/check.h"
#include "tritbench/baselines.h"
#include "tritbench/kernels.h"
#include "tritbench/catalog.h"

static long n_checked;

static void check_shape(size_t M, size_t K, size_t N, uint64_t seed)
{
    float *W = malloc(M * K * sizeof(float)), *X = malloc(N * K * sizeof(float));
    float *Y = malloc(N * M * sizeof(float));
    double *ref = malloc(N * M * sizeof(double)), *mag = malloc(N * M * sizeof(double));
    REQUIRE(W && X && Y && ref && mag);
    trit_fill_weights(W, M, K, TRIT_DIST_GAUSSIAN, seed);
    trit_fill_activations(X, N, K, false, seed + 1);
    for (size_t n = 0; n < N; n++)
        for (size_t m = 0; m < M; m++) {
            double s = 0, a = 0;
            for (size_t k = 0; k < K; k++) {
                s += (double)W[m * K + k] * X[n * K + k];
                a += fabs((double)W[m * K + k] * X[n * K + k]);
            }
            ref[n * M + m] = s;
            mag[n * M + m] = a;
        }
    size_t nk;
    const trit_kernel *ks = trit_kernels(&nk);
    for (size_t i = 0; i < nk; i++) {
        char why[128], name[64];
        const trit_kernel *k = &ks[i];
        if (k->result != TRIT_RESULT_FP32 || k->format != TRIT_FMT_FP32 || (k->op == TRIT_OP_GEMV && N != 1))
            continue;
        trit_kernel_name(k, name, sizeof name);
        CHECKF(k->tolerance > 0.0 && k->tolerance < 1e-3, "%s declares tolerance %g", name, k->tolerance);
        if (!trit_kernel_runnable(k, why, sizeof why)) {
            if (seed == 1)
                printf("skip %s: %s\n", name, why);
            continue;
        }
        for (int threads = 1; threads <= 3; threads++) {
            for (size_t j = 0; j < N * M; j++)
                Y[j] = NAN;
            CHECK(trit_sgemm(k, W, X, M, K, N, threads, Y) == 0);
            size_t bad = 0, first = 0;
            for (size_t j = 0; j < N * M; j++) {
                /* FP32 summation error grows with the sum of |terms|, not the result. */
                const double tol = k->tolerance * mag[j] + 1e-30;
                if (!(fabs((double)Y[j] - ref[j]) <= tol) && bad++ == 0)
                    first = j;
            }
            CHECKF(bad == 0, "%s M=%zu K=%zu N=%zu threads=%d: %zu outputs off (first [%zu] %g vs %g)", name, M, K,
                   N, threads, bad, first, bad ? (double)Y[first] : 0.0, bad ? ref[first] : 0.0);
            n_checked++;
        }
    }
    /* The compatibility view calls the same descriptors. */
    size_t nv;
    const trit_fp32_kernel *view = trit_fp32_kernels(&nv);
    for (size_t i = 0; i < nv; i++) {
        char why[128];
        CHECK(view[i].k && view[i].k->format == TRIT_FMT_FP32 && trit_fp32_get(view[i].name) == &view[i]);
        if (!trit_fp32_runnable(&view[i], why, sizeof why))
            continue;
        for (size_t j = 0; j < N * M; j++)
            Y[j] = NAN;
        view[i].fn(W, X, Y, M, K, N, 2);
        for (size_t j = 0; j < N * M; j++)
            CHECKF(fabs((double)Y[j] - ref[j]) <= view[i].k->tolerance * mag[j] + 1e-30, "view %s: output %zu off",
                   view[i].name, j);
    }
    free(W);
    free(X);
    free(Y);
    free(ref);
    free(mag);
}

int main(void)
{
    static const size_t Ms[] = {1, 3, 5, 37};
    static const size_t Ks[] = {1, 7, 16, 17, 100, 2049, 4111};
    static const size_t Ns[] = {1, 2, 3, 5, 9};
    uint64_t seed = 1;
    for (size_t a = 0; a < sizeof Ms / sizeof Ms[0]; a++)
        for (size_t b = 0; b < sizeof Ks / sizeof Ks[0]; b++)
            for (size_t c = 0; c < sizeof Ns / sizeof Ns[0]; c++)
                check_shape(Ms[a], Ks[b], Ns[c], seed++);
    printf("%ld FP32 descriptor runs within tolerance\n", n_checked);
    CHECK(n_checked > 0);
    return check_exit();
}
