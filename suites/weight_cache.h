/* weight_cache.h — the weights of the matmul and bitlinear suites, generated once per shape and seed and
 * kept across repetitions and interleaved jobs (a 45568×8192 FP32 matrix is 1.5 GB and takes seconds to
 * generate and quantize). Every variant of a shape reads the same numbers. Entries are pinned while a
 * fixture uses them; parts of unpinned ones (the FP32 matrix, each packed form) are evicted least recently
 * used first beyond a memory budget (a quarter of physical memory, at most 6 GiB: all gemv shapes with
 * their FP32 matrices are 4.8 GB), and everything is freed at exit. Not thread-safe: the harness runs one
 * setup at a time. */
#ifndef TRITBENCH_SUITES_WEIGHT_CACHE_H
#define TRITBENCH_SUITES_WEIGHT_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "tritbench/formats.h"

/* Gaussian FP32 weights (rows × cols, trit_fill_weights with seed); pinned. NULL when out of memory. */
const float *tb_wcache_f32(size_t rows, size_t cols, uint32_t seed);
/* Those weights quantized (per tensor, absmean) and packed in format f; pinned. NULL when out of memory. */
const trit_packed *tb_wcache_packed(trit_format f, size_t rows, size_t cols, uint32_t seed);
/* Unpins what one tb_wcache_* call returned (NULL is ignored). */
void tb_wcache_release(const void *p);
/* Frees every unpinned part now: for suites that need the memory themselves (e2e loads multi-GB
 * models), called from their setup. */
void tb_wcache_trim(void);
/* Bytes held now, and the budget (0: the default). For tests and diagnostics. */
size_t tb_wcache_bytes(void);
void tb_wcache_set_budget(size_t bytes);

#endif
