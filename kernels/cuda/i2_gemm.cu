// i2_gemm.cu — I2 × int8 GEMM (prefill, N activation rows) on the int8 tensor cores
// (mma.sync m16n8k32 s8·s8→s32, sm_80 and later).
//
// Two tiles (TRIT_CUDA_GEMM_TILE, else chosen by grid size at launch): 128 weight rows (m) × 128
// activation rows (n), 8 warps as 2 (m) × 4 (n) of 64 × 32; and a wide 256 × 128 tile (below). Each
// pipeline stage holds one I2 block (256 k). Weights stay 2-bit in shared memory (64 bytes per row per
// stage, 4× less than int8) and are widened in registers: a packed 32-bit word holds the codes of four
// k-groups 64 apart (formats.h), so one shared load feeds four MMA k-steps after (x >> 2i) & 0x03030303.
//
// k permutation: a dot product does not care in which order k is summed, only that A and B agree.
// MMA k-step (G, i) of a block (G = 0..1, i = 0..3) gives lane t (threadID_in_group) the real k
//   64·i + 16·t + 8·G + 4·h + q    (h = 0 for a0/a1/b0, 1 for a2/a3/b1; q = byte in the register),
// i.e. weight bytes 16t + 8G + 4h .. +3 of the row's 64-byte block (one 16-byte load per row for all
// eight k-steps) and activation bytes 64i + 16t + 8G + 4h .. +3 (one 16-byte load per row per i).
// Codes are w + 1 ∈ {0,1,2} (valid s8), so the epilogue subtracts Σ x per activation row.
#include <cstdint>

#include "kernels/cuda/cuda_internal.h"

namespace {

constexpr int kBM = 128, kBN = 128;
constexpr int kWBytes = 64;          // packed weight bytes per row per stage (one I2 block)
constexpr int kXBytes = 256;         // activation bytes per row per stage
constexpr int kXStride = kXBytes + 64; // pad: rows g and g+1 fall in different bank halves for 16-byte loads
constexpr int kThreads = 256;
constexpr int kStageBytes = kBM * kWBytes + kBN * kXStride;

__device__ __forceinline__ void cp_async16(void *smem, const void *gmem, bool valid)
{
    const unsigned dst = static_cast<unsigned>(__cvta_generic_to_shared(smem));
    const int src_size = valid ? 16 : 0; // 0: zero-fill, nothing read
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(dst), "l"(gmem), "r"(src_size));
}
__device__ __forceinline__ void cp_async_commit() { asm volatile("cp.async.commit_group;\n" ::); }
template <int N> __device__ __forceinline__ void cp_async_wait() { asm volatile("cp.async.wait_group %0;\n" ::"n"(N)); }

__device__ __forceinline__ void mma_s8(int (&c)[4], unsigned a0, unsigned a1, unsigned a2, unsigned a3, unsigned b0,
                                       unsigned b1)
{
    asm volatile("mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
                 "{%0,%1,%2,%3};\n"
                 : "+r"(c[0]), "+r"(c[1]), "+r"(c[2]), "+r"(c[3])
                 : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(b0), "r"(b1));
}

struct gemm_args {
    const uint8_t *codes;
    size_t row_bytes, M;
    size_t kblocks;
    const int8_t *xq;
    size_t x_stride, N;
    const int32_t *xsum;
    const float *gamma;
    int gamma_per_row;
    const float *xscale;
    int32_t *acc;
    float *y;
    size_t ld;
};

__device__ __forceinline__ void load_stage(uint8_t *stage, const gemm_args &a, size_t m_base, size_t n_base,
                                           size_t kb)
{
    uint8_t *ws = stage;
    uint8_t *xs = stage + kBM * kWBytes;
    // weights: 128 rows × 4 chunks of 16 bytes = 512 chunks, 2 per thread
#pragma unroll
    for (int r = 0; r < (kBM * kWBytes / 16) / kThreads; r++) {
        const int c = threadIdx.x + r * kThreads;
        const int row = c / 4, col = c % 4;
        const size_t m = m_base + row;
        const bool ok = m < a.M;
        const uint8_t *src = a.codes + (ok ? m : 0) * a.row_bytes + kb * kWBytes + col * 16;
        cp_async16(ws + row * kWBytes + col * 16, src, ok);
    }
    // activations: 128 rows × 16 chunks = 2048 chunks, 8 per thread
#pragma unroll
    for (int r = 0; r < (kBN * kXBytes / 16) / kThreads; r++) {
        const int c = threadIdx.x + r * kThreads;
        const int row = c / 16, col = c % 16;
        const size_t n = n_base + row;
        const bool ok = n < a.N;
        const int8_t *src = a.xq + (ok ? n : 0) * a.x_stride + kb * kXBytes + col * 16;
        cp_async16(xs + row * kXStride + col * 16, src, ok);
    }
}

// STAGES: pipeline depth (48 KB per stage). MIN_BLOCKS 1: the 64 × 32 warp tile needs ~190 registers;
// capping them for two blocks per multiprocessor spilled (ptxas -v, sm_90).
template <int STAGES, int MIN_BLOCKS>
__global__ void __launch_bounds__(kThreads, MIN_BLOCKS) gemm_i2_mma_kernel(const gemm_args a)
{
    extern __shared__ __align__(16) uint8_t smem[];
    const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
    const int g = lane / 4, t = lane % 4;
    const int wm = warp % 2, wn = warp / 2;
    // n blocks vary fastest so the few blocks sharing one weight panel run together and hit L2.
    const size_t n_base = static_cast<size_t>(blockIdx.x) * kBN;
    const size_t m_base = static_cast<size_t>(blockIdx.y) * kBM;

    int c[4][4][4] = {};

#pragma unroll
    for (int s = 0; s < STAGES - 1; s++) {
        if (static_cast<size_t>(s) < a.kblocks)
            load_stage(smem + s * kStageBytes, a, m_base, n_base, s);
        cp_async_commit();
    }

    for (size_t kb = 0; kb < a.kblocks; kb++) {
        cp_async_wait<STAGES - 2>();
        __syncthreads(); // stage kb is visible; every warp is done with stage kb-1, which we refill now
        const size_t next = kb + STAGES - 1;
        if (next < a.kblocks)
            load_stage(smem + (next % STAGES) * kStageBytes, a, m_base, n_base, next);
        cp_async_commit();

        const uint8_t *ws = smem + (kb % STAGES) * kStageBytes;
        const uint8_t *xs = ws + kBM * kWBytes;
        uint4 wa[4][2]; // [m tile][row g / g+8]: words (G0,h0) (G0,h1) (G1,h0) (G1,h1)
#pragma unroll
        for (int mt = 0; mt < 4; mt++) {
            const int r = wm * 64 + mt * 16 + g;
            wa[mt][0] = *reinterpret_cast<const uint4 *>(ws + r * kWBytes + t * 16);
            wa[mt][1] = *reinterpret_cast<const uint4 *>(ws + (r + 8) * kWBytes + t * 16);
        }
#pragma unroll
        for (int i = 0; i < 4; i++) {
            uint4 xb[4];
#pragma unroll
            for (int nt = 0; nt < 4; nt++)
                xb[nt] = *reinterpret_cast<const uint4 *>(xs + (wn * 32 + nt * 8 + g) * kXStride + i * 64 + t * 16);
#pragma unroll
            for (int G = 0; G < 2; G++) {
#pragma unroll
                for (int mt = 0; mt < 4; mt++) {
                    const unsigned sh = 2 * i;
                    const unsigned a0 = ((G ? wa[mt][0].z : wa[mt][0].x) >> sh) & 0x03030303u;
                    const unsigned a1 = ((G ? wa[mt][1].z : wa[mt][1].x) >> sh) & 0x03030303u;
                    const unsigned a2 = ((G ? wa[mt][0].w : wa[mt][0].y) >> sh) & 0x03030303u;
                    const unsigned a3 = ((G ? wa[mt][1].w : wa[mt][1].y) >> sh) & 0x03030303u;
#pragma unroll
                    for (int nt = 0; nt < 4; nt++)
                        mma_s8(c[mt][nt], a0, a1, a2, a3, G ? xb[nt].z : xb[nt].x, G ? xb[nt].w : xb[nt].y);
                }
            }
        }
    }
    cp_async_wait<0>();

    // c[mt][nt]: {m = g, n = 2t}, {g, 2t+1}, {g+8, 2t}, {g+8, 2t+1} within the 16 × 8 tile.
#pragma unroll
    for (int nt = 0; nt < 4; nt++) {
#pragma unroll
        for (int e = 0; e < 2; e++) {
            const size_t n = n_base + wn * 32 + nt * 8 + 2 * t + e;
            if (n >= a.N)
                continue;
            const int32_t sx = a.xsum[n];
            const float inv_s = __fdiv_rn(1.0f, a.xscale[n]); // as trit_rescale, so y matches it bit for bit
#pragma unroll
            for (int mt = 0; mt < 4; mt++) {
#pragma unroll
                for (int hm = 0; hm < 2; hm++) {
                    const size_t m = m_base + wm * 64 + mt * 16 + g + 8 * hm;
                    if (m >= a.M)
                        continue;
                    const int32_t v = c[mt][nt][2 * hm + e] - sx;
                    if (a.acc)
                        a.acc[n * a.ld + m] = v;
                    if (a.y)
                        a.y[n * a.ld + m] = __fmul_rn(__fmul_rn(static_cast<float>(v), a.gamma_per_row ? a.gamma[m] : a.gamma[0]), inv_s);
                }
            }
        }
    }
}

// ---- Wide tile: 256 weight rows × 128 activation rows, warp tile 128 (m) × 32 (n). ----
// Twice the MMAs per byte brought from L2 (activations are 8-bit, weights 2-bit: the activation tile is
// the larger load, so it pays to reuse it over more weight rows). k permutation of this tile: MMA k-step
// (G, i) gives lane t the real k 64·i + 32·G + 8·t + 4·h + q, so the four lanes of a group read 32
// contiguous bytes with 8-byte loads, and each G needs only half of a row's 16 bytes per lane.
// Row strides 96 (weights) and 288 (activations) bytes make those 8-byte loads bank-conflict-free.
constexpr int kBM2 = 256;
constexpr int kW2Stride = 96, kX2Stride = 288;
constexpr int kStage2Bytes = kBM2 * kW2Stride + kBN * kX2Stride;

template <int THREADS>
__device__ __forceinline__ void load_stage_wide(uint8_t *stage, const gemm_args &a, size_t m_base, size_t n_base,
                                                size_t kb)
{
    uint8_t *ws = stage;
    uint8_t *xs = stage + kBM2 * kW2Stride;
#pragma unroll
    for (int r = 0; r < (kBM2 * kWBytes / 16) / THREADS; r++) {
        const int c = threadIdx.x + r * THREADS;
        const int row = c / 4, col = c % 4;
        const size_t m = m_base + row;
        const bool ok = m < a.M;
        cp_async16(ws + row * kW2Stride + col * 16, a.codes + (ok ? m : 0) * a.row_bytes + kb * kWBytes + col * 16, ok);
    }
#pragma unroll
    for (int r = 0; r < (kBN * kXBytes / 16) / THREADS; r++) {
        const int c = threadIdx.x + r * THREADS;
        const int row = c / 16, col = c % 16;
        const size_t n = n_base + row;
        const bool ok = n < a.N;
        cp_async16(xs + row * kX2Stride + col * 16, a.xq + (ok ? n : 0) * a.x_stride + kb * kXBytes + col * 16, ok);
    }
}

// WARPS_M warps along m, each MT m-tiles of 16 (WARPS_M · MT · 16 = 256), 4 warps along n of 32 each.
// Instantiated as 2 × 8 (256 threads, ~250 registers, 8 warps per SM). 4 × 4 (512 threads, capped at 128
// registers, 16 warps per SM) was measured no faster and spilled (kernels/cuda/NOTES.md, v3).
template <int STAGES, int WARPS_M, int MT>
__global__ void __launch_bounds__(WARPS_M * 4 * 32, 1) gemm_i2_mma_wide_kernel(const gemm_args a)
{
    static_assert(WARPS_M * MT * 16 == kBM2, "the wide tile is 256 rows");
    constexpr int THREADS = WARPS_M * 4 * 32;
    extern __shared__ __align__(16) uint8_t smem[];
    const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
    const int g = lane / 4, t = lane % 4;
    const int wm = warp % WARPS_M, wn = warp / WARPS_M;
    const size_t n_base = static_cast<size_t>(blockIdx.x) * kBN;
    const size_t m_base = static_cast<size_t>(blockIdx.y) * kBM2;

    int c[MT][4][4] = {};

#pragma unroll
    for (int s = 0; s < STAGES - 1; s++) {
        if (static_cast<size_t>(s) < a.kblocks)
            load_stage_wide<THREADS>(smem + s * kStage2Bytes, a, m_base, n_base, s);
        cp_async_commit();
    }

    for (size_t kb = 0; kb < a.kblocks; kb++) {
        cp_async_wait<STAGES - 2>();
        __syncthreads();
        const size_t next = kb + STAGES - 1;
        if (next < a.kblocks)
            load_stage_wide<THREADS>(smem + (next % STAGES) * kStage2Bytes, a, m_base, n_base, next);
        cp_async_commit();

        const uint8_t *ws = smem + (kb % STAGES) * kStage2Bytes;
        const uint8_t *xs = ws + kBM2 * kW2Stride;
#pragma unroll
        for (int G = 0; G < 2; G++) {
            uint2 wa[MT][2]; // [m tile][row g / g+8]: words h0, h1 of this G
#pragma unroll
            for (int mt = 0; mt < MT; mt++) {
                const int r = wm * MT * 16 + mt * 16 + g;
                wa[mt][0] = *reinterpret_cast<const uint2 *>(ws + r * kW2Stride + G * 32 + t * 8);
                wa[mt][1] = *reinterpret_cast<const uint2 *>(ws + (r + 8) * kW2Stride + G * 32 + t * 8);
            }
#pragma unroll
            for (int i = 0; i < 4; i++) {
                uint2 xb[4];
#pragma unroll
                for (int nt = 0; nt < 4; nt++)
                    xb[nt] = *reinterpret_cast<const uint2 *>(xs + (wn * 32 + nt * 8 + g) * kX2Stride + i * 64 +
                                                              G * 32 + t * 8);
                const unsigned sh = 2 * i;
#pragma unroll
                for (int mt = 0; mt < MT; mt++) {
                    const unsigned a0 = (wa[mt][0].x >> sh) & 0x03030303u;
                    const unsigned a1 = (wa[mt][1].x >> sh) & 0x03030303u;
                    const unsigned a2 = (wa[mt][0].y >> sh) & 0x03030303u;
                    const unsigned a3 = (wa[mt][1].y >> sh) & 0x03030303u;
#pragma unroll
                    for (int nt = 0; nt < 4; nt++)
                        mma_s8(c[mt][nt], a0, a1, a2, a3, xb[nt].x, xb[nt].y);
                }
            }
        }
    }
    cp_async_wait<0>();

#pragma unroll
    for (int nt = 0; nt < 4; nt++) {
#pragma unroll
        for (int e = 0; e < 2; e++) {
            const size_t n = n_base + wn * 32 + nt * 8 + 2 * t + e;
            if (n >= a.N)
                continue;
            const int32_t sx = a.xsum[n];
            const float inv_s = __fdiv_rn(1.0f, a.xscale[n]);
#pragma unroll
            for (int mt = 0; mt < MT; mt++) {
#pragma unroll
                for (int hm = 0; hm < 2; hm++) {
                    const size_t m = m_base + wm * MT * 16 + mt * 16 + g + 8 * hm;
                    if (m >= a.M)
                        continue;
                    const int32_t v = c[mt][nt][2 * hm + e] - sx;
                    if (a.acc)
                        a.acc[n * a.ld + m] = v;
                    if (a.y)
                        a.y[n * a.ld + m] =
                            __fmul_rn(__fmul_rn(static_cast<float>(v), a.gamma_per_row ? a.gamma[m] : a.gamma[0]), inv_s);
                }
            }
        }
    }
}

template <int WARPS_M, int MT>
int launch_wide(const gemm_args &a, trit_cuda_stream s)
{
    constexpr int kStages = 3;
    const size_t gx = (a.N + kBN - 1) / kBN, gy = (a.M + kBM2 - 1) / kBM2;
    if (gx > 0x7fffffffu || gy > 65535)
        return trit_cuda_fail("gemm: shape too large for one launch", cudaErrorInvalidValue);
    const int smem = kStages * kStage2Bytes;
    cudaError_t e = cudaFuncSetAttribute(gemm_i2_mma_wide_kernel<kStages, WARPS_M, MT>,
                                         cudaFuncAttributeMaxDynamicSharedMemorySize, smem);
    if (e != cudaSuccess)
        return trit_cuda_fail("gemm: shared memory attribute", e);
    gemm_i2_mma_wide_kernel<kStages, WARPS_M, MT>
        <<<dim3(static_cast<unsigned>(gx), static_cast<unsigned>(gy)), WARPS_M * 4 * 32, smem, s>>>(a);
    return trit_cuda_check_launch("gemm_i2_mma_wide_kernel");
}

template <int STAGES, int MIN_BLOCKS>
int launch(const gemm_args &a, size_t gx, size_t gy, trit_cuda_stream s)
{
    const int smem = STAGES * kStageBytes;
    cudaError_t e = cudaFuncSetAttribute(gemm_i2_mma_kernel<STAGES, MIN_BLOCKS>,
                                         cudaFuncAttributeMaxDynamicSharedMemorySize, smem);
    if (e != cudaSuccess)
        return trit_cuda_fail("gemm: shared memory attribute", e);
    gemm_i2_mma_kernel<STAGES, MIN_BLOCKS>
        <<<dim3(static_cast<unsigned>(gx), static_cast<unsigned>(gy)), kThreads, smem, s>>>(a);
    return trit_cuda_check_launch("gemm_i2_mma_kernel");
}

} // namespace

extern "C" int trit_cuda_launch_gemm_i2(const trit_cuda_weights *w, const trit_cuda_act *x, int32_t *acc, float *y,
                                        size_t ld, trit_cuda_stream s)
{
    gemm_args a;
    a.codes = w->codes;
    a.row_bytes = w->row_bytes;
    a.M = w->rows;
    a.kblocks = w->cols_padded / 256;
    a.xq = x->q;
    a.x_stride = x->stride;
    a.N = x->rows;
    a.xsum = x->sum;
    a.gamma = w->scales;
    a.gamma_per_row = w->granularity == TRIT_SCALE_ROW;
    a.xscale = x->scale;
    a.acc = acc;
    a.y = y;
    a.ld = ld;
    // TRIT_CUDA_GEMM_TILE: 128 (first kernel) or 256 (wide); unset: the
    // wide tile unless its grid would leave over half of the multiprocessors idle. On the H100 the wide
    // tile won at 108, 224 and 712 blocks (6912×2560×512, 14336×4096×512, 45568×8192×512) and lost at
    // 56 (14336×4096×128: 65 µs against 38 µs for the 128 tile) — kernels/cuda/NOTES.md.
    int tile = trit_cuda_gemm_tile();
    if (tile == 0) {
        static int sms; // benign race: every thread computes the same value
        if (sms == 0 && cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, 0) != cudaSuccess)
            sms = 132;
        const size_t wide_blocks = ((a.M + kBM2 - 1) / kBM2) * ((a.N + kBN - 1) / kBN);
        tile = wide_blocks * 2 >= static_cast<size_t>(sms) ? 256 : 128;
    }
    if (tile == 256)
        return launch_wide<2, 8>(a, s);
    const size_t gx = (a.N + kBN - 1) / kBN, gy = (a.M + kBM - 1) / kBM;
    if (gx > 0x7fffffffu || gy > 65535)
        return trit_cuda_fail("gemm: shape too large for one launch", cudaErrorInvalidValue);
    // TRIT_CUDA_GEMM_STAGES=2|3|4 (default 3) picks the pipeline depth, for tuning runs.
    switch (trit_cuda_gemm_stages()) {
    case 2:
        return launch<2, 1>(a, gx, gy, s);
    case 4:
        return launch<4, 1>(a, gx, gy, s);
    default:
        return launch<3, 1>(a, gx, gy, s);
    }
}
