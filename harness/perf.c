/* perf.c — PAPI event sets for --perf_counters, and the PAPI line of the context. Counters are read
 * on the harness thread only (OpenMP workers are not attached). */
#include "harness/perf.h"

#include <stdio.h>
#include <string.h>

#include "tritbench/args.h" /* tb_list_next */
#include "tritbench_config.h"

#if TRIT_HAVE_PAPI
#include <papi.h>

static int papi_init(char *why, size_t why_len)
{
    if (PAPI_is_initialized() != PAPI_NOT_INITED)
        return 0;
    int v = PAPI_library_init(PAPI_VER_CURRENT);
    if (v != PAPI_VER_CURRENT) {
        snprintf(why, why_len, "PAPI_library_init: %s", v < 0 ? PAPI_strerror(v) : "version mismatch");
        return -1;
    }
    return 0;
}

int tb_perf_open(tb_perf *p, const char *list, char *why, size_t why_len)
{
    memset(p, 0, sizeof *p);
    p->event_set = PAPI_NULL;
    if (papi_init(why, why_len) != 0)
        return -1;
    int rc = PAPI_create_eventset(&p->event_set);
    if (rc != PAPI_OK) {
        snprintf(why, why_len, "PAPI_create_eventset: %s", PAPI_strerror(rc));
        return -1;
    }
    char name[sizeof p->names[0] + 1];
    const char *cur = list;
    for (int got; (got = tb_list_next(&cur, name, sizeof name)) != 0;) {
        if (got > 0 && !*name)
            continue; /* "a,,b": empty items are skipped, as before */
        if (got < 0 || p->n >= TB_PERF_MAX || strlen(name) >= sizeof p->names[0]) {
            snprintf(why, why_len, "too many counters or name too long (at most %d)", TB_PERF_MAX);
            tb_perf_close(p);
            return -1;
        }
        snprintf(p->names[p->n], sizeof p->names[0], "%s", name);
        rc = PAPI_add_named_event(p->event_set, p->names[p->n]);
        if (rc != PAPI_OK) {
            snprintf(why, why_len, "%s: %s", p->names[p->n], PAPI_strerror(rc));
            tb_perf_close(p);
            return -1;
        }
        p->n++;
    }
    /* Listing counters is not enough (VMs list them and then refuse): test-start the set. */
    rc = PAPI_start(p->event_set);
    if (rc != PAPI_OK) {
        snprintf(why, why_len, "PAPI_start: %s", PAPI_strerror(rc));
        tb_perf_close(p);
        return -1;
    }
    long long tmp[TB_PERF_MAX];
    PAPI_stop(p->event_set, tmp);
    return 0;
}

void tb_perf_close(tb_perf *p)
{
    if (p->event_set != PAPI_NULL) {
        if (p->running) {
            long long tmp[TB_PERF_MAX];
            PAPI_stop(p->event_set, tmp);
        }
        PAPI_cleanup_eventset(p->event_set);
        PAPI_destroy_eventset(&p->event_set);
    }
    p->event_set = PAPI_NULL;
    p->n = 0;
    p->running = false;
}

void tb_perf_start(tb_perf *p)
{
    if (p->n > 0 && !p->running && PAPI_start(p->event_set) == PAPI_OK)
        p->running = true;
}

void tb_perf_stop(tb_perf *p)
{
    if (!p->running)
        return;
    long long v[TB_PERF_MAX] = {0};
    if (PAPI_stop(p->event_set, v) == PAPI_OK)
        for (int i = 0; i < p->n; i++)
            p->acc[i] += v[i];
    p->running = false;
}

void tb_perf_probe(char *status, size_t len, bool *usable)
{
    char why[200];
    *usable = false;
    if (papi_init(why, sizeof why) != 0) {
        snprintf(status, len, "unavailable: %s", why);
        return;
    }
    int n = PAPI_num_hwctrs();
    tb_perf p;
    if (tb_perf_open(&p, "PAPI_TOT_CYC", why, sizeof why) != 0) {
        snprintf(status, len, "unavailable: PAPI %d.%d.%d lists %d counters, but %s", PAPI_VERSION_MAJOR(PAPI_VERSION),
                 PAPI_VERSION_MINOR(PAPI_VERSION), PAPI_VERSION_REVISION(PAPI_VERSION), n, why);
        return;
    }
    tb_perf_close(&p);
    *usable = true;
    snprintf(status, len, "PAPI %d.%d.%d: %d counters", PAPI_VERSION_MAJOR(PAPI_VERSION),
             PAPI_VERSION_MINOR(PAPI_VERSION), PAPI_VERSION_REVISION(PAPI_VERSION), n);
}

#else /* no PAPI in this build */

int tb_perf_open(tb_perf *p, const char *list, char *why, size_t why_len)
{
    (void)list;
    memset(p, 0, sizeof *p);
    snprintf(why, why_len, "built without PAPI");
    return -1;
}

void tb_perf_close(tb_perf *p)
{
    p->n = 0;
}

void tb_perf_start(tb_perf *p)
{
    (void)p;
}

void tb_perf_stop(tb_perf *p)
{
    (void)p;
}

void tb_perf_probe(char *status, size_t len, bool *usable)
{
    *usable = false;
    snprintf(status, len, "unavailable: built without PAPI");
}

#endif

void tb_perf_reset(tb_perf *p)
{
    for (int i = 0; i < TB_PERF_MAX; i++)
        p->acc[i] = 0;
}
