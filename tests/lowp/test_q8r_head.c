/* test_q8r_head.c — the q8r head's stage 2 (lowp.h "Q8 rows + 4-bit residual"):
 *  - residuals: r = round(16·(w·127/max|w| − q)) in [−8, 7], packed two per byte (odd cols: the last high
 *    nibble stays 0); the 12-bit weight (q + r/16)·scale is within scale/32 of w (scale/16 where +8 was
 *    clamped to 7); the 12-bit lookup is that value;
 *  - re-scored logits equal an FP64 evaluation of Σ (q + r/16)·scale · x_k/s (the dequantized int16
 *    activation) for the re-scored rows; the other rows keep their stage-1 logits bit for bit;
 *  - the candidate set always holds the true top-1 of the 12-bit weights (and of the FP weights times the
 *    same activation): a constructed near-tie that stage 1 gets wrong, and random tables whose stage-1
 *    sums tie often;
 *  - a flat top beyond the cap falls back to the cap best stage-1 rows and says so; bad shapes and
 *    non-finite weights are refused. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/check.h"
#include "tritbench/catalog.h"
#include "tritbench/lowp.h"

typedef struct table {
    trit_q8_rows w;
    trit_q8_resid r;
    float *src;
} table;

static void table_make(table *t, size_t M, size_t K, const float *src)
{
    REQUIRE(trit_q8_alloc(&t->w, M, K) == 0 && trit_q8r_alloc(&t->r, M, K) == 0);
    t->src = malloc(M * K * sizeof(float));
    REQUIRE(t->src);
    memcpy(t->src, src, M * K * sizeof(float));
    REQUIRE(trit_q8_quantize_rows(&t->w, 0, M, src) == 0);
    REQUIRE(trit_q8r_quantize_rows(&t->w, &t->r, 0, M, src) == 0);
}

static void table_free(table *t)
{
    trit_q8_free(&t->w);
    trit_q8r_free(&t->r);
    free(t->src);
}

static float *uniform(trit_rng *g, size_t n, float a)
{
    float *v = malloc(n * sizeof *v);
    REQUIRE(v);
    for (size_t i = 0; i < n; i++)
        v[i] = (float)((trit_rng_uniform(g) * 2 - 1) * a);
    return v;
}

static size_t argmax(const float *y, size_t n)
{
    size_t b = 0;
    for (size_t i = 1; i < n; i++)
        if (y[i] > y[b])
            b = i;
    return b;
}

static bool in_set(const uint32_t *c, size_t n, size_t m)
{
    for (size_t i = 0; i < n; i++)
        if (c[i] == m)
            return true;
    return false;
}

static void residual_values(void)
{
    for (int v = -8; v <= 7; v++) { /* nibble packing both ways, neighbours untouched */
        trit_q8_resid r;
        REQUIRE(trit_q8r_alloc(&r, 1, 3) == 0);
        trit_q8r_set(&r, 0, 1, v);
        CHECK(trit_q8r_get(&r, 0, 1) == v && trit_q8r_get(&r, 0, 0) == 0 && trit_q8r_get(&r, 0, 2) == 0);
        trit_q8r_set(&r, 0, 0, -v - 1);
        CHECK(trit_q8r_get(&r, 0, 0) == -v - 1 && trit_q8r_get(&r, 0, 1) == v);
        trit_q8r_free(&r);
    }
    trit_rng g;
    trit_rng_seed(&g, 5);
    const size_t M = 40, K = 257; /* odd K: the last byte's high nibble is padding */
    float *src = uniform(&g, M * K, 0.05f);
    for (size_t k = 0; k < K; k++)
        src[3 * K + k] = 0; /* an all-zero row */
    table t;
    table_make(&t, M, K, src);
    CHECK(t.r.row_bytes == 129 && trit_q8r_bytes(128256, 2560) >= 128256u * 1280u);
    int bad = 0, clamped = 0, lut = 0;
    float *row = malloc(K * sizeof *row);
    REQUIRE(row);
    for (size_t m = 0; m < M; m++) {
        const double s = t.w.scale[m];
        trit_q8r_dequantize_row(&t.w, &t.r, m, row);
        CHECK((t.r.nib[m * t.r.row_bytes + K / 2] >> 4) == 0);
        for (size_t k = 0; k < K; k++) {
            const int q = t.w.codes[m * t.w.stride + k], r = trit_q8r_get(&t.r, m, k);
            const double w12 = (q + r / 16.0) * s, err = fabs((double)src[m * K + k] - w12);
            clamped += r == 7 && err > s / 32 * 1.001;
            bad += r < -8 || r > 7 || err > (r == 7 ? s / 16 : s / 32) * 1.001 + 1e-12;
            lut += row[k] != (float)(16 * q + r) * t.w.scale[m] * 0.0625f || fabs(row[k] - w12) > 1e-7 * fabs(w12);
        }
    }
    CHECKF(bad == 0, "%d residuals out of range or beyond scale/32 (scale/16 clamped)", bad);
    CHECKF(clamped > 0, "no +8 clamped to 7 among %zu weights (the scale/16 case untested)", M * K);
    CHECKF(lut == 0, "%d 12-bit lookups differ from (16q + r)·scale/16", lut);
    free(row);
    free(src);
    table_free(&t);
}

/* FP64: Σ (q + r/16)·scale · q_x/s — the 12-bit weights times the dequantized int16 activation. */
static double oracle(const table *t, const trit_q8_act *a, size_t m, double *sum_abs)
{
    double s = 0, sa = 0;
    for (size_t k = 0; k < t->w.cols; k++) {
        const double w = (t->w.codes[m * t->w.stride + k] + trit_q8r_get(&t->r, m, k) / 16.0) * t->w.scale[m];
        const double v = w * ((double)a->q[k] / (double)a->scale);
        s += v;
        sa += fabs(v);
    }
    *sum_abs = sa;
    return s;
}

/* Stage 1 + stage 2 on x; returns the refined logits, y1 the stage-1 ones, cand/st what stage 2 did. */
static void run(const table *t, const float *x, size_t cap, float *y, float *y1, uint32_t *cand, trit_q8r_stats *st,
                trit_q8_act *a)
{
    const size_t M = t->w.rows;
    int64_t *acc = malloc(M * sizeof *acc);
    double *key = malloc(cap * sizeof *key);
    REQUIRE(acc && key);
    REQUIRE(trit_q8_gemv(trit_q8_select(), &t->w, x, a, acc, y, 1) == 0);
    memcpy(y1, y, M * sizeof *y);
    REQUIRE(trit_q8r_refine(&t->w, &t->r, a, acc, y, cap, cand, key, st) == 0);
    free(acc);
    free(key);
}

static void refined_equals_fp64(void)
{
    trit_rng g;
    trit_rng_seed(&g, 9);
    const size_t M = 3001, K = 300;
    float *src = uniform(&g, M * K, 0.03f);
    for (size_t m = 0; m < M; m += 7) /* rows of differing scales */
        for (size_t k = 0; k < K; k++)
            src[m * K + k] *= 0.5f;
    table t;
    table_make(&t, M, K, src);
    trit_q8_act a;
    REQUIRE(trit_q8_act_alloc(&a, K) == 0);
    float *y = malloc(M * sizeof *y), *y1 = malloc(M * sizeof *y1);
    uint32_t cand[TRIT_Q8R_CAP];
    REQUIRE(y && y1);
    for (int trial = 0; trial < 8; trial++) {
        float *x = uniform(&g, K, 2.0f);
        trit_q8r_stats st;
        run(&t, x, TRIT_Q8R_CAP, y, y1, cand, &st, &a);
        CHECKF(st.rescored >= 1 && !st.capped && st.rescored == st.admitted, "trial %d: %zu re-scored of %zu admitted",
               trial, st.rescored, st.admitted);
        int bad = 0, moved = 0;
        for (size_t i = 0; i < st.rescored; i++) {
            double sa;
            const double want = oracle(&t, &a, cand[i], &sa);
            bad += !(fabs((double)y[cand[i]] - want) <= 0x1p-23 * fabs(want) + 1e-12 * sa);
        }
        for (size_t m = 0; m < M; m++)
            moved += !in_set(cand, st.rescored, m) && memcmp(&y[m], &y1[m], sizeof(float)) != 0;
        CHECKF(bad == 0, "trial %d: %d re-scored logits differ from the FP64 12-bit evaluation", trial, bad);
        CHECKF(moved == 0, "trial %d: %d rows not re-scored changed", trial, moved);
        free(x);
    }
    free(y);
    free(y1);
    free(src);
    trit_q8_act_free(&a);
    table_free(&t);
}

/* Row 1 beats row 0 with 12-bit weights but not in stage 1: row 0 is 9.55 (code 10, r −7) in 7 columns,
 * row 1 is 9.45 (code 9, r +7) in 6 columns and 14 in one. Stage 1: 70 vs 68; 12-bit: 66.94 vs 70.63. */
static void constructed_near_tie(void)
{
    const size_t M = 20, K = 8;
    float src[20 * 8];
    trit_rng g;
    trit_rng_seed(&g, 3);
    for (size_t m = 0; m < M; m++) {
        src[m * K] = 1.0f; /* max |w| = 1 in every row: scale 1/127, w·127 is the value above */
        for (size_t k = 1; k < K; k++)
            src[m * K + k] = m == 0 ? 9.55f / 127 : m == 1 ? (k == 7 ? 14.0f : 9.45f) / 127
                                                           : (float)(trit_rng_uniform(&g) * 9.0 / 127);
    }
    table t;
    table_make(&t, M, K, src);
    trit_q8_act a;
    REQUIRE(trit_q8_act_alloc(&a, K) == 0);
    float x[8] = {0.5f, 1, 1, 1, 1, 1, 1, 1}, y[20], y1[20];
    uint32_t cand[TRIT_Q8R_CAP];
    trit_q8r_stats st;
    run(&t, x, TRIT_Q8R_CAP, y, y1, cand, &st, &a);
    CHECKF(argmax(y1, M) == 0, "stage 1 should prefer row 0 (got %zu): the case is not a near-tie", argmax(y1, M));
    CHECKF(in_set(cand, st.rescored, 1) && argmax(y, M) == 1, "refined top-1 %zu, row 1 %s the candidates",
           argmax(y, M), in_set(cand, st.rescored, 1) ? "in" : "not in");
    trit_q8_act_free(&a);
    table_free(&t);
}

/* Random tables whose stage-1 sums tie often (every row has the same scale, weights on a coarse grid plus
 * a fraction, activations ±1): the 12-bit top-1 — every row that attains it — and the FP weights' top-1
 * are always among the candidates, and the refined argmax is a 12-bit top-1. */
static void random_near_ties(void)
{
    trit_rng g;
    trit_rng_seed(&g, 21);
    const size_t M = 256, K = 16;
    float *src = malloc(M * K * sizeof *src), x[16], *y = malloc(M * sizeof *y), *y1 = malloc(M * sizeof *y1);
    int64_t *acc2 = malloc(M * sizeof *acc2);
    uint32_t *cand = malloc(M * sizeof *cand);
    REQUIRE(src && y && y1 && acc2 && cand);
    trit_q8_act a;
    REQUIRE(trit_q8_act_alloc(&a, K) == 0);
    int stage1_wrong = 0, missed = 0, wrong = 0, fp_missed = 0;
    for (int trial = 0; trial < 300; trial++) {
        for (size_t m = 0; m < M; m++) {
            src[m * K] = 127.0f / 127; /* scale 1/127 everywhere */
            for (size_t k = 1; k < K; k++)
                src[m * K + k] = (float)(((double)(trit_rng_next(&g) % 7) - 3 + trit_rng_uniform(&g) - 0.5) / 127);
        }
        for (size_t k = 0; k < K; k++)
            x[k] = trit_rng_next(&g) & 1 ? 1.0f : -1.0f;
        table t;
        table_make(&t, M, K, src);
        trit_q8r_stats st;
        run(&t, x, M, y, y1, cand, &st, &a);
        int64_t best = INT64_MIN;
        double fp_best = -INFINITY;
        size_t fp_arg = 0;
        for (size_t m = 0; m < M; m++) {
            acc2[m] = trit_q8r_dot_row(&t.w, &t.r, &a, m);
            best = acc2[m] > best ? acc2[m] : best;
            double f = 0;
            for (size_t k = 0; k < K; k++)
                f += (double)src[m * K + k] * a.q[k];
            if (f > fp_best) {
                fp_best = f;
                fp_arg = m;
            }
        }
        for (size_t m = 0; m < M; m++)
            missed += acc2[m] == best && !in_set(cand, st.rescored, m);
        fp_missed += !in_set(cand, st.rescored, fp_arg);
        wrong += acc2[argmax(y, M)] != best;
        stage1_wrong += acc2[argmax(y1, M)] != best;
        table_free(&t);
    }
    printf("random near-ties: stage 1 missed the 12-bit top-1 in %d of 300 tables; refined missed %d\n", stage1_wrong,
           wrong);
    CHECKF(stage1_wrong >= 10, "only %d stage-1 misses: the test does not exercise near-ties", stage1_wrong);
    CHECKF(missed == 0 && wrong == 0, "%d 12-bit top-1 rows outside the candidates, %d wrong refined top-1", missed,
           wrong);
    CHECKF(fp_missed == 0, "the FP weights' top-1 outside the candidates %d times", fp_missed);
    free(src);
    free(y);
    free(y1);
    free(acc2);
    free(cand);
    trit_q8_act_free(&a);
}

static void cap_and_refusals(void)
{
    const size_t M = 64, K = 33;
    float *src = malloc(M * K * sizeof *src);
    REQUIRE(src);
    for (size_t i = 0; i < M * K; i++) /* identical rows: a flat top the bound cannot split */
        src[i] = (float)((i % K) * 0.01 - 0.1);
    table t;
    table_make(&t, M, K, src);
    trit_q8_act a;
    REQUIRE(trit_q8_act_alloc(&a, K) == 0);
    float x[33], y[64], y1[64];
    for (size_t k = 0; k < K; k++)
        x[k] = 1.0f;
    uint32_t cand[8];
    trit_q8r_stats st;
    run(&t, x, 8, y, y1, cand, &st, &a);
    CHECKF(st.capped && st.admitted == M && st.rescored == 8, "capped %d admitted %zu re-scored %zu", st.capped,
           st.admitted, st.rescored);
    for (size_t i = 0; i < 8; i++)
        for (size_t j = 0; j < i; j++)
            CHECK(cand[i] != cand[j]);
    /* Refusals: cap 0, a residual plane of another shape, an activation of another width, non-finite weights. */
    int64_t acc[64] = {0};
    double key[8];
    trit_q8_resid other;
    REQUIRE(trit_q8r_alloc(&other, M - 1, K) == 0);
    CHECK(trit_q8r_refine(&t.w, &t.r, &a, acc, y, 0, cand, key, &st) == -1);
    CHECK(trit_q8r_refine(&t.w, &other, &a, acc, y, 8, cand, key, &st) == -1);
    CHECK(trit_q8r_quantize_rows(&t.w, &other, 0, 1, src) == -1);
    trit_q8_act narrow;
    REQUIRE(trit_q8_act_alloc(&narrow, K - 1) == 0);
    CHECK(trit_q8r_refine(&t.w, &t.r, &narrow, acc, y, 8, cand, key, &st) == -1);
    src[5] = NAN;
    CHECK(trit_q8r_quantize_rows(&t.w, &t.r, 0, 1, src) == -1);
    CHECK(trit_q8r_quantize_rows(&t.w, &t.r, M, 1, src) == -1);
    trit_q8r_free(&other);
    CHECK(trit_q8r_alloc(&other, 4, 0) == -1 && trit_q8r_alloc(&other, 4, TRIT_Q8_MAX_K + 1) == -1);
    trit_q8_act_free(&narrow);
    trit_q8_act_free(&a);
    free(src);
    table_free(&t);
}

int main(void)
{
    residual_values();
    refined_equals_fp64();
    constructed_near_tie();
    random_near_ties();
    cap_and_refusals();
    return check_exit();
}
