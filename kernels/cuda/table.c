/* table.c — the CUDA descriptors in the kernel table: gemv/i2/cuda and gemm/i2/cuda. trit_kernel_run
 * works on host memory, so these copy the rows asked for to the device, run the kernel
 * and copy the accumulators back: right for tests and for trit_matmul callers, not for timing (the
 * benchmarks use trit_cuda.h with resident device buffers). */
#include <stdint.h>
#include <stdio.h>

#include "kernels/cuda/cuda_internal.h"
#include "kernels/tables.h"

/* The fn has no error channel: on a CUDA failure the accumulators are filled with INT32_MIN (which no
 * exact result can be while K < 2^24) and the reason goes to stderr, so the failure is never silent. */
static void fail_fill(const char *op, int32_t *acc, size_t ld_acc, size_t rows_n, size_t m_begin, size_t m_end)
{
    fprintf(stderr, "tritbench: %s/i2/cuda failed: %s\n", op, trit_cuda_last_error());
    for (size_t n = 0; n < rows_n; n++)
        for (size_t m = m_begin; m < m_end; m++)
            acc[n * ld_acc + m] = INT32_MIN;
}

static void matmul_i2_cuda(const trit_packed *w, const trit_act *x, size_t m_begin, size_t m_end, int32_t *acc,
                           size_t ld_acc, bool gemv)
{
    if (m_begin >= m_end || x->rows == 0)
        return;
    const size_t rows = m_end - m_begin;
    trit_cuda_weights dw;
    trit_cuda_act dx;
    int32_t *dacc = NULL;
    int ok = 0;
    if (trit_cuda_weights_upload(&dw, w, m_begin, m_end) == 0) {
        if (trit_cuda_act_alloc(&dx, x->rows, x->cols) == 0) {
            dacc = trit_cuda_malloc(rows * x->rows * sizeof(int32_t));
            if (dacc && trit_cuda_act_upload(&dx, x) == 0 &&
                (gemv && x->rows == 1 ? trit_cuda_gemv_i2(&dw, &dx, dacc, NULL, rows, NULL)
                                      : trit_cuda_gemm_i2(&dw, &dx, dacc, NULL, rows, NULL)) == 0) {
                /* acc rows are ld_acc apart on the host and `rows` apart on the device */
                const cudaError_t e = cudaMemcpy2D(acc + m_begin, ld_acc * sizeof(int32_t), dacc,
                                                   rows * sizeof(int32_t), rows * sizeof(int32_t), x->rows,
                                                   cudaMemcpyDeviceToHost);
                if (e == cudaSuccess)
                    ok = 1;
                else
                    trit_cuda_fail("cudaMemcpy2D device→host", e);
            }
            trit_cuda_free(dacc);
            trit_cuda_act_free(&dx);
        }
        trit_cuda_weights_free(&dw);
    }
    if (!ok)
        fail_fill(gemv ? "gemv" : "gemm", acc, ld_acc, x->rows, m_begin, m_end);
}

static void gemv_i2_cuda(const trit_matmul_io *io, void *workspace, size_t m_begin, size_t m_end)
{
    (void)workspace;
    matmul_i2_cuda(io->w.packed, io->x.q, m_begin, m_end, io->acc, io->w.rows, true);
}

static void gemm_i2_cuda(const trit_matmul_io *io, void *workspace, size_t m_begin, size_t m_end)
{
    (void)workspace;
    matmul_i2_cuda(io->w.packed, io->x.q, m_begin, m_end, io->acc, io->w.rows, false);
}

/* Priority 0: never chosen implicitly (its buffers live on the device; callers ask for it by name). The
 * GPU parallelises by itself, so trit_kernel_run does not split its rows over CPU threads. */
#define CUDA_KERNEL(op_, fn_)                                                                                 \
    {.op = (op_), .format = TRIT_FMT_I2, .variant = "cuda", .origin = "builtin", .priority = 0,               \
     .device = TRIT_DEVICE_CUDA, .flags = TRIT_KERNEL_OWN_THREADS, .available = trit_cuda_available,          \
     .matmul = (fn_), .result = TRIT_RESULT_EXACT_INT32}
const trit_kernel trit_kernels_cuda[] = {CUDA_KERNEL(TRIT_OP_GEMV, gemv_i2_cuda), CUDA_KERNEL(TRIT_OP_GEMM, gemm_i2_cuda)};
const size_t trit_kernels_cuda_count = sizeof trit_kernels_cuda / sizeof trit_kernels_cuda[0];
