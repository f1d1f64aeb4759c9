/* pin.c — --pin through hwloc: one core per OpenMP worker thread. */
#include "harness/pin.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tritbench_config.h"

#if TRIT_HAVE_HWLOC
#include <hwloc.h>
#ifdef _OPENMP
#include <omp.h>
#endif

static hwloc_topology_t topology;
static int topology_state; /* 0 not loaded, 1 loaded, -1 failed */

static int load_topology(void)
{
    if (topology_state == 0) {
        topology_state = -1;
        if (hwloc_topology_init(&topology) == 0) {
            if (hwloc_topology_load(topology) == 0)
                topology_state = 1;
            else
                hwloc_topology_destroy(topology);
        }
    }
    return topology_state;
}

static int bind_to_core(int index, char *why, size_t why_len)
{
    int cores = hwloc_get_nbobjs_by_type(topology, HWLOC_OBJ_CORE);
    hwloc_obj_type_t type = cores > 0 ? HWLOC_OBJ_CORE : HWLOC_OBJ_PU;
    int n = cores > 0 ? cores : hwloc_get_nbobjs_by_type(topology, HWLOC_OBJ_PU);
    if (n <= 0) {
        snprintf(why, why_len, "--pin: hwloc found no cores");
        return -1;
    }
    hwloc_obj_t obj = hwloc_get_obj_by_type(topology, type, (unsigned)(index % n));
    if (!obj) {
        snprintf(why, why_len, "--pin: no core %d", index % n);
        return -1;
    }
    hwloc_bitmap_t set = hwloc_bitmap_dup(obj->cpuset);
    if (!set) {
        snprintf(why, why_len, "--pin: out of memory");
        return -1;
    }
    hwloc_bitmap_singlify(set); /* one PU of the core: the thread must not wander between SMT siblings */
    int rc = hwloc_set_cpubind(topology, set, HWLOC_CPUBIND_THREAD);
    int e = errno;
    hwloc_bitmap_free(set);
    if (rc != 0) {
        snprintf(why, why_len, "--pin: hwloc_set_cpubind(core %d): %s", index % n, strerror(e));
        return -1;
    }
    return 0;
}

int tb_pin_threads(int threads, char *why, size_t why_len)
{
    if (load_topology() != 1) {
        snprintf(why, why_len, "--pin: hwloc could not load the topology");
        return -1;
    }
    int failed = 0;
    char first_why[256] = "";
#ifdef _OPENMP
#pragma omp parallel num_threads(threads) reduction(+ : failed)
    {
        char w[256];
        if (bind_to_core(omp_get_thread_num(), w, sizeof w) != 0) {
            failed++;
#pragma omp critical(tb_pin_why)
            snprintf(first_why, sizeof first_why, "%s", w);
        }
    }
#else
    (void)threads;
    if (bind_to_core(0, first_why, sizeof first_why) != 0)
        failed = 1;
#endif
    if (failed) {
        snprintf(why, why_len, "%s", first_why);
        return -1;
    }
    return 0;
}

#else

int tb_pin_threads(int threads, char *why, size_t why_len)
{
    (void)threads;
    snprintf(why, why_len, "--pin needs hwloc, and this build has none");
    return -1;
}

#endif
