/* st_q8head.c — `convert --head q8|q8r`: embedding / lm_head tables stored as Q8 rows (lowp.h: absmax int8
 * codes + one FP32 scale per row, the llama.cpp-family deployment of BitNet's full-precision tables), and
 * for q8r also the 4-bit residual per weight (lowp.h "q8r": the two-stage head re-scores its top rows):
 *     NAME        I8  [rows, cols]
 *     NAME_scale  F32 [rows]
 *     NAME_resid  U8  [rows, ceil(cols/2)]      (q8r only: column k in byte k/2, low nibble for even k,
 *                                                two's complement r in [−8, 7]; w ≈ scale·(q + r/16))
 *     __metadata__["tritbench.q8.NAME"] = {"format":"q8","shape":[rows,cols],"scale":"NAME_scale",
 *                                          "source_dtype":"BF16"}
 *       q8r: {"format":"q8r", …, "resid":"NAME_resid","resid_bits":4}
 * Quantized by trit_q8_quantize_rows / trit_q8r_quantize_rows, so a loaded table equals the decoder's
 * in-memory one bit for bit. st_q8head_load reads either back, checking every shape against the descriptor. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tritbench/lowp.h"
#include "tritbench/safetensors.h"

#define RESID_SUFFIX "_resid"

static bool ends_with(const char *s, const char *suffix)
{
    const size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static char *joined(const char *a, const char *b)
{
    const size_t n = strlen(a) + strlen(b) + 1;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s%s", a, b);
    return s;
}

int st_q8head_selects(const st_convert_opts *o, const st_model *m, const st_tensor *t, char *err, size_t err_len)
{
    if (!((o->head_q8 || o->head_q8r) && t->ndim == 2 && st_dtype_is_float(t->dtype) && t->n_elems > 0 &&
          ends_with(t->name, "weight") &&
          (strstr(t->name, "embed") || strstr(t->name, "lm_head") || strstr(t->name, "wte."))))
        return 0;
    const char *suffixes[2] = {ST_PACKED_SCALE_SUFFIX, RESID_SUFFIX};
    for (int i = 0; i < (o->head_q8r ? 2 : 1); i++) {
        char sn[512];
        snprintf(sn, sizeof sn, "%s%s", t->name, suffixes[i]);
        if (strlen(t->name) + strlen(suffixes[i]) + 1 > sizeof sn || st_model_find(m, sn)) {
            snprintf(err, err_len, "%s: tensor '%s' already exists (or the name is too long), so the q8 %s of '%s' "
                     "cannot be stored under that name (already converted?)", m->path, ST_SHOW(sn),
                     i ? "residuals" : "scales", ST_SHOW(t->name));
            return -1;
        }
    }
    return 1;
}

uint64_t st_q8head_bytes(const st_convert_opts *o, const st_tensor *t)
{
    const uint64_t resid = o->head_q8r ? t->shape[0] * ((t->shape[1] + 1) / 2) : 0;
    return t->shape[0] * t->shape[1] + t->shape[0] * sizeof(float) + resid;
}

int st_q8head_declare(st_writer *w, const st_convert_opts *o, const st_tensor *t, char *err, size_t err_len)
{
    char *sn = joined(t->name, ST_PACKED_SCALE_SUFFIX), *rn = joined(t->name, RESID_SUFFIX);
    char *key = joined(ST_Q8_META_PREFIX, t->name), *desc = NULL;
    int rc = -1;
    if (sn && rn && key) {
        json_t *d = json_pack("{s:s, s:[I, I], s:s, s:s}", "format", o->head_q8r ? "q8r" : "q8", "shape",
                              (json_int_t)t->shape[0], (json_int_t)t->shape[1], "scale", sn, "source_dtype",
                              st_dtype_name(t->dtype));
        if (d && o->head_q8r &&
            (json_object_set_new(d, "resid", json_string(rn)) != 0 ||
             json_object_set_new(d, "resid_bits", json_integer(4)) != 0)) {
            json_decref(d);
            d = NULL;
        }
        desc = d ? json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        json_decref(d);
    }
    const uint64_t sshape[1] = {t->shape[0]}, rshape[2] = {t->shape[0], (t->shape[1] + 1) / 2};
    if (!desc || st_writer_add_meta(w, key, desc) != 0)
        snprintf(err, err_len, "tensor '%s': out of memory building the header", ST_SHOW(t->name));
    else if (st_writer_add_tensor(w, t->name, ST_I8, 2, t->shape, err, err_len) == 0 &&
             st_writer_add_tensor(w, sn, ST_F32, 1, sshape, err, err_len) == 0 &&
             (!o->head_q8r || st_writer_add_tensor(w, rn, ST_U8, 2, rshape, err, err_len) == 0))
        rc = 0;
    free(sn);
    free(rn);
    free(key);
    free(desc);
    return rc;
}

int st_q8head_write(st_writer *w, const st_convert_opts *o, const st_tensor *t, char *err, size_t err_len)
{
    const size_t rows = t->shape[0], cols = t->shape[1];
    float *W = malloc(t->n_elems * sizeof *W);
    trit_q8_rows q = {0};
    trit_q8_resid r = {0};
    int rc = -1;
    if (cols > TRIT_Q8_MAX_K) {
        snprintf(err, err_len, "tensor '%s': %zu columns, beyond the Q8 head's %u", ST_SHOW(t->name), cols, TRIT_Q8_MAX_K);
    } else if (!W || trit_q8_alloc(&q, rows, cols) != 0 || (o->head_q8r && trit_q8r_alloc(&r, rows, cols) != 0)) {
        snprintf(err, err_len, "tensor '%s': out of memory (%zu x %zu)", ST_SHOW(t->name), rows, cols);
    } else if (st_tensor_to_f32(t, W, err, err_len) != 0) {
        /* message set */
    } else if (trit_q8_quantize_rows(&q, 0, rows, W) != 0 ||
               (o->head_q8r && trit_q8r_quantize_rows(&q, &r, 0, rows, W) != 0)) {
        snprintf(err, err_len, "tensor '%s': non-finite value (NaN or Inf); cannot quantize to q8", ST_SHOW(t->name));
    } else {
        rc = 0;
        for (size_t i = 0; rc == 0 && i < rows; i++) /* rows without the 64-byte stride padding */
            rc = st_writer_write(w, q.codes + i * q.stride, cols, err, err_len);
        if (rc == 0)
            rc = st_writer_write(w, q.scale, rows * sizeof(float), err, err_len);
        if (rc == 0 && o->head_q8r) /* the residual plane has no padding: rows × row_bytes as stored */
            rc = st_writer_write(w, r.nib, rows * r.row_bytes, err, err_len);
    }
    free(W);
    trit_q8_free(&q);
    trit_q8r_free(&r);
    return rc;
}

/* The descriptor's fields, checked for type. */
static int parse_desc(const char *desc, const char *name, char *format, size_t flen, uint64_t *rows, uint64_t *cols,
                      char *scale, char *resid, size_t nlen, char *err, size_t err_len)
{
    json_error_t je;
    json_t *d = json_loads(desc, 0, &je);
    const char *f = NULL, *s = NULL, *r = NULL;
    json_int_t R = -1, C = -1, bits = 4;
    const int bad = !d || json_unpack(d, "{s:s, s:[I, I], s:s, s?:s, s?:I}", "format", &f, "shape", &R, &C, "scale",
                                      &s, "resid", &r, "resid_bits", &bits) != 0;
    int rc = -1;
    if (bad || R <= 0 || C <= 0)
        snprintf(err, err_len, "tensor '%s': bad %s descriptor (want format, shape [rows, cols] > 0, scale)", name,
                 ST_Q8_META_PREFIX);
    else if (strcmp(f, "q8") != 0 && strcmp(f, "q8r") != 0)
        snprintf(err, err_len, "tensor '%s': format \"%.32s\" is neither q8 nor q8r", name, f);
    else if (strcmp(f, "q8r") == 0 && (!r || bits != 4))
        snprintf(err, err_len, "tensor '%s': a q8r table needs \"resid\" and \"resid_bits\": 4", name);
    else {
        snprintf(format, flen, "%s", f);
        snprintf(scale, nlen, "%s", s);
        snprintf(resid, nlen, "%s", r ? r : "");
        *rows = (uint64_t)R;
        *cols = (uint64_t)C;
        rc = 0;
    }
    json_decref(d);
    return rc;
}

int st_q8head_load(const st_model *m, const char *name, trit_q8_rows *w, trit_q8_resid *r, char *err, size_t err_len)
{
    memset(w, 0, sizeof *w);
    if (r)
        memset(r, 0, sizeof *r);
    char *key = joined(ST_Q8_META_PREFIX, name);
    const char *desc = key ? st_model_meta(m, key) : NULL;
    free(key);
    if (!desc) {
        snprintf(err, err_len, "tensor '%s': no %s metadata (not a q8 table)", ST_SHOW(name), ST_Q8_META_PREFIX);
        return -1;
    }
    char format[8], sn[512], rn[512];
    uint64_t rows, cols;
    if (parse_desc(desc, ST_SHOW(name), format, sizeof format, &rows, &cols, sn, rn, sizeof sn, err, err_len) != 0)
        return -1;
    const bool q8r = strcmp(format, "q8r") == 0;
    const st_tensor *c = st_model_find(m, name), *s = st_model_find(m, sn), *res = q8r ? st_model_find(m, rn) : NULL;
    const uint64_t rb = (cols + 1) / 2;
    /* Every shape against the descriptor before anything is allocated (a descriptor claiming a huge table
     * over a few bytes must not allocate first). */
    if (r && !q8r) {
        snprintf(err, err_len, "tensor '%s': a q8 table (no residuals) where q8r was asked for", ST_SHOW(name));
    } else if (!c || c->dtype != ST_I8 || c->ndim != 2 || c->shape[0] != rows || c->shape[1] != cols) {
        snprintf(err, err_len, "tensor '%s': q8 codes must be I8 [%llu, %llu]", ST_SHOW(name), (unsigned long long)rows,
                 (unsigned long long)cols);
    } else if (!s || s->dtype != ST_F32 || s->ndim != 1 || s->shape[0] != rows) {
        snprintf(err, err_len, "tensor '%s': scales '%s' must be F32 [%llu]", ST_SHOW(name), ST_SHOW(sn),
                 (unsigned long long)rows);
    } else if (q8r && (!res || res->dtype != ST_U8 || res->ndim != 2 || res->shape[0] != rows || res->shape[1] != rb)) {
        snprintf(err, err_len, "tensor '%s': residuals '%s' must be U8 [%llu, %llu] (4 bits per weight, two per byte)%s",
                 ST_SHOW(name), ST_SHOW(rn), (unsigned long long)rows, (unsigned long long)rb,
                 res ? "" : ": missing");
    } else if (cols > TRIT_Q8_MAX_K || rows > UINT32_MAX || trit_q8_alloc(w, (size_t)rows, (size_t)cols) != 0 ||
               (r && trit_q8r_alloc(r, (size_t)rows, (size_t)cols) != 0)) {
        snprintf(err, err_len, "tensor '%s': shape [%llu, %llu] cannot be allocated (at most %u columns)", ST_SHOW(name),
                 (unsigned long long)rows, (unsigned long long)cols, TRIT_Q8_MAX_K);
    } else {
        for (size_t i = 0; i < rows; i++)
            memcpy(w->codes + i * w->stride, c->data + i * cols, cols);
        memcpy(w->scale, s->data, rows * sizeof(float));
        if (r)
            memcpy(r->nib, res->data, rows * rb);
        int rc = st_tensor_check(c, err, err_len) == 0 && st_tensor_check(s, err, err_len) == 0 &&
                         (!r || st_tensor_check(res, err, err_len) == 0)
                     ? 0
                     : -1;
        for (size_t i = 0; i < rows && rc == 0; i++)
            if (!isfinite(w->scale[i]) || w->scale[i] < 0) {
                snprintf(err, err_len, "tensor '%s': scale %zu is %g (must be finite and >= 0)", ST_SHOW(name), i,
                         (double)w->scale[i]);
                rc = -1;
            }
        /* An odd cols' last high nibble is padding: 0 as written, anything else is not this format. */
        for (size_t i = 0; r && cols % 2 && i < rows && rc == 0; i++)
            if (r->nib[i * rb + rb - 1] >> 4) {
                snprintf(err, err_len, "tensor '%s': residual row %zu has a non-zero padding nibble", ST_SHOW(name), i);
                rc = -1;
            }
        if (rc == 0) {
            trit_q8_update_sums(w, 0, (size_t)rows);
            return 0;
        }
    }
    trit_q8_free(w);
    if (r)
        trit_q8r_free(r);
    return -1;
}
