// i2_gemv.cu — I2 × int8 GEMV (decode, one activation row) with dp4a: memory-bound, one pass over the
// packed weights in 16-byte coalesced loads.
//
// Each warp owns ROWS consecutive output rows. Lane l walks the 16-byte chunks l, l+32, ... of those
// rows; chunk c covers bytes 16(c%4)..+15 of I2 block c/4, whose 2-bit fields i = 0..3 are the codes of
// 16 consecutive k at 256·(c/4) + 16(c%4) + 64·i (formats.h). So one (x >> 2i) & 0x03030303 yields four
// codes that line up with one 32-bit word of the activation row: one dp4a each, no shuffles. The
// activation words are loaded once per chunk and reused for all ROWS rows, which keeps L1 traffic at
// 4/ROWS bytes per weight byte. Codes are w+1 ≥ 0, so Σ w·x = Σ c·x − Σ x (Σ x from the quantizer).
#include <cstdint>

#include "kernels/cuda/cuda_internal.h"

namespace {

constexpr int kWarpsPerBlock = 8; // 256 threads

__device__ __forceinline__ int dot_chunk(uint4 w, const int4 *xv, int acc)
{
    const unsigned words[4] = {w.x, w.y, w.z, w.w};
#pragma unroll
    for (int i = 0; i < 4; i++) {
        const int xs[4] = {xv[i].x, xv[i].y, xv[i].z, xv[i].w};
#pragma unroll
        for (int q = 0; q < 4; q++)
            acc = __dp4a(static_cast<int>((words[q] >> (2 * i)) & 0x03030303u), xs[q], acc);
    }
    return acc;
}

// kRows: output rows per warp (TRIT_CUDA_GEMV_ROWS picks among the instantiated ones).
template <int kRows>
__global__ void __launch_bounds__(kWarpsPerBlock * 32)
gemv_i2_kernel(const uint8_t *__restrict__ codes, size_t row_bytes, size_t rows, size_t chunks,
               const int8_t *__restrict__ xq, const int32_t *__restrict__ xsum, const float *__restrict__ gamma,
               int gamma_per_row, const float *__restrict__ xscale, int32_t *__restrict__ acc,
               float *__restrict__ y)
{
    const size_t warp = (static_cast<size_t>(blockIdx.x) * blockDim.x + threadIdx.x) / 32;
    const unsigned lane = threadIdx.x & 31u;
    const size_t m0 = warp * kRows;
    if (m0 >= rows)
        return;
    // Rows past the end re-read the last row (keeps the loop branch-free); their sums are dropped.
    const uint8_t *row_ptr[kRows];
#pragma unroll
    for (int r = 0; r < kRows; r++)
        row_ptr[r] = codes + (m0 + r < rows ? m0 + r : rows - 1) * row_bytes;

    int sum[kRows] = {};
#pragma unroll 2
    for (size_t c = lane; c < chunks; c += 32) {
        uint4 wv[kRows];
#pragma unroll
        for (int r = 0; r < kRows; r++)
            wv[r] = __ldcs(reinterpret_cast<const uint4 *>(row_ptr[r] + c * 16));
        const int8_t *xb = xq + (c / 4) * 256 + (c % 4) * 16;
        int4 xv[4];
#pragma unroll
        for (int i = 0; i < 4; i++)
            xv[i] = __ldg(reinterpret_cast<const int4 *>(xb + 64 * i));
#pragma unroll
        for (int r = 0; r < kRows; r++)
            sum[r] = dot_chunk(wv[r], xv, sum[r]);
    }
#pragma unroll
    for (int r = 0; r < kRows; r++)
        for (int off = 16; off > 0; off /= 2)
            sum[r] += __shfl_xor_sync(0xffffffffu, sum[r], off);
    if (lane < kRows && m0 + lane < rows) {
        int v = sum[0];
#pragma unroll
        for (int r = 1; r < kRows; r++)
            v = lane == static_cast<unsigned>(r) ? sum[r] : v;
        const size_t m = m0 + lane;
        const int32_t a = v - xsum[0];
        if (acc)
            acc[m] = a;
        if (y)
            y[m] = __fmul_rn(__fmul_rn(static_cast<float>(a), gamma_per_row ? gamma[m] : gamma[0]),
                             __fdiv_rn(1.0f, xscale[0])); // the order of trit_rescale: bit-identical y
    }
}

template <int kRows>
int launch(const trit_cuda_weights *w, const trit_cuda_act *x, int32_t *acc, float *y, trit_cuda_stream s)
{
    const size_t warps = (w->rows + kRows - 1) / kRows;
    const size_t blocks = (warps + kWarpsPerBlock - 1) / kWarpsPerBlock;
    if (blocks > 0x7fffffffu)
        return trit_cuda_fail("gemv: too many rows", cudaErrorInvalidValue);
    const size_t chunks = w->cols_padded / 64; // 16-byte chunks of the used part of a row
    gemv_i2_kernel<kRows><<<static_cast<unsigned>(blocks), kWarpsPerBlock * 32, 0, s>>>(
        w->codes, w->row_bytes, w->rows, chunks, x->q, x->sum, w->scales, w->granularity == TRIT_SCALE_ROW,
        x->scale, acc, y);
    return trit_cuda_check_launch("gemv_i2_kernel");
}

} // namespace

extern "C" int trit_cuda_launch_gemv_i2(const trit_cuda_weights *w, const trit_cuda_act *x, int32_t *acc, float *y,
                                        trit_cuda_stream s)
{
    switch (trit_cuda_gemv_rows()) {
    case 1:
        return launch<1>(w, x, acc, y, s);
    case 2:
        return launch<2>(w, x, acc, y, s);
    case 8:
        return launch<8>(w, x, acc, y, s);
    default:
        return launch<4>(w, x, acc, y, s);
    }
}
