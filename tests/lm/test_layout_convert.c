/* test_layout_convert.c — architecture-aware convert (st_layout.c): a GPT-2-named F32 checkpoint keeps
 * wte/wpe/ln_* in full precision and has every Conv1D weight ([in, out]) transposed before quantizing; the
 * converted file, multiplied through the packed kernels, gives the product of the ternary-projected
 * weights. Detection from config.json and from names; an unknown layout is refused unless named. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../check.h"
#include "tritbench/catalog.h"
#include "tritbench/kernels.h"
#include "tritbench/quant.h"
#include "tritbench/safetensors.h"

enum { D = 64, VOCAB = 96, CTX = 32, FF = 4 * D };

typedef struct fx_tensor {
    char name[64];
    size_t ndim;
    uint64_t shape[2];
    float *v;
} fx_tensor;

static size_t add(fx_tensor *t, size_t n, const char *name, uint64_t d0, uint64_t d1)
{
    snprintf(t[n].name, sizeof t[n].name, "%s", name);
    t[n].ndim = d1 ? 2 : 1;
    t[n].shape[0] = d0;
    t[n].shape[1] = d1;
    const size_t cnt = d0 * (d1 ? d1 : 1);
    t[n].v = malloc(cnt * sizeof(float));
    REQUIRE(t[n].v);
    trit_fill_weights(t[n].v, 1, cnt, TRIT_DIST_GAUSSIAN, 77 + n);
    return n + 1;
}

/* GPT-2's names and shapes (HF transformers' GPT2Model, one block): Conv1D weights are [in, out]. */
static size_t gpt2_fixture(fx_tensor *t)
{
    size_t n = 0;
    n = add(t, n, "wte.weight", VOCAB, D);
    n = add(t, n, "wpe.weight", CTX, D);
    n = add(t, n, "h.0.ln_1.weight", D, 0);
    n = add(t, n, "h.0.ln_1.bias", D, 0);
    n = add(t, n, "h.0.attn.c_attn.weight", D, 3 * D);
    n = add(t, n, "h.0.attn.c_attn.bias", 3 * D, 0);
    n = add(t, n, "h.0.attn.c_proj.weight", D, D);
    n = add(t, n, "h.0.ln_2.weight", D, 0);
    n = add(t, n, "h.0.mlp.c_fc.weight", D, FF);
    n = add(t, n, "h.0.mlp.c_proj.weight", FF, D);
    n = add(t, n, "ln_f.weight", D, 0);
    return n;
}

static void write_fixture(const char *path, const fx_tensor *t, size_t n)
{
    char err[512];
    st_writer *w = st_writer_new(path, err, sizeof err);
    REQUIRE(w);
    for (size_t i = 0; i < n; i++)
        REQUIRE(st_writer_add_tensor(w, t[i].name, ST_F32, t[i].ndim, t[i].shape, err, sizeof err) == 0);
    REQUIRE(st_writer_begin_data(w, err, sizeof err) == 0);
    for (size_t i = 0; i < n; i++)
        REQUIRE(st_writer_write(w, t[i].v, t[i].shape[0] * (t[i].ndim == 2 ? t[i].shape[1] : 1) * sizeof(float), err,
                                sizeof err) == 0);
    REQUIRE(st_writer_commit(w, err, sizeof err) == 0);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    REQUIRE(f);
    fputs(text, f);
    REQUIRE(fclose(f) == 0);
}

typedef struct plan_buf {
    char text[16384];
} plan_buf;

static void collect(void *user, const char *line)
{
    plan_buf *p = user;
    const size_t at = strlen(p->text);
    snprintf(p->text + at, sizeof p->text - at, "%s\n", line);
}

/* The plan line of one tensor ("keep      NAME ..." / "quantize  NAME ..."), or NULL. */
static const char *plan_line_of(const plan_buf *p, const char *verb, const char *name)
{
    char want[2048];
    snprintf(want, sizeof want, "%-10s%s ", verb, name);
    return strstr(p->text, want);
}

static int convert(const char *in, const char *out, st_layout layout, trit_granularity g, plan_buf *plan, char *err,
                   size_t err_len)
{
    st_convert_opts o = {.in_path = in, .out_path = out, .format = TRIT_FMT_I2, .granularity = g,
                         .layout = layout, .layout_excludes = true, .dry_run = out == NULL};
    st_convert_stats st;
    if (plan)
        plan->text[0] = '\0';
    return st_convert(&o, &st, plan ? collect : NULL, plan, err, err_len);
}

/* Y (n × out) through the packed kernels: quantize X per token, trit_matmul, trit_rescale. */
static void packed_product(const trit_packed *p, const float *X, size_t n, float *Y)
{
    char err[256];
    const trit_kernel *k = trit_kernel_select(TRIT_OP_GEMM, p->format, err, sizeof err);
    REQUIRE(k);
    trit_act a;
    REQUIRE(trit_act_alloc(&a, n, p->cols) == 0);
    REQUIRE(trit_quantize_activations(X, p->cols, &a) == 0);
    int32_t *acc = trit_aligned_alloc(n * p->rows * sizeof(int32_t));
    REQUIRE(acc);
    REQUIRE(trit_matmul(k, p, &a, 2, acc) == 0);
    trit_rescale(p, &a, acc, NULL, Y);
    free(acc);
    trit_act_free(&a);
}

/* The FP32 product X · Ŵᵀ with Ŵ the ternary projection of Wt = stored[in, out]ᵀ (absmean, per tensor or
 * per output row, computed here in double independently of quant.c). */
static void reference_product(const float *stored, size_t in, size_t out, trit_granularity g, const float *X, size_t n,
                              double *Y)
{
    double *What = malloc(in * out * sizeof *What);
    REQUIRE(What);
    double total = 0.0;
    for (size_t i = 0; i < in * out; i++)
        total += fabs(stored[i]);
    for (size_t o = 0; o < out; o++) {
        double gamma = total / (double)(in * out);
        if (g == TRIT_SCALE_ROW) {
            gamma = 0.0;
            for (size_t i = 0; i < in; i++)
                gamma += fabs(stored[i * out + o]);
            gamma /= (double)in;
        }
        for (size_t i = 0; i < in; i++) {
            const double q = nearbyint(stored[i * out + o] / (gamma + 1e-5));
            What[o * in + i] = (q > 1 ? 1 : q < -1 ? -1 : q) * gamma;
        }
    }
    for (size_t r = 0; r < n; r++)
        for (size_t o = 0; o < out; o++) {
            double s = 0.0;
            for (size_t i = 0; i < in; i++)
                s += (double)X[r * in + i] * What[o * in + i];
            Y[r * out + o] = s;
        }
    free(What);
}

/* Relative L2 error of y against the reference. */
static double rel_err(const float *y, const double *ref, size_t count)
{
    double num = 0.0, den = 0.0;
    for (size_t i = 0; i < count; i++) {
        num += ((double)y[i] - ref[i]) * ((double)y[i] - ref[i]);
        den += ref[i] * ref[i];
    }
    return sqrt(num / den);
}

static void check_conv1d(const st_model *m, const fx_tensor *orig, trit_granularity g)
{
    char err[512];
    const size_t in = orig->shape[0], out = orig->shape[1], n = 3;
    trit_packed p;
    REQUIRE(st_is_packed(m, orig->name));
    REQUIRE(st_load_packed(m, orig->name, &p, err, sizeof err) == 0);
    CHECKF(p.rows == out && p.cols == in, "%s: packed %zux%zu, want rows = out features %zu, cols = in %zu",
           orig->name, p.rows, p.cols, out, in);
    CHECK(p.n_scales == (g == TRIT_SCALE_ROW ? out : 1));
    float *X = malloc(n * in * sizeof *X), *Y = malloc(n * out * sizeof *Y);
    double *ref = malloc(n * out * sizeof *ref), *wrong = malloc(n * out * sizeof *wrong);
    REQUIRE(X && Y && ref && wrong);
    trit_fill_activations(X, n, in, false, 2024);
    packed_product(&p, X, n, Y);
    reference_product(orig->v, in, out, g, X, n, ref);
    /* The only difference left is int8 activation quantization (~0.5 % relative on Gaussian inputs). */
    const double e = rel_err(Y, ref, n * out);
    CHECKF(e < 0.02, "%s: packed product vs FP32 product of the ternary weights: relative error %.4f", orig->name, e);
    if (in == out) {
        /* Packing the stored [in, out] as [out, in] (the bug this fixes) gives another product entirely. */
        float *Wt = malloc(in * out * sizeof *Wt);
        REQUIRE(Wt);
        for (size_t i = 0; i < in; i++)
            for (size_t o = 0; o < out; o++)
                Wt[o * in + i] = orig->v[i * out + o];
        reference_product(Wt, in, out, g, X, n, wrong);
        CHECKF(rel_err(Y, wrong, n * out) > 0.5, "%s: untransposed product should differ", orig->name);
        free(Wt);
    }
    free(X);
    free(Y);
    free(ref);
    free(wrong);
    trit_packed_free(&p);
}

static void test_gpt2(const char *dir)
{
    fx_tensor t[16];
    const size_t n = gpt2_fixture(t);
    char in[4096], out[4096], err[1024];
    snprintf(in, sizeof in, "%s/gpt2.safetensors", dir);
    snprintf(out, sizeof out, "%s/gpt2-i2.safetensors", dir);
    write_fixture(in, t, n);

    static plan_buf plan;
    REQUIRE(convert(in, NULL, ST_LAYOUT_AUTO, TRIT_SCALE_TENSOR, &plan, err, sizeof err) == 0);
    CHECKF(strstr(plan.text, "layout    gpt2 (tensor names") != NULL, "%s", plan.text);
    CHECKF(strstr(plan.text, "'(^|\\.)wte\\.'") && strstr(plan.text, "'(^|\\.)ln_'"), "excludes printed: %s", plan.text);
    for (size_t i = 0; i < n; i++) {
        const bool conv1d = strstr(t[i].name, ".c_") && t[i].ndim == 2;
        CHECKF(plan_line_of(&plan, conv1d ? "quantize" : "keep", t[i].name) != NULL, "%s: plan\n%s", t[i].name,
               plan.text);
        if (conv1d)
            CHECK(strstr(plan_line_of(&plan, "quantize", t[i].name), ", transposed") != NULL);
    }

    for (int g = 0; g < 2; g++) {
        const trit_granularity gran = g ? TRIT_SCALE_ROW : TRIT_SCALE_TENSOR;
        REQUIRE(convert(in, out, ST_LAYOUT_AUTO, gran, NULL, err, sizeof err) == 0);
        st_model m;
        REQUIRE(st_model_open(out, &m, err, sizeof err) == 0);
        CHECK(st_model_meta(&m, "tritbench.layout") && strcmp(st_model_meta(&m, "tritbench.layout"), "gpt2") == 0);
        for (size_t i = 0; i < n; i++) {
            if (strstr(t[i].name, ".c_") && t[i].ndim == 2) {
                check_conv1d(&m, &t[i], gran);
            } else {
                /* Kept byte for byte: embeddings, norms, biases. */
                const st_tensor *k = st_model_find(&m, t[i].name);
                CHECKF(k && !st_is_packed(&m, t[i].name) && k->dtype == ST_F32 &&
                           memcmp(k->data, t[i].v, k->n_elems * sizeof(float)) == 0,
                       "%s kept", t[i].name);
            }
        }
        st_model_close(&m);
    }

    /* config.json beside the checkpoint names the layout (and wins over the names). */
    char cfg[4096];
    snprintf(cfg, sizeof cfg, "%s/config.json", dir);
    write_text(cfg, "{\"architectures\": [\"GPT2LMHeadModel\"], \"model_type\": \"gpt2\", \"n_embd\": 64}");
    REQUIRE(convert(in, NULL, ST_LAYOUT_AUTO, TRIT_SCALE_TENSOR, &plan, err, sizeof err) == 0);
    CHECKF(strstr(plan.text, "model_type 'gpt2'") != NULL, "%s", plan.text);
    write_text(cfg, "{\"architectures\": [\"GPT2LMHeadModel\"]}");
    REQUIRE(convert(in, NULL, ST_LAYOUT_AUTO, TRIT_SCALE_TENSOR, &plan, err, sizeof err) == 0);
    CHECKF(strstr(plan.text, "architectures 'GPT2LMHeadModel'") != NULL, "%s", plan.text);
    /* A model convert does not know, named by config.json: no fallback to the names. */
    write_text(cfg, "{\"model_type\": \"bert\"}");
    CHECK(convert(in, NULL, ST_LAYOUT_AUTO, TRIT_SCALE_TENSOR, &plan, err, sizeof err) == -1);
    CHECKF(strstr(err, "'bert'") && strstr(err, "--layout"), "%s", err);
    write_text(cfg, "{\"model_type\": ");
    CHECK(convert(in, NULL, ST_LAYOUT_AUTO, TRIT_SCALE_TENSOR, &plan, err, sizeof err) == -1);
    CHECKF(strstr(err, "config.json") && strstr(err, "not a JSON object"), "%s", err);
    /* An explicit layout overrides the config. */
    CHECKF(convert(in, NULL, ST_LAYOUT_GPT2, TRIT_SCALE_TENSOR, &plan, err, sizeof err) == 0, "%s", err);
    CHECK(strstr(plan.text, "given with --layout") != NULL);
    remove(cfg);
    for (size_t i = 0; i < n; i++)
        free(t[i].v);
}

static void test_unknown_and_llama(const char *dir)
{
    char in[4096], err[1024];
    static plan_buf plan;
    fx_tensor t[4];
    size_t n = add(t, 0, "encoder.proj.weight", 32, 48);
    snprintf(in, sizeof in, "%s/unknown.safetensors", dir);
    write_fixture(in, t, n);
    CHECK(convert(in, NULL, ST_LAYOUT_AUTO, TRIT_SCALE_TENSOR, &plan, err, sizeof err) == -1);
    CHECKF(strstr(err, "unknown checkpoint layout") && strstr(err, "encoder.proj.weight") && strstr(err, "--layout"),
           "%s", err);
    CHECKF(convert(in, NULL, ST_LAYOUT_LLAMA, TRIT_SCALE_TENSOR, &plan, err, sizeof err) == 0, "%s", err);
    CHECK(plan_line_of(&plan, "quantize", "encoder.proj.weight") && !strstr(plan.text, "transposed"));
    free(t[0].v);

    /* Llama names: no transposition, Llama's default excludes. */
    n = add(t, 0, "model.embed_tokens.weight", 40, 32);
    n = add(t, n, "model.layers.0.self_attn.q_proj.weight", 32, 32);
    n = add(t, n, "model.layers.0.mlp.down_proj.weight", 32, 48);
    n = add(t, n, "model.norm.weight", 32, 0);
    snprintf(in, sizeof in, "%s/llama.safetensors", dir);
    write_fixture(in, t, n);
    REQUIRE(convert(in, NULL, ST_LAYOUT_AUTO, TRIT_SCALE_TENSOR, &plan, err, sizeof err) == 0);
    CHECKF(strstr(plan.text, "layout    llama (tensor names") && !strstr(plan.text, "transposed"), "%s", plan.text);
    CHECK(plan_line_of(&plan, "keep", "model.embed_tokens.weight") != NULL);
    CHECK(plan_line_of(&plan, "quantize", "model.layers.0.mlp.down_proj.weight") != NULL);
    for (size_t i = 0; i < n; i++)
        free(t[i].v);

    st_layout l;
    CHECK(st_layout_parse("gpt2", &l) == 0 && l == ST_LAYOUT_GPT2);
    CHECK(st_layout_parse("bitnet", &l) == 0 && l == ST_LAYOUT_LLAMA);
    CHECK(st_layout_parse("bert", &l) == -1);
}

int main(int argc, char **argv)
{
    REQUIRE(argc == 2);
    char dir[2048];
    snprintf(dir, sizeof dir, "%s/layout", argv[1]);
    mkdir(dir, 0755);
    test_gpt2(dir);
    test_unknown_and_llama(dir);
    return check_exit();
}
