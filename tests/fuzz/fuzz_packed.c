/* fuzz_packed.c — libFuzzer target for the packed-ternary descriptors (checkpoint/st_packed.c):
 * the input is a safetensors image; every "tritbench.packed.NAME" descriptor in its metadata is described
 * and loaded. Accepted weights must agree with their description and decode to trits; rejections name
 * the file. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tritbench/quant.h"
#include "tritbench/safetensors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    if (size)
        memcpy(buf, data, size);
    st_file f;
    char err[1024];
    if (st_parse(buf, size, "fuzz", &f, err, sizeof err) != 0) {
        free(buf);
        return 0;
    }
    /* The one-file model st_model_open would build (tensors are sorted by name already). */
    st_model m = {.path = "fuzz", .files = &f, .n_files = 1, .n_tensors = f.n_tensors};
    const st_tensor **all = malloc((f.n_tensors + 1) * sizeof *all);
    for (size_t i = 0; all && i < f.n_tensors; i++)
        all[i] = &f.tensors[i];
    m.tensors = all;
    const size_t np = strlen(ST_PACKED_META_PREFIX);
    for (size_t i = 0; all && i < f.n_meta; i++) {
        if (strncmp(f.meta[i].key, ST_PACKED_META_PREFIX, np) != 0)
            continue;
        const char *name = f.meta[i].key + np;
        trit_format fmt;
        trit_granularity g;
        size_t rows, cols, bytes;
        const int described = st_packed_describe(&m, name, &fmt, &g, &rows, &cols, &bytes, err, sizeof err);
        if (described != 0 && strncmp(err, "fuzz: ", 6) != 0)
            abort();
        if (described == 0 && (size_t)rows * cols > (1u << 22))
            continue; /* a valid but huge weight: its allocation is not what is being fuzzed */
        trit_packed p;
        if (st_load_packed(&m, name, &p, err, sizeof err) == 0) {
            if (described != 0 || p.rows != rows || p.cols != cols || p.format != fmt || p.granularity != g)
                abort(); /* loaded, so its description must have passed and must agree */
            int8_t *wq = malloc(p.rows * p.cols + 1);
            if (wq && trit_unpack(&p, wq) != 0)
                abort();
            for (size_t k = 0; wq && k < p.rows * p.cols; k++)
                if (wq[k] < -1 || wq[k] > 1)
                    abort();
            free(wq);
            trit_packed_free(&p);
        } else if (strncmp(err, "fuzz: ", 6) != 0) {
            abort();
        }
    }
    free(all);
    st_close(&f);
    free(buf);
    return 0;
}
