/* st_q8head.c — `convert --head q8`: embedding / lm_head tables stored as Q8 rows (lowp.h: absmax int8
 * codes + one FP32 scale per row, the llama.cpp-family deployment of BitNet's full-precision tables):
 *     NAME        I8  [rows, cols]
 *     NAME_scale  F32 [rows]
 *     __metadata__["tritbench.q8.NAME"] = {"format":"q8","shape":[rows,cols],"scale":"NAME_scale",
 *                                          "source_dtype":"BF16"}
 * Quantized by trit_q8_quantize_rows, so a loaded table equals the decoder's in-memory one bit for bit. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tritbench/lowp.h"
#include "tritbench/safetensors.h"

static bool ends_with(const char *s, const char *suffix)
{
    const size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

int st_q8head_selects(const st_convert_opts *o, const st_model *m, const st_tensor *t, char *err, size_t err_len)
{
    if (!(o->head_q8 && t->ndim == 2 && st_dtype_is_float(t->dtype) && t->n_elems > 0 && ends_with(t->name, "weight") &&
          (strstr(t->name, "embed") || strstr(t->name, "lm_head") || strstr(t->name, "wte."))))
        return 0;
    char sn[512];
    snprintf(sn, sizeof sn, "%s%s", t->name, ST_PACKED_SCALE_SUFFIX);
    if (strlen(t->name) + sizeof ST_PACKED_SCALE_SUFFIX > sizeof sn || st_model_find(m, sn)) {
        snprintf(err, err_len, "%s: tensor '%s' already exists (or the name is too long), so the q8 scales of '%s' "
                 "cannot be stored under that name (already converted?)", m->path, ST_SHOW(sn), ST_SHOW(t->name));
        return -1;
    }
    return 1;
}

uint64_t st_q8head_bytes(const st_tensor *t) { return t->shape[0] * t->shape[1] + t->shape[0] * sizeof(float); }

int st_q8head_declare(st_writer *w, const st_tensor *t, char *err, size_t err_len)
{
    const size_t sn_len = strlen(t->name) + sizeof ST_PACKED_SCALE_SUFFIX;
    const size_t key_len = strlen(ST_Q8_META_PREFIX) + strlen(t->name) + 1;
    char *sn = malloc(sn_len), *key = malloc(key_len), *desc = NULL;
    int rc = -1;
    if (sn && key) {
        snprintf(sn, sn_len, "%s%s", t->name, ST_PACKED_SCALE_SUFFIX);
        snprintf(key, key_len, "%s%s", ST_Q8_META_PREFIX, t->name);
        json_t *d = json_pack("{s:s, s:[I, I], s:s, s:s}", "format", "q8", "shape", (json_int_t)t->shape[0],
                              (json_int_t)t->shape[1], "scale", sn, "source_dtype", st_dtype_name(t->dtype));
        desc = d ? json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        json_decref(d);
    }
    const uint64_t sshape[1] = {t->shape[0]};
    if (!desc || st_writer_add_meta(w, key, desc) != 0)
        snprintf(err, err_len, "tensor '%s': out of memory building the header", ST_SHOW(t->name));
    else if (st_writer_add_tensor(w, t->name, ST_I8, 2, t->shape, err, err_len) == 0 &&
             st_writer_add_tensor(w, sn, ST_F32, 1, sshape, err, err_len) == 0)
        rc = 0;
    free(sn);
    free(key);
    free(desc);
    return rc;
}

int st_q8head_write(st_writer *w, const st_tensor *t, char *err, size_t err_len)
{
    const size_t rows = t->shape[0], cols = t->shape[1];
    float *W = malloc(t->n_elems * sizeof *W);
    trit_q8_rows q = {0};
    int rc = -1;
    if (cols > TRIT_Q8_MAX_K) {
        snprintf(err, err_len, "tensor '%s': %zu columns, beyond the Q8 head's %u", ST_SHOW(t->name), cols, TRIT_Q8_MAX_K);
    } else if (!W || trit_q8_alloc(&q, rows, cols) != 0) {
        snprintf(err, err_len, "tensor '%s': out of memory (%zu x %zu)", ST_SHOW(t->name), rows, cols);
    } else if (st_tensor_to_f32(t, W, err, err_len) != 0) {
        /* message set */
    } else if (trit_q8_quantize_rows(&q, 0, rows, W) != 0) {
        snprintf(err, err_len, "tensor '%s': non-finite value (NaN or Inf); cannot quantize to q8", ST_SHOW(t->name));
    } else {
        rc = 0;
        for (size_t r = 0; rc == 0 && r < rows; r++) /* rows without the 64-byte stride padding */
            rc = st_writer_write(w, q.codes + r * q.stride, cols, err, err_len);
        if (rc == 0)
            rc = st_writer_write(w, q.scale, rows * sizeof(float), err, err_len);
    }
    free(W);
    trit_q8_free(&q);
    return rc;
}
