/* cmd_compare.c — `tritbench compare BASE.json NEW.json` (two separate runs): per-benchmark ratio with its
 * interval, Benjamini–Hochberg across rows; REGRESSION only beyond threshold and between-run noise. */
#include <stddef.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "compare_output.h"
#include "tritbench/args.h"
#include "tritbench/compare.h"
#include "tritbench/history.h"

typedef enum { OUT_CONSOLE, OUT_JSON, OUT_MD } out_format;

typedef struct compare_flags {
    double threshold, alpha;
    int format; /* out_format */
    int clock;  /* cmp_clock */
    const char *history; /* --history DB: between-run noise learnt from past runs of NEW's machine */
} compare_flags;

/* --threshold: "5%" or "0.05"; a bare "10" is refused (10 % or 1000 %?). Shared with `ab`. */
int cmp_set_threshold(const tb_opt *opt, void *field, const char *v, char *err, size_t err_len)
{
    (void)opt;
    if (cmp_parse_threshold(v, field) != 0) {
        snprintf(err, err_len,
                 "'%s' is not a percentage like 5%% or a fraction below 1 like 0.05 (a bare 10 could mean 10 %% or "
                 "1000 %%)",
                 v);
        return -1;
    }
    return 0;
}

int cmp_set_alpha(const tb_opt *opt, void *field, const char *v, char *err, size_t err_len)
{
    (void)opt;
    char *end;
    const double a = strtod(v, &end);
    if (end == v || *end || !(a > 0 && a < 1)) {
        snprintf(err, err_len, "'%s' must be a number in (0, 1)", v);
        return -1;
    }
    *(double *)field = a;
    return 0;
}

static const char *const format_names[] = {"console", "json", "md", NULL};
static const char *const clock_names[] = {"real", "cpu", NULL};

#define C(member) offsetof(compare_flags, member)
static const tb_opt compare_table[] = {
    {"threshold", .set = cmp_set_threshold, .field = C(threshold), .metavar = "T",
     .help = "smallest change that counts: 5% or 0.05 (default 5%)"},
    {"alpha", .set = cmp_set_alpha, .field = C(alpha), .metavar = "A",
     .help = "false discovery rate across rows; intervals at 1 - A (default 0.05)"},
    {"format", .set = tb_set_choice, .field = C(format), .metavar = "F", .choices = format_names,
     .help = "console (default), json or md"},
    {"time", .set = tb_set_choice, .field = C(clock), .metavar = "T", .choices = clock_names,
     .help = "the time compared: real (default, wall clock) or cpu"},
    {"history", .field = C(history), .metavar = "DB",
     .help = "results history (SQLite file or postgresql:// URL, see `tritbench history`): its learnt\n"
             "between-run noise of NEW's machine lets significant changes beyond it be REGRESSION"},
};

static const tb_command compare_cmd = {
    .name = "tritbench compare",
    .synopsis = "[flags] BASE.json NEW.json",
    .about = "Pairs benchmarks by name (tritbench results.json or google/benchmark JSON) and shows, per row, the\n"
             "ratio of NEW to BASE times (Hodges-Lehmann estimate) with its confidence interval at 1 - alpha, and a\n"
             "Benjamini-Hochberg q-value (false discovery rate alpha across rows).\n"
             "A row is REGRESSION only when it is significant, its whole interval slower by more than the threshold AND\n"
             "the change beyond the between-run noise of that benchmark, which needs a history of runs. Without one, such rows are\n"
             "\"inconclusive\": two separate runs cannot resolve changes below the run-to-run spread. For a verdict\n"
             "on two builds, use `tritbench ab` (interleaved in one time window).\n",
    .footer = "Exit status: 0 no regression, 1 at least one, 2 bad input or no benchmark in common.\n",
    .min_pos = 2,
    .max_pos = 2,
    .pos_name = "BASE.json NEW.json",
};

static void print_context_diff(const cmp_file *a, const cmp_file *b, const char **diff, size_t n)
{
    if (n == 0)
        return;
    fprintf(stderr, "note: the two runs come from different contexts:\n");
    for (size_t i = 0; i < n; i++) {
        char *x = json_dumps(json_object_get(a->context, diff[i]), JSON_ENCODE_ANY | JSON_COMPACT);
        char *y = json_dumps(json_object_get(b->context, diff[i]), JSON_ENCODE_ANY | JSON_COMPACT);
        fprintf(stderr, "  %-20s base: %.200s\n  %-20s new:  %.200s\n", diff[i], x ? x : "(absent)", "",
                y ? y : "(absent)");
        free(x);
        free(y);
    }
}

/* The between-run noise that `tritbench history` learnt for the machine NEW.json was measured on: one
 * entry per benchmark with enough nights. The names point into *hn, which the caller frees. */
static int load_history_noise(const char *db_spec, const char *new_path, hist_noise **hn, size_t *n_hn,
                              cmp_noise **noise, char *err, size_t err_len)
{
    char fp[128];
    if (hist_fingerprint_of_file(new_path, NULL, fp, sizeof fp, err, err_len) != 0)
        return -1;
    hist_db *db = hist_open(db_spec, err, err_len);
    if (!db)
        return -1;
    const int rc = hist_learned_noise(db, fp, hn, n_hn, err, err_len);
    hist_close(db);
    if (rc != 0)
        return -1;
    *noise = calloc(*n_hn ? *n_hn : 1, sizeof **noise);
    if (!*noise) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < *n_hn; i++)
        (*noise)[i] = (cmp_noise){.name = (*hn)[i].benchmark, .between_run_rel_sd = (*hn)[i].rel_sd};
    return 0;
}

int cmd_compare(int argc, char **argv)
{
    compare_flags f = {.threshold = 0.05, .alpha = 0.05, .format = OUT_CONSOLE};
    const tb_opt_group groups[] = {{NULL, compare_table, TB_COUNT(compare_table), &f}};
    tb_args args;
    const int st = tb_args_run(&compare_cmd, groups, TB_COUNT(groups), argc, argv, &args);
    if (st >= 0)
        return st;
    const char *files[2] = {args.pos[0], args.pos[1]};
    const double threshold = f.threshold, alpha = f.alpha;
    const out_format fmt = (out_format)f.format;
    cmp_file base, new_;
    char err[1024];
    if (cmp_load_clock(files[0], (cmp_clock)f.clock, &base, err, sizeof err) != 0) {
        fprintf(stderr, "tritbench compare: %s\n", err);
        return 2;
    }
    if (cmp_load_clock(files[1], (cmp_clock)f.clock, &new_, err, sizeof err) != 0) {
        fprintf(stderr, "tritbench compare: %s\n", err);
        cmp_file_free(&base);
        return 2;
    }
    hist_noise *hn = NULL;
    size_t n_hn = 0;
    cmp_noise *noise = NULL;
    if (f.history && load_history_noise(f.history, files[1], &hn, &n_hn, &noise, err, sizeof err) != 0) {
        fprintf(stderr, "tritbench compare: --history %s: %s\n", f.history, err);
        hist_noise_free(hn, n_hn);
        cmp_file_free(&base);
        cmp_file_free(&new_);
        return 2;
    }
    if (f.history)
        fprintf(stderr, "tritbench compare: between-run noise of %zu benchmark(s) from %s\n", n_hn, f.history);
    cmp_result res;
    const cmp_options opt = {.threshold = threshold, .alpha = alpha, .noise = noise, .n_noise = noise ? n_hn : 0};
    if (cmp_compare(&base, &new_, &opt, &res) != 0) {
        fprintf(stderr, "tritbench compare: out of memory\n");
        free(noise);
        hist_noise_free(hn, n_hn);
        cmp_file_free(&base);
        cmp_file_free(&new_);
        return 2;
    }
    int rc = 0;
    if (res.n_rows == 0) {
        fprintf(stderr, "tritbench compare: %s and %s have no benchmark in common (%zu and %zu benchmarks): nothing "
                        "to compare\n", base.path, new_.path, base.n, new_.n);
        rc = 2;
        goto out;
    }
    const char *diff[16];
    size_t n_diff = cmp_context_diff(&base, &new_, diff, 16);
    if (res.few_repetitions)
        fprintf(stderr, "tritbench compare: WARNING: fewer than 9 repetitions on a side: wide intervals.\n");
    if (base.n_errored || new_.n_errored)
        fprintf(stderr, "tritbench compare: left out errored/skipped rows: %zu in base, %zu in new\n", base.n_errored,
                new_.n_errored);
    if (base.n_complexity || new_.n_complexity)
        fprintf(stderr, "tritbench compare: left out BigO/RMS rows (no time): %zu in base, %zu in new\n",
                base.n_complexity, new_.n_complexity);
    print_context_diff(&base, &new_, diff, n_diff);
    if (fmt == OUT_JSON) {
        json_t *root = cmp_result_json(&res, &opt);
        json_t *d = json_array();
        for (size_t i = 0; root && d && i < n_diff; i++) {
            json_t *o = json_object(), *x = json_object_get(base.context, diff[i]), *y = json_object_get(new_.context, diff[i]);
            json_object_set_new(o, "key", json_string(diff[i]));
            json_object_set(o, "base", x ? x : json_null());
            json_object_set(o, "new", y ? y : json_null());
            json_array_append_new(d, o);
        }
        if (root) {
            json_object_set_new(root, "base", json_string(base.path));
            json_object_set_new(root, "new", json_string(new_.path));
            json_object_set_new(root, "context_differences", d ? d : json_array());
        }
        rc = root && json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) == 0 ? 0 : 2;
        fputc('\n', stdout);
        json_decref(root);
    } else {
        char a_name[512], b_name[512];
        cmp_escape_name(base.path, a_name, sizeof a_name);
        cmp_escape_name(new_.path, b_name, sizeof b_name);
        if (fmt == OUT_MD) {
            printf("## Comparing `%s` to `%s`\n\n", a_name, b_name);
            cmp_print_md(stdout, &res, &opt);
        } else {
            printf("Comparing %s to %s\n", a_name, b_name);
            cmp_print_console(stdout, &res, &opt);
        }
    }
    cmp_print_summary(stderr, &res, &opt, base.path, new_.path, false);
    if (rc == 0 && res.counts[CMP_REGRESSION]) {
        fprintf(stderr, "tritbench compare: %zu regression(s) beyond %.2f %% and the between-run noise\n",
                res.counts[CMP_REGRESSION], threshold * 100);
        rc = 1;
    }
out:
    cmp_result_free(&res);
    free(noise);
    hist_noise_free(hn, n_hn);
    cmp_file_free(&base);
    cmp_file_free(&new_);
    return rc;
}
