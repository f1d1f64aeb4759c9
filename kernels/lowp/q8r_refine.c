/* q8r_refine.c — stage 2 of the q8r head (lowp.h): which rows could be the 12-bit head's top-1, given only
 * stage 1's exact integer sums, and their exact 12-bit logits.
 *
 * The bound. Drop the positive factor 1/(16·s) every logit shares; row m's stage-1 value is 16·acc1_m·c_m
 * (c_m = scale_m ≥ 0) and its 12-bit value acc2_m·c_m with
 *     acc2_m = Σ_k (16·q_mk + r_mk)·x_k = 16·acc1_m + Σ_k r_mk·x_k,   |r_mk| ≤ 8
 *  ⇒ |acc2_m − 16·acc1_m| ≤ 8·Σ_k |x_k| =: R                       (int64, exact: R < 2³⁷ for K ≤ 65536)
 *  ⇒ acc2_m·c_m ∈ [lo_m, hi_m] = [(16·acc1_m − R)·c_m, (16·acc1_m + R)·c_m].
 * (The unrounded weight w/scale = q + δ satisfies the same interval: the set below holds the top-1 of the FP
 * weights times x too. q rounds the float t = w·(127/max|w|), which is within 3 ulp ≤ 127·3·2⁻²⁴ < 2.3e-5 of
 * w/scale, so |16·δ| ≤ 8 + 3.6e-4 per weight, i.e. R·(1 + 4.5e-5): 2⁻¹² of slack on R covers it.) Let L = max_m lo_m, reached at row j. The 12-bit argmax m* has
 * acc2_m*·c_m* ≥ acc2_j·c_j ≥ lo_j = L, so hi_m* ≥ L: every row with hi_m < L can be skipped, and the
 * candidates {m : hi_m ≥ L} hold m*. The finer stage adds no bound of its own: its logits are exact
 * integers, rescaled once, so the refined vector's argmax is m* (up to a float tie at the last rounding).
 * Floating point: 16·acc1 ± R is an integer below 2⁵³ (exact as a double); the product with c_m rounds
 * once (≤ 2⁻⁵³ relative), so lo is lowered and hi raised by 2⁻⁵⁰·|value| — a rigorous, still tight test.
 * Why not a tighter bound: Cauchy–Schwarz (‖r_m‖₂·‖x‖₂) is only ~1.4× tighter for uniform residuals and
 * needs a per-row norm; the L1 bound admits 7.5 rows per step on average, 44 at most, over 400 greedy steps
 * of bitnet-2b (bench_decode_heads --logit-steps 400), far below the cap. */
#include <math.h>
#include <stdlib.h>

#include "tritbench/lowp.h"

#define SLACK 8.881784197001252e-16 /* 2⁻⁵⁰ */

static double lower(int64_t acc1, int64_t R, float c)
{
    const double v = (double)(16 * acc1 - R) * (double)c;
    return v - fabs(v) * SLACK;
}

static double upper(int64_t acc1, int64_t R, float c)
{
    const double v = (double)(16 * acc1 + R) * (double)c;
    return v + fabs(v) * SLACK;
}

/* Min-heap on key (the cap best stage-1 logits seen so far: key[0] is the weakest kept). */
static void sift_down(uint32_t *idx, double *key, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < n && key[l] < key[m])
            m = l;
        if (l + 1 < n && key[l + 1] < key[m])
            m = l + 1;
        if (m == i)
            return;
        const double tk = key[i];
        const uint32_t ti = idx[i];
        key[i] = key[m];
        idx[i] = idx[m];
        key[m] = tk;
        idx[m] = ti;
        i = m;
    }
}

/* The cap rows of largest stage-1 logit (ties: any), into cand. */
static size_t top_k(const float *y, size_t M, size_t cap, uint32_t *cand, double *key)
{
    size_t n = 0;
    for (size_t m = 0; m < M; m++) {
        if (n < cap) {
            cand[n] = (uint32_t)m;
            key[n++] = y[m];
            if (n == cap)
                for (size_t i = cap / 2 + 1; i-- > 0;)
                    sift_down(cand, key, n, i);
        } else if (y[m] > key[0]) {
            cand[0] = (uint32_t)m;
            key[0] = y[m];
            sift_down(cand, key, n, 0);
        }
    }
    return n;
}

int trit_q8r_refine(const trit_q8_rows *w, const trit_q8_resid *r, const trit_q8_act *x, const int64_t *acc,
                    float *y, size_t cap, uint32_t *cand, double *key, trit_q8r_stats *st)
{
    trit_q8r_stats none = {0};
    st = st ? st : &none;
    st->rescored = st->admitted = 0;
    st->capped = false;
    if (!w || !r || !x || !acc || !y || !cand || !key || cap == 0 || !r->nib || r->rows != w->rows ||
        r->cols != w->cols || x->cols != w->cols || w->rows > UINT32_MAX)
        return -1;
    const size_t M = w->rows;
    int64_t sum_abs = 0;
    for (size_t k = 0; k < x->cols; k++)
        sum_abs += x->q[k] < 0 ? -(int64_t)x->q[k] : (int64_t)x->q[k];
    /* R = 8·Σ|x|, plus 2⁻¹² of it (the FP-weight remark above), rounded up. */
    const int64_t R = 8 * sum_abs + ((8 * sum_abs) >> 12) + 1;
    double L = -INFINITY;
    for (size_t m = 0; m < M; m++) {
        const double lo = lower(acc[m], R, w->scale[m]);
        L = lo > L ? lo : L;
    }
    size_t n = 0;
    for (size_t m = 0; m < M; m++)
        if (upper(acc[m], R, w->scale[m]) >= L) {
            if (n < cap)
                cand[n] = (uint32_t)m;
            n++;
        }
    st->admitted = n;
    if (n > cap) { /* a flat top: the cap best by stage-1 logit (no longer a proof; the caller is told) */
        st->capped = true;
        n = top_k(y, M, cap, cand, key);
    }
    for (size_t i = 0; i < n; i++) {
        const size_t m = cand[i];
        /* y = acc2 · scale / (16·s): the stage-1 rescale (trit_q8_rescale) of the 12-bit sum. */
        y[m] = (float)((double)trit_q8r_dot_row(w, r, x, m) * (double)w->scale[m] / (16.0 * (double)x->scale));
    }
    st->rescored = n;
    return 0;
}
