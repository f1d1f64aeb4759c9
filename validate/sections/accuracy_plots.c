/* accuracy_plots.c — the accuracy section's training-curve plot (section_plots.h). */
#include <stdio.h>
#include <stdlib.h>

#include "validate/sections/section_plots.h"

/* TSV: one row per epoch; phase 0 = FP32, 1.. = QAT of each layout (its first row is the PTQ point). */
void accuracy_add_plots(vr_report *r, bool quick, const char *const layout_names[2], size_t fp32_epochs,
                        const tb_epoch_stat *fp32_curve, size_t qat_epochs, const double ptq_acc[2],
                        const tb_epoch_stat *const qat_curves[2])
{
    const size_t cap = 64 * (fp32_epochs + 2 * (qat_epochs + 1) + 2);
    char *tsv = malloc(cap);
    if (!tsv)
        return;
    size_t len = (size_t)snprintf(tsv, cap, "# epoch\tphase\ttrain_loss\ttest_acc_pct\n");
    for (size_t e = 0; e < fp32_epochs && len < cap; e++)
        len += (size_t)snprintf(tsv + len, cap - len, "%zu\t0\t%.5f\t%.3f\n", e + 1, fp32_curve[e].train_loss,
                                100 * fp32_curve[e].test_acc);
    for (size_t c = 0; c < 2 && len < cap; c++) {
        len += (size_t)snprintf(tsv + len, cap - len, "%zu\t%zu\tnan\t%.3f\n", fp32_epochs, c + 1, 100 * ptq_acc[c]);
        for (size_t e = 0; e < qat_epochs && len < cap; e++)
            len += (size_t)snprintf(tsv + len, cap - len, "%zu\t%zu\t%.5f\t%.3f\n", fp32_epochs + e + 1, c + 1,
                                    qat_curves[c][e].train_loss, 100 * qat_curves[c][e].test_acc);
    }
    char body[2048];
    snprintf(body, sizeof body,
             "set datafile missing 'nan'\n"
             "set xlabel 'epoch (QAT continues from the FP32 model; its curves start at the PTQ accuracy)'\n"
             "set ylabel 'test accuracy (%%)'\n"
             "set y2label 'training loss'\n"
             "set ytics nomirror\n"
             "set y2tics\n"
             "set grid\n"
             "set key below\n"
             "plot datafile using 1:($2==0?$4:1/0) with linespoints lw 2 pt 7 title 'FP32 test accuracy', \\\n"
             "     datafile using 1:($2==1?$4:1/0) with linespoints lw 2 pt 5 title 'QAT (1): %s', \\\n"
             "     datafile using 1:($2==2?$4:1/0) with linespoints lw 2 pt 9 title 'QAT (2): %s', \\\n"
             "     datafile using 1:($2==0?$3:1/0) axes x1y2 with lines dt 2 title 'FP32 training loss', \\\n"
             "     datafile using 1:($2==1?$3:1/0) axes x1y2 with lines dt 3 title 'QAT training loss (1)', \\\n"
             "     datafile using 1:($2==2?$3:1/0) axes x1y2 with lines dt 4 title 'QAT training loss (2)'\n",
             layout_names[0], layout_names[1]);
    vr_plot(r, "accuracy", "accuracy_training_curve",
            quick ? "Fashion-MNIST training curve [QUICK run]" : "Fashion-MNIST training curve", body, tsv);
    free(tsv);
}
