/* shapes.c — layer shapes (M × K) of the models tritbench measures, from their published configs. */
#include <string.h>

#include "tritbench/catalog.h"

/* BitNet-b1.58-2B-4T: hidden 2560, FFN 6912, 20 heads, 5 KV heads (head dim 128). */
static const trit_shape bitnet_2b[] = {
    {"bitnet-2b", "q_proj", 2560, 2560, 1}, {"bitnet-2b", "kv_proj", 640, 2560, 2},
    {"bitnet-2b", "o_proj", 2560, 2560, 1}, {"bitnet-2b", "gate_up", 6912, 2560, 2},
    {"bitnet-2b", "down", 2560, 6912, 1},
};
/* bitnet_b1_58-3B: hidden 3200, FFN 8640, MHA. */
static const trit_shape bitnet_3b[] = {
    {"bitnet-3b", "qkvo_proj", 3200, 3200, 4},
    {"bitnet-3b", "gate_up", 8640, 3200, 2},
    {"bitnet-3b", "down", 3200, 8640, 1},
};
/* Llama-3-8B: hidden 4096, FFN 14336, 8 KV heads. */
static const trit_shape llama3_8b[] = {
    {"llama3-8b", "qo_proj", 4096, 4096, 2}, {"llama3-8b", "kv_proj", 1024, 4096, 2},
    {"llama3-8b", "gate_up", 14336, 4096, 2}, {"llama3-8b", "down", 4096, 14336, 1},
};
/* The 100B-class configuration of the bitnet.cpp paper: hidden 8192, FFN 45568 — no cache holds it. */
static const trit_shape b100[] = {
    {"100b", "qo_proj", 8192, 8192, 2},
    {"100b", "gate_up", 45568, 8192, 2},
    {"100b", "down", 8192, 45568, 1},
};
/* Small but awkward shapes for smoke runs: tails on both formats' blocks. */
static const trit_shape quick[] = {
    {"quick", "small", 256, 640, 1},
    {"quick", "tail", 333, 1000, 1},
};

static const trit_shape all[] = {
    {"bitnet-2b", "q_proj", 2560, 2560, 1}, {"bitnet-2b", "kv_proj", 640, 2560, 2},
    {"bitnet-2b", "o_proj", 2560, 2560, 1}, {"bitnet-2b", "gate_up", 6912, 2560, 2},
    {"bitnet-2b", "down", 2560, 6912, 1},   {"bitnet-3b", "qkvo_proj", 3200, 3200, 4},
    {"bitnet-3b", "gate_up", 8640, 3200, 2}, {"bitnet-3b", "down", 3200, 8640, 1},
    {"llama3-8b", "qo_proj", 4096, 4096, 2}, {"llama3-8b", "kv_proj", 1024, 4096, 2},
    {"llama3-8b", "gate_up", 14336, 4096, 2}, {"llama3-8b", "down", 4096, 14336, 1},
    {"100b", "qo_proj", 8192, 8192, 2},     {"100b", "gate_up", 45568, 8192, 2},
    {"100b", "down", 8192, 45568, 1},
};

#define SET(name, arr) {name, arr, sizeof arr / sizeof arr[0]}
static const struct {
    const char *name;
    const trit_shape *shapes;
    size_t count;
} sets[] = {
    SET("bitnet-2b", bitnet_2b), SET("bitnet-3b", bitnet_3b), SET("llama3-8b", llama3_8b),
    SET("100b", b100),           SET("quick", quick),         SET("all", all),
};

const trit_shape *trit_shapes(const char *set, size_t *count)
{
    for (size_t i = 0; set && i < sizeof sets / sizeof sets[0]; i++) {
        if (strcmp(set, sets[i].name) == 0) {
            *count = sets[i].count;
            return sets[i].shapes;
        }
    }
    *count = 0;
    return NULL;
}

const char *trit_shape_sets(void) { return "bitnet-2b, bitnet-3b, llama3-8b, 100b, quick, all"; }

static const size_t batches[] = {1, 8, 32, 128, 512};

const size_t *trit_gemm_batches(size_t *count)
{
    *count = sizeof batches / sizeof batches[0];
    return batches;
}
