/* reporters.h — turning a context and run records into google/benchmark-compatible output: the
 * console table, JSON (json_schema_version 1, readable by google's compare.py) and CSV. Reporters
 * only read records; they never measure. */
#ifndef TRITBENCH_REPORTERS_H
#define TRITBENCH_REPORTERS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "tritbench/bench.h"
#include "tritbench/context.h"

typedef enum tb_format { TB_FORMAT_CONSOLE = 0, TB_FORMAT_JSON, TB_FORMAT_CSV } tb_format;
int tb_format_parse(const char *name, tb_format *out); /* "console", "json", "csv"; 0 or -1 */
const char *tb_format_name(tb_format f);

/* New references (json_decref them); NULL only when out of memory. */
json_t *tb_context_to_json(const tb_context *ctx);
json_t *tb_record_to_json(const tb_record *rec);
json_t *tb_results_to_json(const tb_context *ctx, const tb_results *res); /* {"context", "benchmarks"} */

/* Console, like google's ConsoleReporter: the context header, then a table row per record. */
void tb_console_context(FILE *out, const tb_context *ctx);
/* The column rule and header; name_width = the longest name the run will print. */
void tb_console_header(FILE *out, int name_width);
void tb_console_record(FILE *out, const tb_record *rec, int name_width);
/* A console table printed row by row as results arrive (`run`'s stdout), with google/benchmark's
 * --benchmark_color (name green, times yellow, iterations cyan, errors red) and
 * --benchmark_counters_tabular (user counters as columns; the header again whenever the set changes). */
typedef struct tb_console {
    FILE *out;
    int name_width;
    bool color, tabular;
    bool header_done;
    char columns[TB_MAX_COUNTERS][64]; /* counter columns of the last header (tabular) */
    int n_columns;
} tb_console;
/* Prints the header now unless tabular (then it comes with the first row). */
void tb_console_begin(tb_console *c, FILE *out, int name_width, bool color, bool tabular);
void tb_console_row(tb_console *c, const tb_record *rec);
/* One progress line, no newline: "[ 12/40] 0:31 elapsed, ~1:12 left  gemv/i2/...". */
void tb_console_progress(char *buf, size_t len, const tb_progress *p);
/* Width for a set of instance names, leaving room for aggregate suffixes ("_median"). */
int tb_console_name_width(const char *const *names, size_t n);

/* CSV, like google's CSVReporter: header, then one line per record; user counters as extra columns
 * (their names taken from the records). */
void tb_csv_write(FILE *out, const tb_results *res);

/* The whole result set in `format` to `path`, atomically. Returns 0, or -1 with a message naming the path. */
int tb_results_write_file(const char *path, tb_format format, const tb_context *ctx, const tb_results *res, char *err,
                          size_t err_len);

#endif
