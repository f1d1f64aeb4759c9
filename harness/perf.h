/* perf.h — hardware counters through PAPI for --perf_counters. On machines where PAPI lists
 * counters but cannot start them (VMs), opening fails with the reason and the run goes on. */
#ifndef TRITBENCH_HARNESS_PERF_H
#define TRITBENCH_HARNESS_PERF_H

#include <stdbool.h>
#include <stddef.h>

#define TB_PERF_MAX 8

typedef struct tb_perf {
    int event_set;
    int n;
    char names[TB_PERF_MAX][64];
    long long acc[TB_PERF_MAX]; /* summed over start/stop pairs since the last reset */
    bool running;
} tb_perf;

/* Parses "PAPI_TOT_CYC,PAPI_TOT_INS", creates the event set and test-starts it. Returns 0, or -1 with
 * the reason in why (no PAPI in this build, unknown event, PAPI_start failing ...). */
int tb_perf_open(tb_perf *p, const char *list, char *why, size_t why_len);
void tb_perf_close(tb_perf *p);
void tb_perf_reset(tb_perf *p);
void tb_perf_start(tb_perf *p);
void tb_perf_stop(tb_perf *p);
/* A one-line status for the context: "PAPI 7.0.0: N counters" or "unavailable: <reason>". */
void tb_perf_probe(char *status, size_t len, bool *usable);

#endif
