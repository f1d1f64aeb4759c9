/* gemm.h — the three FP32 matrix products training needs (internal to workloads/train). OpenBLAS when the
 * build has it, else portable loops; in both, threads split output rows/columns only, never the
 * reduction, so results do not depend on the thread count. All matrices row-major, C overwritten. */
#ifndef TB_TRAIN_GEMM_H
#define TB_TRAIN_GEMM_H

#include <stddef.h>

/* C (n × m) = A (n × k) · Bᵀ, B (m × k). */
void tb_gemm_nt(const float *A, const float *B, float *C, size_t n, size_t m, size_t k, int threads);
/* C (n × m) = A (n × k) · B (k × m). */
void tb_gemm_nn(const float *A, const float *B, float *C, size_t n, size_t m, size_t k, int threads);
/* C (p × q) = Aᵀ · B, A (r × p), B (r × q). */
void tb_gemm_tn(const float *A, const float *B, float *C, size_t p, size_t q, size_t r, int threads);

#endif
