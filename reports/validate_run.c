/* validate_run.c — one `tritbench validate` run: load the profile, prepare the output directory, run the
 * selected sections, write report.md / results.json / plots, print the sign-off, pick the exit code. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "harness/data_path.h"
#include "reports/vr_internal.h"
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

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static bool wants(const vr_options *o, const char *section)
{
    return !o->suite || strcmp(o->suite, "all") == 0 || strcmp(o->suite, section) == 0;
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
    printf("\n%-8s %-24s %-44s %-26s %-14s %s\n", "Section", "Target", "Subject", "Threshold", "Measured", "Verdict");
    for (size_t i = 0; i < r->n_checks; i++) {
        const vr_check_row *c = &r->checks[i];
        printf("%-8s %-24s %-44s %-26s %-14s %s%s%s%s\n", c->section, c->target, c->subject, c->threshold,
               c->measured_text, vr_verdict_name(c->verdict), c->reason[0] ? " (" : "", c->reason,
               c->reason[0] ? ")" : "");
    }
}

typedef int (*section_fn)(vr_report *, const vr_options *);

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
    char out_dir[4096];
    if (o->out_dir)
        snprintf(out_dir, sizeof out_dir, "%s", o->out_dir);
    else
        default_out_dir(out_dir, sizeof out_dir);
    if (vr_mkdirs(out_dir, err, sizeof err) != 0) {
        fprintf(stderr, "tritbench validate: --out: %s\n", err);
        vr_profile_free(&prof);
        return 2;
    }
    vr_report *r = vr_report_new(&prof);
    if (!r) {
        fprintf(stderr, "tritbench validate: out of memory\n");
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

    static const struct {
        const char *name;
        section_fn fn;
    } sections[] = {
        {"kernels", vr_section_kernels}, {"accuracy", vr_section_accuracy}, {"model", vr_section_model},
        {"e2e", vr_section_e2e},         {"cuda", vr_section_cuda},
    };
    bool could_not = false;
    const double t_all = now_s();
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
        if (!wants(o, sections[i].name))
            continue;
        if (strcmp(sections[i].name, "model") == 0 && !o->model_path)
            continue; /* only with --model */
        fprintf(stderr, "tritbench validate: section %s ...\n", sections[i].name);
        const double t0 = now_s();
        int rc = sections[i].fn(r, o);
        vr_report_section_done(r, sections[i].name, rc, now_s() - t0);
        fprintf(stderr, "tritbench validate: section %s %s in %.1f s\n", sections[i].name,
                rc == 0 ? "done" : "could NOT be done", now_s() - t0);
        if (rc != 0)
            could_not = true;
    }
    vr_metric(r, "run", "seconds", now_s() - t_all);
    /* Memory bandwidth for the machine table: STREAM rules, a buffer of 4× the last-level cache. */
    long long llc = tb_context_llc_bytes(&r->ctx);
    size_t bw_bytes = llc > 0 ? (size_t)llc * 4 : (size_t)256 << 20;
    if (bw_bytes < ((size_t)64 << 20))
        bw_bytes = (size_t)64 << 20;
    const double gbps = tb_stream_read_gbps(bw_bytes, o->threads > 0 ? o->threads : 1);
    if (gbps > 0)
        snprintf(v, sizeof v, "%.1f GB/s (stream read, %zu MiB buffer, %d thread%s)", gbps, bw_bytes >> 20,
                 o->threads, o->threads > 1 ? "s" : "");
    else
        snprintf(v, sizeof v, "could not be measured");
    tb_context_add(&r->ctx, "memory_read_bandwidth", v);
    vr_metric(r, "run", "memory_read_gbps", gbps);

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
    vr_verdict verdict = vr_report_verdict(r, &np, &nf, &nn);
    printf("\nVerdict: %s — %zu passed, %zu failed, %zu N/A. Report: %s/report.md\n", vr_verdict_name(verdict), np, nf,
           nn, out_dir);
    if (r->plots_status[0])
        printf("Plots: %s\n", r->plots_status);
    if (could_not || !wrote)
        exit_code = 2;
    else
        exit_code = verdict == VR_FAIL ? 1 : 0;
    vr_report_free(r);
    return exit_code;
}
