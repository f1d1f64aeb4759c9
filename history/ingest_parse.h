/* ingest_parse.h — a result file's JSON turned into what the store keeps: the machine, the run's
 * metadata, and per benchmark instance its repetition samples and counters. Internal to history/. */
#ifndef TRITBENCH_HISTORY_INGEST_PARSE_H
#define TRITBENCH_HISTORY_INGEST_PARSE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "tritbench/history.h"

typedef struct hist_machine {
    char fingerprint[20];
    char cpu_model[128], isa[512], kernel[128], compiler[128];
    int num_cpus;
} hist_machine;

typedef struct parsed_group {
    const char *name;  /* run_name (the instance) */
    json_t **rows;     /* iteration rows, in file order; or the one median aggregate */
    size_t n, cap;
    json_t *median_aggregate;
    json_t *failed;    /* an error_occurred / skipped row */
} parsed_group;

typedef struct parsed_file {
    json_t *root;
    bool is_validate;
    char date[32], host[128], commit[64], profile[128];
    hist_machine machine;
    parsed_group *groups; /* in order of first appearance */
    size_t n_groups;
} parsed_file;

int hist_parse_file(const char *text, size_t len, const char *origin, const hist_ingest_opts *opts,
                    parsed_file *out, char *err, size_t err_len);
void hist_parsed_free(parsed_file *f);
/* "YYYY-MM-DDTHH:MM:SS[.f][Z|±HH:MM]" (or a space for T, or only a date) → UTC "YYYY-MM-DDTHH:MM:SSZ". */
int hist_normalize_date(const char *in, char out[32]);
/* Seconds per unit of a google/benchmark time_unit; 0 when unknown. */
double hist_unit_seconds(const char *unit);

#endif
