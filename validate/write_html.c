/* write_html.c — report.html: the sign-off and section tables with the SVG plots inlined, one file that
 * opens anywhere (no external assets). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* Copies an SVG file into the page; an SVG over 8 MiB is linked instead. */
static void inline_svg(FILE *f, const char *dir, const char *name)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/plots/%s.svg", dir, name);
    FILE *in = fopen(path, "rb");
    if (!in) {
        fprintf(f, "<p><em>plot %s missing</em></p>\n", name);
        return;
    }
    char buf[8192];
    size_t n, total = 0;
    fputs("<div class=\"plot\">", f);
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
    fputs("</div>\n", f);
    fclose(in);
}

static void html_table(FILE *f, const vr_table *t)
{
    fputs("<h4>", f);
    esc(f, t->title);
    fputs("</h4>\n<table><tr>", f);
    for (size_t c = 0; c < t->n_cols; c++) {
        fputs("<th>", f);
        esc(f, t->headers[c]);
        fputs("</th>", f);
    }
    fputs("</tr>\n", f);
    for (size_t r = 0; r < t->n_rows; r++) {
        fputs("<tr>", f);
        for (size_t c = 0; c < t->n_cols; c++) {
            fputs("<td>", f);
            esc(f, t->cells[r * t->n_cols + c]);
            fputs("</td>", f);
        }
        fputs("</tr>\n", f);
    }
    fputs("</table>\n", f);
}

int vr_write_html(vr_report *r, const char *dir, char *err, size_t err_len)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/report.html", dir);
    tb_atomic_file af;
    if (tb_atomic_open(&af, path, err, err_len) != 0)
        return -1;
    FILE *f = af.fp;
    size_t np, nf, nn;
    vr_verdict v = vr_report_verdict(r, &np, &nf, &nn);
    fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>tritbench validation</title><style>"
          "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:1em}"
          "td,th{border:1px solid #ccc;padding:2px 6px;font-size:90%}.PASS{color:#080}.FAIL{color:#c00;"
          "font-weight:bold}.NA{color:#888}.plot svg{max-width:100%;height:auto}</style></head><body>\n",
          f);
    fprintf(f, "<h1>tritbench validation report</h1>\n<p><b>Verdict: %s</b> — %zu passed, %zu failed, %zu N/A. "
               "Profile: ",
            vr_verdict_name(v), np, nf, nn);
    esc(f, r->profile.name);
    fputs("</p>\n<h2>Sign-off</h2>\n<table><tr><th>Section</th><th>Target</th><th>Subject</th><th>Threshold</th>"
          "<th>Measured</th><th>Verdict</th><th>Note</th></tr>\n",
          f);
    for (size_t i = 0; i < r->n_checks; i++) {
        const vr_check_row *c = &r->checks[i];
        fputs("<tr><td>", f);
        esc(f, c->section);
        fputs("</td><td>", f);
        esc(f, c->target);
        fputs("</td><td>", f);
        esc(f, c->subject);
        fputs("</td><td>", f);
        esc(f, c->threshold);
        fputs("</td><td>", f);
        esc(f, c->measured_text);
        fprintf(f, "</td><td class=\"%s\">%s</td><td>", c->verdict == VR_NA ? "NA" : vr_verdict_name(c->verdict),
                vr_verdict_name(c->verdict));
        esc(f, c->optimal ? "optimal" : c->reason);
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
    const char *names[64];
    const size_t n_names = vr_report_section_names(r, names, 64);
    for (size_t s = 0; s < n_names; s++) {
        const char *name = names[s];
        fputs("<h2>", f);
        esc(f, name);
        fputs("</h2>\n", f);
        for (size_t i = 0; i < r->n_notes; i++)
            if (strcmp(r->notes[i].section, name) == 0) {
                fputs("<p>", f);
                esc(f, r->notes[i].text);
                fputs("</p>\n", f);
            }
        for (size_t i = 0; i < r->n_tables; i++)
            if (strcmp(r->tables[i]->section, name) == 0)
                html_table(f, r->tables[i]);
        for (size_t i = 0; i < r->n_plots; i++)
            if (strcmp(r->plots[i].section, name) == 0 && r->plots[i].rendered)
                inline_svg(f, dir, r->plots[i].name);
    }
    fputs("<h2>Reproduce</h2>\n<pre>", f);
    esc(f, r->command);
    fputs("</pre>\n</body></html>\n", f);
    return tb_atomic_commit(&af, err, err_len);
}
