/* catalog.h — reproducible inputs: real-model layer shapes and seeded weight/activation generators.
 * Same seed → same numbers on every machine (xoshiro256** + our own transforms, no libc rand). */
#ifndef TRITBENCH_FIXTURES_H
#define TRITBENCH_FIXTURES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A linear layer: rows = output features (M), cols = input features (K). */
typedef struct trit_shape {
    const char *model; /* "bitnet-2b" */
    const char *layer; /* "gate_up" */
    size_t rows, cols;
    int per_block;     /* how many such matrices one transformer block holds (q,k,v,o,...) */
} trit_shape;

/* Shape sets: "bitnet-2b" (BitNet-b1.58-2B-4T), "bitnet-3b", "llama3-8b", "100b", "all", "quick"
 * (small shapes for smoke runs). Returns NULL (count 0) for an unknown set. */
const trit_shape *trit_shapes(const char *set, size_t *count);
const char *trit_shape_sets(void); /* "bitnet-2b, bitnet-3b, ..." for --help and errors */

/* GEMM batch sizes N of the kernels issue: 1, 8, 32, 128, 512. */
const size_t *trit_gemm_batches(size_t *count);

typedef struct trit_rng { uint64_t s[4]; } trit_rng;
void trit_rng_seed(trit_rng *r, uint64_t seed);
uint64_t trit_rng_next(trit_rng *r);
double trit_rng_uniform(trit_rng *r);           /* [0, 1) */
double trit_rng_normal(trit_rng *r);            /* N(0, 1), Box–Muller */
uint64_t trit_rng_below(trit_rng *r, uint64_t n); /* uniform in [0, n), n > 0 */

typedef enum trit_dist {
    TRIT_DIST_GAUSSIAN = 0,
    TRIT_DIST_LAPLACE,
    TRIT_DIST_STUDENT_T3,       /* heavy tails */
    TRIT_DIST_OUTLIER_CHANNELS, /* Gaussian with a few input channels (columns) ×20 */
    TRIT_DIST_COUNT
} trit_dist;
const char *trit_dist_name(trit_dist d);          /* "gaussian", "laplace", "student_t3", "outlier_channels" */
int trit_dist_parse(const char *name, trit_dist *out);

/* Weights with std ≈ 0.02 (as initialised transformers), row-major rows × cols. */
void trit_fill_weights(float *W, size_t rows, size_t cols, trit_dist d, uint64_t seed);
/* Activations N(0,1) per element; with token_outliers, a few tokens get a ×30 spike in one channel. */
void trit_fill_activations(float *X, size_t rows, size_t cols, bool token_outliers, uint64_t seed);

#endif
