/* test_st_roundtrip.c — convert → load is bit-exact against quantizing the original in memory (both
 * formats, both granularities, F32/F16/BF16 sources, one file and sharded); kept tensors are copied byte
 * for byte; exclude patterns select what they say; a failed conversion leaves OUT untouched; the
 * output is never the input; the packed loader rejects corrupt codes and inconsistent descriptors. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/check.h"
#include "tritbench/atomic_file.h"
#include "tritbench/catalog.h"
#include "tritbench/quant.h"
#include "tritbench/safetensors.h"

typedef struct tdef {
    const char *name;
    st_dtype dtype;
    size_t ndim;
    uint64_t shape[2];
    int expect_quantized; /* with the default excludes */
} tdef;

static const tdef model[] = {
    {"lm_head.weight", ST_F16, 2, {64, 96}, 0},
    {"model.embed_tokens.weight", ST_F32, 2, {64, 96}, 0},
    {"model.layers.0.input_layernorm.weight", ST_F32, 1, {96, 0}, 0},
    {"model.layers.0.mlp.down_proj.weight", ST_BF16, 2, {33, 700}, 1},
    {"model.layers.0.self_attn.k_proj.bias", ST_F32, 1, {40, 0}, 0},
    {"model.layers.0.self_attn.k_proj.weight", ST_F16, 2, {40, 96}, 1},
    {"model.layers.0.self_attn.q_proj.weight", ST_F32, 2, {40, 300}, 1},
    {"position_ids", ST_I64, 2, {1, 8}, 0},
};
#define N_MODEL (sizeof model / sizeof model[0])

static char workdir[2048];

static void path_in(char *buf, size_t len, const char *name) { snprintf(buf, len, "%s/%s", workdir, name); }

static size_t elems(const tdef *t) { return t->shape[0] * (t->ndim == 2 ? t->shape[1] : 1); }

/* Element i of tensor t, encoded in its dtype; nan_at poisons one element. */
static void encode(const tdef *t, size_t idx, uint8_t *out, long nan_at)
{
    const size_t n = elems(t);
    float *v = malloc(n * sizeof *v);
    REQUIRE(v);
    trit_fill_weights(v, 1, n, TRIT_DIST_LAPLACE, 1000 + idx);
    if (nan_at >= 0)
        v[nan_at] = NAN;
    for (size_t k = 0; k < n; k++) {
        if (t->dtype == ST_F32) {
            memcpy(out + 4 * k, &v[k], 4);
        } else if (t->dtype == ST_F16 || t->dtype == ST_BF16) {
            const uint16_t h = t->dtype == ST_F16 ? st_f32_to_f16(v[k]) : st_f32_to_bf16(v[k]);
            out[2 * k] = (uint8_t)h;
            out[2 * k + 1] = (uint8_t)(h >> 8);
        } else {
            const int64_t x = (int64_t)k;
            memcpy(out + 8 * k, &x, 8);
        }
    }
    free(v);
}

/* Writes the tensors with index ≡ shard (mod n_shards); poison names a tensor to get a NaN. */
static void write_model(const char *path, size_t shard, size_t n_shards, const char *poison)
{
    char err[512] = "";
    st_writer *w = st_writer_new(path, err, sizeof err);
    REQUIRE(w);
    st_writer_add_meta(w, "format", "pt");
    for (size_t i = shard; i < N_MODEL; i += n_shards)
        REQUIRE(st_writer_add_tensor(w, model[i].name, model[i].dtype, model[i].ndim, model[i].shape, err, sizeof err) == 0);
    REQUIRE(st_writer_begin_data(w, err, sizeof err) == 0);
    for (size_t i = shard; i < N_MODEL; i += n_shards) {
        const size_t bytes = elems(&model[i]) * st_dtype_size(model[i].dtype);
        uint8_t *b = malloc(bytes);
        REQUIRE(b);
        encode(&model[i], i, b, poison && strcmp(poison, model[i].name) == 0 ? 7 : -1);
        REQUIRE(st_writer_write(w, b, bytes, err, sizeof err) == 0);
        free(b);
    }
    CHECKF(st_writer_commit(w, err, sizeof err) == 0, "%s", err);
}

static void write_sharded(const char *dir)
{
    mkdir(dir, 0777);
    char p[8192], err[512];
    for (size_t s = 0; s < 2; s++) {
        snprintf(p, sizeof p, "%s/shard-%zu.safetensors", dir, s);
        write_model(p, s, 2, NULL);
    }
    char index[8192] = "{\"metadata\":{},\"weight_map\":{";
    for (size_t i = 0; i < N_MODEL; i++) {
        const size_t at = strlen(index);
        snprintf(index + at, sizeof index - at, "%s\"%s\":\"shard-%zu.safetensors\"", i ? "," : "", model[i].name, i % 2);
    }
    strcat(index, "}}");
    snprintf(p, sizeof p, "%s/model.safetensors.index.json", dir);
    REQUIRE(tb_atomic_write(p, index, strlen(index), err, sizeof err) == 0);
}

static void default_opts(st_convert_opts *o, const char *in, const char *out, trit_format f, trit_granularity g)
{
    memset(o, 0, sizeof *o);
    o->in_path = in;
    o->out_path = out;
    o->format = f;
    o->granularity = g;
    const char *const *ex = st_default_excludes(&o->n_excludes);
    for (size_t i = 0; i < o->n_excludes; i++)
        o->excludes[i] = ex[i];
}

/* The oracle: the original tensor quantized and packed in memory. */
static void expect_packed(const st_tensor *orig, trit_format f, trit_granularity g, trit_packed *want)
{
    const size_t rows = orig->shape[0], cols = orig->shape[1];
    float *W = malloc(orig->n_elems * sizeof *W);
    int8_t *wq = malloc(orig->n_elems);
    float *gamma = malloc(rows * sizeof *gamma);
    char err[256];
    REQUIRE(W && wq && gamma && st_tensor_to_f32(orig, W, err, sizeof err) == 0);
    const trit_wquant_opts qo = {.granularity = g, .method = TRIT_WQ_ABSMEAN, .threshold = 0.5f};
    REQUIRE(trit_quantize_weights(W, rows, cols, &qo, wq, gamma) == 0);
    REQUIRE(trit_packed_alloc(want, f, g, rows, cols) == 0 && trit_pack(want, wq, gamma) == 0);
    free(W);
    free(wq);
    free(gamma);
}

/* Checks OUT against IN: which tensors are packed, bit-exact codes/scales, byte-exact copies. */
static void check_converted(const char *in, const char *out, trit_format f, trit_granularity g, const char *skip_re,
                            bool defaults)
{
    st_model mi, mo;
    char err[512] = "";
    REQUIRE(st_model_open(in, &mi, err, sizeof err) == 0);
    CHECKF(st_model_open(out, &mo, err, sizeof err) == 0, "%s", err);
    if (check_failures) {
        st_model_close(&mi);
        return;
    }
    CHECK(st_model_meta(&mo, "format") && strcmp(st_model_meta(&mo, "format"), "pt") == 0);
    size_t n_packed = 0;
    for (size_t i = 0; i < N_MODEL; i++) {
        const st_tensor *ti = st_model_find(&mi, model[i].name);
        REQUIRE(ti);
        int want_q = model[i].expect_quantized;
        if (skip_re && strstr(model[i].name, skip_re))
            want_q = 0;
        if (!defaults && model[i].ndim == 2 && model[i].dtype != ST_I64)
            want_q = 1;
        CHECKF(st_is_packed(&mo, model[i].name) == (want_q != 0), "%s: packed %d, expected %d", model[i].name,
               st_is_packed(&mo, model[i].name), want_q);
        if (want_q) {
            trit_packed got, want;
            CHECKF(st_load_packed(&mo, model[i].name, &got, err, sizeof err) == 0, "%s", err);
            if (check_failures)
                continue;
            expect_packed(ti, f, g, &want);
            CHECK(got.format == f && got.granularity == g && got.rows == want.rows && got.cols == want.cols);
            CHECK(got.row_bytes == want.row_bytes && got.n_scales == want.n_scales);
            CHECKF(memcmp(got.codes, want.codes, want.rows * want.row_bytes) == 0, "%s: codes differ", model[i].name);
            CHECKF(memcmp(got.scales, want.scales, want.n_scales * sizeof(float)) == 0, "%s: scales differ",
                   model[i].name);
            trit_packed_free(&got);
            trit_packed_free(&want);
            n_packed++;
        } else {
            const st_tensor *to = st_model_find(&mo, model[i].name);
            CHECKF(to && to->dtype == ti->dtype && to->ndim == ti->ndim && to->n_elems == ti->n_elems &&
                       memcmp(to->data, ti->data, ti->end - ti->begin) == 0,
                   "%s: not copied byte for byte", model[i].name);
        }
    }
    CHECK(n_packed > 0);
    st_model_close(&mi);
    st_model_close(&mo);
}

static void convert_ok(const st_convert_opts *o)
{
    st_convert_stats st;
    char err[512] = "";
    CHECKF(st_convert(o, &st, NULL, NULL, err, sizeof err) == 0, "%s", err);
}

static void test_roundtrip(void)
{
    char in[4096], out[4096];
    path_in(in, sizeof in, "rt_in.safetensors");
    path_in(out, sizeof out, "rt_out.safetensors");
    write_model(in, 0, 1, NULL);
    for (int f = 0; f < TRIT_FMT_COUNT; f++)
        for (int g = 0; g < 2; g++) {
            st_convert_opts o;
            default_opts(&o, in, out, (trit_format)f, (trit_granularity)g);
            convert_ok(&o);
            check_converted(in, out, (trit_format)f, (trit_granularity)g, NULL, true);
        }
    /* Converting the converted file again changes nothing that was packed (U8 codes are not floats). */
    char again[4096];
    path_in(again, sizeof again, "rt_again.safetensors");
    st_convert_opts o;
    default_opts(&o, out, again, TRIT_FMT_I2, TRIT_SCALE_TENSOR);
    convert_ok(&o);
    st_model a, b;
    char err[512];
    REQUIRE(st_model_open(out, &a, err, sizeof err) == 0 && st_model_open(again, &b, err, sizeof err) == 0);
    CHECK(a.n_tensors == b.n_tensors);
    for (size_t i = 0; i < a.n_tensors && i < b.n_tensors; i++)
        CHECK(strcmp(a.tensors[i]->name, b.tensors[i]->name) == 0 &&
              memcmp(a.tensors[i]->data, b.tensors[i]->data, a.tensors[i]->end - a.tensors[i]->begin) == 0);
    st_model_close(&a);
    st_model_close(&b);
}

static void test_excludes(void)
{
    char in[4096], out[4096];
    path_in(in, sizeof in, "rt_in.safetensors");
    path_in(out, sizeof out, "ex_out.safetensors");
    st_convert_opts o;
    default_opts(&o, in, out, TRIT_FMT_T5, TRIT_SCALE_ROW);
    o.excludes[o.n_excludes++] = "q_pr[o]j";
    convert_ok(&o);
    check_converted(in, out, TRIT_FMT_T5, TRIT_SCALE_ROW, "q_proj", true);
    default_opts(&o, in, out, TRIT_FMT_I2, TRIT_SCALE_ROW);
    o.n_excludes = 0; /* --no-default-excludes: embeddings and lm_head get quantized too */
    convert_ok(&o);
    check_converted(in, out, TRIT_FMT_I2, TRIT_SCALE_ROW, NULL, false);
    o.excludes[o.n_excludes++] = "(unclosed";
    st_convert_stats st;
    char err[512] = "";
    CHECK(st_convert(&o, &st, NULL, NULL, err, sizeof err) == -1 && strstr(err, "bad --exclude regex"));
}

static void test_sharded(void)
{
    char dir[4096], index[4200], out[4096];
    path_in(dir, sizeof dir, "sharded");
    write_sharded(dir);
    snprintf(index, sizeof index, "%s/model.safetensors.index.json", dir);
    path_in(out, sizeof out, "sharded_out.safetensors");
    st_model m;
    char err[512] = "";
    CHECKF(st_model_open(dir, &m, err, sizeof err) == 0, "%s", err); /* the directory form */
    if (!check_failures) {
        CHECK(m.n_files == 2 && m.n_tensors == N_MODEL);
        st_model_close(&m);
    }
    st_convert_opts o;
    default_opts(&o, index, out, TRIT_FMT_I2, TRIT_SCALE_ROW);
    convert_ok(&o);
    check_converted(index, out, TRIT_FMT_I2, TRIT_SCALE_ROW, NULL, true);
}

/* Broken indexes: each must fail naming the problem. */
static void test_bad_index(void)
{
    static const struct {
        const char *json, *fragment;
    } cases[] = {
        {"{\"weight_map\":{\"position_ids\":\"missing.safetensors\"}}", "cannot open"},
        {"{\"weight_map\":{\"position_ids\":\"../shard-0.safetensors\"}}", "inside the index's directory"},
        {"{\"weight_map\":{\"position_ids\":\"/etc/passwd\"}}", "inside the index's directory"},
        {"{\"weight_map\":{\"nope\":\"shard-0.safetensors\"}}", "does not hold it"},
        {"{\"weight_map\":{\"lm_head.weight\":\"shard-0.safetensors\"}}", "not mapped to this shard"},
        {"{\"weight_map\":{}}", "weight_map"},
        {"{\"weight_map\":", "invalid JSON"},
    };
    char dir[4096], p[4200];
    path_in(dir, sizeof dir, "sharded");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char err[512] = "";
        snprintf(p, sizeof p, "%s/bad-%zu.json", dir, i);
        REQUIRE(tb_atomic_write(p, cases[i].json, strlen(cases[i].json), err, sizeof err) == 0);
        st_model m;
        const int rc = st_model_open(p, &m, err, sizeof err);
        CHECKF(rc == -1 && strstr(err, cases[i].fragment), "bad index %zu: rc %d, message: %s", i, rc, err);
        if (rc == 0)
            st_model_close(&m);
    }
}

static int count_temporaries(void)
{
    DIR *d = opendir(workdir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL)
        n += strstr(e->d_name, ".tmp.") != NULL;
    if (d)
        closedir(d);
    return n;
}

static void test_failure_is_atomic(void)
{
    char in[4096], out[4096], err[512] = "";
    path_in(in, sizeof in, "poisoned.safetensors");
    path_in(out, sizeof out, "keep_me.safetensors");
    write_model(in, 0, 1, "model.layers.0.self_attn.q_proj.weight");
    REQUIRE(tb_atomic_write(out, "old", 3, err, sizeof err) == 0);
    const int before = count_temporaries();
    st_convert_opts o;
    default_opts(&o, in, out, TRIT_FMT_I2, TRIT_SCALE_TENSOR);
    st_convert_stats st;
    CHECK(st_convert(&o, &st, NULL, NULL, err, sizeof err) == -1);
    CHECKF(strstr(err, "non-finite") && strstr(err, "q_proj"), "%s", err);
    char buf[16] = "";
    FILE *f = fopen(out, "rb");
    REQUIRE(f);
    CHECK(fread(buf, 1, sizeof buf, f) == 3 && memcmp(buf, "old", 3) == 0);
    fclose(f);
    CHECK(count_temporaries() == before);
}

static void test_output_is_not_input(void)
{
    char in[4096], link[4096], err[512] = "";
    path_in(in, sizeof in, "rt_in.safetensors");
    path_in(link, sizeof link, "rt_in_link.safetensors");
    unlink(link);
    REQUIRE(symlink("rt_in.safetensors", link) == 0);
    const char *outs[] = {in, link};
    for (size_t i = 0; i < 2; i++) {
        st_convert_opts o;
        default_opts(&o, in, outs[i], TRIT_FMT_I2, TRIT_SCALE_TENSOR);
        st_convert_stats st;
        CHECKF(st_convert(&o, &st, NULL, NULL, err, sizeof err) == -1 && strstr(err, "is the input"), "%s", err);
    }
    st_model m;
    CHECK(st_model_open(in, &m, err, sizeof err) == 0); /* still intact */
    if (m.n_tensors)
        st_model_close(&m);
}

/* A converted file edited by hand: the loader must notice. */
static void test_corrupt_packed(void)
{
    char in[4096], out[4096], bad[4096], err[512] = "";
    path_in(in, sizeof in, "rt_in.safetensors");
    path_in(out, sizeof out, "corrupt_src.safetensors");
    path_in(bad, sizeof bad, "corrupt.safetensors");
    st_convert_opts o;
    default_opts(&o, in, out, TRIT_FMT_I2, TRIT_SCALE_TENSOR);
    convert_ok(&o);
    const char *q = "model.layers.0.self_attn.q_proj.weight";
    for (int kind = 0; kind < 2; kind++) {
        st_model m;
        REQUIRE(st_model_open(out, &m, err, sizeof err) == 0);
        /* Rewrite the file with one code byte changed: 0xFF holds I2 code 3 (not a trit); in the last
         * byte of a row, the padding (300 cols → 512 padded) changes from zero weights. */
        st_writer *w = st_writer_new(bad, err, sizeof err);
        REQUIRE(w);
        for (size_t i = 0; i < m.files[0].n_meta; i++)
            st_writer_add_meta(w, m.files[0].meta[i].key, m.files[0].meta[i].value);
        for (size_t i = 0; i < m.n_tensors; i++)
            REQUIRE(st_writer_add_tensor(w, m.tensors[i]->name, m.tensors[i]->dtype, m.tensors[i]->ndim,
                                         m.tensors[i]->shape, err, sizeof err) == 0);
        REQUIRE(st_writer_begin_data(w, err, sizeof err) == 0);
        for (size_t i = 0; i < m.n_tensors; i++) {
            const st_tensor *t = m.tensors[i];
            uint8_t *b = malloc(t->end - t->begin + 1);
            REQUIRE(b);
            memcpy(b, t->data, t->end - t->begin);
            if (strcmp(t->name, q) == 0)
                b[kind == 0 ? 5 : t->shape[1] - 1] = kind == 0 ? 0xFF : 0x00;
            REQUIRE(st_writer_write(w, b, t->end - t->begin, err, sizeof err) == 0);
            free(b);
        }
        REQUIRE(st_writer_commit(w, err, sizeof err) == 0);
        st_model_close(&m);
        REQUIRE(st_model_open(bad, &m, err, sizeof err) == 0);
        trit_packed p;
        const int rc = st_load_packed(&m, q, &p, err, sizeof err);
        CHECKF(rc == -1 && strstr(err, kind == 0 ? "corrupt packed codes" : "not canonical"), "kind %d: %s", kind, err);
        if (rc == 0)
            trit_packed_free(&p);
        st_model_close(&m);
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s WORKDIR\n", argv[0]);
        return 2;
    }
    snprintf(workdir, sizeof workdir, "%s", argv[1]);
    test_roundtrip();
    test_excludes();
    test_sharded();
    test_bad_index();
    test_failure_is_atomic();
    test_output_is_not_input();
    test_corrupt_packed();
    return check_exit();
}
