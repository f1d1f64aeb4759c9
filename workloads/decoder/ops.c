/* ops.c — the decoder's work outside the linear layers: RMSNorm, RoPE, one attention head over the KV
 * cache, gating activations. Shared by the ternary and FP32 variants so that their difference is the
 * projections alone. */
#include <math.h>
#include <stddef.h>

#include "decoder_internal.h"

/* Decode attention and norms are a visible share of a ternary token: let the dynamic loader pick a
 * wide-vector clone of the few hot loops (the file itself is built for the baseline ISA). */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__)
#define DEC_HOT __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define DEC_HOT
#endif

DEC_HOT float dec_dot(const float *a, const float *b, size_t n)
{
    float s = 0.0f;
#pragma omp simd reduction(+ : s)
    for (size_t i = 0; i < n; i++)
        s += a[i] * b[i];
    return s;
}

DEC_HOT static void axpy(float alpha, const float *x, float *y, size_t n)
{
#pragma omp simd
    for (size_t i = 0; i < n; i++)
        y[i] += alpha * x[i];
}

DEC_HOT void dec_rms_norm(const float *x, const float *g, float eps, size_t cols, float *out)
{
    float ss = 0.0f;
#pragma omp simd reduction(+ : ss)
    for (size_t k = 0; k < cols; k++)
        ss += x[k] * x[k];
    const float r = 1.0f / sqrtf(ss / (float)cols + eps);
#pragma omp simd
    for (size_t k = 0; k < cols; k++)
        out[k] = x[k] * r * g[k];
}

void dec_rope_tables(float *cos_t, float *sin_t, size_t max_ctx, size_t head_dim, float theta)
{
    const size_t half = head_dim / 2;
    for (size_t p = 0; p < max_ctx; p++)
        for (size_t i = 0; i < half; i++) {
            const double freq = pow((double)theta, -2.0 * (double)i / (double)head_dim);
            cos_t[p * half + i] = (float)cos((double)p * freq);
            sin_t[p * half + i] = (float)sin((double)p * freq);
        }
}

/* Llama/BitNet "rotate half" convention: element i pairs with i + head_dim/2. */
void dec_rope(float *vec, size_t n_heads, size_t head_dim, const float *cos_row, const float *sin_row)
{
    const size_t half = head_dim / 2;
    for (size_t h = 0; h < n_heads; h++) {
        float *v = vec + h * head_dim;
        for (size_t i = 0; i < half; i++) {
            const float x0 = v[i], x1 = v[i + half];
            v[i] = x0 * cos_row[i] - x1 * sin_row[i];
            v[i + half] = x0 * sin_row[i] + x1 * cos_row[i];
        }
    }
}

void dec_attend_head(const float *q, const float *k_cache, const float *v_cache, size_t pos, size_t head_dim,
                     float *scores, float *out)
{
    const float scale = 1.0f / sqrtf((float)head_dim);
    float mx = -INFINITY;
    for (size_t t = 0; t <= pos; t++) {
        scores[t] = dec_dot(q, k_cache + t * head_dim, head_dim) * scale;
        mx = scores[t] > mx ? scores[t] : mx;
    }
    float sum = 0.0f;
    for (size_t t = 0; t <= pos; t++) {
        scores[t] = expf(scores[t] - mx);
        sum += scores[t];
    }
    const float inv = 1.0f / sum;
    for (size_t i = 0; i < head_dim; i++)
        out[i] = 0.0f;
    for (size_t t = 0; t <= pos; t++)
        axpy(scores[t] * inv, v_cache + t * head_dim, out, head_dim);
}

void dec_ffn_gate(float *gate, const float *up, size_t n, trit_ffn_act act)
{
    if (act == TRIT_ACT_RELU2) {
        for (size_t i = 0; i < n; i++) {
            const float r = gate[i] > 0.0f ? gate[i] : 0.0f;
            gate[i] = r * r * up[i];
        }
    } else {
        for (size_t i = 0; i < n; i++)
            gate[i] = gate[i] / (1.0f + expf(-gate[i])) * up[i];
    }
}
