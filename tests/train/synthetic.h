/* synthetic.h — a seeded toy classification set in tb_dataset form (class prototypes plus pixel noise),
 * so training tests run without Fashion-MNIST. */
#ifndef TB_TESTS_TRAIN_SYNTHETIC_H
#define TB_TESTS_TRAIN_SYNTHETIC_H

#include <stdlib.h>

#include "tests/check.h"
#include "tritbench/catalog.h"
#include "tritbench/train.h"

static void synthetic_dataset(tb_dataset *d, size_t n, size_t dim, size_t classes, uint64_t seed)
{
    trit_rng rng;
    trit_rng_seed(&rng, seed);
    uint8_t *proto = malloc(classes * dim);
    d->pixels = malloc(n * dim);
    d->labels = malloc(n);
    REQUIRE(proto && d->pixels && d->labels);
    for (size_t i = 0; i < classes * dim; i++)
        proto[i] = (uint8_t)(trit_rng_below(&rng, 4) == 0 ? 200 : 20);
    for (size_t s = 0; s < n; s++) {
        const size_t c = (size_t)trit_rng_below(&rng, classes);
        d->labels[s] = (uint8_t)c;
        for (size_t k = 0; k < dim; k++) {
            const double v = proto[c * dim + k] + 60.0 * trit_rng_normal(&rng);
            d->pixels[s * dim + k] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
    }
    free(proto);
    d->n = n;
    d->dim = dim;
    d->n_classes = classes;
}

#endif
