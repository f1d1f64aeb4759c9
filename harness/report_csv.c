/* report_csv.c — google/benchmark's CSV: fixed columns, then one column per user counter name. */
#include <float.h>
#include <string.h>

/* A counter absent from a record: an empty cell. */
#define NAN_MARK (-DBL_MAX)

#include "tritbench/reporters.h"

static void csv_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out); /* RFC 4180: a quote inside a field is doubled */
        fputc(*s, out);
    }
    fputc('"', out);
}

static bool is_fixed(const char *name)
{
    return strcmp(name, "bytes_per_second") == 0 || strcmp(name, "items_per_second") == 0;
}

void tb_csv_write(FILE *out, const tb_results *res)
{
    char names[64][64];
    int n_names = 0;
    for (size_t i = 0; i < res->count; i++) {
        const tb_record *r = &res->records[i];
        for (int c = 0; c < r->n_counters; c++) {
            const char *nm = r->counters[c].name;
            bool seen = is_fixed(nm);
            for (int k = 0; k < n_names && !seen; k++)
                seen = strcmp(names[k], nm) == 0;
            if (!seen && n_names < 64)
                snprintf(names[n_names++], sizeof names[0], "%s", nm);
        }
    }
    fprintf(out, "name,iterations,real_time,cpu_time,time_unit,bytes_per_second,items_per_second,label,"
                 "error_occurred,error_message");
    for (int k = 0; k < n_names; k++) {
        fputc(',', out);
        csv_string(out, names[k]);
    }
    fputc('\n', out);
    for (size_t i = 0; i < res->count; i++) {
        const tb_record *r = &res->records[i];
        csv_string(out, r->name);
        if (r->error_occurred || r->skipped) {
            fprintf(out, ",,,,,,,,%s,", r->error_occurred ? "true" : "false");
            csv_string(out, r->error_occurred ? r->error_message : r->skip_message);
            for (int k = 0; k < n_names; k++)
                fputc(',', out);
            fputc('\n', out);
            continue;
        }
        fprintf(out, ",%lld,%.17g,%.17g,%s,", (long long)r->iterations, r->real_time, r->cpu_time,
                tb_time_unit_name(r->time_unit));
        double b = tb_record_counter(r, "bytes_per_second", -1.0), it = tb_record_counter(r, "items_per_second", -1.0);
        if (b >= 0.0)
            fprintf(out, "%.17g", b);
        fputc(',', out);
        if (it >= 0.0)
            fprintf(out, "%.17g", it);
        fputc(',', out);
        if (r->label[0])
            csv_string(out, r->label);
        fprintf(out, ",,");
        for (int k = 0; k < n_names; k++) {
            fputc(',', out);
            double v = tb_record_counter(r, names[k], NAN_MARK);
            if (v != NAN_MARK)
                fprintf(out, "%.17g", v);
        }
        fputc('\n', out);
    }
}
