/* lm_plots.c — the lm section's training-curve plot (section_plots.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "validate/sections/section_plots.h"

/* Held-out bits/byte of a curve point; the training loss where no held-out score was taken. */
static double curve_bpb(const tb_lm_curve_point *p) { return isnan(p->test_bpb) ? p->train_bpb : p->test_bpb; }

/* TSV: one row per curve point; phase 0 = FP32 training, 1 = QAT fine-tuning (its steps continue the FP32
 * count). PTQ is one level: the converted FP32 model before fine-tuning. */
void lm_add_plots(vr_report *r, bool quick, const tb_lm_workload_result *w)
{
    const size_t cap = 96 * (w->n_curve + w->n_qat_curve + 4);
    char *tsv = malloc(cap);
    if (!tsv)
        return;
    size_t len = (size_t)snprintf(tsv, cap, "# step\tphase\ttrain_bpb\ttest_bpb\n");
    for (size_t i = 0; i < w->n_curve && len < cap; i++)
        len += (size_t)snprintf(tsv + len, cap - len, "%zu\t0\t%.5f\t%.5f\n", w->curve[i].step, w->curve[i].train_bpb,
                                curve_bpb(&w->curve[i]));
    for (size_t i = 0; i < w->n_qat_curve && len < cap; i++)
        len += (size_t)snprintf(tsv + len, cap - len, "%zu\t1\t%.5f\t%.5f\n", w->steps + w->qat_curve[i].step,
                                w->qat_curve[i].train_bpb, curve_bpb(&w->qat_curve[i]));
    char body[2048];
    snprintf(body, sizeof body,
             "set xlabel 'training step (QAT fine-tunes from the FP32 model after step %zu)'\n"
             "set ylabel 'bits per byte'\n"
             "set grid\n"
             "set key below\n"
             "plot datafile using 1:($2==0?$4:1/0) with linespoints lw 2 pt 7 title 'FP32 held-out', \\\n"
             "     datafile using 1:($2==1?$4:1/0) with linespoints lw 2 pt 5 title 'QAT held-out', \\\n"
             "     datafile using 1:($2==0?$3:1/0) with lines dt 2 title 'FP32 training', \\\n"
             "     datafile using 1:($2==1?$3:1/0) with lines dt 3 title 'QAT training', \\\n"
             "     %.5f with lines lw 2 dt 4 title 'PTQ held-out (packed, %.4f)'\n",
             w->steps, w->ptq.bpb, w->ptq.bpb);
    vr_plot(r, "lm", "lm_training_curve",
            quick ? "Byte-level LM training curve [QUICK run]" : "Byte-level LM training curve", body, tsv);
    free(tsv);
}
