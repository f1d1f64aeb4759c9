/* weights.c — the decoder's memory model and seeded weight generation: ternary weights are drawn as trits
 * and packed in row chunks (never an FP32 copy); the FP32 variant writes the same trits times γ. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>

#include "decoder_internal.h"
#include "tritbench/catalog.h"
#include "tritbench_config.h"

#if TRIT_HAVE_OPENMP
#include <omp.h>
#endif

/* Rows generated and packed per step: bounds the int8 scratch to CHUNK_ROWS × cols per thread. */
#define CHUNK_ROWS 64

static uint64_t mix(uint64_t a, uint64_t b)
{
    uint64_t z = a ^ (b + 0x9e3779b97f4a7c15ull + (a << 6) + (a >> 2));
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void linear_shape(const trit_model_config *c, int idx, size_t *rows, size_t *cols)
{
    const size_t h = (size_t)c->hidden, q = (size_t)c->n_heads * (size_t)c->head_dim,
                 kv = (size_t)c->n_kv_heads * (size_t)c->head_dim, f = (size_t)c->ffn;
    static const int in_hidden[DEC_N_LINEAR] = {1, 1, 1, 0, 1, 1, 0};
    const size_t out[DEC_N_LINEAR] = {q, kv, kv, h, f, f, h};
    *rows = out[idx];
    *cols = in_hidden[idx] ? h : idx == DEC_O ? q : f;
}

static size_t norm_len(const trit_model_config *c, int idx)
{
    if (idx == DEC_ATTN_SUBNORM)
        return (size_t)c->n_heads * (size_t)c->head_dim;
    return idx == DEC_FFN_SUBNORM ? (size_t)c->ffn : (size_t)c->hidden;
}

static size_t round64(size_t b) { return (b + TRIT_ALIGN - 1) / TRIT_ALIGN * TRIT_ALIGN; }

static size_t linear_bytes(const tb_decoder_opts *o, size_t rows, size_t cols)
{
    if (o->variant == TB_DEC_FP32)
        return round64(rows * cols * sizeof(float));
    if (dec_variant_is_half(o->variant))
        return round64(rows * cols * sizeof(uint16_t));
    const size_t block = trit_format_block(o->format);
    const size_t blocks = (cols + block - 1) / block;
    return round64(rows * blocks * TRIT_BLOCK_BYTES) + round64(sizeof(float));
}

/* One embedding-like table (vocab × hidden) as dec_table_kind_of(o) stores it. */
static size_t table_bytes(const trit_model_config *c, const tb_decoder_opts *o)
{
    const size_t V = (size_t)c->vocab, H = (size_t)c->hidden;
    switch (dec_table_kind_of(o)) {
    case DEC_TAB_Q8: return trit_q8_bytes(V, H);
    case DEC_TAB_Q8R: return trit_q8_bytes(V, H) + trit_q8r_bytes(V, H); /* + the 4-bit residual plane */
    case DEC_TAB_F16:
    case DEC_TAB_BF16: return round64(V * H * sizeof(uint16_t));
    default: return round64(V * H * sizeof(float));
    }
}

size_t tb_decoder_weight_bytes(const trit_model_config *c, const tb_decoder_opts *o)
{
    size_t total = 0;
    for (int i = 0; i < DEC_N_LINEAR; i++) {
        size_t rows, cols;
        linear_shape(c, i, &rows, &cols);
        total += (size_t)c->n_layers * linear_bytes(o, rows, cols);
    }
    for (int i = 0; i < DEC_N_NORM; i++)
        total += (size_t)c->n_layers * round64(norm_len(c, i) * sizeof(float));
    total += round64((size_t)c->hidden * sizeof(float));
    return total + table_bytes(c, o) * (c->tied_embeddings ? 1 : 2);
}

static size_t act_bytes(size_t rows, size_t cols)
{
    const size_t stride = (cols + TRIT_ACT_K_ALIGN - 1) / TRIT_ACT_K_ALIGN * TRIT_ACT_K_ALIGN;
    return rows * (stride + 8);
}

size_t tb_decoder_total_bytes(const trit_model_config *c, const tb_decoder_opts *o)
{
    const size_t h = (size_t)c->hidden, q = (size_t)c->n_heads * (size_t)c->head_dim,
                 kv = (size_t)c->n_kv_heads * (size_t)c->head_dim, f = (size_t)c->ffn;
    const size_t ctx = o->max_ctx ? o->max_ctx : 1024, b = o->max_batch ? o->max_batch : 512;
    size_t widest = h > q ? h : q;
    widest = widest > f ? widest : f;
    const size_t kv_cache = 2 * (size_t)c->n_layers * ctx * kv * sizeof(float);
    size_t ws = b * (2 * h + widest + 2 * q + 2 * kv + 2 * f) * sizeof(float);
    ws += act_bytes(b, h) + act_bytes(b, q) + act_bytes(b, f);
    size_t max_rows = f > (size_t)c->vocab ? f : (size_t)c->vocab;
    ws += b * (f > h ? f : h) * sizeof(int32_t) + max_rows * sizeof(float);
    if (dec_table_is_q8(dec_table_kind_of(o))) /* the Q8 lm_head's int64 dot products, its int16 activation */
        ws += (size_t)c->vocab * sizeof(int64_t) + 4 * h + 3 * 64;
    if (dec_table_kind_of(o) == DEC_TAB_Q8R) /* stage 2's candidate list */
        ws += dec_q8r_ws_bytes(o->q8r_cap ? o->q8r_cap : TRIT_Q8R_CAP);
    const size_t gen_scratch = 64 * (size_t)CHUNK_ROWS * widest; /* generous: per-thread int8 chunks */
    return tb_decoder_weight_bytes(c, o) + kv_cache + ws + gen_scratch + ctx * (size_t)c->head_dim * 4;
}

static uint64_t meminfo_available(void)
{
    FILE *fp = fopen("/proc/meminfo", "r");
    if (!fp)
        return 0;
    char line[256];
    unsigned long long kb = 0;
    bool found = false;
    while (!found && fgets(line, sizeof line, fp))
        found = sscanf(line, "MemAvailable: %llu kB", &kb) == 1;
    fclose(fp);
    return found ? (uint64_t)kb * 1024u : 0;
}

/* Without /proc (or on kernels before MemAvailable): free + buffer RAM, which undercounts the page cache
 * and so errs on the side of refusing. */
static uint64_t sysinfo_available(void)
{
    struct sysinfo si;
    if (sysinfo(&si) != 0)
        return 0;
    return ((uint64_t)si.freeram + (uint64_t)si.bufferram) * (uint64_t)si.mem_unit;
}

uint64_t tb_decoder_mem_available(const tb_decoder_opts *o)
{
    if (o && o->mem_limit_bytes)
        return o->mem_limit_bytes;
    uint64_t avail = meminfo_available();
    if (avail == 0)
        avail = sysinfo_available();
    /* Other processes share the machine and the page cache is not all reclaimable: keep 10% and 512 MB
     * back so a model that "fits" is never the one the OOM killer picks. */
    const uint64_t margin = avail / 10 + (512ull << 20);
    return avail > margin ? avail - margin : 0;
}

bool tb_decoder_fits(const trit_model_config *c, const tb_decoder_opts *o, size_t extra_bytes, char *msg,
                     size_t msg_len)
{
    const size_t need = tb_decoder_total_bytes(c, o) + extra_bytes;
    const uint64_t avail = tb_decoder_mem_available(o);
    if (avail == 0) {
        snprintf(msg, msg_len, "%s %s: cannot read available memory (/proc/meminfo, sysinfo); refusing to load %.2f GB",
                 c->name, tb_dec_variant_name(o->variant), (double)need / 1e9);
        return false;
    }
    if ((uint64_t)need > avail) {
        snprintf(msg, msg_len,
                 "%s %s does not fit in memory: needs %.2f GB (weights %.2f GB%s), %.2f GB available "
                 "(MemAvailable less a safety margin%s)",
                 c->name, tb_dec_variant_name(o->variant), (double)need / 1e9,
                 (double)tb_decoder_weight_bytes(c, o) / 1e9, extra_bytes ? " + the other variant" : "",
                 (double)avail / 1e9, o->mem_limit_bytes ? ", or the given limit" : "");
        return false;
    }
    snprintf(msg, msg_len, "%s %s needs %.2f GB, %.2f GB available", c->name, tb_dec_variant_name(o->variant),
             (double)need / 1e9, (double)avail / 1e9);
    return true;
}

/* The canonical weight stream of a row is its I2 packing (formats.h), drawn directly: each byte is 4 uniform
 * trits, picked from the 81 valid bytes by multiply-shift (two bytes per 64-bit draw; the bias, < 2^-25,
 * is irrelevant for weights whose values only need to be reproducible). The I2 model stores it as is; T5
 * and FP32 decode the same trits, so all three are one model. */
typedef struct byte_lut { uint8_t b[81]; } byte_lut;

static void byte_lut_init(byte_lut *t)
{
    for (unsigned v = 0; v < 81; v++) {
        unsigned x = v, byte = 0;
        for (unsigned i = 0; i < 4; i++, x /= 3)
            byte |= (x % 3) << (2 * i);
        t->b[v] = (uint8_t)byte;
    }
}

static void gen_i2_row(const byte_lut *t, uint64_t seed, size_t cols, size_t row_bytes, uint8_t *dst)
{
    trit_rng r;
    trit_rng_seed(&r, seed);
    for (size_t i = 0; i < row_bytes; i += 2) {
        const uint64_t x = trit_rng_next(&r);
        dst[i] = t->b[((x & 0xffffffffu) * 81u) >> 32];
        if (i + 1 < row_bytes)
            dst[i + 1] = t->b[((x >> 32) * 81u) >> 32];
    }
    /* Padding weights are 0 (code 1), as every kernel expects. */
    const size_t padded = row_bytes / TRIT_BLOCK_BYTES * TRIT_I2_BLOCK;
    for (size_t k = cols; k < padded; k++) {
        const size_t b = k / TRIT_I2_BLOCK, rem = k % TRIT_I2_BLOCK, j = rem % 64;
        const unsigned sh = 2u * (unsigned)(rem / 64);
        dst[b * 64 + j] = (uint8_t)((dst[b * 64 + j] & ~(3u << sh)) | (1u << sh));
    }
}

static void i2_row_to_int8(const uint8_t *src, size_t cols, int8_t *out)
{
    const size_t blocks = (cols + TRIT_I2_BLOCK - 1) / TRIT_I2_BLOCK;
    for (size_t b = 0; b < blocks; b++)
        for (unsigned i = 0; i < 4; i++) {
            const size_t k0 = b * TRIT_I2_BLOCK + 64 * i;
            const size_t n = k0 >= cols ? 0 : cols - k0 < 64 ? cols - k0 : 64;
            for (size_t j = 0; j < n; j++)
                out[k0 + j] = (int8_t)((int)((src[b * 64 + j] >> (2 * i)) & 3u) - 1);
        }
}

/* Uniform floats in (−a, a). */
static void gen_uniform(uint64_t seed, size_t n, float a, float *out)
{
    trit_rng r;
    trit_rng_seed(&r, seed);
    const double scale = (double)a / 2147483648.0;
    for (size_t i = 0; i < n; i++)
        out[i] = (float)((double)(int32_t)(trit_rng_next(&r) >> 32) * scale);
}

static int gen_threads(void)
{
#if TRIT_HAVE_OPENMP
    return omp_get_num_procs() > 0 ? omp_get_num_procs() : 1;
#else
    return 1;
#endif
}

/* γ of one projection, from its matrix seed: keeps outputs O(1) whatever K. */
static float gamma_of(uint64_t mseed, size_t cols)
{
    trit_rng r;
    trit_rng_seed(&r, mseed);
    return (float)(sqrt(1.5 / (double)cols) * (0.8 + 0.4 * trit_rng_uniform(&r)));
}

/* Per-thread scratch for the formats that are not the canonical I2 stream. */
typedef struct gen_scratch {
    uint8_t *row; /* one I2 row */
    int8_t *tmp;  /* CHUNK_ROWS decoded rows */
} gen_scratch;

/* Rows [CHUNK_ROWS·c, …) of one projection, each from its own seed so nothing depends on the threads. */
static int gen_linear_chunk(const tb_decoder *d, dec_linear *L, uint64_t mseed, size_t c, const byte_lut *lut,
                            gen_scratch *s)
{
    const size_t rows = L->rows, cols = L->cols;
    const size_t i2_bytes = (cols + TRIT_I2_BLOCK - 1) / TRIT_I2_BLOCK * TRIT_BLOCK_BYTES;
    const size_t r0 = c * CHUNK_ROWS, left = rows > r0 ? rows - r0 : 0;
    const size_t nr = left < CHUNK_ROWS ? left : CHUNK_ROWS;
    const float gamma = gamma_of(mseed, cols);
    if (d->opts.variant == TB_DEC_TERNARY && d->opts.format == TRIT_FMT_I2) {
        for (size_t i = 0; i < nr; i++)
            gen_i2_row(lut, mix(mseed, r0 + i), cols, i2_bytes, L->w.codes + (r0 + i) * L->w.row_bytes);
        return 0;
    }
    if (!s->row || !s->tmp)
        return -1;
    for (size_t i = 0; i < nr; i++) {
        gen_i2_row(lut, mix(mseed, r0 + i), cols, i2_bytes, s->row);
        i2_row_to_int8(s->row, cols, s->tmp + i * cols);
    }
    if (d->opts.variant == TB_DEC_TERNARY) {
        trit_packed view = L->w;
        float dummy = 0.0f;
        view.rows = nr;
        view.codes = L->w.codes + r0 * L->w.row_bytes;
        view.scales = &dummy; /* per-tensor γ is set once, by the caller */
        view.n_scales = 1;
        return trit_pack(&view, s->tmp, &gamma);
    }
    if (dec_variant_is_half(d->opts.variant)) { /* trit · γ rounded once to half / bfloat16 */
        const trit_half_type t = dec_half_type(d->opts.variant);
        const uint16_t pos = t == TRIT_HALF_BF16 ? trit_f32_to_bf16(gamma) : trit_f32_to_f16(gamma);
        const uint16_t neg = t == TRIT_HALF_BF16 ? trit_f32_to_bf16(-gamma) : trit_f32_to_f16(-gamma);
        uint16_t *dst = L->h + r0 * cols;
        for (size_t i = 0; i < nr * cols; i++)
            dst[i] = s->tmp[i] > 0 ? pos : s->tmp[i] < 0 ? neg : 0;
        return 0;
    }
    float *dst = L->f + r0 * cols;
    for (size_t i = 0; i < nr * cols; i++)
        dst[i] = (float)s->tmp[i] * gamma;
    return 0;
}

static uint64_t linear_seed(uint64_t seed, int layer, int idx) { return mix(seed, (uint64_t)layer * 16 + (uint64_t)idx); }

/* All projections of all layers as one flat task list in one parallel region: a region per matrix would
 * cost a barrier each, and on a loaded machine threads spin at barriers far longer than they work. */
/* The check before loading cannot see processes that start allocating after it (two 10 GB runs started
 * together both pass it, and the OOM killer then takes one). So generation re-checks at every layer:
 * what is still to be touched must stay below MemAvailable less a small margin, else we stop cleanly. */
static bool still_fits(const tb_decoder *d, double untouched_bytes, char *err, size_t err_len)
{
    if (d->opts.mem_limit_bytes) /* a given limit is a test's fiction, not the machine's state */
        return true;
    const uint64_t avail = meminfo_available();
    const double margin = 256.0 * 1048576.0 + 0.02 * (double)avail;
    if (avail == 0 || (double)avail - margin >= untouched_bytes)
        return true;
    snprintf(err, err_len,
             "%s %s: memory ran short while generating the weights (something else allocated meanwhile): "
             "%.2f GB still to fill, %.2f GB available; stopped before the OOM killer would",
             d->cfg.name, tb_dec_variant_name(d->opts.variant), untouched_bytes / 1e9, (double)avail / 1e9);
    return false;
}

static int gen_all_linears(tb_decoder *d, char *err, size_t err_len)
{
    const trit_model_config *c = &d->cfg;
    size_t chunks[DEC_N_LINEAR], per_layer = 0, widest = 0;
    for (int i = 0; i < DEC_N_LINEAR; i++) {
        const dec_linear *L = &d->layers[0].lin[i];
        chunks[i] = (L->rows + CHUNK_ROWS - 1) / CHUNK_ROWS;
        per_layer += chunks[i];
        widest = L->cols > widest ? L->cols : widest;
    }
    const size_t tasks = per_layer * (size_t)c->n_layers;
    const bool direct = d->opts.variant == TB_DEC_TERNARY && d->opts.format == TRIT_FMT_I2;
    byte_lut lut;
    byte_lut_init(&lut);
    /* Bytes still to touch: the projections left plus the embedding/lm_head tables generated after them. */
    const double total = (double)tb_decoder_weight_bytes(c, &d->opts);
    const double tables = (double)table_bytes(c, &d->opts) * (c->tied_embeddings ? 1.0 : 2.0);
    int failed = 0, short_of_memory = 0;
#if TRIT_HAVE_OPENMP
#pragma omp parallel num_threads(gen_threads()) reduction(| : failed)
#endif
    {
        gen_scratch s = {NULL, NULL};
        if (!direct) {
            s.row = malloc((widest + TRIT_I2_BLOCK) / 4);
            s.tmp = malloc((size_t)CHUNK_ROWS * widest);
        }
#if TRIT_HAVE_OPENMP
#pragma omp for schedule(dynamic, 4)
#endif
        for (size_t t = 0; t < tasks; t++) {
            int stop;
#if TRIT_HAVE_OPENMP
#pragma omp atomic read
#endif
            stop = short_of_memory;
            if (stop)
                continue;
            if (t % per_layer == 0) {
                bool ok;
#if TRIT_HAVE_OPENMP
#pragma omp critical(dec_gen_memory)
#endif
                {
                    ok = !short_of_memory && still_fits(d, tables + total * (double)(tasks - t) / (double)tasks,
                                                        err, err_len);
                    if (!ok) {
#if TRIT_HAVE_OPENMP
#pragma omp atomic write
#endif
                        short_of_memory = 1;
                    }
                }
                if (!ok)
                    continue;
            }
            const int l = (int)(t / per_layer);
            size_t rem = t % per_layer;
            int i = 0;
            while (rem >= chunks[i])
                rem -= chunks[i++];
            if (gen_linear_chunk(d, &d->layers[l].lin[i], linear_seed(d->opts.seed, l, i), rem, &lut, &s) != 0)
                failed = 1;
        }
        free(s.row);
        free(s.tmp);
    }
    if (short_of_memory)
        return -1;
    if (d->opts.variant == TB_DEC_TERNARY)
        for (int l = 0; l < c->n_layers; l++)
            for (int i = 0; i < DEC_N_LINEAR; i++)
                d->layers[l].lin[i].w.scales[0] = gamma_of(linear_seed(d->opts.seed, l, i), d->layers[l].lin[i].cols);
    return failed ? -1 : 0;
}

static int alloc_linear(const tb_decoder *d, dec_linear *L, int idx)
{
    linear_shape(&d->cfg, idx, &L->rows, &L->cols);
    if (d->opts.variant == TB_DEC_TERNARY)
        return trit_packed_alloc(&L->w, d->opts.format, TRIT_SCALE_TENSOR, L->rows, L->cols);
    if (dec_variant_is_half(d->opts.variant)) {
        L->h = trit_alloc_weights(L->rows * L->cols * sizeof(uint16_t));
        return L->h ? 0 : -1;
    }
    L->f = trit_alloc_weights(L->rows * L->cols * sizeof(float));
    return L->f ? 0 : -1;
}

/* Embedding-like table (vocab × hidden), values in ±sqrt(3/hidden) so logits come out O(1), stored as
 * d->tables says: each row drawn in FP32 from its own seed, then rounded (FP16/BF16) or quantized (Q8). */
static int gen_table(const tb_decoder *d, uint64_t tseed, uint16_t **as_h, float **as_f, trit_q8_rows *as_q,
                     trit_q8_resid *as_r)
{
    const size_t V = (size_t)d->cfg.vocab, H = (size_t)d->cfg.hidden;
    const float a = (float)sqrt(3.0 / (double)H);
    const dec_table_kind kind = d->tables;
    *as_h = NULL;
    *as_f = NULL;
    memset(as_q, 0, sizeof *as_q);
    memset(as_r, 0, sizeof *as_r);
    if (dec_table_is_q8(kind)) {
        if (trit_q8_alloc(as_q, V, H) != 0 || (kind == DEC_TAB_Q8R && trit_q8r_alloc(as_r, V, H) != 0))
            return -1;
    } else if (kind == DEC_TAB_F32) {
        if (!(*as_f = trit_alloc_weights(V * H * sizeof(float))))
            return -1;
    } else if (!(*as_h = trit_alloc_weights(V * H * sizeof(uint16_t)))) {
        return -1;
    }
    int failed = 0;
#if TRIT_HAVE_OPENMP
#pragma omp parallel num_threads(gen_threads()) reduction(| : failed)
#endif
    {
        float *row = kind != DEC_TAB_F32 ? malloc(H * sizeof(float)) : NULL;
        if (kind != DEC_TAB_F32 && !row)
            failed = 1;
#if TRIT_HAVE_OPENMP
#pragma omp for schedule(static)
#endif
        for (size_t v = 0; v < V; v++) {
            if (kind == DEC_TAB_F32) {
                gen_uniform(mix(tseed, v), H, a, *as_f + v * H);
            } else if (row) {
                gen_uniform(mix(tseed, v), H, a, row);
                if (dec_table_is_q8(kind)) {
                    failed |= trit_q8_quantize_rows(as_q, v, 1, row) != 0;
                    if (kind == DEC_TAB_Q8R) /* the same FP32 row: its codes' rounding, in 16ths */
                        failed |= trit_q8r_quantize_rows(as_q, as_r, v, 1, row) != 0;
                } else {
                    trit_f32_to_half_row(kind == DEC_TAB_BF16 ? TRIT_HALF_BF16 : TRIT_HALF_FP16, row, H,
                                         *as_h + v * H);
                }
            }
        }
        free(row);
    }
    return failed ? -1 : 0;
}

static float *gen_norm(uint64_t nseed, size_t n)
{
    float *g = trit_aligned_alloc(n * sizeof(float));
    if (!g)
        return NULL;
    gen_uniform(nseed, n, 0.1f, g);
    for (size_t i = 0; i < n; i++)
        g[i] += 1.0f;
    return g;
}

/* What was actually allocated (the memory model above is checked against this in the tests). */
static size_t allocated_bytes(const tb_decoder *d)
{
    const trit_model_config *c = &d->cfg;
    size_t total = 0;
    for (int l = 0; l < c->n_layers; l++) {
        for (int i = 0; i < DEC_N_LINEAR; i++) {
            const dec_linear *L = &d->layers[l].lin[i];
            total += L->f   ? round64(L->rows * L->cols * sizeof(float))
                     : L->h ? round64(L->rows * L->cols * sizeof(uint16_t))
                            : round64(L->w.rows * L->w.row_bytes) + round64(L->w.n_scales * sizeof(float));
        }
        for (int i = 0; i < DEC_N_NORM; i++)
            total += round64(norm_len(c, i) * sizeof(float));
    }
    total += round64((size_t)c->hidden * sizeof(float));
    const size_t cells = (size_t)c->vocab * (size_t)c->hidden;
    const size_t tables = 1 + (d->head_h || d->head_f || d->head_q.codes);
    const size_t one = d->embed_q.codes ? trit_q8_bytes(d->embed_q.rows, d->embed_q.cols) +
                                              (d->embed_r.nib ? trit_q8r_bytes(d->embed_r.rows, d->embed_r.cols) : 0)
                       : d->embed_h     ? round64(cells * sizeof(uint16_t))
                                        : round64(cells * sizeof(float));
    return total + tables * one;
}

int dec_weights_generate(tb_decoder *d, char *err, size_t err_len)
{
    const trit_model_config *c = &d->cfg;
    const uint64_t seed = d->opts.seed;
    d->layers = calloc((size_t)c->n_layers, sizeof *d->layers);
    if (!d->layers)
        goto oom;
    for (int l = 0; l < c->n_layers; l++) {
        dec_layer *L = &d->layers[l];
        for (int i = 0; i < DEC_N_LINEAR; i++)
            if (alloc_linear(d, &L->lin[i], i) != 0)
                goto oom;
        for (int i = 0; i < DEC_N_NORM; i++)
            if (!(L->norm[i] = gen_norm(mix(seed, 0x4e4f524dull + (uint64_t)l * 16 + (uint64_t)i), norm_len(c, i))))
                goto oom;
    }
    err[0] = '\0';
    if (gen_all_linears(d, err, err_len) != 0) {
        if (!err[0])
            snprintf(err, err_len, "%s: generating the projections failed (out of memory)", c->name);
        return -1;
    }
    if (!(d->final_norm = gen_norm(mix(seed, 0x46494e41ull), (size_t)c->hidden)))
        goto oom;
    if (gen_table(d, mix(seed, 0x454d4245ull), &d->embed_h, &d->embed_f, &d->embed_q, &d->embed_r) != 0)
        goto oom;
    if (!c->tied_embeddings &&
        gen_table(d, mix(seed, 0x48454144ull), &d->head_h, &d->head_f, &d->head_q, &d->head_r) != 0)
        goto oom;
    d->weight_bytes = allocated_bytes(d);
    return 0;
oom:
    snprintf(err, err_len, "%s %s: out of memory allocating the weights (%.2f GB expected)", c->name,
             tb_dec_variant_name(d->opts.variant), (double)tb_decoder_weight_bytes(c, &d->opts) / 1e9);
    return -1;
}

void dec_weights_free(tb_decoder *d)
{
    if (d->layers)
        for (int l = 0; l < d->cfg.n_layers; l++) {
            for (int i = 0; i < DEC_N_LINEAR; i++) {
                trit_packed_free(&d->layers[l].lin[i].w);
                trit_free_weights(d->layers[l].lin[i].f);
                trit_free_weights(d->layers[l].lin[i].h);
            }
            for (int i = 0; i < DEC_N_NORM; i++)
                free(d->layers[l].norm[i]);
        }
    free(d->layers);
    free(d->final_norm);
    trit_free_weights(d->embed_h);
    trit_free_weights(d->embed_f);
    trit_free_weights(d->head_h);
    trit_free_weights(d->head_f);
    trit_q8_free(&d->embed_q);
    trit_q8_free(&d->head_q);
    trit_q8r_free(&d->embed_r);
    trit_q8r_free(&d->head_r);
    d->layers = NULL;
    d->final_norm = NULL;
    d->embed_h = d->head_h = NULL;
    d->embed_f = d->head_f = NULL;
}
