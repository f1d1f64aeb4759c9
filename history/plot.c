/* plot.c — gnuplot trend plots for `history trend` and the dashboard. Values are shown relative to each
 * series' first level (median of the nights before its first change point), so a family's rows share one
 * axis in percent; error bars span the night's fastest to slowest repetition; a dashed line marks each
 * change point (red: slower, green: faster) with its size. */
#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "history/plot.h"
#include "history/stats.h"

extern char **environ;

void hist_family_of(const char *name, char *out, size_t cap)
{
    const char *p = name, *last = NULL;
    int slashes = 0;
    for (; *p; p++)
        if (*p == '/') {
            last = p;
            if (++slashes == 3)
                break;
        }
    if (!*p && last && slashes < 3)
        p = last; /* fewer than three components: all but the last */
    else if (!last)
        p = name + strlen(name);
    snprintf(out, cap, "%.*s", (int)(p - name), name);
}

static void put_quoted(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'')
            fputc('\'', f);
        fputc(*s, f);
    }
    fputc('\'', f);
}

static double first_level(const hist_series *s, const hist_finding *f, size_t nf)
{
    size_t end = s->n;
    for (size_t i = 0; i < nf; i++)
        if (f[i].series == s && f[i].cp.index < end)
            end = f[i].cp.index;
    double *v = malloc((end ? end : 1) * sizeof *v);
    if (!v)
        return s->points[0].median;
    for (size_t i = 0; i < end; i++)
        v[i] = s->points[i].median;
    double m = tb_median(v, end);
    free(v);
    return m > 0 ? m : s->points[0].median;
}

static int run_gnuplot(const char *script, const char *log_path, char *why, size_t why_len)
{
    posix_spawn_file_actions_t fa;
    if (posix_spawn_file_actions_init(&fa) != 0) {
        snprintf(why, why_len, "cannot start gnuplot");
        return -1;
    }
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, log_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    char *argv[] = {"gnuplot", (char *)script, NULL};
    pid_t pid;
    int rc = posix_spawnp(&pid, "gnuplot", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        snprintf(why, why_len, "gnuplot not found on PATH (install gnuplot-nox for PNG/SVG plots): %s",
                 strerror(rc));
        return -1;
    }
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        snprintf(why, why_len, "gnuplot failed (see %s)", log_path);
        return -1;
    }
    return 0;
}

int hist_plot_series(const char *dir, const char *stem, const char *title, const hist_series *const *series,
                     size_t n, const hist_finding *findings, size_t n_findings, char *why, size_t why_len)
{
    char tsv[4096], gp[4096], png[4096], svg[4096], log[4096];
    snprintf(tsv, sizeof tsv, "%s/%s.tsv", dir, stem);
    snprintf(gp, sizeof gp, "%s/%s.gp", dir, stem);
    snprintf(png, sizeof png, "%s/%s.png", dir, stem);
    snprintf(svg, sizeof svg, "%s/%s.svg", dir, stem);
    snprintf(log, sizeof log, "%s/%s.log", dir, stem);
    FILE *d = fopen(tsv, "w");
    if (!d) {
        snprintf(why, why_len, "%s: %s", tsv, strerror(errno));
        return -1;
    }
    size_t longest = 0, n_dev = 0, cap_dev = 0;
    double *dev = NULL; /* |median − first level| in %: the y range shows the medians, not the outliers */
    for (size_t k = 0; k < n; k++)
        cap_dev += series[k]->n;
    dev = malloc((cap_dev ? cap_dev : 1) * sizeof *dev);
    for (size_t k = 0; k < n; k++) {
        const hist_series *s = series[k];
        double base = first_level(s, findings, n_findings);
        for (size_t i = 0; dev && i < s->n; i++)
            dev[n_dev++] = 100 * fabs(s->points[i].median / base - 1);
        fprintf(d, "# %s (%s)\n", s->benchmark, s->fingerprint);
        for (size_t i = 0; i < s->n; i++) {
            const hist_point *p = &s->points[i];
            fprintf(d, "%zu\t%.4f\t%.4f\t%.4f\t%.10s\t%s\n", i + 1, 100 * (p->median / base - 1),
                    100 * (p->lo / base - 1), 100 * (p->hi / base - 1), p->date, p->commit);
        }
        fprintf(d, "\n\n");
        if (s->n > longest)
            longest = s->n;
    }
    if (fclose(d) != 0) {
        snprintf(why, why_len, "%s: write error", tsv);
        return -1;
    }
    FILE *f = fopen(gp, "w");
    if (!f) {
        snprintf(why, why_len, "%s: %s", gp, strerror(errno));
        return -1;
    }
    fputs("set title ", f);
    put_quoted(f, title);
    fputs(" noenhanced\nset grid\nset key outside right top noenhanced font ',8'\n"
          "set xlabel 'night (oldest → newest)'\nset ylabel 'time vs first level (%, lower is faster)'\n",
          f);
    fprintf(f, "set xrange [0.5:%zu.5]\nset xtics 1,%zu\n", longest, longest > 30 ? longest / 15 : 1);
    /* y range: twice the 95th percentile of the medians' deviations (5 %…60 %); a repetition hit by load
     * (often +1000 % on a shared host) would otherwise flatten every series into a line at 0. */
    double span = 5;
    if (dev && n_dev) {
        tb_sort_doubles(dev, n_dev);
        double p95 = dev[(size_t)(0.95 * (double)(n_dev - 1))];
        span = fmin(60, fmax(5, 1.5 * p95));
    }
    free(dev);
    fprintf(f, "set yrange [%.1f:%.1f]\n", -span, span);
    /* One dashed line per change night; its label gives the sizes' range and how many rows changed there. */
    int tag = 1;
    for (size_t i = 0; i < n_findings; i++) {
        const hist_finding *fi = &findings[i];
        bool ours = false, done = false;
        for (size_t k = 0; k < n && !ours; k++)
            ours = fi->series == series[k];
        for (size_t j = 0; j < i && ours && !done; j++)
            for (size_t k = 0; k < n && !done; k++)
                done = findings[j].series == series[k] && findings[j].cp.index == fi->cp.index &&
                       findings[j].regression == fi->regression;
        if (!ours || done)
            continue;
        double lo = fi->cp.change;
        double hi = lo;
        int count = 0;
        for (size_t j = i; j < n_findings; j++)
            for (size_t k = 0; k < n; k++)
                if (findings[j].series == series[k] && findings[j].cp.index == fi->cp.index &&
                    findings[j].regression == fi->regression) {
                    lo = fmin(lo, findings[j].cp.change);
                    hi = fmax(hi, findings[j].cp.change);
                    count++;
                }
        double x = (double)fi->cp.index + 0.5; /* between the last old night and the first new one */
        const char *colour = fi->regression ? "#c0392b" : "#1e8449";
        fprintf(f, "set arrow %d from %.1f, graph 0 to %.1f, graph 1 nohead dt 2 lw 2 lc rgb '%s'\n", tag, x, x,
                colour);
        if (count > 1)
            fprintf(f, "set label %d '%+.1f…%+.1f %% (%d rows)' at %.1f, graph %.2f offset 0.5,0 tc rgb '%s' font ',9'\n",
                    tag, 100 * lo, 100 * hi, count, x, 0.95 - 0.05 * (tag % 6), colour);
        else
            fprintf(f, "set label %d '%+.1f %%' at %.1f, graph %.2f offset 0.5,0 tc rgb '%s' font ',9'\n", tag,
                    100 * lo, x, 0.95 - 0.05 * (tag % 6), colour);
        tag++;
    }
    const char *terms[2][2] = {{"pngcairo size 1000,520 font 'sans,10'", png}, {"svg size 1000,520 dynamic font 'sans,10'", svg}};
    for (int t = 0; t < 2; t++) {
        fprintf(f, "set terminal %s\nset output ", terms[t][0]);
        char tmp[4200];
        snprintf(tmp, sizeof tmp, "%s.tmp", terms[t][1]);
        put_quoted(f, tmp);
        fputs("\nplot ", f);
        /* Spread first (a light band per series, min..max repetition), then the medians over it. */
        bool first = true;
        for (size_t k = 0; k < n; k++) {
            bool changed = false;
            for (size_t j = 0; j < n_findings && !changed; j++)
                changed = findings[j].series == series[k];
            if (n > 4 && !changed)
                continue; /* many rows: bands only where something changed, or the plot is a haze */
            if (!first)
                fputs(", \\\n     ", f);
            first = false;
            put_quoted(f, tsv);
            fprintf(f, " index %zu using 1:3:4 with filledcurves fs transparent solid 0.07 noborder lc %zu notitle", k,
                    k + 1);
        }
        for (size_t k = 0; k < n; k++) {
            if (!first || k)
                fputs(", \\\n     ", f);
            put_quoted(f, tsv);
            fprintf(f, " index %zu using 1:2 with linespoints lw 1.5 pt 7 ps 0.4 lc %zu title ", k, k + 1);
            put_quoted(f, series[k]->benchmark);
        }
        fputs("\nunset output\n", f);
    }
    if (fclose(f) != 0) {
        snprintf(why, why_len, "%s: write error", gp);
        return -1;
    }
    if (n == 0) {
        snprintf(why, why_len, "no series to plot");
        return 1;
    }
    if (run_gnuplot(gp, log, why, why_len) != 0)
        return 1;
    for (int t = 0; t < 2; t++) {
        char tmp[4200];
        snprintf(tmp, sizeof tmp, "%s.tmp", terms[t][1]);
        if (rename(tmp, terms[t][1]) != 0) {
            snprintf(why, why_len, "%s: %s", terms[t][1], strerror(errno));
            return 1;
        }
    }
    unlink(log);
    return 0;
}
