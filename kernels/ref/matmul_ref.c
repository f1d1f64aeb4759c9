/* matmul_ref.c — scalar ternary matmul on the canonical packed layouts: the oracle every variant must
 * equal bit for bit. Decodes each code exactly as formats.h documents it; no tricks. */
#include <stdint.h>

#include "kernels/tables.h"

void trit_matmul_i2_scalar(const trit_packed *w, const trit_act *x, size_t m_begin, size_t m_end, int32_t *acc,
                           size_t ld_acc)
{
    const size_t blocks = w->row_bytes / TRIT_BLOCK_BYTES;
    for (size_t n = 0; n < x->rows; n++) {
        const int8_t *xq = x->q + n * x->stride;
        for (size_t m = m_begin; m < m_end; m++) {
            const uint8_t *row = w->codes + m * w->row_bytes;
            int32_t sum = 0;
            for (size_t b = 0; b < blocks; b++)
                for (size_t j = 0; j < 64; j++) {
                    const unsigned byte = row[b * 64 + j];
                    for (unsigned i = 0; i < 4; i++) {
                        const size_t k = b * TRIT_I2_BLOCK + j + 64 * i;
                        const int wv = (int)((byte >> (2 * i)) & 3u) - 1;
                        sum += wv * (k < x->cols ? xq[k] : 0);
                    }
                }
            acc[n * ld_acc + m] = sum;
        }
    }
}

void trit_matmul_t5_scalar(const trit_packed *w, const trit_act *x, size_t m_begin, size_t m_end, int32_t *acc,
                           size_t ld_acc)
{
    const size_t blocks = w->row_bytes / TRIT_BLOCK_BYTES;
    for (size_t n = 0; n < x->rows; n++) {
        const int8_t *xq = x->q + n * x->stride;
        for (size_t m = m_begin; m < m_end; m++) {
            const uint8_t *row = w->codes + m * w->row_bytes;
            int32_t sum = 0;
            for (size_t b = 0; b < blocks; b++)
                for (size_t j = 0; j < 64; j++) {
                    const uint8_t byte = row[b * 64 + j];
                    for (int i = 0; i < 5; i++) {
                        const size_t k = b * TRIT_T5_BLOCK + j + 64 * (size_t)i;
                        sum += (trit_t5_digit(byte, i) - 1) * (k < x->cols ? xq[k] : 0);
                    }
                }
            acc[n * ld_acc + m] = sum;
        }
    }
}
