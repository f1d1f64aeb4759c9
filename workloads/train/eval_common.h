/* eval_common.h — pieces the FP32/fake-quant evaluation and the packed-kernel evaluation share
 * (internal to workloads/train). */
#ifndef TB_TRAIN_EVAL_COMMON_H
#define TB_TRAIN_EVAL_COMMON_H

#include <stddef.h>
#include <stdint.h>

#define TB_EVAL_BATCH 500

/* Σ cross-entropy over n rows of logits (n × C); *correct += rows whose argmax (first maximum) is the label. */
double tb_ce_sum(const float *logits, const uint8_t *labels, size_t n, size_t C, size_t *correct);

#endif
