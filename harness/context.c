/* context.c — tb_context_collect: the machine a run happened on (google/benchmark's context plus
 * compiler, topology and counter status). hwloc when built with it, /proc and /sys otherwise. */
#include "tritbench/context.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "harness/perf.h"
#include "tritbench_config.h"

#if TRIT_HAVE_HWLOC
#include <hwloc.h>
#endif

static void read_first_line(const char *path, char *buf, size_t len)
{
    buf[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    if (fgets(buf, (int)len, f))
        buf[strcspn(buf, "\n")] = '\0';
    fclose(f);
}

/* "model name : AMD EPYC" and "cpu MHz : 2595.1" from /proc/cpuinfo. */
static void read_cpuinfo(tb_context *ctx)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        char *colon = strchr(line, ':');
        if (!colon)
            continue;
        char *val = colon + 1;
        while (*val == ' ' || *val == '\t')
            val++;
        val[strcspn(val, "\n")] = '\0';
        if (!ctx->cpu_model[0] && strncmp(line, "model name", 10) == 0)
            snprintf(ctx->cpu_model, sizeof ctx->cpu_model, "%s", val);
        else if (ctx->mhz_per_cpu == 0.0 && strncmp(line, "cpu MHz", 7) == 0)
            ctx->mhz_per_cpu = atof(val);
    }
    fclose(f);
}

static long long parse_size(const char *s)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    if (*end == 'K')
        v *= 1024;
    else if (*end == 'M')
        v *= 1024 * 1024;
    return v;
}

static int count_cpu_list(const char *list)
{
    int n = 0;
    for (const char *p = list; *p;) {
        char *end;
        long a = strtol(p, &end, 10);
        if (end == p)
            break;
        long b = a;
        if (*end == '-')
            b = strtol(end + 1, &end, 10);
        if (b >= a)
            n += (int)(b - a + 1);
        p = (*end == ',') ? end + 1 : end;
        if (*end != ',')
            break;
    }
    return n;
}

/* Fallback: what google reads, /sys/devices/system/cpu/cpu0/cache/index*. */
static void caches_from_sysfs(tb_context *ctx)
{
    for (int i = 0; i < 16 && ctx->n_caches < 16; i++) {
        char path[128], buf[256];
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/size", i);
        read_first_line(path, buf, sizeof buf);
        if (!buf[0])
            break;
        tb_cache_info *c = &ctx->caches[ctx->n_caches];
        c->size = parse_size(buf);
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/level", i);
        read_first_line(path, buf, sizeof buf);
        c->level = atoi(buf);
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/type", i);
        read_first_line(path, buf, sizeof buf);
        snprintf(c->type, sizeof c->type, "%.15s", buf);
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/shared_cpu_list", i);
        read_first_line(path, buf, sizeof buf);
        c->num_sharing = count_cpu_list(buf);
        if (c->size > 0 && c->level > 0)
            ctx->n_caches++;
    }
}

#if TRIT_HAVE_HWLOC
static void from_hwloc(tb_context *ctx)
{
    hwloc_topology_t topo;
    if (hwloc_topology_init(&topo) != 0) {
        snprintf(ctx->topology, sizeof ctx->topology, "hwloc: topology init failed");
        return;
    }
    if (hwloc_topology_load(topo) != 0) {
        hwloc_topology_destroy(topo);
        snprintf(ctx->topology, sizeof ctx->topology, "hwloc: topology load failed");
        return;
    }
    ctx->have_hwloc = true;
    int packages = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PACKAGE);
    int cores = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
    int pus = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);
    int numa = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_NUMANODE);
    snprintf(ctx->topology, sizeof ctx->topology, "hwloc %s: %d package(s), %d NUMA node(s), %d core(s), %d PU(s)",
             HWLOC_VERSION, packages, numa, cores, pus);
    static const hwloc_obj_type_t types[] = {HWLOC_OBJ_L1CACHE, HWLOC_OBJ_L1ICACHE, HWLOC_OBJ_L2CACHE,
                                             HWLOC_OBJ_L3CACHE, HWLOC_OBJ_L4CACHE};
    for (size_t t = 0; t < sizeof types / sizeof types[0] && ctx->n_caches < 16; t++) {
        hwloc_obj_t obj = hwloc_get_obj_by_type(topo, types[t], 0);
        if (!obj || !obj->attr)
            continue;
        tb_cache_info *c = &ctx->caches[ctx->n_caches++];
        const struct hwloc_cache_attr_s *a = &obj->attr->cache;
        c->level = (int)a->depth;
        c->size = (long long)a->size;
        snprintf(c->type, sizeof c->type, "%s",
                 a->type == HWLOC_OBJ_CACHE_DATA          ? "Data"
                 : a->type == HWLOC_OBJ_CACHE_INSTRUCTION ? "Instruction"
                                                          : "Unified");
        c->num_sharing = obj->cpuset ? hwloc_bitmap_weight(obj->cpuset) : 1;
    }
    hwloc_topology_destroy(topo);
}
#endif

static void iso_date(char *buf, size_t len)
{
    time_t now = time(NULL);
    struct tm tm;
    char tz[8];
    buf[0] = '\0';
    if (!localtime_r(&now, &tm))
        return;
    if (strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm) == 0 || strftime(tz, sizeof tz, "%z", &tm) != 5)
        return;
    /* %z gives +0000; ISO 8601 (and google's context) writes +00:00. */
    size_t n = strlen(buf);
    snprintf(buf + n, len - n, "%.3s:%.2s", tz, tz + 3);
}

void tb_context_collect(tb_context *ctx)
{
    memset(ctx, 0, sizeof *ctx);
    iso_date(ctx->date, sizeof ctx->date);
    if (gethostname(ctx->host_name, sizeof ctx->host_name - 1) != 0)
        ctx->host_name[0] = '\0';
    ssize_t n = readlink("/proc/self/exe", ctx->executable, sizeof ctx->executable - 1);
    ctx->executable[n > 0 ? n : 0] = '\0';
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    ctx->num_cpus = cpus > 0 ? (int)cpus : 1;
    read_cpuinfo(ctx);
    char gov[64];
    read_first_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", gov, sizeof gov);
    /* Like google: scaling counts as enabled when a governor other than "performance" rules. */
    ctx->cpu_scaling_enabled = gov[0] && strcmp(gov, "performance") != 0;
    if (getloadavg(ctx->load_avg, 3) < 0)
        ctx->load_avg[0] = ctx->load_avg[1] = ctx->load_avg[2] = 0.0;
    snprintf(ctx->library_version, sizeof ctx->library_version, "%s", TRIT_VERSION);
    /* google writes "debug" or "release"; meson's debugoptimized/plain count as release here. */
    snprintf(ctx->library_build_type, sizeof ctx->library_build_type, "%s",
             strcmp(TRIT_BUILD_TYPE, "debug") == 0 ? "debug" : "release");
    snprintf(ctx->compiler, sizeof ctx->compiler, "%s", TRIT_COMPILER);
    snprintf(ctx->cflags, sizeof ctx->cflags, "%s", TRIT_CFLAGS);
    snprintf(ctx->git_commit, sizeof ctx->git_commit, "%s", TRIT_GIT_COMMIT);
#if TRIT_HAVE_HWLOC
    from_hwloc(ctx);
#else
    snprintf(ctx->topology, sizeof ctx->topology, "unavailable: built without hwloc");
#endif
    if (ctx->n_caches == 0)
        caches_from_sysfs(ctx);
    bool usable;
    tb_perf_probe(ctx->perf_counters, sizeof ctx->perf_counters, &usable);
    ctx->have_papi = usable;
    ctx->have_openblas = TRIT_HAVE_OPENBLAS;
    ctx->have_cuda = TRIT_HAVE_CUDA;
    snprintf(ctx->missing, sizeof ctx->missing, "%s", TRIT_MISSING);
    /* The OS kernel: part of the machine fingerprint the results history compares within. */
    struct utsname uts;
    if (uname(&uts) == 0)
        tb_context_add(ctx, "kernel_release", uts.release);
}

void tb_context_add(tb_context *ctx, const char *key, const char *value)
{
    if (!key || !*key)
        return;
    for (int i = 0; i < ctx->n_extras; i++) {
        if (strcmp(ctx->extra_keys[i], key) == 0) {
            snprintf(ctx->extra_values[i], sizeof ctx->extra_values[i], "%s", value ? value : "");
            return;
        }
    }
    if (ctx->n_extras >= TB_CONTEXT_MAX_EXTRAS)
        return;
    snprintf(ctx->extra_keys[ctx->n_extras], sizeof ctx->extra_keys[0], "%s", key);
    snprintf(ctx->extra_values[ctx->n_extras], sizeof ctx->extra_values[0], "%s", value ? value : "");
    ctx->n_extras++;
}

long long tb_context_llc_bytes(const tb_context *ctx)
{
    long long best = 0;
    int best_level = 0;
    for (int i = 0; i < ctx->n_caches; i++) {
        const tb_cache_info *c = &ctx->caches[i];
        if (strcmp(c->type, "Instruction") == 0)
            continue;
        if (c->level > best_level || (c->level == best_level && c->size > best)) {
            best_level = c->level;
            best = c->size;
        }
    }
    return best;
}
