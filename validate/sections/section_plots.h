/* section_plots.h — the plots of the accuracy, lm, model and e2e sections, each built in its own
 * <section>_plots.c from what the section measured (the kernels section's are in kernels_plots.h). A section's
 * judge only calls these; the plot data, script and styling live with the plots. */
#ifndef TRITBENCH_VALIDATE_SECTION_PLOTS_H
#define TRITBENCH_VALIDATE_SECTION_PLOTS_H

#include <stdbool.h>
#include <stddef.h>

#include "tritbench/lm.h"
#include "tritbench/train.h"
#include "tritbench/validate.h"

/* accuracy: the Fashion-MNIST training curve — FP32, then the QAT of each of the two layouts starting from
 * its PTQ accuracy (ptq_acc, fractions), with the training losses on the second axis. */
void accuracy_add_plots(vr_report *r, bool quick, const char *const layout_names[2], size_t fp32_epochs,
                        const tb_epoch_stat *fp32_curve, size_t qat_epochs, const double ptq_acc[2],
                        const tb_epoch_stat *const qat_curves[2]);

/* lm: the byte-level LM's training curve (FP32, QAT fine-tuning) and the PTQ level, held-out bits/byte. */
void lm_add_plots(vr_report *r, bool quick, const tb_lm_workload_result *w);

/* model: per-layer NMSE (when the checkpoint was not already ternary) and sparsity; data is the section's TSV
 * (# index, layer, nmse, sparsity). */
void model_add_plots(vr_report *r, const char *data, bool have_nmse);

/* e2e: decode tokens/s per weights configuration and context depth, from the section's
 * "<weights>_decode_ctx<N>_tokens_per_s" metrics. */
void e2e_add_plots(vr_report *r, const char *model_label, int threads);

#endif
