/* sgemm_ref.c — scalar FP32 Y = X·Wᵀ: the plainest baseline and the oracle for the vectorized ones. */
#include "kernels/tables.h"

void trit_sgemm_scalar_rows(const float *W, const float *X, float *Y, size_t M, size_t K, size_t N,
                            size_t m_begin, size_t m_end)
{
    for (size_t n = 0; n < N; n++)
        for (size_t m = m_begin; m < m_end; m++) {
            float s = 0.0f;
            for (size_t k = 0; k < K; k++)
                s += W[m * K + k] * X[n * K + k];
            Y[n * M + m] = s;
        }
}
