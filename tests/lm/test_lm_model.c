/* test_lm_model.c — the language model's mechanics on tiny sizes: gradients against finite differences
 * (every tensor), the forward against an independent double-precision reference, identical training on
 * 1, 2 and 3 threads, the loss going down on text, save → load bit-exact, and the packed forward of a
 * converted checkpoint equal to the fake-quantized forward QAT trains. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../check.h"
#include "lm_reference.h"
#include "tritbench/catalog.h"
#include "tritbench/lm.h"
#include "tritbench/safetensors.h"

static const tb_lm_config tiny = {2, 16, 2, 24, 8, 1e-5f, 10000.0f};

static void random_tokens(uint8_t *t, size_t n, uint64_t seed)
{
    trit_rng r;
    trit_rng_seed(&r, seed);
    for (size_t i = 0; i < n; i++)
        t[i] = (uint8_t)(32 + trit_rng_below(&r, 64));
}

typedef struct tensor_ref {
    char name[128];
    float *data;
    size_t len;
} tensor_ref;

typedef struct tensor_list {
    tensor_ref t[64];
    size_t n;
} tensor_list;

static void list_tensor(void *user, const char *name, float *data, size_t rows, size_t cols)
{
    tensor_list *l = user;
    snprintf(l->t[l->n].name, sizeof l->t[l->n].name, "%s", name);
    l->t[l->n].data = data;
    l->t[l->n++].len = rows * (cols ? cols : 1);
}

/* Per tensor: the directional derivative along a random direction, analytic (g · d) against the central
 * difference of the loss (ε along d). Weights are scaled up so the gradients are well above FP32 noise. */
static void test_gradients(void)
{
    tb_lm m;
    REQUIRE(tb_lm_init(&m, &tiny, 5) == 0);
    tensor_list L = {.n = 0};
    tb_lm_params(&m, list_tensor, &L);
    trit_rng r;
    trit_rng_seed(&r, 9);
    for (size_t i = 0; i < L.n; i++)
        for (size_t k = 0; k < L.t[i].len; k++)
            L.t[i].data[k] = strstr(L.t[i].name, "norm") ? (float)(1.0 + 0.3 * trit_rng_normal(&r))
                                                           : (float)(0.3 * trit_rng_normal(&r));
    const size_t B = 2, T = 7;
    uint8_t tok[2 * 8];
    random_tokens(tok, sizeof tok, 3);
    tb_lm_ws *ws = tb_lm_ws_new(&m, B);
    REQUIRE(ws);
    const double l0 = tb_lm_loss(&m, TB_LM_FP32, tok, B, T, true, ws, 1, NULL, NULL);
    REQUIRE(isfinite(l0));
    for (size_t i = 0; i < L.n; i++) {
        const float *g = tb_lm_ws_grad(ws, i);
        float *saved = malloc(L.t[i].len * sizeof *saved), *dir = malloc(L.t[i].len * sizeof *dir);
        REQUIRE(saved && dir);
        memcpy(saved, L.t[i].data, L.t[i].len * sizeof *saved);
        double gd = 0.0, dn = 0.0;
        for (size_t k = 0; k < L.t[i].len; k++) {
            dir[k] = (float)trit_rng_normal(&r);
            gd += (double)g[k] * dir[k];
            dn += (double)dir[k] * dir[k];
        }
        const double eps = 2e-3 / sqrt(dn / (double)L.t[i].len);
        double lp, lm;
        for (size_t k = 0; k < L.t[i].len; k++)
            L.t[i].data[k] = saved[k] + (float)(eps * dir[k]);
        lp = tb_lm_loss(&m, TB_LM_FP32, tok, B, T, false, ws, 1, NULL, NULL);
        for (size_t k = 0; k < L.t[i].len; k++)
            L.t[i].data[k] = saved[k] - (float)(eps * dir[k]);
        lm = tb_lm_loss(&m, TB_LM_FP32, tok, B, T, false, ws, 1, NULL, NULL);
        memcpy(L.t[i].data, saved, L.t[i].len * sizeof *saved);
        const double fd = (lp - lm) / (2.0 * eps);
        CHECKF(fabs(fd - gd) <= 2e-2 * fabs(fd) + 1e-4, "%s: analytic %.6g, finite difference %.6g", L.t[i].name, gd,
               fd);
        free(saved);
        free(dir);
    }
    tb_lm_ws_free(ws);
    tb_lm_free(&m);
}

/* The model's FP32 forward against the double-precision reference. */
static double max_logit_diff(tb_lm *m, const uint8_t *tok, size_t T)
{
    tb_lm_ws *ws = tb_lm_ws_new(m, 1);
    float *lg = malloc(T * TB_LM_VOCAB * sizeof *lg);
    double *ref = malloc(T * TB_LM_VOCAB * sizeof *ref);
    REQUIRE(ws && lg && ref);
    REQUIRE(isfinite(tb_lm_loss(m, TB_LM_FP32, tok, 1, T, false, ws, 2, NULL, lg)));
    ref_forward(m, tok, T, ref);
    double worst = 0.0;
    for (size_t i = 0; i < T * TB_LM_VOCAB; i++) {
        const double d = fabs((double)lg[i] - ref[i]) / fmax(1.0, fabs(ref[i]));
        worst = d > worst ? d : worst;
    }
    tb_lm_ws_free(ws);
    free(lg);
    free(ref);
    return worst;
}

static const char text[] =
    "The quick brown fox jumps over the lazy dog. A stitch in time saves nine. To be or not to be, that is the "
    "question. All that glitters is not gold. The early bird catches the worm. Actions speak louder than words.\n";

static void train_tiny(tb_lm *m, int threads, size_t steps, bool quantize)
{
    tb_lm_train_opts o = {.steps = steps, .batch = 4, .seq = 8, .lr = 3e-3, .lr_final = 3e-4, .weight_decay = 0.01,
                          .warmup_frac = 0.1, .seed = 11, .quantize = quantize, .threads = threads, .clip = 1.0};
    char err[256];
    CHECKF(tb_lm_train(m, (const uint8_t *)text, sizeof text - 1, &o, NULL, 0, NULL, err, sizeof err) == 0, "%s", err);
}

static bool same_weights(tb_lm *a, tb_lm *b)
{
    tensor_list la = {.n = 0}, lb = {.n = 0};
    tb_lm_params(a, list_tensor, &la);
    tb_lm_params(b, list_tensor, &lb);
    for (size_t i = 0; i < la.n; i++)
        if (memcmp(la.t[i].data, lb.t[i].data, la.t[i].len * sizeof(float)) != 0)
            return false;
    return la.n == lb.n;
}

static void test_determinism_and_learning(const char *dir)
{
    const tb_lm_config c = {2, 32, 2, 64, 8, 1e-5f, 10000.0f};
    tb_lm m[3];
    for (int t = 0; t < 3; t++) {
        REQUIRE(tb_lm_init(&m[t], &c, 21) == 0);
        train_tiny(&m[t], t + 1, 12, false);
    }
    CHECK(same_weights(&m[0], &m[1]));
    CHECK(same_weights(&m[0], &m[2]));
    /* QAT too. */
    for (int t = 0; t < 2; t++)
        train_tiny(&m[t], 2 * t + 1, 4, true);
    CHECK(same_weights(&m[0], &m[1]));

    /* Learning: held-in loss on the text falls well below the untrained ln 256 ≈ 5.55 nats. */
    tb_lm fresh;
    REQUIRE(tb_lm_init(&fresh, &c, 21) == 0);
    tb_lm_eval before, after;
    char err[256];
    REQUIRE(tb_lm_evaluate(&fresh, TB_LM_FP32, (const uint8_t *)text, sizeof text - 1, 8, 0, 1, &before, err,
                           sizeof err) == 0);
    train_tiny(&fresh, 2, 300, false);
    REQUIRE(tb_lm_evaluate(&fresh, TB_LM_FP32, (const uint8_t *)text, sizeof text - 1, 8, 0, 1, &after, err,
                           sizeof err) == 0);
    CHECKF(before.loss > 5.0 && after.loss < 0.6 * before.loss, "loss %.3f -> %.3f", before.loss, after.loss);

    /* Reference forward of the trained model. */
    const double d = max_logit_diff(&fresh, (const uint8_t *)text, 8);
    CHECKF(d <= 1e-5, "forward vs double reference: %.3g", d);

    /* save → load is exact, and the loaded model carries its key. */
    char path[2048], out[2048];
    snprintf(path, sizeof path, "%s/tiny/model.safetensors", dir);
    snprintf(out, sizeof out, "%s/tiny/model-i2.safetensors", dir);
    char sub[2048];
    snprintf(sub, sizeof sub, "%s/tiny", dir);
    mkdir(sub, 0755);
    REQUIRE(tb_lm_save(&fresh, path, "key-1", err, sizeof err) == 0);
    tb_lm back;
    CHECK(tb_lm_load(&back, path, "key-2", err, sizeof err) == 1); /* another key: not used */
    REQUIRE(tb_lm_load(&back, path, "key-1", err, sizeof err) == 0);
    CHECK(same_weights(&fresh, &back));

    /* convert (layout from the config.json beside it) → packed forward == fake-quantized forward. */
    st_convert_opts o = {.in_path = path, .out_path = out, .format = TRIT_FMT_I2, .granularity = TRIT_SCALE_TENSOR,
                         .layout_excludes = true};
    st_convert_stats st;
    REQUIRE(st_convert(&o, &st, NULL, NULL, err, sizeof err) == 0);
    CHECK(st.n_quantized == 7 * c.n_layers);
    REQUIRE(tb_lm_load_packed(&back, out, err, sizeof err) == 0);
    tb_lm_ws *ws = tb_lm_ws_new(&back, 2);
    float *a = malloc(2 * 8 * TB_LM_VOCAB * sizeof *a), *b = malloc(2 * 8 * TB_LM_VOCAB * sizeof *b);
    REQUIRE(ws && a && b);
    const uint8_t *tok = (const uint8_t *)text;
    const double la = tb_lm_loss(&back, TB_LM_FAKEQUANT, tok, 2, 8, false, ws, 1, NULL, a);
    const double lb = tb_lm_loss(&back, TB_LM_PACKED, tok, 2, 8, false, ws, 2, NULL, b);
    double worst = 0.0;
    for (size_t i = 0; i < 2 * 8 * TB_LM_VOCAB; i++)
        worst = fmax(worst, fabs((double)a[i] - (double)b[i]));
    CHECKF(worst <= 1e-4 && fabs(la - lb) < 1e-5, "fake-quant vs packed: max logit diff %.3g, loss %.6f vs %.6f",
           worst, la, lb);
    const double lf = tb_lm_loss(&back, TB_LM_FP32, tok, 2, 8, false, ws, 1, NULL, NULL);
    CHECKF(fabs(lf - la) > 1e-4, "quantization changes the loss (%.6f vs %.6f)", lf, la);
    free(a);
    free(b);
    tb_lm_ws_free(ws);
    tb_lm_free(&back);
    tb_lm_free(&fresh);
    for (int t = 0; t < 3; t++)
        tb_lm_free(&m[t]);
}

int main(int argc, char **argv)
{
    REQUIRE(argc == 2);
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/lm-model", argv[1]);
    mkdir(dir, 0755);
    test_gradients();
    test_determinism_and_learning(dir);
    return check_exit();
}
