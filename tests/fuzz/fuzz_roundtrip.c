/* fuzz_roundtrip.c — libFuzzer target for the writers (checkpoint/st_writer.c and the GGUF export
 * of gguf_export.c): the input chooses tensors (names, dtypes, shapes, bytes) and metadata; what the
 * safetensors writer accepts must read back identical through st_open, and the GGUF export of that file
 * must list the same tensors, shapes reversed into ggml order, with every copied tensor's bytes intact
 * and the quantizable one as TQ2_0. A writer rejection must come with a message. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tritbench/safetensors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct cursor {
    const uint8_t *p;
    size_t n, at;
} cursor;

static uint8_t next(cursor *c) { return c->at < c->n ? c->p[c->at++] : 0; }

#define MAX_T 5
typedef struct spec {
    char name[40];
    st_dtype dtype;
    size_t ndim;
    uint64_t shape[2];
    uint8_t *bytes;
    size_t len;
} spec;

/* --- a minimal GGUF reader: just enough to walk the header ---------------------------------------- */
typedef struct gg_in {
    const uint8_t *p;
    size_t n, at;
    int bad;
} gg_in;

static uint64_t rd(gg_in *g, size_t k)
{
    uint64_t v = 0;
    if (g->at + k > g->n) {
        g->bad = 1;
        return 0;
    }
    for (size_t i = 0; i < k; i++)
        v |= (uint64_t)g->p[g->at + i] << (8 * i);
    g->at += k;
    return v;
}

static const uint8_t *rd_str(gg_in *g, uint64_t *len)
{
    *len = rd(g, 8);
    if (g->bad || *len > g->n - g->at) {
        g->bad = 1;
        return NULL;
    }
    const uint8_t *s = g->p + g->at;
    g->at += *len;
    return s;
}

static void skip_value(gg_in *g, uint32_t type, int depth)
{
    static const size_t sizes[13] = {1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8};
    uint64_t len;
    if (type == 8)
        rd_str(g, &len);
    else if (type == 9 && depth == 0) {
        const uint32_t t = (uint32_t)rd(g, 4);
        const uint64_t count = rd(g, 8);
        for (uint64_t i = 0; i < count && !g->bad; i++)
            skip_value(g, t, 1);
    } else if (type < 13 && sizes[type])
        g->at = g->at + sizes[type] <= g->n ? g->at + sizes[type] : (g->bad = 1, g->at);
    else
        g->bad = 1;
}

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    const long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return b;
}

static void check_gguf(const char *path, const spec *s, size_t n_t)
{
    size_t len;
    uint8_t *b = slurp(path, &len);
    if (!b)
        abort();
    gg_in g = {b, len, 0, 0};
    if (rd(&g, 4) != 0x46554747u || rd(&g, 4) != 3)
        abort(); /* "GGUF", version 3 */
    const uint64_t n_tensors = rd(&g, 8), n_kv = rd(&g, 8);
    if (n_tensors != n_t)
        abort();
    for (uint64_t i = 0; i < n_kv && !g.bad; i++) {
        uint64_t kl;
        rd_str(&g, &kl);
        skip_value(&g, (uint32_t)rd(&g, 4), 0);
    }
    uint64_t offsets[MAX_T];
    const spec *which[MAX_T];
    for (uint64_t i = 0; i < n_tensors && !g.bad; i++) {
        uint64_t nl;
        const uint8_t *name = rd_str(&g, &nl);
        const uint32_t nd = (uint32_t)rd(&g, 4);
        which[i] = NULL;
        for (size_t k = 0; k < n_t && name; k++)
            if (strlen(s[k].name) == nl && memcmp(s[k].name, name, nl) == 0)
                which[i] = &s[k];
        if (!which[i])
            abort(); /* a tensor the input did not hold */
        const size_t want_nd = which[i]->ndim ? which[i]->ndim : 1;
        if (nd != want_nd)
            abort();
        for (uint32_t d = 0; d < nd; d++) {
            const uint64_t ne = rd(&g, 8);
            const uint64_t want = which[i]->ndim ? which[i]->shape[which[i]->ndim - 1 - d] : 1;
            if (ne != want)
                abort(); /* ggml lists dimensions innermost first */
        }
        const uint32_t type = (uint32_t)rd(&g, 4);
        offsets[i] = rd(&g, 8);
        if (strcmp(which[i]->name, "q.weight") == 0 && type != ST_GGUF_TQ2_0)
            abort();
    }
    if (g.bad)
        abort();
    const size_t data_start = (g.at + 31) / 32 * 32;
    for (uint64_t i = 0; i < n_tensors; i++) {
        if (strcmp(which[i]->name, "q.weight") == 0)
            continue;
        if (data_start + offsets[i] + which[i]->len > len ||
            memcmp(b + data_start + offsets[i], which[i]->bytes, which[i]->len) != 0)
            abort(); /* a copied tensor's bytes changed */
    }
    free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char dir[256];
    if (!dir[0]) {
        const char *tmp = getenv("TMPDIR");
        snprintf(dir, sizeof dir, "%s/fuzz-roundtrip-%ld", tmp && *tmp ? tmp : "/tmp", (long)getpid());
        char cmd[300];
        snprintf(cmd, sizeof cmd, "mkdir -p '%s'", dir);
        if (system(cmd) != 0)
            abort();
    }
    char st_path[320], gguf_path[320], err[1024] = "";
    snprintf(st_path, sizeof st_path, "%s/rt.safetensors", dir);
    snprintf(gguf_path, sizeof gguf_path, "%s/rt.gguf", dir);
    cursor c = {data, size, 0};
    spec s[MAX_T];
    memset(s, 0, sizeof s);
    size_t n_t = 1 + next(&c) % (MAX_T - 1);
    for (size_t i = 0; i < n_t; i++) {
        size_t nl = 1 + next(&c) % 24, at = 0;
        for (size_t k = 0; k < nl; k++) {
            const uint8_t ch = next(&c);
            s[i].name[at++] = (char)(ch ? ch : 'x');
        }
        snprintf(s[i].name + at, sizeof s[i].name - at, "#%zu", i); /* unique */
        s[i].dtype = (st_dtype)(next(&c) % ST_DTYPE_COUNT);
        s[i].ndim = next(&c) % 3;
        for (size_t d = 0; d < s[i].ndim; d++)
            s[i].shape[d] = next(&c) % 6;
    }
    /* One tensor GGUF can quantize: F32 [2, 256] named like a linear weight. */
    snprintf(s[n_t].name, sizeof s[n_t].name, "q.weight");
    s[n_t].dtype = ST_F32;
    s[n_t].ndim = 2;
    s[n_t].shape[0] = 2;
    s[n_t].shape[1] = 256;
    n_t++;
    char meta_value[32] = "";
    const size_t mv = next(&c) % 16;
    for (size_t k = 0; k < mv && k + 1 < sizeof meta_value; k++) {
        meta_value[k] = (char)(next(&c) | 1);
        meta_value[k + 1] = '\0';
    }

    st_writer *w = st_writer_new(st_path, err, sizeof err);
    if (!w)
        abort();
    int ok = st_writer_add_meta(w, "fuzz", meta_value) == 0;
    for (size_t i = 0; i < n_t && ok; i++) {
        s[i].len = st_dtype_size(s[i].dtype);
        for (size_t d = 0; d < s[i].ndim; d++)
            s[i].len *= s[i].shape[d];
        s[i].bytes = malloc(s[i].len + 1);
        for (size_t k = 0; k < s[i].len; k++)
            s[i].bytes[k] = i == n_t - 1 ? (uint8_t)(k % 4 == 3 ? 0x3f : next(&c)) : next(&c); /* finite floats */
        if (st_writer_add_tensor(w, s[i].name, s[i].dtype, s[i].ndim, s[i].shape, err, sizeof err) != 0) {
            if (!err[0])
                abort();
            ok = 0;
        }
    }
    if (!ok) { /* rejected (a name or value that is not UTF-8): with a message, nothing left behind */
        st_writer_abort(w);
        if (access(st_path, F_OK) == 0)
            unlink(st_path);
        for (size_t i = 0; i < n_t; i++)
            free(s[i].bytes);
        return 0;
    }
    if (st_writer_begin_data(w, err, sizeof err) != 0)
        abort();
    for (size_t i = 0; i < n_t; i++)
        if (st_writer_write(w, s[i].bytes, s[i].len, err, sizeof err) != 0)
            abort();
    if (st_writer_commit(w, err, sizeof err) != 0)
        abort();

    st_file f;
    if (st_open(st_path, &f, err, sizeof err) != 0)
        abort(); /* our writer wrote what our reader refuses */
    if (f.n_tensors != n_t || !st_file_meta(&f, "fuzz") || strcmp(st_file_meta(&f, "fuzz"), meta_value) != 0)
        abort();
    for (size_t i = 0; i < n_t; i++) {
        const st_tensor *t = st_file_find(&f, s[i].name);
        if (!t || t->dtype != s[i].dtype || t->ndim != s[i].ndim || t->end - t->begin != s[i].len ||
            memcmp(t->data, s[i].bytes, s[i].len) != 0)
            abort();
        for (size_t d = 0; d < s[i].ndim; d++)
            if (t->shape[d] != s[i].shape[d])
                abort();
    }
    st_close(&f);

    /* Fuzzed names have no known layout: name one (convert never guesses). */
    st_convert_opts o = {.in_path = st_path, .out_path = gguf_path, .granularity = TRIT_SCALE_ROW,
                         .layout = ST_LAYOUT_LLAMA};
    st_convert_stats stats;
    if (st_export_gguf(&o, ST_GGUF_TQ2_0, &stats, NULL, NULL, err, sizeof err) == 0)
        check_gguf(gguf_path, s, n_t);
    else if (!strstr(err, "has no GGML type") && !strstr(err, "name longer"))
        abort(); /* the only refusals a valid file may get */
    unlink(gguf_path);
    unlink(st_path);
    for (size_t i = 0; i < n_t; i++)
        free(s[i].bytes);
    return 0;
}
