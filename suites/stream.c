/* stream.c — the memory-bandwidth roofline, STREAM's way: read (sum), copy, scale, add, triad over
 * working sets from L1 to ≥ 4× the last-level cache, 1 and N threads, best of N passes excluding the
 * first, and a validation pass over the results. Also tb_stream_read_gbps(), the roofline later
 * suites divide by.
 *
 * One benchmark iteration is STREAM_PASSES timed passes; real_time and bytes_per_second are the
 * harness's means over whole iterations, and the "GB/s" counter is STREAM's own figure: the best pass
 * of the trial, never the first of an iteration. Real (not manual) time drives calibration so that a
 * loaded machine, where passes are often interrupted, makes runs noisier but never much longer.
 *
 * A size names the whole working set (all arrays the kernel touches), so "16KiB" sits in L1 for every
 * kernel. Bytes are counted as STREAM counts them: read 1, copy 2, scale 2, add 3, triad 3 words per
 * element. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "suite_list.h"
#include "tritbench/context.h"
#include "tritbench/bench.h"
#include "tritbench/formats.h"

typedef enum stream_kind { K_READ = 0, K_COPY, K_SCALE, K_ADD, K_TRIAD, K_COUNT } stream_kind;

static const struct {
    const char *name;
    int arrays; /* arrays touched = words counted per element */
} kinds[K_COUNT] = {{"read", 1}, {"copy", 2}, {"scale", 2}, {"add", 3}, {"triad", 3}};

#define STREAM_SCALAR 3.0
/* Passes per benchmark iteration; the first warms caches and TLBs and is never the one reported. */
#define STREAM_PASSES 3
/* A timed pass repeats the kernel until it has moved about this much, so that small (cache-resident)
 * sets are not timed at the clock's resolution. */
#define STREAM_MIN_PASS_BYTES (8.0 * 1024 * 1024)

/* Vectorized by the compiler for each target: the loops below use plain C and the clones let the
 * widest available registers do the work, so the figure is the memory's, not SSE2's. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define STREAM_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define STREAM_CLONES
#endif

typedef struct stream_case {
    stream_kind kind;
    int threads;
    size_t n; /* elements per array */
    size_t reps;
    double *a, *b, *c;
    double sum; /* read: the last pass's total */
} stream_case;

static double now_seconds(void) { return tb_clock_seconds(); }

/* Many independent accumulators: a single running sum would be bound by add latency, not memory. */
STREAM_CLONES static double kernel_read(const double *restrict a, size_t lo, size_t hi)
{
    double acc[32] = {0};
    size_t i = lo;
    for (; i + 32 <= hi; i += 32)
        for (int j = 0; j < 32; j++)
            acc[j] += a[i + j];
    double s = 0.0;
    for (; i < hi; i++)
        s += a[i];
    for (int j = 0; j < 32; j++)
        s += acc[j];
    return s;
}

STREAM_CLONES static void kernel_copy(double *restrict c, const double *restrict a, size_t lo, size_t hi)
{
    for (size_t i = lo; i < hi; i++)
        c[i] = a[i];
}

STREAM_CLONES static void kernel_scale(double *restrict b, const double *restrict c, size_t lo, size_t hi)
{
    for (size_t i = lo; i < hi; i++)
        b[i] = STREAM_SCALAR * c[i];
}

STREAM_CLONES static void kernel_add(double *restrict c, const double *restrict a, const double *restrict b, size_t lo,
                                     size_t hi)
{
    for (size_t i = lo; i < hi; i++)
        c[i] = a[i] + b[i];
}

STREAM_CLONES static void kernel_triad(double *restrict a, const double *restrict b, const double *restrict c,
                                       size_t lo, size_t hi)
{
    for (size_t i = lo; i < hi; i++)
        a[i] = b[i] + STREAM_SCALAR * c[i];
}

static double run_kernel(const stream_case *sc, size_t lo, size_t hi)
{
    switch (sc->kind) {
    case K_READ:
        return kernel_read(sc->a, lo, hi);
    case K_COPY:
        kernel_copy(sc->c, sc->a, lo, hi);
        break;
    case K_SCALE:
        kernel_scale(sc->b, sc->c, lo, hi);
        break;
    case K_ADD:
        kernel_add(sc->c, sc->a, sc->b, lo, hi);
        break;
    case K_TRIAD:
    default:
        kernel_triad(sc->a, sc->b, sc->c, lo, hi);
        break;
    }
    return 0.0;
}

/* Thread t's share, aligned to 8 doubles (a cache line) so no two threads write the same line. */
static void chunk(size_t n, int t, int nt, size_t *lo, size_t *hi)
{
    *lo = (n * (size_t)t / (size_t)nt) & ~(size_t)7;
    *hi = (t == nt - 1) ? n : ((n * (size_t)(t + 1) / (size_t)nt) & ~(size_t)7);
}

/* One timed pass: every thread runs `reps` kernels over its own chunk between two barriers, so the
 * parallel region's start-up is outside the time. */
static double timed_pass(stream_case *sc)
{
    double t0 = 0.0, t1 = 0.0, total = 0.0;
#ifdef _OPENMP
#pragma omp parallel num_threads(sc->threads) reduction(+ : total)
#endif
    {
        int t = 0, nt = 1;
#ifdef _OPENMP
        t = omp_get_thread_num();
        nt = omp_get_num_threads();
#endif
        size_t lo, hi;
        chunk(sc->n, t, nt, &lo, &hi);
#ifdef _OPENMP
#pragma omp barrier
#pragma omp master
#endif
        t0 = now_seconds();
#ifdef _OPENMP
#pragma omp barrier
#endif
        double s = 0.0;
        for (size_t r = 0; r < sc->reps; r++) {
            s = run_kernel(sc, lo, hi);
            /* The compiler must not merge or drop the repeated passes over unchanged data. */
            __asm__ __volatile__("" ::: "memory");
        }
        total += s;
#ifdef _OPENMP
#pragma omp barrier
#pragma omp master
#endif
        t1 = now_seconds();
    }
    sc->sum = total;
    return t1 - t0;
}

static double init_a(size_t i)
{
    return 1.0 + (double)(i % 7);
}
static double init_b(size_t i)
{
    return 2.0 + (double)(i % 5);
}
static double init_c(size_t i)
{
    return 0.5 * (double)(i % 3);
}

static void stream_case_free(stream_case *sc)
{
    if (!sc)
        return;
    trit_free_weights(sc->a);
    trit_free_weights(sc->b);
    trit_free_weights(sc->c);
    free(sc);
}

static double bytes_per_rep(const stream_case *sc)
{
    return (double)kinds[sc->kind].arrays * (double)sc->n * sizeof(double);
}

/* Allocates and first-touches the arrays with the same thread split the kernels use. */
static stream_case *stream_case_new(stream_kind kind, size_t footprint, int threads)
{
    stream_case *sc = calloc(1, sizeof *sc);
    if (!sc)
        return NULL;
    sc->kind = kind;
    sc->threads = threads;
    sc->n = footprint / ((size_t)kinds[kind].arrays * sizeof(double));
    if (sc->n < 64) {
        free(sc);
        return NULL;
    }
    size_t bytes = (sc->n * sizeof(double) + 4095) & ~(size_t)4095;
    /* The weights' allocator: the memory roof a kernel's weights are held against must sit on the same pages
     * (2 MiB huge pages from 2 MiB up) — on 4 KiB pages a 128 MiB read stream runs ~16 GB/s here against ~30 on
     * huge pages, and a kernel streaming huge-paged weights would "beat" its own roof by 2×. */
    void *pa = trit_alloc_weights(bytes), *pb = trit_alloc_weights(bytes), *pc = trit_alloc_weights(bytes);
    sc->a = pa;
    sc->b = pb;
    sc->c = pc;
    if (!pa || !pb || !pc) {
        stream_case_free(sc);
        return NULL;
    }
#ifdef _OPENMP
#pragma omp parallel num_threads(threads)
#endif
    {
        int t = 0, nt = 1;
#ifdef _OPENMP
        t = omp_get_thread_num();
        nt = omp_get_num_threads();
#endif
        size_t lo, hi;
        chunk(sc->n, t, nt, &lo, &hi);
        for (size_t i = lo; i < hi; i++) {
            sc->a[i] = init_a(i);
            sc->b[i] = init_b(i);
            sc->c[i] = init_c(i);
        }
    }
    double per_rep = bytes_per_rep(sc);
    sc->reps = per_rep >= STREAM_MIN_PASS_BYTES ? 1 : (size_t)ceil(STREAM_MIN_PASS_BYTES / per_rep);
    return sc;
}

/* STREAM's check: every kernel is idempotent on the initial data, so each output element has one
 * exact expected value (all values are small multiples of 0.5, exact in double). */
static const char *stream_validate(const stream_case *sc)
{
    if (sc->kind == K_READ) {
        double expect = 0.0;
        for (size_t i = 0; i < sc->n; i++)
            expect += init_a(i);
        return sc->sum == expect ? NULL : "read: the sum differs from the data's";
    }
    for (size_t i = 0; i < sc->n; i++) {
        double got, want;
        switch (sc->kind) {
        case K_COPY:
            got = sc->c[i], want = init_a(i);
            break;
        case K_SCALE:
            got = sc->b[i], want = STREAM_SCALAR * init_c(i);
            break;
        case K_ADD:
            got = sc->c[i], want = init_a(i) + init_b(i);
            break;
        case K_TRIAD:
        default:
            got = sc->a[i], want = init_b(i) + STREAM_SCALAR * init_c(i);
            break;
        }
        if (got != want)
            return "an output element differs from its expected value";
    }
    return NULL;
}

/* ---- the benchmarks ---- */

typedef struct stream_arg {
    stream_kind kind;
    size_t footprint;
    const char *level; /* "L1", "L2", "L3", "DRAM": the label */
} stream_arg;

static void *stream_setup(tb_state *st)
{
    const stream_arg *arg = tb_arg(st);
#ifndef _OPENMP
    if (tb_threads(st) > 1) {
        tb_skip(st, "built without OpenMP: one thread only");
        return NULL;
    }
#endif
    stream_case *sc = stream_case_new(arg->kind, arg->footprint, tb_threads(st));
    if (!sc)
        tb_skip_with_error(st, "cannot allocate the stream arrays");
    return sc;
}

static void stream_teardown(void *fx)
{
    stream_case_free(fx);
}

static void stream_run(tb_state *st)
{
    stream_case *sc = tb_fixture(st);
    const stream_arg *arg = tb_arg(st);
    double best_all = INFINITY;
    while (tb_keep_running(st)) {
        double best = INFINITY;
        for (int p = 0; p < STREAM_PASSES; p++) {
            double t = timed_pass(sc);
            if (p > 0 && t < best)
                best = t;
        }
        best_all = best < best_all ? best : best_all;
    }
    double pass_bytes = bytes_per_rep(sc) * (double)sc->reps;
    tb_set_bytes_processed(st, (double)tb_iterations(st) * STREAM_PASSES * pass_bytes);
    /* STREAM's figure: the best pass of the whole trial (a pass that no other process interrupted). */
    tb_counter(st, "GB/s", best_all > 0.0 && isfinite(best_all) ? pass_bytes / best_all / 1e9 : 0.0, TB_COUNTER_DEFAULT);
    tb_set_label(st, arg->level);
    const char *bad = stream_validate(sc);
    if (bad) {
        char msg[160];
        snprintf(msg, sizeof msg, "stream/%s validation failed: %s", kinds[sc->kind].name, bad);
        tb_skip_with_error(st, msg);
    }
}

/* Cache sizes from the run's context (hwloc or /sys); sysconf if that knows nothing. */
static void cache_sizes(long long *l1, long long *l2, long long *llc)
{
    tb_context ctx;
    tb_context_collect(&ctx);
    *l1 = *l2 = 0;
    for (int i = 0; i < ctx.n_caches; i++) {
        const tb_cache_info *c = &ctx.caches[i];
        if (strcmp(c->type, "Instruction") == 0)
            continue;
        if (c->level == 1)
            *l1 = c->size;
        else if (c->level == 2)
            *l2 = c->size;
    }
    *llc = tb_context_llc_bytes(&ctx);
    if (*l1 <= 0)
        *l1 = sysconf(_SC_LEVEL1_DCACHE_SIZE);
    if (*l2 <= 0)
        *l2 = sysconf(_SC_LEVEL2_CACHE_SIZE);
    if (*llc <= 0 || *llc < *l2)
        *llc = sysconf(_SC_LEVEL3_CACHE_SIZE);
    if (*l1 <= 0)
        *l1 = 32 * 1024;
    if (*l2 <= *l1)
        *l2 = 16 * *l1;
    if (*llc < *l2)
        *llc = *l2;
}

static size_t pow2_floor(long long v)
{
    size_t p = 4096;
    while ((long long)(p * 2) <= v)
        p *= 2;
    return p;
}

static size_t pow2_ceil(long long v)
{
    size_t p = 4096;
    while ((long long)p < v)
        p *= 2;
    return p;
}

static void size_name(size_t bytes, char *buf, size_t len)
{
    if (bytes >= 1024 * 1024)
        snprintf(buf, len, "%zuMiB", bytes / (1024 * 1024));
    else
        snprintf(buf, len, "%zuKiB", bytes / 1024);
}

#define STREAM_MAX_SIZES 4
static stream_arg stream_args[STREAM_MAX_SIZES * K_COUNT];

int tb_suite_stream_register(tb_registry *r, const tb_suite_config *cfg)
{
    long long l1, l2, llc;
    cache_sizes(&l1, &l2, &llc);
    /* Half of each level leaves room for the rest of the process; 4× the LLC is STREAM's rule. */
    const struct {
        size_t bytes;
        const char *level;
    } sizes[STREAM_MAX_SIZES] = {
        {pow2_floor(l1 / 2), "L1"}, {pow2_floor(l2 / 2), "L2"}, {pow2_floor(llc / 2), "L3"}, {pow2_ceil(4 * llc), "DRAM"}};
    int n_sizes = cfg->quick ? 2 : STREAM_MAX_SIZES;
    int n_threads = cfg->n_threads > 0 ? cfg->n_threads : 1;
    for (int k = 0; k < K_COUNT; k++) {
        for (int s = 0; s < n_sizes; s++) {
            stream_arg *arg = &stream_args[k * STREAM_MAX_SIZES + s];
            arg->kind = (stream_kind)k;
            arg->footprint = sizes[s].bytes;
            arg->level = sizes[s].level;
            char family[32], args[32];
            snprintf(family, sizeof family, "stream/%s", kinds[k].name);
            size_name(sizes[s].bytes, args, sizeof args);
            for (int t = 0; t < n_threads; t++) {
                tb_bench_spec spec = {.family = family,
                                      .args = args,
                                      .run = stream_run,
                                      .setup = stream_setup,
                                      .teardown = stream_teardown,
                                      .arg = arg,
                                      .threads = cfg->n_threads > 0 ? cfg->threads[t] : 1,
                                      .time_unit = TB_US};
                if (tb_register(r, &spec) != 0)
                    return -1;
            }
        }
    }
    return 0;
}

/* ---- the roofline for other suites ---- */

#define ROOF_SLOTS 64
static struct {
    int size_class, threads;
    double gbps;
} roof[ROOF_SLOTS];
static int n_roof;
static pthread_mutex_t roof_lock = PTHREAD_MUTEX_INITIALIZER;

static int size_class(size_t bytes)
{
    int c = 0;
    while (bytes > 1 && c < 63) {
        bytes >>= 1;
        c++;
    }
    return c;
}

static double measure_read(size_t bytes, int threads)
{
    stream_case *sc = stream_case_new(K_READ, bytes, threads);
    if (!sc)
        return 0.0;
    enum { PASSES = 7 };
    double best = INFINITY;
    for (int p = 0; p < PASSES; p++) {
        double t = timed_pass(sc);
        if (p > 0 && t < best)
            best = t;
    }
    double gbps = (best > 0.0 && stream_validate(sc) == NULL) ? bytes_per_rep(sc) * (double)sc->reps / best / 1e9 : 0.0;
    stream_case_free(sc);
    return gbps;
}

static volatile double read_sink; /* tb_stream_read_seconds keeps its sum, so the read cannot be dropped */

double tb_stream_read_seconds(const void *p, size_t bytes)
{
    const double t0 = now_seconds();
    read_sink = kernel_read((const double *)p, 0, bytes / sizeof(double));
    return now_seconds() - t0;
}

double tb_stream_read_gbps(size_t bytes, int threads)
{
    if (bytes < 64 * sizeof(double) || threads < 1)
        return 0.0;
    int cls = size_class(bytes);
    pthread_mutex_lock(&roof_lock);
    for (int i = 0; i < n_roof; i++) {
        if (roof[i].size_class == cls && roof[i].threads == threads) {
            double v = roof[i].gbps;
            pthread_mutex_unlock(&roof_lock);
            return v;
        }
    }
    /* Measured under the lock: two callers must not measure at once and disturb each other. */
    double v = measure_read((size_t)1 << cls, threads);
    if (v > 0.0 && n_roof < ROOF_SLOTS) {
        roof[n_roof].size_class = cls;
        roof[n_roof].threads = threads;
        roof[n_roof].gbps = v;
        n_roof++;
    }
    pthread_mutex_unlock(&roof_lock);
    return v;
}
