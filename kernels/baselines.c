/* baselines.c — the OpenBLAS FP32 descriptors of the kernel table, and the compatibility view of
 * baselines.h over the table's FP32 descriptors. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "kernels/tables.h"
#include "tritbench/baselines.h"
#include "tritbench/cpu.h"
#include "tritbench_config.h"

#if TRIT_HAVE_OPENBLAS
#include <cblas.h>

/* Whole matrix, OpenBLAS's own threads (TRIT_KERNEL_OWN_THREADS). */
static void sgemm_openblas(const trit_matmul_io *io, void *workspace, size_t m_begin, size_t m_end)
{
    (void)workspace;
    const float *W = (const float *)io->w.dense + m_begin * io->w.cols, *X = io->x.dense;
    const blasint M = (blasint)(m_end - m_begin), K = (blasint)io->w.cols, N = (blasint)io->x.rows;
    const blasint ldy = (blasint)io->w.rows;
    openblas_set_num_threads(io->threads > 0 ? io->threads : 1);
    if (N == 1)
        cblas_sgemv(CblasRowMajor, CblasNoTrans, M, K, 1.0f, W, K, X, 1, 0.0f, io->y + m_begin, 1);
    else /* Y (N×M) = X (N×K) · Wᵀ (K×M) */
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, N, M, K, 1.0f, X, K, W, K, 0.0f, io->y + m_begin,
                    ldy);
}

#define OPENBLAS_KERNEL(op_)                                                                                  \
    {.op = (op_), .format = TRIT_FMT_FP32, .variant = "openblas", .origin = "builtin", .priority = 60,       \
     .device = TRIT_DEVICE_CPU, .flags = TRIT_KERNEL_OWN_THREADS, .matmul = sgemm_openblas,                   \
     .result = TRIT_RESULT_FP32, .tolerance = TRIT_FP32_TOLERANCE}
const trit_kernel trit_kernels_openblas[] = {OPENBLAS_KERNEL(TRIT_OP_GEMV), OPENBLAS_KERNEL(TRIT_OP_GEMM)};
const size_t trit_kernels_openblas_count = sizeof trit_kernels_openblas / sizeof trit_kernels_openblas[0];
#endif

bool trit_have_openblas(void) { return TRIT_HAVE_OPENBLAS; }

/* ---- compatibility view (baselines.h) ---- */

#define MAX_VIEW 8
static trit_fp32_kernel view[MAX_VIEW];
static size_t n_view;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* The old function-pointer shape cannot carry the descriptor, so each view slot has its own trampoline. */
#define TRAMPOLINE(i)                                                                                         \
    static void tramp##i(const float *W, const float *X, float *Y, size_t M, size_t K, size_t N, int threads) \
    {                                                                                                         \
        (void)trit_sgemm(view[i].k, W, X, M, K, N, threads, Y);                                               \
    }
TRAMPOLINE(0)
TRAMPOLINE(1)
TRAMPOLINE(2)
TRAMPOLINE(3)
TRAMPOLINE(4)
TRAMPOLINE(5)
TRAMPOLINE(6)
TRAMPOLINE(7)
static const trit_sgemm_fn trampolines[MAX_VIEW] = {tramp0, tramp1, tramp2, tramp3,
                                                    tramp4, tramp5, tramp6, tramp7};

static void build_view(void)
{
    size_t n;
    const trit_kernel *t = trit_kernels(&n);
    for (size_t i = 0; i < n && n_view < MAX_VIEW; i++)
        if (t[i].op == TRIT_OP_GEMM && t[i].format == TRIT_FMT_FP32) {
            view[n_view] = (trit_fp32_kernel){t[i].variant, t[i].requires, trampolines[n_view], &t[i]};
            n_view++;
        }
}

const trit_fp32_kernel *trit_fp32_kernels(size_t *count)
{
    pthread_once(&once, build_view);
    *count = n_view;
    return view;
}

bool trit_fp32_runnable(const trit_fp32_kernel *k, char *why, size_t why_len)
{
    return trit_kernel_runnable(k->k, why, why_len);
}

const trit_fp32_kernel *trit_fp32_get(const char *name)
{
    size_t n;
    const trit_fp32_kernel *t = trit_fp32_kernels(&n);
    for (size_t i = 0; i < n; i++)
        if (name && strcmp(t[i].name, name) == 0)
            return &t[i];
    return NULL;
}
