/* validate_run.c — one `tritbench validate` run: load the profile, prepare the output directory, run the
 * selected sections, write report.md / results.json / plots, print the sign-off, pick the exit code. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "harness/data_path.h"
#include "validate/report_view.h"
#include "validate/vr_internal.h"
#include "tritbench/suites.h"
#include "tritbench_config.h"

int vr_mkdirs(const char *path, char *err, size_t err_len)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf) {
        snprintf(err, err_len, "%s: output directory name empty or too long", path);
        return -1;
    }
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        char saved = buf[i];
        buf[i] = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST) {
            snprintf(err, err_len, "%s: cannot create directory: %s", buf, strerror(errno));
            return -1;
        }
        buf[i] = saved;
    }
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(err, err_len, "%s: not a directory", path);
        return -1;
    }
    if (access(path, W_OK) != 0) {
        snprintf(err, err_len, "%s: directory not writable: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

static bool wants(const vr_options *o, const vr_section *s)
{
    if (s->needs_model && !o->model_path)
        return false; /* only with --model */
    return !o->suite || strcmp(o->suite, "all") == 0 || strcmp(o->suite, s->name) == 0;
}

/* A profile must name every target the selected sections judge: a missing one is a profile error (exit 2),
 * not a FAIL row. */
static bool profile_covers(const vr_profile *p, const vr_options *o, char *err, size_t err_len)
{
    size_t n;
    const vr_section *const *secs = vr_sections(&n);
    for (size_t i = 0; i < n; i++) {
        if (!wants(o, secs[i]))
            continue;
        for (const char *const *t = secs[i]->targets; t && *t; t++)
            if (!vr_profile_find(p, *t)) {
                snprintf(err, err_len, "%.900s: no target \"%s\" (section %s judges it; give it, or run other "
                                       "sections with --suite)", p->path[0] ? p->path : p->name, *t, secs[i]->name);
                return false;
            }
    }
    return true;
}

/* --model must name something readable before any section runs: a report that claims completeness
 * without it would be wrong whichever sections were asked for. */
static bool model_readable(const char *path, char *err, size_t err_len)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        snprintf(err, err_len, "--model %s: %s", path, strerror(errno));
        return false;
    }
    if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) { /* never opened: a FIFO would block the run */
        snprintf(err, err_len, "--model %s: is a %s, not a checkpoint file or directory", path,
                 S_ISFIFO(st.st_mode)   ? "FIFO"
                 : S_ISCHR(st.st_mode)  ? "character device"
                 : S_ISBLK(st.st_mode)  ? "block device"
                 : S_ISSOCK(st.st_mode) ? "socket"
                                        : "special file");
        return false;
    }
    if (access(path, R_OK) != 0) {
        snprintf(err, err_len, "--model %s: %s", path, strerror(errno));
        return false;
    }
    return true;
}

/* One validation run's view of the one suite registry: built on first use with the run's threads,
 * shapes and filters, exactly as `tritbench run` would register it. */
typedef struct vr_bench_ctx {
    tb_registry *reg;
    tb_suite_config cfg;
    char lists[1024];
} vr_bench_ctx;


/* ^(a|b|c)$ over exact names: every ERE metacharacter escaped. */
static char *exact_filter(const vr_instances *l, unsigned group)
{
    size_t cap = 8;
    for (size_t i = 0; i < l->count; i++)
        cap += 2 * strlen(l->items[i].name) + 1;
    char *f = malloc(cap), *p = f;
    if (!f)
        return NULL;
    *p++ = '^';
    *p++ = '(';
    bool first = true;
    for (size_t i = 0; i < l->count; i++) {
        if (l->items[i].group != group)
            continue;
        if (!first)
            *p++ = '|';
        first = false;
        for (const char *c = l->items[i].name; *c; c++) {
            if (strchr(".[]()*+?{}|^$\\", *c))
                *p++ = '\\';
            *p++ = *c;
        }
    }
    *p++ = ')';
    *p++ = '$';
    *p = '\0';
    return f;
}

/* The registry for a section: built once with the run's configuration; rebuilt with the extra GEMV shapes a
 * section needs (the model section's checkpoint shapes). 0, or -1 (message printed). */
static int ensure_registry(vr_bench_ctx *b, const vr_options *o, const vr_instances *l, const char *section)
{
    /* A section that needs extra GEMV shapes (a checkpoint's) gets its own registry with them. */
    if (l->n_extra_shapes > 0 && b->reg) {
        tb_registry_free(b->reg);
        b->reg = NULL;
    }
    if (!b->reg) {
        tb_suite_config_for_validation(&b->cfg, o->threads > 0 ? o->threads : 1, o->quick, o->shapes, o->variants,
                                       o->formats, b->lists, sizeof b->lists);
        for (size_t i = 0; i < l->n_extra_shapes && i < TB_MAX_EXTRA_SHAPES; i++) {
            b->cfg.extra_gemv_shapes[i][0] = l->extra_shapes[i][0];
            b->cfg.extra_gemv_shapes[i][1] = l->extra_shapes[i][1];
            b->cfg.n_extra_gemv_shapes++;
        }
        b->reg = tb_registry_new();
        if (!b->reg || tb_suites_register_all(b->reg, &b->cfg) != 0) {
            fprintf(stderr, "tritbench validate: %s: could not register the suites\n", section);
            return -1;
        }
    }
    return 0;
}

/* Runs a section's instances group by group (random interleaving within a group, every repetition kept)
 * into `out`. 0, or -1 when the harness could not run (message printed). */
static int run_instances(vr_bench_ctx *b, const vr_options *o, const char *section, const vr_instances *l,
                         unsigned round, tb_results *out)
{
    if (l->count == 0)
        return 0;
    if (ensure_registry(b, o, l, section) != 0)
        return -1;
    unsigned max_group = 0;
    for (size_t i = 0; i < l->count; i++)
        max_group = l->items[i].group > max_group ? l->items[i].group : max_group;
    for (unsigned g = 0; g <= max_group; g++) {
        bool any = false;
        for (size_t i = 0; i < l->count && !any; i++)
            any = l->items[i].group == g;
        if (!any)
            continue;
        char *filter = exact_filter(l, g);
        tb_options opt;
        tb_options_default(&opt);
        opt.filter = filter;
        opt.repetitions = l->repetitions > 0 ? l->repetitions : 5;
        if (l->min_time > 0)
            opt.min_time = l->min_time;
        opt.random_interleaving = true;
        opt.seed = o->seed * 1000003ULL + g + 7919ULL * round; /* a re-measure round shuffles anew */
        tb_results res;
        memset(&res, 0, sizeof res);
        char err[512];
        const int rc = filter ? tb_run(b->reg, &opt, NULL, &res, err, sizeof err) : -1;
        free(filter);
        if (rc != 0) {
            fprintf(stderr, "tritbench validate: %s: the harness could not run: %s\n", section,
                    filter ? err : "out of memory");
            return -1;
        }
        const int arc = vr_records_append(out, &res);
        tb_results_free(&res);
        if (arc != 0) {
            fprintf(stderr, "tritbench validate: %s: out of memory keeping the records\n", section);
            return -1;
        }
    }
    if (l->n_extra_shapes > 0) { /* the next section registers without them */
        tb_registry_free(b->reg);
        b->reg = NULL;
    }
    return 0;
}

/* GB/s of the stream suite's largest read instance (4x the last-level cache: memory, not a cache) at the run's
 * thread count, registered at full size even in --quick; 0 when there is none or it failed. `size` gets its
 * size name ("128MiB"). */
static double machine_read_gbps(const vr_options *o, char *size, size_t size_len)
{
    size_t n_suites;
    const tb_suite *suites = tb_suites(&n_suites);
    tb_suite_config cfg;
    char lists[64];
    tb_suite_config_for_validation(&cfg, o->threads > 0 ? o->threads : 1, false, NULL, NULL, NULL, lists,
                                   sizeof lists);
    tb_registry *reg = tb_registry_new();
    for (size_t i = 0; reg && i < n_suites; i++)
        if (strcmp(suites[i].name, "stream") == 0 && suites[i].register_fn(reg, &cfg) != 0) {
            tb_registry_free(reg);
            reg = NULL;
        }
    char last[TB_NAME_MAX] = "";
    for (size_t i = 0; reg && i < tb_registry_count(reg); i++)
        if (strncmp(tb_registry_name(reg, i), "stream/read/", 12) == 0)
            snprintf(last, sizeof last, "%s", tb_registry_name(reg, i));
    double gbps = 0.0;
    if (last[0]) {
        const char *slash = strchr(last + 12, '/');
        snprintf(size, size_len, "%.*s", slash ? (int)(slash - last - 12) : 0, last + 12);
        vr_instances l;
        memset(&l, 0, sizeof l);
        vr_instances_add(&l, 0, "%s", last);
        char *filter = l.oom ? NULL : exact_filter(&l, 0);
        tb_options opt;
        tb_options_default(&opt);
        opt.filter = filter;
        opt.repetitions = 1;
        tb_results res;
        memset(&res, 0, sizeof res);
        char err[256];
        if (filter && tb_run(reg, &opt, NULL, &res, err, sizeof err) == 0) {
            const tb_record *rec = vr_record(&res, last, "median");
            gbps = rec && !rec->error_occurred && !rec->skipped ? tb_record_counter(rec, "GB/s", 0.0) : 0.0;
        }
        tb_results_free(&res);
        free(filter);
        vr_instances_free(&l);
    }
    tb_registry_free(reg);
    return gbps;
}

/* One selected section over the run: what it declared and every record it judged, kept so that --max-time can
 * add repetitions and judge it again. */
typedef struct vr_section_run {
    const vr_section *s;
    vr_instances l;
    tb_results records;
    int rc;
} vr_section_run;

/* Declares every selected section's instances before anything runs: a section that cannot even say what it
 * needs (a --model that does not load) stops the run here, before any time is spent or any report written.
 * Returns the number of selected sections in runs[] (each with rc -1 when its declaration failed), or -1 when a
 * section that needs --model could not declare (message printed). */
static long declare_sections(const vr_options *o, vr_section_run *runs, size_t cap)
{
    size_t n_sections, n = 0;
    const vr_section *const *sections = vr_sections(&n_sections);
    for (size_t i = 0; i < n_sections && n < cap; i++) {
        if (!wants(o, sections[i]))
            continue;
        vr_section_run *sr = &runs[n++];
        sr->s = sections[i];
        sr->rc = sections[i]->instances ? sections[i]->instances(o, &sr->l) : 0;
        if (sr->rc == 0 && sr->l.oom) {
            fprintf(stderr, "tritbench validate: %s: out of memory listing its benchmarks\n", sr->s->name);
            sr->rc = -1;
        }
        if (sr->rc != 0 && sr->s->needs_model) {
            fprintf(stderr, "tritbench validate: --model %s could not be loaded (above); nothing was run\n",
                    o->model_path ? o->model_path : "");
            return -1;
        }
    }
    return (long)n;
}

static void free_runs(vr_section_run *runs, size_t n)
{
    for (size_t i = 0; runs && i < n; i++) {
        tb_results_free(&runs[i].records);
        vr_instances_free(&runs[i].l);
    }
    free(runs);
}

/* One declared section: run through the harness, judge. */
static int run_section(vr_report *r, vr_bench_ctx *b, const vr_options *o, vr_section_run *sr)
{
    if (sr->rc != 0)
        return sr->rc; /* could not declare its instances (message printed then) */
    int rc = run_instances(b, o, sr->s->name, &sr->l, 0, &sr->records);
    if (rc == 0)
        rc = sr->s->judge(r, o, &sr->records);
    return rc;
}

/* Seconds one repetition of an instance took (its iterations × time per iteration, the mean over the
 * repetitions kept), plus the harness's own overhead; 1 s when nothing says. */
static double seconds_per_repetition(const tb_results *records, const char *name)
{
    double sum = 0;
    size_t n = 0;
    for (size_t i = 0; i < records->count; i++) {
        const tb_record *rec = &records->records[i];
        if (rec->run_type == TB_RUN_ITERATION && strcmp(rec->run_name, name) == 0 && !rec->error_occurred) {
            sum += (double)rec->iterations * rec->real_time * tb_time_unit_seconds(rec->time_unit);
            n++;
        }
    }
    return n ? 1.25 * sum / (double)n + 0.02 : 1.0;
}

enum { VR_REMEASURE_MAX_ROUNDS = 8 };

static size_t inconclusive_rows(const vr_report *r, const char *section)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n_checks; i++)
        n += r->checks[i].verdict == VR_INCONCLUSIVE && strcmp(r->checks[i].section, section) == 0;
    return n;
}

static void say_why(const vr_report *r, const char *section)
{
    for (size_t i = 0; i < r->n_checks; i++) {
        const vr_check_row *c = &r->checks[i];
        if (c->verdict == VR_INCONCLUSIVE && strcmp(c->section, section) == 0)
            fprintf(stderr, "tritbench validate:   %s: %s\n", c->subject, c->why[0] ? c->why : "INCONCLUSIVE");
    }
}

/* --max-time: re-measure the instances behind INCONCLUSIVE rows, one harness run per affected group with more
 * interleaved repetitions, merge them with the first ones and judge the section again; rounds until nothing is
 * inconclusive, nothing more can be scheduled, or the budget is spent. */
static void remeasure(vr_report *r, vr_bench_ctx *b, const vr_options *o, vr_section_run *runs, size_t n_runs,
                      double budget)
{
    const double t0 = tb_clock_seconds();
    for (unsigned round = 1; round <= VR_REMEASURE_MAX_ROUNDS; round++) {
        bool ran = false;
        for (size_t k = 0; k < n_runs; k++) {
            vr_section_run *sr = &runs[k];
            if (sr->rc != 0)
                continue;
            vr_instances sub;
            memset(&sub, 0, sizeof sub);
            int reps;
            const size_t rows = vr_remeasure_plan(r, sr->s->name, &sr->l, &sub, &reps);
            const double left = budget - (tb_clock_seconds() - t0);
            double per_rep = 0;
            for (size_t i = 0; i < sub.count; i++)
                per_rep += seconds_per_repetition(&sr->records, sub.items[i].name);
            const int affordable = per_rep > 0 ? (int)(left / per_rep) : 0;
            if (rows && sub.count && affordable < 2)
                fprintf(stderr, "tritbench validate: %s: %zu INCONCLUSIVE row(s) left; %.0f s of --max-time left, "
                        "one more repetition of their %zu instances takes ~%.1f s: not re-measured\n",
                        sr->s->name, rows, left > 0 ? left : 0, sub.count, per_rep);
            if (!rows || !sub.count || sub.oom || affordable < 2) {
                vr_instances_free(&sub);
                continue;
            }
            sub.repetitions = reps < affordable ? reps : affordable;
            sub.min_time = sr->l.min_time;
            sub.n_extra_shapes = sr->l.n_extra_shapes;
            memcpy(sub.extra_shapes, sr->l.extra_shapes, sizeof sub.extra_shapes);
            fprintf(stderr, "tritbench validate: --max-time round %u: re-measuring %zu instance(s) of section %s, %d "
                    "more interleaved repetitions each (~%.0f s; %.0f s left), for %zu INCONCLUSIVE row(s):\n",
                    round, sub.count, sr->s->name, sub.repetitions, per_rep * sub.repetitions, left, rows);
            say_why(r, sr->s->name);
            tb_results fresh;
            memset(&fresh, 0, sizeof fresh);
            const double t_sec = tb_clock_seconds();
            int rc = run_instances(b, o, sr->s->name, &sub, round, &fresh);
            vr_instances_free(&sub);
            if (rc == 0 && vr_records_merge(&sr->records, &fresh) != 0) {
                fprintf(stderr, "tritbench validate: %s: out of memory merging the repetitions\n", sr->s->name);
                rc = -1;
            }
            tb_results_free(&fresh);
            if (rc != 0) { /* the first verdicts stand: the report keeps them */
                fprintf(stderr, "tritbench validate: %s: re-measuring failed; the first verdicts stand\n", sr->s->name);
                continue;
            }
            vr_report_drop_section(r, sr->s->name);
            sr->rc = sr->s->judge(r, o, &sr->records);
            for (size_t i = 0; i < r->n_sections; i++)
                if (strcmp(r->sections[i].name, sr->s->name) == 0) {
                    r->sections[i].seconds += tb_clock_seconds() - t_sec;
                    r->sections[i].rc = sr->rc;
                }
            fprintf(stderr, "tritbench validate: %s judged again: %zu INCONCLUSIVE row(s) left\n", sr->s->name,
                    inconclusive_rows(r, sr->s->name));
            ran = true;
        }
        if (!ran)
            break;
    }
}

static void default_out_dir(char *buf, size_t len)
{
    char host[256] = "host";
    if (gethostname(host, sizeof host) != 0)
        snprintf(host, sizeof host, "host");
    host[sizeof host - 1] = '\0';
    for (char *c = host; *c; c++)
        if (*c == '/' || *c == ' ')
            *c = '_';
    time_t t = time(NULL);
    struct tm tm;
    char date[32] = "unknown-date";
    if (gmtime_r(&t, &tm))
        strftime(date, sizeof date, "%Y%m%dT%H%M%SZ", &tm);
    snprintf(buf, len, "reports/out/%s-%s", date, host);
}

static void print_signoff(const vr_report *r)
{
    printf("\n%-8s %-24s %-44s %-26s %-24s %s\n", "Section", "Target", "Subject", "Threshold", "Measured [95 % CI]",
           "Verdict");
    for (size_t i = 0; i < r->n_checks; i++) {
        const vr_check_row *c = &r->checks[i];
        char m[96];
        if (c->has_interval && c->lo > 0 && isfinite(c->hi) && c->verdict != VR_NA)
            snprintf(m, sizeof m, "%s [%.3g, %.3g]", c->measured_text, c->lo, c->hi);
        else
            snprintf(m, sizeof m, "%s", c->measured_text);
        printf("%-8s %-24s %-44s %-26s %-24s %s%s%s%s\n", c->section, c->target, c->subject, c->threshold, m,
               vr_verdict_name(c->verdict), c->reason[0] ? " (" : "", c->reason, c->reason[0] ? ")" : "");
    }
    /* What failed and why, failures first, then the inconclusive rows. */
    static const vr_verdict order[] = {VR_FAIL, VR_INCONCLUSIVE};
    bool header = false;
    for (size_t k = 0; k < 2; k++)
        for (size_t i = 0; i < r->n_checks; i++) {
            const vr_check_row *c = &r->checks[i];
            if (c->verdict != order[k])
                continue;
            if (!header)
                printf("\nWhat failed and why:\n");
            header = true;
            printf("  %s %s / %s: %s\n", vr_verdict_name(c->verdict), c->section, c->subject,
                   c->why[0] ? c->why : c->reason);
        }
}

/* The sections of a run that could not be done, as "kernels, e2e" (empty when every one ran). */
static void not_done_list(const vr_report *r, char *buf, size_t len)
{
    buf[0] = '\0';
    for (size_t i = 0, used = 0; i < r->n_sections; i++) {
        if (r->sections[i].rc == 0)
            continue;
        const int n = snprintf(buf + used, len - used, "%s%s", used ? ", " : "", r->sections[i].name);
        if (n < 0 || (size_t)n >= len - used)
            break;
        used += (size_t)n;
    }
}

int vr_run(const vr_options *o, const char *command_line)
{
    char err[1024];
    char default_profile[4096];
    const char *profile_path = o->profile_path;
    if (!profile_path) {
        profile_path = tb_data_path("profiles/bitnet-phase4.json", default_profile, sizeof default_profile);
    }
    vr_profile prof;
    if (vr_profile_load(profile_path, &prof, err, sizeof err) != 0) {
        fprintf(stderr, "tritbench validate: bad profile: %s\n", err);
        return 2;
    }
    if (!profile_covers(&prof, o, err, sizeof err)) {
        fprintf(stderr, "tritbench validate: bad profile: %s\n", err);
        vr_profile_free(&prof);
        return 2;
    }
    if (o->model_path && !model_readable(o->model_path, err, sizeof err)) {
        fprintf(stderr, "tritbench validate: %s\n", err);
        vr_profile_free(&prof);
        return 2;
    }
    size_t n_sections;
    vr_sections(&n_sections);
    vr_section_run *runs = calloc(n_sections ? n_sections : 1, sizeof *runs);
    const long declared_n = runs ? declare_sections(o, runs, n_sections) : -1;
    if (declared_n < 0) {
        if (!runs)
            fprintf(stderr, "tritbench validate: out of memory\n");
        free_runs(runs, n_sections);
        vr_profile_free(&prof);
        return 2;
    }
    const size_t n_runs = (size_t)declared_n;
    char out_dir[4096];
    if (o->out_dir)
        snprintf(out_dir, sizeof out_dir, "%s", o->out_dir);
    else
        default_out_dir(out_dir, sizeof out_dir);
    if (vr_mkdirs(out_dir, err, sizeof err) != 0) {
        fprintf(stderr, "tritbench validate: --out: %s\n", err);
        free_runs(runs, n_sections);
        vr_profile_free(&prof);
        return 2;
    }
    vr_report *r = vr_report_new(&prof);
    if (!r) {
        fprintf(stderr, "tritbench validate: out of memory\n");
        free_runs(runs, n_sections);
        vr_profile_free(&prof);
        return 2;
    }
    snprintf(r->command, sizeof r->command, "%s", command_line ? command_line : "tritbench validate");
    tb_context_collect(&r->ctx);
    tb_context_add_kernel_info(&r->ctx);
    char v[128];
    tb_context_add(&r->ctx, "validate_profile", r->profile.name);
    snprintf(v, sizeof v, "%llu", o->seed);
    tb_context_add(&r->ctx, "validate_seed", v);
    snprintf(v, sizeof v, "%d", o->threads);
    tb_context_add(&r->ctx, "validate_threads", v);
    tb_context_add(&r->ctx, "validate_mode", o->quick ? "quick (smoke)" : "full");

    vr_bench_ctx bench;
    memset(&bench, 0, sizeof bench);
    const double t_all = tb_clock_seconds();
    for (size_t i = 0; i < n_runs; i++) {
        vr_section_run *sr = &runs[i];
        fprintf(stderr, "tritbench validate: section %s ...\n", sr->s->name);
        const double t0 = tb_clock_seconds();
        sr->rc = run_section(r, &bench, o, sr);
        const double took = tb_clock_seconds() - t0;
        vr_report_section_done(r, sr->s->name, sr->rc, took);
        fprintf(stderr, "tritbench validate: section %s %s in %.1f s\n", sr->s->name,
                sr->rc == 0 ? "done" : "could NOT be done", took);
    }
    const double max_time = o->max_time >= 0 ? o->max_time : o->quick ? 0.0 : VR_MAX_TIME_DEFAULT_FULL;
    if (max_time > 0 && vr_report_count(r, VR_INCONCLUSIVE) > 0)
        remeasure(r, &bench, o, runs, n_runs, max_time);
    else if (vr_report_count(r, VR_INCONCLUSIVE) > 0)
        fprintf(stderr, "tritbench validate: %zu INCONCLUSIVE row(s) not re-measured (--max-time 0)\n",
                vr_report_count(r, VR_INCONCLUSIVE));
    for (size_t i = 0; i < n_runs; i++) {
        vr_add_records(r, &runs[i].records);
        if (runs[i].rc != 0) {
            r->incomplete = true;
            vr_note(r, runs[i].s->name, "This section could not be done (the reason is on the run's stderr): the "
                    "report is INCOMPLETE, and its targets were not judged.");
        }
    }
    free_runs(runs, n_sections);
    vr_metric(r, "run", "seconds", tb_clock_seconds() - t_all);
    /* Memory bandwidth for the machine table: the stream suite's largest read instance (STREAM rules, 4× the
     * last-level cache), run through the harness like every other measurement. */
    char size[64] = "";
    const double gbps = machine_read_gbps(o, size, sizeof size);
    if (gbps > 0)
        snprintf(v, sizeof v, "%.1f GB/s (stream read, %s buffer, %d thread%s)", gbps, size, o->threads,
                 o->threads > 1 ? "s" : "");
    else
        snprintf(v, sizeof v, "could not be measured");
    tb_context_add(&r->ctx, "memory_read_bandwidth", v);
    vr_metric(r, "run", "memory_read_gbps", gbps);
    tb_registry_free(bench.reg);

    vr_render_plots(r, out_dir);
    int exit_code;
    bool wrote = true;
    if (vr_write_json(r, out_dir, err, sizeof err) != 0) {
        fprintf(stderr, "tritbench validate: %s\n", err);
        wrote = false;
    }
    if (vr_write_markdown(r, out_dir, err, sizeof err) != 0) {
        fprintf(stderr, "tritbench validate: %s\n", err);
        wrote = false;
    }
    if (vr_write_html(r, out_dir, err, sizeof err) != 0)
        fprintf(stderr, "tritbench validate: (optional HTML) %s\n", err);
    print_signoff(r);
    size_t np, nf, nn;
    vr_report_verdict(r, &np, &nf, &nn);
    printf("\nVerdict: %s — %zu passed, %zu failed, %zu inconclusive, %zu N/A. Report: %s/report.md\n",
           vr_view_verdict(r, NULL), np, nf, vr_report_count(r, VR_INCONCLUSIVE), nn, out_dir);
    if (r->incomplete) {
        char which[512];
        not_done_list(r, which, sizeof which);
        printf("INCOMPLETE: section(s) %s could not be done; their targets were not judged.\n", which);
    }
    if (r->plots_status[0])
        printf("Plots: %s\n", r->plots_status);
    /* INCONCLUSIVE does not fail the gate: only a FAIL does (1); a run that could not be done is 2. */
    exit_code = vr_exit_code(r, wrote);
    vr_report_free(r);
    return exit_code;
}
