/* kernels_plots.h — the kernels section's plots (kernels_plots.c), built from what the section judged (its
 * sign-off checks with their verdicts and intervals, its metrics) and the harness records of the run: the
 * speedups per kind, the memory reduction, the roofline, the quantization error distribution. */
#ifndef TRITBENCH_VALIDATE_KERNELS_PLOTS_H
#define TRITBENCH_VALIDATE_KERNELS_PLOTS_H

#include "tritbench/catalog.h"
#include "tritbench/validate.h"

#define VK_HIST_BINS 41
#define VK_HIST_RANGE 2.0 /* normalized error (y − y_fp32) / rms(y_fp32) from −2 to 2 */

/* The instances the roofline's roofs need, measured in the same run: the stream suite's read bandwidth at
 * every size it registers for this run (the memory roofs) and the roof suite's instruction throughputs (the
 * compute roofs), under `group`. */
void vk_roof_instances(const vr_options *o, int threads, unsigned group, vr_instances *out);

/* Adds the section's plots to r. records: what the harness returned for the section's instances; hist: the
 * quantization error histogram per weight distribution (fractions are computed here). */
void vk_add_plots(vr_report *r, const vr_options *o, int threads, int repetitions, const tb_results *records,
                  const double hist[TRIT_DIST_COUNT][VK_HIST_BINS]);

#endif
