/* fuzz_replay.c — runs the fuzz target without libFuzzer: every file given, then N seeded mutations of
 * each (byte flips, truncations, digit edits inside the header, length-field edits). Under the ASan/UBSan
 * CI build this is the fuzzer's regression test; anywhere it checks the target's invariants. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tritbench/catalog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    uint8_t *b = malloc(cap);
    size_t got;
    while (b && (got = fread(b + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            uint8_t *nb = cap < (64u << 20) ? realloc(b, cap * 2) : NULL;
            if (!nb) {
                free(b);
                b = NULL;
                break;
            }
            b = nb;
            cap *= 2;
        }
    }
    fclose(f);
    *len = n;
    return b;
}

static void mutate(uint8_t *b, size_t *len, trit_rng *r)
{
    if (*len == 0)
        return;
    const int edits = 1 + (int)trit_rng_below(r, 4);
    for (int e = 0; e < edits; e++) {
        const size_t hdr_end = *len > 8 ? 8 + (size_t)(b[0] | b[1] << 8) : *len; /* roughly the header */
        const size_t span = hdr_end < *len ? hdr_end : *len;
        const size_t at = (size_t)trit_rng_below(r, span);
        switch (trit_rng_below(r, 5)) {
        case 0: b[at] ^= (uint8_t)(1u << trit_rng_below(r, 8)); break;
        case 1: *len = (size_t)trit_rng_below(r, *len + 1); return;
        case 2: if (b[at] >= '0' && b[at] <= '9') b[at] = (uint8_t)('0' + trit_rng_below(r, 10)); break;
        case 3: b[trit_rng_below(r, 8 < *len ? 8 : *len)] = (uint8_t)trit_rng_next(r); break;
        default: b[at] = "{}[],:\"0-9e"[trit_rng_below(r, 11)]; break;
        }
    }
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s MUTATIONS FILE...\n", argv[0]);
        return 2;
    }
    const long mutations = strtol(argv[1], NULL, 10);
    trit_rng r;
    trit_rng_seed(&r, 20261122);
    for (int i = 2; i < argc; i++) {
        size_t len;
        uint8_t *orig = slurp(argv[i], &len);
        if (!orig) {
            fprintf(stderr, "%s: cannot read\n", argv[i]);
            return 2;
        }
        LLVMFuzzerTestOneInput(orig, len);
        uint8_t *b = malloc(len + 1);
        for (long m = 0; b && m < mutations; m++) {
            size_t n = len;
            memcpy(b, orig, len);
            mutate(b, &n, &r);
            LLVMFuzzerTestOneInput(b, n);
        }
        free(b);
        free(orig);
    }
    printf("replayed %d file(s) with %ld mutations each\n", argc - 2, mutations);
    return 0;
}
