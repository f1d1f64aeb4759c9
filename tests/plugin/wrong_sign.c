/* wrong_sign.c — test plugin: the minimal I2 example with one weight's sign flipped on row 5 while
 * packing. The correctness gate must refuse it before timing and name row 5. */
#define tritbench_plugin_entry i2_minimal_entry
#include "../../examples/plugins/i2_minimal.c"
#undef tritbench_plugin_entry

#include <stdlib.h>

#define BAD_ROW 5

static int wrong_pack(const tbp_host *host, const tbp_weights *w, void **packed, size_t *weight_bytes)
{
    int8_t *copy = malloc(w->rows * w->cols);
    if (!copy)
        return -1;
    memcpy(copy, w->w, w->rows * w->cols);
    if (w->rows > BAD_ROW)
        for (size_t k = 0; k < w->cols; k++)
            if (copy[BAD_ROW * w->cols + k] != 0) { /* the first non-zero weight of the row */
                copy[BAD_ROW * w->cols + k] = (int8_t)-copy[BAD_ROW * w->cols + k];
                break;
            }
    tbp_weights flipped = *w;
    flipped.w = copy;
    int rc = i2_pack(host, &flipped, packed, weight_bytes);
    free(copy);
    return rc;
}

static tbp_kernel wrong_kernels[1];
static tbp_plugin wrong_plugin;

TRITBENCH_PLUGIN_EXPORT const tbp_plugin *tritbench_plugin_entry(const tbp_host *host);
TRITBENCH_PLUGIN_EXPORT const tbp_plugin *tritbench_plugin_entry(const tbp_host *host)
{
    (void)host;
    wrong_kernels[0] = kernels[0];
    wrong_kernels[0].pack = wrong_pack;
    wrong_kernels[0].priority = 7; /* declared, but the gate refuses it: the table keeps 0 */
    wrong_plugin = plugin;
    wrong_plugin.name = "test_wrong_sign";
    wrong_plugin.kernels = wrong_kernels;
    return &wrong_plugin;
}
