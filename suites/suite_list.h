/* suite_list.h — registration functions of every suite (one per file in suites/). */
#ifndef TRITBENCH_SUITE_LIST_H
#define TRITBENCH_SUITE_LIST_H

#include "tritbench/suites.h"

int tb_suite_stream_register(tb_registry *r, const tb_suite_config *cfg);    /* stream.c */
int tb_suite_roof_register(tb_registry *r, const tb_suite_config *cfg);      /* roof.c */
int tb_suite_quant_register(tb_registry *r, const tb_suite_config *cfg);     /* quant.c */
int tb_suite_gemv_register(tb_registry *r, const tb_suite_config *cfg);      /* matmul.c */
int tb_suite_gemm_register(tb_registry *r, const tb_suite_config *cfg);      /* matmul.c */
int tb_suite_bitlinear_register(tb_registry *r, const tb_suite_config *cfg); /* bitlinear.c */
int tb_suite_e2e_register(tb_registry *r, const tb_suite_config *cfg);       /* e2e.c */
int tb_suite_cuda_register(tb_registry *r, const tb_suite_config *cfg);      /* cuda.c */

#endif
