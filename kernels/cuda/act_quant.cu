// act_quant.cu — activation quantization on the device (quant.h: s = 127 / max(max|x|, 1e-5),
// q = clamp(rint(x·s), −128, 127), Σ q), and FP32 → FP16/BF16 conversion for the cuBLAS baselines.
//
// Bit-identical to trit_quantize_activations: the same single-precision operations in the same order,
// with explicit round-to-nearest intrinsics so that no FMA contraction or fast division can creep in;
// rintf rounds half to even like nearbyintf in the default mode. max is exact in any order.
#include <cstdint>

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include "kernels/cuda/cuda_internal.h"

namespace {

constexpr int kThreads = 256;

// `identity` fills the lanes past the block's warp count (0 for + and |, 0 for max of |x| ≥ 0).
template <typename T, typename Op> __device__ T block_reduce(T v, Op op, T identity, T *scratch)
{
    for (int off = 16; off > 0; off /= 2)
        v = op(v, __shfl_xor_sync(0xffffffffu, v, off));
    const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
    __syncthreads(); // scratch may still be read from a previous reduction
    if (lane == 0)
        scratch[warp] = v;
    __syncthreads();
    if (warp == 0) {
        v = lane < kThreads / 32 ? scratch[lane] : identity;
        for (int off = 16; off > 0; off /= 2)
            v = op(v, __shfl_xor_sync(0xffffffffu, v, off));
        if (lane == 0)
            scratch[0] = v;
    }
    __syncthreads();
    return scratch[0];
}

struct max_op {
    __device__ float operator()(float a, float b) const { return a > b ? a : b; }
};
struct or_op {
    __device__ int operator()(int a, int b) const { return a | b; }
};
struct add_op {
    __device__ int operator()(int a, int b) const { return a + b; }
};

// One block per activation row.
__global__ void __launch_bounds__(kThreads) quantize_kernel(const float *__restrict__ X, size_t ld_x, size_t cols,
                                                             size_t stride, int8_t *__restrict__ q,
                                                             float *__restrict__ scale, int32_t *__restrict__ sum,
                                                             int *__restrict__ error)
{
    __shared__ float fscratch[kThreads / 32];
    __shared__ int iscratch[kThreads / 32];
    const size_t n = blockIdx.x;
    const float *x = X + n * ld_x;
    float amax = 0.0f;
    int bad = 0;
    for (size_t k = threadIdx.x; k < cols; k += kThreads) {
        const float v = x[k];
        bad |= !isfinite(v);
        const float av = fabsf(v);
        amax = av > amax ? av : amax;
    }
    amax = block_reduce(amax, max_op(), 0.0f, fscratch);
    bad = block_reduce(bad, or_op(), 0, iscratch);
    if (bad) {
        if (threadIdx.x == 0)
            *error = 1;
        return;
    }
    const float s = __fdiv_rn(127.0f, amax > TRIT_ACT_MIN_ABSMAX ? amax : TRIT_ACT_MIN_ABSMAX);
    int8_t *qr = q + n * stride;
    int part = 0;
    for (size_t k = threadIdx.x; k < stride; k += kThreads) {
        int v = 0;
        if (k < cols) {
            float r = rintf(__fmul_rn(x[k], s));
            r = r > 127.0f ? 127.0f : r < -128.0f ? -128.0f : r;
            v = static_cast<int>(r);
        }
        qr[k] = static_cast<int8_t>(v);
        part += v;
    }
    part = block_reduce(part, add_op(), 0, iscratch);
    if (threadIdx.x == 0) {
        scale[n] = s;
        sum[n] = part;
    }
}

__global__ void to_half_kernel(const float *__restrict__ src, void *dst, size_t n, int bf16)
{
    for (size_t i = static_cast<size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
         i += static_cast<size_t>(gridDim.x) * blockDim.x) {
        if (bf16)
            static_cast<__nv_bfloat16 *>(dst)[i] = __float2bfloat16_rn(src[i]);
        else
            static_cast<__half *>(dst)[i] = __float2half_rn(src[i]);
    }
}

} // namespace

extern "C" int trit_cuda_launch_quantize(const float *X, size_t ld_x, trit_cuda_act *a, trit_cuda_stream s)
{
    if (a->rows > 0x7fffffffu)
        return trit_cuda_fail("quantize: too many rows", cudaErrorInvalidValue);
    if (a->rows == 0)
        return 0;
    quantize_kernel<<<static_cast<unsigned>(a->rows), kThreads, 0, s>>>(X, ld_x, a->cols, a->stride, a->q, a->scale,
                                                                        a->sum, a->error);
    return trit_cuda_check_launch("quantize_kernel");
}

extern "C" int trit_cuda_launch_to_half(const float *src, void *dst, size_t n, bool bf16, trit_cuda_stream s)
{
    if (n == 0)
        return 0;
    size_t blocks = (n + 255) / 256;
    if (blocks > 65536)
        blocks = 65536;
    to_half_kernel<<<static_cast<unsigned>(blocks), 256, 0, s>>>(src, dst, n, bf16 ? 1 : 0);
    return trit_cuda_check_launch("to_half_kernel");
}
