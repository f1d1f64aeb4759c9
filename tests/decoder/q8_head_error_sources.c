/* q8_head_error_sources.c — where the Q8 lm_head's logit error comes from, measured (issue 14). Not a test.
 *
 * One ternary model with an FP32 head (the reference) and the same model with a Q8 head (same seed, so the
 * same FP32 table before quantization) follow the reference's greedy stream. At every decode step the
 * reference's final hidden state h goes through heads that isolate one rounding each:
 *     w8.a32   int8-per-row weights (dequantized) × FP32 h        — weight rounding alone
 *     w32.a8   FP32 weights × h rounded to int8 absmax per token  — activation rounding alone
 *     w32.a16  FP32 weights × h rounded to int16 absmax per token
 *     w8.a8    int8 weights × h rounded to int8 absmax (the Q8 head before int16 activations)
 *     w8.a16   int8 weights × int16 absmax h
 *     w8.a8b32 int8 weights × int8 h with one scale per 32-value block
 *     q8head   the decoder's Q8 head as built (trit_q8_gemv: int8 × int16, integer sums)
 * each compared with the reference's FP32 logits: top-1 agreement, min cosine, max |Δ|, and the reference
 * margin at each flip. Because 100 steps hold only a handful of near-ties, it also prints the expected
 * top-1 agreement under a noise model: each logit's error taken as independent Gaussian with the step's
 * measured standard deviation σ of (head − reference), P(no flip) = Π_j Φ(margin_j / (σ·√2)) over the
 * reference's 64 best runners-up — a smoother estimate than counting, labelled as a model. The isolating heads run through the FP32 head (tb_decoder_head_logits) of the
 * reference with its table pointer swapped to a dequantized copy of the Q8 codes — exact dequantized
 * weights, FP32 summation (its error is the FP32 head's own, ~1e-6 relative, far below the quantization's).
 *
 *   q8_head_error_sources [--model bitnet-2b] [--steps 100] [--prompt 1,17,42,99]
 * (the default prompt is bench_decode_heads --logit-steps's; validate e2e uses another). ~4 GB for bitnet-2b. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tritbench/decoder.h"
#include "tritbench/models.h"
#include "workloads/decoder/decoder_internal.h"

#define SEED 0xe2e0001u

enum { W8A32 = 0, W32A8, W32A16, W8A8, W8A16, W8A8B32, Q8HEAD, N_HEADS };
static const char *const head_names[N_HEADS] = {"w8.a32", "w32.a8", "w32.a16", "w8.a8",
                                                "w8.a16", "w8.a8b32", "q8head"};

static tb_decoder *model(const trit_model_config *cfg, tb_dec_head head, size_t ctx)
{
    tb_decoder_opts o;
    tb_decoder_opts_default(&o);
    o.head = head;
    o.max_ctx = ctx;
    o.max_batch = 8;
    o.seed = SEED;
    char err[512];
    tb_decoder *d = tb_decoder_new(cfg, &o, err, sizeof err);
    if (!d)
        fprintf(stderr, "q8_head_error_sources: %s\n", err);
    return d;
}

/* x rounded to `levels` (127 or 32767) absmax steps per block of `block` values, returned dequantized. */
static void round_absmax(const float *x, size_t n, size_t block, float levels, float *out)
{
    for (size_t b = 0; b < n; b += block) {
        const size_t e = b + block < n ? b + block : n;
        float amax = 0;
        for (size_t k = b; k < e; k++)
            amax = fabsf(x[k]) > amax ? fabsf(x[k]) : amax;
        const float s = levels / (amax > 1e-5f ? amax : 1e-5f);
        for (size_t k = b; k < e; k++)
            out[k] = nearbyintf(x[k] * s) / s;
    }
}

#define RUNNERS_UP 64

/* The RUNNERS_UP largest values of x below its maximum (any order), as margins max − x_j. */
static void runner_up_margins(const float *x, size_t n, size_t best, double *margins)
{
    size_t idx[RUNNERS_UP], have = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == best)
            continue;
        if (have < RUNNERS_UP) {
            idx[have++] = i;
            continue;
        }
        size_t lo = 0;
        for (size_t j = 1; j < RUNNERS_UP; j++)
            if (x[idx[j]] < x[idx[lo]])
                lo = j;
        if (x[i] > x[idx[lo]])
            idx[lo] = i;
    }
    for (size_t j = 0; j < RUNNERS_UP; j++)
        margins[j] = j < have ? (double)x[best] - (double)x[idx[j]] : INFINITY;
}

/* P(the reference's top-1 stays first) if every logit moves by independent N(0, σ²). */
static double p_keep(const double *margins, double sigma)
{
    double p = 1.0;
    for (size_t j = 0; j < RUNNERS_UP; j++)
        p *= sigma > 0 ? 0.5 * erfc(-margins[j] / (2.0 * sigma)) : 1.0; /* Φ(m / (σ√2)) */
    return p;
}

static double error_sigma(const float *t, const float *r, size_t n)
{
    double s = 0, s2 = 0;
    for (size_t i = 0; i < n; i++) {
        const double d = (double)t[i] - (double)r[i];
        s += d;
        s2 += d * d;
    }
    const double mean = s / (double)n;
    return sqrt(s2 / (double)n - mean * mean > 0 ? s2 / (double)n - mean * mean : 0);
}

int main(int argc, char **argv)
{
    const char *name = "bitnet-2b";
    size_t steps = 100;
    int32_t prompt[16] = {1, 17, 42, 99};
    size_t n_prompt = 4;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--model"))
            name = argv[i + 1];
        else if (!strcmp(argv[i], "--steps"))
            steps = strtoull(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--prompt")) {
            n_prompt = 0;
            for (char *p = argv[i + 1]; *p && n_prompt < 16; p += *p == ',')
                prompt[n_prompt++] = (int32_t)strtol(p, &p, 10);
        } else {
            fprintf(stderr, "%s: unknown flag %s\n", argv[0], argv[i]);
            return 2;
        }
    }
    if (argc % 2 == 0) {
        fprintf(stderr, "%s: flag %s lacks a value\n", argv[0], argv[argc - 1]);
        return 2;
    }
    const trit_model_config *cfg = trit_model_config_get(name);
    if (!cfg)
        cfg = tb_decoder_test_config(name);
    if (!cfg || steps == 0 || n_prompt == 0) {
        fprintf(stderr, "%s: bad --model, --steps or --prompt\n", argv[0]);
        return 2;
    }
    const size_t V = (size_t)cfg->vocab, H = (size_t)cfg->hidden;
    tb_decoder *ref = model(cfg, TB_DEC_HEAD_FP32, n_prompt + steps + 8);
    tb_decoder *q8 = ref ? model(cfg, TB_DEC_HEAD_Q8, 8) : NULL;
    if (!q8)
        return 1;
    const bool tied = cfg->tied_embeddings;
    float **ref_table = tied ? &ref->embed_f : &ref->head_f, *const fp32_table = *ref_table;
    const trit_q8_rows *codes = tied ? &q8->embed_q : &q8->head_q;
    float *w8 = malloc(V * H * sizeof *w8), *lr = malloc(V * sizeof *lr), *h = malloc(H * sizeof *h),
          *hx = malloc(H * sizeof *hx), *l[N_HEADS];
    for (int i = 0; i < N_HEADS; i++)
        l[i] = malloc(V * sizeof *l[i]);
    if (!w8 || !lr || !h || !hx) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    for (size_t v = 0; v < V; v++)
        trit_q8_dequantize_row(codes, v, w8 + v * H);
    tb_logit_error e[N_HEADS];
    memset(e, 0, sizeof e);
    double expected_keep[N_HEADS] = {0}, sigma_sum[N_HEADS] = {0}, margins[RUNNERS_UP];
    unsigned char *seen = calloc(V, 1); /* distinct reference tokens: is the greedy stream looping? */
    size_t distinct = 0;
    if (!seen) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    printf("# %s, %zu greedy decode steps after prompt of %zu; flips: step head ref-top1 head-top1 ref-margin\n",
           cfg->name, steps, n_prompt);
    int rc = tb_decoder_prefill(ref, prompt, n_prompt, lr);
    for (size_t s = 0; s < steps && rc == 0; s++) {
        rc = tb_decoder_decode(ref, (int32_t)tb_logits_argmax(lr, V), lr);
        memcpy(h, ref->ws.last, H * sizeof *h);
        *ref_table = w8;
        rc |= tb_decoder_head_logits(ref, h, l[W8A32]);
        round_absmax(h, H, H, 32767.0f, hx);
        rc |= tb_decoder_head_logits(ref, hx, l[W8A16]);
        round_absmax(h, H, 32, 127.0f, hx);
        rc |= tb_decoder_head_logits(ref, hx, l[W8A8B32]);
        round_absmax(h, H, H, 127.0f, hx);
        rc |= tb_decoder_head_logits(ref, hx, l[W8A8]);
        *ref_table = fp32_table;
        round_absmax(h, H, H, 127.0f, hx);
        rc |= tb_decoder_head_logits(ref, hx, l[W32A8]);
        round_absmax(h, H, H, 32767.0f, hx);
        rc |= tb_decoder_head_logits(ref, hx, l[W32A16]);
        rc |= tb_decoder_head_logits(q8, h, l[Q8HEAD]);
        const size_t ar = tb_logits_argmax(lr, V);
        distinct += !seen[ar];
        seen[ar] = 1;
        runner_up_margins(lr, V, ar, margins);
        for (int i = 0; i < N_HEADS; i++) {
            tb_logit_error_add(&e[i], l[i], lr, V);
            const double sigma = error_sigma(l[i], lr, V);
            sigma_sum[i] += sigma;
            expected_keep[i] += p_keep(margins, sigma);
            const size_t at = tb_logits_argmax(l[i], V);
            if (at != ar)
                printf("flip step %zu %-9s %zu %zu %.5f\n", s, head_names[i], ar, at, (double)(lr[ar] - lr[at]));
        }
    }
    if (rc != 0) {
        fprintf(stderr, "decode failed\n");
        return 1;
    }
    printf("# %zu distinct reference tokens over %zu steps\n", distinct, steps);
    printf("%-9s %9s %7s %10s %10s %9s %9s %14s\n", "head", "top-1", "agree", "min cos", "mean cos", "max|d|",
           "mean sd", "model: top-1");
    for (int i = 0; i < N_HEADS; i++)
        printf("%-9s %4zu/%-4zu %6.1f%% %10.7f %10.7f %9.5f %9.5f %13.2f%%\n", head_names[i], e[i].top1_agree,
               e[i].steps, 100 * e[i].top1_agreement, e[i].min_cosine, e[i].mean_cosine, e[i].max_abs,
               sigma_sum[i] / (double)e[i].steps, 100 * expected_keep[i] / (double)e[i].steps);
    for (int i = 0; i < N_HEADS; i++)
        free(l[i]);
    free(seen);
    free(w8);
    free(lr);
    free(h);
    free(hx);
    tb_decoder_free(q8);
    tb_decoder_free(ref);
    return 0;
}
