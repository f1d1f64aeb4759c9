/* matmul_avx512_vnni.c — I2 and T5 ternary matmul with AVX-512 VNNI (vpdpbusd: u8 codes × s8 activations
 * summed four at a time straight into int32, so no int16 intermediate can saturate).
 * This file holds only the ISA's micro-kernels and block sizes: the loop nest is drive.c, the decode vec.h.
 * Compiled with -mavx512f -mavx512bw -mavx512vl -mavx512vnni only; the registry checks the CPU first. */
#define TRIT_X86_WIDTH 512
#include "kernels/x86/drive.h"
#include "kernels/x86/vec.h"

/* GEMM: 4 weight rows × 4 activation rows per register tile; ROW_BLOCK bytes of weight rows per pass over
 * the activations (the drive's row_block: 200 rows at K = 2560). Timed in a loop over the drive
 * (6912×2560×128, quiet machine): 64 and 128 KiB alike, 256 KiB 1–2 % slower. The old order (a 4-row
 * weight tile past 64 activation rows, per pass over all the weights) was 1 % slower at N = 128 in
 * tritbench, 4 % at K = 6912 and ~10 % at N = 512 (same loop, loaded machine). What is left below the
 * vpdpbusd roof at K = 2560 (~7 %) is mostly the tile tail: with 15 adds standing in for its reduction
 * (wrong sums) the loop ran 5 % faster; a ymm reduction (half-width shuffles) measured no faster. */
enum { ROW_TILE = 4, ACT_TILE = 4 };
#define ROW_BLOCK ((size_t)128 * 1024)

/* acc += u8 a · s8 b (vpdpbusd). Inline asm because GCC 12 does not tie the accumulator of
 * _mm512_dpbusd_epi32 to its output in unrolled loops: it copies every accumulator each iteration and
 * spills the copies, which halved GEMV throughput. Register operands only ("v", not "vm"): with a memory
 * alternative GCC folds the activation load into every vpdpbusd that uses it, and the GEMV loop issued
 * 17 zmm loads per 256 weight bytes instead of 8. */
ALWAYS_INLINE __m512i dpbusd(__m512i acc, __m512i a, __m512i b)
{
    __asm__("vpdpbusd %2, %1, %0" : "+v"(acc) : "v"(a), "v"(b));
    return acc;
}

/* GEMV I2 keeps the four 2-bit planes masked in place (c·4^i, at most 192, still a u8) instead of
 * shifting them down, and accumulates each plane separately: that saves three shifts per 64 bytes and
 * gives four independent dependency chains per row. The planes are scaled back (exactly: every lane is
 * a multiple of 4^i) every FOLD_BLOCKS blocks, before 64·Σc·x could overflow a lane. */
enum { FOLD_BLOCKS = 4096 };

ALWAYS_INLINE __m512i fold_planes(const __m512i p[4])
{
    const __m512i s01 = _mm512_add_epi32(p[0], _mm512_srai_epi32(p[1], 2));
    const __m512i s23 = _mm512_add_epi32(_mm512_srai_epi32(p[2], 4), _mm512_srai_epi32(p[3], 6));
    return _mm512_add_epi32(s01, s23);
}

/* The horizontal sums of four rows at once are vec.h's tv_hsum4x32 (at K = 2560 a 4-row group has only 10
 * blocks, and four tv_hsum32 were a large part of its time); tv_hsum4x32_lanes stops one step short.
 * sum16x32 finishes four such partials together (rows 4g … 4g + 3 in u[g]; the GEMM tile: column g's four
 * rows): a 4 × 4 transpose of 128-bit lanes, 6 shuffles and 3 adds for 16 sums where tv_hsum4x32 spends 2
 * extracts and 2 adds on 4. Lane g of the result = [Σ row 0 … Σ row 3] of u[g]. */
ALWAYS_INLINE __m512i sum16x32(__m512i u0, __m512i u1, __m512i u2, __m512i u3)
{
    const __m512i s01 = _mm512_add_epi32(_mm512_shuffle_i32x4(u0, u1, 0x44), _mm512_shuffle_i32x4(u0, u1, 0xEE));
    const __m512i s23 = _mm512_add_epi32(_mm512_shuffle_i32x4(u2, u3, 0x44), _mm512_shuffle_i32x4(u2, u3, 0xEE));
    return _mm512_add_epi32(_mm512_shuffle_i32x4(s01, s23, 0x88), _mm512_shuffle_i32x4(s01, s23, 0xDD));
}

/* Stores [Σr0 Σr1 Σr2 Σr3] into a tile's first column (out[r·TRIT_X86_MAX_TILE]). */
ALWAYS_INLINE void store_column4(__m128i s, int32_t *out)
{
    out[0] = _mm_cvtsi128_si32(s);
    out[TRIT_X86_MAX_TILE] = _mm_extract_epi32(s, 1);
    out[2 * TRIT_X86_MAX_TILE] = _mm_extract_epi32(s, 2);
    out[3 * TRIT_X86_MAX_TILE] = _mm_extract_epi32(s, 3);
}

/* A zeroed register by its own zeroing idiom (resolved at rename). With _mm512_setzero_si512 GCC zeroes
 * one register and copies it into each of the 16 accumulators of a group: the idiom per accumulator ran
 * the K = 2560 groups ~0.5 % faster (1 thread, in cache; every vector pipe is busy in this loop). */
ALWAYS_INLINE __m512i zero(void)
{
    __m512i z;
    __asm__ volatile("vpxord %0, %0, %0" : "=v"(z));
    return z;
}

/* One plane of one row: acc += (v & mask) · x. */
#define PLANE(acc, v, i) acc = dpbusd(acc, _mm512_and_si512(v, mask##i), x##i)

/* out[r] = row r's lanes over blocks [b0, b1), planes folded; named accumulators because GCC spills
 * arrays of them in this loop. pf: NULL, or where to prefetch 256 bytes per block in address order
 * (i2_gemv_kslices: the next row group) instead of the same block of the rows eight ahead. */
ALWAYS_INLINE void i2_gemv4_chunk_pf(const uint8_t *w, size_t rb, const int8_t *xq, size_t b0, size_t b1,
                                     __m512i out[4], const uint8_t *pf)
{
    const __m512i mask0 = _mm512_set1_epi8(0x03), mask1 = _mm512_set1_epi8(0x0C);
    const __m512i mask2 = _mm512_set1_epi8(0x30), mask3 = _mm512_set1_epi8((char)0xC0);
    __m512i a00 = zero(), a01 = zero(), a02 = zero(), a03 = zero(), a10 = zero(), a11 = zero(), a12 = zero(),
            a13 = zero(), a20 = zero(), a21 = zero(), a22 = zero(), a23 = zero(), a30 = zero(), a31 = zero(),
            a32 = zero(), a33 = zero();
    for (size_t b = b0; b < b1; b++) {
        const int8_t *xb = xq + b * TRIT_I2_BLOCK;
        const uint8_t *wb = w + b * TRIT_BLOCK_BYTES;
        const __m512i x0 = _mm512_loadu_si512((const void *)xb), x1 = _mm512_loadu_si512((const void *)(xb + 64));
        const __m512i x2 = _mm512_loadu_si512((const void *)(xb + 128));
        const __m512i x3 = _mm512_loadu_si512((const void *)(xb + 192));
        const __m512i v0 = _mm512_loadu_si512((const void *)wb);
        const __m512i v1 = _mm512_loadu_si512((const void *)(wb + rb));
        const __m512i v2 = _mm512_loadu_si512((const void *)(wb + 2 * rb));
        const __m512i v3 = _mm512_loadu_si512((const void *)(wb + 3 * rb));
        /* Rows eight ahead, same block, into L2: rows of a few KiB are too short for the hardware
         * prefetcher to ramp up on four interleaved streams. Out of cache (45568×8192) this doubled
         * GB/s; the L1 hint (T0) gained only 15 %. Prefetches past the end of the matrix are harmless.
         * Sixteen rows ahead, or the group five ahead line by line in address order, were no better with
         * the weights on 2 MiB pages (45568×8192, one process, 8 interleaved rounds: 29.8 GB/s here,
         * 27.2–29.5 for those): the out-of-cache figure moves ±15 % between processes, not with this. */
        const uint8_t *p = pf ? pf + (b - b0) * 4 * TRIT_BLOCK_BYTES : wb + 8 * rb;
        const size_t step = pf ? TRIT_BLOCK_BYTES : rb;
        _mm_prefetch((const char *)p, _MM_HINT_T1);
        _mm_prefetch((const char *)(p + step), _MM_HINT_T1);
        _mm_prefetch((const char *)(p + 2 * step), _MM_HINT_T1);
        _mm_prefetch((const char *)(p + 3 * step), _MM_HINT_T1);
        PLANE(a00, v0, 0);
        PLANE(a10, v1, 0);
        PLANE(a20, v2, 0);
        PLANE(a30, v3, 0);
        PLANE(a01, v0, 1);
        PLANE(a11, v1, 1);
        PLANE(a21, v2, 1);
        PLANE(a31, v3, 1);
        PLANE(a02, v0, 2);
        PLANE(a12, v1, 2);
        PLANE(a22, v2, 2);
        PLANE(a32, v3, 2);
        PLANE(a03, v0, 3);
        PLANE(a13, v1, 3);
        PLANE(a23, v2, 3);
        PLANE(a33, v3, 3);
    }
    const __m512i p0[4] = {a00, a01, a02, a03}, p1[4] = {a10, a11, a12, a13};
    const __m512i p2[4] = {a20, a21, a22, a23}, p3[4] = {a30, a31, a32, a33};
    out[0] = fold_planes(p0);
    out[1] = fold_planes(p1);
    out[2] = fold_planes(p2);
    out[3] = fold_planes(p3);
}

ALWAYS_INLINE void i2_gemv4_chunk(const uint8_t *w, size_t rb, const int8_t *xq, size_t b0, size_t b1, __m512i out[4])
{
    i2_gemv4_chunk_pf(w, rb, xq, b0, b1, out, NULL);
}

/* total[r] += row r's folded sums over blocks [b0, b1) (the chunks after the first of a long row). */
ALWAYS_INLINE void i2_gemv4_sum(const uint8_t *w, size_t rb, const int8_t *xq, size_t b0, size_t b1, __m512i total[4])
{
    __m512i c[4];
    i2_gemv4_chunk(w, rb, xq, b0, b1, c);
    for (int r = 0; r < 4; r++)
        total[r] = _mm512_add_epi32(total[r], c[r]);
}

/* Out of cache one row at a time reads the weights in address order, one stream, and prefetches it
 * I2_STREAM_PREFETCH bytes ahead into L2: on 45568×8192 (93 MB, 1 thread) that ran at 34.6 GB/s where the
 * 4-row groups (four streams 2 KiB apart, rows 8 ahead prefetched) ran at 24.8, in one process on the same
 * 2 MiB pages; 8, 32 and 64 KiB ahead gave 31.3, 34.0, 32.9; no prefetch 9.7. In cache the 4-row groups
 * are faster (one activation load serves four rows): the drive picks by the matrix's size, I2_STREAM_BYTES
 * (this machine's L3; sysconf reports 320 MiB for it under KVM, so it is not asked). */
enum { I2_STREAM_PREFETCH = 16384 };
#define I2_STREAM_BYTES ((size_t)32 << 20)

static void i2_gemv1_chunk(const uint8_t *w, const int8_t *xq, size_t b0, size_t b1, __m512i *out)
{
    const __m512i mask0 = _mm512_set1_epi8(0x03), mask1 = _mm512_set1_epi8(0x0C);
    const __m512i mask2 = _mm512_set1_epi8(0x30), mask3 = _mm512_set1_epi8((char)0xC0);
    __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0;
    for (size_t b = b0; b < b1; b++) {
        const int8_t *xb = xq + b * TRIT_I2_BLOCK;
        const __m512i x0 = _mm512_loadu_si512((const void *)xb), x1 = _mm512_loadu_si512((const void *)(xb + 64));
        const __m512i x2 = _mm512_loadu_si512((const void *)(xb + 128));
        const __m512i x3 = _mm512_loadu_si512((const void *)(xb + 192));
        const __m512i v = _mm512_loadu_si512((const void *)(w + b * TRIT_BLOCK_BYTES));
        _mm_prefetch((const char *)(w + b * TRIT_BLOCK_BYTES + I2_STREAM_PREFETCH), _MM_HINT_T1);
        PLANE(a0, v, 0);
        PLANE(a1, v, 1);
        PLANE(a2, v, 2);
        PLANE(a3, v, 3);
    }
    const __m512i p[4] = {a0, a1, a2, a3};
    *out = _mm512_add_epi32(*out, fold_planes(p));
}

/* GEMV micro-kernel: rows = 4 or 1, all blocks, FOLD_BLOCKS at a time. */
ALWAYS_INLINE void i2_gemv(const uint8_t *wp, size_t rb, size_t blocks, const int8_t *const *xs, int rm,
                           int rn, int32_t *out)
{
    (void)rn;
    __m512i total[4] = {_mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512(),
                        _mm512_setzero_si512()};
    for (size_t b0 = 0; b0 < blocks; b0 += FOLD_BLOCKS) {
        const size_t b1 = blocks - b0 < FOLD_BLOCKS ? blocks : b0 + FOLD_BLOCKS;
        if (rm == 4)
            i2_gemv4_sum(wp, rb, xs[0], b0, b1, total);
        else
            i2_gemv1_chunk(wp, xs[0], b0, b1, total);
    }
    if (rm == 4)
        store_column4(tv_hsum4x32(total[0], total[1], total[2], total[3]), out);
    else
        out[0] = tv_hsum32(total[0]);
}

/* Rows 0 … 3 as tv_hsum4x32_lanes partials. The first chunk writes total instead of adding to zeros: at
 * K = 2560 the four adds were measurable (+1.5 to 2.5 % with the zeroing idiom, 1 thread, in cache). */
ALWAYS_INLINE __m512i i2_gemv4_lanes(const uint8_t *w, size_t rb, size_t blocks, const int8_t *x)
{
    __m512i total[4];
    i2_gemv4_chunk(w, rb, x, 0, blocks < FOLD_BLOCKS ? blocks : FOLD_BLOCKS, total);
    for (size_t b0 = FOLD_BLOCKS; b0 < blocks; b0 += FOLD_BLOCKS) /* rows over 2^20 weights only */
        i2_gemv4_sum(w, rb, x, b0, blocks - b0 < FOLD_BLOCKS ? blocks : b0 + FOLD_BLOCKS, total);
    return tv_hsum4x32_lanes(total[0], total[1], total[2], total[3]);
}

static void i2_gemv4_store(const uint8_t *w, size_t rb, size_t blocks, const int8_t *x, int32_t sum_x, int32_t *acc)
{
    tv_store_rows4(tv_lanes_sum(i2_gemv4_lanes(w, rb, blocks, x)), sum_x, acc);
}

/* One row, acc[0] = Σc·x − Σx (the streaming tiles' gemv_store). */
static void i2_gemv1_store(const uint8_t *w, size_t rb, size_t blocks, const int8_t *x, int32_t sum_x, int32_t *acc)
{
    (void)rb;
    __m512i total = _mm512_setzero_si512();
    for (size_t b0 = 0; b0 < blocks; b0 += FOLD_BLOCKS)
        i2_gemv1_chunk(w, x, b0, blocks - b0 < FOLD_BLOCKS ? blocks : b0 + FOLD_BLOCKS, &total);
    acc[0] = trit_offset_sub(tv_hsum32(total), sum_x);
}

/* Sixteen rows (four groups) with one final reduction and one store (the drive's gemv_wide): 3 % faster
 * than each group reducing and storing its own four rows (6912×2560, 1 thread, one process: 45.5 → 47.0
 * GB/s); dropping a group's two extracts and two adds alone (a wrong sum) had gained 2.2 %. */
static void i2_gemv16_store(const uint8_t *w, size_t rb, size_t blocks, const int8_t *x, int32_t sum_x, int32_t *acc)
{
    const __m512i u0 = i2_gemv4_lanes(w, rb, blocks, x), u1 = i2_gemv4_lanes(w + 4 * rb, rb, blocks, x);
    const __m512i u2 = i2_gemv4_lanes(w + 8 * rb, rb, blocks, x), u3 = i2_gemv4_lanes(w + 12 * rb, rb, blocks, x);
    _mm512_storeu_si512((void *)acc, _mm512_sub_epi32(sum16x32(u0, u1, u2, u3), _mm512_set1_epi32(sum_x)));
}

/* GEMM tile: RM weight rows × RN activation rows; each decoded plane feeds RN dot products. The
 * partial tiles (the drive's gemm); full ones go through i2_gemm_store. */
ALWAYS_INLINE void i2_gemm_tile(const uint8_t *w, size_t rb, size_t blocks, const int8_t *const *xp, const int RM,
                                const int RN, int32_t *out)
{
    const uint8_t *wp[ROW_TILE];
    __m512i a[ROW_TILE][ACT_TILE];
    for (int r = 0; r < RM; r++)
        wp[r] = w + (size_t)r * rb;
    for (int r = 0; r < RM; r++)
        for (int c = 0; c < RN; c++)
            a[r][c] = _mm512_setzero_si512();
    for (size_t b = 0; b < blocks; b++) {
        __m512i v[ROW_TILE];
        for (int r = 0; r < RM; r++)
            v[r] = _mm512_loadu_si512((const void *)(wp[r] + b * TRIT_BLOCK_BYTES));
        for (int i = 0; i < 4; i++) {
            __m512i xv[ACT_TILE];
            for (int c = 0; c < RN; c++)
                xv[c] = _mm512_loadu_si512((const void *)(xp[c] + b * TRIT_I2_BLOCK + 64 * (size_t)i));
            for (int r = 0; r < RM; r++) {
                const __m512i code = i2_plane(v[r], i);
                for (int c = 0; c < RN; c++)
                    a[r][c] = dpbusd(a[r][c], code, xv[c]);
            }
        }
    }
    for (int c = 0; c < RN; c++)
        for (int r = 0; r < RM; r++)
            out[r * TRIT_X86_MAX_TILE + c] = tv_hsum32(a[r][c]);
}

/* A full 4 × 4 tile into acc from its columns' tv_hsum4x32_lanes u0 … u3: sum16x32 gives lane c =
 * [Σ row 0 … Σ row 3] of column c; column c's four rows are contiguous in acc (acc + c·ld), so one 128-bit
 * store each, Σx subtracted modulo 2^32 in the vector. */
ALWAYS_INLINE void tile4_store(__m512i u0, __m512i u1, __m512i u2, __m512i u3, const int32_t *sum_x, int32_t *acc,
                               size_t ld)
{
    const __m512i sums = sum16x32(u0, u1, u2, u3);
    const __m512i lane_of = _mm512_set_epi32(3, 3, 3, 3, 2, 2, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0);
    const __m512i sx = _mm512_permutexvar_epi32(lane_of, _mm512_castsi128_si512(_mm_loadu_si128((const void *)sum_x)));
    const __m512i s = _mm512_sub_epi32(sums, sx);
    _mm_storeu_si128((void *)acc, _mm512_castsi512_si128(s));
    _mm_storeu_si128((void *)(acc + ld), _mm512_extracti32x4_epi32(s, 1));
    _mm_storeu_si128((void *)(acc + 2 * ld), _mm512_extracti32x4_epi32(s, 2));
    _mm_storeu_si128((void *)(acc + 3 * ld), _mm512_extracti32x4_epi32(s, 3));
}

/* Row r of a 4 × 4 tile (named accumulators a<r><c>, activations x0 … x3), decoded codes: its four
 * columns' dot products. */
#define TILE4_ROW(r, code)                                                                                  \
    do {                                                                                                      \
        const __m512i c_ = (code);                                                                            \
        a##r##0 = dpbusd(a##r##0, c_, x0);                                                                    \
        a##r##1 = dpbusd(a##r##1, c_, x1);                                                                    \
        a##r##2 = dpbusd(a##r##2, c_, x2);                                                                    \
        a##r##3 = dpbusd(a##r##3, c_, x3);                                                                    \
    } while (0)

/* A full 4 × 4 GEMM tile straight into acc (the drive's gemm_store). The 16 sums are reduced together
 * (tv_hsum4x32_lanes per column, tile4_store): 45 vector operations instead of 16 tv_hsum32 (144), the tile
 * buffer and the drive's scalar store loop; at K = 2560 a tile has only 640 vpdpbusd. Named accumulators
 * as in i2_gemv4_chunk (with a[4][4] and this tail GCC kept the array on the stack). */
static void i2_gemm_store(const uint8_t *w, size_t rb, size_t blocks, const int8_t *const *xp, const int32_t *sum_x,
                          int32_t *acc, size_t ld)
{
    const int8_t *xp0 = xp[0], *xp1 = xp[1], *xp2 = xp[2], *xp3 = xp[3];
    __m512i a00 = _mm512_setzero_si512(), a01 = a00, a02 = a00, a03 = a00, a10 = a00, a11 = a00, a12 = a00,
            a13 = a00, a20 = a00, a21 = a00, a22 = a00, a23 = a00, a30 = a00, a31 = a00, a32 = a00, a33 = a00;
    for (size_t b = 0; b < blocks; b++) {
        const uint8_t *wb = w + b * TRIT_BLOCK_BYTES;
        const __m512i v0 = _mm512_loadu_si512((const void *)wb);
        const __m512i v1 = _mm512_loadu_si512((const void *)(wb + rb));
        const __m512i v2 = _mm512_loadu_si512((const void *)(wb + 2 * rb));
        const __m512i v3 = _mm512_loadu_si512((const void *)(wb + 3 * rb));
        for (int i = 0; i < 4; i++) {
            const size_t k = b * TRIT_I2_BLOCK + 64 * (size_t)i;
            const __m512i x0 = _mm512_loadu_si512((const void *)(xp0 + k));
            const __m512i x1 = _mm512_loadu_si512((const void *)(xp1 + k));
            const __m512i x2 = _mm512_loadu_si512((const void *)(xp2 + k));
            const __m512i x3 = _mm512_loadu_si512((const void *)(xp3 + k));
            TILE4_ROW(0, i2_plane(v0, i));
            TILE4_ROW(1, i2_plane(v1, i));
            TILE4_ROW(2, i2_plane(v2, i));
            TILE4_ROW(3, i2_plane(v3, i));
        }
    }
    tile4_store(tv_hsum4x32_lanes(a00, a10, a20, a30), tv_hsum4x32_lanes(a01, a11, a21, a31), tv_hsum4x32_lanes(a02, a12, a22, a32),
                tv_hsum4x32_lanes(a03, a13, a23, a33), sum_x, acc, ld);
}

/* GEMM tile for T5 (decode: vec.h). */
ALWAYS_INLINE void t5_tile(const uint8_t *w, size_t rb, size_t blocks, const int8_t *const *xp, const int RM,
                           const int RN, int32_t *out)
{
    const uint8_t *wp[ROW_TILE];
    __m512i a[ROW_TILE][ACT_TILE];
    for (int r = 0; r < RM; r++)
        wp[r] = w + (size_t)r * rb;
    for (int r = 0; r < RM; r++)
        for (int c = 0; c < RN; c++)
            a[r][c] = _mm512_setzero_si512();
    for (size_t b = 0; b < blocks; b++) {
        t5_state q[ROW_TILE];
        for (int r = 0; r < RM; r++)
            q[r] = t5_start(_mm512_loadu_si512((const void *)(wp[r] + b * TRIT_BLOCK_BYTES)));
        for (int i = 0; i < 5; i++) {
            __m512i xv[ACT_TILE];
            for (int c = 0; c < RN; c++)
                xv[c] = _mm512_loadu_si512((const void *)(xp[c] + b * TRIT_T5_BLOCK + 64 * (size_t)i));
            for (int r = 0; r < RM; r++) {
                const __m512i d = t5_digits(q[r]);
                if (i < 4)
                    q[r] = t5_next(q[r]);
                for (int c = 0; c < RN; c++)
                    a[r][c] = dpbusd(a[r][c], d, xv[c]);
            }
        }
    }
    for (int c = 0; c < RN; c++)
        for (int r = 0; r < RM; r++)
            out[r * TRIT_X86_MAX_TILE + c] = tv_hsum32(a[r][c]);
}

/* A full 4 × 4 T5 GEMM tile straight into acc, as i2_gemm_store (the loop of t5_tile). */
static void t5_gemm_store(const uint8_t *w, size_t rb, size_t blocks, const int8_t *const *xp, const int32_t *sum_x,
                          int32_t *acc, size_t ld)
{
    const int8_t *xp0 = xp[0], *xp1 = xp[1], *xp2 = xp[2], *xp3 = xp[3];
    __m512i a00 = _mm512_setzero_si512(), a01 = a00, a02 = a00, a03 = a00, a10 = a00, a11 = a00, a12 = a00,
            a13 = a00, a20 = a00, a21 = a00, a22 = a00, a23 = a00, a30 = a00, a31 = a00, a32 = a00, a33 = a00;
    for (size_t b = 0; b < blocks; b++) {
        const uint8_t *wb = w + b * TRIT_BLOCK_BYTES;
        t5_state q0 = t5_start(_mm512_loadu_si512((const void *)wb));
        t5_state q1 = t5_start(_mm512_loadu_si512((const void *)(wb + rb)));
        t5_state q2 = t5_start(_mm512_loadu_si512((const void *)(wb + 2 * rb)));
        t5_state q3 = t5_start(_mm512_loadu_si512((const void *)(wb + 3 * rb)));
        for (int i = 0; i < 5; i++) {
            const size_t k = b * TRIT_T5_BLOCK + 64 * (size_t)i;
            const __m512i x0 = _mm512_loadu_si512((const void *)(xp0 + k));
            const __m512i x1 = _mm512_loadu_si512((const void *)(xp1 + k));
            const __m512i x2 = _mm512_loadu_si512((const void *)(xp2 + k));
            const __m512i x3 = _mm512_loadu_si512((const void *)(xp3 + k));
            TILE4_ROW(0, t5_digits(q0));
            TILE4_ROW(1, t5_digits(q1));
            TILE4_ROW(2, t5_digits(q2));
            TILE4_ROW(3, t5_digits(q3));
            if (i < 4) {
                q0 = t5_next(q0);
                q1 = t5_next(q1);
                q2 = t5_next(q2);
                q3 = t5_next(q3);
            }
        }
    }
    tile4_store(tv_hsum4x32_lanes(a00, a10, a20, a30), tv_hsum4x32_lanes(a01, a11, a21, a31), tv_hsum4x32_lanes(a02, a12, a22, a32),
                tv_hsum4x32_lanes(a03, a13, a23, a33), sum_x, acc, ld);
}

/* GEMV T5, four rows sharing each activation load; two accumulators per row (even / odd digits) so the
 * five vpdpbusd of a block do not form one dependency chain; named variables as in i2_gemv4_chunk.
 * Per digit and row: two vpmaddubsw (decode + advance, t5_state), a shift and a ternlog to merge the
 * digit bytes, one vpdpbusd. Measured slower on Zen 5 (in L2, CPU time): merging nothing and using two
 * vpdpbusd against pre-split activations (-20 %), or digits from byte compares and adds (-13 %). */
#define T5_DIGIT_DOT(acc, e, o, xv)                                                                           \
    acc = dpbusd(acc, _mm512_ternarylogic_epi32(_mm512_srli_epi16(e, 8), o, hi_mask, 0xF8), xv)
#define T5_NEXT(e, o)                                                                                         \
    do {                                                                                                      \
        e = _mm512_maddubs_epi16(e, w_even);                                                                  \
        o = _mm512_maddubs_epi16(o, w_even);                                                                  \
    } while (0)
#define T5_LOAD(e, o, p)                                                                                      \
    do {                                                                                                      \
        const __m512i v_ = _mm512_loadu_si512((const void *)(p));                                             \
        e = _mm512_maddubs_epi16(v_, w_even);                                                                 \
        o = _mm512_maddubs_epi16(v_, w_odd);                                                                  \
    } while (0)

static void t5_gemv4(const uint8_t *w, size_t rb, const int8_t *xq, size_t blocks, __m512i out[4])
{
    const __m512i w_even = _mm512_set1_epi16(0x0003), w_odd = _mm512_set1_epi16(0x0300);
    const __m512i hi_mask = _mm512_set1_epi16((short)0xFF00);
    __m512i a0 = _mm512_setzero_si512(), b0 = a0, a1 = a0, b1 = a0, a2 = a0, b2 = a0, a3 = a0, b3 = a0;
    for (size_t b = 0; b < blocks; b++) {
        const int8_t *xb = xq + b * TRIT_T5_BLOCK;
        const uint8_t *wb = w + b * TRIT_BLOCK_BYTES;
        __m512i e0, o0, e1, o1, e2, o2, e3, o3;
        T5_LOAD(e0, o0, wb);
        T5_LOAD(e1, o1, wb + rb);
        T5_LOAD(e2, o2, wb + 2 * rb);
        T5_LOAD(e3, o3, wb + 3 * rb);
        _mm_prefetch((const char *)(wb + 8 * rb), _MM_HINT_T1); /* as in i2_gemv4_chunk */
        _mm_prefetch((const char *)(wb + 9 * rb), _MM_HINT_T1);
        _mm_prefetch((const char *)(wb + 10 * rb), _MM_HINT_T1);
        _mm_prefetch((const char *)(wb + 11 * rb), _MM_HINT_T1);
        for (int i = 0; i < 5; i++) {
            const __m512i xv = _mm512_loadu_si512((const void *)(xb + 64 * i));
            if (i % 2 == 0) {
                T5_DIGIT_DOT(a0, e0, o0, xv);
                T5_DIGIT_DOT(a1, e1, o1, xv);
                T5_DIGIT_DOT(a2, e2, o2, xv);
                T5_DIGIT_DOT(a3, e3, o3, xv);
            } else {
                T5_DIGIT_DOT(b0, e0, o0, xv);
                T5_DIGIT_DOT(b1, e1, o1, xv);
                T5_DIGIT_DOT(b2, e2, o2, xv);
                T5_DIGIT_DOT(b3, e3, o3, xv);
            }
            if (i < 4) {
                T5_NEXT(e0, o0);
                T5_NEXT(e1, o1);
                T5_NEXT(e2, o2);
                T5_NEXT(e3, o3);
            }
        }
    }
    out[0] = _mm512_add_epi32(a0, b0);
    out[1] = _mm512_add_epi32(a1, b1);
    out[2] = _mm512_add_epi32(a2, b2);
    out[3] = _mm512_add_epi32(a3, b3);
}

static void t5_gemv4_store(const uint8_t *w, size_t rb, size_t blocks, const int8_t *x, int32_t sum_x, int32_t *acc)
{
    __m512i sums[4];
    t5_gemv4(w, rb, x, blocks, sums);
    tv_store_rows4(tv_hsum4x32(sums[0], sums[1], sums[2], sums[3]), sum_x, acc);
}

/* T5 GEMV by table decode (AVX-512 VBMI, chosen per call when the CPU has it; t5_gemv4 otherwise).
 * Two 256-entry byte tables replace the arithmetic: T5_LUT_A[b] = d0 + 4·d1 + 16·d2 and T5_LUT_B[b] =
 * d4 + 4·d3 (digits of byte b, two bits each). The digits are then masked in place and accumulated by
 * scale (t5_lut_gemv4_chunk), like I2's planes (i2_gemv4_chunk, fold_planes). Per 64 bytes and row:
 * 1 vpmovb2m + 4 vpermi2b + 5 vpandd + 5 vpdpbusd, against ~25 operations for the multiplication
 * decode. A 256-entry lookup is two 128-entry vpermi2b (the index's
 * bit 7 is ignored): the first, merge-masked to the lanes with bit 7 set, looks up the upper half and
 * leaves the byte itself in the other lanes; the second, masked to those other lanes, looks up the
 * lower half from it. The tables follow the formats.h decode formula for all 256 byte values (including
 * 243–255, which trit_pack never writes), so this path equals the multiplication decode for any byte. */
#define T5_DIGIT(b, i) (((((b) * (i)) & 255) * 3) >> 8) /* i = 3^digit: formats.h */
#define T5_A(b) (T5_DIGIT(b, 1) | T5_DIGIT(b, 3) << 2 | T5_DIGIT(b, 9) << 4)
#define T5_B(b) (T5_DIGIT(b, 81) | T5_DIGIT(b, 27) << 2)
#define T5_TAB4(F, b) F(b), F((b) + 1), F((b) + 2), F((b) + 3)
#define T5_TAB16(F, b) T5_TAB4(F, b), T5_TAB4(F, (b) + 4), T5_TAB4(F, (b) + 8), T5_TAB4(F, (b) + 12)
#define T5_TAB64(F, b) T5_TAB16(F, b), T5_TAB16(F, (b) + 16), T5_TAB16(F, (b) + 32), T5_TAB16(F, (b) + 48)
#define T5_TAB256(F) T5_TAB64(F, 0), T5_TAB64(F, 64), T5_TAB64(F, 128), T5_TAB64(F, 192)
static const uint8_t T5_LUT_A[256] __attribute__((aligned(64))) = {T5_TAB256(T5_A)};
static const uint8_t T5_LUT_B[256] __attribute__((aligned(64))) = {T5_TAB256(T5_B)};

#define T5_LUT_TARGET __attribute__((target("avx512vbmi")))

/* table[b] for every byte b of v; hi = the lanes with b ≥ 128, t0 … t3 = table[0 … 255] in 64-byte parts. */
/* Scale-1, -4 and -16 sums of one row into Σ c·x (exact shifts: every lane is a multiple of 4 or 16, and
 * within FOLD_BLOCKS blocks no lane can overflow, as in fold_planes). */
ALWAYS_INLINE __m512i t5_fold3(__m512i s1, __m512i s4, __m512i s16)
{
    return _mm512_add_epi32(_mm512_add_epi32(s1, _mm512_srai_epi32(s4, 2)), _mm512_srai_epi32(s16, 4));
}

T5_LUT_TARGET ALWAYS_INLINE __m512i t5_lookup(__m512i v, __mmask64 hi, __m512i t0, __m512i t1, __m512i t2,
                                              __m512i t3)
{
    const __m512i upper = _mm512_mask2_permutex2var_epi8(t2, v, hi, t3);
    return _mm512_mask2_permutex2var_epi8(t0, upper, _knot_mask64(hi), t1);
}

/* Four rows, blocks [b0, b1), sharing each activation load. The tables put the digits at three scales
 * only: T5_LUT_A = d0 | d1 << 2 | d2 << 4, T5_LUT_B = d4 | d3 << 2, so masked in place the five digits
 * feed three accumulators per row: scale 1 (d0, d4), 4 (d1, d3), 16 (d2). 12 accumulators + 8 table
 * registers + 3 masks fit the 32 zmm registers (16 accumulators, one per digit plane, spilled), and
 * the fold is 2 shifts + 2 adds per row instead of 3 + 3; one more vpandd per row and block, which
 * runs beside the vpermi2b / vpdpbusd (those two share pipes: 4 vpermi2b + 5 vpdpbusd take ~8.2
 * cycles alone, adding 4 vpandd ~8.4). */
#define T5_LUT_ROW(r)                                                                                         \
    const __m512i v##r = _mm512_loadu_si512((const void *)(wb + r * rb));                                     \
    const __mmask64 h##r = _mm512_movepi8_mask(v##r);                                                         \
    const __m512i p##r = t5_lookup(v##r, h##r, ta0, ta1, ta2, ta3);                                           \
    const __m512i q##r = t5_lookup(v##r, h##r, tb0, tb1, tb2, tb3)
#define T5_LUT_DOT(acc, p, mask, x) acc = dpbusd(acc, _mm512_and_si512(p, mask), x)
T5_LUT_TARGET static void t5_lut_gemv4_chunk(const uint8_t *w, size_t rb, const int8_t *xq, size_t b0, size_t b1,
                                             __m512i out[4])
{
    const __m512i ta0 = _mm512_load_si512((const void *)T5_LUT_A);
    const __m512i ta1 = _mm512_load_si512((const void *)(T5_LUT_A + 64));
    const __m512i ta2 = _mm512_load_si512((const void *)(T5_LUT_A + 128));
    const __m512i ta3 = _mm512_load_si512((const void *)(T5_LUT_A + 192));
    const __m512i tb0 = _mm512_load_si512((const void *)T5_LUT_B);
    const __m512i tb1 = _mm512_load_si512((const void *)(T5_LUT_B + 64));
    const __m512i tb2 = _mm512_load_si512((const void *)(T5_LUT_B + 128));
    const __m512i tb3 = _mm512_load_si512((const void *)(T5_LUT_B + 192));
    const __m512i m1 = _mm512_set1_epi8(0x03), m4 = _mm512_set1_epi8(0x0C), m16 = _mm512_set1_epi8(0x30);
    __m512i a00 = _mm512_setzero_si512(), a01 = a00, a02 = a00, a10 = a00, a11 = a00, a12 = a00, a20 = a00,
            a21 = a00, a22 = a00, a30 = a00, a31 = a00, a32 = a00;
    for (size_t b = b0; b < b1; b++) {
        const int8_t *xb = xq + b * TRIT_T5_BLOCK;
        const uint8_t *wb = w + b * TRIT_BLOCK_BYTES;
        _mm_prefetch((const char *)(wb + 8 * rb), _MM_HINT_T1); /* as in i2_gemv4_chunk */
        _mm_prefetch((const char *)(wb + 9 * rb), _MM_HINT_T1);
        _mm_prefetch((const char *)(wb + 10 * rb), _MM_HINT_T1);
        _mm_prefetch((const char *)(wb + 11 * rb), _MM_HINT_T1);
        T5_LUT_ROW(0);
        T5_LUT_ROW(1);
        T5_LUT_ROW(2);
        T5_LUT_ROW(3);
        const __m512i x0 = _mm512_loadu_si512((const void *)xb);
        T5_LUT_DOT(a00, p0, m1, x0);
        T5_LUT_DOT(a10, p1, m1, x0);
        T5_LUT_DOT(a20, p2, m1, x0);
        T5_LUT_DOT(a30, p3, m1, x0);
        const __m512i x1 = _mm512_loadu_si512((const void *)(xb + 64));
        T5_LUT_DOT(a01, p0, m4, x1);
        T5_LUT_DOT(a11, p1, m4, x1);
        T5_LUT_DOT(a21, p2, m4, x1);
        T5_LUT_DOT(a31, p3, m4, x1);
        const __m512i x2 = _mm512_loadu_si512((const void *)(xb + 128));
        T5_LUT_DOT(a02, p0, m16, x2);
        T5_LUT_DOT(a12, p1, m16, x2);
        T5_LUT_DOT(a22, p2, m16, x2);
        T5_LUT_DOT(a32, p3, m16, x2);
        const __m512i x3 = _mm512_loadu_si512((const void *)(xb + 192));
        T5_LUT_DOT(a01, q0, m4, x3);
        T5_LUT_DOT(a11, q1, m4, x3);
        T5_LUT_DOT(a21, q2, m4, x3);
        T5_LUT_DOT(a31, q3, m4, x3);
        const __m512i x4 = _mm512_loadu_si512((const void *)(xb + 256));
        T5_LUT_DOT(a00, q0, m1, x4);
        T5_LUT_DOT(a10, q1, m1, x4);
        T5_LUT_DOT(a20, q2, m1, x4);
        T5_LUT_DOT(a30, q3, m1, x4);
    }
    out[0] = _mm512_add_epi32(out[0], t5_fold3(a00, a01, a02));
    out[1] = _mm512_add_epi32(out[1], t5_fold3(a10, a11, a12));
    out[2] = _mm512_add_epi32(out[2], t5_fold3(a20, a21, a22));
    out[3] = _mm512_add_epi32(out[3], t5_fold3(a30, a31, a32));
}

/* Four rows, FOLD_BLOCKS at a time: per block a lane gains at most 4·32·128 (scale 16), 2·4·8·128
 * (scale 4) or 2·4·2·128 (scale 1), so over 4096 blocks every lane stays below 2^26 and the fold's shifts
 * are exact, as in I2. */
T5_LUT_TARGET static void t5_lut_gemv4(const uint8_t *w, size_t rb, const int8_t *x, size_t blocks, __m512i out[4])
{
    for (int r = 0; r < 4; r++)
        out[r] = _mm512_setzero_si512();
    for (size_t b0 = 0; b0 < blocks; b0 += FOLD_BLOCKS) {
        const size_t b1 = blocks - b0 < FOLD_BLOCKS ? blocks : b0 + FOLD_BLOCKS;
        t5_lut_gemv4_chunk(w, rb, x, b0, b1, out);
    }
}

/* Every full 4-row group of a GEMV's `rows` rows into acc[0 … rows & ~3) = Σ c·x − Σx (one vector store per
 * group); returns the rows done. The group loop lives here rather than in the drive because a
 * target("avx512vbmi") function cannot be inlined into the drive's (non-VBMI) unit: called once per group
 * (as the drive's gemv_store) it paid a call, 5 pushes, the table loads and the mask broadcasts per 4 rows,
 * a visible share at K = 2560 where a group is only 8 blocks. Four groups with one reduction and one
 * store, as i2_gemv16_store, with the first chunk writing its sums instead of adding to zeros, ran slower
 * (6912×2560: 21.0 → 19.8 GB/s, 1 thread, same run).
 * Out of cache these groups are not memory-bound: on 45568×8192 (75.8 MB, 1 thread) they ran 21.6 GB/s,
 * what the same loop does in cache at long K (3200×8640: 21.7–22.1). I2's stream treatment does not help
 * T5 (one window): the 4-row groups prefetching their own bytes 16 KiB ahead in address order ran 21.5
 * (these 21.8), one row at a time in address order (two blocks per step, 16 KiB ahead) 19.0: five
 * activation loads per row and block, no longer shared by four rows. vpandd with a broadcast memory mask
 * (three registers freed, no accumulator spill) ran no faster in cache. The bound is the decode: ~10.6–10.8
 * cycles per 64 bytes and row at 3.65 GHz, where beating I2's stream (75.8 MB in I2's 2.8–2.9 ms) needs
 * ~8.8 (26.5 GB/s). The op mix alone, 4 rows in registers without loads (one loop, same window): 4
 * vpermi2b + 5 vpdpbusd 7.8 cycles; with the masked merges (vpmovb2m, knotq) 8.6–8.9; with the 5 vpandd
 * instead 9.9–10.1; both, as here, 11.3–11.8: the kernel is at its mix's floor, the vpandd and the masks
 * sharing the vpermi2b / vpdpbusd pipes. A layout whose second table reads only the low 7 bits of a byte
 * (d4 alone, unmasked: 3 vpermi2b, 4 vpandd per 64 bytes) ran 10.7 in that loop: no way to 8.8 either.
 * Pipes (Zen 4, 10 independent zmm ops beside 10 vpdpbusd, cycles; vpdpbusd alone 9.9): vpandd, vpaddb,
 * vpminub, vpavgb, vpmovm2b, vpblendmb, zero-masked moves 11.8-12.0; vpsrlw 11.8; vpermb, vpshufb 13.3;
 * vpermi2b 16.9; vpsubusb, vpmaddubsw, vpmultishiftqb, vgf2p8affineqb, vpsadbw, vpmulhuw, vpmovb2m, vpcmpub
 * (to k) 19.7-20.2, i.e. they take the vpdpbusd pipe outright. This byte code needs the 4 vpermi2b: no
 * digit of ceil(v·256/243) is a function of byte >> 2 or byte >> 1 (the digit-0 steps fall at bytes 86 and
 * 171) or a sum f(low 6 or 7 bits) + g(high 6 or 7 bits) (checked for every digit), and no 7-bit window
 * of a byte can carry four digits (each 4-digit tuple needs three bytes, 162 > 128 indices). Selecting the
 * halves with vpshufb + vpternlogd instead of vpmovb2m + masks: 12.0 (in L1, K = 8320; this kernel 10.3
 * there). A layout bump does not win either (standalone 4-row loops, exact against a scalar reference):
 * byte = 84·d4 + (d0 + 3d1 + 9d2 + 27d3) decodes with vpsrlw 2, one vpermb
 * (84·d4, whose 2-bit fields each hold d4, so & 0xC0 is the d4 plane), vpsubb, one vpermi2b of the 81-entry
 * remainder table and 5 vpandd: 8.4 cycles in L1, but out of cache (45568×8192, one window) 2.91 ms where
 * the same loop with this decode ran 3.60, this kernel 3.47 and I2 2.82: ~2.8 ms scaled, a tie with I2;
 * byte = 28·(3d4 + d3) + (d0 + 3d1 + 9d2), three vpermb and no vpermi2b: 8.6 in L1, 3.08 ms. Beating I2's
 * stream by a margin needs ~7.7 cycles all in, below what any table decode found reaches (13-15 ops, 5 of
 * them vpdpbusd; ~7 cycles at full pipe use, 8.4 measured). */
T5_LUT_TARGET static size_t t5_lut_gemv_groups(const uint8_t *w, size_t rb, size_t blocks, const int8_t *x,
                                               int32_t sum_x, int32_t *acc, size_t rows)
{
    size_t m = 0;
    for (; m + 4 <= rows; m += 4) {
        __m512i sums[4];
        t5_lut_gemv4(w + m * rb, rb, x, blocks, sums);
        tv_store_rows4(tv_hsum4x32(sums[0], sums[1], sums[2], sums[3]), sum_x, acc + m);
    }
    return m;
}

/* GEMV micro-kernel: 4 rows (t5_gemv4) or the 1-row tail. */
ALWAYS_INLINE void t5_gemv(const uint8_t *w, size_t rb, size_t blocks, const int8_t *const *xs, int rm,
                           int rn, int32_t *out)
{
    (void)rn;
    if (rm == 4) {
        __m512i sums[4];
        t5_gemv4(w, rb, xs[0], blocks, sums);
        store_column4(tv_hsum4x32(sums[0], sums[1], sums[2], sums[3]), out);
    } else {
        t5_tile(w, rb, blocks, xs, 1, 1, out);
    }
}

ALWAYS_INLINE void i2_gemm(const uint8_t *w, size_t rb, size_t blocks, const int8_t *const *xs, int rm,
                           int rn, int32_t *out)
{
    TRIT_X86_TILE_SWITCH(i2_gemm_tile, ROW_TILE, ACT_TILE, w, rb, blocks, xs, rm, rn, out);
}

ALWAYS_INLINE void t5_gemm(const uint8_t *w, size_t rb, size_t blocks, const int8_t *const *xs, int rm,
                           int rn, int32_t *out)
{
    TRIT_X86_TILE_SWITCH(t5_tile, ROW_TILE, ACT_TILE, w, rb, blocks, xs, rm, rn, out);
}

static const trit_x86_tiles i2_tiles = {i2_gemv, 4, i2_gemm, ROW_TILE, ACT_TILE, ROW_BLOCK, i2_gemv4_store,
                                        i2_gemm_store, i2_gemv16_store, 16};
/* GEMV of a matrix over I2_STREAM_BYTES: row by row in address order (i2_gemv1_chunk). */
static const trit_x86_tiles i2_stream_tiles = {i2_gemv, 1, i2_gemm, ROW_TILE, ACT_TILE, ROW_BLOCK, i2_gemv1_store,
                                               i2_gemm_store, NULL, 0};
static const trit_x86_tiles t5_tiles = {t5_gemv, 4, t5_gemm, ROW_TILE, ACT_TILE, ROW_BLOCK, t5_gemv4_store,
                                        t5_gemm_store, NULL, 0};

/* Out of cache with long rows, the row-by-row stream collapses: one row's activations (K bytes) are re-read
 * for every row, and once they no longer stay in L1 beside the weight stream each 64 weight bytes cost four
 * activation lines from L2 (one thread, /tmp driver, 4 KiB pages: 45568×8192 31–34 GB/s, 5461×24576 23,
 * 4681×28672 16, 4096×32768 10.5, the 100B down projection 8192×45568 9.5–9.8 — below the AVX2 kernel's
 * 21). Here the K axis is cut into slices of KSLICE_BLOCKS blocks (8 KiB of activations, which stay in L1)
 * and a group of KSLICE_ROWS rows (in L2: 16 × 11 KiB at K = 45568) meets every slice in turn, four rows at
 * a time, its sums kept per row; meanwhile the next group is prefetched into L2 in address order, 256 bytes
 * per block of work, so the weights still come from memory once. Same driver, same window: 8192×45568
 * 20–23 GB/s, 4096×32768 26–34, 4681×28672 16–17; the 16-row groups of the in-cache path 16.5 and 18–19
 * there. At 5461×24576 the stream stays ahead (23 against 17–20), hence KSLICE_MIN_BLOCKS (24 KiB of
 * activations). Slices of 16, 64 or 128 blocks, groups of 8 or 32 rows, the next group prefetched two or
 * three groups ahead or into L3 (T2): all within 20–23 GB/s at 8192×45568, short of the 33 a row stream
 * reaches at K = 8192: the group's rows are read 16 at a time, not in address order. */
enum { KSLICE_BLOCKS = 32, KSLICE_ROWS = 16, KSLICE_MIN_BLOCKS = 96 };

/* Every full group of the `rows` rows at w into acc[0 … ) = Σ c·x − Σx; returns the rows done (the drive's
 * row stream takes the rest). Out of line, so the row stream's code in x86_matmul_i2 stays as it was. */
__attribute__((noinline)) static size_t i2_gemv_kslices(const uint8_t *w, size_t rb, size_t blocks, const int8_t *x,
                                                        int32_t sum_x, int32_t *acc, size_t rows,
                                                        const uint8_t *w_end)
{
    size_t m = 0;
    for (; m + KSLICE_ROWS <= rows; m += KSLICE_ROWS) {
        const uint8_t *g = w + m * rb, *next = g + KSLICE_ROWS * rb;
        __m512i total[KSLICE_ROWS];
        for (int r = 0; r < KSLICE_ROWS; r++)
            total[r] = _mm512_setzero_si512();
        size_t pf_done = 0; /* bytes of the next group prefetched: 4 lines per block of work */
        for (size_t b0 = 0; b0 < blocks; b0 += KSLICE_BLOCKS) {
            const size_t b1 = blocks - b0 < KSLICE_BLOCKS ? blocks : b0 + KSLICE_BLOCKS;
            for (int q = 0; q < KSLICE_ROWS; q += 4) {
                __m512i c[4];
                /* Past the matrix's last group the prefetches re-touch this group (harmless, in L2). */
                const uint8_t *pf = next + pf_done + (b1 - b0) * 4 * TRIT_BLOCK_BYTES <= w_end ? next + pf_done : g;
                i2_gemv4_chunk_pf(g + (size_t)q * rb, rb, x, b0, b1, c, pf);
                pf_done += (b1 - b0) * 4 * TRIT_BLOCK_BYTES;
                for (int r = 0; r < 4; r++)
                    total[q + r] = _mm512_add_epi32(total[q + r], c[r]);
            }
        }
        for (int q = 0; q < KSLICE_ROWS; q += 4)
            tv_store_rows4(tv_hsum4x32(total[q], total[q + 1], total[q + 2], total[q + 3]), sum_x, acc + m + q);
    }
    return m;
}

/* TRIT_X86_TERNARY_KERNELS written out, because I2 picks its GEMV rows per call (above) and T5 its decode
 * per call: the table decode where the CPU has VBMI (TRIT_CPU_MASK=avx512_vbmi hides it, which is how the
 * tests reach the other path). */
static void x86_matmul_i2(const trit_matmul_io *io, void *ws, size_t m_begin, size_t m_end)
{
    (void)ws;
    const trit_packed *w = io->w.packed;
    const size_t rb = w->row_bytes, blocks = rb / TRIT_BLOCK_BYTES;
    if (io->x.q->rows == 1 && w->rows * rb >= I2_STREAM_BYTES) {
        if (blocks > KSLICE_MIN_BLOCKS)
            m_begin += i2_gemv_kslices(w->codes + m_begin * rb, rb, blocks, io->x.q->q, io->x.q->sum[0],
                                       io->acc + m_begin, m_end - m_begin, w->codes + w->rows * rb);
        trit_x86_drive(&i2_stream_tiles, w, io->x.q, m_begin, m_end, io->acc, io->w.rows);
    } else {
        trit_x86_drive(&i2_tiles, w, io->x.q, m_begin, m_end, io->acc, io->w.rows);
    }
}

static void x86_matmul_t5(const trit_matmul_io *io, void *ws, size_t m_begin, size_t m_end)
{
    (void)ws;
    const trit_packed *w = io->w.packed;
    const trit_act *x = io->x.q;
    if (x->rows == 1 && (trit_cpu_features() & TRIT_CPU_AVX512_VBMI)) /* GEMV groups by table decode */
        m_begin += t5_lut_gemv_groups(w->codes + m_begin * w->row_bytes, w->row_bytes,
                                      w->row_bytes / TRIT_BLOCK_BYTES, x->q, x->sum[0], io->acc + m_begin,
                                      m_end - m_begin);
    /* The GEMM, and the GEMV's last rows (< 4) or every row without VBMI: the multiplication decode. */
    trit_x86_drive(&t5_tiles, w, x, m_begin, m_end, io->acc, io->w.rows);
}

const trit_kernel TRIT_X86_UNIT_TABLE[] = {
    TRIT_EXACT_KERNEL(TRIT_OP_GEMV, TRIT_FMT_I2, "avx512_vnni", 50, TRIT_X86_REQ_AVX512_VNNI, x86_matmul_i2),
    TRIT_EXACT_KERNEL(TRIT_OP_GEMV, TRIT_FMT_T5, "avx512_vnni", 50, TRIT_X86_REQ_AVX512_VNNI, x86_matmul_t5),
    TRIT_EXACT_KERNEL(TRIT_OP_GEMM, TRIT_FMT_I2, "avx512_vnni", 50, TRIT_X86_REQ_AVX512_VNNI, x86_matmul_i2),
    TRIT_EXACT_KERNEL(TRIT_OP_GEMM, TRIT_FMT_T5, "avx512_vnni", 50, TRIT_X86_REQ_AVX512_VNNI, x86_matmul_t5),
};
const size_t TRIT_X86_UNIT_COUNT = sizeof TRIT_X86_UNIT_TABLE / sizeof TRIT_X86_UNIT_TABLE[0];
