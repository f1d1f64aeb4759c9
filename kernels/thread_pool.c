/* thread_pool.c — the persistent pinned pool of thread_pool.h: one generation counter starts a run, each
 * participant claims tasks from its own home range and then from the others' (one tagged counter each), the
 * caller waits for the tasks, not for the workers; waits are a bounded spin then a futex sleep (Linux). */
#include "tritbench/thread_pool.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define cpu_relax() _mm_pause()
#elif defined(__aarch64__)
#define cpu_relax() __asm__ __volatile__("yield" ::: "memory")
#else
#define cpu_relax() ((void)0)
#endif

#define CACHE_LINE 64

struct trit_pool {
    /* What the caller writes and the workers read: its own line, so a spinning worker does not steal the
     * line the caller's completion counter lives on. */
    _Alignas(CACHE_LINE) atomic_uint generation; /* bumped once per run (and once to stop) */
    atomic_int sleepers;                          /* workers in (or about to enter) futex_wait on generation */
    trit_pool_task task;                          /* the run's job: written before generation is bumped */
    void *arg;
    atomic_int count;
    bool stop;
    _Alignas(CACHE_LINE) atomic_uint done; /* tasks of this run that have returned */
    atomic_int caller_sleeping;            /* the caller is in (or about to enter) futex_wait on done */
    struct claim_slot *claims;             /* one per participant: its home range's next task, tagged */
    _Alignas(CACHE_LINE) atomic_flag busy;      /* held by the one run in progress */
    int threads;
    bool pinned;
    cpu_set_t worker_cpus; /* CPUs the workers are pinned to (pinned pools) */
    cpu_set_t caller_cpus; /* the start mask less worker_cpus: where the caller should run; may be empty */
    int started; /* workers created (for the error path of create) */
    unsigned forks; /* fork_count when created: a forked child has none of these workers */
    pthread_t *tids;
    struct worker_arg *args;
};

/* Participant p's home range is tasks [home(p), home(p + 1)); its slot holds (generation << 32 | next): the
 * run the counter belongs to and how many of the range's tasks have been claimed. A claim is one CAS that
 * also checks the tag, so a participant that wakes late (descheduled between reading the generation and
 * claiming) can never take a task of a run that is over or of the next one: the caller re-tags every slot
 * before it writes the next run's job. Own line each: the participants claim in parallel. */
struct claim_slot {
    _Alignas(CACHE_LINE) atomic_ullong word;
};

struct worker_arg {
    trit_pool *pool;
    int index; /* participant index, 1 … threads − 1 */
    int cpu;   /* CPU to pin to, or −1 */
};

/* ---- futex and the bounded spin ---- */

static void futex_wait(atomic_uint *word, unsigned expected)
{
    /* EAGAIN (value already changed) and EINTR both mean: re-check. */
    (void)syscall(SYS_futex, (unsigned *)word, FUTEX_WAIT_PRIVATE, expected, NULL, NULL, 0);
}

static void futex_wake_all(atomic_uint *word)
{
    (void)syscall(SYS_futex, (unsigned *)word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Microseconds a waiting thread spins before it sleeps: long enough to cover the gap between two
 * back-to-back calls (so the next call needs no system call), short enough that a thread waiting on a
 * descheduled peer gives its core back quickly. */
static long long spin_ns(void)
{
    static atomic_llong cached = -1;
    long long v = atomic_load_explicit(&cached, memory_order_relaxed);
    if (v < 0) {
        const char *e = getenv("TRIT_POOL_SPIN_US");
        char *end = NULL;
        long us = e && *e ? strtol(e, &end, 10) : -1;
        v = (us >= 0 && us <= 100000 && end && *end == '\0') ? us * 1000LL : 20000LL;
        atomic_store_explicit(&cached, v, memory_order_relaxed);
    }
    return v;
}

/* Spins until *word != value or the spin budget is spent; returns true when it changed. */
static bool spin_until_changed(atomic_uint *word, unsigned value)
{
    const long long budget = spin_ns();
    long long start = -1;
    for (unsigned i = 0;; i++) {
        if (atomic_load_explicit(word, memory_order_acquire) != value)
            return true;
        cpu_relax();
        if ((i & 31u) == 31u) { /* the clock costs ~20 ns: read it every 32 pauses */
            const long long t = now_ns();
            if (start < 0)
                start = t;
            else if (t - start >= budget)
                return false;
        }
    }
}

/* ---- the CPUs workers are pinned to: the affinity mask the process started with (taskset, cgroups),
 * read before anything (e.g. --pin) narrows the main thread's own mask ---- */

static int start_cpus[CPU_SETSIZE];
static int start_cpu_count;

/* Bumped in a forked child, whose pools' workers stayed in the parent: a run there must not wait for them. */
static atomic_uint fork_count;
static void forget_pools_in_child(void);

__attribute__((constructor)) static void read_start_mask(void)
{
    (void)pthread_atfork(NULL, NULL, forget_pools_in_child);
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) != 0)
        return;
    for (int c = 0; c < CPU_SETSIZE; c++)
        if (CPU_ISSET(c, &set))
            start_cpus[start_cpu_count++] = c;
}

static void pin_self(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    /* A refused binding (a cgroup changed under us) only costs locality, never correctness. */
    (void)pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

/* ---- runs: claiming tasks ---- */

static int home(int p, int count, int threads)
{
    return (int)((long long)count * p / threads);
}

/* Runs every task participant p can claim in run `gen`: first its own home range in order (the same rows
 * as the run before, so its caches stay warm), then what the others have not claimed yet, so that a
 * participant that starts late — a worker still asleep, or descheduled for a time slice — delays the run by
 * at most the one task it holds. Returns when nothing is left to claim in `gen`. */
static void participate(trit_pool *pool, int p, unsigned gen)
{
    const int threads = pool->threads;
    const int count = atomic_load(&pool->count); /* after gen's generation was seen: gen's, or the CAS fails */
    for (int k = 0; k < threads; k++) {
        const int q = (p + k) % threads, lo = home(q, count, threads), n = home(q + 1, count, threads) - lo;
        struct claim_slot *slot = &pool->claims[q];
        unsigned long long word = atomic_load(&slot->word);
        for (;;) {
            if ((unsigned)(word >> 32) != gen)
                return; /* the run is over (every task returned, the slots re-tagged): touch nothing */
            const unsigned next = (unsigned)word;
            if (next >= (unsigned)n)
                break;
            if (!atomic_compare_exchange_weak(&slot->word, &word, word + 1))
                continue; /* word now holds the current value */
            /* Claimed: the run cannot finish before this task returns, so task and arg are still gen's. */
            pool->task(pool->arg, lo + (int)next, count);
            if (atomic_fetch_add(&pool->done, 1) + 1 == (unsigned)count && atomic_load(&pool->caller_sleeping))
                futex_wake_all(&pool->done);
            word = atomic_load(&slot->word);
        }
    }
}

/* ---- workers ---- */

static void run_tasks(trit_pool_task task, void *arg, int count)
{
    for (int i = 0; i < count; i++)
        task(arg, i, count);
}

static void *worker_main(void *p)
{
    const struct worker_arg *wa = p;
    trit_pool *pool = wa->pool;
    if (wa->cpu >= 0)
        pin_self(wa->cpu);
    /* Generation 0 is the pool's at creation; reading it here instead could miss a run (or the stop)
     * published before this thread got the CPU. */
    unsigned seen = 0;
    for (;;) {
        if (!spin_until_changed(&pool->generation, seen)) {
            /* Announce the sleep before re-checking (both seq_cst): the caller bumps generation and then
             * reads sleepers, so one of the two sees the other and no wake-up is lost. */
            atomic_fetch_add(&pool->sleepers, 1);
            while (atomic_load(&pool->generation) == seen)
                futex_wait(&pool->generation, seen);
            atomic_fetch_sub(&pool->sleepers, 1);
        }
        seen = atomic_load_explicit(&pool->generation, memory_order_acquire);
        if (pool->stop)
            return NULL;
        participate(pool, wa->index, seen);
    }
}

/* Starts run `gen` + 1 (or the stop): the slots are re-tagged first, then the job is written, then the
 * generation is bumped (all seq_cst), so a claim that succeeds always sees the job of its own run. */
static unsigned publish(trit_pool *pool, int count)
{
    const unsigned gen = atomic_load(&pool->generation) + 1;
    for (int q = 0; q < pool->threads; q++)
        atomic_store(&pool->claims[q].word, (unsigned long long)gen << 32);
    atomic_store(&pool->done, 0);
    atomic_store(&pool->count, count);
    atomic_fetch_add(&pool->generation, 1); /* seq_cst: releases the job fields */
    if (atomic_load(&pool->sleepers) > 0)
        futex_wake_all(&pool->generation);
    return gen;
}

/* Until every task of the run has returned (workers that never claimed one are not waited for). */
static void wait_tasks(trit_pool *pool, unsigned count)
{
    for (;;) {
        unsigned have = atomic_load(&pool->done);
        if (have == count)
            return;
        if (spin_until_changed(&pool->done, have))
            continue;
        atomic_store(&pool->caller_sleeping, 1);
        have = atomic_load(&pool->done);
        if (have != count)
            futex_wait(&pool->done, have);
        atomic_store(&pool->caller_sleeping, 0);
    }
}

static void stop_workers(trit_pool *pool, int started)
{
    pool->stop = true;
    publish(pool, 0);
    for (int i = 0; i < started; i++)
        pthread_join(pool->tids[i], NULL);
}

trit_pool *trit_pool_create(int threads, bool pin)
{
    if (threads < 1 || threads > TRIT_POOL_MAX_THREADS)
        return NULL;
    trit_pool *pool = aligned_alloc(CACHE_LINE, (sizeof *pool + CACHE_LINE - 1) / CACHE_LINE * CACHE_LINE);
    if (!pool)
        return NULL;
    memset(pool, 0, sizeof *pool);
    pool->threads = threads;
    pool->forks = atomic_load(&fork_count);
    atomic_flag_clear(&pool->busy);
    atomic_init(&pool->generation, 0);
    atomic_init(&pool->sleepers, 0);
    atomic_init(&pool->done, 0);
    atomic_init(&pool->count, 0);
    atomic_init(&pool->caller_sleeping, 0);
    const int workers = threads - 1;
    pool->pinned = pin && start_cpu_count > 0;
    for (int i = 0; pool->pinned && i < workers; i++)
        CPU_SET(start_cpus[(i + 1) % start_cpu_count], &pool->worker_cpus);
    for (int i = 0; pool->pinned && i < start_cpu_count; i++)
        if (!CPU_ISSET(start_cpus[i], &pool->worker_cpus))
            CPU_SET(start_cpus[i], &pool->caller_cpus);
    pool->tids = calloc((size_t)(workers ? workers : 1), sizeof *pool->tids);
    pool->args = calloc((size_t)(workers ? workers : 1), sizeof *pool->args);
    pool->claims = aligned_alloc(CACHE_LINE, (size_t)threads * sizeof *pool->claims);
    if (pool->claims)
        for (int q = 0; q < threads; q++)
            atomic_init(&pool->claims[q].word, 0);
    if (!pool->tids || !pool->args || !pool->claims) {
        trit_pool_destroy(pool);
        return NULL;
    }
    for (int i = 0; i < workers; i++) {
        pool->args[i] = (struct worker_arg){.pool = pool, .index = i + 1,
                                            .cpu = pool->pinned ? start_cpus[(i + 1) % start_cpu_count] : -1};
        if (pthread_create(&pool->tids[i], NULL, worker_main, &pool->args[i]) != 0) {
            /* The workers already started wait on generation 0: stop them, then give up. */
            stop_workers(pool, i);
            pool->started = 0;
            trit_pool_destroy(pool);
            return NULL;
        }
        pool->started = i + 1;
    }
    return pool;
}

void trit_pool_destroy(trit_pool *pool)
{
    if (!pool)
        return;
    if (pool->started > 0 && pool->forks == atomic_load(&fork_count)) /* a child cannot join its parent's */
        stop_workers(pool, pool->started);
    free(pool->tids);
    free(pool->args);
    free(pool->claims);
    free(pool);
}

int trit_pool_threads(const trit_pool *pool)
{
    return pool ? pool->threads : 1;
}

/* The caller is not pinned (it is the application's thread), and the scheduler readily puts it on a
 * worker's CPU: when the other CPUs hold busy low-priority processes, a wake-up is placed beside its
 * waker and load balancing weighs threads, not their need of a whole core. The two then take turns on
 * one core and a 2-thread call runs slower than 1 thread (measured: 150–500 µs against 100 µs). So when
 * the caller finds itself on a worker's CPU, it moves to a CPU no worker holds and lifts the binding
 * again at once (threads it creates later inherit its mask); it stays where it was moved until the
 * scheduler has a reason to move it. Three system calls, only on such a run. */
static void move_off_worker_cpus(const trit_pool *pool)
{
    if (!pool->pinned || CPU_COUNT(&pool->caller_cpus) == 0)
        return;
    const int cpu = sched_getcpu();
    if (cpu < 0 || cpu >= CPU_SETSIZE || !CPU_ISSET(cpu, &pool->worker_cpus))
        return;
    cpu_set_t mine, target;
    if (pthread_getaffinity_np(pthread_self(), sizeof mine, &mine) != 0)
        return;
    CPU_AND(&target, &mine, &pool->caller_cpus); /* a caller bound elsewhere (--pin) stays bound there */
    if (CPU_COUNT(&target) == 0)
        return;
    if (pthread_setaffinity_np(pthread_self(), sizeof target, &target) == 0)
        (void)pthread_setaffinity_np(pthread_self(), sizeof mine, &mine);
}

int trit_pool_run(trit_pool *pool, int count, trit_pool_task task, void *arg)
{
    if (count <= 0 || !task)
        return 0;
    /* Busy: a concurrent caller or a task re-entering its own pool. Waiting could deadlock (nested);
     * running here gives the same results, since each task's work depends on its index only. */
    if (!pool || pool->threads == 1 || count == 1 || pool->forks != atomic_load_explicit(&fork_count, memory_order_relaxed) ||
        atomic_flag_test_and_set(&pool->busy)) {
        run_tasks(task, arg, count);
        return 0;
    }
    move_off_worker_cpus(pool);
    pool->task = task;
    pool->arg = arg;
    const unsigned gen = publish(pool, count);
    participate(pool, 0, gen);
    wait_tasks(pool, (unsigned)count);
    atomic_flag_clear(&pool->busy);
    return 1;
}

/* ---- the process-wide pools, one per thread count ---- */

static _Atomic(trit_pool *) shared_pools[TRIT_POOL_MAX_THREADS + 1];
static pthread_mutex_t shared_lock = PTHREAD_MUTEX_INITIALIZER;

trit_pool *trit_pool_shared(int threads)
{
    if (threads <= 1 || threads > TRIT_POOL_MAX_THREADS)
        return NULL;
    trit_pool *p = atomic_load_explicit(&shared_pools[threads], memory_order_acquire);
    if (p)
        return p;
    pthread_mutex_lock(&shared_lock);
    p = atomic_load_explicit(&shared_pools[threads], memory_order_relaxed);
    if (!p) {
        const char *pin = getenv("TRIT_POOL_PIN"); /* "0": leave placement to the scheduler */
        p = trit_pool_create(threads, !(pin && strcmp(pin, "0") == 0));
        atomic_store_explicit(&shared_pools[threads], p, memory_order_release);
    }
    pthread_mutex_unlock(&shared_lock);
    return p;
}

/* In a forked child only the forking thread exists: the shared pools (and the lock, which another
 * thread may have held) are forgotten, so the child creates its own on first use. The old pools are
 * leaked: their memory is the parent's copy, and freeing it could race nothing but is not needed. */
static void forget_pools_in_child(void)
{
    atomic_fetch_add(&fork_count, 1);
    pthread_mutex_init(&shared_lock, NULL);
    for (int i = 0; i <= TRIT_POOL_MAX_THREADS; i++)
        atomic_store_explicit(&shared_pools[i], NULL, memory_order_relaxed);
}
