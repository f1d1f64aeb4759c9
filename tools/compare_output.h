/* compare_output.h — the comparison table of `tritbench compare` and `tritbench ab`: console (names
 * escaped), Markdown, and JSON. */
#ifndef TRITBENCH_TOOLS_COMPARE_OUTPUT_H
#define TRITBENCH_TOOLS_COMPARE_OUTPUT_H

#include <jansson.h>
#include <stdio.h>

#include "tritbench/args.h"
#include "tritbench/compare.h"

/* tb_args setters of --threshold and --alpha, shared by `compare` and `ab` (tools/cmd_compare.c). */
int cmp_set_threshold(const tb_opt *opt, void *field, const char *v, char *err, size_t err_len);
int cmp_set_alpha(const tb_opt *opt, void *field, const char *v, char *err, size_t err_len);

/* A time in seconds for a table: "152.07 us", "3.170 ms"; "n/a" for NaN (also `tritbench history`). */
void tb_format_seconds(double s, char *buf, size_t len);

void cmp_print_console(FILE *out, const cmp_result *res, const cmp_options *opt);
void cmp_print_md(FILE *out, const cmp_result *res, const cmp_options *opt);
/* The rows and counts as a JSON object (new reference), NULL on no memory. */
json_t *cmp_result_json(const cmp_result *res, const cmp_options *opt);
/* The plain-language summary lines (stderr): inconclusive rows, observed spread, unpaired names. */
void cmp_print_summary(FILE *out, const cmp_result *res, const cmp_options *opt, const char *base_label,
                       const char *new_label, bool interleaved);

#endif
