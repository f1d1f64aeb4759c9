/* tile_maddubs.h — width-generic micro-kernels on vpmaddubsw + vpmaddwd (AVX2, AVX-512BW: CPUs without
 * VNNI). vpmaddubsw sums byte pairs into saturating int16: with codes ≤ 2 and |x| ≤ 128 one pair is
 * ≤ 512, and the tiles sum only the products of one 64-byte block (≤ 2 halves × 5 planes × 512 = 5120) in
 * int16 before vpmaddwd widens them to int32, so long rows cannot saturate; the I2 GEMV's own bound (16
 * vectors at most, hi folded every 8) is at maddubs_i2_gemv_rows.
 * The including ISA file defines TRIT_X86_WIDTH, MADDUBS_GEMM_ROWS and MADDUBS_GEMM_ACTS (its register
 * tile, ≤ TRIT_X86_MAX_TILE) first; it gets maddubs_{i2,t5}_{gemv,gemm} (trit_x86_tile_fn). */
#ifndef TRITBENCH_X86_TILE_MADDUBS_H
#define TRITBENCH_X86_TILE_MADDUBS_H

#include "kernels/x86/drive.h"
#include "kernels/x86/vec.h"

/* RM weight rows × RN activation rows; PLANES = 4 (I2) or 5 (T5). */
ALWAYS_INLINE void maddubs_tile(const uint8_t *w, size_t rb, size_t blocks, const int8_t *const *xs, const int RM,
                                const int RN, int32_t *out, const int PLANES)
{
    const size_t kblock = PLANES == 4 ? TRIT_I2_BLOCK : TRIT_T5_BLOCK;
    const tv ones = tv_set1_16(1);
    tv a[TRIT_X86_MAX_TILE][TRIT_X86_MAX_TILE];
    for (int r = 0; r < RM; r++)
        for (int c = 0; c < RN; c++)
            a[r][c] = tv_zero();
    for (size_t b = 0; b < blocks; b++) {
        tv s[TRIT_X86_MAX_TILE][TRIT_X86_MAX_TILE]; /* int16 sums of this block only */
        if (RN == 1) /* GEMV streams the weights: rows eight ahead into L2 (see matmul_avx512_vnni.c) */
            for (int r = 0; r < RM; r++)
                _mm_prefetch((const char *)(w + (size_t)r * rb + b * TRIT_BLOCK_BYTES + 8 * rb), _MM_HINT_T1);
        for (int r = 0; r < RM; r++)
            for (int c = 0; c < RN; c++)
                s[r][c] = tv_zero();
        for (int h = 0; h < TV_HALVES; h++) {
            tv v[TRIT_X86_MAX_TILE];
            t5_state t5[TRIT_X86_MAX_TILE];
            for (int r = 0; r < RM; r++) {
                v[r] = tv_load(w + (size_t)r * rb + b * TRIT_BLOCK_BYTES + TV_BYTES * (size_t)h);
                if (PLANES == 5)
                    t5[r] = t5_start(v[r]);
            }
            for (int i = 0; i < PLANES; i++) {
                tv xv[TRIT_X86_MAX_TILE];
                for (int c = 0; c < RN; c++)
                    xv[c] = tv_load(xs[c] + b * kblock + 64 * (size_t)i + TV_BYTES * (size_t)h);
                for (int r = 0; r < RM; r++) {
                    tv code;
                    if (PLANES == 4) {
                        code = i2_plane(v[r], i);
                    } else {
                        code = t5_digits(t5[r]);
                        if (i < PLANES - 1)
                            t5[r] = t5_next(t5[r]);
                    }
                    for (int c = 0; c < RN; c++)
                        s[r][c] = tv_add16(s[r][c], tv_maddubs(code, xv[c]));
                }
            }
        }
        for (int r = 0; r < RM; r++)
            for (int c = 0; c < RN; c++)
                a[r][c] = tv_add32(a[r][c], tv_madd16(s[r][c], ones));
    }
    for (int r = 0; r < RM; r++)
        for (int c = 0; c < RN; c++)
            out[r * TRIT_X86_MAX_TILE + c] = tv_hsum32(a[r][c]);
}

/* GEMV I2, written out so GCC keeps everything in registers (the generic tile spills with 16 ymm). One
 * shift per vector instead of three: u = v >> 4 brings planes 2 and 3 down, and planes 1 and 3 stay masked
 * in place (codes 0, 4, 8), so each row keeps two int16 sums: lo (planes 0 and 2, scale 1) and hi (planes
 * 1 and 3, scale 4). Per vector and row 13 operations (1 shift, 4 and, 4 vpmaddubsw, 4 vpaddw); the
 * multiplies need 2 cycles of the 2 multiply pipes, the rest shares the 4 vector pipes, so this loop is
 * bound by the operation count, not by vpmaddubsw: on Zen 4 a synthetic loop of exactly these 13
 * operations (4 rows, no flush, L1) runs at 3.58 cycles per vector (= 33 GB/s at 3.69 GHz). This kernel
 * (1 thread, mb, one window): in L2 (384×2560) 31.9 GB/s = ~3.66 cycles per vector, at long K in L2
 * (96×10240) 32.7–33.3, so ~4 % of K = 2560 is per-group cost (flush, 4-row sum and store, the pass
 * changes: ~14 cycles per 4-row group); from L3 (6912×2560) 29.7–30.2, i.e. ~6 % more for the stream.
 * In tritbench, 6912×2560, 29.5–29.9 GB/s against 29.1 before the groups below and the prefetch
 * distance (25.9 before the pinned sums; AVX-512BW 30.1 → 30.7 → 31.3). 30 GB/s robustly on AVX2 needs
 * fewer than 13 operations per 32 bytes, or a cheaper stream from L3.
 * Int16 bound, exact: with x in [−128, 127] a vpmaddubsw pair c·x + c'·x' lies in [−2·2·128, 2·2·127] =
 * [−512, 508] for codes ≤ 2 and in [−2048, 2032] for codes ≤ 8 (no saturation). Each vector adds two
 * pairs per lane to lo and two to hi: per vector lo grows by [−1024, 1016] and hi by [−4096, 4064], so
 * hi fits int16 for MADDUBS_FOLD_ITERS = 8 vectors (8·[−4096, 4064] = [−32768, 32512]) and the row's
 * true sum lo + hi/4 (each vector [−2048, 2032]) for 16 (= [−32768, 32512]); vpaddw wraps, but nothing
 * wraps here. Hence the flush in two steps: every 8 vectors hi is folded into lo (lo += hi >> 2, exact:
 * hi is a multiple of 4; 2 operations), and every 16 lo + (hi >> 2) is widened to int32 by one vpmaddwd
 * (lo after 8 vectors and a fold ∈ [−16384, 16256], after 8 more and the last fold within the 16-vector
 * bound above). At K = 2560 a ymm row is 20 vectors: the first group takes the 4 odd ones and sets the
 * int32 sums without an add (3 operations), the second folds once and widens (2 + 4): 9 operations per
 * row instead of 12 for three flushes every 8 vectors (zmm, 10 vectors per row: 5 instead of 8).
 * The full 16-vector groups are unrolled (a 4-block loop kept 4–5 register moves and a counter per
 * block): 6912×2560 in L2-sized pieces (384×2560, 1 thread, mb) 30.0 → 31.8 GB/s, from L3 (6912×2560)
 * +1.5–2 %; the rest of the gap to L2 is the stream from L3 (the prefetch below is what there is:
 * without it 27.7 GB/s, every other line only 26.8, a second prefetch per line or prefetcht0 −1–3 %,
 * the lines prefetched in address order instead of row by row the same). Unrolling the first group's
 * loop too: AVX2 the same, AVX-512BW 2.7 % slower (tritbench ab, 10 rounds).
 * The empty asm after each row's four products pins lo and hi: without it GCC re-associates the four
 * vpaddw into a tree across rows and halves, which needs more live registers than 16 ymm and spilled
 * accumulators to the stack (AVX2 6912×2560: 27.0 → 28.4 GB/s from this alone, best of 300 calls). Each
 * vpaddw as its own asm on the tied sum instead: more register moves (132 against 110), no faster. */
#define MADDUBS_FOLD_ITERS 8
#define MADDUBS_I2_ROW(lo, hi, vp, xb)                                                                        \
    do {                                                                                                      \
        const tv v_ = tv_load(vp), u_ = tv_srli16(v_, 4);                                                     \
        lo = tv_add16(lo, tv_maddubs(tv_and(v_, m3), tv_load(xb)));                                           \
        hi = tv_add16(hi, tv_maddubs(tv_and(v_, mc), tv_load((xb) + 64)));                                    \
        lo = tv_add16(lo, tv_maddubs(tv_and(u_, m3), tv_load((xb) + 128)));                                   \
        hi = tv_add16(hi, tv_maddubs(tv_and(u_, mc), tv_load((xb) + 192)));                                   \
        __asm__("" : "+v"(lo), "+v"(hi));                                                                     \
    } while (0)

/* Blocks [b_begin, b_end) of rows 0 … ROWS − 1 into their int16 sums (maddubs_i2_gemv_rows' locals). */
#define MADDUBS_I2_SPAN(b_begin, b_end)                                                                       \
    for (size_t b = (b_begin); b < (b_end); b++) {                                                            \
        /* Rows sixteen ahead into L2 (i2_gemv4_chunk in matmul_avx512_vnni.c takes eight): in tritbench      \
         * (2 MiB pages) 8 ran 1.5–2.2 % slower than 5, 12, 16 or 24 on AVX2 6912×2560 (tritbench ab, 8       \
         * rounds each); 16 with prefetcht2 the same, with prefetcht0 4.4 % slower. */                        \
        for (size_t r = 16; r < 16 + (size_t)ROWS; r++)                                                       \
            _mm_prefetch((const char *)(w + b * TRIT_BLOCK_BYTES + r * rb), _MM_HINT_T1);                     \
        for (size_t h = 0; h < TV_HALVES; h++) {                                                              \
            const int8_t *xb = xq + b * TRIT_I2_BLOCK + TV_BYTES * h;                                         \
            const uint8_t *wb = w + b * TRIT_BLOCK_BYTES + TV_BYTES * h;                                      \
            MADDUBS_I2_ROW(l0, h0, wb, xb);                                                                   \
            MADDUBS_I2_ROW(l1, h1, wb + rb, xb);                                                              \
            if (ROWS == 4) {                                                                                  \
                MADDUBS_I2_ROW(l2, h2, wb + 2 * rb, xb);                                                      \
                MADDUBS_I2_ROW(l3, h3, wb + 3 * rb, xb);                                                      \
            }                                                                                                 \
        }                                                                                                     \
    }
/* OP(r) for each row r < ROWS. */
#define MADDUBS_I2_EACH_ROW(OP)                                                                               \
    do {                                                                                                      \
        OP(0);                                                                                                \
        OP(1);                                                                                                \
        if (ROWS == 4) {                                                                                      \
            OP(2);                                                                                            \
            OP(3);                                                                                            \
        }                                                                                                     \
    } while (0)
#define MADDUBS_I2_ZERO(r) (l##r = tv_zero(), h##r = tv_zero())
#define MADDUBS_I2_FOLD(r) (l##r = tv_add16(l##r, tv_srai16(h##r, 2)), h##r = tv_zero()) /* lo += hi / 4 */
#define MADDUBS_I2_WIDE(r) tv_madd16(tv_add16(l##r, tv_srai16(h##r, 2)), ones)          /* lo + hi / 4, int32 */
#define MADDUBS_I2_SET(r) (a##r = MADDUBS_I2_WIDE(r))
#define MADDUBS_I2_ADD(r) (a##r = tv_add32(a##r, MADDUBS_I2_WIDE(r)))

/* Rows 0 … ROWS − 1 (ROWS = 2 or 4) over all blocks (≥ 1): acc[r] = int32 lanes of Σ c·x for row r. */
ALWAYS_INLINE void maddubs_i2_gemv_rows(const uint8_t *w, size_t rb, const int8_t *xq, size_t blocks, tv *acc,
                                        const int ROWS)
{
    const tv m3 = tv_set1_8(3), mc = tv_set1_8(0x0C), ones = tv_set1_16(1);
    const size_t fold = MADDUBS_FOLD_ITERS / TV_HALVES, group = 2 * fold; /* in blocks */
    tv a0, a1, a2 = tv_zero(), a3 = tv_zero();
    tv l0, l1, l2, l3, h0, h1, h2, h3;
    /* The first group: the blocks − 1 mod group + 1 odd blocks (1 … group), setting acc. */
    const size_t n = (blocks - 1) % group + 1;
    MADDUBS_I2_EACH_ROW(MADDUBS_I2_ZERO);
    MADDUBS_I2_SPAN(0, n < fold ? n : fold);
    if (n > fold) {
        MADDUBS_I2_EACH_ROW(MADDUBS_I2_FOLD);
        MADDUBS_I2_SPAN(fold, n);
    }
    MADDUBS_I2_EACH_ROW(MADDUBS_I2_SET);
    for (size_t b0 = n; b0 < blocks; b0 += group) { /* full groups */
        MADDUBS_I2_EACH_ROW(MADDUBS_I2_ZERO);
        _Pragma("GCC unroll 8") MADDUBS_I2_SPAN(b0, b0 + fold);
        MADDUBS_I2_EACH_ROW(MADDUBS_I2_FOLD);
        _Pragma("GCC unroll 8") MADDUBS_I2_SPAN(b0 + fold, b0 + group);
        MADDUBS_I2_EACH_ROW(MADDUBS_I2_ADD);
    }
    acc[0] = a0;
    acc[1] = a1;
    if (ROWS == 4) {
        acc[2] = a2;
        acc[3] = a3;
    }
}

/* Four rows: at once with 32 zmm; as two pairs with 16 ymm, where 4 rows × (int32 + two int16 sums) and
 * the masks spill (measured 22–23.5 GB/s against 25.6 with pairs on 6912×2560, and again 28.2 against
 * 29.4 with the pinned sums above, and 28.0–28.7 against 29.7–29.9 with the 16-vector groups, mb). Also
 * no better on AVX2: the pairs taking turns per 16-vector group (4 int32 sums live, GCC spills: 22 GB/s),
 * and the four activation vectors loaded once per half-block for both rows of a pair (3 loads per vector
 * instead of 5; 31.7 against 31.5 GB/s in L2, 29.3–29.8 against 29.7–29.9 from L3). */
ALWAYS_INLINE void maddubs_i2_gemv4(const uint8_t *w, size_t rb, const int8_t *xq, size_t blocks, tv acc[4])
{
#if TRIT_X86_WIDTH == 512
    maddubs_i2_gemv_rows(w, rb, xq, blocks, acc, 4);
#else
    maddubs_i2_gemv_rows(w, rb, xq, blocks, acc, 2);
    maddubs_i2_gemv_rows(w + 2 * rb, rb, xq, blocks, acc + 2, 2);
#endif
}

/* Full 4-row groups straight into acc[0 … 3] = Σ c·x − Σx with one vector store (the drive's gemv_store). */
static void maddubs_i2_gemv4_store(const uint8_t *w, size_t rb, size_t blocks, const int8_t *x, int32_t sum_x,
                                   int32_t *acc)
{
    tv s[4];
    maddubs_i2_gemv4(w, rb, x, blocks, s);
    tv_store_rows4(tv_hsum4x32(s[0], s[1], s[2], s[3]), sum_x, acc);
}

#define MADDUBS_TILE_I2(w, rb, blocks, xs, RM, RN, out) maddubs_tile(w, rb, blocks, xs, RM, RN, out, 4)
#define MADDUBS_TILE_T5(w, rb, blocks, xs, RM, RN, out) maddubs_tile(w, rb, blocks, xs, RM, RN, out, 5)

/* GEMV: 4 rows (or the 1-row tail), one activation row. */
ALWAYS_INLINE void maddubs_i2_gemv(const uint8_t *w, size_t rb, size_t blocks, const int8_t *const *xs, int rm,
                                   int rn, int32_t *out)
{
    (void)rn;
    if (rm == 4) {
        tv s[4];
        maddubs_i2_gemv4(w, rb, xs[0], blocks, s);
        for (int r = 0; r < 4; r++)
            out[r * TRIT_X86_MAX_TILE] = tv_hsum32(s[r]);
    } else {
        maddubs_tile(w, rb, blocks, xs, 1, 1, out, 4);
    }
}

ALWAYS_INLINE void maddubs_t5_gemv(const uint8_t *w, size_t rb, size_t blocks, const int8_t *const *xs, int rm,
                                   int rn, int32_t *out)
{
    (void)rn;
    if (rm == 4)
        maddubs_tile(w, rb, blocks, xs, 4, 1, out, 5);
    else
        maddubs_tile(w, rb, blocks, xs, 1, 1, out, 5);
}

ALWAYS_INLINE void maddubs_i2_gemm(const uint8_t *w, size_t rb, size_t blocks, const int8_t *const *xs, int rm,
                                   int rn, int32_t *out)
{
    TRIT_X86_TILE_SWITCH(MADDUBS_TILE_I2, MADDUBS_GEMM_ROWS, MADDUBS_GEMM_ACTS, w, rb, blocks, xs, rm, rn, out);
}

ALWAYS_INLINE void maddubs_t5_gemm(const uint8_t *w, size_t rb, size_t blocks, const int8_t *const *xs, int rm,
                                   int rn, int32_t *out)
{
    TRIT_X86_TILE_SWITCH(MADDUBS_TILE_T5, MADDUBS_GEMM_ROWS, MADDUBS_GEMM_ACTS, w, rb, blocks, xs, rm, rn, out);
}

#endif
