/* test_ste_grad.c — the MLP's backward against central finite differences of an independent scalar
 * double-precision reference:
 *   quantized (QAT) mode: the network in which every BitLinear layer is replaced by its straight-through
 *     surrogate at the forward point (train.h):
 *       S(X, W, b) = Y_q(X₀, W₀, b₀) + (X − X₀)·Ŵ₀ᵀ + X₀·(W − W₀)ᵀ + (b − b₀),   Ŵ₀ = Wq(W₀)·γ(W₀)
 *     so dX = dY·Ŵ₀, dW = dYᵀ·X₀, db = Σ dY are its exact gradients;
 *   FP32 mode: the plain network.
 * Two layouts (ternary input and hidden / ternary hidden and head), seeded random data. Swapping X for
 * Q_a(X) in dW, Ŵ for W in dX, or dropping γ makes this test fail. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tests/check.h"
#include "tritbench/catalog.h"
#include "tritbench/quant.h"
#include "tritbench/train.h"

#define NL 3
#define NB 6
static const size_t sizes[NL + 1] = {24, 16, 12, 5};

typedef struct ref_anchor {
    double *X0[NL], *Yq0[NL], *What0[NL], *W0[NL], *b0[NL];
} ref_anchor;

static double *dalloc(size_t n)
{
    double *p = calloc(n, sizeof(double));
    REQUIRE(p);
    return p;
}

/* Library-independent anchor: the quantized forward in double, quantizers from the kernel oracle. */
static void ref_anchor_build(const tb_mlp *m, const float *X, ref_anchor *a, double *logits)
{
    double *x = dalloc(NB * sizes[0]);
    for (size_t i = 0; i < NB * sizes[0]; i++)
        x[i] = X[i];
    for (size_t l = 0; l < NL; l++) {
        const tb_linear *L = &m->layer[l];
        const size_t in = L->in, out = L->out;
        a->X0[l] = x;
        a->Yq0[l] = dalloc(NB * out);
        a->What0[l] = dalloc(in * out);
        a->W0[l] = dalloc(in * out);
        a->b0[l] = dalloc(out);
        for (size_t i = 0; i < in * out; i++)
            a->W0[l][i] = L->W[i];
        for (size_t j = 0; j < out; j++)
            a->b0[l][j] = L->b[j];
        double *z = a->Yq0[l];
        if (L->kind == TB_LAYER_BITLINEAR) {
            int8_t *wq = malloc(in * out);
            float *xf = malloc(NB * in * sizeof(float));
            REQUIRE(wq && xf);
            float gamma;
            const trit_wquant_opts wo = {TRIT_SCALE_TENSOR, TRIT_WQ_ABSMEAN, 0.0f};
            REQUIRE(trit_quantize_weights(L->W, out, in, &wo, wq, &gamma) == 0);
            for (size_t i = 0; i < NB * in; i++)
                xf[i] = (float)x[i];
            trit_act act;
            REQUIRE(trit_act_alloc(&act, NB, in) == 0);
            REQUIRE(trit_quantize_activations(xf, in, &act) == 0);
            for (size_t i = 0; i < in * out; i++)
                a->What0[l][i] = (double)wq[i] * gamma;
            for (size_t r = 0; r < NB; r++)
                for (size_t j = 0; j < out; j++) {
                    double s = 0;
                    for (size_t k = 0; k < in; k++)
                        s += (double)act.q[r * act.stride + k] * wq[j * in + k];
                    z[r * out + j] = s * gamma / act.scale[r] + L->b[j];
                }
            trit_act_free(&act);
            free(wq);
            free(xf);
        } else {
            for (size_t r = 0; r < NB; r++)
                for (size_t j = 0; j < out; j++) {
                    double s = L->b[j];
                    for (size_t k = 0; k < in; k++)
                        s += x[r * in + k] * L->W[j * in + k];
                    z[r * out + j] = s;
                }
        }
        double *y = dalloc(NB * out);
        for (size_t i = 0; i < NB * out; i++)
            y[i] = l + 1 < NL ? (z[i] > 0 ? z[i] : 0) : z[i];
        if (l + 1 < NL)
            x = y;
        else {
            memcpy(logits, y, NB * out * sizeof(double));
            free(y);
        }
    }
}

static void ref_anchor_free(ref_anchor *a)
{
    for (size_t l = 0; l < NL; l++) {
        free(a->X0[l]);
        free(a->Yq0[l]);
        free(a->What0[l]);
        free(a->W0[l]);
        free(a->b0[l]);
    }
}

/* Mean cross-entropy of the surrogate (quantized) or plain FP32 network at parameters W, b. */
static double ref_loss(const tb_mlp *m, bool quantize, const ref_anchor *a, double *const *W, double *const *b,
                       const float *X, const uint8_t *labels)
{
    double cur[NB * 32], nxt[NB * 32] = {0};
    for (size_t i = 0; i < NB * sizes[0]; i++)
        cur[i] = X[i];
    for (size_t l = 0; l < NL; l++) {
        const size_t in = sizes[l], out = sizes[l + 1];
        const bool ste = quantize && m->layer[l].kind == TB_LAYER_BITLINEAR;
        for (size_t r = 0; r < NB; r++)
            for (size_t j = 0; j < out; j++) {
                double s;
                if (ste) {
                    s = a->Yq0[l][r * out + j] + (b[l][j] - a->b0[l][j]);
                    for (size_t k = 0; k < in; k++)
                        s += (cur[r * in + k] - a->X0[l][r * in + k]) * a->What0[l][j * in + k] +
                             a->X0[l][r * in + k] * (W[l][j * in + k] - a->W0[l][j * in + k]);
                } else {
                    s = b[l][j];
                    for (size_t k = 0; k < in; k++)
                        s += cur[r * in + k] * W[l][j * in + k];
                }
                nxt[r * out + j] = l + 1 < NL && s < 0 ? 0 : s;
            }
        memcpy(cur, nxt, NB * out * sizeof(double));
    }
    const size_t C = sizes[NL];
    double loss = 0;
    for (size_t r = 0; r < NB; r++) {
        double mx = cur[r * C];
        for (size_t j = 1; j < C; j++)
            mx = cur[r * C + j] > mx ? cur[r * C + j] : mx;
        double s = exp(cur[r * C] - mx);
        for (size_t j = 1; j < C; j++)
            s += exp(cur[r * C + j] - mx);
        loss += log(s) + mx - cur[r * C + labels[r]];
    }
    return loss / NB;
}

static void check_layout(const tb_layer_kind *kinds, bool quantize, uint64_t seed)
{
    tb_mlp m;
    REQUIRE(tb_mlp_init(&m, sizes, NL, kinds, seed) == 0);
    trit_rng rng;
    trit_rng_seed(&rng, seed ^ 0x5eed);
    for (size_t l = 0; l < NL; l++)
        for (size_t j = 0; j < m.layer[l].out; j++)
            m.layer[l].b[j] = (float)(0.1 * trit_rng_normal(&rng));
    float X[NB * 24];
    uint8_t labels[NB];
    for (size_t i = 0; i < NB * sizes[0]; i++)
        X[i] = (float)trit_rng_normal(&rng);
    for (size_t r = 0; r < NB; r++)
        labels[r] = (uint8_t)trit_rng_below(&rng, sizes[NL]);

    tb_mlp_ws ws;
    REQUIRE(tb_mlp_ws_alloc(&ws, &m, NB) == 0);
    REQUIRE(tb_mlp_forward(&m, quantize, X, NB, &ws, 1) == 0);
    const double loss = tb_mlp_backward(&m, quantize, labels, NB, &ws, 1);

    ref_anchor a;
    memset(&a, 0, sizeof a);
    double logits[NB * 5];
    ref_anchor_build(&m, X, &a, logits);
    double *W[NL], *b[NL];
    for (size_t l = 0; l < NL; l++) {
        W[l] = dalloc(sizes[l] * sizes[l + 1]);
        b[l] = dalloc(sizes[l + 1]);
        memcpy(W[l], a.W0[l], sizes[l] * sizes[l + 1] * sizeof(double));
        memcpy(b[l], a.b0[l], sizes[l + 1] * sizeof(double));
    }
    /* The library's quantized forward is the anchor (relative to the row's largest logit: an FP32 head sums in float). */
    for (size_t r = 0; quantize && r < NB; r++) {
        double big = 0;
        for (size_t j = 0; j < sizes[NL]; j++)
            big = fabs(logits[r * sizes[NL] + j]) > big ? fabs(logits[r * sizes[NL] + j]) : big;
        for (size_t j = 0; j < sizes[NL]; j++) {
            const size_t i = r * sizes[NL] + j;
            CHECKF(fabs(ws.act[NL][i] - logits[i]) <= 1e-5 * big, "logit %zu: %g vs %g", i, ws.act[NL][i], logits[i]);
        }
    }
    const double l0 = ref_loss(&m, quantize, &a, W, b, X, labels);
    CHECKF(fabs(loss - l0) <= 1e-5 * fabs(l0), "loss %g vs reference %g", loss, l0);

    /* Every bias and a seeded sample of weights of every layer. */
    const double h = 1e-5;
    size_t checked = 0, bad = 0;
    for (size_t l = 0; l < NL; l++) {
        const size_t nw = sizes[l] * sizes[l + 1];
        for (size_t t = 0; t < 60 + sizes[l + 1]; t++) {
            const bool is_b = t >= 60;
            double *p = is_b ? &b[l][t - 60] : &W[l][trit_rng_below(&rng, nw)];
            const float g = is_b ? ws.gb[l][t - 60] : ws.gW[l][p - W[l]];
            const double keep = *p;
            *p = keep + h;
            const double up = ref_loss(&m, quantize, &a, W, b, X, labels);
            *p = keep - h;
            const double down = ref_loss(&m, quantize, &a, W, b, X, labels);
            *p = keep;
            const double fd = (up - down) / (2 * h);
            checked++;
            if (fabs(g - fd) > 2e-4 * fabs(fd) + 2e-7) {
                if (bad++ < 5)
                    fprintf(stderr, "layer %zu %s[%td]: backward %.8g, finite difference %.8g\n", l,
                            is_b ? "b" : "W", is_b ? (ptrdiff_t)(t - 60) : p - W[l], g, fd);
            }
        }
    }
    CHECKF(bad == 0, "%zu of %zu gradients differ from finite differences (%s, kinds %d%d%d)", bad, checked,
           quantize ? "STE surrogate" : "FP32", kinds[0], kinds[1], kinds[2]);
    for (size_t l = 0; l < NL; l++) {
        free(W[l]);
        free(b[l]);
    }
    ref_anchor_free(&a);
    tb_mlp_ws_free(&ws);
    tb_mlp_free(&m);
}

int main(void)
{
    static const tb_layer_kind layouts[3][NL] = {
        {TB_LAYER_BITLINEAR, TB_LAYER_BITLINEAR, TB_LAYER_FP32},
        {TB_LAYER_FP32, TB_LAYER_BITLINEAR, TB_LAYER_BITLINEAR},
        {TB_LAYER_FP32, TB_LAYER_FP32, TB_LAYER_FP32},
    };
    for (uint64_t seed = 1; seed <= 3; seed++) {
        check_layout(layouts[0], true, seed);
        check_layout(layouts[1], true, seed + 10);
        check_layout(layouts[0], false, seed + 20);
        check_layout(layouts[2], true, seed + 30); /* quantize on an all-FP32 model changes nothing */
    }
    return check_exit();
}
