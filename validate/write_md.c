/* write_md.c — report.md: the sign-off table first, then each section's notes, tables and plots, the
 * machine context and the command that reproduces the run. */
#include <stdio.h>
#include <string.h>

#include "validate/vr_internal.h"
#include "tritbench/atomic_file.h"

/* Table cells must not break the Markdown row: escape '|' and flatten newlines. */
static void cell(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '|')
            fputs("\\|", f);
        else if (*s == '\n' || *s == '\r')
            fputc(' ', f);
        else
            fputc(*s, f);
    }
}

static void signoff_table(FILE *f, const vr_report *r)
{
    fputs("| Section | Target | Subject | Threshold | Measured | Verdict | Note |\n", f);
    fputs("|---|---|---|---|---|---|---|\n", f);
    for (size_t i = 0; i < r->n_checks; i++) {
        const vr_check_row *c = &r->checks[i];
        const char *note = c->reason;
        char buf[300];
        if (c->verdict == VR_PASS && c->optimal) {
            snprintf(buf, sizeof buf, "optimal");
            note = buf;
        }
        fputs("| ", f);
        cell(f, c->section);
        fputs(" | ", f);
        cell(f, c->target);
        fputs(" | ", f);
        cell(f, c->subject);
        fputs(" | ", f);
        cell(f, c->threshold);
        fputs(" | ", f);
        cell(f, c->measured_text);
        fprintf(f, " | **%s** | ", vr_verdict_name(c->verdict));
        cell(f, note);
        fputs(" |\n", f);
    }
}

static void table(FILE *f, const vr_table *t)
{
    if (t->n_cols == 0)
        return;
    fprintf(f, "#### %s\n\n|", t->title);
    for (size_t c = 0; c < t->n_cols; c++) {
        fputc(' ', f);
        cell(f, t->headers[c]);
        fputs(" |", f);
    }
    fputs("\n|", f);
    for (size_t c = 0; c < t->n_cols; c++)
        fputs("---|", f);
    fputc('\n', f);
    for (size_t row = 0; row < t->n_rows; row++) {
        fputc('|', f);
        for (size_t c = 0; c < t->n_cols; c++) {
            fputc(' ', f);
            cell(f, t->cells[row * t->n_cols + c]);
            fputs(" |", f);
        }
        fputc('\n', f);
    }
    fputc('\n', f);
}

static void section(FILE *f, const vr_report *r, const char *name)
{
    fprintf(f, "### %s\n\n", name);
    for (size_t i = 0; i < r->n_sections; i++)
        if (strcmp(r->sections[i].name, name) == 0)
            fprintf(f, "_%s in %.1f s._\n\n", r->sections[i].rc == 0 ? "Ran" : "Could NOT be done; failed",
                    r->sections[i].seconds);
    for (size_t i = 0; i < r->n_notes; i++)
        if (strcmp(r->notes[i].section, name) == 0)
            fprintf(f, "%s\n\n", r->notes[i].text);
    for (size_t i = 0; i < r->n_tables; i++)
        if (strcmp(r->tables[i]->section, name) == 0)
            table(f, r->tables[i]);
    for (size_t i = 0; i < r->n_plots; i++) {
        const vr_plot_item *p = &r->plots[i];
        if (strcmp(p->section, name) != 0)
            continue;
        if (p->rendered)
            fprintf(f, "![%s](plots/%s.png)\n\n([SVG](plots/%s.svg), data: [plots/%s.tsv](plots/%s.tsv))\n\n", p->title,
                    p->name, p->name, p->name, p->name);
        else
            fprintf(f, "_Plot \"%s\" not rendered: %s. Data: [plots/%s.tsv](plots/%s.tsv), script: plots/%s.gp._\n\n",
                    p->title, p->status, p->name, p->name, p->name);
    }
}

static void context(FILE *f, const tb_context *c)
{
    fputs("## Machine\n\n| Key | Value |\n|---|---|\n", f);
#define KV(k, fmt, v)                                                                                           \
    do {                                                                                                        \
        char b_[1100];                                                                                          \
        snprintf(b_, sizeof b_, fmt, v);                                                                        \
        fputs("| " k " | ", f);                                                                                 \
        cell(f, b_);                                                                                            \
        fputs(" |\n", f);                                                                                       \
    } while (0)
    KV("date", "%s", c->date);
    KV("host", "%s", c->host_name);
    KV("CPU", "%s", c->cpu_model);
    KV("CPUs", "%d", c->num_cpus);
    KV("MHz per CPU", "%.0f", c->mhz_per_cpu);
    KV("CPU scaling", "%s", c->cpu_scaling_enabled ? "enabled (timings are noisier)" : "disabled");
    for (int i = 0; i < c->n_caches && i < 16; i++) {
        char b[128];
        snprintf(b, sizeof b, "L%d %s %lld KiB (shared by %d)", c->caches[i].level, c->caches[i].type,
                 c->caches[i].size / 1024, c->caches[i].num_sharing);
        KV("cache", "%s", b);
    }
    KV("load average", "%.2f", c->load_avg[0]);
    KV("topology", "%s", c->topology);
    KV("hardware counters", "%s", c->perf_counters);
    KV("compiler", "%s", c->compiler);
    KV("flags", "%s", c->cflags);
    KV("build type", "%s", c->library_build_type);
    KV("tritbench version", "%s", c->library_version);
    KV("git commit", "%s", c->git_commit);
    KV("built without", "%s", c->missing[0] ? c->missing : "nothing");
    for (int i = 0; i < c->n_extras && i < TB_CONTEXT_MAX_EXTRAS; i++) {
        fputs("| ", f);
        cell(f, c->extra_keys[i]);
        fputs(" | ", f);
        cell(f, c->extra_values[i]);
        fputs(" |\n", f);
    }
#undef KV
    fputc('\n', f);
}

int vr_write_markdown(vr_report *r, const char *dir, char *err, size_t err_len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/report.md", dir);
    tb_atomic_file af;
    if (tb_atomic_open(&af, path, err, err_len) != 0)
        return -1;
    FILE *f = af.fp;
    size_t np, nf, nn;
    vr_verdict v = vr_report_verdict(r, &np, &nf, &nn);
    fprintf(f, "# tritbench validation report\n\n");
    fprintf(f, "**Verdict: %s** — %zu passed, %zu failed, %zu N/A. Profile: %s (%s).\n\n", vr_verdict_name(v), np, nf,
            nn, r->profile.name, r->profile.path);
    if (r->oom)
        fputs("**Warning: memory ran out while building this report; some content is missing (verdict FAIL).**\n\n", f);
    fputs("## Sign-off\n\n", f);
    signoff_table(f, r);
    fputs("\nN/A rows were not measurable here (the note says why); they neither pass nor fail the run. "
          "\"optimal\" marks a pass that also meets the profile's stretch goal.\n\n",
          f);
    fputs("## Sections\n\n", f);
    const char *names[64];
    size_t n = vr_report_section_names(r, names, 64);
    for (size_t i = 0; i < n; i++)
        section(f, r, names[i]);
    if (r->plots_status[0])
        fprintf(f, "_Plots: %s._\n\n", r->plots_status);
    context(f, &r->ctx);
    fprintf(f, "## Reproduce\n\n```sh\n%s\n```\n\nFull data: results.json (benchmarks in google/benchmark's schema: "
               "`tritbench compare old/results.json new/results.json`).\n",
            r->command);
    return tb_atomic_commit(&af, err, err_len);
}
