/* st_packed.c — loading a packed ternary weight back from a converted checkpoint (the
 * tritbench.packed.v1 convention of safetensors.h), with every field checked against the file. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tritbench/safetensors.h"

static char *meta_key(const char *name)
{
    const size_t n = strlen(ST_PACKED_META_PREFIX) + strlen(name) + 1;
    char *k = malloc(n);
    if (k)
        snprintf(k, n, "%s%s", ST_PACKED_META_PREFIX, name);
    return k;
}

bool st_is_packed(const st_model *m, const char *name)
{
    char *k = meta_key(name);
    const bool yes = k && st_model_meta(m, k) != NULL;
    free(k);
    return yes;
}

/* The file whose __metadata__ holds key (messages name it: a sharded model has many). */
static const char *meta_file(const st_model *m, const char *key)
{
    for (size_t i = 0; i < m->n_files; i++)
        if (st_file_meta(&m->files[i], key))
            return m->files[i].path;
    return m->path ? m->path : "?";
}

/* Prefixes an error with the file it is about, keeping the rest of the message. */
static void name_file(const char *file, char *err, size_t err_len)
{
    char rest[1024];
    snprintf(rest, sizeof rest, "%s", err);
    snprintf(err, err_len, "%s: %s", file, rest);
}

static int parse_desc(const char *text, const char *name, trit_format *f, trit_granularity *g, uint64_t *rows,
                      uint64_t *cols, uint64_t *row_bytes, const char **scale, json_t **keep, char *err, size_t err_len)
{
    json_error_t jerr;
    json_t *d = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
    json_t *shape = json_object_get(d, "shape");
    const char *fmt = json_string_value(json_object_get(d, "format"));
    const char *gran = json_string_value(json_object_get(d, "granularity"));
    json_t *rb = json_object_get(d, "row_bytes");
    *scale = json_string_value(json_object_get(d, "scale"));
    if (!d || !fmt || trit_format_parse(fmt, f) != 0 || !gran ||
        (strcmp(gran, "tensor") != 0 && strcmp(gran, "row") != 0) || !json_is_array(shape) ||
        json_array_size(shape) != 2 || !json_is_integer(json_array_get(shape, 0)) ||
        !json_is_integer(json_array_get(shape, 1)) || json_integer_value(json_array_get(shape, 0)) <= 0 ||
        json_integer_value(json_array_get(shape, 1)) <= 0 || !json_is_integer(rb) || json_integer_value(rb) <= 0 ||
        !*scale) {
        snprintf(err, err_len, "tensor '%s': packed metadata is malformed (needs format i2|t5, granularity tensor|row, "
                 "shape [rows, cols], row_bytes, scale)", name);
        json_decref(d);
        return -1;
    }
    *g = strcmp(gran, "row") == 0 ? TRIT_SCALE_ROW : TRIT_SCALE_TENSOR;
    *rows = (uint64_t)json_integer_value(json_array_get(shape, 0));
    *cols = (uint64_t)json_integer_value(json_array_get(shape, 1));
    *row_bytes = (uint64_t)json_integer_value(rb);
    *keep = d; /* scale points into it */
    return 0;
}

/* Codes must be exactly what trit_pack writes: decodable trits and zero weights in the padding, which
 * the kernels rely on (padding must contribute nothing). Re-packing and comparing checks both. */
static int check_canonical(const trit_packed *p, const char *name, char *err, size_t err_len)
{
    int8_t *wq = malloc(p->rows * p->cols);
    trit_packed again;
    int rc = -1;
    if (!wq || trit_packed_alloc(&again, p->format, p->granularity, p->rows, p->cols) != 0) {
        free(wq);
        snprintf(err, err_len, "tensor '%s': out of memory", name);
        return -1;
    }
    if (trit_unpack(p, wq) != 0)
        snprintf(err, err_len, "tensor '%s': corrupt packed codes (a byte decodes to no trit)", name);
    else if (trit_pack(&again, wq, p->scales) != 0 || memcmp(again.codes, p->codes, p->rows * p->row_bytes) != 0)
        snprintf(err, err_len, "tensor '%s': packed codes are not canonical (non-zero padding or a non-canonical "
                 "byte)", name);
    else
        rc = 0;
    free(wq);
    trit_packed_free(&again);
    return rc;
}

static int packed_describe(const st_model *m, const char *name, trit_format *f, trit_granularity *g, size_t *rows,
                           size_t *cols, size_t *stored_bytes, char *err, size_t err_len)
{
    char *k = meta_key(name);
    const char *desc = k ? st_model_meta(m, k) : NULL;
    free(k);
    if (!desc) {
        snprintf(err, err_len, "tensor '%s': no %s metadata (not a packed ternary weight)", name, ST_PACKED_META_PREFIX);
        return -1;
    }
    uint64_t r, c, rb;
    const char *scale_name;
    json_t *d;
    if (parse_desc(desc, name, f, g, &r, &c, &rb, &scale_name, &d, err, err_len) != 0)
        return -1;
    const st_tensor *codes = st_model_find(m, name), *scales = st_model_find(m, scale_name);
    int rc = -1;
    if (!codes || !scales || r > SIZE_MAX || c > SIZE_MAX)
        snprintf(err, err_len, "tensor '%s': packed codes or scales '%s' missing", name, scale_name);
    else {
        *rows = (size_t)r;
        *cols = (size_t)c;
        *stored_bytes = (codes->end - codes->begin) + (scales->end - scales->begin);
        rc = 0;
    }
    json_decref(d);
    return rc;
}

int st_packed_describe(const st_model *m, const char *name, trit_format *f, trit_granularity *g, size_t *rows,
                       size_t *cols, size_t *stored_bytes, char *err, size_t err_len)
{
    char *k = meta_key(name);
    const int rc = packed_describe(m, name, f, g, rows, cols, stored_bytes, err, err_len);
    if (rc != 0)
        name_file(k ? meta_file(m, k) : m->path, err, err_len);
    free(k);
    return rc;
}

static int load_packed(const st_model *m, const char *name, trit_packed *p, char *err, size_t err_len);

int st_load_packed(const st_model *m, const char *name, trit_packed *p, char *err, size_t err_len)
{
    char *k = meta_key(name);
    const int rc = load_packed(m, name, p, err, err_len);
    if (rc == -1) /* -2: a changed-size error, which names its file already */
        name_file(k ? meta_file(m, k) : m->path, err, err_len);
    free(k);
    return rc == 0 ? 0 : -1;
}

static int load_packed(const st_model *m, const char *name, trit_packed *p, char *err, size_t err_len)
{
    memset(p, 0, sizeof *p);
    char *k = meta_key(name);
    const char *desc = k ? st_model_meta(m, k) : NULL;
    free(k);
    if (!desc) {
        snprintf(err, err_len, "tensor '%s': no %s metadata (not a packed ternary weight)", name, ST_PACKED_META_PREFIX);
        return -1;
    }
    trit_format f;
    trit_granularity g;
    uint64_t rows, cols, row_bytes;
    const char *scale_name;
    json_t *d;
    if (parse_desc(desc, name, &f, &g, &rows, &cols, &row_bytes, &scale_name, &d, err, err_len) != 0)
        return -1;
    int rc = -1;
    const st_tensor *codes = st_model_find(m, name), *scales = st_model_find(m, scale_name);
    /* The descriptor is checked against the codes the file really holds before anything is allocated:
     * a descriptor claiming [1e9, 1e9] over a few bytes must not allocate a terabyte first. */
    const uint64_t block = trit_format_block(f);
    const uint64_t want_row_bytes = (cols / block + (cols % block != 0)) * TRIT_BLOCK_BYTES;
    if (!codes || codes->dtype != ST_U8 || codes->ndim != 2 || codes->shape[0] != rows ||
        codes->shape[1] != row_bytes) {
        snprintf(err, err_len, "tensor '%s': packed codes must be U8 [%llu, %llu]", name, (unsigned long long)rows,
                 (unsigned long long)row_bytes);
    } else if (want_row_bytes != row_bytes) {
        snprintf(err, err_len, "tensor '%s': row_bytes %llu does not match format %s with %llu columns (%llu)", name,
                 (unsigned long long)row_bytes, trit_format_name(f), (unsigned long long)cols,
                 (unsigned long long)want_row_bytes);
    } else if (rows > SIZE_MAX || cols > SIZE_MAX || trit_packed_alloc(p, f, g, (size_t)rows, (size_t)cols) != 0) {
        snprintf(err, err_len, "tensor '%s': shape [%llu, %llu] cannot be allocated", name, (unsigned long long)rows,
                 (unsigned long long)cols);
    } else if (p->row_bytes != row_bytes) {
        snprintf(err, err_len, "tensor '%s': row_bytes %llu does not match format %s with %llu columns (%zu)", name,
                 (unsigned long long)row_bytes, trit_format_name(f), (unsigned long long)cols, p->row_bytes);
    } else if (!codes || codes->dtype != ST_U8 || codes->ndim != 2 || codes->shape[0] != rows ||
               codes->shape[1] != row_bytes) {
        snprintf(err, err_len, "tensor '%s': packed codes must be U8 [%llu, %llu]", name, (unsigned long long)rows,
                 (unsigned long long)row_bytes);
    } else if (!scales || scales->dtype != ST_F32 || scales->ndim != 1 || scales->shape[0] != p->n_scales) {
        snprintf(err, err_len, "tensor '%s': scales '%s' must be F32 [%zu]", name, scale_name, p->n_scales);
    } else {
        memcpy(p->codes, codes->data, p->rows * p->row_bytes);
        memcpy(p->scales, scales->data, p->n_scales * sizeof(float));
        rc = st_tensor_check(codes, err, err_len) == 0 && st_tensor_check(scales, err, err_len) == 0 ? 0 : -2;
        for (size_t i = 0; i < p->n_scales && rc == 0; i++)
            if (!isfinite(p->scales[i]) || p->scales[i] < 0) {
                snprintf(err, err_len, "tensor '%s': scale %zu is %g (must be finite and >= 0)", name, i, p->scales[i]);
                rc = -1;
            }
        if (rc == 0)
            rc = check_canonical(p, name, err, err_len);
    }
    json_decref(d);
    if (rc != 0)
        trit_packed_free(p);
    return rc;
}
