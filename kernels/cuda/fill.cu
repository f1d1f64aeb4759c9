// fill.cu — benchmark inputs made on the device (no multi-GB host buffers or uploads): random I2 codes,
// random activations, and the same ternary matrix decoded to FP32/FP16/BF16 for the cuBLAS baselines,
// so that every implementation in a comparison multiplies the same numbers.
#include <cstdint>
#include <type_traits>

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include "kernels/cuda/cuda_internal.h"

namespace {

__device__ __forceinline__ uint64_t mix64(uint64_t z)
{
    // splitmix64 finalizer: a counter-based generator, so any thread can draw element i directly.
    z += 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

// Codes in {0,1,2} (w = −1, 0, +1) with equal probability; padded k (≥ cols) get code 1 (w = 0).
__global__ void fill_i2_kernel(uint8_t *codes, size_t rows, size_t row_bytes, size_t cols, uint64_t seed)
{
    const size_t total = rows * row_bytes;
    for (size_t i = static_cast<size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < total;
         i += static_cast<size_t>(gridDim.x) * blockDim.x) {
        const size_t byte_in_row = i % row_bytes;
        const size_t b = byte_in_row / 64, j = byte_in_row % 64;
        const uint64_t r = mix64(seed ^ (i * 0x632be59bd9b4e019ull));
        unsigned v = 0;
        for (int f = 0; f < 4; f++) {
            const size_t k = b * 256 + j + 64 * f;
            const unsigned code = k < cols ? static_cast<unsigned>(((r >> (16 * f)) & 0xffffu) * 3u >> 16) : 1u;
            v |= code << (2 * f);
        }
        codes[i] = static_cast<uint8_t>(v);
    }
}

// Approximately N(0,1) (sum of four uniforms, rescaled): enough for timing and fidelity inputs.
__global__ void fill_normal_kernel(float *x, size_t n, uint64_t seed)
{
    for (size_t i = static_cast<size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
         i += static_cast<size_t>(gridDim.x) * blockDim.x) {
        const uint64_t r = mix64(seed ^ (i * 0xd1342543de82ef95ull));
        float s = 0.0f;
        for (int f = 0; f < 4; f++)
            s += static_cast<float>((r >> (16 * f)) & 0xffffu) * (1.0f / 65536.0f);
        x[i] = (s - 2.0f) * 1.7320508f; // var of the sum is 4/12
    }
}

// W[m, k] = (code − 1) · γ_m for k < cols, as row-major rows × cols in FP32, FP16 or BF16.
template <typename T>
__global__ void decode_i2_kernel(const uint8_t *codes, size_t rows, size_t row_bytes, size_t cols,
                                 const float *gamma, int per_row, T *W)
{
    const size_t total = rows * cols;
    for (size_t i = static_cast<size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < total;
         i += static_cast<size_t>(gridDim.x) * blockDim.x) {
        const size_t m = i / cols, k = i % cols;
        const size_t b = k / 256, within = k % 256, j = within % 64, f = within / 64;
        const unsigned code = (codes[m * row_bytes + b * 64 + j] >> (2 * f)) & 3u;
        const float v = (static_cast<float>(code) - 1.0f) * gamma[per_row ? m : 0];
        if constexpr (sizeof(T) == 4)
            W[i] = v;
        else if constexpr (std::is_same<T, __half>::value)
            W[i] = __float2half_rn(v);
        else
            W[i] = __float2bfloat16_rn(v);
    }
}

unsigned grid_for(size_t n)
{
    const size_t b = (n + 255) / 256;
    return static_cast<unsigned>(b < 65536 ? (b ? b : 1) : 65536);
}

} // namespace

extern "C" int trit_cuda_fill_i2(trit_cuda_weights *w, uint64_t seed)
{
    fill_i2_kernel<<<grid_for(w->rows * w->row_bytes), 256>>>(w->codes, w->rows, w->row_bytes, w->cols, seed);
    return trit_cuda_check_launch("fill_i2_kernel");
}

extern "C" int trit_cuda_fill_normal(float *x, size_t n, uint64_t seed)
{
    fill_normal_kernel<<<grid_for(n), 256>>>(x, n, seed);
    return trit_cuda_check_launch("fill_normal_kernel");
}

extern "C" int trit_cuda_decode_i2(const trit_cuda_weights *w, trit_cuda_blas_type t, void *W)
{
    const int per_row = w->granularity == TRIT_SCALE_ROW;
    const unsigned g = grid_for(w->rows * w->cols);
    if (t == TRIT_CUDA_FP32)
        decode_i2_kernel<float><<<g, 256>>>(w->codes, w->rows, w->row_bytes, w->cols, w->scales, per_row,
                                            static_cast<float *>(W));
    else if (t == TRIT_CUDA_FP16)
        decode_i2_kernel<__half><<<g, 256>>>(w->codes, w->rows, w->row_bytes, w->cols, w->scales, per_row,
                                             static_cast<__half *>(W));
    else
        decode_i2_kernel<__nv_bfloat16><<<g, 256>>>(w->codes, w->rows, w->row_bytes, w->cols, w->scales, per_row,
                                                    static_cast<__nv_bfloat16 *>(W));
    return trit_cuda_check_launch("decode_i2_kernel");
}
