/* test_decoder_q8r.c — the decoder's q8r head (int8 per row + 4-bit residual, top candidates re-scored):
 *  - the 12-bit lookup is within scale/32 (scale/16 where clamped) of the FP32 table of the same seed;
 *  - its logits are the Q8 head's (same seed, same hidden state) bit for bit except the re-scored rows,
 *    which are the 12-bit formula written out here (int16 activation, Σ (16q + r)·x, one rescale);
 *  - the refined top-1 is the 12-bit head's over every row; the stage-2 statistics count what ran;
 *  - logit error against the FP32 head: top-1 at least the Q8 head's, |Δ| at the top smaller. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/check.h"
#include "tritbench/decoder.h"
#include "workloads/decoder/decoder_internal.h"

static tb_decoder *make(const char *cfg, tb_dec_head head, size_t ctx)
{
    tb_decoder_opts o;
    tb_decoder_opts_default(&o);
    o.head = head;
    o.max_ctx = ctx;
    o.seed = 11;
    char err[512];
    tb_decoder *d = tb_decoder_new(tb_decoder_test_config(cfg), &o, err, sizeof err);
    if (!d)
        fprintf(stderr, "%s head %s: %s\n", cfg, tb_dec_head_name(head), err);
    return d;
}

static void lookup(const char *cfg)
{
    tb_decoder *r = make(cfg, TB_DEC_HEAD_Q8R, 16), *f = make(cfg, TB_DEC_HEAD_FP32, 16);
    REQUIRE(r && f);
    CHECK(strcmp(tb_decoder_table_type(r), "q8r") == 0);
    CHECKF(strstr(tb_decoder_kernel_desc(r), "head q8r/") != NULL, "%s", tb_decoder_kernel_desc(r));
    const trit_model_config *c = tb_decoder_config(r);
    const size_t H = (size_t)c->hidden;
    float *a = malloc(H * sizeof *a), *b = malloc(H * sizeof *b);
    REQUIRE(a && b);
    int bad = 0;
    for (int32_t t = 0; t < c->vocab; t += 5) {
        REQUIRE(tb_decoder_head_row(r, t, a) == 0 && tb_decoder_head_row(f, t, b) == 0);
        const trit_q8_rows *w = c->tied_embeddings ? &r->embed_q : &r->head_q;
        const trit_q8_resid *res = c->tied_embeddings ? &r->embed_r : &r->head_r;
        for (size_t k = 0; k < H; k++) {
            const float step = w->scale[t] * (trit_q8r_get(res, (size_t)t, k) == 7 ? 0.0625f : 0.03125f);
            bad += !(fabsf(a[k] - b[k]) <= step * (1 + 1e-4f) + 1e-12f);
        }
    }
    CHECKF(bad == 0, "%s: %d table values beyond the 12-bit step", cfg, bad);
    free(a);
    free(b);
    tb_decoder_free(r);
    tb_decoder_free(f);
}

static void logits(const char *cfg)
{
    tb_decoder *r = make(cfg, TB_DEC_HEAD_Q8R, 16), *q = make(cfg, TB_DEC_HEAD_Q8, 16);
    REQUIRE(r && q);
    const trit_model_config *c = tb_decoder_config(r);
    const size_t V = (size_t)c->vocab, H = (size_t)c->hidden;
    float *lr = malloc(V * sizeof *lr), *lq = malloc(V * sizeof *lq), *h = malloc(H * sizeof *h);
    REQUIRE(lr && lq && h);
    REQUIRE(tb_decoder_decode(r, 3, lr) == 0 && tb_decoder_decode(r, 5, lr) == 0);
    memcpy(h, r->ws.last, H * sizeof *h);
    REQUIRE(tb_decoder_head_logits(q, h, lq) == 0);
    tb_dec_rescore st;
    tb_decoder_rescore_stats(r, &st);
    CHECKF(st.calls == 2 && st.rescored >= 2 && st.max_rescored <= TRIT_Q8R_CAP && st.capped == 0,
           "calls %zu re-scored %zu", st.calls, st.rescored);
    tb_decoder_reset_rescore(r);
    REQUIRE(tb_decoder_head_logits(r, h, lr) == 0);
    tb_decoder_rescore_stats(r, &st);
    CHECK(st.calls == 1 && st.rescored >= 1);
    /* The 12-bit formula written out: int16 absmax activation, Σ (16q + r)·x in int64, one rescale. */
    float amax = 0;
    for (size_t k = 0; k < H; k++)
        amax = fabsf(h[k]) > amax ? fabsf(h[k]) : amax;
    const float s = 32767.0f / (amax > TRIT_ACT_MIN_ABSMAX ? amax : TRIT_ACT_MIN_ABSMAX);
    const trit_q8_rows *w = c->tied_embeddings ? &r->embed_q : &r->head_q;
    const trit_q8_resid *res = c->tied_embeddings ? &r->embed_r : &r->head_r;
    size_t changed = 0, bad = 0, best = 0;
    float *l12 = malloc(V * sizeof *l12);
    REQUIRE(l12);
    for (size_t m = 0; m < V; m++) {
        long long acc = 0;
        for (size_t k = 0; k < H; k++) {
            float v = nearbyintf(h[k] * s);
            v = v > 32767.0f ? 32767.0f : v < -32768.0f ? -32768.0f : v;
            acc += (long long)(16 * w->codes[m * w->stride + k] + trit_q8r_get(res, m, k)) * (long long)v;
        }
        l12[m] = (float)((double)acc * (double)w->scale[m] / (16.0 * (double)s));
        best = l12[m] > l12[best] ? m : best;
        if (lr[m] != lq[m]) {
            changed++;
            bad += lr[m] != l12[m];
        }
    }
    CHECKF(changed >= 1 && changed <= st.rescored && bad == 0,
           "%s: %zu logits differ from the Q8 head's (%zu re-scored), %zu of them not the 12-bit formula", cfg,
           changed, st.rescored, bad);
    size_t top = 0;
    for (size_t m = 1; m < V; m++)
        top = lr[m] > lr[top] ? m : top;
    CHECKF(l12[top] == l12[best], "%s: refined top-1 %zu (%g), 12-bit top-1 %zu (%g)", cfg, top, (double)l12[top], best,
           (double)l12[best]);
    free(l12);
    free(lr);
    free(lq);
    free(h);
    tb_decoder_free(r);
    tb_decoder_free(q);
}

static tb_logit_error against_fp32(const char *cfg, tb_dec_head head, size_t steps)
{
    tb_decoder *t = make(cfg, head, 8 + steps), *ref = make(cfg, TB_DEC_HEAD_FP32, 8 + steps);
    REQUIRE(t && ref);
    const int32_t prompt[4] = {1, 17, 42, 99};
    char err[256];
    tb_logit_error e;
    CHECKF(tb_decoder_logit_error(t, ref, TB_LOGIT_HEAD, prompt, 4, steps, &e, err, sizeof err) == 0, "%s", err);
    printf("%-9s %s vs fp32 head, %zu steps: max|Δ| %.4f (top-1 entry %.5f) cosine min %.6f top-1 %zu/%zu\n", cfg,
           tb_dec_head_name(head), e.steps, e.max_abs, e.top_abs, e.min_cosine, e.top1_agree, e.steps);
    tb_decoder_free(t);
    tb_decoder_free(ref);
    return e;
}

int main(void)
{
    static const char *const cfgs[2] = {"tiny", "tiny-silu"};
    for (int i = 0; i < 2; i++) {
        lookup(cfgs[i]);
        logits(cfgs[i]);
        const tb_logit_error q = against_fp32(cfgs[i], TB_DEC_HEAD_Q8, 64),
                             r = against_fp32(cfgs[i], TB_DEC_HEAD_Q8R, 64);
        CHECKF(r.top1_agree >= q.top1_agree && r.top_abs < q.top_abs && r.min_cosine >= q.min_cosine - 1e-9,
               "%s: q8r top-1 %zu (q8 %zu), top |Δ| %g (q8 %g)", cfgs[i], r.top1_agree, q.top1_agree, r.top_abs,
               q.top_abs);
    }
    return check_exit();
}
