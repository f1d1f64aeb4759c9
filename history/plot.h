/* plot.h — trend plots of history series with gnuplot: one plot of several series (a benchmark family),
 * each relative to its own first level, the within-night spread as error bars, change points marked.
 * Internal to history/. */
#ifndef TRITBENCH_HISTORY_PLOT_H
#define TRITBENCH_HISTORY_PLOT_H

#include <stddef.h>

#include "tritbench/history.h"

/* Writes DIR/STEM.tsv and .gp, then DIR/STEM.png and .svg when gnuplot is on PATH. Returns 0 rendered,
 * 1 data written but not rendered (why says so: no gnuplot, gnuplot failed), -1 on an I/O error. The
 * findings are those of the series given (others are ignored). */
int hist_plot_series(const char *dir, const char *stem, const char *title, const hist_series *const *series,
                     size_t n, const hist_finding *findings, size_t n_findings, char *why, size_t why_len);

/* "gemv/i2/avx2/640x2560/threads:1" → "gemv/i2/avx2": the first three name components. */
void hist_family_of(const char *benchmark, char *out, size_t cap);

#endif
