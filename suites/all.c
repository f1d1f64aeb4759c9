/* all.c — the table of suites `tritbench run` and `tritbench list` know. */
#include <stdio.h>
#include <string.h>

#include "tritbench/baselines.h"

#include "suite_list.h"
#include "tritbench/flags.h"
#include "tritbench_config.h"

static const tb_suite suites[] = {
    {"stream", "memory bandwidth: read/copy/scale/add/triad from L1 to 4x LLC (the roofline)", tb_suite_stream_register},
    {"roof", "compute roof: core clock (dependent adds) and each kernel family's bounding instruction", tb_suite_roof_register},
    {"quant", "activation quantization and weight packing", tb_suite_quant_register},
    {"gemv", "ternary GEMV (decode) per variant and format, with FP32 baselines", tb_suite_gemv_register},
    {"gemm", "ternary GEMM (prefill, batch N) per variant and format, with FP32 baselines", tb_suite_gemm_register},
    {"bitlinear", "the whole BitLinear forward (quantize + matmul + rescale)", tb_suite_bitlinear_register},
    {"e2e", "end-to-end decoder: decode/prefill tokens/s against the same model in FP32", tb_suite_e2e_register},
#if TRIT_HAVE_CUDA
    {"cuda", "CUDA W2A8 GEMV/GEMM with cuBLAS FP32/FP16/BF16 baselines", tb_suite_cuda_register},
#endif
};

const tb_suite *tb_suites(size_t *count)
{
    *count = sizeof suites / sizeof suites[0];
    return suites;
}

int tb_suites_register_all(tb_registry *r, const tb_suite_config *cfg)
{
    for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++)
        if (suites[i].register_fn(r, cfg) != 0)
            return -1;
    return 0;
}

void tb_suite_config_from_flags(struct tb_flags *fl, tb_suite_config *cfg)
{
    tb_flags_default_threads(fl);
    memset(cfg, 0, sizeof *cfg);
    for (int i = 0; i < fl->n_threads && i < TB_MAX_THREAD_COUNTS; i++)
        cfg->threads[cfg->n_threads++] = fl->threads[i];
    cfg->quick = fl->quick;
    cfg->variants = fl->variants;
    cfg->formats = fl->formats;
}

void tb_suite_config_for_validation(tb_suite_config *cfg, int threads, bool quick, const char *shapes,
                                    const char *variants, const char *formats, char *buf, size_t buf_len)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->threads[0] = threads > 0 ? threads : 1;
    cfg->n_threads = 1;
    cfg->quick = quick;
    cfg->shapes = shapes;
    const size_t half = buf_len / 2;
    if (variants && *variants && half > 0) {
        size_t used = (size_t)snprintf(buf, half, "%s", variants);
        size_t nf;
        const trit_fp32_kernel *fks = trit_fp32_kernels(&nf);
        for (size_t i = 0; i < nf && used < half; i++)
            if (strcmp(fks[i].name, "scalar") != 0 && !tb_list_contains(variants, fks[i].name))
                used += (size_t)snprintf(buf + used, half - used, ",%s", fks[i].name);
        cfg->variants = buf;
    }
    if (formats && *formats && half > 0) {
        snprintf(buf + half, buf_len - half, "%s,fp32", formats);
        cfg->formats = buf + half;
    }
}

const trit_kernel *tb_suite_pick_kernel(trit_op op, trit_format f, const char *variants, char *why, size_t why_len)
{
    if (!variants || !*variants)
        return trit_kernel_select(op, f, why, why_len);
    char name[64], r[256];
    for (const char *p = variants; *p;) {
        const char *end = strchr(p, ',');
        const size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len < sizeof name) {
            memcpy(name, p, len);
            name[len] = '\0';
            const trit_kernel *v = trit_kernel_get(TRIT_OP_GEMV, f, name), *m = trit_kernel_get(TRIT_OP_GEMM, f, name);
            if (v && m && trit_kernel_runnable(v, r, sizeof r) && trit_kernel_runnable(m, r, sizeof r))
                return op == TRIT_OP_GEMV ? v : m;
        }
        if (!end)
            break;
        p = end + 1;
    }
    snprintf(why, why_len, "no variant in --variants=%s runs %s here", variants, trit_format_name(f));
    return NULL;
}

size_t tb_suite_fp32_baselines(const char **names, size_t cap)
{
    size_t nf, n = 0;
    const trit_fp32_kernel *fks = trit_fp32_kernels(&nf);
    for (size_t i = 0; i < nf && n < cap; i++) {
        char why[256];
        if (trit_fp32_runnable(&fks[i], why, sizeof why))
            names[n++] = fks[i].name;
    }
    return n;
}
