/* drive.c — the loop nest shared by the x86-64 kernels (plain C, no ISA flags; the SIMD lives in the
 * micro-kernels an ISA file lists in its trit_x86_tiles). */
#include "kernels/x86/drive.h"

static void store(const trit_act *x, size_t m, size_t n, int rm, int rn, const int32_t *out, int32_t *acc,
                  size_t ld)
{
    for (int c = 0; c < rn; c++)
        for (int r = 0; r < rm; r++)
            acc[(n + (size_t)c) * ld + m + (size_t)r] =
                trit_offset_sub(out[r * TRIT_X86_MAX_TILE + c], x->sum[n + (size_t)c]);
}

void trit_x86_drive(const trit_x86_tiles *t, const trit_packed *w, const trit_act *x, size_t m_begin,
                    size_t m_end, int32_t *acc, size_t ld_acc)
{
    const size_t blocks = w->row_bytes / TRIT_BLOCK_BYTES, rb = w->row_bytes;
    int32_t out[TRIT_X86_MAX_TILE * TRIT_X86_MAX_TILE];
    if (x->rows == 1) { /* GEMV: stream the weights once, gemv_rows at a time */
        const int8_t *xs[1] = {x->q};
        const size_t rows = (size_t)t->gemv_rows;
        size_t m = m_begin;
        for (; m + rows <= m_end; m += rows) {
            t->gemv(w->codes + m * rb, rb, blocks, xs, t->gemv_rows, 1, out);
            store(x, m, 0, t->gemv_rows, 1, out, acc, ld_acc);
        }
        for (; m < m_end; m++) {
            t->gemv(w->codes + m * rb, rb, blocks, xs, 1, 1, out);
            store(x, m, 0, 1, 1, out, acc, ld_acc);
        }
        return;
    }
    const size_t chunk = t->act_chunk ? t->act_chunk : x->rows;
    const size_t rows = (size_t)t->gemm_rows, acts = (size_t)t->gemm_acts;
    for (size_t n0 = 0; n0 < x->rows; n0 += chunk) {
        const size_t n1 = x->rows - n0 < chunk ? x->rows : n0 + chunk;
        for (size_t m = m_begin; m < m_end;) {
            const int rm = m + rows <= m_end ? t->gemm_rows : 1;
            for (size_t n = n0; n < n1; n += acts) {
                const int rn = n1 - n < acts ? (int)(n1 - n) : t->gemm_acts;
                const int8_t *xs[TRIT_X86_MAX_TILE];
                for (int c = 0; c < rn; c++)
                    xs[c] = x->q + (n + (size_t)c) * x->stride;
                t->gemm(w->codes + m * rb, rb, blocks, xs, rm, rn, out);
                store(x, m, n, rm, rn, out, acc, ld_acc);
            }
            m += (size_t)rm;
        }
    }
}
