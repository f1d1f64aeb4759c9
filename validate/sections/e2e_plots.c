/* e2e_plots.c — the e2e section's decode plot (section_plots.h): tokens/s per weights configuration and
 * context depth, read back from the section's metrics, each bar labelled with its value. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "validate/sections/section_plots.h"
#include "validate/vr_internal.h"

void e2e_add_plots(vr_report *r, const char *model_label, int threads)
{
    char labels[16][64];
    double tps[16][2];
    size_t n = 0;
    for (size_t i = 0; i < r->n_metrics; i++) {
        const vr_metric_item *m = &r->metrics[i];
        const char *at = strstr(m->key, "_decode_ctx");
        unsigned ctx;
        if (strcmp(m->section, "e2e") != 0 || !at || sscanf(at, "_decode_ctx%u_tokens_per_s", &ctx) != 1 ||
            !strstr(at, "_tokens_per_s") || (ctx != 128 && ctx != 512))
            continue;
        char label[64];
        snprintf(label, sizeof label, "%.*s", (int)(at - m->key) < 63 ? (int)(at - m->key) : 63, m->key);
        size_t k = 0;
        while (k < n && strcmp(labels[k], label) != 0)
            k++;
        if (k == n) {
            if (n == sizeof labels / sizeof labels[0])
                continue;
            snprintf(labels[n], sizeof labels[n], "%s", label);
            tps[n][0] = tps[n][1] = NAN;
            n++;
        }
        tps[k][ctx == 512] = m->value;
    }
    if (n == 0)
        return;
    char tsv[2048];
    size_t len = (size_t)snprintf(tsv, sizeof tsv, "# weights\tctx 128\tctx 512\n");
    for (size_t k = 0; k < n && len < sizeof tsv; k++)
        len += (size_t)snprintf(tsv + len, sizeof tsv - len, "%s\t%.3f\t%.3f\n", labels[k], tps[k][0], tps[k][1]);
    char title[256];
    snprintf(title, sizeof title, "Decode tokens/s, %s, %d thread%s (median)", model_label, threads,
             threads > 1 ? "s" : "");
    vr_plot(r, "e2e", "e2e_decode", title,
            "set datafile separator '\\t'\nset datafile missing 'nan'\nset style data histograms\n"
            "set style histogram clustered gap 1\nset style fill solid 0.8 border -1\nset ylabel 'tokens/s'\n"
            "set yrange [0:*]\nset offsets 0, 0, graph 0.08, 0\nset xtics noenhanced\n"
            "plot datafile using 2:xtic(1) title 'context 128' lc rgb '#1e88e5', '' using 3 title 'context 512' "
            "lc rgb '#90caf9', \\\n"
            "     '' using ($0-0.17):2:(sprintf('%.1f', $2)) with labels offset 0,0.7 font ',8' notitle, \\\n"
            "     '' using ($0+0.17):3:(sprintf('%.1f', $3)) with labels offset 0,0.7 font ',8' notitle",
            tsv);
}
