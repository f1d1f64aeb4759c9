/* test_st_dtype.c — FP16/BF16 conversions: every one of the 65536 bit patterns survives f16→f32→f16
 * (NaNs stay NaNs), halfway cases round to even, overflow goes to infinity; dtype names round-trip. */
#include <math.h>
#include <string.h>

#include "tests/check.h"
#include "tritbench/safetensors.h"

int main(void)
{
    for (uint32_t h = 0; h < 65536; h++) {
        const float f = st_f16_to_f32((uint16_t)h), b = st_bf16_to_f32((uint16_t)h);
        if (isnan(f))
            CHECKF(isnan(st_f16_to_f32(st_f32_to_f16(f))), "f16 NaN %04x", h);
        else
            CHECKF(st_f32_to_f16(f) == h, "f16 %04x -> %g -> %04x", h, f, st_f32_to_f16(f));
        if (isnan(b))
            CHECKF(isnan(st_bf16_to_f32(st_f32_to_bf16(b))), "bf16 NaN %04x", h);
        else
            CHECKF(st_f32_to_bf16(b) == h, "bf16 %04x -> %g -> %04x", h, b, st_f32_to_bf16(b));
    }
    /* Known values, computed by hand from the IEEE layouts. */
    CHECK(st_f16_to_f32(0x3c00) == 1.0f && st_f16_to_f32(0xc000) == -2.0f && st_f16_to_f32(0x0001) == ldexpf(1, -24));
    CHECK(st_f16_to_f32(0x7bff) == 65504.0f && isinf(st_f16_to_f32(0x7c00)));
    CHECK(st_bf16_to_f32(0x3f80) == 1.0f && st_bf16_to_f32(0x4049) == 3.140625f);
    /* Ties to even: 1 + 2^-11 lies halfway between 1 and the next f16; 1 + 3·2^-11 rounds up. */
    CHECK(st_f32_to_f16(1.0f + ldexpf(1, -11)) == 0x3c00);
    CHECK(st_f32_to_f16(1.0f + 3 * ldexpf(1, -11)) == 0x3c02);
    CHECK(st_f32_to_bf16(1.0f + ldexpf(1, -8)) == 0x3f80);
    CHECK(st_f32_to_bf16(1.0f + 3 * ldexpf(1, -8)) == 0x3f82);
    CHECK(st_f32_to_f16(65520.0f) == 0x7c00 && st_f32_to_f16(65519.0f) == 0x7bff && st_f32_to_f16(-1e9f) == 0xfc00);
    for (int d = 0; d < ST_DTYPE_COUNT; d++) {
        st_dtype back;
        CHECK(st_dtype_parse(st_dtype_name((st_dtype)d), &back) == 0 && back == (st_dtype)d);
        CHECK(st_dtype_size((st_dtype)d) >= 1 && st_dtype_size((st_dtype)d) <= 8);
    }
    st_dtype x;
    CHECK(st_dtype_parse("F7", &x) == -1 && st_dtype_parse("f32", &x) == -1);
    return check_exit();
}
