/* fuzz_st_parse.c — libFuzzer target for the safetensors header/offset parser (st_parse): any input
 * must be rejected with a message or accepted with every tensor inside the buffer, tiling the data
 * section, and readable as FP32 without touching a byte outside it. Built by tools/fuzz-safetensors.sh
 * (clang -fsanitize=fuzzer,address) and, with fuzz_replay.c, as a meson test. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tritbench/safetensors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A private copy of exactly `size` bytes, so ASan sees any read past the end. */
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    if (size)
        memcpy(buf, data, size);
    st_file f;
    char err[512];
    if (st_parse(buf, size, "fuzz", &f, err, sizeof err) == 0) {
        size_t covered = 0;
        for (size_t i = 0; i < f.n_tensors; i++) {
            const st_tensor *t = &f.tensors[i];
            if (t->data < buf || t->end > f.data_len || t->begin > t->end ||
                t->data + (t->end - t->begin) > buf + size || t->n_elems * st_dtype_size(t->dtype) != t->end - t->begin)
                abort(); /* the parser promised otherwise */
            covered += t->end - t->begin;
            if (st_dtype_is_float(t->dtype) && t->n_elems < (1u << 20)) {
                float *out = malloc(t->n_elems * sizeof *out + 1);
                if (out && st_tensor_to_f32(t, out, err, sizeof err) != 0)
                    abort();
                free(out);
            }
        }
        if (covered != f.data_len)
            abort();
        st_close(&f);
    } else if (!err[0] || strncmp(err, "fuzz: ", 6) != 0) {
        abort(); /* every rejection says which file */
    }
    free(buf);
    return 0;
}
