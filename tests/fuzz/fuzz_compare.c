/* fuzz_compare.c — libFuzzer target for what `tritbench compare` reads (reports/compare.c cmp_parse:
 * our results.json and google/benchmark JSON): accepted with finite, positive samples and a comparison
 * that pairs every name with itself, or rejected with a message naming the origin. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "reports/compare.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    cmp_file *f = calloc(1, sizeof *f); /* 4 KiB path inside: not on the fuzzer's stack */
    char err[1024] = "";
    if (f && cmp_parse(text, size, "fuzz", f, err, sizeof err) == 0) {
        for (size_t i = 0; i < f->n; i++)
            for (size_t k = 0; k < f->b[i].n; k++)
                if (!(f->b[i].times[k] >= 0) || isinf(f->b[i].times[k]))
                    abort(); /* a sample the statistics cannot use got through */
        cmp_result r;
        if (cmp_compare(f, f, 0.05, 0.05, &r) == 0) {
            if (r.n_only_base || r.n_only_new || r.n_regressions)
                abort(); /* a file against itself: every name pairs, nothing regresses */
            cmp_result_free(&r);
        }
        cmp_file_free(f);
    } else if (f && strncmp(err, "fuzz", 4) != 0) {
        abort();
    }
    free(f);
    free(text);
    return 0;
}
