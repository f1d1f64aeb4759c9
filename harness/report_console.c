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

void tb_console_header(FILE *out, int name_width)
{
    char rule[512];
    int len = name_width + 48;
    if (len >= (int)sizeof rule)
        len = (int)sizeof rule - 1;
    memset(rule, '-', (size_t)len);
    rule[len] = '\0';
    fprintf(out, "%s\n%-*s %13s %15s %12s UserCounters...\n%s\n", rule, name_width, "Benchmark", "Time", "CPU",
            "Iterations", rule);
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

void tb_console_record(FILE *out, const tb_record *r, int name_width)
{
    fprintf(out, "%-*s ", name_width, r->name);
    if (r->error_occurred) {
        fprintf(out, "ERROR OCCURRED: '%s'\n", r->error_message);
        return;
    }
    if (r->skipped) {
        fprintf(out, "SKIPPED: '%s'\n", r->skip_message);
        return;
    }
    const char *unit = tb_time_unit_name(r->time_unit);
    bool pct = strcmp(r->aggregate_unit, "percentage") == 0;
    if (pct)
        fprintf(out, "%10.2f %%   %12.2f %% %12s", 100.0 * r->real_time, 100.0 * r->cpu_time, "");
    else
        fprintf(out, "%10.3g %-2s %12.3g %-2s %12lld", r->real_time, unit, r->cpu_time, unit, (long long)r->iterations);
    for (int i = 0; i < r->n_counters; i++) {
        char v[32];
        const char *name = r->counters[i].name;
        bool rate = strcmp(name, "bytes_per_second") == 0 || strcmp(name, "items_per_second") == 0;
        if (pct)
            snprintf(v, sizeof v, "%.2f%%", 100.0 * r->counters[i].value);
        else
            human(v, sizeof v, r->counters[i].value);
        fprintf(out, " %s=%s%s", name, v, rate && !pct ? "/s" : "");
    }
    if (r->label[0])
        fprintf(out, " %s", r->label);
    fputc('\n', out);
}
