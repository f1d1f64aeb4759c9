/* test_cuda_quant.c — device activation quantization equals trit_quantize_activations bit for bit
 * (q over the whole padded stride, s, Σq): random rows, exact .5 ties (half to even), an all-zero row,
 * huge and tiny magnitudes; a NaN or Inf is reported, not quantized. Exits 77 when no device. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/cuda/trit_cuda.h"
#include "tests/check.h"

static uint64_t rng_state;
static double next_unit(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return (double)((z ^ (z >> 31)) >> 11) * 0x1p-53;
}

static void fill_rows(float *X, size_t rows, size_t cols)
{
    for (size_t n = 0; n < rows; n++) {
        float *x = X + n * cols;
        const int kind = (int)(n % 6);
        for (size_t k = 0; k < cols; k++) {
            const double u = next_unit() - 0.5;
            switch (kind) {
            case 0: x[k] = (float)(u * 6.0); break;
            case 1: x[k] = 0.0f; break;                           /* s = 127 / 1e-5 */
            case 2: x[k] = (float)(u * 1e30); break;              /* huge */
            case 3: x[k] = (float)(u * 1e-7); break;              /* under the 1e-5 floor */
            case 4: x[k] = (float)((int)(u * 200.0)) + 0.5f; break; /* ties once s = 1 */
            default: x[k] = (float)(u * u * u * 50.0); break;     /* heavy-ish tail */
            }
        }
        if (kind == 4)
            x[cols / 2] = 127.0f; /* max|x| = 127 → s = 1 exactly, so the .5 values are ties */
        if (kind == 5)
            x[0] = -60.0f; /* the max is negative */
    }
}

static void check_shape(size_t rows, size_t cols)
{
    float *X = malloc(rows * cols * sizeof *X);
    REQUIRE(X);
    fill_rows(X, rows, cols);
    trit_act ref, got;
    REQUIRE(trit_act_alloc(&ref, rows, cols) == 0 && trit_act_alloc(&got, rows, cols) == 0);
    REQUIRE(trit_quantize_activations(X, cols, &ref) == 0);
    memset(got.q, 0x55, rows * got.stride); /* poison: the device must write the padding zeros too */

    trit_cuda_act da;
    REQUIRE(trit_cuda_act_alloc(&da, rows, cols) == 0);
    REQUIRE(trit_cuda_memset(da.q, 0x55, rows * da.stride) == 0);
    float *dX = trit_cuda_malloc(rows * cols * sizeof(float));
    REQUIRE(dX && trit_cuda_upload(dX, X, rows * cols * sizeof(float)) == 0);
    CHECKF(trit_cuda_quantize(dX, cols, &da, NULL) == 0, "%s", trit_cuda_last_error());
    CHECKF(trit_cuda_act_check(&da) == 0, "%s", trit_cuda_last_error());
    REQUIRE(trit_cuda_act_download(&got, &da) == 0);
    size_t bad_q = 0;
    for (size_t i = 0; i < rows * ref.stride; i++)
        bad_q += ref.q[i] != got.q[i];
    CHECKF(bad_q == 0, "%zu x %zu: %zu quantized values differ", rows, cols, bad_q);
    CHECKF(memcmp(ref.scale, got.scale, rows * sizeof(float)) == 0, "%zu x %zu: scales differ", rows, cols);
    CHECKF(memcmp(ref.sum, got.sum, rows * sizeof(int32_t)) == 0, "%zu x %zu: sums differ", rows, cols);

    /* One non-finite input anywhere is an error, as on the CPU. */
    const float bad[2] = {NAN, -INFINITY};
    for (int b = 0; b < 2; b++) {
        const size_t at = (rows - 1) * cols + cols / 3;
        REQUIRE(trit_cuda_upload(dX + at, &bad[b], sizeof(float)) == 0);
        REQUIRE(trit_cuda_memset(da.error, 0, sizeof(int)) == 0);
        CHECK(trit_cuda_quantize(dX, cols, &da, NULL) == 0);
        CHECKF(trit_cuda_act_check(&da) == -1, "non-finite input %d not reported", b);
        CHECK(strstr(trit_cuda_last_error(), "non-finite") != NULL);
        REQUIRE(trit_cuda_upload(dX + at, &X[at], sizeof(float)) == 0);
    }
    CHECK(trit_cuda_quantize(dX, cols - 1, &da, NULL) == -1); /* ld_x < cols */

    trit_cuda_free(dX);
    trit_cuda_act_free(&da);
    trit_act_free(&ref);
    trit_act_free(&got);
    free(X);
}

int main(void)
{
    char why[256] = "";
    if (!trit_cuda_available(why, sizeof why)) {
        CHECKF(strncmp(why, "no CUDA device", 14) == 0 || strstr(why, "sm_80") != NULL, "unexpected reason '%s'",
               why);
        printf("SKIP: %s\n", why);
        return check_failures ? 1 : 77;
    }
    const char *env = getenv("TRIT_TEST_SEED");
    rng_state = env ? strtoull(env, NULL, 0) : 0x9a17ull;
    printf("seed %#" PRIx64 " (TRIT_TEST_SEED)\n", rng_state);
    check_shape(6, 1);
    check_shape(12, 1279);
    check_shape(6, 1281);
    check_shape(18, 2560);
    check_shape(3, 100000);
    return check_exit();
}
