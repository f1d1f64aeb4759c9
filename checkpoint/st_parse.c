/* st_parse.c — the safetensors header parser: every check that stands between a hostile file and a
 * crash or a wrong number lives here (and the fuzz target calls exactly this). */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "st_guard.h"
#include "tritbench/safetensors.h"

static void fail(char *err, size_t err_len, const char *file, const char *tensor, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void fail(char *err, size_t err_len, const char *file, const char *tensor, const char *fmt, ...)
{
    char shown[256];
    int n = tensor ? snprintf(err, err_len, "%s: tensor '%s': ", file, st_escape_name(tensor, shown, sizeof shown))
                   : snprintf(err, err_len, "%s: ", file);
    if (n < 0 || (size_t)n >= err_len)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err + n, err_len - (size_t)n, fmt, ap);
    va_end(ap);
}

static void free_contents(st_file *f)
{
    for (size_t i = 0; i < f->n_tensors; i++)
        free(f->tensors[i].name);
    for (size_t i = 0; i < f->n_meta; i++) {
        free(f->meta[i].key);
        free(f->meta[i].value);
    }
    free(f->tensors);
    free(f->meta);
    free(f->path);
    f->tensors = NULL;
    f->meta = NULL;
    f->path = NULL;
    f->n_tensors = f->n_meta = 0;
}

static int parse_metadata(json_t *obj, const char *name, st_file *out, char *err, size_t err_len)
{
    if (!json_is_object(obj)) {
        fail(err, err_len, name, NULL, "__metadata__ is not a JSON object of strings");
        return -1;
    }
    out->meta = calloc(json_object_size(obj) + 1, sizeof *out->meta);
    if (!out->meta) {
        fail(err, err_len, name, NULL, "out of memory");
        return -1;
    }
    const char *key;
    json_t *val;
    json_object_foreach(obj, key, val)
    {
        if (!json_is_string(val)) {
            fail(err, err_len, name, NULL, "__metadata__['%s'] is not a string (safetensors metadata maps strings to strings)",
                 key);
            return -1;
        }
        st_meta *m = &out->meta[out->n_meta++];
        m->key = strdup(key);
        m->value = strdup(json_string_value(val));
        if (!m->key || !m->value) {
            fail(err, err_len, name, NULL, "out of memory");
            return -1;
        }
    }
    return 0;
}

/* A JSON integer in [0, 2^63). */
static int get_u64(json_t *v, uint64_t *out)
{
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return -1;
    *out = (uint64_t)json_integer_value(v);
    return 0;
}

static int shape_text(const st_tensor *t, char *buf, size_t len)
{
    size_t at = 0;
    int n = snprintf(buf, len, "[");
    at = n > 0 ? (size_t)n : 0;
    for (size_t d = 0; d < t->ndim && at < len; d++) {
        n = snprintf(buf + at, len - at, "%s%llu", d ? ", " : "", (unsigned long long)t->shape[d]);
        at += n > 0 ? (size_t)n : 0;
    }
    if (at < len)
        snprintf(buf + at, len - at, "]");
    return 0;
}

static int parse_tensor(const char *tname, json_t *obj, const char *name, size_t data_len, st_tensor *t, char *err,
                        size_t err_len)
{
    if (!json_is_object(obj)) {
        fail(err, err_len, name, tname, "entry is not a JSON object");
        return -1;
    }
    json_t *dt = json_object_get(obj, "dtype");
    if (!json_is_string(dt)) {
        fail(err, err_len, name, tname, "missing or non-string \"dtype\"");
        return -1;
    }
    if (st_dtype_parse(json_string_value(dt), &t->dtype) != 0) {
        fail(err, err_len, name, tname, "unknown dtype '%.40s'", json_string_value(dt));
        return -1;
    }
    json_t *shape = json_object_get(obj, "shape");
    if (!json_is_array(shape) || json_array_size(shape) > ST_MAX_DIMS) {
        fail(err, err_len, name, tname, "\"shape\" must be an array of at most %d non-negative integers", ST_MAX_DIMS);
        return -1;
    }
    t->ndim = json_array_size(shape);
    /* The product is checked left to right with checked multiplication, as the reference parser does
     * (safetensors' checked_mul fold): [2^40, 2^40, 0] overflows at the second dimension and is an
     * error, even though a later zero would make the true product 0. */
    uint64_t elems = 1;
    bool overflow = false;
    for (size_t d = 0; d < t->ndim; d++) {
        if (get_u64(json_array_get(shape, d), &t->shape[d]) != 0) {
            fail(err, err_len, name, tname, "\"shape\"[%zu] is not a non-negative integer", d);
            return -1;
        }
        if (!overflow && t->shape[d] != 0 && elems > UINT64_MAX / t->shape[d])
            overflow = true;
        else if (!overflow)
            elems *= t->shape[d];
    }
    char shp[160];
    shape_text(t, shp, sizeof shp);
    const uint64_t esize = st_dtype_size(t->dtype);
    if (overflow || elems > SIZE_MAX || elems > UINT64_MAX / esize) {
        fail(err, err_len, name, tname, "shape %s: dimension product overflows", shp);
        return -1;
    }
    t->n_elems = (size_t)elems;
    json_t *offs = json_object_get(obj, "data_offsets");
    uint64_t b, e;
    if (!json_is_array(offs) || json_array_size(offs) != 2 || get_u64(json_array_get(offs, 0), &b) != 0 ||
        get_u64(json_array_get(offs, 1), &e) != 0 || b > e) {
        fail(err, err_len, name, tname, "\"data_offsets\" must be [begin, end] with 0 <= begin <= end");
        return -1;
    }
    if (e > data_len) {
        fail(err, err_len, name, tname, "data_offsets [%llu, %llu] out of range: the data section holds %zu bytes",
             (unsigned long long)b, (unsigned long long)e, data_len);
        return -1;
    }
    if (elems * esize != e - b) {
        fail(err, err_len, name, tname, "shape %s x %s is %llu bytes but data_offsets [%llu, %llu] span %llu bytes", shp,
             st_dtype_name(t->dtype), (unsigned long long)(elems * esize), (unsigned long long)b,
             (unsigned long long)e, (unsigned long long)(e - b));
        return -1;
    }
    t->begin = (size_t)b;
    t->end = (size_t)e;
    t->name = strdup(tname);
    if (!t->name) {
        fail(err, err_len, name, tname, "out of memory");
        return -1;
    }
    return 0;
}

static int by_offset(const void *a, const void *b)
{
    const st_tensor *x = *(const st_tensor *const *)a, *y = *(const st_tensor *const *)b;
    if (x->begin != y->begin)
        return x->begin < y->begin ? -1 : 1;
    if (x->end != y->end)
        return x->end < y->end ? -1 : 1;
    return strcmp(x->name, y->name);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const st_tensor *)a)->name, ((const st_tensor *)b)->name);
}

/* The tensors must tile [0, data_len) exactly, as the reference implementation demands: an overlap
 * would let two tensors alias, a gap or a tail is bytes nobody accounts for. */
static int check_tiling(st_file *f, const char *name, char *err, size_t err_len)
{
    const st_tensor **order = malloc((f->n_tensors + 1) * sizeof *order);
    if (!order) {
        fail(err, err_len, name, NULL, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < f->n_tensors; i++)
        order[i] = &f->tensors[i];
    qsort(order, f->n_tensors, sizeof *order, by_offset);
    size_t expected = 0;
    const st_tensor *prev = NULL;
    int rc = 0;
    for (size_t i = 0; i < f->n_tensors && rc == 0; i++) {
        const st_tensor *t = order[i];
        if (t->begin < expected) {
            fail(err, err_len, name, t->name, "data_offsets [%zu, %zu] overlap tensor '%s' [%zu, %zu]", t->begin, t->end,
                 prev ? prev->name : "?", prev ? prev->begin : 0, prev ? prev->end : 0);
            rc = -1;
        } else if (t->begin > expected) {
            fail(err, err_len, name, t->name, "data_offsets [%zu, %zu] leave a gap: bytes [%zu, %zu) of the data section "
                 "belong to no tensor (offsets do not cover the data)", t->begin, t->end, expected, t->begin);
            rc = -1;
        }
        expected = t->end;
        prev = t;
    }
    if (rc == 0 && expected != f->data_len) {
        fail(err, err_len, name, NULL, "bytes [%zu, %zu) at the end of the data section belong to no tensor (offsets do "
             "not cover the data)", expected, f->data_len);
        rc = -1;
    }
    free(order);
    return rc;
}

int st_parse(const uint8_t *buf, size_t len, const char *name, st_file *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    out->guard = -1;
    if (len < 8) {
        fail(err, err_len, name, NULL, "truncated: %zu bytes, shorter than the 8-byte header length field", len);
        return -1;
    }
    uint64_t hlen = 0;
    for (int i = 7; i >= 0; i--)
        hlen = hlen << 8 | buf[i];
    if (hlen > len - 8) {
        fail(err, err_len, name, NULL, "header length %llu goes beyond the file (%zu bytes): truncated or not a "
             "safetensors file", (unsigned long long)hlen, len);
        return -1;
    }
    if (hlen > ST_MAX_HEADER) {
        fail(err, err_len, name, NULL, "header length %llu exceeds the %u-byte limit", (unsigned long long)hlen,
             ST_MAX_HEADER);
        return -1;
    }
    json_error_t jerr;
    json_t *root = json_loadb((const char *)buf + 8, (size_t)hlen, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        fail(err, err_len, name, NULL, "invalid JSON header: %s (line %d, column %d)", jerr.text, jerr.line, jerr.column);
        return -1;
    }
    int rc = -1;
    if (!json_is_object(root)) {
        fail(err, err_len, name, NULL, "invalid JSON header: not a JSON object");
        goto done;
    }
    out->data = buf + 8 + hlen;
    out->data_len = len - 8 - (size_t)hlen;
    out->tensors = calloc(json_object_size(root) + 1, sizeof *out->tensors);
    out->path = strdup(name);
    if (!out->tensors || !out->path) {
        fail(err, err_len, name, NULL, "out of memory");
        goto done;
    }
    const char *key;
    json_t *val;
    json_object_foreach(root, key, val)
    {
        if (strcmp(key, "__metadata__") == 0) {
            if (parse_metadata(val, name, out, err, err_len) != 0)
                goto done;
            continue;
        }
        st_tensor *t = &out->tensors[out->n_tensors];
        if (parse_tensor(key, val, name, out->data_len, t, err, err_len) != 0)
            goto done;
        t->data = out->data + t->begin;
        t->guard = -1;
        out->n_tensors++;
    }
    if (check_tiling(out, name, err, err_len) != 0)
        goto done;
    qsort(out->tensors, out->n_tensors, sizeof *out->tensors, by_name);
    rc = 0;
done:
    json_decref(root);
    if (rc != 0)
        free_contents(out);
    return rc;
}

static const char *file_kind(mode_t m)
{
    return S_ISDIR(m) ? "a directory" : S_ISFIFO(m) ? "a FIFO" : S_ISCHR(m) ? "a character device" :
           S_ISBLK(m) ? "a block device" : S_ISSOCK(m) ? "a socket" : "not a regular file";
}

int st_open(const char *path, st_file *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    out->guard = -1;
    /* O_NONBLOCK: opening a FIFO for reading would otherwise wait forever for a writer, before the
     * regular-file check below could refuse it. It changes nothing for a regular file. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        snprintf(err, err_len, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        snprintf(err, err_len, "%s: is %s, not a regular file (a safetensors checkpoint must be a file)", path,
                 file_kind(sb.st_mode));
        close(fd);
        return -1;
    }
    const size_t size = (size_t)sb.st_size;
    void *map = NULL;
    int guard = -1;
    if (size > 0) {
        map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (map == MAP_FAILED) {
            snprintf(err, err_len, "%s: cannot map: %s", path, strerror(errno));
            close(fd);
            return -1;
        }
        /* The fd stays open in the guard: it re-checks the size after every read (st_guard.c). */
        guard = st_guard_register(map, size, fd, path);
        if (guard < 0) {
            snprintf(err, err_len, "%s: too many checkpoint files open at once", path);
            munmap(map, size);
            close(fd);
            return -1;
        }
    } else {
        close(fd);
    }
    static const uint8_t empty[1];
    if (st_parse(map ? map : empty, size, path, out, err, err_len) != 0 || st_guard_check(guard, err, err_len) != 0) {
        free_contents(out); /* a no-op when st_parse failed (it freed them) */
        st_guard_release(guard);
        if (map)
            munmap(map, size);
        memset(out, 0, sizeof *out);
        out->guard = -1;
        return -1;
    }
    for (size_t i = 0; i < out->n_tensors; i++)
        out->tensors[i].guard = guard;
    out->guard = guard;
    out->map = map;
    out->map_len = size;
    return 0;
}

void st_close(st_file *f)
{
    st_guard_release(f->guard);
    if (f->map)
        munmap(f->map, f->map_len);
    free_contents(f);
    memset(f, 0, sizeof *f);
    f->guard = -1;
}

int st_tensor_check(const st_tensor *t, char *err, size_t err_len) { return st_guard_check(t->guard, err, err_len); }

const st_tensor *st_file_find(const st_file *f, const char *name)
{
    size_t lo = 0, hi = f->n_tensors;
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        const int c = strcmp(f->tensors[mid].name, name);
        if (c == 0)
            return &f->tensors[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const char *st_file_meta(const st_file *f, const char *key)
{
    for (size_t i = 0; i < f->n_meta; i++)
        if (strcmp(f->meta[i].key, key) == 0)
            return f->meta[i].value;
    return NULL;
}
