/* formats.c — packed ternary formats: allocation, pack and unpack of the canonical layouts (formats.h). */
#include "tritbench/formats.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "kernels/tables.h"

static const char *const names[TRIT_FMT_COUNT] = {"i2", "t5"};
static const char *const float_names[TRIT_FMT_FLOAT_END - TRIT_FMT_FLOAT_FIRST] = {"fp32", "fp16", "bf16"};

size_t trit_format_block(trit_format f) { return f == TRIT_FMT_T5 ? TRIT_T5_BLOCK : TRIT_I2_BLOCK; }
bool trit_format_is_ternary(trit_format f) { return (unsigned)f < TRIT_FMT_COUNT; }

const char *trit_format_name(trit_format f)
{
    if (trit_format_is_ternary(f))
        return names[f];
    if (f >= TRIT_FMT_FLOAT_FIRST && f < TRIT_FMT_FLOAT_END)
        return float_names[f - TRIT_FMT_FLOAT_FIRST];
    return "?";
}

size_t trit_format_element_bytes(trit_format f)
{
    return f == TRIT_FMT_FP32 ? 4 : (f == TRIT_FMT_FP16 || f == TRIT_FMT_BF16) ? 2 : 0;
}

int trit_format_parse_any(const char *name, trit_format *out)
{
    if (trit_format_parse(name, out) == 0)
        return 0;
    for (int i = TRIT_FMT_FLOAT_FIRST; i < TRIT_FMT_FLOAT_END; i++)
        if (name && strcmp(name, float_names[i - TRIT_FMT_FLOAT_FIRST]) == 0) {
            *out = (trit_format)i;
            return 0;
        }
    return -1;
}
double trit_format_bits_per_weight(trit_format f) { return f == TRIT_FMT_T5 ? 1.6 : 2.0; }

int trit_format_parse(const char *name, trit_format *out)
{
    for (int i = 0; i < TRIT_FMT_COUNT; i++)
        if (name && strcmp(name, names[i]) == 0) {
            *out = (trit_format)i;
            return 0;
        }
    return -1;
}

void *trit_aligned_alloc(size_t bytes)
{
    size_t rounded = (bytes + TRIT_ALIGN - 1) / TRIT_ALIGN * TRIT_ALIGN;
    if (rounded < bytes || rounded == 0)
        rounded = TRIT_ALIGN;
    void *p = NULL;
    if (posix_memalign(&p, TRIT_ALIGN, rounded) != 0)
        return NULL;
    return p;
}

/* Every large weight buffer that a kernel streams once per token (packed ternary codes, FP32/FP16/BF16
 * matrices, embedding/lm_head tables, Q8 codes) comes from here, so that formats are compared on the same
 * pages. Why: on 4 KiB pages such a stream misses the TLB every 64 lines and the hardware prefetchers stop at
 * every page boundary; a 328 MB read stream measured 18.7 GB/s on 4 KiB pages vs 30.8 GB/s on 2 MiB
 * transparent huge pages (1 thread, this machine). A buffer of ≥ TRIT_HUGE_MIN bytes is aligned to 2 MiB and
 * madvise(MADV_HUGEPAGE)d before anything touches it, so its first faults can take whole huge pages; where
 * THP is off, or not Linux, madvise fails or is absent and the pages stay ordinary (best effort, silent).
 * The bytes requested are unchanged (only the start is aligned): memory accounting does not move. The result
 * is released with free() (trit_free_weights), like trit_aligned_alloc's. */
static void *alloc_weights(size_t bytes, bool zero)
{
    if (bytes < TRIT_HUGE_MIN) {
        void *p = trit_aligned_alloc(bytes);
        if (p && zero)
            memset(p, 0, bytes);
        return p;
    }
    const size_t rounded = (bytes + TRIT_ALIGN - 1) / TRIT_ALIGN * TRIT_ALIGN;
    if (rounded < bytes)
        return NULL;
    void *p = NULL;
    if (posix_memalign(&p, TRIT_HUGE_MIN, rounded) != 0)
        return NULL;
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    /* Whole 2 MiB units only: the tail past the last one may share a page with another allocation. */
    (void)madvise(p, rounded / TRIT_HUGE_MIN * TRIT_HUGE_MIN, MADV_HUGEPAGE);
#endif
    if (zero) /* glibc's mmap'ed chunks are zero already, but a reused heap chunk is not */
        memset(p, 0, bytes);
    return p;
}

void *trit_alloc_weights(size_t bytes) { return alloc_weights(bytes, false); }
void *trit_alloc_weights_zeroed(size_t bytes) { return alloc_weights(bytes, true); }
void trit_free_weights(void *p) { free(p); }

int trit_packed_alloc(trit_packed *p, trit_format f, trit_granularity g, size_t rows, size_t cols)
{
    memset(p, 0, sizeof *p);
    if ((unsigned)f >= TRIT_FMT_COUNT || rows == 0 || cols == 0) {
        errno = EINVAL;
        return -1;
    }
    const size_t block = trit_format_block(f);
    const size_t blocks = cols / block + (cols % block != 0);
    p->format = f;
    p->granularity = g;
    p->rows = rows;
    p->cols = cols;
    p->cols_padded = blocks * block;
    p->row_bytes = blocks * TRIT_BLOCK_BYTES;
    p->n_scales = g == TRIT_SCALE_ROW ? rows : 1;
    if (p->row_bytes / TRIT_BLOCK_BYTES != blocks || rows > SIZE_MAX / p->row_bytes) {
        errno = EOVERFLOW;
        return -1;
    }
    const size_t code_bytes = rows * p->row_bytes;
    p->codes = trit_alloc_weights(code_bytes);
    p->scales = trit_aligned_alloc(p->n_scales * sizeof(float));
    if (!p->codes || !p->scales) {
        trit_packed_free(p);
        errno = ENOMEM;
        return -1;
    }
    p->alloc_bytes = code_bytes + p->n_scales * sizeof(float);
    return 0;
}

void trit_packed_free(trit_packed *p)
{
    trit_free_weights(p->codes);
    free(p->scales);
    p->codes = NULL;
    p->scales = NULL;
    p->alloc_bytes = 0;
}

/* Weight at logical column k of a row, or 0 in the padding. */
static int weight_at(const int8_t *row, size_t cols, size_t k) { return k < cols ? row[k] : 0; }

static void pack_row_i2(uint8_t *dst, const int8_t *row, size_t cols, size_t blocks)
{
    for (size_t b = 0; b < blocks; b++)
        for (size_t j = 0; j < 64; j++) {
            unsigned byte = 0;
            for (unsigned i = 0; i < 4; i++)
                byte |= (unsigned)(weight_at(row, cols, b * TRIT_I2_BLOCK + j + 64 * i) + 1) << (2 * i);
            dst[b * 64 + j] = (uint8_t)byte;
        }
}

static void pack_row_t5(uint8_t *dst, const int8_t *row, size_t cols, size_t blocks)
{
    for (size_t b = 0; b < blocks; b++)
        for (size_t j = 0; j < 64; j++) {
            unsigned v = 0;
            for (unsigned i = 0; i < 5; i++)
                v = v * 3 + (unsigned)(weight_at(row, cols, b * TRIT_T5_BLOCK + j + 64 * i) + 1);
            /* ceil(v·256/243): the fixed-point form whose digits decode by multiplication (formats.h). */
            dst[b * 64 + j] = (uint8_t)((v * 256 + 242) / 243);
        }
}

int trit_pack(trit_packed *p, const int8_t *wq, const float *scales)
{
    for (size_t i = 0; i < p->rows * p->cols; i++)
        if (wq[i] < -1 || wq[i] > 1)
            return -1;
    const size_t blocks = p->row_bytes / TRIT_BLOCK_BYTES;
    for (size_t m = 0; m < p->rows; m++) {
        uint8_t *dst = p->codes + m * p->row_bytes;
        const int8_t *row = wq + m * p->cols;
        if (p->format == TRIT_FMT_I2)
            pack_row_i2(dst, row, p->cols, blocks);
        else
            pack_row_t5(dst, row, p->cols, blocks);
    }
    memcpy(p->scales, scales, p->n_scales * sizeof(float));
    return 0;
}

int trit_unpack(const trit_packed *p, int8_t *wq)
{
    const size_t block = trit_format_block(p->format);
    for (size_t m = 0; m < p->rows; m++) {
        const uint8_t *src = p->codes + m * p->row_bytes;
        for (size_t k = 0; k < p->cols; k++) {
            const size_t b = k / block, r = k % block, j = r % 64, i = r / 64;
            const uint8_t byte = src[b * 64 + j];
            int d = p->format == TRIT_FMT_I2 ? (byte >> (2 * i)) & 3 : trit_t5_digit(byte, (int)i);
            if (d > 2)
                return -1; /* I2 code 3 is not a weight */
            wq[m * p->cols + k] = (int8_t)(d - 1);
        }
    }
    return 0;
}
