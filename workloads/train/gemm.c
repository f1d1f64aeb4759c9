/* gemm.c — FP32 products for the trainer. The output-feature dimension is cut into fixed blocks of
 * TB_GEMM_BLOCK that never depend on the thread count; threads (OpenMP) take whole blocks, and each block
 * is one single-threaded product (cblas_sgemm with OpenBLAS, else plain loops that vectorize along
 * contiguous rows without reassociating sums). So every output element is computed the same way on any
 * number of threads. (Letting OpenBLAS thread a call itself was measured to change results with the
 * thread count.) */
#include "gemm.h"

#include <string.h>

#include "tritbench/train.h"
#include "tritbench_config.h"

#if TRIT_HAVE_OPENBLAS
#include <cblas.h>
#endif

#define TB_GEMM_BLOCK 64

static size_t blocks(size_t len) { return (len + TB_GEMM_BLOCK - 1) / TB_GEMM_BLOCK; }
static size_t block_len(size_t b, size_t len)
{
    const size_t start = b * TB_GEMM_BLOCK;
    return len - start < TB_GEMM_BLOCK ? len - start : TB_GEMM_BLOCK;
}

static void single_threaded_blas(void)
{
#if TRIT_HAVE_OPENBLAS
    /* Our threads split the work; OpenBLAS must not split a block again. */
    openblas_set_num_threads(1);
#endif
}

const char *tb_train_gemm_backend(void)
{
    return TRIT_HAVE_OPENBLAS ? "openblas (single-threaded blocks)" : "portable";
}

/* C[:, j0:j0+mb] (ldc m) = A (n × k) · B[j0:j0+mb, :]ᵀ */
static void nt_block(const float *A, const float *B, float *C, size_t n, size_t m, size_t k, size_t j0, size_t mb)
{
#if TRIT_HAVE_OPENBLAS
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (blasint)n, (blasint)mb, (blasint)k, 1.0f, A, (blasint)k,
                B + j0 * k, (blasint)k, 0.0f, C + j0, (blasint)m);
#else
    for (size_t i = 0; i < n; i++)
        for (size_t j = j0; j < j0 + mb; j++) {
            float s = 0.0f;
            for (size_t t = 0; t < k; t++)
                s += A[i * k + t] * B[j * k + t];
            C[i * m + j] = s;
        }
#endif
}

/* C[:, j0:j0+mb] (ldc m) = A (n × k) · B[:, j0:j0+mb] (ldb m) */
static void nn_block(const float *A, const float *B, float *C, size_t n, size_t m, size_t k, size_t j0, size_t mb)
{
#if TRIT_HAVE_OPENBLAS
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (blasint)n, (blasint)mb, (blasint)k, 1.0f, A, (blasint)k,
                B + j0, (blasint)m, 0.0f, C + j0, (blasint)m);
#else
    for (size_t i = 0; i < n; i++) {
        float *c = C + i * m + j0;
        memset(c, 0, mb * sizeof *c);
        for (size_t t = 0; t < k; t++) {
            const float a = A[i * k + t];
            const float *b = B + t * m + j0;
            for (size_t j = 0; j < mb; j++)
                c[j] += a * b[j];
        }
    }
#endif
}

/* C[i0:i0+pb, :] (ldc q) = A[:, i0:i0+pb]ᵀ (lda p) · B (r × q) */
static void tn_block(const float *A, const float *B, float *C, size_t p, size_t q, size_t r, size_t i0, size_t pb)
{
#if TRIT_HAVE_OPENBLAS
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (blasint)pb, (blasint)q, (blasint)r, 1.0f, A + i0,
                (blasint)p, B, (blasint)q, 0.0f, C + i0 * q, (blasint)q);
#else
    memset(C + i0 * q, 0, pb * q * sizeof *C);
    for (size_t t = 0; t < r; t++)
        for (size_t i = i0; i < i0 + pb; i++) {
            const float a = A[t * p + i];
            const float *b = B + t * q;
            float *c = C + i * q;
            for (size_t j = 0; j < q; j++)
                c[j] += a * b[j];
        }
#endif
}

void tb_gemm_nt(const float *A, const float *B, float *C, size_t n, size_t m, size_t k, int threads)
{
    single_threaded_blas();
    const long nb = (long)blocks(m);
    (void)threads;
#pragma omp parallel for schedule(static) num_threads(threads > 0 ? threads : 1) if (threads > 1 && nb > 1)
    for (long b = 0; b < nb; b++)
        nt_block(A, B, C, n, m, k, (size_t)b * TB_GEMM_BLOCK, block_len((size_t)b, m));
}

void tb_gemm_nn(const float *A, const float *B, float *C, size_t n, size_t m, size_t k, int threads)
{
    single_threaded_blas();
    const long nb = (long)blocks(m);
    (void)threads;
#pragma omp parallel for schedule(static) num_threads(threads > 0 ? threads : 1) if (threads > 1 && nb > 1)
    for (long b = 0; b < nb; b++)
        nn_block(A, B, C, n, m, k, (size_t)b * TB_GEMM_BLOCK, block_len((size_t)b, m));
}

void tb_gemm_tn(const float *A, const float *B, float *C, size_t p, size_t q, size_t r, int threads)
{
    single_threaded_blas();
    const long nb = (long)blocks(p);
    (void)threads;
#pragma omp parallel for schedule(static) num_threads(threads > 0 ? threads : 1) if (threads > 1 && nb > 1)
    for (long b = 0; b < nb; b++)
        tn_block(A, B, C, p, q, r, (size_t)b * TB_GEMM_BLOCK, block_len((size_t)b, p));
}
