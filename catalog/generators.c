/* generators.c — seeded weight and activation generators (xoshiro256**, seeded by splitmix64). */
#include <math.h>
#include <string.h>

#include "tritbench/catalog.h"

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

void trit_rng_seed(trit_rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
}

uint64_t trit_rng_next(trit_rng *r)
{
    uint64_t *s = r->s;
    const uint64_t result = rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double trit_rng_uniform(trit_rng *r) { return (double)(trit_rng_next(r) >> 11) * 0x1.0p-53; }

double trit_rng_normal(trit_rng *r)
{
    /* Box–Muller; 1 - u keeps log() away from 0. */
    double u1 = 1.0 - trit_rng_uniform(r), u2 = trit_rng_uniform(r);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

uint64_t trit_rng_below(trit_rng *r, uint64_t n)
{
    /* Lemire's multiply-shift with rejection: unbiased. */
    uint64_t x = trit_rng_next(r);
    __uint128_t m = (__uint128_t)x * n;
    uint64_t l = (uint64_t)m;
    if (l < n) {
        uint64_t t = -n % n;
        while (l < t) {
            x = trit_rng_next(r);
            m = (__uint128_t)x * n;
            l = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

static const char *const dist_names[TRIT_DIST_COUNT] = {"gaussian", "laplace", "student_t3", "outlier_channels"};

const char *trit_dist_name(trit_dist d) { return (unsigned)d < TRIT_DIST_COUNT ? dist_names[d] : "?"; }

int trit_dist_parse(const char *name, trit_dist *out)
{
    for (int i = 0; i < TRIT_DIST_COUNT; i++)
        if (name && strcmp(name, dist_names[i]) == 0) {
            *out = (trit_dist)i;
            return 0;
        }
    return -1;
}

static double laplace(trit_rng *r)
{
    double u = trit_rng_uniform(r) - 0.5; /* (−0.5, 0.5) */
    double a = 1.0 - 2.0 * fabs(u);
    if (a <= 0.0)
        a = 0x1.0p-53;
    return (u < 0 ? 1.0 : -1.0) * log(a) / sqrt(2.0); /* unit variance */
}

static double student_t3(trit_rng *r)
{
    /* t = Z / sqrt(chi2_3 / 3); variance 3, scaled to 1. */
    double z = trit_rng_normal(r);
    double c = 0;
    for (int i = 0; i < 3; i++) {
        double g = trit_rng_normal(r);
        c += g * g;
    }
    if (c < 1e-12)
        c = 1e-12;
    return z / sqrt(c / 3.0) / sqrt(3.0);
}

void trit_fill_weights(float *W, size_t rows, size_t cols, trit_dist d, uint64_t seed)
{
    trit_rng r;
    trit_rng_seed(&r, seed);
    const double sd = 0.02;
    for (size_t i = 0; i < rows * cols; i++) {
        double v;
        switch (d) {
        case TRIT_DIST_LAPLACE: v = laplace(&r); break;
        case TRIT_DIST_STUDENT_T3: v = student_t3(&r); break;
        default: v = trit_rng_normal(&r); break;
        }
        W[i] = (float)(sd * v);
    }
    if (d == TRIT_DIST_OUTLIER_CHANNELS && cols > 0) {
        /* About 1 % of the input channels (at least 1) carry ×20 weights, as seen in LLM layers. */
        size_t n_out = cols / 100 ? cols / 100 : 1;
        for (size_t j = 0; j < n_out; j++) {
            size_t c = (size_t)trit_rng_below(&r, cols);
            for (size_t m = 0; m < rows; m++)
                W[m * cols + c] *= 20.0f;
        }
    }
}

void trit_fill_activations(float *X, size_t rows, size_t cols, bool token_outliers, uint64_t seed)
{
    trit_rng r;
    trit_rng_seed(&r, seed ^ 0xac71a7e5ull);
    for (size_t i = 0; i < rows * cols; i++)
        X[i] = (float)trit_rng_normal(&r);
    if (token_outliers && cols > 0) {
        /* One token in eight gets a ×30 spike in one channel: per-token absmax must cope. */
        for (size_t n = 0; n < rows; n += 8) {
            size_t c = (size_t)trit_rng_below(&r, cols);
            X[n * cols + c] *= 30.0f;
        }
    }
}
