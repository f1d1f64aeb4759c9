/* write_html.c — report.html, one self-contained file (SVG plots inlined, no external assets) for a person
 * signing off: a coloured verdict banner, a table of contents with an anchor for every section, table and
 * plot, the per-target summary, "What failed and why", every sign-off row failures first, then the sections
 * (tables failures first). Verdict cells are coloured by verdict. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "validate/report_view.h"
#include "validate/vr_internal.h"
#include "tritbench/atomic_file.h"

static void esc(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
        }
    }
}

/* An id from a name: [A-Za-z0-9_-] kept, anything else '-'. */
static void put_id(FILE *f, const char *prefix, const char *name)
{
    fputs(prefix, f);
    for (const char *c = name; c && *c; c++) {
        const int ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
                       *c == '-' || *c == '_';
        fputc(ok ? *c : '-', f);
    }
}

/* Copies an SVG file into the page; an SVG over 8 MiB is cut there (the PNG beside it is whole). */
static void inline_svg(FILE *f, const char *dir, const vr_plot_item *p)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/plots/%s.svg", dir, p->name);
    fputs("<figure class=\"plot\" id=\"", f);
    put_id(f, "plot-", p->name);
    fputs("\">", f);
    FILE *in = fopen(path, "rb");
    if (!in) {
        fputs("<p><em>plot missing: ", f);
        esc(f, p->name);
        fputs("</em></p>", f);
    } else {
        char buf[8192];
        size_t n, total = 0;
        while ((n = fread(buf, 1, sizeof buf, in)) > 0 && total < (8u << 20)) {
            /* Skip the XML declaration and DOCTYPE: they are invalid inside HTML. */
            char *start = buf;
            if (total == 0) {
                char *svg = strstr(buf, "<svg");
                if (svg && (size_t)(svg - buf) < n)
                    start = svg;
            }
            fwrite(start, 1, n - (size_t)(start - buf), f);
            total += n;
        }
        fclose(in);
    }
    fputs("<figcaption>", f);
    esc(f, p->title);
    fprintf(f, " — <a href=\"plots/%s.png\">PNG</a>, <a href=\"plots/%s.tsv\">data</a></figcaption></figure>\n",
            p->name, p->name);
}

/* The class of a Verdict cell of a section table ("FAIL", "PASS (info)", or a reason). */
static const char *cell_class(const char *s)
{
    const bool info = s && strstr(s, "(info)");
    if (!s)
        return "na";
    if (strncmp(s, "FAIL", 4) == 0)
        return info ? "fail info" : "fail";
    if (strncmp(s, "INCONCLUSIVE", 12) == 0)
        return info ? "inconclusive info" : "inconclusive";
    if (strncmp(s, "PASS", 4) == 0)
        return info ? "pass info" : "pass";
    return "na";
}

static void html_table(FILE *f, const vr_table *t, size_t index)
{
    fprintf(f, "<h4 id=\"table-%zu\">", index);
    esc(f, t->title);
    fputs("</h4>\n<table><tr>", f);
    size_t vcol = SIZE_MAX;
    for (size_t c = 0; c < t->n_cols; c++) {
        if (strcmp(t->headers[c], "Verdict") == 0)
            vcol = c;
        fputs("<th>", f);
        esc(f, t->headers[c]);
        fputs("</th>", f);
    }
    fputs("</tr>\n", f);
    size_t *order = t->n_rows ? malloc(t->n_rows * sizeof *order) : NULL;
    if (order)
        vr_view_table_order(t, order);
    for (size_t k = 0; k < t->n_rows; k++) {
        const size_t r = order ? order[k] : k;
        fputs("<tr>", f);
        for (size_t c = 0; c < t->n_cols; c++) {
            const char *s = t->cells[r * t->n_cols + c];
            if (c == vcol)
                fprintf(f, "<td class=\"v %s\">", cell_class(s));
            else
                fputs("<td>", f);
            esc(f, s);
            fputs("</td>", f);
        }
        fputs("</tr>\n", f);
    }
    free(order);
    fputs("</table>\n", f);
}

static void verdict_cell(FILE *f, vr_verdict v)
{
    fprintf(f, "<td class=\"v %s\">%s</td>", vr_view_class(v), vr_verdict_name(v));
}

static void summary(FILE *f, const vr_report *r)
{
    vr_view_target *v;
    const size_t n = vr_view_targets(r, &v);
    fputs("<h2 id=\"summary\">Summary by target</h2>\n<table class=\"wide\"><tr><th>Section</th><th>Target</th><th>Threshold</th>"
          "<th>Rows</th><th>Measured (min – max)</th><th>Verdict</th><th>Counts</th><th>Worst subject</th></tr>\n",
          f);
    for (size_t i = 0; i < n; i++) {
        const vr_view_target *t = &v[i];
        char range[120], worst[512];
        vr_view_range(t, range, sizeof range);
        const bool muted = vr_view_worst(r, t, worst, sizeof worst);
        fputs("<tr><td>", f);
        esc(f, t->section);
        fputs("</td><td>", f);
        esc(f, t->target);
        fputs("</td><td class=\"nw\">", f);
        esc(f, t->threshold);
        fprintf(f, "</td><td class=\"num\">%zu</td><td class=\"nw\">", t->rows);
        esc(f, range);
        fputs("</td>", f);
        verdict_cell(f, t->verdict);
        fputs("<td>", f);
        const char *sep = "";
        if (t->fail) {
            fprintf(f, "%s<span class=\"c fail\">%zu FAIL</span>", sep, t->fail);
            sep = " ";
        }
        if (t->inconclusive) {
            fprintf(f, "%s<span class=\"c inconclusive\">%zu INCONCLUSIVE</span>", sep, t->inconclusive);
            sep = " ";
        }
        if (t->pass) {
            fprintf(f, "%s%zu PASS", sep, t->pass);
            sep = ", ";
        }
        if (t->na)
            fprintf(f, "%s%zu N/A", sep, t->na);
        fputs("</td><td>", f);
        fputs(muted ? "<span class=\"muted\">" : "", f);
        esc(f, worst);
        fputs(muted ? "</span>" : "", f);
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
    free(v);
}

static void failures(FILE *f, const vr_report *r, const size_t *order)
{
    fputs("<h2 id=\"failures\">What failed and why</h2>\n", f);
    size_t shown = 0;
    for (size_t k = 0; k < r->n_checks; k++) {
        const vr_check_row *c = &r->checks[order[k]];
        if (c->verdict != VR_FAIL && c->verdict != VR_INCONCLUSIVE)
            break;
        if (!shown++)
            fputs("<ol class=\"why\">\n", f);
        char why[1024];
        vr_view_why(r, c, why, sizeof why);
        fprintf(f, "<li class=\"%s\"><span class=\"tag %s\">%s</span> <b>", vr_view_class(c->verdict),
                vr_view_class(c->verdict), vr_verdict_name(c->verdict));
        esc(f, c->section);
        fputs(" · ", f);
        esc(f, c->target);
        fputs("</b> — ", f);
        esc(f, c->subject);
        fputs(": ", f);
        esc(f, why);
        const char *what = vr_view_first_description(r, order, k);
        if (what) {
            fputs(" <span class=\"muted\">(", f);
            esc(f, c->target);
            fputs(": ", f);
            esc(f, what);
            fputs(")</span>", f);
        }
        fputs("</li>\n", f);
    }
    if (shown)
        fputs("</ol>\n", f);
    else
        fputs("<p>Nothing failed and nothing is inconclusive.</p>\n", f);
}

static void signoff(FILE *f, const vr_report *r, const size_t *order)
{
    fputs("<h2 id=\"signoff\">Sign-off: every row, failures first</h2>\n<table class=\"wide\"><tr><th>Section</th><th>Target</th>"
          "<th>Subject</th><th>Threshold</th><th>Measured</th><th>Interval</th><th>Verdict</th><th>Note</th></tr>\n",
          f);
    for (size_t k = 0; k < r->n_checks; k++) {
        const vr_check_row *c = &r->checks[order[k]];
        char iv[128];
        vr_view_interval(r, c, iv, sizeof iv);
        fputs("<tr><td>", f);
        esc(f, c->section);
        fputs("</td><td>", f);
        esc(f, c->target);
        fputs("</td><td>", f);
        esc(f, c->subject);
        fputs("</td><td class=\"nw\">", f);
        esc(f, c->threshold);
        fputs("</td><td class=\"num nw\">", f);
        esc(f, c->measured_text);
        fputs("</td><td>", f);
        esc(f, iv[0] ? iv : "—");
        fputs("</td>", f);
        verdict_cell(f, c->verdict);
        fputs("<td>", f);
        esc(f, c->verdict == VR_PASS && c->optimal ? "optimal" : c->reason);
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
}

static void toc(FILE *f, const vr_report *r, const char *const *names, size_t n_names)
{
    fputs("<nav id=\"toc\"><b>Contents</b><ol><li><a href=\"#summary\">Summary by target</a></li>"
          "<li><a href=\"#failures\">What failed and why</a></li><li><a href=\"#signoff\">Sign-off (every row)</a>"
          "</li>\n",
          f);
    for (size_t s = 0; s < n_names; s++) {
        fputs("<li><a href=\"#", f);
        put_id(f, "sec-", names[s]);
        fputs("\">Section ", f);
        esc(f, names[s]);
        fputs("</a><ul>", f);
        for (size_t i = 0; i < r->n_tables; i++)
            if (strcmp(r->tables[i]->section, names[s]) == 0) {
                fprintf(f, "<li><a href=\"#table-%zu\">", i);
                esc(f, r->tables[i]->title);
                fputs("</a></li>", f);
            }
        for (size_t i = 0; i < r->n_plots; i++)
            if (strcmp(r->plots[i].section, names[s]) == 0 && r->plots[i].rendered) {
                fputs("<li class=\"plotlink\"><a href=\"#", f);
                put_id(f, "plot-", r->plots[i].name);
                fputs("\">Plot: ", f);
                /* the plot's name without its section prefix: the full title is under the plot */
                const char *pn = r->plots[i].name;
                const size_t sl = strlen(names[s]);
                esc(f, strncmp(pn, names[s], sl) == 0 && pn[sl] == '_' ? pn + sl + 1 : pn);
                fputs("</a></li>", f);
            }
        fputs("</ul></li>\n", f);
    }
    fputs("<li><a href=\"#machine\">Machine</a></li><li><a href=\"#reproduce\">Reproduce</a></li></ol></nav>\n", f);
}

static void section(FILE *f, const vr_report *r, const char *dir, const char *name)
{
    fputs("<h2 id=\"", f);
    put_id(f, "sec-", name);
    fputs("\">Section ", f);
    esc(f, name);
    fputs("</h2>\n", f);
    for (size_t i = 0; i < r->n_sections; i++)
        if (strcmp(r->sections[i].name, name) == 0)
            fprintf(f, "<p class=\"ran%s\">%s in %.1f s.</p>\n", r->sections[i].rc == 0 ? "" : " fail",
                    r->sections[i].rc == 0 ? "Ran" : "Could NOT be done; failed", r->sections[i].seconds);
    for (size_t i = 0; i < r->n_notes; i++)
        if (strcmp(r->notes[i].section, name) == 0) {
            fputs("<p>", f);
            esc(f, r->notes[i].text);
            fputs("</p>\n", f);
        }
    for (size_t i = 0; i < r->n_plots; i++)
        if (strcmp(r->plots[i].section, name) == 0) {
            if (r->plots[i].rendered) {
                inline_svg(f, dir, &r->plots[i]);
            } else {
                fputs("<p><em>Plot \"", f);
                esc(f, r->plots[i].title);
                fputs("\" not rendered: ", f);
                esc(f, r->plots[i].status);
                fputs("</em></p>\n", f);
            }
        }
    for (size_t i = 0; i < r->n_tables; i++)
        if (strcmp(r->tables[i]->section, name) == 0)
            html_table(f, r->tables[i], i);
}

static void html_row(void *out, const char *key, const char *value)
{
    FILE *f = out;
    fputs("<tr><th>", f);
    esc(f, key);
    fputs("</th><td>", f);
    esc(f, value);
    fputs("</td></tr>\n", f);
}

static void machine(FILE *f, const tb_context *c)
{
    fputs("<h2 id=\"machine\">Machine</h2>\n<table>", f);
    vr_view_context(c, html_row, f); /* the same rows as report.md's */
    fputs("</table>\n", f);
}

static const char STYLE[] =
    "body{font-family:system-ui,sans-serif;margin:0 1.5em 2em 0;color:#222}"
    "table{border-collapse:collapse;margin-bottom:1em}td,th{border:1px solid #ccc;padding:2px 6px;font-size:90%;"
    "text-align:left;vertical-align:top}th{background:#f0f0f0}td.num{text-align:right}td.nw{white-space:nowrap}table.wide{width:100%}"
    "#verdict{padding:14px 20px;margin:0 0 1em;color:#fff;font-size:120%;border-radius:0 0 4px 4px}#verdict h1{margin:0;font-size:160%}"
    "#verdict.fail{background:#c62828}#verdict.pass{background:#2e7d32}#verdict.inconclusive{background:#e08600}"
    "#verdict.na{background:#666}#verdict p{margin:4px 0 0}"
    "td.v{font-weight:bold;text-align:center;white-space:nowrap}td.v.fail{background:#c62828;color:#fff}"
    "td.v.inconclusive{background:#ffb300;color:#000}td.v.pass{background:#c8e6c9;color:#1b5e20}"
    "td.v.na{background:#eee;color:#666;font-weight:normal;text-align:left;white-space:normal}"
    "td.v.info{font-weight:normal;opacity:.75}"
    ".c.fail{color:#c62828;font-weight:bold}.c.inconclusive{color:#b36b00;font-weight:bold}"
    "ol.why li{margin:4px 0}.tag{display:inline-block;padding:0 6px;border-radius:3px;font-weight:bold;font-size:85%}"
    ".tag.fail{background:#c62828;color:#fff}.tag.inconclusive{background:#ffb300;color:#000}"
    "#toc{position:fixed;top:0;left:0;bottom:0;width:260px;overflow:auto;padding:10px 12px;border-right:1px solid #ccc;"
    "background:#fafafa;font-size:80%}#toc ol{padding-left:1.3em;margin:4px 0}#toc ul{padding-left:1em;margin:0}"
    "#toc li li{white-space:nowrap;overflow:hidden;text-overflow:ellipsis}#main{margin-left:285px}"
    "@media print{#toc{display:none}#main{margin-left:0}}"
"figure.plot{margin:1em 0}figure.plot svg{max-width:100%;height:auto}figcaption{font-size:85%;color:#555}"
    ".muted{color:#666}p.ran.fail{color:#c62828;font-weight:bold}h2{border-bottom:1px solid #ddd;clear:none}";

int vr_write_html(vr_report *r, const char *dir, char *err, size_t err_len)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/report.html", dir);
    size_t *order = malloc((r->n_checks ? r->n_checks : 1) * sizeof *order);
    if (!order) {
        snprintf(err, err_len, "out of memory writing report.html");
        return -1;
    }
    vr_view_order(r, order);
    tb_atomic_file af;
    if (tb_atomic_open(&af, path, err, err_len) != 0) {
        free(order);
        return -1;
    }
    FILE *f = af.fp;
    vr_view_counts n;
    const char *verdict = vr_view_verdict(r, &n);
    const char *cls = strcmp(verdict, "FAIL") == 0 ? "fail" : strcmp(verdict, "PASS") == 0 ? "pass"
                                                           : strcmp(verdict, "N/A") == 0 ? "na" : "inconclusive";
    fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>tritbench validation: %s</title>"
               "<style>%s</style></head><body>\n",
            verdict, STYLE);
    const char *names[64];
    const size_t n_names = vr_report_section_names(r, names, 64);
    toc(f, r, names, n_names);
    fputs("<div id=\"main\">\n", f);
    fprintf(f, "<div id=\"verdict\" class=\"%s\"><h1>Verdict: %s%s</h1><p><b>%zu failed</b> · %zu inconclusive · %zu "
               "passed · %zu N/A — %zu checks. Profile ",
            cls, verdict, r->incomplete ? " (INCOMPLETE)" : "", n.fail, n.inconclusive, n.pass, n.na, n.total);
    esc(f, r->profile.name);
    fputs(" (", f);
    esc(f, r->profile.path);
    fputs(").</p>", f);
    if (r->oom)
        fputs("<p><b>Memory ran out while building this report; some content is missing (verdict FAIL).</b></p>", f);
    if (r->incomplete)
        fputs("<p><b>Incomplete: a selected section could not run; this report does not cover it.</b></p>", f);
    fputs("</div>\n", f);
    summary(f, r);
    failures(f, r, order);
    signoff(f, r, order);
    free(order);
    for (size_t s = 0; s < n_names; s++)
        section(f, r, dir, names[s]);
    if (r->plots_status[0]) {
        fputs("<p><em>Plots: ", f);
        esc(f, r->plots_status);
        fputs("</em></p>\n", f);
    }
    machine(f, &r->ctx);
    fputs("<h2 id=\"reproduce\">Reproduce</h2>\n<pre>", f);
    esc(f, r->command);
    fputs("</pre>\n</div></body></html>\n", f);
    return tb_atomic_commit(&af, err, err_len);
}
