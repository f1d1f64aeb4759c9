/* forward.c — the decoder forward: embedding → layers (RMSNorm, q/k/v, RoPE, GQA attention over the KV
 * cache, SubLN, o, RMSNorm, gate/up, activation, SubLN, down) → final norm → lm_head, for a batch of
 * prompt rows (prefill, GEMM kernels) or one token (decode, GEMV kernels), timed per phase. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "decoder_internal.h"
#include "tritbench_config.h"

#if TRIT_HAVE_OPENMP
#include <omp.h>
#include "tritbench/bench.h"
#endif

static double now_s(void) { return tb_clock_seconds(); }

/* Adds the time since *t0 to phase p and restarts the clock. */
static void lap(tb_decoder *d, tb_dec_phase p, double *t0)
{
    const double t = now_s();
    d->phase[p] += t - *t0;
    *t0 = t;
}

static trit_act *act_for(tb_decoder *d, size_t cols)
{
    if (cols == (size_t)d->cfg.hidden)
        return &d->ws.act_hidden;
    return cols == d->q_dim ? &d->ws.act_q : &d->ws.act_ffn;
}

/* FP32 baseline matmul Y (N × M) = X · Wᵀ. The baseline is called single-threaded on slices and OpenMP
 * splits the work, as for the ternary kernels: OpenBLAS's own pthread pool and the OpenMP pool spin
 * against each other on few cores (a tiny model's 2-thread token went from 0.1 ms to 60 ms). Decode
 * splits the output rows; prefill splits the tokens, so every slice stays a contiguous block of Y. */
static void fp32_matmul(const tb_decoder *d, const float *W, const float *X, float *Y, size_t M, size_t K, size_t N)
{
    const int threads = d->opts.threads;
    const trit_sgemm_fn fn = d->fp32->fn;
    if (threads <= 1 || (N == 1 && M < 64) || (N > 1 && N < (size_t)threads)) {
        fn(W, X, Y, M, K, N, 1);
        return;
    }
    const size_t total = N == 1 ? M : N;
    /* Decode slices are multiples of 16 rows, like the ternary kernels' (aligned, few tails). */
    size_t chunk = (total + (size_t)threads - 1) / (size_t)threads;
    if (N == 1)
        chunk = (chunk + 15) / 16 * 16;
#if TRIT_HAVE_OPENMP
#pragma omp parallel for num_threads(threads) schedule(static, 1)
#endif
    for (int t = 0; t < threads; t++) {
        const size_t b = (size_t)t * chunk, e = b + chunk < total ? b + chunk : total;
        if (b >= e)
            continue;
        if (N == 1)
            fn(W + b * K, X, Y + b, e - b, K, 1, 1);
        else
            fn(W, X + b * K, Y + b * M, M, K, e - b, 1);
    }
}

/* Y_i (n × rows_i) = L_i(X (n × cols)) for `count` projections of the same input (q/k/v, gate/up): the
 * ternary path quantizes X once for all of them, as a fused BitLinear would. */
static int linear_shared(tb_decoder *d, const dec_linear *const *L, int count, const float *X, size_t n,
                         float *const *Y, double *t0)
{
    if (d->opts.variant == TB_DEC_FP32) {
        for (int i = 0; i < count; i++)
            fp32_matmul(d, L[i]->f, X, Y[i], L[i]->rows, L[i]->cols, n);
        lap(d, TB_DEC_PH_MATMUL, t0);
        return 0;
    }
    if (dec_variant_is_half(d->opts.variant)) { /* the FP16/BF16 baseline splits its own rows / tokens */
        for (int i = 0; i < count; i++)
            (n == 1 ? d->half : d->half_gemm)->fn(L[i]->h, X, Y[i], L[i]->rows, L[i]->cols, n, d->opts.threads);
        lap(d, TB_DEC_PH_MATMUL, t0);
        return 0;
    }
    trit_act a = *act_for(d, L[0]->cols); /* a view of its first n rows */
    a.rows = n;
    if (trit_quantize_activations(X, L[0]->cols, &a) != 0)
        return -1;
    lap(d, TB_DEC_PH_QUANT, t0);
    for (int i = 0; i < count; i++) {
        if (trit_matmul(n == 1 ? d->gemv : d->gemm, &L[i]->w, &a, d->opts.threads, d->ws.acc) != 0)
            return -1;
        lap(d, TB_DEC_PH_MATMUL, t0);
        trit_rescale(&L[i]->w, &a, d->ws.acc, NULL, Y[i]);
        lap(d, TB_DEC_PH_QUANT, t0);
    }
    return 0;
}

static int linear(tb_decoder *d, const dec_linear *L, const float *X, size_t n, float *Y, double *t0)
{
    return linear_shared(d, &L, 1, X, n, &Y, t0);
}

static void norm_rows(const tb_decoder *d, const float *X, const float *g, size_t n, size_t cols, float *out)
{
    const float eps = d->cfg.norm_eps;
#if TRIT_HAVE_OPENMP
#pragma omp parallel for num_threads(d->opts.threads) if (n > 1 && d->opts.threads > 1) schedule(static)
#endif
    for (size_t r = 0; r < n; r++)
        dec_rms_norm(X + r * cols, g, eps, cols, out + r * cols);
}

static size_t cache_index(const tb_decoder *d, int layer, size_t kv_head, size_t pos)
{
    const size_t hd = (size_t)d->cfg.head_dim, ctx = d->opts.max_ctx;
    return (((size_t)layer * (size_t)d->cfg.n_kv_heads + kv_head) * ctx + pos) * hd;
}

/* RoPE on the batch's q and k, append k and v to the cache, then every (row, head) attends causally. */
static void attention(tb_decoder *d, int layer, size_t p0, size_t n)
{
    const trit_model_config *c = &d->cfg;
    const size_t hd = (size_t)c->head_dim, half = hd / 2, n_kv = (size_t)c->n_kv_heads;
    const size_t n_heads = (size_t)c->n_heads, group = n_heads / n_kv;
    dec_ws *w = &d->ws;
    for (size_t r = 0; r < n; r++) {
        const size_t p = p0 + r;
        dec_rope(w->q + r * d->q_dim, n_heads, hd, d->rope_cos + p * half, d->rope_sin + p * half);
        dec_rope(w->k + r * d->kv_dim, n_kv, hd, d->rope_cos + p * half, d->rope_sin + p * half);
        for (size_t h = 0; h < n_kv; h++) {
            memcpy(d->k_cache + cache_index(d, layer, h, p), w->k + r * d->kv_dim + h * hd, hd * sizeof(float));
            memcpy(d->v_cache + cache_index(d, layer, h, p), w->v + r * d->kv_dim + h * hd, hd * sizeof(float));
        }
    }
    const size_t items = n * n_heads;
#if TRIT_HAVE_OPENMP
#pragma omp parallel for num_threads(d->opts.threads) if (d->opts.threads > 1) schedule(dynamic, 1)
#endif
    for (size_t it = 0; it < items; it++) {
        const size_t r = it / n_heads, h = it % n_heads, kvh = h / group;
#if TRIT_HAVE_OPENMP
        float *scores = w->scores + (size_t)omp_get_thread_num() * d->opts.max_ctx;
#else
        float *scores = w->scores;
#endif
        dec_attend_head(w->q + r * d->q_dim + h * hd, d->k_cache + cache_index(d, layer, kvh, 0),
                        d->v_cache + cache_index(d, layer, kvh, 0), p0 + r, hd, scores,
                        w->att + r * d->q_dim + h * hd);
    }
}

static void add_rows(float *h, const float *x, size_t count)
{
    for (size_t i = 0; i < count; i++)
        h[i] += x[i];
}

static int layer_forward(tb_decoder *d, int l, size_t p0, size_t n, double *t0)
{
    const trit_model_config *c = &d->cfg;
    const dec_layer *L = &d->layers[l];
    dec_ws *w = &d->ws;
    const size_t H = (size_t)c->hidden, F = (size_t)c->ffn;

    norm_rows(d, w->h, L->norm[DEC_ATTN_NORM], n, H, w->n);
    lap(d, TB_DEC_PH_NORM, t0);
    const dec_linear *qkv[3] = {&L->lin[DEC_Q], &L->lin[DEC_K], &L->lin[DEC_V]};
    float *const qkv_out[3] = {w->q, w->k, w->v};
    if (linear_shared(d, qkv, 3, w->n, n, qkv_out, t0) != 0)
        return -1;
    attention(d, l, p0, n);
    lap(d, TB_DEC_PH_ATTENTION, t0);
    norm_rows(d, w->att, L->norm[DEC_ATTN_SUBNORM], n, d->q_dim, w->n);
    lap(d, TB_DEC_PH_NORM, t0);
    if (linear(d, &L->lin[DEC_O], w->n, n, w->out, t0))
        return -1;
    add_rows(w->h, w->out, n * H);
    lap(d, TB_DEC_PH_FFN_ACT, t0);

    norm_rows(d, w->h, L->norm[DEC_FFN_NORM], n, H, w->n);
    lap(d, TB_DEC_PH_NORM, t0);
    const dec_linear *gu[2] = {&L->lin[DEC_GATE], &L->lin[DEC_UP]};
    float *const gu_out[2] = {w->gate, w->up};
    if (linear_shared(d, gu, 2, w->n, n, gu_out, t0) != 0)
        return -1;
    dec_ffn_gate(w->gate, w->up, n * F, c->act);
    lap(d, TB_DEC_PH_FFN_ACT, t0);
    norm_rows(d, w->gate, L->norm[DEC_FFN_SUBNORM], n, F, w->n);
    lap(d, TB_DEC_PH_NORM, t0);
    if (linear(d, &L->lin[DEC_DOWN], w->n, n, w->out, t0))
        return -1;
    add_rows(w->h, w->out, n * H);
    lap(d, TB_DEC_PH_FFN_ACT, t0);
    return 0;
}

static int lm_head(tb_decoder *d, float *logits);

int tb_decoder_head_logits(tb_decoder *d, const float *hidden, float *logits)
{
    if (!d || !hidden || !logits)
        return -1;
    memmove(d->ws.last, hidden, (size_t)d->cfg.hidden * sizeof(float));
    return lm_head(d, logits);
}

static int lm_head(tb_decoder *d, float *logits)
{
    const size_t V = (size_t)d->cfg.vocab, H = (size_t)d->cfg.hidden;
    const bool tied = d->cfg.tied_embeddings;
    switch (d->tables) {
    case DEC_TAB_Q8: /* int8 codes · per-token int16 activation, one rescale (lowp.h) */
        return trit_q8_gemv(d->q8, tied ? &d->embed_q : &d->head_q, d->ws.last, &d->head_act, d->head_acc,
                            logits, d->opts.threads);
    case DEC_TAB_Q8R: { /* stage 1 as Q8, then the rows that could be the top-1 re-scored with 12 bits */
        const trit_q8_rows *w = tied ? &d->embed_q : &d->head_q;
        trit_q8r_stats st;
        if (trit_q8_gemv(d->q8, w, d->ws.last, &d->head_act, d->head_acc, logits, d->opts.threads) != 0 ||
            trit_q8r_refine(w, tied ? &d->embed_r : &d->head_r, &d->head_act, d->head_acc, logits, d->q8r_cap,
                            d->q8r_cand, d->q8r_key, &st) != 0)
            return -1;
        tb_dec_rescore *r = &d->rescore;
        r->calls++;
        r->rescored += st.rescored;
        r->max_rescored = st.rescored > r->max_rescored ? st.rescored : r->max_rescored;
        r->max_admitted = st.admitted > r->max_admitted ? st.admitted : r->max_admitted;
        r->capped += st.capped;
        return 0;
    }
    case DEC_TAB_F16:
    case DEC_TAB_BF16:
        d->half->fn(tied ? d->embed_h : d->head_h, d->ws.last, logits, V, H, 1, d->opts.threads);
        return 0;
    default:
        fp32_matmul(d, tied ? d->embed_f : d->head_f, d->ws.last, logits, V, H, 1);
        return 0;
    }
}

/* n ≤ max_batch rows at positions [pos, pos + n). */
static int forward_batch(tb_decoder *d, const int32_t *tokens, size_t n, float *logits)
{
    const size_t H = (size_t)d->cfg.hidden;
    double t0 = now_s();
    for (size_t r = 0; r < n; r++)
        if (tb_decoder_embedding_row(d, tokens[r], d->ws.h + r * H) != 0)
            return -1;
    lap(d, TB_DEC_PH_EMBED, &t0);
    for (int l = 0; l < d->cfg.n_layers; l++)
        if (layer_forward(d, l, d->pos, n, &t0) != 0)
            return -1;
    d->pos += n;
    if (logits) {
        dec_rms_norm(d->ws.h + (n - 1) * H, d->final_norm, d->cfg.norm_eps, H, d->ws.last);
        lap(d, TB_DEC_PH_NORM, &t0);
        if (lm_head(d, logits) != 0)
            return -1;
        lap(d, TB_DEC_PH_LM_HEAD, &t0);
    }
    return 0;
}

static int check_tokens(const tb_decoder *d, const int32_t *tokens, size_t n)
{
    if (!tokens || n == 0 || n > d->opts.max_ctx - d->pos)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (tokens[i] < 0 || tokens[i] >= d->cfg.vocab)
            return -1;
    return 0;
}

int tb_decoder_prefill(tb_decoder *d, const int32_t *tokens, size_t n, float *logits)
{
    if (!d || check_tokens(d, tokens, n) != 0)
        return -1;
    for (size_t done = 0; done < n;) {
        const size_t chunk = n - done < d->opts.max_batch ? n - done : d->opts.max_batch;
        /* A one-row chunk still takes the GEMM kernel: prefill stays on the prefill path. */
        const trit_kernel *keep = d->gemv;
        d->gemv = d->gemm;
        const int rc = forward_batch(d, tokens + done, chunk, done + chunk == n ? logits : NULL);
        d->gemv = keep;
        if (rc != 0)
            return -1;
        done += chunk;
    }
    return 0;
}

int tb_decoder_decode(tb_decoder *d, int32_t token, float *logits)
{
    if (!d || check_tokens(d, &token, 1) != 0)
        return -1;
    return forward_batch(d, &token, 1, logits);
}
