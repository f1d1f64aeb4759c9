/* compare_output.c — writing a cmp_result (compare_output.h). */
#include <math.h>
#include <string.h>

#include "compare_output.h"

void tb_format_seconds(double s, char *buf, size_t len)
{
    if (isnan(s))
        snprintf(buf, len, "n/a");
    else if (s < 1e-6)
        snprintf(buf, len, "%.1f ns", s * 1e9);
    else if (s < 1e-3)
        snprintf(buf, len, "%.2f us", s * 1e6);
    else if (s < 1)
        snprintf(buf, len, "%.3f ms", s * 1e3);
    else
        snprintf(buf, len, "%.3f s", s);
}

/* "+4.1% [+2.0, +6.3]" — the change and its interval in percent; "-" where there is none. */
static void fmt_change(const cmp_row *r, char *buf, size_t len)
{
    if (r->state == CMP_INVALID_BASE || r->state == CMP_INVALID_NEW || isnan(r->ratio.est)) {
        snprintf(buf, len, "-");
        return;
    }
    if (r->state == CMP_UNTESTED || !r->ratio.bounded)
        snprintf(buf, len, "%+.1f%% [no interval]", (r->ratio.est - 1) * 100);
    else
        snprintf(buf, len, "%+.1f%% [%+.1f, %+.1f]", (r->ratio.est - 1) * 100, (r->ratio.lo - 1) * 100,
                 (r->ratio.hi - 1) * 100);
}

void cmp_print_console(FILE *out, const cmp_result *res, const cmp_options *opt)
{
    size_t w = 9;
    char name[512];
    for (size_t i = 0; i < res->n_rows; i++) {
        cmp_escape_name(res->rows[i].name, name, sizeof name);
        if (strlen(name) > w)
            w = strlen(name);
    }
    fprintf(out, "%-*s %12s %12s  %-28s %8s %7s  %s\n", (int)w, "Benchmark", "Base", "New",
            "Change [conf. interval]", "q-value", "n", "Status");
    for (size_t i = 0; i < res->n_rows; i++) {
        const cmp_row *r = &res->rows[i];
        char t0[32], t1[32], ch[64], q[32], n[32];
        cmp_escape_name(r->name, name, sizeof name);
        tb_format_seconds(r->base, t0, sizeof t0);
        tb_format_seconds(r->new_, t1, sizeof t1);
        fmt_change(r, ch, sizeof ch);
        if (isnan(r->q))
            snprintf(q, sizeof q, "-");
        else
            snprintf(q, sizeof q, "%.4f", r->q);
        snprintf(n, sizeof n, "%zu/%zu", r->n_base, r->n_new);
        fprintf(out, "%-*s %12s %12s  %-28s %8s %7s  %s\n", (int)w, name, t0, t1, ch, q, n, cmp_state_name(r->state));
    }
    fprintf(out, "\nGeometric mean of ratios: %+.2f %% over %zu pairs; threshold %.2f %%, FDR %.3g, intervals at %.0f %%\n",
            (res->geomean_ratio - 1) * 100, res->n_rows, opt->threshold * 100, opt->alpha, (1 - opt->alpha) * 100);
}

void cmp_print_md(FILE *out, const cmp_result *res, const cmp_options *opt)
{
    fprintf(out, "| Benchmark | Base | New | Change [interval] | q-value | n | Status |\n|---|---|---|---|---|---|---|\n");
    char name[512];
    for (size_t i = 0; i < res->n_rows; i++) {
        const cmp_row *r = &res->rows[i];
        char t0[32], t1[32], ch[64];
        cmp_escape_name(r->name, name, sizeof name);
        tb_format_seconds(r->base, t0, sizeof t0);
        tb_format_seconds(r->new_, t1, sizeof t1);
        fmt_change(r, ch, sizeof ch);
        fprintf(out, "| `%s` | %s | %s | %s | ", name, t0, t1, ch);
        if (isnan(r->q))
            fprintf(out, "-");
        else
            fprintf(out, "%.4f", r->q);
        fprintf(out, " | %zu/%zu | %s |\n", r->n_base, r->n_new, cmp_state_name(r->state));
    }
    fprintf(out, "\nGeometric mean of ratios: %+.2f %% over %zu pairs; threshold %.2f %%, FDR %.3g.\n",
            (res->geomean_ratio - 1) * 100, res->n_rows, opt->threshold * 100, opt->alpha);
}

static json_t *num(double v) { return isfinite(v) ? json_real(v) : json_null(); }

json_t *cmp_result_json(const cmp_result *res, const cmp_options *opt)
{
    json_t *root = json_object(), *rows = json_array(), *ob = json_array(), *on = json_array(), *counts = json_object();
    if (!root || !rows || !ob || !on || !counts) {
        json_decref(root);
        json_decref(rows);
        json_decref(ob);
        json_decref(on);
        json_decref(counts);
        return NULL;
    }
    for (size_t i = 0; i < res->n_rows; i++) {
        const cmp_row *r = &res->rows[i];
        json_t *o = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b, s:b, s:o, s:I, s:I, s:s}", "name",
                              r->name, "base_median_s", num(r->base), "new_median_s", num(r->new_), "ratio",
                              num(r->ratio.est), "ratio_lo", num(r->ratio.lo), "ratio_hi", num(r->ratio.hi), "p_value",
                              num(r->ratio.p), "q_value", num(r->q), "exact", (int)r->ratio.exact, "bounded",
                              (int)r->ratio.bounded, "noise_band", num(r->noise_band), "n_base",
                              (json_int_t)r->n_base, "n_new", (json_int_t)r->n_new, "status",
                              cmp_state_name(r->state));
        if (o)
            json_array_append_new(rows, o);
    }
    for (size_t i = 0; i < res->n_only_base; i++)
        json_array_append_new(ob, json_string(res->only_base[i]));
    for (size_t i = 0; i < res->n_only_new; i++)
        json_array_append_new(on, json_string(res->only_new[i]));
    for (int s = 0; s <= CMP_INVALID_NEW; s++)
        json_object_set_new(counts, cmp_state_name((cmp_state)s), json_integer((json_int_t)res->counts[s]));
    json_object_set_new(root, "threshold", json_real(opt->threshold));
    json_object_set_new(root, "alpha", json_real(opt->alpha));
    json_object_set_new(root, "between_run_noise_known", json_boolean(res->noise_known));
    json_object_set_new(root, "comparisons", rows);
    json_object_set_new(root, "counts", counts);
    json_object_set_new(root, "geomean_ratio", num(res->geomean_ratio));
    json_object_set_new(root, "observed_spread", num(res->observed_spread));
    json_object_set_new(root, "regressions", json_integer((json_int_t)res->counts[CMP_REGRESSION]));
    json_object_set_new(root, "only_in_base", ob);
    json_object_set_new(root, "only_in_new", on);
    return root;
}

void cmp_print_summary(FILE *out, const cmp_result *res, const cmp_options *opt, const char *base_label,
                       const char *new_label, bool interleaved)
{
    if (res->counts[CMP_INCONCLUSIVE] && interleaved)
        fprintf(out, "%zu row(s) INCONCLUSIVE: significant, but the interval reaches back inside the %.2f %% threshold;\n"
                     "more rounds (--rounds) narrow it.\n",
                res->counts[CMP_INCONCLUSIVE], opt->threshold * 100);
    if (res->counts[CMP_INCONCLUSIVE] && !interleaved) {
        if (!res->noise_known)
            fprintf(out,
                    "%zu row(s) INCONCLUSIVE: they changed significantly within each file, but two separate runs on\n"
                    "this machine cannot resolve changes below the observed run-to-run spread (here about ±%.1f %% per\n"
                    "row, robust SD of the rows' ratios), and no between-run noise is known for these benchmarks.\n"
                    "Use `tritbench ab BASELINE CONTENDER` (interleaved in one time window) or a results history.\n",
                    res->counts[CMP_INCONCLUSIVE], res->observed_spread * 100);
        else
            fprintf(out, "%zu row(s) INCONCLUSIVE: significant, but the interval reaches inside the threshold or the\n"
                         "change is within the between-run noise of that benchmark (or no history for it).\n",
                    res->counts[CMP_INCONCLUSIVE]);
    }
    if (res->counts[CMP_INVALID_BASE] || res->counts[CMP_INVALID_NEW])
        fprintf(out, "%zu row(s) have a zero or NaN time (base: %zu, new: %zu): no ratio, never a regression\n",
                res->counts[CMP_INVALID_BASE] + res->counts[CMP_INVALID_NEW], res->counts[CMP_INVALID_BASE],
                res->counts[CMP_INVALID_NEW]);
    if (res->counts[CMP_UNTESTED])
        fprintf(out, "%zu row(s) have fewer than 2 samples on a side: no test, never counted as regressions\n",
                res->counts[CMP_UNTESTED]);
    char name[512];
    for (size_t i = 0; i < res->n_only_base; i++) {
        cmp_escape_name(res->only_base[i], name, sizeof name);
        fprintf(out, "only in %s: %s\n", base_label, name);
    }
    for (size_t i = 0; i < res->n_only_new; i++) {
        cmp_escape_name(res->only_new[i], name, sizeof name);
        fprintf(out, "only in %s: %s\n", new_label, name);
    }
}
