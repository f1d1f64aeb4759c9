/* test_convert_q8head.c — `convert --head q8` (st_convert with head_q8): embedding and lm_head tables
 * become NAME I8 [rows, cols] + NAME_scale F32 [rows] with a "tritbench.q8.NAME" descriptor, equal bit for
 * bit to trit_q8_quantize_rows of the source (F32 and BF16 sources); linear weights are still packed
 * ternary, norms copied; the byte count in the stats is the file's; a taken scale name is refused; without
 * head_q8 the tables are copied unchanged.
 * `--head q8r` (head_q8r) adds NAME_resid U8 [rows, ceil(cols/2)] equal to trit_q8r_quantize_rows, and
 * st_q8head_load reads q8 / q8r tables back bit for bit; bad residual tensors (wrong shape, dtype, missing,
 * a set padding nibble, resid_bits other than 4, a q8 table where q8r is asked for) are refused by name. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/check.h"
#include "tritbench/catalog.h"
#include "tritbench/lowp.h"
#include "tritbench/safetensors.h"

enum { V = 37, H = 70, F = 64 };

typedef struct src_tensor {
    const char *name;
    st_dtype dtype;
    size_t ndim;
    uint64_t shape[2];
} src_tensor;

static float value(size_t t, size_t i) { return (float)(((i * 2654435761u + t * 97u) % 2001u) - 1000) / 617.0f; }

static void write_model(const char *path, bool clash)
{
    const src_tensor ts[] = {
        {"lm_head.weight", ST_BF16, 2, {V, H}},
        {"model.embed_tokens.weight", ST_F32, 2, {V, H}},
        {clash ? "model.embed_tokens.weight_scale" : "model.layers.0.mlp.up_proj.weight", ST_F32, 2, {F, H}},
        {"model.norm.weight", ST_F32, 1, {H, 0}},
    };
    char err[512];
    st_writer *w = st_writer_new(path, err, sizeof err);
    REQUIRE(w);
    for (size_t i = 0; i < 4; i++)
        REQUIRE(st_writer_add_tensor(w, ts[i].name, ts[i].dtype, ts[i].ndim, ts[i].shape, err, sizeof err) == 0);
    REQUIRE(st_writer_begin_data(w, err, sizeof err) == 0);
    for (size_t i = 0; i < 4; i++) {
        const size_t n = ts[i].shape[0] * (ts[i].ndim == 2 ? ts[i].shape[1] : 1);
        for (size_t k = 0; k < n; k++) {
            const float f = value(i, k);
            if (ts[i].dtype == ST_BF16) {
                const uint16_t b = st_f32_to_bf16(f);
                REQUIRE(st_writer_write(w, &b, 2, err, sizeof err) == 0);
            } else {
                REQUIRE(st_writer_write(w, &f, 4, err, sizeof err) == 0);
            }
        }
    }
    REQUIRE(st_writer_commit(w, err, sizeof err) == 0);
}

/* The stored table equals the in-memory quantization of the source tensor. */
static void check_table(const st_model *in, const st_model *out, const char *name)
{
    char err[256], sn[128], key[128];
    const st_tensor *src = st_model_find(in, name), *c = st_model_find(out, name);
    snprintf(sn, sizeof sn, "%s_scale", name);
    snprintf(key, sizeof key, "tritbench.q8.%s", name);
    const st_tensor *s = st_model_find(out, sn);
    REQUIRE(src && c && s);
    CHECK(c->dtype == ST_I8 && c->ndim == 2 && c->shape[0] == V && c->shape[1] == H);
    CHECK(s->dtype == ST_F32 && s->ndim == 1 && s->shape[0] == V);
    const char *desc = st_model_meta(out, key);
    CHECKF(desc && strstr(desc, "\"format\":\"q8") && strstr(desc, sn), "%s: descriptor %s", name, desc ? desc : "(none)");
    float *W = malloc(V * H * sizeof *W);
    trit_q8_rows q;
    REQUIRE(W && trit_q8_alloc(&q, V, H) == 0);
    REQUIRE(st_tensor_to_f32(src, W, err, sizeof err) == 0);
    REQUIRE(trit_q8_quantize_rows(&q, 0, V, W) == 0);
    int bad = 0;
    for (size_t r = 0; r < V; r++) {
        bad += memcmp(c->data + r * H, q.codes + r * q.stride, H) != 0;
        float sc;
        memcpy(&sc, s->data + r * sizeof(float), sizeof sc);
        bad += sc != q.scale[r];
    }
    CHECKF(bad == 0, "%s: %d rows differ from trit_q8_quantize_rows", name, bad);
    trit_q8_free(&q);
    free(W);
}

/* q8r: the residual tensor equals trit_q8r_quantize_rows, and st_q8head_load gives back both planes. */
static void check_resid(const st_model *in, const st_model *out, const char *name)
{
    char err[256], rn[128], key[128];
    snprintf(rn, sizeof rn, "%s_resid", name);
    snprintf(key, sizeof key, "tritbench.q8.%s", name);
    const st_tensor *src = st_model_find(in, name), *r = st_model_find(out, rn);
    REQUIRE(src && r);
    CHECK(r->dtype == ST_U8 && r->ndim == 2 && r->shape[0] == V && r->shape[1] == (H + 1) / 2);
    const char *desc = st_model_meta(out, key);
    CHECKF(desc && strstr(desc, "\"q8r\"") && strstr(desc, rn) && strstr(desc, "\"resid_bits\":4"), "%s", desc);
    float *W = malloc(V * H * sizeof *W);
    trit_q8_rows q, lq;
    trit_q8_resid res, lr;
    REQUIRE(W && trit_q8_alloc(&q, V, H) == 0 && trit_q8r_alloc(&res, V, H) == 0);
    REQUIRE(st_tensor_to_f32(src, W, err, sizeof err) == 0);
    REQUIRE(trit_q8_quantize_rows(&q, 0, V, W) == 0 && trit_q8r_quantize_rows(&q, &res, 0, V, W) == 0);
    CHECK(memcmp(r->data, res.nib, V * res.row_bytes) == 0);
    CHECKF(st_q8head_load(out, name, &lq, &lr, err, sizeof err) == 0, "%s", err);
    int bad = 0;
    for (size_t i = 0; i < V; i++)
        bad += memcmp(lq.codes + i * lq.stride, q.codes + i * q.stride, H) != 0 || lq.scale[i] != q.scale[i] ||
               lq.wsum[i] != q.wsum[i];
    CHECKF(bad == 0 && memcmp(lr.nib, res.nib, V * res.row_bytes) == 0, "%s: %d rows differ after loading", name, bad);
    trit_q8_free(&lq);
    trit_q8r_free(&lr);
    trit_q8_free(&q);
    trit_q8r_free(&res);
    free(W);
}

/* A hand-made q8r table with one thing wrong; st_q8head_load must refuse it with `want` in the message. */
enum { BAD_SHAPE, BAD_DTYPE, BAD_MISSING, BAD_PADDING, BAD_BITS, BAD_COUNT };
static void bad_resid(const char *dir, int kind, const char *want)
{
    enum { R = 3, C = 5 }; /* odd C: the last byte's high nibble is padding */
    char path[160], err[512];
    snprintf(path, sizeof path, "%s/bad%d.safetensors", dir, kind);
    st_writer *w = st_writer_new(path, err, sizeof err);
    REQUIRE(w);
    const uint64_t cs[2] = {R, C}, ss[1] = {R}, rs[2] = {R, kind == BAD_SHAPE ? C : (C + 1) / 2};
    REQUIRE(st_writer_add_meta(w, "tritbench.q8.t.weight",
                               kind == BAD_BITS ? "{\"format\":\"q8r\",\"shape\":[3,5],\"scale\":\"t.weight_scale\","
                                                  "\"resid\":\"t.weight_resid\",\"resid_bits\":3}"
                                                : "{\"format\":\"q8r\",\"shape\":[3,5],\"scale\":\"t.weight_scale\","
                                                  "\"resid\":\"t.weight_resid\",\"resid_bits\":4}") == 0);
    REQUIRE(st_writer_add_tensor(w, "t.weight", ST_I8, 2, cs, err, sizeof err) == 0);
    REQUIRE(st_writer_add_tensor(w, "t.weight_scale", ST_F32, 1, ss, err, sizeof err) == 0);
    if (kind != BAD_MISSING)
        REQUIRE(st_writer_add_tensor(w, "t.weight_resid", kind == BAD_DTYPE ? ST_I8 : ST_U8, 2, rs, err, sizeof err) == 0);
    REQUIRE(st_writer_begin_data(w, err, sizeof err) == 0);
    const int8_t codes[R * C] = {1, -2, 3, 127, 0, 5, 6, -7, 8, 9, 0, 0, 0, 0, 0};
    const float scales[R] = {0.5f, 0.25f, 0.0f};
    uint8_t nib[R * C] = {0};
    if (kind == BAD_PADDING)
        nib[(C + 1) / 2 - 1] = 0x10; /* row 0's padding nibble set */
    REQUIRE(st_writer_write(w, codes, sizeof codes, err, sizeof err) == 0);
    REQUIRE(st_writer_write(w, scales, sizeof scales, err, sizeof err) == 0);
    if (kind != BAD_MISSING)
        REQUIRE(st_writer_write(w, nib, rs[0] * rs[1], err, sizeof err) == 0);
    REQUIRE(st_writer_commit(w, err, sizeof err) == 0);
    st_model m;
    REQUIRE(st_model_open(path, &m, err, sizeof err) == 0);
    trit_q8_rows q;
    trit_q8_resid r;
    err[0] = '\0';
    CHECKF(st_q8head_load(&m, "t.weight", &q, &r, err, sizeof err) == -1 && strstr(err, want) && strstr(err, "t.weight"),
           "case %d: %s", kind, err);
    CHECK(q.codes == NULL && r.nib == NULL);
    if (kind == BAD_PADDING) /* the q8 part alone is fine */
        CHECKF(st_q8head_load(&m, "t.weight", &q, NULL, err, sizeof err) == 0 && q.wsum[0] == 129, "%s", err);
    if (q.codes)
        trit_q8_free(&q);
    st_model_close(&m);
    unlink(path);
}

int main(void)
{
    char dir[] = "/tmp/tb-q8head-XXXXXX";
    REQUIRE(mkdtemp(dir));
    char in_path[128], out_path[128], clash_path[128], keep_path[128];
    snprintf(in_path, sizeof in_path, "%s/in.safetensors", dir);
    snprintf(out_path, sizeof out_path, "%s/out.safetensors", dir);
    snprintf(clash_path, sizeof clash_path, "%s/clash.safetensors", dir);
    snprintf(keep_path, sizeof keep_path, "%s/keep.safetensors", dir);
    write_model(in_path, false);
    write_model(clash_path, true);

    st_convert_opts o = {.in_path = in_path, .out_path = out_path, .format = TRIT_FMT_I2,
                         .granularity = TRIT_SCALE_TENSOR, .head_q8 = true};
    size_t n;
    const char *const *ex = st_default_excludes(&n);
    for (size_t i = 0; i < n; i++)
        o.excludes[o.n_excludes++] = ex[i];
    st_convert_stats stats;
    char err[1024];
    CHECKF(st_convert(&o, &stats, NULL, NULL, err, sizeof err) == 0, "%s", err);
    st_model in, out;
    REQUIRE(st_model_open(in_path, &in, err, sizeof err) == 0);
    REQUIRE(st_model_open(out_path, &out, err, sizeof err) == 0);
    check_table(&in, &out, "model.embed_tokens.weight");
    check_table(&in, &out, "lm_head.weight");
    CHECK(st_is_packed(&out, "model.layers.0.mlp.up_proj.weight"));
    const st_tensor *norm = st_model_find(&out, "model.norm.weight");
    CHECK(norm && norm->dtype == ST_F32 && memcmp(norm->data, st_model_find(&in, "model.norm.weight")->data, H * 4) == 0);
    CHECKF(stats.out_bytes == st_model_data_bytes(&out), "stats say %llu bytes, the file holds %llu",
           (unsigned long long)stats.out_bytes, (unsigned long long)st_model_data_bytes(&out));
    st_model_close(&out);

    /* Without --head q8 the tables stay as they were. */
    o.head_q8 = false;
    o.out_path = keep_path;
    CHECKF(st_convert(&o, &stats, NULL, NULL, err, sizeof err) == 0, "%s", err);
    REQUIRE(st_model_open(keep_path, &out, err, sizeof err) == 0);
    const st_tensor *e = st_model_find(&out, "model.embed_tokens.weight");
    CHECK(e && e->dtype == ST_F32 && !st_model_find(&out, "model.embed_tokens.weight_scale"));
    st_model_close(&out);
    st_model_close(&in);

    /* --head q8r: the residual plane too, and the loader gives both back. A q8 table is not a q8r one. */
    o.head_q8 = o.head_q8r = true;
    o.out_path = out_path;
    o.in_path = in_path;
    CHECKF(st_convert(&o, &stats, NULL, NULL, err, sizeof err) == 0, "%s", err);
    REQUIRE(st_model_open(in_path, &in, err, sizeof err) == 0);
    REQUIRE(st_model_open(out_path, &out, err, sizeof err) == 0);
    check_table(&in, &out, "model.embed_tokens.weight");
    check_table(&in, &out, "lm_head.weight");
    check_resid(&in, &out, "model.embed_tokens.weight");
    check_resid(&in, &out, "lm_head.weight");
    CHECKF(stats.out_bytes == st_model_data_bytes(&out), "q8r: stats say %llu bytes, the file holds %llu",
           (unsigned long long)stats.out_bytes, (unsigned long long)st_model_data_bytes(&out));
    st_model_close(&out);
    st_model_close(&in);
    o.head_q8r = false;
    CHECKF(st_convert(&o, &stats, NULL, NULL, err, sizeof err) == 0, "%s", err);
    REQUIRE(st_model_open(out_path, &out, err, sizeof err) == 0);
    trit_q8_rows lq;
    trit_q8_resid lr;
    CHECK(st_q8head_load(&out, "lm_head.weight", &lq, &lr, err, sizeof err) == -1 && strstr(err, "q8r"));
    CHECKF(st_q8head_load(&out, "lm_head.weight", &lq, NULL, err, sizeof err) == 0, "%s", err);
    trit_q8_free(&lq);
    CHECK(st_q8head_load(&out, "model.norm.weight", &lq, NULL, err, sizeof err) == -1 && strstr(err, "not a q8 table"));
    st_model_close(&out);
    bad_resid(dir, BAD_SHAPE, "must be U8 [3, 3]");
    bad_resid(dir, BAD_DTYPE, "must be U8 [3, 3]");
    bad_resid(dir, BAD_MISSING, "missing");
    bad_resid(dir, BAD_PADDING, "padding nibble");
    bad_resid(dir, BAD_BITS, "resid_bits");

    /* A scale name that is already a tensor is refused, naming both. */
    o.head_q8 = true;
    o.in_path = clash_path;
    o.out_path = out_path;
    CHECK(st_convert(&o, &stats, NULL, NULL, err, sizeof err) == -1);
    CHECKF(strstr(err, "model.embed_tokens.weight_scale") && strstr(err, "already exists"), "%s", err);

    unlink(in_path);
    unlink(out_path);
    unlink(clash_path);
    unlink(keep_path);
    rmdir(dir);
    return check_exit();
}
