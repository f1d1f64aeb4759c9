/* mock_report.h — a recording stand-in for the validator's vr_* functions, so the accuracy section can be
 * tested on its own: checks, metrics, tables, notes and plots are kept for the test to inspect. */
#ifndef TB_TESTS_TRAIN_MOCK_REPORT_H
#define TB_TESTS_TRAIN_MOCK_REPORT_H

#include <stddef.h>

#include "tritbench/validate.h"

#define MOCK_MAX 64

typedef struct mock_check {
    char section[32], target[64], subject[256], na_reason[1024];
    double measured;
    bool na;
} mock_check;

typedef struct mock_log {
    mock_check checks[MOCK_MAX];
    size_t n_checks;
    char metric_keys[MOCK_MAX][64];
    double metric_values[MOCK_MAX];
    size_t n_metrics;
    size_t n_tables, n_rows, n_notes, n_plots;
    char plot_body[4096], plot_tsv[8192], plot_title[256], notes[8192];
} mock_log;

extern mock_log mock;
vr_report *mock_report(void);
bool mock_metric(const char *key, double *value);

#endif
