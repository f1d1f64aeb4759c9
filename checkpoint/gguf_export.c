/* gguf_export.c — a checkpoint's linear weights as ggml's ternary block types (TQ2_0, TQ1_0) in a GGUF
 * v3 file, every other tensor in its own type: the bridge from tritbench's quantizer to ggml-based
 * runtimes. Layouts follow ggml's reference (de)quantizers; the weights and γ are tritbench's own. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tritbench/atomic_file.h"
#include "tritbench/quant.h"
#include "tritbench/safetensors.h"

#define QK 256          /* weights per TQ block */
#define GGUF_ALIGN 32   /* general.alignment */
#define GGML_NAME_MAX 64 /* ggml keeps tensor names in char[64] */

enum { GGUF_T_UINT32 = 4, GGUF_T_STRING = 8 };

typedef struct gg_entry {
    const st_tensor *t;
    int quantize;
    uint32_t type;
    uint64_t bytes, offset;
} gg_entry;

typedef struct gg_out {
    FILE *fp;
    uint64_t pos;
    int failed;
} gg_out;

static void put(gg_out *g, const void *p, size_t n)
{
    if (n && fwrite(p, 1, n, g->fp) != n)
        g->failed = 1;
    g->pos += n;
}

static void put_u32(gg_out *g, uint32_t v)
{
    uint8_t b[4];
    for (int i = 0; i < 4; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    put(g, b, 4);
}

static void put_u64(gg_out *g, uint64_t v)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    put(g, b, 8);
}

static void put_str(gg_out *g, const char *s)
{
    put_u64(g, strlen(s));
    put(g, s, strlen(s));
}

static void pad(gg_out *g)
{
    static const uint8_t zeros[GGUF_ALIGN];
    put(g, zeros, (GGUF_ALIGN - g->pos % GGUF_ALIGN) % GGUF_ALIGN);
}

static int ggml_type_of(st_dtype d, uint32_t *t)
{
    switch (d) {
    case ST_F32: *t = 0; return 0;
    case ST_F16: *t = 1; return 0;
    case ST_I8: *t = 24; return 0;
    case ST_I16: *t = 25; return 0;
    case ST_I32: *t = 26; return 0;
    case ST_I64: *t = 27; return 0;
    case ST_F64: *t = 28; return 0;
    case ST_BF16: *t = 30; return 0;
    default: return -1;
    }
}

static size_t block_bytes(st_gguf_type t) { return t == ST_GGUF_TQ2_0 ? 66 : 54; }

/* Five trits (first most significant) as ceil(v·256/243): ggml's fixed-point base-3 byte. */
static uint8_t trits5(const int8_t *x, size_t stride, int n)
{
    unsigned v = 0;
    for (int i = 0; i < n; i++)
        v = v * 3 + (unsigned)(x[stride * (size_t)i] + 1);
    for (int i = n; i < 5; i++)
        v *= 3;
    return (uint8_t)((v * 256 + 242) / 243);
}

/* One row of K = blocks·256 trits into TQ blocks, each with scale d (FP16 bits). */
static void encode_row(st_gguf_type type, const int8_t *row, size_t blocks, uint16_t d, uint8_t *out)
{
    for (size_t b = 0; b < blocks; b++) {
        const int8_t *x = row + b * QK;
        uint8_t *blk = out + b * block_bytes(type);
        if (type == ST_GGUF_TQ2_0) {
            /* byte 32h + m holds k = 128h + m + 32n at bits 2n, n = 0..3 */
            for (size_t h = 0; h < 2; h++)
                for (size_t m = 0; m < 32; m++) {
                    unsigned q = 0;
                    for (unsigned n = 0; n < 4; n++)
                        q |= (unsigned)(x[128 * h + m + 32 * n] + 1) << (2 * n);
                    blk[32 * h + m] = (uint8_t)q;
                }
            blk[64] = (uint8_t)d;
            blk[65] = (uint8_t)(d >> 8);
        } else {
            /* qs[0..31]: k = m + 32n; qs[32..47]: k = 160 + m + 16n; qh[0..3]: k = 240 + j + 4n (4 trits) */
            for (size_t m = 0; m < 32; m++)
                blk[m] = trits5(x + m, 32, 5);
            for (size_t m = 0; m < 16; m++)
                blk[32 + m] = trits5(x + 160 + m, 16, 5);
            for (size_t j = 0; j < 4; j++)
                blk[48 + j] = trits5(x + 240 + j, 4, 4);
            blk[52] = (uint8_t)d;
            blk[53] = (uint8_t)(d >> 8);
        }
    }
}

static int write_quantized(gg_out *g, const st_convert_opts *o, st_gguf_type type, const st_tensor *t, char *err,
                           size_t err_len)
{
    const size_t rows = t->shape[0], cols = t->shape[1], blocks = cols / QK, row_bytes = blocks * block_bytes(type);
    float *W = malloc(t->n_elems * sizeof *W);
    int8_t *wq = malloc(t->n_elems);
    float *gamma = malloc(rows * sizeof *gamma);
    uint8_t *buf = malloc(row_bytes);
    const trit_wquant_opts qo = {.granularity = o->granularity, .method = TRIT_WQ_ABSMEAN, .threshold = 0.5f};
    int rc = -1;
    if (!W || !wq || !gamma || !buf)
        snprintf(err, err_len, "tensor '%s': out of memory", ST_SHOW(t->name));
    else if (st_tensor_to_f32(t, W, err, err_len) != 0)
        ; /* message set */
    else if (trit_quantize_weights(W, rows, cols, &qo, wq, gamma) != 0)
        snprintf(err, err_len, "%s: tensor '%s': non-finite weight (NaN or Inf); cannot quantize", o->in_path,
                 ST_SHOW(t->name));
    else {
        for (size_t m = 0; m < rows; m++) {
            const uint16_t d = st_f32_to_f16(gamma[o->granularity == TRIT_SCALE_ROW ? m : 0]);
            encode_row(type, wq + m * cols, blocks, d, buf);
            put(g, buf, row_bytes);
        }
        rc = 0;
    }
    free(W);
    free(wq);
    free(gamma);
    free(buf);
    return rc;
}

static int plan_entries(const st_convert_opts *o, st_gguf_type type, const st_model *m, gg_entry *e,
                        st_convert_stats *st, void (*plan)(void *, const char *), void *user, char *err, size_t err_len)
{
    uint64_t offset = 0;
    for (size_t i = 0; i < m->n_tensors; i++) {
        const st_tensor *t = m->tensors[i];
        e[i].t = t;
        e[i].quantize = st_convert_selects(o, t, err, err_len);
        if (e[i].quantize < 0)
            return -1;
        if (strlen(t->name) >= GGML_NAME_MAX) {
            snprintf(err, err_len, "%s: tensor '%s': name longer than ggml's %d-character limit", m->path,
                     ST_SHOW(t->name),
                     GGML_NAME_MAX - 1);
            return -1;
        }
        const int selected = e[i].quantize;
        const bool blockable = selected && t->shape[1] % QK == 0;
        const uint64_t in = t->end - t->begin;
        st->n_tensors++;
        st->in_bytes += in;
        if (blockable) {
            e[i].type = (uint32_t)type;
            e[i].bytes = (uint64_t)t->shape[0] * (t->shape[1] / QK) * block_bytes(type);
            st->n_quantized++;
            st->quantized_in_bytes += in;
            st->quantized_out_bytes += e[i].bytes;
        } else {
            if (ggml_type_of(t->dtype, &e[i].type) != 0) {
                snprintf(err, err_len, "%s: tensor '%s': dtype %s has no GGML type", m->path, ST_SHOW(t->name),
                         st_dtype_name(t->dtype));
                return -1;
            }
            e[i].bytes = in;
        }
        e[i].quantize = blockable;
        e[i].offset = offset;
        offset += (e[i].bytes + GGUF_ALIGN - 1) / GGUF_ALIGN * GGUF_ALIGN;
        st->out_bytes += e[i].bytes;
        if (plan) {
            char line[640], name[384];
            snprintf(line, sizeof line, "%s %-56s %s -> %s (%llu -> %llu bytes)%s",
                     blockable ? "quantize " : "keep     ", st_escape_name(t->name, name, sizeof name),
                     st_dtype_name(t->dtype),
                     blockable ? (type == ST_GGUF_TQ2_0 ? "TQ2_0" : "TQ1_0") : "same type", (unsigned long long)in,
                     (unsigned long long)e[i].bytes,
                     selected && !blockable ? " [K not a multiple of 256]" : "");
            plan(user, line);
        }
    }
    return 0;
}

static void write_header(gg_out *g, const st_convert_opts *o, const st_model *m, const gg_entry *e)
{
    const char *base = strrchr(o->in_path, '/');
    put(g, "GGUF", 4);
    put_u32(g, 3);
    put_u64(g, m->n_tensors);
    put_u64(g, 5);
    put_str(g, "general.architecture");
    put_u32(g, GGUF_T_STRING);
    put_str(g, "tritbench");
    put_str(g, "general.alignment");
    put_u32(g, GGUF_T_UINT32);
    put_u32(g, GGUF_ALIGN);
    put_str(g, "general.name");
    put_u32(g, GGUF_T_STRING);
    put_str(g, base && base[1] ? base + 1 : o->in_path);
    put_str(g, "tritbench.granularity");
    put_u32(g, GGUF_T_STRING);
    put_str(g, o->granularity == TRIT_SCALE_ROW ? "row" : "tensor");
    put_str(g, "tritbench.quantizer");
    put_u32(g, GGUF_T_STRING);
    put_str(g, "absmean (BitNet b1.58); d = FP16(gamma)");
    for (size_t i = 0; i < m->n_tensors; i++) {
        const st_tensor *t = e[i].t;
        put_str(g, t->name);
        put_u32(g, t->ndim ? (uint32_t)t->ndim : 1);
        if (t->ndim == 0)
            put_u64(g, 1);
        for (size_t d = t->ndim; d-- > 0;) /* ggml: ne[0] is the innermost (contiguous) dimension */
            put_u64(g, t->shape[d]);
        put_u32(g, e[i].type);
        put_u64(g, e[i].offset);
    }
    pad(g);
}

int st_export_gguf(const st_convert_opts *o, st_gguf_type type, st_convert_stats *stats,
                   void (*plan)(void *user, const char *line), void *user, char *err, size_t err_len)
{
    memset(stats, 0, sizeof *stats);
    err[0] = '\0';
    if (type != ST_GGUF_TQ1_0 && type != ST_GGUF_TQ2_0) {
        snprintf(err, err_len, "unknown GGUF ternary type %d", (int)type);
        return -1;
    }
    if (st_convert_check_opts(o, err, err_len) != 0)
        return -1;
    if (o->dequant_dtype != 0 || o->method != TRIT_WQ_ABSMEAN) {
        snprintf(err, err_len, "GGUF export writes ggml's absmean ternary blocks only (no dequantized output, no "
                 "threshold method)");
        return -1;
    }
    st_model m;
    if (st_model_open(o->in_path, &m, err, err_len) != 0)
        return -1;
    gg_entry *e = calloc(m.n_tensors + 1, sizeof *e);
    tb_atomic_file af;
    int rc = -1, opened = 0;
    if (!e) {
        snprintf(err, err_len, "%s: out of memory", o->in_path);
        goto done;
    }
    char layout_line[1024];
    st_convert_opts eff; /* the layout and its default excludes (st_layout.c); Conv1D is not handled here */
    if (st_layout_resolve(o, &m, &eff, layout_line, sizeof layout_line, err, err_len) != 0)
        goto done;
    o = &eff;
    if (o->layout == ST_LAYOUT_GPT2) {
        snprintf(err, err_len, "%s: GGUF export of a GPT-2 (Conv1D [in, out]) layout is not supported; convert to "
                 "safetensors (i2/t5), which transposes", o->in_path);
        goto done;
    }
    if (plan)
        plan(user, layout_line);
    if ((!o->dry_run && st_refuse_input_as_output(&m, o->out_path, err, err_len) != 0) ||
        plan_entries(o, type, &m, e, stats, plan, user, err, err_len) != 0)
        goto done;
    if (o->dry_run) {
        rc = 0;
        goto done;
    }
    if (tb_atomic_open_flags(&af, o->out_path, TB_ATOMIC_REGULAR_ONLY, err, err_len) != 0)
        goto done;
    opened = 1;
    gg_out g = {.fp = af.fp};
    write_header(&g, o, &m, e);
    const uint64_t data_start = g.pos;
    const bool progress = o->progress || stats->in_bytes > (256u << 20);
    for (size_t i = 0; i < m.n_tensors && !g.failed; i++) {
        if (progress)
            fprintf(stderr, "convert: [%zu/%zu] %s %s\n", i + 1, m.n_tensors, e[i].quantize ? "quantize" : "copy    ",
                    ST_SHOW(e[i].t->name));
        if (g.pos - data_start != e[i].offset) {
            snprintf(err, err_len, "%s: internal error: tensor '%s' at the wrong offset", o->out_path,
                     ST_SHOW(e[i].t->name));
            goto done;
        }
        if (e[i].quantize) {
            if (write_quantized(&g, o, type, e[i].t, err, err_len) != 0)
                goto done;
        } else {
            put(&g, e[i].t->data, e[i].bytes);
            if (st_tensor_check(e[i].t, err, err_len) != 0)
                goto done;
        }
        pad(&g);
    }
    if (g.failed) {
        snprintf(err, err_len, "%s: write failed", o->out_path);
        goto done;
    }
    opened = 0;
    rc = tb_atomic_commit(&af, err, err_len);
done:
    if (opened)
        tb_atomic_abort(&af);
    free(e);
    st_model_close(&m);
    return rc;
}
