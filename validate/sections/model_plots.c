/* model_plots.c — the model section's per-layer plots (section_plots.h). */
#include "validate/sections/section_plots.h"

void model_add_plots(vr_report *r, const char *data, bool have_nmse)
{
    if (!data)
        return;
    if (have_nmse) /* a converted checkpoint has no NMSE to plot (and a log axis of zeros cannot be drawn) */
        vr_plot(r, "model", "layer_nmse", "Per-layer quantization NMSE (layer output, seeded activations)",
                "set xlabel 'layer (checkpoint order)'\nset ylabel 'NMSE (log scale)'\nset logscale y\nset grid\n"
                "plot datafile using 1:3 with linespoints title 'NMSE'\n",
                data);
    vr_plot(r, "model", "layer_sparsity", "Per-layer sparsity (fraction of zero weights)",
            "set xlabel 'layer (checkpoint order)'\nset ylabel 'zero weights'\nset yrange [0:1]\nset grid\n"
            "plot datafile using 1:4 with linespoints title 'sparsity'\n",
            data);
}
