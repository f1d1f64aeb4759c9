/* drive.h — the loop nest shared by every x86-64 ternary kernel (as kernels/arm/drive.c is for aarch64):
 * activation-row chunks, weight-row tiles and their tails, Σx subtraction and stores, written once here
 * and instantiated by each unit (a C template: always inlined). An ISA file supplies
 * only data: its micro-kernels (the SIMD dot products) and block sizes in a trit_x86_tiles, and its
 * descriptors (TRIT_X86_TERNARY_KERNELS). Adding an ISA = one file + one line in x86/meson.build. */
#ifndef TRITBENCH_X86_DRIVE_H
#define TRITBENCH_X86_DRIVE_H

#include <stddef.h>
#include <stdint.h>

#include "kernels/tables.h"
#include "tritbench/cpu.h"
#include "tritbench/kernels.h"

#define TRIT_X86_MAX_TILE 4 /* weight rows and activation rows one micro-kernel call handles, at most */

/* out[r·TRIT_X86_MAX_TILE + c] = Σ c·x (raw I2 codes / T5 digits, before −Σx, wrapping modulo 2^32) for
 * weight rows w + r·row_bytes (r < rm) × activation rows xs[c] (c < rn), over `blocks` 64-byte blocks. */
typedef void (*trit_x86_tile_fn)(const uint8_t *w, size_t row_bytes, size_t blocks, const int8_t *const *xs,
                                 int rm, int rn, int32_t *out);

/* GEMV rows [m, m + gemv_rows) straight into acc[0 … gemv_rows) = Σ c·x − sum_x (wrapping modulo 2^32,
 * as trit_offset_sub): one vector store per group instead of a tile column and a scalar store loop. */
typedef void (*trit_x86_gemv_store_fn)(const uint8_t *w, size_t row_bytes, size_t blocks, const int8_t *x,
                                       int32_t sum_x, int32_t *acc);

/* A full GEMM tile, gemm_rows × gemm_acts, straight into acc: acc[c·ld_acc + r] = Σ c·x − sum_x[c]
 * (wrapping modulo 2^32) for weight row r and activation row xs[c]; one vector store per activation row
 * instead of a tile buffer and a scalar store loop. */
typedef void (*trit_x86_gemm_store_fn)(const uint8_t *w, size_t row_bytes, size_t blocks, const int8_t *const *xs,
                                       const int32_t *sum_x, int32_t *acc, size_t ld_acc);

typedef struct trit_x86_tiles {
    trit_x86_tile_fn gemv; /* one activation row: rm = gemv_rows, or 1 for the row tail; rn = 1 */
    int gemv_rows;
    trit_x86_tile_fn gemm; /* rm = gemm_rows or 1 (row tail); rn = 1 … gemm_acts */
    int gemm_rows, gemm_acts;
    size_t row_block;      /* weight bytes per pass over the activations (kept in L2); 0: one row tile */
    trit_x86_gemv_store_fn gemv_store; /* optional: full GEMV groups of gemv_rows (gemv then serves the tail) */
    trit_x86_gemm_store_fn gemm_store; /* optional: full GEMM tiles (gemm then serves the partial ones) */
    trit_x86_gemv_store_fn gemv_wide;  /* optional: groups of gemv_wide_rows first (gemv_store the rest), so
                                          the final reduction and the store serve more rows */
    int gemv_wide_rows;
} trit_x86_tiles;


/* Calls TILE(w, rb, blocks, xs, RM, RN, out) with RM ∈ {ROWS, 1} and RN ∈ 1 … ACTS (≤ 4) as compile-time
 * constants, so the micro-kernel's register tile is unrolled for each case the drive asks for. */
#define TRIT_X86_TILE_SWITCH(TILE, ROWS, ACTS, w, rb, blocks, xs, rm, rn, out)                                \
    do {                                                                                                      \
        if ((rm) == (ROWS)) {                                                                                 \
            if ((rn) >= 4 && (ACTS) >= 4) TILE(w, rb, blocks, xs, ROWS, (ACTS) >= 4 ? 4 : 1, out);            \
            else if ((rn) == 3 && (ACTS) >= 3) TILE(w, rb, blocks, xs, ROWS, (ACTS) >= 3 ? 3 : 1, out);       \
            else if ((rn) >= 2 && (ACTS) >= 2) TILE(w, rb, blocks, xs, ROWS, 2, out);                         \
            else TILE(w, rb, blocks, xs, ROWS, 1, out);                                                       \
        } else {                                                                                              \
            if ((rn) >= 4 && (ACTS) >= 4) TILE(w, rb, blocks, xs, 1, (ACTS) >= 4 ? 4 : 1, out);               \
            else if ((rn) == 3 && (ACTS) >= 3) TILE(w, rb, blocks, xs, 1, (ACTS) >= 3 ? 3 : 1, out);          \
            else if ((rn) >= 2 && (ACTS) >= 2) TILE(w, rb, blocks, xs, 1, 2, out);                            \
            else TILE(w, rb, blocks, xs, 1, 1, out);                                                          \
        }                                                                                                     \
    } while (0)

/* Each x86 compilation unit (one source compiled with one set of ISA flags) names its descriptor table
 * after TRIT_X86_UNIT, which x86/meson.build sets per unit; table.c gathers the units from the list
 * meson generates. A unit defines TRIT_X86_UNIT_TABLE[] and TRIT_X86_UNIT_COUNT. */
#define TRIT_X86_CAT2(a, b) a##b
#define TRIT_X86_CAT(a, b) TRIT_X86_CAT2(a, b)
#define TRIT_X86_UNIT_TABLE TRIT_X86_CAT(trit_kernels_x86_, TRIT_X86_UNIT)
#define TRIT_X86_UNIT_COUNT TRIT_X86_CAT(TRIT_X86_UNIT_TABLE, _count)

/* The four descriptors (gemv/gemm × i2/t5) of one ISA over its tiles: the unit's whole table. */
#define TRIT_X86_TERNARY_KERNELS(variant, priority, requires, i2_tiles, t5_tiles)                             \
    static void x86_matmul_i2(const trit_matmul_io *io, void *ws, size_t m_begin, size_t m_end)               \
    {                                                                                                         \
        (void)ws;                                                                                             \
        trit_x86_drive(&(i2_tiles), io->w.packed, io->x.q, m_begin, m_end, io->acc, io->w.rows);              \
    }                                                                                                         \
    static void x86_matmul_t5(const trit_matmul_io *io, void *ws, size_t m_begin, size_t m_end)               \
    {                                                                                                         \
        (void)ws;                                                                                             \
        trit_x86_drive(&(t5_tiles), io->w.packed, io->x.q, m_begin, m_end, io->acc, io->w.rows);              \
    }                                                                                                         \
    const trit_kernel TRIT_X86_UNIT_TABLE[] = {                                                               \
        TRIT_EXACT_KERNEL(TRIT_OP_GEMV, TRIT_FMT_I2, variant, priority, requires, x86_matmul_i2),             \
        TRIT_EXACT_KERNEL(TRIT_OP_GEMV, TRIT_FMT_T5, variant, priority, requires, x86_matmul_t5),             \
        TRIT_EXACT_KERNEL(TRIT_OP_GEMM, TRIT_FMT_I2, variant, priority, requires, x86_matmul_i2),             \
        TRIT_EXACT_KERNEL(TRIT_OP_GEMM, TRIT_FMT_T5, variant, priority, requires, x86_matmul_t5),             \
    };                                                                                                        \
    const size_t TRIT_X86_UNIT_COUNT = sizeof TRIT_X86_UNIT_TABLE / sizeof TRIT_X86_UNIT_TABLE[0]

/* Requirement sets: every ISA flag a unit is compiled with. */
#define TRIT_X86_REQ_AVX2 (TRIT_CPU_AVX2)
#define TRIT_X86_REQ_AVX512F (TRIT_CPU_AVX2 | TRIT_CPU_AVX512F)
#define TRIT_X86_REQ_AVX512BW (TRIT_X86_REQ_AVX512F | TRIT_CPU_AVX512BW)
#define TRIT_X86_REQ_AVX512_VNNI (TRIT_X86_REQ_AVX512BW | TRIT_CPU_AVX512VL | TRIT_CPU_AVX512_VNNI)

/* Σ w·x = Σ c·x − Σ x. Σ c·x can exceed INT32_MAX (c ≤ 2) while the result fits, and the SIMD sums
 * already wrapped modulo 2^32: subtract modulo 2^32 too, since signed overflow in C is undefined. */
static inline int32_t trit_offset_sub(int32_t sum_cx, int32_t sum_x)
{
    return (int32_t)((uint32_t)sum_cx - (uint32_t)sum_x);
}

/* acc[n·ld_acc + m] = Σ w·x for m in [m_begin, m_end) and every activation row. Inlined into each unit
 * with that unit's constant trit_x86_tiles, so the micro-kernels are called directly (an indirect call
 * per 4-row group cost 6–12 % of the fastest GEMV). */
static inline __attribute__((always_inline)) void trit_x86_store(const trit_act *x, size_t m, size_t n, int rm,
                                                                 int rn, const int32_t *out, int32_t *acc, size_t ld)
{
    for (int c = 0; c < rn; c++)
        for (int r = 0; r < rm; r++)
            acc[(n + (size_t)c) * ld + m + (size_t)r] =
                trit_offset_sub(out[r * TRIT_X86_MAX_TILE + c], x->sum[n + (size_t)c]);
}

static inline __attribute__((always_inline)) void trit_x86_drive(const trit_x86_tiles *t, const trit_packed *w,
                                                                 const trit_act *x, size_t m_begin, size_t m_end,
                                                                 int32_t *acc, size_t ld_acc)
{
    const size_t blocks = w->row_bytes / TRIT_BLOCK_BYTES, rb = w->row_bytes;
    int32_t out[TRIT_X86_MAX_TILE * TRIT_X86_MAX_TILE] = {0}; /* every read entry is written by the tile */
    if (x->rows == 1) { /* GEMV: stream the weights once, gemv_rows at a time */
        const int8_t *xs[1] = {x->q};
        const size_t rows = (size_t)t->gemv_rows;
        size_t m = m_begin;
        if (t->gemv_wide)
            for (; m + (size_t)t->gemv_wide_rows <= m_end; m += (size_t)t->gemv_wide_rows)
                t->gemv_wide(w->codes + m * rb, rb, blocks, x->q, x->sum[0], acc + m);
        if (t->gemv_store) /* a constant of the inlined unit: one of the two loops is compiled */
            for (; m + rows <= m_end; m += rows)
                t->gemv_store(w->codes + m * rb, rb, blocks, x->q, x->sum[0], acc + m);
        for (; m + rows <= m_end; m += rows) {
            t->gemv(w->codes + m * rb, rb, blocks, xs, t->gemv_rows, 1, out);
            trit_x86_store(x, m, 0, t->gemv_rows, 1, out, acc, ld_acc);
        }
        for (; m < m_end; m++) {
            t->gemv(w->codes + m * rb, rb, blocks, xs, 1, 1, out);
            trit_x86_store(x, m, 0, 1, 1, out, acc, ld_acc);
        }
        return;
    }
    /* GEMM: a block of weight rows (~row_block bytes, in L2) meets every activation tile in turn (its
     * gemm_acts rows, 4 × K bytes, stay in L1 across the block's row tiles); the weights are read from
     * memory once. The reverse order (a 4-row weight tile in L1, activations streamed past it from L2)
     * moves 4× the bytes from L2 per vpdpbusd: each activation vector feeds gemm_rows dot products, each
     * weight vector 4 planes × gemm_acts. Meanwhile the next block is prefetched into L2, spread evenly
     * over the block's tiles (a block's first pass otherwise waits on L3/DRAM: +3 % at 6912×2560×128,
     * +2 % at 2560×6912×128, nothing lost at N = 8 … 512). Units without a row_block keep the plain
     * one-row-tile order, unprefetched. */
    const size_t rows = (size_t)t->gemm_rows, acts = (size_t)t->gemm_acts;
    const size_t block = t->row_block / rb / rows * rows > rows ? t->row_block / rb / rows * rows : rows;
    const size_t tiles = block / rows * ((x->rows + acts - 1) / acts); /* per block */
    const size_t pf_lines = tiles ? (block * rb / 64 + tiles - 1) / tiles : 0; /* per tile */
    for (size_t m0 = m_begin; m0 < m_end; m0 += block) {
        const size_t m1 = m_end - m0 < block ? m_end : m0 + block;
        const size_t m2 = m_end - m1 < block ? m_end : m1 + block; /* the next block: [m1, m2) */
        const uint8_t *pf = w->codes + m1 * rb, *const pf_end = w->codes + m2 * rb;
        for (size_t n = 0; n < x->rows; n += acts) {
            const int rn = x->rows - n < acts ? (int)(x->rows - n) : t->gemm_acts;
            const int8_t *xs[TRIT_X86_MAX_TILE];
            for (int c = 0; c < rn; c++)
                xs[c] = x->q + (n + (size_t)c) * x->stride;
            for (size_t m = m0; m < m1;) {
                const int rm = m + rows <= m1 ? t->gemm_rows : 1;
                if (t->gemm_store && rm == t->gemm_rows && rn == t->gemm_acts) /* constant test, as gemv_store */
                    t->gemm_store(w->codes + m * rb, rb, blocks, xs, x->sum + n, acc + n * ld_acc + m, ld_acc);
                else {
                    t->gemm(w->codes + m * rb, rb, blocks, xs, rm, rn, out);
                    trit_x86_store(x, m, n, rm, rn, out, acc, ld_acc);
                }
                m += (size_t)rm;
                if (t->row_block)
                    for (size_t l = 0; l < pf_lines && pf < pf_end; l++, pf += 64)
                        __builtin_prefetch(pf, 0, 2); /* prefetcht1: into L2 */
            }
        }
    }
}

#endif
