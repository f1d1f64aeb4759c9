/* report_console.c — the human table, laid out like google/benchmark's ConsoleReporter. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tritbench/reporters.h"

static void print_size(FILE *out, long long bytes)
{
    if (bytes >= 1024LL * 1024 && bytes % (1024LL * 1024) == 0)
        fprintf(out, "%lld MiB", bytes / (1024LL * 1024));
    else
        fprintf(out, "%lld KiB", bytes / 1024);
}

void tb_console_context(FILE *out, const tb_context *ctx)
{
    fprintf(out, "%s\n", ctx->date);
    fprintf(out, "Running %s\n", ctx->executable);
    fprintf(out, "Run on (%d X %.0f MHz CPU%s)%s%s\n", ctx->num_cpus, ctx->mhz_per_cpu, ctx->num_cpus > 1 ? " s" : "",
            ctx->cpu_model[0] ? " " : "", ctx->cpu_model);
    if (ctx->n_caches > 0) {
        fprintf(out, "CPU Caches:\n");
        for (int i = 0; i < ctx->n_caches; i++) {
            const tb_cache_info *c = &ctx->caches[i];
            fprintf(out, "  L%d %s ", c->level, c->type);
            print_size(out, c->size);
            if (c->num_sharing > 0)
                fprintf(out, " (x%d)", ctx->num_cpus / c->num_sharing > 0 ? ctx->num_cpus / c->num_sharing : 1);
            fputc('\n', out);
        }
    }
    fprintf(out, "Load Average: %.2f, %.2f, %.2f\n", ctx->load_avg[0], ctx->load_avg[1], ctx->load_avg[2]);
    fprintf(out, "Topology: %s\n", ctx->topology);
    fprintf(out, "Hardware counters: %s\n", ctx->perf_counters);
    for (int i = 0; i < ctx->n_extras; i++)
        fprintf(out, "%s: %s\n", ctx->extra_keys[i], ctx->extra_values[i]);
    if (ctx->cpu_scaling_enabled)
        fprintf(out, "***WARNING*** CPU scaling is enabled, the benchmark real time measurements may be noisy and "
                     "will incur extra overhead.\n");
    if (strcmp(ctx->library_build_type, "debug") == 0)
        fprintf(out, "***WARNING*** Library was built as DEBUG. Timings may be affected.\n");
    if (!ctx->have_papi)
        fprintf(out, "***WARNING*** no hardware counters: %s\n", ctx->perf_counters);
    if (ctx->missing[0])
        fprintf(out, "***WARNING*** built without: %s\n", ctx->missing);
}

int tb_console_name_width(const char *const *names, size_t n)
{
    int w = 10;
    for (size_t i = 0; i < n; i++) {
        int len = (int)strlen(names[i]) + 7; /* "_median" */
        w = len > w ? len : w;
    }
    return w;
}

static void rule(FILE *out, int len)
{
    for (int i = 0; i < len; i++)
        fputc('-', out);
    fputc('\n', out);
}

void tb_console_header(FILE *out, int name_width)
{
    rule(out, name_width + 48);
    fprintf(out, "%-*s %13s %15s %12s UserCounters...\n", name_width, "Benchmark", "Time", "CPU", "Iterations");
    rule(out, name_width + 48);
}

/* google's HumanReadableNumber: 1000-based suffixes. */
static void human(char *buf, size_t len, double v)
{
    static const char *const suffix[] = {"", "k", "M", "G", "T", "P"};
    int s = 0;
    double a = fabs(v);
    while (a >= 1000.0 && s < 5) {
        a /= 1000.0;
        v /= 1000.0;
        s++;
    }
    snprintf(buf, len, "%.4g%s", v, suffix[s]);
}

/* ANSI colours as google's ConsoleReporter uses them; "" when colour is off. */
enum { C_RESET, C_GREEN, C_YELLOW, C_CYAN, C_RED };
static const char *paint(const tb_console *c, int which)
{
    static const char *const codes[] = {"\033[m", "\033[32m", "\033[33m", "\033[36m", "\033[31m"};
    return c->color ? codes[which] : "";
}

static int column_width(const char *name)
{
    int n = (int)strlen(name);
    return n > 10 ? n : 10;
}

static void counter_text(char *v, size_t len, const tb_record *r, int i, bool pct)
{
    const char *name = r->counters[i].name;
    bool rate = strcmp(name, "bytes_per_second") == 0 || strcmp(name, "items_per_second") == 0;
    if (pct) {
        snprintf(v, len, "%.2f%%", 100.0 * r->counters[i].value);
    } else {
        human(v, len - 2, r->counters[i].value);
        if (rate)
            strcat(v, "/s");
    }
}

/* Tabular: the header names this row's counters; printed again when they change (as google's). */
static void tabular_header(tb_console *c, const tb_record *r)
{
    bool same = c->header_done && c->n_columns == r->n_counters;
    for (int i = 0; same && i < r->n_counters; i++)
        same = strcmp(c->columns[i], r->counters[i].name) == 0;
    if (same)
        return;
    int width = c->name_width + 48;
    for (int i = 0; i < r->n_counters; i++)
        width += 1 + column_width(r->counters[i].name);
    if (c->header_done)
        fputc('\n', c->out);
    rule(c->out, width);
    fprintf(c->out, "%-*s %13s %15s %12s", c->name_width, "Benchmark", "Time", "CPU", "Iterations");
    c->n_columns = r->n_counters;
    for (int i = 0; i < r->n_counters; i++) {
        snprintf(c->columns[i], sizeof c->columns[i], "%s", r->counters[i].name);
        fprintf(c->out, " %*s", column_width(c->columns[i]), c->columns[i]);
    }
    fputc('\n', c->out);
    rule(c->out, width);
    c->header_done = true;
}

void tb_console_begin(tb_console *c, FILE *out, int name_width, bool color, bool tabular)
{
    memset(c, 0, sizeof *c);
    c->out = out;
    c->name_width = name_width;
    c->color = color;
    c->tabular = tabular;
    if (!tabular) {
        tb_console_header(out, name_width);
        c->header_done = true;
    }
}

void tb_console_row(tb_console *c, const tb_record *r)
{
    FILE *out = c->out;
    bool plain = r->error_occurred || r->skipped;
    if (c->tabular && !plain)
        tabular_header(c, r);
    fprintf(out, "%s%-*s%s ", paint(c, C_GREEN), c->name_width, r->name, paint(c, C_RESET));
    if (r->error_occurred) {
        fprintf(out, "%sERROR OCCURRED: '%s'%s\n", paint(c, C_RED), r->error_message, paint(c, C_RESET));
        return;
    }
    if (r->skipped) {
        fprintf(out, "SKIPPED: '%s'\n", r->skip_message);
        return;
    }
    const char *unit = tb_time_unit_name(r->time_unit);
    bool pct = strcmp(r->aggregate_unit, "percentage") == 0;
    if (pct)
        fprintf(out, "%s%10.2f %%   %12.2f %%%s %12s", paint(c, C_YELLOW), 100.0 * r->real_time, 100.0 * r->cpu_time,
                paint(c, C_RESET), "");
    else
        fprintf(out, "%s%10.3g %-2s %12.3g %-2s%s %s%12lld%s", paint(c, C_YELLOW), r->real_time, unit, r->cpu_time,
                unit, paint(c, C_RESET), paint(c, C_CYAN), (long long)r->iterations, paint(c, C_RESET));
    for (int i = 0; i < r->n_counters; i++) {
        char v[40];
        counter_text(v, sizeof v, r, i, pct);
        if (c->tabular)
            fprintf(out, " %*s", column_width(r->counters[i].name), v);
        else
            fprintf(out, " %s=%s", r->counters[i].name, v);
    }
    if (r->label[0])
        fprintf(out, " %s", r->label);
    fputc('\n', out);
}

void tb_console_record(FILE *out, const tb_record *r, int name_width)
{
    tb_console c;
    memset(&c, 0, sizeof c);
    c.out = out;
    c.name_width = name_width;
    tb_console_row(&c, r);
}

static void clock_text(char *buf, size_t len, double s)
{
    long t = s > 0.0 && s < 1e9 ? (long)(s + 0.5) : 0;
    if (t >= 3600)
        snprintf(buf, len, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(buf, len, "%ld:%02ld", t / 60, t % 60);
}

void tb_console_progress(char *buf, size_t len, const tb_progress *p)
{
    char el[32], left[48] = "";
    clock_text(el, sizeof el, p->elapsed);
    if (p->done > 0 && p->done < p->total) {
        char t[32];
        clock_text(t, sizeof t, p->elapsed / (double)p->done * (double)(p->total - p->done));
        snprintf(left, sizeof left, ", ~%s left", t);
    }
    int w = snprintf(NULL, 0, "%zu", p->total);
    snprintf(buf, len, "[%*zu/%zu] %s elapsed%s%s%s", w, p->done, p->total, el, left, p->next ? "  " : "",
             p->next ? p->next : "");
}
