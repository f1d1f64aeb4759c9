/* write_md.c — report.md for a person signing off. First screen: the verdict, one row per target (rows
 * counted, min–max, worst subject), then "What failed and why" (every FAIL, then every INCONCLUSIVE, one
 * sentence each). Then every sign-off row failures first, each section's notes, tables (failures first)
 * and plots, the machine context and the command that reproduces the run. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "validate/report_view.h"
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

static void summary_table(FILE *f, const vr_report *r)
{
    vr_view_target *v;
    const size_t n = vr_view_targets(r, &v);
    fputs("| Section | Target | Threshold | Rows | Measured (min – max) | Verdict | Worst subject |\n", f);
    fputs("|---|---|---|---|---|---|---|\n", f);
    for (size_t i = 0; i < n; i++) {
        const vr_view_target *t = &v[i];
        char range[120], counts[160] = "", worst[512];
        vr_view_range(t, range, sizeof range);
        vr_view_worst(r, t, worst, sizeof worst);
        size_t k = 0;
#define COUNT(n_, w_)                                                                                           \
    if ((n_) && k < sizeof counts)                                                                              \
        k += (size_t)snprintf(counts + k, sizeof counts - k, "%s%zu %s", k ? ", " : "", (size_t)(n_), w_);
        COUNT(t->fail, "**FAIL**")
        COUNT(t->inconclusive, "**INCONCLUSIVE**")
        COUNT(t->pass, "PASS")
        COUNT(t->na, "N/A")
#undef COUNT
        fputs("| ", f);
        cell(f, t->section);
        fputs(" | ", f);
        cell(f, t->target);
        fputs(" | ", f);
        cell(f, t->threshold);
        fprintf(f, " | %zu | ", t->rows);
        cell(f, range);
        fprintf(f, " | %s | ", counts);
        cell(f, worst);
        fputs(" |\n", f);
    }
    free(v);
}

/* Every FAIL, then every INCONCLUSIVE: one numbered sentence each. */
static void failures(FILE *f, const vr_report *r, const size_t *order)
{
    fputs("## What failed and why\n\n", f);
    size_t shown = 0;
    for (size_t k = 0; k < r->n_checks; k++) {
        const vr_check_row *c = &r->checks[order[k]];
        if (c->verdict != VR_FAIL && c->verdict != VR_INCONCLUSIVE)
            break;
        char why[1024];
        vr_view_why(r, c, why, sizeof why);
        fprintf(f, "%zu. **%s** %s · %s — ", ++shown, vr_verdict_name(c->verdict), c->section, c->target);
        cell(f, c->subject);
        fputs(": ", f);
        cell(f, why);
        const char *what = vr_view_first_description(r, order, k);
        if (what) {
            fputs(" _(", f);
            cell(f, c->target);
            fputs(": ", f);
            cell(f, what);
            fputs(")_", f);
        }
        fputs("\n", f);
    }
    if (!shown)
        fputs("Nothing failed and nothing is inconclusive.\n", f);
    if (r->oom)
        fputs("\n**Memory ran out while building this report; some content is missing (verdict FAIL).**\n", f);
    if (r->incomplete)
        fputs("\n**Incomplete: a selected section could not run (see its heading below); this report does not cover "
              "it.**\n",
              f);
    fputc('\n', f);
}

static void signoff_table(FILE *f, const vr_report *r, const size_t *order)
{
    fputs("| Section | Target | Subject | Threshold | Measured | Verdict | Interval | Note |\n", f);
    fputs("|---|---|---|---|---|---|---|---|\n", f);
    for (size_t k = 0; k < r->n_checks; k++) {
        const vr_check_row *c = &r->checks[order[k]];
        const char *note = c->reason;
        char buf[300], iv[128];
        if (c->verdict == VR_PASS && c->optimal) {
            snprintf(buf, sizeof buf, "optimal");
            note = buf;
        }
        vr_view_interval(r, c, iv, sizeof iv);
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
        cell(f, iv[0] ? iv : "—");
        fputs(" | ", f);
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
    size_t *order = t->n_rows ? malloc(t->n_rows * sizeof *order) : NULL;
    if (order)
        vr_view_table_order(t, order);
    for (size_t k = 0; k < t->n_rows; k++) {
        const size_t row = order ? order[k] : k;
        fputc('|', f);
        for (size_t c = 0; c < t->n_cols; c++) {
            fputc(' ', f);
            cell(f, t->cells[row * t->n_cols + c]);
            fputs(" |", f);
        }
        fputc('\n', f);
    }
    free(order);
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

static void md_row(void *out, const char *key, const char *value)
{
    FILE *f = out;
    fputs("| ", f);
    cell(f, key);
    fputs(" | ", f);
    cell(f, value);
    fputs(" |\n", f);
}

static void context(FILE *f, const tb_context *c)
{
    fputs("## Machine\n\n| Key | Value |\n|---|---|\n", f);
    vr_view_context(c, md_row, f);
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
    vr_view_counts n;
    const char *verdict = vr_view_verdict(r, &n);
    size_t *order = malloc((r->n_checks ? r->n_checks : 1) * sizeof *order);
    if (!order) {
        tb_atomic_abort(&af);
        snprintf(err, err_len, "out of memory writing report.md");
        return -1;
    }
    vr_view_order(r, order);
    fprintf(f, "# tritbench validation report\n\n");
    fprintf(f, "> ## Verdict: %s%s\n>\n> **%zu failed**, %zu inconclusive, %zu passed, %zu N/A (%zu checks). "
               "Profile: %s (%s).\n\n",
            verdict, r->incomplete ? " (INCOMPLETE)" : "", n.fail, n.inconclusive, n.pass, n.na, n.total,
            r->profile.name, r->profile.path);
    fputs("## Summary by target\n\n", f);
    summary_table(f, r);
    fputs("\nRows: sign-off rows counted for the target; measured min–max over the rows that were measured; worst "
          "subject: the row furthest past (or closest to) the threshold.\n\n",
          f);
    failures(f, r, order);
    fputs("## Sign-off\n\nEvery row, failures first (FAIL, INCONCLUSIVE, PASS, N/A).\n\n", f);
    signoff_table(f, r, order);
    free(order);
    fputs("\nN/A rows were not measurable here (the note says why); they neither pass nor fail the run. "
          "INCONCLUSIVE rows' intervals straddle the threshold: they do not fail the run. "
          "\"optimal\" marks a pass that also meets the profile's stretch goal.\n\n",
          f);
    fputs("## Sections\n\n", f);
    const char *names[64];
    const size_t n_names = vr_report_section_names(r, names, 64);
    for (size_t i = 0; i < n_names; i++)
        section(f, r, names[i]);
    if (r->plots_status[0])
        fprintf(f, "_Plots: %s._\n\n", r->plots_status);
    context(f, &r->ctx);
    fprintf(f, "## Reproduce\n\n```sh\n%s\n```\n\nFull data: results.json (benchmarks in google/benchmark's schema: "
               "`tritbench compare old/results.json new/results.json`).\n",
            r->command);
    return tb_atomic_commit(&af, err, err_len);
}
