/* st_convert.c — checkpoint → packed ternary checkpoint: plans every tensor (quantize or copy), then
 * streams the output through the atomic writer so a failure never leaves a partial file. */
#include <jansson.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tritbench/quant.h"
#include "tritbench/safetensors.h"

static bool dequantizing(const st_convert_opts *o) { return o->dequant_dtype == ST_F16 || o->dequant_dtype == ST_BF16; }

static const char *const default_excludes[] = {"embed", "lm_head", "norm"};

const char *const *st_default_excludes(size_t *count)
{
    *count = sizeof default_excludes / sizeof default_excludes[0];
    return default_excludes;
}

static bool ends_with(const char *s, const char *suffix)
{
    const size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

int st_convert_check_opts(const st_convert_opts *o, char *err, size_t err_len)
{
    if (o->dequant_dtype != 0 && !dequantizing(o)) {
        snprintf(err, err_len, "dequantized output must be F16 or BF16 (got %s)", st_dtype_name(o->dequant_dtype));
        return -1;
    }
    if (o->method != TRIT_WQ_ABSMEAN && o->method != TRIT_WQ_THRESHOLD) {
        snprintf(err, err_len, "unknown quantization method %d", (int)o->method);
        return -1;
    }
    if (o->method == TRIT_WQ_THRESHOLD && !(o->threshold > 0.0f && o->threshold < 1e30f)) {
        snprintf(err, err_len, "--threshold must be a finite number > 0 for --method threshold (got %g)",
                 (double)o->threshold);
        return -1;
    }
    for (size_t i = 0; i < o->n_excludes; i++) {
        regex_t re;
        const int rc = regcomp(&re, o->excludes[i], REG_EXTENDED | REG_NOSUB);
        if (rc != 0) {
            char msg[128];
            regerror(rc, &re, msg, sizeof msg);
            snprintf(err, err_len, "bad --exclude regex '%s': %s", o->excludes[i], msg);
            return -1;
        }
        regfree(&re);
    }
    return 0;
}

int st_convert_selects(const st_convert_opts *o, const st_tensor *t, char *err, size_t err_len)
{
    if (t->ndim != 2 || !st_dtype_is_float(t->dtype) || t->n_elems == 0 || !ends_with(t->name, "weight"))
        return 0;
    for (size_t i = 0; i < o->n_excludes; i++) {
        regex_t re;
        const int rc = regcomp(&re, o->excludes[i], REG_EXTENDED | REG_NOSUB);
        if (rc != 0) {
            char msg[128];
            regerror(rc, &re, msg, sizeof msg);
            snprintf(err, err_len, "bad --exclude regex '%s': %s", o->excludes[i], msg);
            return -1;
        }
        const bool hit = regexec(&re, t->name, 0, NULL, 0) == 0;
        regfree(&re);
        if (hit)
            return 0;
    }
    return 1;
}

/* The path we would write is one of the inputs? Compared by device and inode, so symlinks, hard links
 * and "./x" spellings are all caught. */
int st_refuse_input_as_output(const st_model *m, const char *out, char *err, size_t err_len)
{
    struct stat so, si;
    if (stat(out, &so) != 0)
        return 0; /* does not exist yet: cannot be an input */
    if (S_ISDIR(so.st_mode)) {
        snprintf(err, err_len, "%s: is a directory; -o needs a file name", out);
        return -1;
    }
    for (size_t i = 0; i <= m->n_files; i++) {
        const char *in = i < m->n_files ? m->files[i].path : m->index_path;
        if (in && stat(in, &si) == 0 && si.st_dev == so.st_dev && si.st_ino == so.st_ino) {
            snprintf(err, err_len, "%s: is the input (%s); refusing to overwrite it", out, in);
            return -1;
        }
    }
    return 0;
}

typedef struct plan_entry {
    const st_tensor *t;
    int quantize;
    bool q8; /* --head q8 table */
    size_t row_bytes, n_scales;
    size_t rows, cols; /* as quantized: [out, in] (st_layout.c transposes a Conv1D's [in, out]) */
    bool transpose;
    /* --format f16|bf16 only: what the ternary projection gave (measured in the plan, as the header that
     * carries them is written before any data). */
    size_t zeros;
    float gamma_min, gamma_max;
    double gamma_sum;
} plan_entry;

/* W → ternary exactly as trit_quantize_weights does in memory (absmean, or the threshold quantizer). */
static int project(const st_convert_opts *o, const plan_entry *e, int8_t *wq, float *gamma, char *err,
                   size_t err_len)
{
    const st_tensor *t = e->t;
    const size_t rows = e->rows, cols = e->cols;
    float *W = malloc(t->n_elems * sizeof *W);
    int rc = -1;
    const trit_wquant_opts qo = {.granularity = o->granularity, .method = o->method,
                                 .threshold = o->method == TRIT_WQ_THRESHOLD ? o->threshold : 0.5f};
    if (!W)
        snprintf(err, err_len, "tensor '%s': out of memory (%zu x %zu)", ST_SHOW(t->name), rows, cols);
    else if (st_tensor_to_f32(t, W, err, err_len) != 0)
        ; /* message set */
    else if (e->transpose && st_transpose_f32(W, cols, rows) != 0)
        snprintf(err, err_len, "tensor '%s': out of memory (%zu x %zu)", ST_SHOW(t->name), rows, cols);
    else if (trit_quantize_weights(W, rows, cols, &qo, wq, gamma) != 0)
        snprintf(err, err_len, "%s: tensor '%s': non-finite weight (NaN or Inf); cannot quantize", o->in_path,
                 ST_SHOW(t->name));
    else
        rc = 0;
    free(W);
    return rc;
}

static int measure_projection(const st_convert_opts *o, plan_entry *e, char *err, size_t err_len)
{
    int8_t *wq = malloc(e->t->n_elems);
    float *gamma = malloc(e->n_scales * sizeof *gamma);
    int rc = -1;
    if (!wq || !gamma)
        snprintf(err, err_len, "tensor '%s': out of memory", ST_SHOW(e->t->name));
    else if (project(o, e, wq, gamma, err, err_len) == 0) {
        for (size_t i = 0; i < e->t->n_elems; i++)
            e->zeros += wq[i] == 0;
        e->gamma_min = e->gamma_max = gamma[0];
        for (size_t i = 0; i < e->n_scales; i++) {
            e->gamma_sum += gamma[i];
            e->gamma_min = gamma[i] < e->gamma_min ? gamma[i] : e->gamma_min;
            e->gamma_max = gamma[i] > e->gamma_max ? gamma[i] : e->gamma_max;
        }
        rc = 0;
    }
    free(wq);
    free(gamma);
    return rc;
}

static void packed_size(trit_format f, trit_granularity g, size_t rows, size_t cols, size_t *row_bytes,
                        size_t *n_scales)
{
    const size_t block = trit_format_block(f);
    *row_bytes = (cols / block + (cols % block != 0)) * TRIT_BLOCK_BYTES;
    *n_scales = g == TRIT_SCALE_ROW ? rows : 1;
}

static char *scale_name(const char *name)
{
    const size_t n = strlen(name) + sizeof ST_PACKED_SCALE_SUFFIX;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s%s", name, ST_PACKED_SCALE_SUFFIX);
    return s;
}

static int make_plan(const st_convert_opts *o, const st_model *m, plan_entry *plan, st_convert_stats *st, char *err,
                     size_t err_len)
{
    for (size_t i = 0; i < m->n_tensors; i++) {
        const st_tensor *t = m->tensors[i];
        plan_entry *e = &plan[i];
        e->t = t;
        e->quantize = st_convert_selects(o, t, err, err_len);
        if (e->quantize < 0)
            return -1;
        const uint64_t in_bytes = t->end - t->begin;
        st->in_bytes += in_bytes;
        st->n_tensors++;
        const int q8 = e->quantize ? 0 : st_q8head_selects(o, m, t, err, err_len);
        if (q8 < 0)
            return -1;
        e->q8 = q8 == 1;
        if (!e->quantize) {
            st->out_bytes += e->q8 ? st_q8head_bytes(o, t) : in_bytes;
            continue;
        }
        char *sn = scale_name(t->name);
        const bool clash = sn && st_model_find(m, sn) != NULL;
        if (!sn || clash) {
            snprintf(err, err_len, "%s: tensor '%s' already exists, so the scales of '%s' cannot be stored under that "
                     "name (already converted? exclude it)", m->path, sn ? sn : "?", ST_SHOW(t->name));
            free(sn);
            return -1;
        }
        free(sn);
        e->transpose = st_layout_transposes(o->layout, t);
        e->rows = t->shape[e->transpose ? 1 : 0];
        e->cols = t->shape[e->transpose ? 0 : 1];
        packed_size(o->format, o->granularity, e->rows, e->cols, &e->row_bytes, &e->n_scales);
        const uint64_t out = dequantizing(o) ? (uint64_t)t->n_elems * 2
                                             : (uint64_t)e->rows * e->row_bytes + e->n_scales * sizeof(float);
        if (dequantizing(o) && measure_projection(o, e, err, err_len) != 0)
            return -1;
        st->out_bytes += out;
        st->quantized_in_bytes += in_bytes;
        st->quantized_out_bytes += out;
        st->n_quantized++;
    }
    return 0;
}

/* An input's own packed descriptors are copied to the output (an already converted tensor is copied as
 * it is); one our reader would reject must not be copied into a file we sign as ours. A descriptor of a
 * tensor this run quantizes again is replaced, so it is not checked. */
static int check_input_descriptors(const st_model *m, const plan_entry *plan, char *err, size_t err_len)
{
    const size_t np = strlen(ST_PACKED_META_PREFIX);
    for (size_t f = 0; f < m->n_files; f++)
        for (size_t i = 0; i < m->files[f].n_meta; i++) {
            const char *key = m->files[f].meta[i].key;
            if (strncmp(key, ST_PACKED_META_PREFIX, np) != 0)
                continue;
            const st_tensor *t = st_model_find(m, key + np);
            size_t k = 0;
            while (t && k < m->n_tensors && m->tensors[k] != t)
                k++;
            if (t && k < m->n_tensors && plan[k].quantize)
                continue;
            trit_format fmt;
            trit_granularity g;
            size_t rows, cols, bytes;
            char why[512];
            if (st_packed_describe(m, key + np, &fmt, &g, &rows, &cols, &bytes, why, sizeof why) != 0) {
                char name[256];
                snprintf(err, err_len, "%s: __metadata__ key '%s' is not a valid packed descriptor, so the output "
                         "would not load: %s", m->files[f].path, st_escape_name(key, name, sizeof name), why);
                return -1;
            }
        }
    return 0;
}

/* The packed descriptor as a JSON object in a string (metadata values must be strings); built with
 * jansson so any tensor name is escaped correctly. */
static char *packed_desc(const st_convert_opts *o, const plan_entry *e, const char *sn)
{
    json_t *d = json_pack("{s:s, s:s, s:[I, I], s:I, s:s, s:s}", "format", trit_format_name(o->format), "granularity",
                          o->granularity == TRIT_SCALE_ROW ? "row" : "tensor", "shape", (json_int_t)e->rows,
                          (json_int_t)e->cols, "row_bytes", (json_int_t)e->row_bytes, "scale", sn,
                          "source_dtype", st_dtype_name(e->t->dtype));
    char *text = d ? json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(d);
    return text;
}

static int declare_packed(st_writer *w, const st_convert_opts *o, const plan_entry *e, char *err, size_t err_len)
{
    const st_tensor *t = e->t;
    const uint64_t cshape[2] = {e->rows, e->row_bytes}, sshape[1] = {e->n_scales};
    const size_t kn = strlen(ST_PACKED_META_PREFIX) + strlen(t->name) + 1;
    char *sn = scale_name(t->name), *key = malloc(kn), *desc = sn ? packed_desc(o, e, sn) : NULL;
    int rc = -1;
    if (!sn || !key || !desc) {
        snprintf(err, err_len, "%s: out of memory building the header", o->out_path);
    } else {
        snprintf(key, kn, "%s%s", ST_PACKED_META_PREFIX, t->name);
        if (st_writer_add_meta(w, key, desc) != 0)
            snprintf(err, err_len, "%s: out of memory building the header", o->out_path);
        else if (st_writer_add_tensor(w, t->name, ST_U8, 2, cshape, err, err_len) == 0 &&
                 st_writer_add_tensor(w, sn, ST_F32, 1, sshape, err, err_len) == 0)
            rc = 0;
    }
    free(sn);
    free(key);
    free(desc);
    return rc;
}

/* --format f16|bf16: the compression figures of one projected weight, as a JSON object in a string.
 * bytes_packed and bits_per_weight are what the packed format (o->format) would store: codes + scales. */
static json_t *projection_stats(const st_convert_opts *o, const plan_entry *e)
{
    const uint64_t packed = (uint64_t)e->rows * e->row_bytes + e->n_scales * sizeof(float);
    const double n = (double)e->t->n_elems;
    return json_pack("{s:s, s:s, s:s, s:f, s:I, s:I, s:I, s:f, s:f, s:f, s:f, s:f}", "method",
                     o->method == TRIT_WQ_THRESHOLD ? "threshold" : "absmean", "granularity",
                     o->granularity == TRIT_SCALE_ROW ? "row" : "tensor", "source_dtype", st_dtype_name(e->t->dtype),
                     "threshold", o->method == TRIT_WQ_THRESHOLD ? (double)o->threshold : 0.0, "bytes_before",
                     (json_int_t)(e->t->end - e->t->begin), "bytes_packed", (json_int_t)packed, "bytes_stored",
                     (json_int_t)(e->t->n_elems * 2), "bits_per_weight", (double)packed * 8.0 / n, "sparsity",
                     (double)e->zeros / n, "gamma", e->gamma_sum / (double)e->n_scales, "gamma_min",
                     (double)e->gamma_min, "gamma_max", (double)e->gamma_max);
}

static int add_json_meta(st_writer *w, const char *key, json_t *v)
{
    char *text = v ? json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(9)) : NULL;
    json_decref(v);
    const int rc = text ? st_writer_add_meta(w, key, text) : -1;
    free(text);
    return rc;
}

static int declare_stats(st_writer *w, const st_convert_opts *o, const st_model *m, const plan_entry *plan)
{
    uint64_t before = 0, packed = 0, stored = 0, weights = 0, zeros = 0;
    for (size_t i = 0; i < m->n_tensors; i++) {
        const plan_entry *e = &plan[i];
        if (!e->quantize)
            continue;
        const size_t kn = strlen(ST_STATS_META_PREFIX) + strlen(e->t->name) + 1;
        char *key = malloc(kn);
        if (!key)
            return -1;
        snprintf(key, kn, "%s%s", ST_STATS_META_PREFIX, e->t->name);
        const int rc = add_json_meta(w, key, projection_stats(o, e));
        free(key);
        if (rc != 0)
            return -1;
        before += e->t->end - e->t->begin;
        packed += (uint64_t)e->rows * e->row_bytes + e->n_scales * sizeof(float);
        stored += (uint64_t)e->t->n_elems * 2;
        weights += e->t->n_elems;
        zeros += e->zeros;
    }
    const double n = weights ? (double)weights : 1.0;
    return add_json_meta(w, ST_STATS_META_PREFIX "total",
                         json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:f, s:f}", "packed_format",
                                   trit_format_name(o->format), "stored_dtype", st_dtype_name(o->dequant_dtype),
                                   "weights", (json_int_t)weights, "bytes_before", (json_int_t)before, "bytes_packed",
                                   (json_int_t)packed, "bytes_stored", (json_int_t)stored, "bits_per_weight",
                                   (double)packed * 8.0 / n, "sparsity", (double)zeros / n));
}

static int declare(st_writer *w, const st_convert_opts *o, const st_model *m, const plan_entry *plan, char *err,
                   size_t err_len)
{
    /* Input metadata survives (e.g. "format": "pt"), so does an earlier conversion's descriptors (checked
     * by check_input_descriptors). */
    for (size_t f = 0; f < m->n_files; f++)
        for (size_t i = 0; i < m->files[f].n_meta; i++)
            if (st_writer_add_meta(w, m->files[f].meta[i].key, m->files[f].meta[i].value) != 0) {
                snprintf(err, err_len, "%s: out of memory building the header", o->out_path);
                return -1;
            }
    if (st_writer_add_meta(w, "tritbench.format", dequantizing(o) ? ST_DEQUANT_FORMAT : "tritbench.packed.v1") != 0 ||
        st_writer_add_meta(w, "tritbench.layout", st_layout_name(o->layout)) != 0 ||
        (dequantizing(o) && declare_stats(w, o, m, plan) != 0)) {
        snprintf(err, err_len, "%s: out of memory building the header", o->out_path);
        return -1;
    }
    for (size_t i = 0; i < m->n_tensors; i++) {
        const plan_entry *e = &plan[i];
        const st_tensor *t = e->t;
        int rc = e->q8           ? st_q8head_declare(w, o, t, err, err_len)
                 : !e->quantize  ? st_writer_add_tensor(w, t->name, t->dtype, t->ndim, t->shape, err, err_len)
                 : dequantizing(o) ? st_writer_add_tensor(w, t->name, o->dequant_dtype, 2, t->shape, err, err_len)
                                   : declare_packed(w, o, e, err, err_len);
        if (rc != 0)
            return -1;
    }
    return 0;
}

/* Quantizes one weight exactly as trit_quantize_weights + trit_pack do in memory, so a loaded tensor
 * matches an in-memory quantization bit for bit. With --format f16|bf16 the projection γ·{−1,0,+1} is
 * written instead, rounded once to the output type (so a reader sees exactly ±half(γ) or 0). */
static int write_quantized(st_writer *w, const st_convert_opts *o, const plan_entry *e, char *err, size_t err_len)
{
    const st_tensor *t = e->t;
    const size_t rows = e->rows, cols = e->cols;
    int8_t *wq = malloc(t->n_elems);
    float *gamma = malloc(e->n_scales * sizeof *gamma);
    uint8_t *half = dequantizing(o) ? malloc((rows > cols ? rows : cols) * 2) : NULL;
    trit_packed p = {0};
    int rc = -1;
    const bool no_out = dequantizing(o) ? !half : trit_packed_alloc(&p, o->format, o->granularity, rows, cols) != 0;
    if (!wq || !gamma || no_out) {
        snprintf(err, err_len, "tensor '%s': out of memory (%zu x %zu)", ST_SHOW(t->name), rows, cols);
    } else if (project(o, e, wq, gamma, err, err_len) != 0) {
        /* message set */
    } else if (dequantizing(o)) {
        /* Written in the stored orientation (a Conv1D's [in, out] again), so readers see the shape they know;
         * γ stays per output channel. */
        const size_t srows = e->transpose ? cols : rows, scols = e->transpose ? rows : cols;
        rc = 0;
        for (size_t r = 0; r < srows && rc == 0; r++) {
            for (size_t c = 0; c < scols; c++) {
                const size_t out = e->transpose ? c : r, in = e->transpose ? r : c;
                const float g = gamma[o->granularity == TRIT_SCALE_ROW ? out : 0];
                const uint16_t plus = o->dequant_dtype == ST_F16 ? st_f32_to_f16(g) : st_f32_to_bf16(g);
                const int8_t q = wq[out * cols + in];
                const uint16_t h = q == 0 ? 0 : q > 0 ? plus : (uint16_t)(plus | 0x8000u);
                half[2 * c] = (uint8_t)h;
                half[2 * c + 1] = (uint8_t)(h >> 8);
            }
            rc = st_writer_write(w, half, scols * 2, err, err_len);
        }
    } else if (trit_pack(&p, wq, gamma) != 0 || p.row_bytes != e->row_bytes) {
        snprintf(err, err_len, "tensor '%s': packing failed", ST_SHOW(t->name));
    } else if (st_writer_write(w, p.codes, rows * p.row_bytes, err, err_len) == 0 &&
               st_writer_write(w, p.scales, p.n_scales * sizeof(float), err, err_len) == 0) {
        rc = 0;
    }
    free(wq);
    free(gamma);
    free(half);
    trit_packed_free(&p);
    return rc;
}

int st_convert(const st_convert_opts *o, st_convert_stats *stats, void (*plan_line)(void *user, const char *line),
               void *user, char *err, size_t err_len)
{
    memset(stats, 0, sizeof *stats);
    err[0] = '\0';
    /* Options first: a bad regex or threshold is an error even when no tensor would be a candidate. */
    if (st_convert_check_opts(o, err, err_len) != 0)
        return -1;
    st_model m;
    if (st_model_open(o->in_path, &m, err, err_len) != 0)
        return -1;
    int rc = -1;
    st_writer *w = NULL;
    plan_entry *plan = calloc(m.n_tensors + 1, sizeof *plan);
    if (!plan) {
        snprintf(err, err_len, "%s: out of memory", o->in_path);
        goto done;
    }
    if (!o->dry_run && st_refuse_input_as_output(&m, o->out_path, err, err_len) != 0)
        goto done;
    char layout_line[1024];
    st_convert_opts eff; /* o with the checkpoint's layout and its default excludes (st_layout.c) */
    if (st_layout_resolve(o, &m, &eff, layout_line, sizeof layout_line, err, err_len) != 0)
        goto done;
    o = &eff;
    if (make_plan(o, &m, plan, stats, err, err_len) != 0 || check_input_descriptors(&m, plan, err, err_len) != 0)
        goto done;
    if (plan_line)
        plan_line(user, layout_line);
    for (size_t i = 0; plan_line && i < m.n_tensors; i++) {
        char line[768], name[384];
        const st_tensor *t = plan[i].t;
        char shape[96] = "";
        for (size_t d = 0, at = 0; d < t->ndim && at < sizeof shape; d++)
            at += (size_t)snprintf(shape + at, sizeof shape - at, "%s%llu", d ? "x" : "", (unsigned long long)t->shape[d]);
        /* Names come from the file: control characters are printed escaped, never sent to the terminal. */
        st_escape_name(t->name, name, sizeof name);
        if (plan[i].quantize && dequantizing(o))
            snprintf(line, sizeof line, "quantize  %-56s %-12s %s -> ternary as %s %s (%llu -> %llu bytes; gamma %.6g, "
                     "sparsity %.4f)", name, shape, st_dtype_name(t->dtype), st_dtype_name(o->dequant_dtype),
                     o->granularity == TRIT_SCALE_ROW ? "row" : "tensor", (unsigned long long)(t->end - t->begin),
                     (unsigned long long)t->n_elems * 2, plan[i].gamma_sum / (double)plan[i].n_scales,
                     (double)plan[i].zeros / (double)t->n_elems);
        else if (plan[i].quantize)
            snprintf(line, sizeof line, "quantize  %-56s %-12s %s -> %s %s%s (%llu -> %llu bytes)", name, shape,
                     st_dtype_name(t->dtype), trit_format_name(o->format),
                     o->granularity == TRIT_SCALE_ROW ? "row" : "tensor", plan[i].transpose ? ", transposed" : "",
                     (unsigned long long)(t->end - t->begin),
                     (unsigned long long)(plan[i].rows * plan[i].row_bytes + plan[i].n_scales * sizeof(float)));
        else if (plan[i].q8)
            snprintf(line, sizeof line, "%-9s %-56s %-12s %s -> %s row (%llu -> %llu bytes)", o->head_q8r ? "q8r" : "q8",
                     name, shape,
                     st_dtype_name(t->dtype), o->head_q8r ? "q8r" : "q8", (unsigned long long)(t->end - t->begin),
                     (unsigned long long)st_q8head_bytes(o, t));
        else
            snprintf(line, sizeof line, "keep      %-56s %-12s %s (%llu bytes)", name, shape, st_dtype_name(t->dtype),
                     (unsigned long long)(t->end - t->begin));
        plan_line(user, line);
    }
    if (o->dry_run) {
        rc = 0;
        goto done;
    }
    w = st_writer_new(o->out_path, err, err_len);
    if (!w || declare(w, o, &m, plan, err, err_len) != 0 || st_writer_begin_data(w, err, err_len) != 0)
        goto done;
    const bool progress = o->progress || stats->in_bytes > (256u << 20);
    for (size_t i = 0; i < m.n_tensors; i++) {
        const plan_entry *e = &plan[i];
        if (progress)
            fprintf(stderr, "convert: [%zu/%zu] %s %s\n", i + 1, m.n_tensors, e->quantize ? "quantize" : "copy    ",
                    ST_SHOW(e->t->name));
        if (e->quantize ? write_quantized(w, o, e, err, err_len) != 0
            : e->q8     ? st_q8head_write(w, o, e->t, err, err_len) != 0
                        : (st_writer_write(w, e->t->data, e->t->end - e->t->begin, err, err_len) != 0 ||
                           st_tensor_check(e->t, err, err_len) != 0))
            goto done;
    }
    rc = st_writer_commit(w, err, err_len);
    w = NULL;
done:
    if (w)
        st_writer_abort(w);
    free(plan);
    st_model_close(&m);
    return rc;
}
