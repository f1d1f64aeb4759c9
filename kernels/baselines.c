/* baselines.c — the FP32 baseline table: scalar reference, the project's own vectorized FP32 (per
 * architecture folder) and OpenBLAS when built with it. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "kernels/tables.h"
#include "tritbench/cpu.h"
#include "tritbench_config.h"

#if TRIT_HAVE_OPENBLAS
#include <cblas.h>

static void sgemm_openblas(const float *W, const float *X, float *Y, size_t M, size_t K, size_t N, int threads)
{
    openblas_set_num_threads(threads > 0 ? threads : 1);
    if (N == 1)
        cblas_sgemv(CblasRowMajor, CblasNoTrans, (blasint)M, (blasint)K, 1.0f, W, (blasint)K, X, 1, 0.0f, Y, 1);
    else /* Y (N×M) = X (N×K) · Wᵀ (K×M) */
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (blasint)N, (blasint)M, (blasint)K, 1.0f, X,
                    (blasint)K, W, (blasint)K, 0.0f, Y, (blasint)M);
}
#endif

bool trit_have_openblas(void) { return TRIT_HAVE_OPENBLAS; }

#define MAX_FP32 16
static trit_fp32_kernel all[MAX_FP32];
static size_t n_all;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void build_table(void)
{
    all[n_all++] = (trit_fp32_kernel){"scalar", 0, trit_sgemm_scalar};
#if TRIT_HAVE_X86_64
    for (size_t i = 0; i < trit_fp32_kernels_x86_count && n_all < MAX_FP32 - 1; i++)
        all[n_all++] = trit_fp32_kernels_x86[i];
#endif
#if TRIT_HAVE_OPENBLAS
    all[n_all++] = (trit_fp32_kernel){"openblas", 0, sgemm_openblas};
#endif
}

const trit_fp32_kernel *trit_fp32_kernels(size_t *count)
{
    pthread_once(&once, build_table);
    *count = n_all;
    return all;
}

bool trit_fp32_runnable(const trit_fp32_kernel *k, char *why, size_t why_len)
{
    const uint32_t lacking = k->requires & ~trit_cpu_features();
    if (lacking) {
        char names[256];
        trit_cpu_features_string(lacking, names, sizeof names);
        snprintf(why, why_len, "needs %s", names);
        return false;
    }
    snprintf(why, why_len, "yes");
    return true;
}

const trit_fp32_kernel *trit_fp32_get(const char *name)
{
    size_t n;
    const trit_fp32_kernel *t = trit_fp32_kernels(&n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(t[i].name, name) == 0)
            return &t[i];
    return NULL;
}
