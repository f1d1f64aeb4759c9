/* cmd_history.c — `tritbench history --db DB COMMAND …`: the results history (history/, tritbench/history.h).
 * ingest FILE… · list · show RUN · trend REGEX · detect · noise · export RUN · report --out DIR.
 * This file parses and prints; the store, the detection and the dashboard live in history/. */
#include <jansson.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>

#include "commands.h"
#include "compare_output.h" /* tb_format_seconds */
#include "tritbench/order_stats.h"
#include "tritbench/args.h"
#include "tritbench/history.h"

typedef struct history_flags {
    const char *db;
    const char *machine;
    bool all_machines;
    double p_max;
    int min_segment;
    double min_change;
    int format; /* 0 console, 1 json */
    const char *out;
    const char *date, *host, *commit, *kernel, *profile;
    tb_str_list tags;
} history_flags;

#define H(m) offsetof(history_flags, m)
static const char *const formats[] = {"console", "json", NULL};

static const tb_opt history_table[] = {
    {"db", .field = H(db), .metavar = "DB",
     .help = "the history database: a file path (SQLite, created when missing) or a\npostgresql://… URL"},
    {"machine", .field = H(machine), .metavar = "FP",
     .help = "only this machine's series (its 16-hex-digit fingerprint, see 'list')"},
    {"all-machines", .kind = TB_BOOL, .field = H(all_machines),
     .help = "pool every machine into one series per benchmark (default: a machine\nonly compares with itself)"},
    {"p-max", .set = tb_set_double, .field = H(p_max), .metavar = "P",
     .help = "significance level of a change point's rank test (default 1e-4)"},
    {"min-segment", .set = tb_set_int, .field = H(min_segment), .metavar = "N", .min = 2, .max = 1000,
     .help = "nights needed on each side of a change point (default 3)"},
    {"min-change", .set = tb_set_double, .field = H(min_change), .metavar = "F",
     .help = "smallest relative change reported (default 0.005 = 0.5 %)"},
    {"format", .set = tb_set_choice, .field = H(format), .metavar = "F", .choices = formats,
     .help = "list, show, trend, detect, noise: console (default) or json"},
    {"out", 'o', .field = H(out), .metavar = "PATH",
     .help = "report: the directory to write; trend: the plot directory (default\nhistory-trend); export: the file (default stdout)"},
    {"date", .field = H(date), .metavar = "ISO8601", .help = "ingest: the run's date instead of the file's context date"},
    {"host", .field = H(host), .metavar = "NAME", .help = "ingest: the host name instead of the context's"},
    {"commit", .field = H(commit), .metavar = "SHA", .help = "ingest: the tritbench commit instead of the context's"},
    {"kernel", .field = H(kernel), .metavar = "RELEASE",
     .help = "ingest: the OS kernel release in the machine fingerprint (when the file\nhas no kernel_release)"},
    {"profile", .field = H(profile), .metavar = "NAME", .help = "ingest: the validation profile name"},
    {"tag", .set = tb_set_append, .field = H(tags), .metavar = "TAG", .help = "ingest: a tag for the run (repeatable)"},
};

static const tb_command history_cmd = {
    .name = "tritbench history",
    .synopsis = "--db DB COMMAND [ARGS] [flags]",
    .about = "The results history: every run's repetitions, machine and commit in a database (SQLite file or\n"
             "PostgreSQL), trends and change points per benchmark and machine.\n"
             "\n"
             "commands:\n"
             "  ingest FILE...  store google/benchmark JSON (tritbench run/ab or any google/benchmark binary)\n"
             "                  or a validate results.json; the same file twice is stored once. A directory\n"
             "                  stands for its *.json files and its folders' results.json (nightly layout)\n"
             "  list            the runs stored (oldest first)\n"
             "  show RUN        one run: machine, benchmarks (median, spread), validation verdicts\n"
             "  trend REGEX     the series of the matching benchmarks: table, and a gnuplot PNG/SVG with the\n"
             "                  change points and the within-night spread\n"
             "  detect          change points of every series (E-divisive means + Mann-Whitney test)\n"
             "  noise           the between-run noise learned per benchmark (what compare --history uses)\n"
             "  export RUN      a stored run as google/benchmark JSON\n"
             "  report          the dashboard: --out DIR gets index.html, report.md and plots/\n"
             "  fingerprint FILE  the machine fingerprint of a result file (for --machine)",
    .footer = "Exit status: 0 done; 1 detect/report found a regression change point that is new with the\n"
              "latest night (or report: a failed validation target); 2 bad input or database error.",
    .min_pos = 1,
    .max_pos = TB_ARGS_MAX_POS,
    .pos_name = "COMMAND",
};

/* Which flags each command takes (the common ones always). */
static const char *const common_flags[] = {"db", "machine", "all-machines", "p-max", "min-segment", "min-change", NULL};
static const struct sub {
    const char *name;
    int min_args, max_args;
    const char *const flags[8];
} subs[] = {
    {"ingest", 1, TB_ARGS_MAX_POS - 1, {"date", "host", "commit", "kernel", "profile", "tag", NULL}},
    {"list", 0, 0, {"format", NULL}},
    {"show", 1, 1, {"format", NULL}},
    {"trend", 1, 1, {"format", "out", NULL}},
    {"detect", 0, 0, {"format", NULL}},
    {"noise", 0, 0, {"format", NULL}},
    {"export", 1, 1, {"out", NULL}},
    {"report", 0, 0, {"out", NULL}},
    {"fingerprint", 1, 1, {"kernel", NULL}},
};

static bool in_list(const char *const *list, const char *name)
{
    for (; *list; list++)
        if (strcmp(*list, name) == 0)
            return true;
    return false;
}

/* The flag name a seen argument spelled ("--format=json" → "format", "-o" → "out"). */
static void flag_name(const char *arg, char *out, size_t cap)
{
    if (strcmp(arg, "-o") == 0 || strncmp(arg, "-o", 2) == 0) {
        snprintf(out, cap, "out");
        return;
    }
    while (*arg == '-')
        arg++;
    snprintf(out, cap, "%.*s", (int)strcspn(arg, "="), arg);
}

static void params_of(const history_flags *f, hist_cp_params *p)
{
    hist_cp_defaults(p);
    if (f->p_max > 0)
        p->p_max = f->p_max;
    if (f->min_segment > 0)
        p->min_segment = (size_t)f->min_segment;
    if (f->min_change > 0)
        p->min_change = f->min_change;
}

/* A URL's password never reaches the output. */
static void db_label(const char *spec, char *out, size_t cap)
{
    const char *at = strchr(spec, '@'), *scheme = strstr(spec, "://");
    if (at && scheme && at > scheme)
        snprintf(out, cap, "%.*s***%s", (int)(scheme + 3 - spec), spec, at);
    else
        snprintf(out, cap, "%s", spec);
}

static int parse_run_id(const char *s, int64_t *id)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    if (*s == '\0' || *end || v <= 0) {
        fprintf(stderr, "tritbench history: RUN: '%s' is not a run id (a positive number, see 'history list')\n", s);
        return -1;
    }
    *id = v;
    return 0;
}

static int ingest_one(hist_db *db, const hist_ingest_opts *o, const char *path)
{
    hist_ingest_result r;
    char err[1024];
    if (hist_ingest_file(db, path, o, &r, err, sizeof err) != 0) {
        fprintf(stderr, "tritbench history ingest: %s\n", err);
        return 2;
    }
    if (r.duplicate)
        printf("%s: already stored as run %lld (same content): nothing added\n", path, (long long)r.run_id);
    else
        printf("%s: run %lld (%s): %zu benchmarks, %zu samples, %zu verdicts\n", path, (long long)r.run_id, r.kind,
               r.n_benchmarks, r.n_samples, r.n_verdicts);
    return 0;
}

static int json_or_dir(const struct dirent *e)
{
    size_t l = strlen(e->d_name);
    return e->d_name[0] != '.' && (l < 5 || strcmp(e->d_name + l - 5, ".json") == 0 || !strchr(e->d_name, '.'));
}

/* A directory: its *.json files and its subdirectories' results.json (the nightly folder layout), in name
 * order — so a whole history of nights goes in one call. */
static int ingest_dir(hist_db *db, const hist_ingest_opts *o, const char *dir)
{
    struct dirent **list;
    int n = scandir(dir, &list, json_or_dir, alphasort);
    if (n < 0) {
        fprintf(stderr, "tritbench history ingest: %s: cannot read the directory\n", dir);
        return 2;
    }
    int rc = 0, done = 0;
    for (int i = 0; i < n; i++) {
        char path[4096];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, list[i]->d_name);
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            snprintf(path, sizeof path, "%s/%s/results.json", dir, list[i]->d_name);
            if (stat(path, &st) != 0)
                path[0] = '\0';
        } else if (strlen(list[i]->d_name) < 5) {
            path[0] = '\0';
        }
        if (path[0]) {
            rc |= ingest_one(db, o, path);
            done++;
        }
        free(list[i]);
    }
    free(list);
    if (done == 0) {
        fprintf(stderr, "tritbench history ingest: %s: no *.json file and no */results.json in it\n", dir);
        return 2;
    }
    return rc;
}

static int do_ingest(hist_db *db, const history_flags *f, int n, const char *const *files)
{
    char tags[1024] = "";
    for (int i = 0; i < f->tags.n; i++) {
        size_t l = strlen(tags);
        snprintf(tags + l, sizeof tags - l, "%s%s", i ? "," : "", f->tags.items[i]);
    }
    hist_ingest_opts o = {.date = f->date, .host = f->host, .commit = f->commit, .kernel = f->kernel,
                          .profile = f->profile, .tags = tags};
    int rc = 0;
    for (int i = 0; i < n; i++) {
        struct stat st;
        rc |= stat(files[i], &st) == 0 && S_ISDIR(st.st_mode) ? ingest_dir(db, &o, files[i]) : ingest_one(db, &o, files[i]);
    }
    return rc;
}

static json_t *run_json(const hist_run *r)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I}", "id", (json_int_t)r->id,
                     "date", r->date, "host", r->host, "commit", r->commit, "kind", r->kind, "profile", r->profile,
                     "tags", r->tags, "machine", r->fingerprint, "cpu_model", r->cpu_model, "source", r->source,
                     "benchmarks", (json_int_t)r->n_benchmarks, "samples", (json_int_t)r->n_samples, "verdicts",
                     (json_int_t)r->n_verdicts, "failed", (json_int_t)r->n_failed);
}

static int print_json(json_t *j)
{
    if (!j || json_dumpf(j, stdout, JSON_INDENT(2)) != 0) {
        json_decref(j);
        fprintf(stderr, "tritbench history: out of memory\n");
        return 2;
    }
    putchar('\n');
    json_decref(j);
    return 0;
}

static int do_list(hist_db *db, const history_flags *f)
{
    hist_run *runs;
    size_t n;
    char err[1024];
    if (hist_list_runs(db, &runs, &n, err, sizeof err) != 0) {
        fprintf(stderr, "tritbench history list: %s\n", err);
        return 2;
    }
    if (f->format == 1) {
        json_t *a = json_array();
        for (size_t i = 0; a && i < n; i++)
            json_array_append_new(a, run_json(&runs[i]));
        free(runs);
        return print_json(a);
    }
    printf("%5s  %-20s  %-9s  %-12s  %-16s  %-16s  %6s  %7s  %s\n", "run", "date (UTC)", "kind", "commit", "host",
           "machine", "bench", "samples", "verdicts");
    for (size_t i = 0; i < n; i++) {
        const hist_run *r = &runs[i];
        printf("%5lld  %-20s  %-9s  %-12.12s  %-16.16s  %-16s  %6lld  %7lld  ", (long long)r->id, r->date, r->kind,
               r->commit, r->host, r->fingerprint, (long long)r->n_benchmarks, (long long)r->n_samples);
        if (r->n_verdicts)
            printf("%lld (%lld FAIL)\n", (long long)r->n_verdicts, (long long)r->n_failed);
        else
            printf("-\n");
    }
    printf("%zu run(s)\n", n);
    free(runs);
    return 0;
}

static int do_show(hist_db *db, const history_flags *f, const char *arg)
{
    int64_t id;
    if (parse_run_id(arg, &id) != 0)
        return 2;
    hist_run r;
    char err[1024];
    int found = hist_get_run(db, id, &r, err, sizeof err);
    if (found <= 0) {
        fprintf(stderr, "tritbench history show: %s\n", found < 0 ? err : "no such run (see 'history list')");
        return 2;
    }
    hist_verdict *v = NULL;
    size_t nv = 0;
    char *exported = NULL;
    if (hist_run_verdicts(db, id, &v, &nv, err, sizeof err) != 0 || hist_export_run(db, id, &exported, err, sizeof err) != 0) {
        fprintf(stderr, "tritbench history show: %s\n", err);
        free(v);
        return 2;
    }
    json_error_t je;
    json_t *doc = json_loads(exported, 0, &je);
    free(exported);
    json_t *bench = json_object_get(doc, "benchmarks");
    if (f->format == 1) {
        json_t *o = run_json(&r), *va = json_array();
        for (size_t i = 0; i < nv; i++)
            json_array_append_new(va, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "section", v[i].section,
                                                 "target", v[i].target, "subject", v[i].subject, "threshold",
                                                 v[i].threshold, "measured", v[i].measured, "verdict",
                                                 v[i].verdict, "reason", v[i].reason));
        json_object_set_new(o, "verdicts", va);
        json_object_set(o, "benchmarks", bench);
        json_decref(doc);
        free(v);
        return print_json(o);
    }
    printf("run %lld: %s %s, commit %s, host %s\nmachine %s (%s)\nsource %s\n", (long long)r.id, r.kind, r.date,
           r.commit, r.host, r.fingerprint, r.cpu_model, r.source);
    if (r.profile[0] || r.tags[0])
        printf("profile %s, tags %s\n", r.profile[0] ? r.profile : "-", r.tags[0] ? r.tags : "-");
    /* One line per instance: repetitions, median, min, max, from the exported rows (in stored order). */
    size_t i = 0, nb = json_array_size(bench);
    printf("\n%-56s %4s %12s %12s %12s\n", "benchmark", "reps", "median", "min", "max");
    while (i < nb) {
        const char *name = json_string_value(json_object_get(json_array_get(bench, i), "name"));
        double t[4096] = {0};
        size_t k = 0, j = i;
        const char *state = NULL;
        for (; j < nb; j++) {
            json_t *e = json_array_get(bench, j);
            if (strcmp(json_string_value(json_object_get(e, "name")), name) != 0)
                break;
            if (json_is_true(json_object_get(e, "skipped")))
                state = "skipped";
            else if (json_is_true(json_object_get(e, "error_occurred")))
                state = "error";
            else if (k < 4096) {
                const char *u = json_string_value(json_object_get(e, "time_unit"));
                double sc = !u || !strcmp(u, "ns") ? 1e-9 : !strcmp(u, "us") ? 1e-6 : !strcmp(u, "ms") ? 1e-3 : 1;
                t[k++] = json_number_value(json_object_get(e, "real_time")) * sc;
            }
        }
        if (state || k == 0) {
            printf("%-56s %4s %s\n", name, "-", state ? state : "no samples");
        } else {
            tb_sort_doubles(t, k);
            char med[32], lo[32], hi[32];
            tb_format_seconds(tb_median(t, k), med, sizeof med);
            tb_format_seconds(t[0], lo, sizeof lo);
            tb_format_seconds(t[k - 1], hi, sizeof hi);
            printf("%-56s %4zu %12s %12s %12s\n", name, k, med, lo, hi);
        }
        i = j;
    }
    if (nv) {
        printf("\nvalidation verdicts (%zu):\n", nv);
        for (int pass = 0; pass < 2; pass++)
            for (size_t a = 0; a < nv; a++)
                if ((strcmp(v[a].verdict, "FAIL") == 0) == (pass == 0))
                    printf("  %-5s %s / %s: %s (threshold %s)%s%s\n", v[a].verdict, v[a].target, v[a].subject,
                           v[a].measured, v[a].threshold, v[a].reason[0] ? " — " : "", v[a].reason);
    }
    json_decref(doc);
    free(v);
    return 0;
}

static json_t *finding_json(const hist_finding *fi)
{
    const hist_series *s = fi->series;
    const hist_point *b = &s->points[fi->cp.index - 1], *a = &s->points[fi->cp.index];
    return json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:f, s:f, s:f, s:f, s:f, s:f, s:s, s:b}", "benchmark",
                     s->benchmark, "machine", s->fingerprint, "cpu_model", s->cpu_model, "night",
                     (json_int_t)(fi->cp.index + 1), "date", a->date, "commit_before", b->commit, "commit_after",
                     a->commit, "before_s", fi->cp.before, "after_s", fi->cp.after, "change", fi->cp.change,
                     "change_ci_low", fi->cp.ci_lo, "change_ci_high", fi->cp.ci_hi, "p", fi->cp.p, "kind",
                     fi->regression ? "regression" : "improvement", "new", fi->is_new);
}

static void print_finding(const hist_finding *fi)
{
    const hist_series *s = fi->series;
    const hist_point *b = &s->points[fi->cp.index - 1], *a = &s->points[fi->cp.index];
    char before[32], after[32];
    tb_format_seconds(fi->cp.before, before, sizeof before);
    tb_format_seconds(fi->cp.after, after, sizeof after);
    printf("%s%-11s %s @%s\n    night %zu (%.10s): %s → %s, %+.1f %% [%+.1f, %+.1f], p %.2g; commits %s..%s\n",
           fi->is_new ? "NEW " : "", fi->regression ? "regression" : "improvement", s->benchmark, s->fingerprint,
           fi->cp.index + 1, a->date, before, after, 100 * fi->cp.change, 100 * fi->cp.ci_lo, 100 * fi->cp.ci_hi,
           fi->cp.p, b->commit, a->commit);
}

static int load(hist_db *db, const history_flags *f, const char *regex, hist_series **s, size_t *n)
{
    char err[1024];
    if (hist_load_series(db, regex, f->machine, f->all_machines, s, n, err, sizeof err) != 0) {
        fprintf(stderr, "tritbench history: %s\n", err);
        return -1;
    }
    return 0;
}

static int do_detect(hist_db *db, const history_flags *f, const char *regex, bool trend)
{
    hist_series *s;
    size_t n;
    if (load(db, f, regex, &s, &n) != 0)
        return 2;
    if (trend && n == 0) {
        fprintf(stderr, "tritbench history trend: no stored benchmark matches '%s'\n", regex);
        hist_series_free(s, n);
        return 2;
    }
    hist_cp_params p;
    params_of(f, &p);
    hist_finding *fd;
    size_t nf;
    if (hist_detect_all(s, n, &p, &fd, &nf) != 0) {
        fprintf(stderr, "tritbench history: out of memory\n");
        hist_series_free(s, n);
        return 2;
    }
    size_t new_reg = 0;
    for (size_t i = 0; i < nf; i++)
        new_reg += fd[i].is_new && fd[i].regression;
    int rc = new_reg && !trend ? 1 : 0; /* trend is a view; detect is the gate */
    if (trend) {
        const char *dir = f->out ? f->out : "history-trend";
        mkdir(dir, 0755);
        const hist_series **ptrs = calloc(n, sizeof *ptrs);
        for (size_t i = 0; ptrs && i < n; i++)
            ptrs[i] = &s[i];
        char why[512] = "", title[256];
        snprintf(title, sizeof title, "tritbench history: %s", regex);
        int pr = ptrs ? hist_plot_series(dir, "trend", title, ptrs, n, fd, nf, why, sizeof why) : -1;
        free(ptrs);
        if (f->format == 0) {
            for (size_t i = 0; i < n; i++) {
                printf("%s @%s (%s): %zu nights\n", s[i].benchmark, s[i].fingerprint, s[i].cpu_model, s[i].n);
                printf("  %5s  %-20s  %-12s  %12s  %12s  %12s  %6s\n", "night", "date", "commit", "median", "min",
                       "max", "cv");
                for (size_t k = 0; k < s[i].n; k++) {
                    const hist_point *pt = &s[i].points[k];
                    char med[32], lo[32], hi[32];
                    tb_format_seconds(pt->median, med, sizeof med);
                    tb_format_seconds(pt->lo, lo, sizeof lo);
                    tb_format_seconds(pt->hi, hi, sizeof hi);
                    const char *mark = "";
                    for (size_t j = 0; j < nf; j++)
                        if (fd[j].series == &s[i] && fd[j].cp.index == k)
                            mark = fd[j].regression ? "  ← change point: slower" : "  ← change point: faster";
                    printf("  %5zu  %-20s  %-12.12s  %12s  %12s  %12s  %5.1f%%%s\n", k + 1, pt->date, pt->commit, med,
                           lo, hi, 100 * pt->cv, mark);
                }
            }
            if (pr == 0)
                printf("plot: %s/trend.png, %s/trend.svg\n", dir, dir);
            else
                printf("plot not rendered: %s\n", why);
        }
    }
    if (f->format == 1) {
        json_t *o = json_object(), *a = json_array();
        json_object_set_new(o, "series", json_integer((json_int_t)n));
        json_object_set_new(o, "method", json_string("e-divisive means + Mann-Whitney"));
        json_object_set_new(o, "p_max", json_real(p.p_max));
        json_object_set_new(o, "min_segment", json_integer((json_int_t)p.min_segment));
        json_object_set_new(o, "min_change", json_real(p.min_change));
        for (size_t i = 0; i < nf; i++)
            json_array_append_new(a, finding_json(&fd[i]));
        json_object_set_new(o, "change_points", a);
        json_object_set_new(o, "new_regressions", json_integer((json_int_t)new_reg));
        if (print_json(o) != 0)
            rc = 2;
    } else if (!trend || nf) {
        printf("%zu change point(s) in %zu series (%zu new regression(s)); E-divisive means + Mann-Whitney, p < %.2g, "
               ">= %zu nights a side\n",
               nf, n, new_reg, p.p_max, p.min_segment);
        for (int pass = 0; pass < 2; pass++) /* new ones first */
            for (size_t i = 0; i < nf; i++)
                if (fd[i].is_new == (pass == 0))
                    print_finding(&fd[i]);
    }
    free(fd);
    hist_series_free(s, n);
    return rc;
}

static int do_noise(hist_db *db, const history_flags *f)
{
    hist_noise *v;
    size_t n;
    char err[1024];
    if (hist_learned_noise(db, f->all_machines ? NULL : f->machine, &v, &n, err, sizeof err) != 0) {
        fprintf(stderr, "tritbench history noise: %s\n", err);
        return 2;
    }
    if (!f->all_machines && !f->machine)
        fprintf(stderr, "tritbench history noise: no --machine given: every machine pooled\n");
    if (f->format == 1) {
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(a, json_pack("{s:s, s:f, s:I}", "benchmark", v[i].benchmark, "rel_sd", v[i].rel_sd,
                                               "nights", (json_int_t)v[i].nights));
        hist_noise_free(v, n);
        return print_json(a);
    }
    printf("%-60s %8s %7s\n", "benchmark", "noise", "nights");
    for (size_t i = 0; i < n; i++)
        printf("%-60s %7.2f%% %7zu\n", v[i].benchmark, 100 * v[i].rel_sd, v[i].nights);
    hist_noise_free(v, n);
    return 0;
}

static int do_export(hist_db *db, const history_flags *f, const char *arg)
{
    int64_t id;
    if (parse_run_id(arg, &id) != 0)
        return 2;
    char *json, err[1024];
    if (hist_export_run(db, id, &json, err, sizeof err) != 0) {
        fprintf(stderr, "tritbench history export: %s\n", err);
        return 2;
    }
    FILE *out = f->out ? fopen(f->out, "w") : stdout;
    if (!out) {
        fprintf(stderr, "tritbench history export: %s: cannot write\n", f->out);
        free(json);
        return 2;
    }
    int bad = fputs(json, out) < 0 || fputc('\n', out) == EOF;
    if (f->out)
        bad |= fclose(out) != 0;
    free(json);
    if (bad) {
        fprintf(stderr, "tritbench history export: %s: write error\n", f->out ? f->out : "stdout");
        return 2;
    }
    return 0;
}

static int do_fingerprint(const history_flags *f, const char *path)
{
    char fp[32], err[1024];
    if (hist_fingerprint_of_file(path, f->kernel, fp, sizeof fp, err, sizeof err) != 0) {
        fprintf(stderr, "tritbench history fingerprint: %s\n", err);
        return 2;
    }
    printf("%s\n", fp);
    return 0;
}

static int do_report(hist_db *db, const history_flags *f, const char *spec)
{
    if (!f->out) {
        fprintf(stderr, "tritbench history report: --out DIR is required\n");
        return 2;
    }
    hist_cp_params p;
    params_of(f, &p);
    char label[512];
    db_label(spec, label, sizeof label);
    hist_report_opts o = {.fingerprint = f->machine, .all_machines = f->all_machines, .params = &p, .db_label = label};
    hist_report_summary s;
    char err[1024];
    if (hist_write_report(db, f->out, &o, &s, err, sizeof err) != 0) {
        fprintf(stderr, "tritbench history report: %s\n", err);
        return 2;
    }
    printf("%s/index.html, %s/report.md: %zu series in %zu families, %zu change point(s), %zu new regression(s), "
           "%zu failed validation target(s); %zu of %zu plots rendered%s%s\n",
           f->out, f->out, s.n_series, s.n_families, s.n_changes, s.n_new_regressions, s.n_failed_verdicts,
           s.n_plots_rendered, s.n_plots, s.plots_note[0] ? ": " : "", s.plots_note);
    return s.n_new_regressions || s.n_failed_verdicts ? 1 : 0;
}

int cmd_history(int argc, char **argv)
{
    history_flags f;
    memset(&f, 0, sizeof f);
    const tb_opt_group groups[] = {{NULL, history_table, TB_COUNT(history_table), &f}};
    tb_args a;
    int st = tb_args_run(&history_cmd, groups, TB_COUNT(groups), argc, argv, &a);
    if (st >= 0)
        return st;
    const struct sub *sub = NULL;
    for (size_t i = 0; i < TB_COUNT(subs); i++)
        if (strcmp(a.pos[0], subs[i].name) == 0)
            sub = &subs[i];
    if (!sub) {
        fprintf(stderr, "tritbench history: unknown command '%s' (ingest, list, show, trend, detect, noise, export, "
                        "report, fingerprint; see --help)\n",
                a.pos[0]);
        return 2;
    }
    int nargs = a.n_pos - 1;
    if (nargs < sub->min_args || nargs > sub->max_args) {
        fprintf(stderr, "tritbench history %s: takes %s%d argument(s), got %d (see --help)\n", sub->name,
                sub->min_args == sub->max_args ? "" : "at least ", sub->min_args, nargs);
        return 2;
    }
    for (int i = 0; i < a.n_seen; i++) {
        if (a.seen[i].group < 0)
            continue;
        char name[64];
        flag_name(argv[a.seen[i].first], name, sizeof name);
        if (!in_list(common_flags, name) && !in_list(sub->flags, name)) {
            fprintf(stderr, "tritbench history %s: --%s does not apply to '%s'\n", sub->name, name, sub->name);
            return 2;
        }
    }
    if (strcmp(sub->name, "fingerprint") == 0) /* reads a file, not the database */
        return do_fingerprint(&f, a.pos[1]);
    if (!f.db) {
        fprintf(stderr, "tritbench history: --db DB is required (a file path for SQLite, or postgresql://…)\n");
        return 2;
    }
    if (f.machine && f.all_machines) {
        fprintf(stderr, "tritbench history: --machine and --all-machines exclude each other\n");
        return 2;
    }
    char err[1024];
    hist_db *db = hist_open(f.db, err, sizeof err);
    if (!db) {
        fprintf(stderr, "tritbench history: %s\n", err);
        return 2;
    }
    const char *const *args = a.pos + 1;
    int rc;
    if (strcmp(sub->name, "ingest") == 0)
        rc = do_ingest(db, &f, nargs, args);
    else if (strcmp(sub->name, "list") == 0)
        rc = do_list(db, &f);
    else if (strcmp(sub->name, "show") == 0)
        rc = do_show(db, &f, args[0]);
    else if (strcmp(sub->name, "trend") == 0)
        rc = do_detect(db, &f, args[0], true);
    else if (strcmp(sub->name, "detect") == 0)
        rc = do_detect(db, &f, NULL, false);
    else if (strcmp(sub->name, "noise") == 0)
        rc = do_noise(db, &f);
    else if (strcmp(sub->name, "export") == 0)
        rc = do_export(db, &f, args[0]);
    else
        rc = do_report(db, &f, f.db);
    hist_close(db);
    return rc;
}
