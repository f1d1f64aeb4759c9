/* st_dtype.c — safetensors dtype names and sizes, and the FP16/BF16 ⇄ FP32 conversions. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tritbench/safetensors.h"

static const struct {
    const char *name;
    size_t size;
} dtypes[ST_DTYPE_COUNT] = {
    [ST_BOOL] = {"BOOL", 1}, [ST_U8] = {"U8", 1},   [ST_I8] = {"I8", 1},     [ST_F8_E4M3] = {"F8_E4M3", 1},
    [ST_F8_E5M2] = {"F8_E5M2", 1}, [ST_I16] = {"I16", 2}, [ST_U16] = {"U16", 2}, [ST_F16] = {"F16", 2},
    [ST_BF16] = {"BF16", 2}, [ST_I32] = {"I32", 4}, [ST_U32] = {"U32", 4},   [ST_F32] = {"F32", 4},
    [ST_F64] = {"F64", 8},  [ST_I64] = {"I64", 8}, [ST_U64] = {"U64", 8},
};

const char *st_dtype_name(st_dtype d) { return (unsigned)d < ST_DTYPE_COUNT ? dtypes[d].name : "?"; }
size_t st_dtype_size(st_dtype d) { return (unsigned)d < ST_DTYPE_COUNT ? dtypes[d].size : 0; }

int st_dtype_parse(const char *name, st_dtype *out)
{
    for (int i = 0; i < ST_DTYPE_COUNT; i++)
        if (name && strcmp(name, dtypes[i].name) == 0) {
            *out = (st_dtype)i;
            return 0;
        }
    return -1;
}

bool st_dtype_is_float(st_dtype d) { return d == ST_F16 || d == ST_BF16 || d == ST_F32 || d == ST_F64; }

/* Type punning through memcpy: the only form that is defined in C11 and costs nothing after -O1. */
static float bits_to_f32(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static uint32_t f32_to_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

float st_bf16_to_f32(uint16_t b) { return bits_to_f32((uint32_t)b << 16); }

float st_f16_to_f32(uint16_t h)
{
    const uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    const uint32_t exp = (h >> 10) & 0x1fu;
    const uint32_t man = h & 0x3ffu;
    if (exp == 0x1f) /* Inf / NaN keep their payload */
        return bits_to_f32(sign | 0x7f800000u | (man << 13));
    if (exp == 0) { /* zero or subnormal: man · 2^-24, exact in FP32 */
        const float v = ldexpf((float)man, -24);
        return sign ? -v : v;
    }
    return bits_to_f32(sign | ((exp + 112u) << 23) | (man << 13));
}

uint16_t st_f32_to_bf16(float f)
{
    const uint32_t u = f32_to_bits(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) /* NaN: keep it a NaN after truncation */
        return (uint16_t)((u >> 16) | 0x40u);
    const uint32_t rounding = 0x7fffu + ((u >> 16) & 1u); /* round half to even */
    return (uint16_t)((u + rounding) >> 16);
}

uint16_t st_f32_to_f16(float f)
{
    const uint32_t u = f32_to_bits(f);
    const uint16_t sign = (uint16_t)((u >> 16) & 0x8000u);
    const float a = fabsf(f);
    if (isnan(f))
        return (uint16_t)(sign | 0x7e00u);
    if (a >= 65520.0f) /* rounds to infinity */
        return (uint16_t)(sign | 0x7c00u);
    if (a < 6.103515625e-05f) { /* subnormal range: units of 2^-24, nearbyint rounds half to even */
        const float m = nearbyintf(a * 16777216.0f);
        return (uint16_t)(sign | (uint16_t)m);
    }
    const uint32_t ua = f32_to_bits(a);
    uint32_t exp = (ua >> 23) - 112u;
    uint32_t man = ua & 0x7fffffu;
    const uint32_t rest = man & 0x1fffu;
    man >>= 13;
    if (rest > 0x1000u || (rest == 0x1000u && (man & 1u))) {
        man++;
        if (man == 0x400u) {
            man = 0;
            exp++;
        }
    }
    return (uint16_t)(sign | (exp << 10) | man);
}

int st_tensor_to_f32(const st_tensor *t, float *out, char *err, size_t err_len)
{
    const uint8_t *p = t->data;
    switch (t->dtype) {
    case ST_F32:
        memcpy(out, p, t->n_elems * sizeof(float));
        return st_tensor_check(t, err, err_len);
    case ST_F16:
    case ST_BF16:
        for (size_t i = 0; i < t->n_elems; i++) {
            const uint16_t h = (uint16_t)(p[2 * i] | (p[2 * i + 1] << 8));
            out[i] = t->dtype == ST_F16 ? st_f16_to_f32(h) : st_bf16_to_f32(h);
        }
        return st_tensor_check(t, err, err_len);
    case ST_F64:
        for (size_t i = 0; i < t->n_elems; i++) {
            double d;
            memcpy(&d, p + 8 * i, sizeof d);
            out[i] = (float)d;
        }
        return st_tensor_check(t, err, err_len);
    default:
        snprintf(err, err_len, "tensor '%s': dtype %s is not a float type (F32, F16, BF16, F64)", ST_SHOW(t->name),
                 st_dtype_name(t->dtype));
        return -1;
    }
}
