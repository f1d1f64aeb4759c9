/* all.c — the table of suites `tritbench run` and `tritbench list` know. */
#include <string.h>

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
