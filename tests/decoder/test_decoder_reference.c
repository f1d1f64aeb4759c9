/* test_decoder_reference.c — the ternary decoder's logits after 16 decode steps against (a) the same model
 * run on the scalar oracle kernels (1e-5 relative, as the kernels are exact) and (b) an independent naive
 * evaluation of the BitNet b1.58 math in double, with no KV cache (re-evaluates the whole prefix). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/check.h"
#include "tritbench/decoder.h"
#include "tritbench/catalog.h"

#define STEPS 16

static const char *const LIN[7] = {"q", "k", "v", "o", "gate", "up", "down"};

typedef struct ref_model {
    const tb_decoder *d;
    const trit_model_config *c;
    int8_t *wq[64][7]; /* unpacked trits per layer and projection */
} ref_model;

static void ref_init(ref_model *m, const tb_decoder *d)
{
    memset(m, 0, sizeof *m);
    m->d = d;
    m->c = tb_decoder_config(d);
    REQUIRE(m->c->n_layers <= 64);
    for (int l = 0; l < m->c->n_layers; l++)
        for (int i = 0; i < 7; i++) {
            const trit_packed *w = tb_decoder_ternary_weight(d, l, LIN[i]);
            REQUIRE(w != NULL);
            m->wq[l][i] = malloc(w->rows * w->cols);
            REQUIRE(m->wq[l][i] != NULL);
            REQUIRE(trit_unpack(w, m->wq[l][i]) == 0);
        }
}

static void ref_free(ref_model *m)
{
    for (int l = 0; l < m->c->n_layers; l++)
        for (int i = 0; i < 7; i++)
            free(m->wq[l][i]);
}

static void rms(const double *x, const float *g, double eps, size_t n, double *out)
{
    double ss = 0;
    for (size_t i = 0; i < n; i++)
        ss += x[i] * x[i];
    const double r = 1.0 / sqrt(ss / (double)n + eps);
    for (size_t i = 0; i < n; i++)
        out[i] = x[i] * r * g[i];
}

/* BitLinear: per-token absmax int8 quantization, exact integer dot, y = acc · γ / s. */
static void bitlinear(const ref_model *m, int l, int idx, const double *x, double *y)
{
    const trit_packed *w = tb_decoder_ternary_weight(m->d, l, LIN[idx]);
    const size_t K = w->cols;
    float amax = 0;
    for (size_t k = 0; k < K; k++)
        amax = fmaxf(amax, fabsf((float)x[k]));
    const float s = 127.0f / fmaxf(amax, 1e-5f);
    int8_t *q = malloc(K);
    REQUIRE(q != NULL);
    for (size_t k = 0; k < K; k++)
        q[k] = (int8_t)fminf(127.0f, fmaxf(-128.0f, nearbyintf((float)x[k] * s)));
    for (size_t r = 0; r < w->rows; r++) {
        long acc = 0;
        for (size_t k = 0; k < K; k++)
            acc += (long)m->wq[l][idx][r * K + k] * q[k];
        y[r] = (double)acc * (double)w->scales[0] / (double)s;
    }
    free(q);
}

static void rope(double *v, size_t heads, size_t hd, size_t pos, double theta)
{
    for (size_t h = 0; h < heads; h++)
        for (size_t i = 0; i < hd / 2; i++) {
            const double a = (double)pos * pow(theta, -2.0 * (double)i / (double)hd);
            double *p = v + h * hd;
            const double x0 = p[i], x1 = p[i + hd / 2];
            p[i] = x0 * cos(a) - x1 * sin(a);
            p[i + hd / 2] = x0 * sin(a) + x1 * cos(a);
        }
}

/* Logits of the last of T tokens, evaluating the whole prefix from scratch. */
static void ref_forward(const ref_model *m, const int32_t *tok, size_t T, double *logits)
{
    const trit_model_config *c = m->c;
    const size_t H = (size_t)c->hidden, F = (size_t)c->ffn, hd = (size_t)c->head_dim;
    const size_t nh = (size_t)c->n_heads, nkv = (size_t)c->n_kv_heads, Q = nh * hd, KV = nkv * hd;
    double *X = calloc(T * H, sizeof *X), *n = calloc(F + Q + H, sizeof *n), *q = calloc(T * Q, sizeof *q);
    double *k = calloc(T * KV, sizeof *k), *v = calloc(T * KV, sizeof *v), *att = calloc(T * Q, sizeof *att);
    double *g = calloc(F, sizeof *g), *u = calloc(F, sizeof *u), *o = calloc(H, sizeof *o);
    double *sc = calloc(T, sizeof *sc), *n2 = calloc(F + Q + H, sizeof *n2);
    float *row = calloc(H, sizeof *row);
    REQUIRE(X && n && q && k && v && att && g && u && o && sc && n2 && row);
    for (size_t t = 0; t < T; t++) {
        REQUIRE(tb_decoder_embedding_row(m->d, tok[t], row) == 0);
        for (size_t i = 0; i < H; i++)
            X[t * H + i] = row[i];
    }
    for (int l = 0; l < c->n_layers; l++) {
        for (size_t t = 0; t < T; t++) {
            rms(X + t * H, tb_decoder_norm_weight(m->d, l, "attn_norm"), c->norm_eps, H, n);
            bitlinear(m, l, 0, n, q + t * Q);
            bitlinear(m, l, 1, n, k + t * KV);
            bitlinear(m, l, 2, n, v + t * KV);
            rope(q + t * Q, nh, hd, t, c->rope_theta);
            rope(k + t * KV, nkv, hd, t, c->rope_theta);
        }
        for (size_t t = 0; t < T; t++)
            for (size_t h = 0; h < nh; h++) {
                const size_t kh = h / (nh / nkv);
                double mx = -1e300, sum = 0;
                for (size_t j = 0; j <= t; j++) {
                    double s = 0;
                    for (size_t i = 0; i < hd; i++)
                        s += q[t * Q + h * hd + i] * k[j * KV + kh * hd + i];
                    sc[j] = s / sqrt((double)hd);
                    mx = fmax(mx, sc[j]);
                }
                for (size_t j = 0; j <= t; j++)
                    sum += (sc[j] = exp(sc[j] - mx));
                for (size_t i = 0; i < hd; i++) {
                    double a = 0;
                    for (size_t j = 0; j <= t; j++)
                        a += sc[j] / sum * v[j * KV + kh * hd + i];
                    att[t * Q + h * hd + i] = a;
                }
            }
        for (size_t t = 0; t < T; t++) {
            double *x = X + t * H;
            rms(att + t * Q, tb_decoder_norm_weight(m->d, l, "attn_subnorm"), c->norm_eps, Q, n);
            bitlinear(m, l, 3, n, o);
            for (size_t i = 0; i < H; i++)
                x[i] += o[i];
            rms(x, tb_decoder_norm_weight(m->d, l, "ffn_norm"), c->norm_eps, H, n);
            bitlinear(m, l, 4, n, g);
            bitlinear(m, l, 5, n, u);
            for (size_t i = 0; i < F; i++) {
                const double r = g[i] > 0 ? g[i] : 0;
                g[i] = (c->act == TRIT_ACT_RELU2 ? r * r : g[i] / (1.0 + exp(-g[i]))) * u[i];
            }
            rms(g, tb_decoder_norm_weight(m->d, l, "ffn_subnorm"), c->norm_eps, F, n2);
            bitlinear(m, l, 6, n2, o);
            for (size_t i = 0; i < H; i++)
                x[i] += o[i];
        }
    }
    rms(X + (T - 1) * H, tb_decoder_norm_weight(m->d, 0, "final_norm"), c->norm_eps, H, n);
    for (int32_t vtok = 0; vtok < c->vocab; vtok++) {
        REQUIRE(tb_decoder_head_row(m->d, vtok, row) == 0);
        double s = 0;
        for (size_t i = 0; i < H; i++)
            s += row[i] * n[i];
        logits[vtok] = s;
    }
    free(X), free(n), free(q), free(k), free(v), free(att), free(g), free(u), free(o), free(sc), free(n2), free(row);
}

static double max_abs(const float *x, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++)
        m = fmax(m, fabs(x[i]));
    return m;
}

static void run_config(const char *cfg_name, trit_format fmt, uint64_t seed)
{
    const trit_model_config *c = tb_decoder_test_config(cfg_name);
    REQUIRE(c != NULL);
    char err[512];
    tb_decoder_opts o;
    tb_decoder_opts_default(&o);
    o.format = fmt;
    o.seed = seed;
    o.max_ctx = 64;
    o.max_batch = 16;
    o.threads = 2;
    tb_decoder *fast = tb_decoder_new(c, &o, err, sizeof err); /* TRIT_ISA or the best kernel here */
    REQUIRE(fast != NULL);
    o.threads = 1;
    o.gemv = trit_kernel_get(TRIT_OP_GEMV, fmt, "scalar");
    o.gemm = trit_kernel_get(TRIT_OP_GEMM, fmt, "scalar");
    tb_decoder *oracle = tb_decoder_new(c, &o, err, sizeof err);
    REQUIRE(oracle != NULL);
    printf("%s/%s: %s vs scalar oracle\n", cfg_name, trit_format_name(fmt), tb_decoder_kernel_desc(fast));

    const size_t V = (size_t)c->vocab;
    float *lf = malloc(V * sizeof *lf), *lo = malloc(V * sizeof *lo);
    double *lr = malloc(V * sizeof *lr);
    int32_t tok[STEPS];
    REQUIRE(lf && lo && lr);
    trit_rng rng;
    trit_rng_seed(&rng, seed * 77 + 5);
    for (int s = 0; s < STEPS; s++) {
        tok[s] = (int32_t)trit_rng_below(&rng, V);
        REQUIRE(tb_decoder_decode(fast, tok[s], lf) == 0);
        REQUIRE(tb_decoder_decode(oracle, tok[s], lo) == 0);
    }
    /* (a) exact integer kernels: only FP summation could differ, and it is shared code. */
    const double scale = max_abs(lo, V);
    double worst = 0;
    for (size_t i = 0; i < V; i++)
        worst = fmax(worst, fabs((double)lf[i] - lo[i]) / scale);
    CHECKF(worst <= 1e-5, "%s/%s: max |fast - scalar| / max|logit| = %.3g after %d steps", cfg_name,
           trit_format_name(fmt), worst, STEPS);

    /* (b) the independent evaluation: a different FP order can move an activation across a .5 rounding
     * boundary, and one flipped int8 shifts the logits by ~1% (seen with tiny/t5, seed 12), so the bound
     * is 5%; any structural error (RoPE, GQA mapping, SubLN, γ/s, cache) is O(1). */
    ref_model m;
    ref_init(&m, oracle);
    ref_forward(&m, tok, STEPS, lr);
    double dev = 0, ref_scale = 0;
    size_t arg_d = 0, arg_r = 0;
    for (size_t i = 0; i < V; i++) {
        dev = fmax(dev, fabs(lo[i] - lr[i]));
        ref_scale = fmax(ref_scale, fabs(lr[i]));
        arg_d = lo[i] > lo[arg_d] ? i : arg_d;
        arg_r = lr[i] > lr[arg_r] ? i : arg_r;
    }
    printf("  vs naive double reference: max dev %.3g of max|logit| %.3g\n", dev, ref_scale);
    CHECK(ref_scale > 0.1); /* logits are O(1) by construction, not vanishing */
    CHECKF(dev / ref_scale <= 5e-2, "%s/%s: decoder vs naive reference: max dev %.3g (scale %.3g)", cfg_name,
           trit_format_name(fmt), dev, ref_scale);
    CHECK(arg_d == arg_r);
    ref_free(&m);
    free(lf), free(lo), free(lr);
    tb_decoder_free(fast);
    tb_decoder_free(oracle);
}

int main(void)
{
    run_config("tiny", TRIT_FMT_I2, 11);
    run_config("tiny", TRIT_FMT_T5, 12);
    run_config("tiny-silu", TRIT_FMT_I2, 13);
    run_config("tiny-silu", TRIT_FMT_T5, 14);
    return check_exit();
}
