/* plot.h — trend plots of history series with gnuplot: one plot of several series (a benchmark family),
 * each relative to its own first level, the within-night spread as error bars, change points marked.
 * Internal to history/. */
#ifndef TRITBENCH_HISTORY_PLOT_H
#define TRITBENCH_HISTORY_PLOT_H

#include <stddef.h>

#include "tritbench/history.h"

/* "gemv/i2/avx2/640x2560/threads:1" → "gemv/i2/avx2": the first three name components. */
void hist_family_of(const char *benchmark, char *out, size_t cap);

#endif
