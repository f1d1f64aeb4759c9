/* st_writer.c — streaming safetensors writer: tensors are declared first (their sizes fix the header),
 * then their bytes stream through an atomic temporary that is renamed over the target only when every
 * declared byte has arrived. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tritbench/atomic_file.h"
#include "tritbench/safetensors.h"

#include "st_guard.h"

struct st_writer {
    tb_atomic_file af;
    json_t *header; /* tensors in declaration order */
    json_t *meta;
    uint64_t declared, written;
    bool data_started;
};

st_writer *st_writer_new(const char *path, char *err, size_t err_len)
{
    st_writer *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(err, err_len, "%s: out of memory", path);
        return NULL;
    }
    w->header = json_object();
    w->meta = json_object();
    if (!w->header || !w->meta) {
        snprintf(err, err_len, "%s: out of memory", path);
        json_decref(w->header);
        json_decref(w->meta);
        free(w);
        return NULL;
    }
    if (tb_atomic_open_flags(&w->af, path, TB_ATOMIC_REGULAR_ONLY, err, err_len) != 0) {
        json_decref(w->header);
        json_decref(w->meta);
        free(w);
        return NULL;
    }
    return w;
}

int st_writer_add_meta(st_writer *w, const char *key, const char *value)
{
    return json_object_set_new(w->meta, key, json_string(value));
}

int st_writer_add_tensor(st_writer *w, const char *name, st_dtype dtype, size_t ndim, const uint64_t *shape,
                         char *err, size_t err_len)
{
    if (w->data_started || ndim > ST_MAX_DIMS || (unsigned)dtype >= ST_DTYPE_COUNT) {
        snprintf(err, err_len, "tensor '%s': bad declaration", name);
        return -1;
    }
    json_t *probe = json_string(name); /* NULL when not UTF-8: the header is JSON and could not hold it */
    json_decref(probe);
    if (!probe) {
        snprintf(err, err_len, "tensor name is not valid UTF-8 (a safetensors header is JSON text)");
        return -1;
    }
    if (strcmp(name, "__metadata__") == 0 || json_object_get(w->header, name)) {
        snprintf(err, err_len, "tensor '%s': declared twice (or a reserved name)", name);
        return -1;
    }
    uint64_t bytes = st_dtype_size(dtype);
    json_t *jshape = json_array();
    for (size_t d = 0; d < ndim; d++) {
        if (shape[d] != 0 && bytes > UINT64_MAX / shape[d]) {
            json_decref(jshape);
            snprintf(err, err_len, "tensor '%s': size overflows", name);
            return -1;
        }
        bytes *= shape[d];
        json_array_append_new(jshape, json_integer((json_int_t)shape[d]));
    }
    if (w->declared > UINT64_MAX - bytes) {
        json_decref(jshape);
        snprintf(err, err_len, "tensor '%s': file size overflows", name);
        return -1;
    }
    json_t *t = json_pack("{s:s, s:o, s:[I, I]}", "dtype", st_dtype_name(dtype), "shape", jshape, "data_offsets",
                          (json_int_t)w->declared, (json_int_t)(w->declared + bytes));
    if (!t || json_object_set_new(w->header, name, t) != 0) {
        snprintf(err, err_len, "tensor '%s': out of memory", name);
        return -1;
    }
    w->declared += bytes;
    return 0;
}

int st_writer_begin_data(st_writer *w, char *err, size_t err_len)
{
    /* __metadata__ first, then tensors in data order: what the reference writer produces, and it keeps
     * the header readable by eye. */
    json_t *root = json_object();
    if (!root) {
        snprintf(err, err_len, "%s: out of memory", w->af.path);
        return -1;
    }
    if (json_object_size(w->meta))
        json_object_set(root, "__metadata__", w->meta);
    json_object_update(root, w->header);
    char *text = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (!text) {
        snprintf(err, err_len, "%s: cannot serialize the header", w->af.path);
        return -1;
    }
    /* Pad with spaces to 8 bytes so the data section starts aligned (as the reference writer does). */
    const size_t n = strlen(text), padded = (n + 7) / 8 * 8;
    uint8_t len8[8];
    for (int i = 0; i < 8; i++)
        len8[i] = (uint8_t)((uint64_t)padded >> (8 * i));
    int ok = fwrite(len8, 1, 8, w->af.fp) == 8 && fwrite(text, 1, n, w->af.fp) == n;
    for (size_t i = n; ok && i < padded; i++)
        ok = fputc(' ', w->af.fp) != EOF;
    free(text);
    if (!ok) {
        snprintf(err, err_len, "%s: write failed: %s", w->af.tmp_path, strerror(errno));
        return -1;
    }
    w->data_started = true;
    return 0;
}

int st_writer_write(st_writer *w, const void *data, size_t len, char *err, size_t err_len)
{
    if (!w->data_started || len > w->declared - w->written) {
        snprintf(err, err_len, "%s: more bytes written than declared", w->af.path);
        return -1;
    }
    if (len && fwrite(data, 1, len, w->af.fp) != len) {
        const int saved = errno;
        /* data may be a mapped input that shrank: the kernel's read of it fails with EFAULT, no SIGBUS */
        if (saved == EFAULT && st_guard_check_address(data, err, err_len) != 0)
            return -1;
        snprintf(err, err_len, "%s: write failed: %s", w->af.tmp_path, strerror(saved));
        return -1;
    }
    w->written += len;
    return 0;
}

static void writer_free(st_writer *w)
{
    json_decref(w->header);
    json_decref(w->meta);
    free(w);
}

int st_writer_commit(st_writer *w, char *err, size_t err_len)
{
    if (!w->data_started || w->written != w->declared) {
        snprintf(err, err_len, "%s: %llu of %llu data bytes written; not committing", w->af.path,
                 (unsigned long long)w->written, (unsigned long long)w->declared);
        st_writer_abort(w);
        return -1;
    }
    const int rc = tb_atomic_commit(&w->af, err, err_len);
    writer_free(w);
    return rc;
}

void st_writer_abort(st_writer *w)
{
    if (!w)
        return;
    tb_atomic_abort(&w->af);
    writer_free(w);
}
