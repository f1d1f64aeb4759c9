/* compare.c — pairing two result files by name and judging each row (compare.h): ratio with its
 * Hodges–Lehmann interval, Benjamini–Hochberg across rows, threshold, and the between-run noise band. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare/rank_tests.h"
#include "tritbench/compare.h"

const char *cmp_state_name(cmp_state s)
{
    switch (s) {
    case CMP_SAME:
        return "same";
    case CMP_REGRESSION:
        return "REGRESSION";
    case CMP_IMPROVED:
        return "improved";
    case CMP_INCONCLUSIVE:
        return "inconclusive";
    case CMP_UNTESTED:
        return "untested";
    case CMP_INVALID_BASE:
        return "invalid-base-time";
    case CMP_INVALID_NEW:
        return "invalid-new-time";
    }
    return "?";
}

int cmp_parse_threshold(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s)
        return -1;
    while (*end == ' ')
        end++;
    const bool percent = *end == '%';
    if (percent) {
        v /= 100.0;
        end++;
    }
    if (*end || !(v >= 0) || !isfinite(v))
        return -1;
    if (!percent && v >= 1.0)
        return -1; /* "10": 10 % or 1000 %? */
    *out = v;
    return 0;
}

/* Between-run noise of a benchmark, or NaN: the history store's entries, looked up by name. */
static double noise_of(const tb_name_index *ix, const cmp_options *opt, const char *name)
{
    if (!opt->noise)
        return NAN;
    size_t i = tb_name_index_get(ix, name);
    return i == (size_t)-1 ? NAN : opt->noise[i].between_run_rel_sd;
}

static void judge(cmp_row *row, double threshold, double alpha, bool drift_controlled)
{
    if (row->state != CMP_SAME)
        return; /* untested or invalid: decided while pairing */
    const bool significant = row->q < alpha;
    const double change = row->ratio.est - 1.0;
    if (!significant || fabs(change) <= threshold)
        return;
    /* Beyond the threshold with confidence: the whole interval, not only the estimate. A row whose estimate
     * is past the threshold but whose interval reaches back inside it is "inconclusive": e.g. a planted 3 %
     * slowdown run beside an untouched kernel of the other binary at load 7 gave the untouched row
     * +1.7 % [+0.5, +4.3], q 0.013 — significant, past a 1 % threshold by its estimate, not by its interval. */
    if ((change > 0 && row->ratio.lo - 1.0 <= threshold) || (change < 0 && 1.0 - row->ratio.hi <= threshold)) {
        row->state = CMP_INCONCLUSIVE;
        return;
    }
    /* Beyond noise: the estimate is further from 1 than two independent runs' medians move apart by
     * chance (their log difference has SD √2·s; band at the two-sided 1 − alpha quantile). Interleaved
     * rounds need no band: drift hits both sides of every round alike. */
    if (!drift_controlled && (isnan(row->noise_band) || fabs(log(row->ratio.est)) <= log1p(row->noise_band))) {
        row->state = CMP_INCONCLUSIVE;
        return;
    }
    row->state = change > 0 ? CMP_REGRESSION : CMP_IMPROVED;
}

int cmp_judge(cmp_result *res, const cmp_options *opt, bool drift_controlled)
{
    double *p = malloc((res->n_rows + 1) * sizeof *p), *logs = malloc((res->n_rows + 1) * sizeof *logs);
    if (!p || !logs) {
        free(p);
        free(logs);
        return -1;
    }
    for (size_t r = 0; r < res->n_rows; r++)
        p[r] = res->rows[r].state == CMP_SAME ? res->rows[r].ratio.p : NAN;
    if (tb_bh_adjust(p, res->n_rows, p) != 0) {
        free(p);
        free(logs);
        return -1;
    }
    memset(res->counts, 0, sizeof res->counts);
    double log_sum = 0;
    size_t n_log = 0;
    for (size_t r = 0; r < res->n_rows; r++) {
        cmp_row *row = &res->rows[r];
        row->q = p[r];
        judge(row, opt->threshold, opt->alpha, drift_controlled);
        res->counts[row->state]++;
        if (row->state != CMP_INVALID_BASE && row->state != CMP_INVALID_NEW && isfinite(row->ratio.est)) {
            logs[n_log++] = log(row->ratio.est);
            log_sum += log(row->ratio.est);
        }
    }
    res->geomean_ratio = n_log ? exp(log_sum / (double)n_log) : NAN;
    res->observed_spread = NAN;
    if (n_log >= 3) {
        /* Robust SD of the rows' log ratios about their median: one real regression barely moves it. */
        tb_sort_doubles(logs, n_log);
        const double med = n_log % 2 ? logs[n_log / 2] : 0.5 * (logs[n_log / 2 - 1] + logs[n_log / 2]);
        for (size_t k = 0; k < n_log; k++)
            logs[k] = fabs(logs[k] - med);
        res->observed_spread = 1.4826 * tb_median(logs, n_log);
    }
    free(p);
    free(logs);
    return 0;
}

int cmp_compare(const cmp_file *base, const cmp_file *new_, const cmp_options *opt, cmp_result *out)
{
    memset(out, 0, sizeof *out);
    out->rows = calloc(base->n + 1, sizeof *out->rows);
    out->only_base = calloc(base->n + 1, sizeof *out->only_base);
    out->only_new = calloc(new_->n + 1, sizeof *out->only_new);
    tb_name_index noise_ix;
    tb_name_index_init(&noise_ix);
    int rc = -1;
    if (!out->rows || !out->only_base || !out->only_new)
        goto done;
    for (size_t i = 0; opt->noise && i < opt->n_noise; i++)
        if (opt->noise[i].name && tb_name_index_get(&noise_ix, opt->noise[i].name) == (size_t)-1 &&
            tb_name_index_put(&noise_ix, opt->noise[i].name, i) != 0)
            goto done;
    out->noise_known = opt->noise != NULL;
    const double z = tb_normal_quantile(1.0 - opt->alpha / 2.0);
    for (size_t i = 0; i < base->n; i++) {
        const cmp_bench *a = &base->b[i], *b = cmp_find(new_, a->name);
        if (!b) {
            out->only_base[out->n_only_base++] = a->name;
            continue;
        }
        cmp_row *row = &out->rows[out->n_rows++];
        row->name = a->name;
        row->n_base = a->n;
        row->n_new = b->n;
        row->q = NAN;
        const double s = noise_of(&noise_ix, opt, a->name);
        row->noise_band = isnan(s) ? NAN : expm1(z * sqrt(2.0) * s);
        row->base = a->n_invalid ? NAN : tb_median(a->times, a->n);
        row->new_ = b->n_invalid ? NAN : tb_median(b->times, b->n);
        row->ratio = (tb_interval){.lo = NAN, .est = NAN, .hi = NAN, .p = NAN};
        if (a->n_invalid) {
            row->state = CMP_INVALID_BASE;
            continue;
        }
        if (b->n_invalid) {
            row->state = CMP_INVALID_NEW;
            continue;
        }
        if (tb_ratio_interval_ex(a->times, a->n, b->times, b->n, 1.0 - opt->alpha, &row->ratio) != 0)
            goto done;
        if (a->n < 2 || b->n < 2 || a->from_aggregate || b->from_aggregate) {
            row->state = CMP_UNTESTED;
            continue;
        }
        if (a->n < 9 || b->n < 9)
            out->few_repetitions = true;
        row->state = CMP_SAME;
    }
    if (cmp_judge(out, opt, false) != 0)
        goto done;
    for (size_t i = 0; i < new_->n; i++)
        if (!cmp_find(base, new_->b[i].name))
            out->only_new[out->n_only_new++] = new_->b[i].name;
    rc = 0;
done:
    tb_name_index_free(&noise_ix);
    if (rc != 0)
        cmp_result_free(out);
    return rc;
}

void cmp_result_free(cmp_result *r)
{
    free(r->rows);
    free(r->only_base);
    free(r->only_new);
    memset(r, 0, sizeof *r);
}

size_t cmp_context_diff(const cmp_file *a, const cmp_file *b, const char **keys, size_t cap)
{
    static const char *const watched[] = {"host_name",   "cpu_model", "num_cpus",          "mhz_per_cpu",
                                          "compiler",    "cflags",    "library_build_type", "library_version",
                                          "git_commit",  "caches",    "cpu_scaling_enabled", "isa_features"};
    size_t n = 0;
    if (!a->context || !b->context)
        return 0;
    for (size_t i = 0; i < sizeof watched / sizeof watched[0] && n < cap; i++) {
        json_t *x = json_object_get(a->context, watched[i]), *y = json_object_get(b->context, watched[i]);
        if ((x || y) && !json_equal(x, y))
            keys[n++] = watched[i];
    }
    return n;
}
