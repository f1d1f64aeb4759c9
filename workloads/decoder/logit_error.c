/* logit_error.c — how far one decoder's logits are from a reference's over decode steps (max/mean |Δ|,
 * cosine, top-1 agreement): the accuracy side of a cheaper head (Q8 vs FP32) or a cheaper model. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decoder_internal.h"

size_t tb_logits_argmax(const float *x, size_t n)
{
    size_t best = 0;
    for (size_t i = 1; i < n; i++)
        if (x[i] > x[best])
            best = i;
    return best;
}

void tb_logit_error_add(tb_logit_error *e, const float *test, const float *ref, size_t n)
{
    double dot = 0, nt = 0, nr = 0, sum_abs = 0, max_abs = 0;
    for (size_t i = 0; i < n; i++) {
        const double a = test[i], b = ref[i], d = fabs(a - b);
        dot += a * b;
        nt += a * a;
        nr += b * b;
        sum_abs += d;
        max_abs = d > max_abs ? d : max_abs;
    }
    /* Two zero vectors agree perfectly; one zero vector against another does not. */
    const double cosine = nt > 0 && nr > 0 ? dot / sqrt(nt * nr) : (nt == nr ? 1.0 : 0.0);
    const double prev = (double)e->steps;
    e->mean_abs = (e->mean_abs * prev * (double)n + sum_abs) / ((prev + 1) * (double)n);
    e->mean_cosine = (e->mean_cosine * prev + cosine) / (prev + 1);
    e->min_cosine = e->steps == 0 || cosine < e->min_cosine ? cosine : e->min_cosine;
    e->max_abs = max_abs > e->max_abs ? max_abs : e->max_abs;
    const size_t at = tb_logits_argmax(test, n), ar = tb_logits_argmax(ref, n);
    const double top = fabs((double)test[ar] - (double)ref[ar]);
    e->top_abs = top > e->top_abs ? top : e->top_abs;
    e->top1_agree += at == ar;
    const double margin = (double)ref[ar] - (double)ref[at];
    e->max_flip_margin = margin > e->max_flip_margin ? margin : e->max_flip_margin;
    e->steps++;
    e->top1_agreement = (double)e->top1_agree / (double)e->steps;
}

/* One step of both: the reference runs the token; the test runs it too (FULL) or only its head on the
 * reference's final hidden state (HEAD). */
static int step(tb_decoder *test, tb_decoder *ref, tb_logit_mode mode, const int32_t *tokens, size_t n, float *lt,
                float *lr)
{
    const int rc = n > 1 || tb_decoder_pos(ref) == 0 ? tb_decoder_prefill(ref, tokens, n, lr)
                                                     : tb_decoder_decode(ref, tokens[0], lr);
    if (rc != 0)
        return -1;
    if (mode == TB_LOGIT_HEAD)
        return tb_decoder_head_logits(test, ref->ws.last, lt);
    return n > 1 || tb_decoder_pos(test) == 0 ? tb_decoder_prefill(test, tokens, n, lt)
                                              : tb_decoder_decode(test, tokens[0], lt);
}

int tb_decoder_logit_error(tb_decoder *test, tb_decoder *ref, tb_logit_mode mode, const int32_t *prompt,
                           size_t n_prompt, size_t steps, tb_logit_error *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    const trit_model_config *a = tb_decoder_config(test), *b = tb_decoder_config(ref);
    if (a->vocab != b->vocab || a->hidden != b->hidden || a->n_layers != b->n_layers || n_prompt == 0) {
        snprintf(err, err_len, "logit error: %s and %s are not the same model shape (or no prompt)", a->name, b->name);
        return -1;
    }
    const size_t V = (size_t)a->vocab;
    float *lt = malloc(V * sizeof *lt), *lr = malloc(V * sizeof *lr);
    int rc = -1;
    if (!lt || !lr) {
        snprintf(err, err_len, "logit error: out of memory for two logit rows of %zu", V);
        goto out;
    }
    if (step(test, ref, mode, prompt, n_prompt, lt, lr) != 0) {
        snprintf(err, err_len, "logit error: prefill of %zu tokens failed (bad token or context full)", n_prompt);
        goto out;
    }
    for (size_t s = 0; s < steps; s++) {
        const int32_t next = (int32_t)tb_logits_argmax(lr, V); /* both follow the reference's greedy stream */
        if (step(test, ref, mode, &next, 1, lt, lr) != 0) {
            snprintf(err, err_len, "logit error: decode step %zu failed (context of %zu full?)", s,
                     tb_decoder_options(ref)->max_ctx);
            goto out;
        }
        tb_logit_error_add(out, lt, lr, V);
    }
    rc = 0;
out:
    free(lt);
    free(lr);
    return rc;
}
