/* report.c — the history dashboard: DIR/index.html (self-contained, plots inlined as SVG) and
 * DIR/report.md. First the latest night's news (new regressions first, then new improvements), the
 * commit ranges to bisect for every change point (regressions first, largest first), the latest
 * validation's failed targets, then one trend plot per benchmark family with its change points. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "history/plot.h"
#include "history/store.h"
#include "tritbench/read_file.h"

static void html_text(FILE *f, const char *s)
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

static void md_text(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '|')
            fputs("\\|", f);
        else if (*s != '\n')
            fputc(*s, f);
    }
}

static void stem_of(const char *family, char *out, size_t cap)
{
    size_t o = 0;
    for (const char *p = family; *p && o + 1 < cap; p++)
        out[o++] = (char)((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ? *p : '_');
    out[o] = '\0';
}

/* Regressions first, then by size (largest first), then name. */
static int cmp_finding(const void *a, const void *b)
{
    const hist_finding *x = a, *y = b;
    if (x->is_new != y->is_new)
        return x->is_new ? -1 : 1;
    if (x->regression != y->regression)
        return x->regression ? -1 : 1;
    double sx = x->cp.change < 0 ? -x->cp.change : x->cp.change, sy = y->cp.change < 0 ? -y->cp.change : y->cp.change;
    if (sx != sy)
        return sx > sy ? -1 : 1;
    return strcmp(x->series->benchmark, y->series->benchmark);
}

static void commit_range(const hist_finding *fi, char *out, size_t cap)
{
    const hist_series *s = fi->series;
    const hist_point *before = &s->points[fi->cp.index - 1], *after = &s->points[fi->cp.index];
    if (strcmp(before->commit, after->commit) == 0)
        snprintf(out, cap, "%s (same commit: machine or environment)", after->commit);
    else
        snprintf(out, cap, "%s..%s", before->commit, after->commit);
}

static void finding_fields(const hist_finding *fi, char *change, size_t cc, char *night, size_t nc)
{
    snprintf(change, cc, "%+.1f %% [%+.1f, %+.1f]", 100 * fi->cp.change, 100 * fi->cp.ci_lo, 100 * fi->cp.ci_hi);
    snprintf(night, nc, "%zu (%.10s)", fi->cp.index + 1, fi->series->points[fi->cp.index].date);
}

/* A rendered plot's SVG (read_file.h, the project's one whole-file reader), or NULL: the page then shows
 * the figure's caption without it. */
static char *slurp(const char *path)
{
    char *text, err[256];
    size_t len;
    return tb_read_regular_file(path, (size_t)1 << 30, &text, &len, err, sizeof err) == 0 ? text : NULL;
}

typedef struct family {
    char name[128];
    char stem[128];
    const hist_series **members;
    size_t n;
    int rendered; /* 0 yes, 1 no (note), -1 error */
} family;

static const char *CSS =
    "body{font-family:sans-serif;margin:1.5em auto;max-width:1100px;color:#222}"
    "table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:3px 8px;"
    "font-size:13px;text-align:left}th{background:#f0f0f0}.reg{color:#c0392b;font-weight:bold}"
    ".imp{color:#1e8449;font-weight:bold}.banner{padding:.8em 1em;border-radius:6px;font-size:18px;"
    "color:#fff;margin-bottom:1em}.bad{background:#c0392b}.good{background:#1e8449}"
    "figure{margin:0 0 2em}figure svg{max-width:100%;height:auto}";

int hist_write_report(hist_db *db, const char *dir, const hist_report_opts *o, hist_report_summary *sum,
                      char *err, size_t err_len)
{
    memset(sum, 0, sizeof *sum);
    hist_report_opts none = {0};
    if (!o)
        o = &none;
    char plots[4096];
    snprintf(plots, sizeof plots, "%s/plots", dir);
    if ((mkdir(dir, 0755) != 0 && errno != EEXIST) || (mkdir(plots, 0755) != 0 && errno != EEXIST)) {
        snprintf(err, err_len, "%s: cannot create: %s", dir, strerror(errno));
        return -1;
    }
    hist_series *s = NULL;
    size_t ns = 0;
    hist_finding *fd = NULL;
    size_t nf = 0;
    hist_run *runs = NULL;
    size_t nr = 0;
    hist_verdict *ver = NULL;
    size_t nv = 0;
    family *fam = NULL;
    size_t nfam = 0;
    FILE *html = NULL, *md = NULL;
    int rc = -1;
    if (hist_load_series(db, o->regex, o->fingerprint, o->all_machines, &s, &ns, err, err_len) != 0 ||
        hist_list_runs(db, &runs, &nr, err, err_len) != 0)
        goto done;
    if (hist_detect_all(s, ns, o->params, &fd, &nf) != 0) {
        snprintf(err, err_len, "out of memory in detection");
        goto done;
    }
    if (nf)
        qsort(fd, nf, sizeof *fd, cmp_finding);
    sum->n_series = ns;
    sum->n_changes = nf;
    for (size_t i = 0; i < nf; i++) {
        sum->n_regressions += fd[i].regression;
        sum->n_new_regressions += fd[i].regression && fd[i].is_new;
        sum->n_new_improvements += !fd[i].regression && fd[i].is_new;
    }
    if (nr)
        hist_copy(sum->latest_date, sizeof sum->latest_date, runs[nr - 1].date);
    /* The latest validation run's verdicts, failures first. */
    for (size_t i = nr; i-- > 0;)
        if (strcmp(runs[i].kind, "validate") == 0) {
            if (hist_run_verdicts(db, runs[i].id, &ver, &nv, err, err_len) != 0)
                goto done;
            break;
        }
    for (size_t i = 0; i < nv; i++)
        sum->n_failed_verdicts += strcmp(ver[i].verdict, "FAIL") == 0;
    /* Families: series grouped by the first three name components (and machine). */
    fam = calloc(ns ? ns : 1, sizeof *fam);
    if (!fam)
        goto oom;
    for (size_t i = 0; i < ns; i++) {
        if (s[i].n < 2)
            continue; /* one night is no trend (still in the tables) */
        char name[128];
        hist_family_of(s[i].benchmark, name, sizeof name);
        if (!o->all_machines && !o->fingerprint) {
            size_t l = strlen(name);
            snprintf(name + l, sizeof name - l, " @%.8s", s[i].fingerprint);
        }
        size_t k;
        for (k = 0; k < nfam && strcmp(fam[k].name, name) != 0; k++)
            ;
        if (k == nfam) {
            snprintf(fam[k].name, sizeof fam[k].name, "%s", name);
            stem_of(name, fam[k].stem, sizeof fam[k].stem);
            fam[k].members = calloc(ns, sizeof *fam[k].members);
            if (!fam[k].members)
                goto oom;
            nfam++;
        }
        fam[k].members[fam[k].n++] = &s[i];
    }
    sum->n_families = nfam;
    for (size_t k = 0; k < nfam; k++) {
        char why[512] = "";
        fam[k].rendered = hist_plot_series(plots, fam[k].stem, fam[k].name, fam[k].members, fam[k].n, fd, nf, why,
                                           sizeof why);
        sum->n_plots++;
        if (fam[k].rendered == 0)
            sum->n_plots_rendered++;
        else if (!sum->plots_note[0])
            snprintf(sum->plots_note, sizeof sum->plots_note, "%s", why);
    }

    char path[4400];
    snprintf(path, sizeof path, "%s/index.html", dir);
    html = fopen(path, "w");
    snprintf(path, sizeof path, "%s/report.md", dir);
    md = fopen(path, "w");
    if (!html || !md) {
        snprintf(err, err_len, "%s: cannot write: %s", path, strerror(errno));
        goto done;
    }
    bool bad = sum->n_new_regressions > 0 || sum->n_failed_verdicts > 0;
    char headline[512];
    snprintf(headline, sizeof headline, "%s — %zu new regression change point(s), %zu new improvement(s), %zu failed "
             "validation target(s); latest night %s",
             bad ? "ATTENTION" : "OK", sum->n_new_regressions, sum->n_new_improvements, sum->n_failed_verdicts,
             sum->latest_date[0] ? sum->latest_date : "(no runs)");
    fprintf(html, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>tritbench history</title>"
                  "<style>%s</style></head><body>\n<h1>tritbench history</h1>\n", CSS);
    fprintf(html, "<div class=\"banner %s\" id=\"verdict\">", bad ? "bad" : "good");
    html_text(html, headline);
    fprintf(html, "</div>\n<p>%zu series in %zu families from %zu runs; database: ", ns, nfam, nr);
    html_text(html, o->db_label ? o->db_label : hist_backend_name(db));
    fputs(". Change points: E-divisive means with a Mann–Whitney significance step (see the README). Each "
          "machine is compared only with itself.</p>\n",
          html);
    fprintf(md, "# tritbench history\n\n**%s**\n\n%zu series in %zu families from %zu runs.\n\n", headline, ns, nfam,
            nr);

    /* Tonight's news and every change point, regressions first: the commit ranges to bisect. */
    fputs("<h2 id=\"changes\">Change points (new first, regressions first)</h2>\n", html);
    fputs("## Change points (new first, regressions first)\n\n", md);
    if (nf == 0) {
        fputs("<p>No change point in any series.</p>\n", html);
        fputs("No change point in any series.\n\n", md);
    } else {
        fputs("<table><tr><th>benchmark</th><th>machine</th><th>kind</th><th>night</th><th>change [95 % "
              "interval]</th><th>commits to bisect</th><th>p</th></tr>\n",
              html);
        fputs("| benchmark | machine | kind | night | change [95 % interval] | commits to bisect | p |\n"
              "|---|---|---|---|---|---|---|\n",
              md);
        for (size_t i = 0; i < nf; i++) {
            const hist_finding *fi = &fd[i];
            char change[96], night[64], range[160], kind[48];
            finding_fields(fi, change, sizeof change, night, sizeof night);
            commit_range(fi, range, sizeof range);
            snprintf(kind, sizeof kind, "%s%s", fi->is_new ? "NEW " : "", fi->regression ? "regression" : "improvement");
            fprintf(html, "<tr><td>");
            html_text(html, fi->series->benchmark);
            fprintf(html, "</td><td>%s</td><td class=\"%s\">%s</td><td>%s</td><td>%s</td><td>", fi->series->fingerprint,
                    fi->regression ? "reg" : "imp", kind, night, change);
            html_text(html, range);
            fprintf(html, "</td><td>%.2g</td></tr>\n", fi->cp.p);
            fputs("| ", md);
            md_text(md, fi->series->benchmark);
            fprintf(md, " | %s | %s | %s | %s | ", fi->series->fingerprint, kind, night, change);
            md_text(md, range);
            fprintf(md, " | %.2g |\n", fi->cp.p);
        }
        fputs("</table>\n", html);
        fputs("\n", md);
    }
    fputs("<h2 id=\"validation\">Latest validation</h2>\n", html);
    fputs("## Latest validation\n\n", md);
    if (nv == 0) {
        fputs("<p>No validation run in the history.</p>\n", html);
        fputs("No validation run in the history.\n\n", md);
    } else {
        fputs("<table><tr><th>verdict</th><th>section</th><th>target</th><th>subject</th><th>threshold</th>"
              "<th>measured</th><th>reason</th></tr>\n",
              html);
        fputs("| verdict | section | target | subject | threshold | measured | reason |\n|---|---|---|---|---|---|---|\n", md);
        for (int pass = 0; pass < 2; pass++) /* failures first */
            for (size_t i = 0; i < nv; i++) {
                bool failed = strcmp(ver[i].verdict, "FAIL") == 0;
                if (failed != (pass == 0))
                    continue;
                fprintf(html, "<tr><td class=\"%s\">", failed ? "reg" : "");
                html_text(html, ver[i].verdict);
                const char *cells[] = {ver[i].section, ver[i].target, ver[i].subject, ver[i].threshold,
                                       ver[i].measured, ver[i].reason};
                fputs("| ", md);
                md_text(md, ver[i].verdict);
                for (size_t c = 0; c < 6; c++) {
                    fputs("</td><td>", html);
                    html_text(html, cells[c]);
                    fputs(" | ", md);
                    md_text(md, cells[c]);
                }
                fputs("</td></tr>\n", html);
                fputs(" |\n", md);
            }
        fputs("</table>\n", html);
        fputs("\n", md);
    }
    fprintf(html, "<h2 id=\"trends\">Trends per benchmark family</h2>\n<p>Each line is one benchmark's nightly median "
                  "relative to its first level (lower is faster); the band is the fastest to slowest repetition of "
                  "the night; dashed lines mark change points (red slower, green faster).</p>\n");
    fputs("## Trends per benchmark family\n\n", md);
    if (sum->plots_note[0]) {
        fputs("<p>Some plots were not rendered: ", html);
        html_text(html, sum->plots_note);
        fputs("</p>\n", html);
        fprintf(md, "Some plots were not rendered: %s\n\n", sum->plots_note);
    }
    for (size_t k = 0; k < nfam; k++) {
        fprintf(html, "<figure class=\"trend\" id=\"plot-%s\"><figcaption>", fam[k].stem);
        html_text(html, fam[k].name);
        fprintf(html, " (%zu series)</figcaption>\n", fam[k].n);
        fprintf(md, "### %s\n\n", fam[k].name);
        if (fam[k].rendered == 0) {
            snprintf(path, sizeof path, "%s/%s.svg", plots, fam[k].stem);
            char *svg = slurp(path);
            const char *start = svg ? strstr(svg, "<svg") : NULL;
            if (start)
                fputs(start, html);
            free(svg);
            fprintf(md, "![%s](plots/%s.png)\n\n", fam[k].name, fam[k].stem);
        } else {
            fprintf(md, "(plot data: plots/%s.tsv)\n\n", fam[k].stem);
        }
        fputs("</figure>\n", html);
    }
    fputs("</body></html>\n", html);
    rc = 0;
    goto done;
oom:
    snprintf(err, err_len, "out of memory");
done:
    if (html && fclose(html) != 0 && rc == 0) {
        snprintf(err, err_len, "%s/index.html: write error", dir);
        rc = -1;
    }
    if (md && fclose(md) != 0 && rc == 0) {
        snprintf(err, err_len, "%s/report.md: write error", dir);
        rc = -1;
    }
    for (size_t k = 0; fam && k < nfam; k++)
        free(fam[k].members);
    free(fam);
    free(ver);
    free(runs);
    free(fd);
    hist_series_free(s, ns);
    return rc;
}
