/* lm_reference.h — an independent, slow, double-precision forward of the language model (lm.h), written
 * from the model's definition rather than from lm_forward.c: it reads the weights through tb_lm_params by
 * their Hugging-Face names, so it checks the names and the layout as well as the arithmetic. */
#ifndef TRITBENCH_TESTS_LM_REFERENCE_H
#define TRITBENCH_TESTS_LM_REFERENCE_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tritbench/lm.h"

typedef struct ref_named {
    char name[128];
    const float *data;
} ref_named;

typedef struct ref_weights {
    ref_named t[128];
    size_t n;
} ref_weights;

static void ref_collect(void *user, const char *name, float *data, size_t rows, size_t cols)
{
    (void)rows;
    (void)cols;
    ref_weights *w = user;
    snprintf(w->t[w->n].name, sizeof w->t[w->n].name, "%s", name);
    w->t[w->n++].data = data;
}

static const float *ref_get(const ref_weights *w, const char *fmt, size_t layer)
{
    char name[128];
    snprintf(name, sizeof name, fmt, layer);
    for (size_t i = 0; i < w->n; i++)
        if (strcmp(w->t[i].name, name) == 0)
            return w->t[i].data;
    fprintf(stderr, "reference: no tensor '%s'\n", name);
    exit(1);
}

/* y (out) = W (out × in, row-major) x */
static void ref_matvec(const float *W, const double *x, size_t out, size_t in, double *y)
{
    for (size_t o = 0; o < out; o++) {
        double s = 0.0;
        for (size_t i = 0; i < in; i++)
            s += (double)W[o * in + i] * x[i];
        y[o] = s;
    }
}

static void ref_rms(const double *x, const float *g, double eps, size_t n, double *y)
{
    double ss = 0.0;
    for (size_t i = 0; i < n; i++)
        ss += x[i] * x[i];
    const double r = 1.0 / sqrt(ss / (double)n + eps);
    for (size_t i = 0; i < n; i++)
        y[i] = x[i] * r * (double)g[i];
}

/* RoPE on one head vector at position p, "rotate half" (i pairs with i + hd/2), θ_i = base^(−2i/hd). */
static void ref_rope(double *v, size_t hd, size_t p, double base)
{
    for (size_t i = 0; i < hd / 2; i++) {
        const double a = (double)p * pow(base, -2.0 * (double)i / (double)hd);
        const double x0 = v[i], x1 = v[i + hd / 2];
        v[i] = x0 * cos(a) - x1 * sin(a);
        v[i + hd / 2] = x0 * sin(a) + x1 * cos(a);
    }
}

/* logits (T × 256) of one sequence of T tokens, in double. */
static void ref_forward(tb_lm *m, const uint8_t *tokens, size_t T, double *logits)
{
    const tb_lm_config *c = &m->cfg;
    const size_t D = c->dim, F = c->ffn, H = c->n_heads, hd = D / H;
    ref_weights w = {.n = 0};
    tb_lm_params(m, ref_collect, &w);
    double *h = calloc(T * D, sizeof *h), *n = calloc(T * (D > F ? D : F), sizeof *n);
    double *q = calloc(T * D, sizeof *q), *k = calloc(T * D, sizeof *k), *v = calloc(T * D, sizeof *v);
    double *att = calloc(T * D, sizeof *att), *tmp = calloc(T * (D > F ? D : F), sizeof *tmp);
    double *g = calloc(T * F, sizeof *g), *u = calloc(T * F, sizeof *u), *s = calloc(T, sizeof *s);
    const float *E = ref_get(&w, "model.embed_tokens.weight", 0);
    for (size_t t = 0; t < T; t++)
        for (size_t i = 0; i < D; i++)
            h[t * D + i] = E[(size_t)tokens[t] * D + i];
    for (size_t l = 0; l < c->n_layers; l++) {
        for (size_t t = 0; t < T; t++) {
            ref_rms(h + t * D, ref_get(&w, "model.layers.%zu.input_layernorm.weight", l), c->norm_eps, D, n + t * D);
            ref_matvec(ref_get(&w, "model.layers.%zu.self_attn.q_proj.weight", l), n + t * D, D, D, q + t * D);
            ref_matvec(ref_get(&w, "model.layers.%zu.self_attn.k_proj.weight", l), n + t * D, D, D, k + t * D);
            ref_matvec(ref_get(&w, "model.layers.%zu.self_attn.v_proj.weight", l), n + t * D, D, D, v + t * D);
            for (size_t hh = 0; hh < H; hh++) {
                ref_rope(q + t * D + hh * hd, hd, t, c->rope_theta);
                ref_rope(k + t * D + hh * hd, hd, t, c->rope_theta);
            }
        }
        for (size_t hh = 0; hh < H; hh++)
            for (size_t i = 0; i < T; i++) {
                double mx = -INFINITY, sum = 0.0;
                for (size_t j = 0; j <= i; j++) {
                    double d = 0.0;
                    for (size_t e = 0; e < hd; e++)
                        d += q[i * D + hh * hd + e] * k[j * D + hh * hd + e];
                    s[j] = d / sqrt((double)hd);
                    mx = s[j] > mx ? s[j] : mx;
                }
                for (size_t j = 0; j <= i; j++)
                    sum += (s[j] = exp(s[j] - mx));
                for (size_t e = 0; e < hd; e++) {
                    double o = 0.0;
                    for (size_t j = 0; j <= i; j++)
                        o += s[j] / sum * v[j * D + hh * hd + e];
                    att[i * D + hh * hd + e] = o;
                }
            }
        for (size_t t = 0; t < T; t++) {
            ref_rms(att + t * D, ref_get(&w, "model.layers.%zu.self_attn.attn_sub_norm.weight", l), c->norm_eps, D,
                    n + t * D);
            ref_matvec(ref_get(&w, "model.layers.%zu.self_attn.o_proj.weight", l), n + t * D, D, D, tmp);
            for (size_t i = 0; i < D; i++)
                h[t * D + i] += tmp[i];
            ref_rms(h + t * D, ref_get(&w, "model.layers.%zu.post_attention_layernorm.weight", l), c->norm_eps, D, n);
            ref_matvec(ref_get(&w, "model.layers.%zu.mlp.gate_proj.weight", l), n, F, D, g);
            ref_matvec(ref_get(&w, "model.layers.%zu.mlp.up_proj.weight", l), n, F, D, u);
            for (size_t i = 0; i < F; i++)
                g[i] = (g[i] > 0 ? g[i] * g[i] : 0.0) * u[i];
            ref_rms(g, ref_get(&w, "model.layers.%zu.mlp.ffn_sub_norm.weight", l), c->norm_eps, F, n);
            ref_matvec(ref_get(&w, "model.layers.%zu.mlp.down_proj.weight", l), n, D, F, tmp);
            for (size_t i = 0; i < D; i++)
                h[t * D + i] += tmp[i];
        }
    }
    for (size_t t = 0; t < T; t++) {
        ref_rms(h + t * D, ref_get(&w, "model.norm.weight", 0), c->norm_eps, D, n);
        ref_matvec(ref_get(&w, "lm_head.weight", 0), n, TB_LM_VOCAB, D, logits + t * TB_LM_VOCAB);
    }
    free(h);
    free(n);
    free(q);
    free(k);
    free(v);
    free(att);
    free(tmp);
    free(g);
    free(u);
    free(s);
}

#endif
