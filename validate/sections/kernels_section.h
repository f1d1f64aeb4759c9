/* kernels_section.h — state shared by the kernels section's files (validate_kernels.c: shapes, memory,
 * error, sparsity; kernels_speed.c: the timed part through the harness). */
#ifndef TRITBENCH_REPORTS_KERNELS_SECTION_H
#define TRITBENCH_REPORTS_KERNELS_SECTION_H

#include <stdbool.h>
#include <stddef.h>

#include "tritbench/catalog.h"
#include "tritbench/kernels.h"
#include "tritbench/validate.h"

#define VK_SECTION "kernels"

/* A growable string (plot data and scripts: kernels_plots.c). */
typedef struct vk_buf {
    char *s;
    size_t len, cap;
    bool failed;
} vk_buf;
void vk_printf(vk_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void vk_buf_free(vk_buf *b);

typedef struct vk_ctx {
    vr_report *r;
    const vr_options *o;
    int threads;
    size_t gemm_n;  /* prefill batch for GEMM timings */
    size_t err_rows; /* activation rows for the error measurements */
    int repetitions;
    double min_time;
    bool fmt_on[TRIT_FMT_COUNT];
    vr_table *t_speed, *t_base, *t_roof;
    int n_speed_rows;
    const tb_results *records; /* what the harness returned for the section's instances */
} vk_ctx;

/* Variant filter (--variants) and whether a variant's rows go into the sign-off: every listed variant
 * when --variants was given, else the one the dispatcher picks here (what users get). */
bool vk_variant_wanted(const vk_ctx *c, const char *variant);
bool vk_signoff(const vk_ctx *c, trit_op op, trit_format f, const char *variant);
/* Deterministic per-purpose seeds derived from --seed. */
unsigned long long vk_seed(const vk_ctx *c, size_t shape, unsigned purpose);

/* The suite instances that time one shape's speed rows (FP32 baselines and every wanted ternary variant),
 * added to `out` under `group` (one interleaved harness run per shape). */
void vk_speed_instances(const vk_ctx *c, const trit_shape *sh, unsigned group, vr_instances *out);
/* Judges one shape's speed rows from c->records: speed and roofline rows, checks, plot data. packed: the
 * shape's weights per format (for the bytes a GEMV reads; entries of disabled formats unused). 0, or -1 on
 * no memory. */
int vk_speed_shape(vk_ctx *c, const trit_shape *sh, const trit_packed packed[TRIT_FMT_COUNT]);

#endif
