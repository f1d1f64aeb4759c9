/* formats.h — packed ternary weight formats: the byte layouts every kernel variant reads.
 *
 * Both formats are row-major: row m of the packed matrix starts at codes + m * row_bytes, and a row is
 * a sequence of 64-byte blocks. One canonical layout per format is shared by every variant (scalar,
 * AVX2, AVX-512, NEON, CUDA), chosen so that each ISA unpacks a block with shifts and masks into
 * vectors of *consecutive* k: that keeps activation loads contiguous and makes pack/unpack a property
 * of the format, not of the variant.
 *
 * I2 — 2 bits per weight, block = 256 weights = 64 bytes.
 *   Code c = w + 1 ∈ {0, 1, 2}. Byte j (0..63) of block b holds the codes of
 *   k = 256·b + j + 64·i in bits [2i, 2i+1], i = 0..3.
 *   A SIMD register of 64 (or 32, 16) bytes therefore yields, after (byte >> 2i) & 3, the codes of 64
 *   (32, 16) consecutive k. With unsigned codes a u8×s8 multiply-add gives Σ c·x, and
 *   Σ w·x = Σ c·x − Σ x  (Σ x over the activation row, kept by the quantizer).
 *
 * T5 — 5 trits per byte (3^5 = 243 ≤ 256), 1.6 bits per weight, block = 320 weights = 64 bytes.
 *   Digits d = w + 1. Byte j of block b holds the digits of k = 320·b + j + 64·i, i = 0..4, as
 *   v = Σ_i d_i · 3^(4−i) ∈ [0, 242], stored as byte = ceil(v · 256 / 243).
 *   Digit i decodes without division: q = (byte · 3^i) mod 256, d_i = (q · 3) >> 8.
 *   (The fixed-point trick of ggml's TQ1_0; exhaustively checked over all 243 values in the tests.)
 *
 * Padding: K is rounded up to the block (cols_padded). Padded weights are w = 0 (I2 code 1, T5 digit 1)
 * and padded activations are 0 (see trit_act), so padding contributes exactly zero to both Σ c·x and
 * Σ w·x. Rows start 64-byte aligned.
 */
#ifndef TRITBENCH_FORMATS_H
#define TRITBENCH_FORMATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The packed ternary formats are 0 .. TRIT_FMT_COUNT−1 (loops over packed formats stop at COUNT). The
 * dense float formats follow at TRIT_FMT_FLOAT_FIRST: they name the weights of baseline kernels in the
 * one kernel table (kernels.h) and have no packed layout. */
typedef enum trit_format {
    TRIT_FMT_I2 = 0,
    TRIT_FMT_T5 = 1,
    TRIT_FMT_COUNT,            /* number of packed ternary formats */
    TRIT_FMT_FLOAT_FIRST = 16,
    TRIT_FMT_FP32 = TRIT_FMT_FLOAT_FIRST,
    TRIT_FMT_FP16,
    TRIT_FMT_BF16,
    TRIT_FMT_FLOAT_END
} trit_format;

typedef enum trit_granularity {
    TRIT_SCALE_TENSOR = 0, /* one γ for the whole matrix (the BitNet paper) */
    TRIT_SCALE_ROW = 1     /* one γ per output row (per channel) */
} trit_granularity;

#define TRIT_ALIGN 64          /* alignment of every packed/activation buffer */
#define TRIT_BLOCK_BYTES 64    /* bytes per block, both formats */
#define TRIT_I2_BLOCK 256      /* weights per I2 block */
#define TRIT_T5_BLOCK 320      /* weights per T5 block */
#define TRIT_ACT_K_ALIGN 1280  /* lcm(256, 320): activation rows are zero-padded to a multiple */

typedef struct trit_packed {
    trit_format format;
    trit_granularity granularity;
    size_t rows;        /* M: output features */
    size_t cols;        /* K: input features (logical) */
    size_t cols_padded; /* K rounded up to the format's block */
    size_t row_bytes;   /* stride of one packed row in bytes */
    uint8_t *codes;     /* rows × row_bytes, trit_alloc_weights (2 MiB-aligned from TRIT_HUGE_MIN) */
    float *scales;      /* γ: 1 (tensor) or rows (row) floats */
    size_t n_scales;
    size_t alloc_bytes; /* bytes actually allocated for codes + scales (memory reduction reads this) */
} trit_packed;

size_t trit_format_block(trit_format f);          /* weights per block */
const char *trit_format_name(trit_format f);      /* "i2", "t5", "fp32", "fp16", "bf16" */
int trit_format_parse(const char *name, trit_format *out); /* packed ternary formats only: 0 ok, -1 unknown */
/* Any format a kernel descriptor can have (ternary or float): 0 ok, -1 unknown. */
int trit_format_parse_any(const char *name, trit_format *out);
bool trit_format_is_ternary(trit_format f);
size_t trit_format_element_bytes(trit_format f);  /* float formats: 4 or 2; ternary: 0 */
double trit_format_bits_per_weight(trit_format f); /* 2.0, 1.6 (without padding) */

/* Allocates codes and scales for rows × cols; returns 0, or -1 (errno set) on overflow / no memory. */
/* Large streamed weight buffers (formats.c says why): from TRIT_HUGE_MIN bytes up, 2 MiB-aligned with
 * transparent huge pages asked before first touch (best effort); below it, TRIT_ALIGN-aligned. The _zeroed
 * form clears the bytes asked for. Release with trit_free_weights (plain free() works too). NULL when out of
 * memory. */
#define TRIT_HUGE_MIN ((size_t)2 << 20)
void *trit_alloc_weights(size_t bytes);
void *trit_alloc_weights_zeroed(size_t bytes);
void trit_free_weights(void *p);

int trit_packed_alloc(trit_packed *p, trit_format f, trit_granularity g, size_t rows, size_t cols);
void trit_packed_free(trit_packed *p);

/* Packs a row-major int8 matrix with values in {−1, 0, 1} (rows × cols, as allocated) and its scales
 * (1 or rows floats). Returns 0, or -1 if a value is outside {−1, 0, 1}. */
int trit_pack(trit_packed *p, const int8_t *wq, const float *scales);
/* Inverse of trit_pack: writes rows × cols int8 values. Returns 0, or -1 on a corrupt code. */
int trit_unpack(const trit_packed *p, int8_t *wq);

#endif
