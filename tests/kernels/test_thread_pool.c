/* test_thread_pool.c — the persistent pool behind the kernels' row split (thread_pool.h):
 * - every task index runs exactly once per call, for 1, 2, 3, 7 participants and any task count,
 *   and a participant held up in a task does not hold the call: the others take over its remaining tasks;
 *   over thousands of back-to-back calls (the generation / completion handshake under stress), and with
 *   calls spaced out so the workers have gone to sleep on the futex first;
 * - a task calling back into its own pool runs serially (no deadlock), concurrent callers of one pool all
 *   get their tasks done exactly once, pools created and destroyed at once (workers not yet started) or
 *   after use join cleanly, bad arguments are refused, and a forked child (which has none of its parent's
 *   workers) runs its parent's pools serially and gets new shared ones instead of waiting forever;
 * - every runnable exact kernel variant run through trit_matmul with 1, 2, 3 and 7 threads on awkward
 *   shapes (M around the 16-row chunking, K tails, GEMV and GEMM batches, x = −128) equals the scalar
 *   reference bit for bit. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kernels/tables.h"
#include "tests/check.h"
#include "tritbench/catalog.h"
#include "tritbench/kernels.h"
#include "tritbench/thread_pool.h"

#define MAX_TASKS 512

typedef struct counts {
    atomic_int hits[MAX_TASKS];
    atomic_int bad_count; /* a task saw a count other than the call's */
    int count;
} counts;

static void count_task(void *arg, int index, int count)
{
    counts *c = arg;
    if (count != c->count || index < 0 || index >= count)
        atomic_fetch_add(&c->bad_count, 1);
    else
        atomic_fetch_add(&c->hits[index], 1);
}

/* Runs `count` tasks once on pool; returns the number of indices that did not run exactly once. */
static int run_once(trit_pool *pool, int count)
{
    static counts c; /* one caller at a time uses this (the concurrent test has its own) */
    memset(&c, 0, sizeof c);
    c.count = count;
    trit_pool_run(pool, count, count_task, &c);
    int wrong = atomic_load(&c.bad_count);
    for (int i = 0; i < count; i++)
        wrong += atomic_load(&c.hits[i]) != 1;
    return wrong;
}

static void sleep_us(long us)
{
    struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
    nanosleep(&ts, NULL);
}

static void check_every_task_once(void)
{
    static const int sizes[] = {1, 2, 3, 7};
    static const int task_counts[] = {0, 1, 2, 3, 5, 7, 8, 64, 333};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        trit_pool *pool = trit_pool_create(sizes[s], true);
        REQUIRE(pool);
        CHECK(trit_pool_threads(pool) == sizes[s]);
        for (size_t t = 0; t < sizeof task_counts / sizeof task_counts[0]; t++) {
            int wrong = 0;
            for (int rep = 0; rep < 2000; rep++) /* back to back: workers still spinning */
                wrong += run_once(pool, task_counts[t]);
            CHECKF(wrong == 0, "%d threads, %d tasks: %d indices not run exactly once", sizes[s], task_counts[t], wrong);
        }
        int wrong = 0;
        for (int rep = 0; rep < 20; rep++) { /* spaced out: workers asleep on the futex */
            sleep_us(2000);
            wrong += run_once(pool, sizes[s] + rep % 3);
        }
        CHECKF(wrong == 0, "%d threads after sleeps: %d indices not run exactly once", sizes[s], wrong);
        trit_pool_destroy(pool);
    }
}

/* Work sharing: task 0 (the first of participant 0's home range) waits until every other task has run. The
 * rest of participant 0's range can then only be run by another participant taking it over — what keeps a
 * call going when one participant is held up (a worker descheduled, or this task blocked). With a fixed
 * assignment of tasks to participants the wait would never end; it gives up after 5 s and the check fails.
 * Also a participant that never runs: a pool whose worker is kept busy in a task of an earlier, still
 * running call cannot exist (one run at a time), so the blocked task stands for it. */
typedef struct share {
    atomic_int others_done, hits[64];
    int count;
    atomic_int timed_out;
} share;

static void share_task(void *arg, int index, int count)
{
    share *sh = arg;
    atomic_fetch_add(&sh->hits[index], 1);
    if (index != 0) {
        atomic_fetch_add(&sh->others_done, 1);
        return;
    }
    for (int waited_us = 0; atomic_load(&sh->others_done) < count - 1; waited_us += 50) {
        if (waited_us > 5000000) {
            atomic_store(&sh->timed_out, 1);
            return;
        }
        sleep_us(50);
    }
}

static void check_work_sharing(void)
{
    static const int sizes[] = {2, 3, 7};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        trit_pool *pool = trit_pool_create(sizes[s], true);
        REQUIRE(pool);
        for (int rep = 0; rep < 3; rep++) {
            static share sh;
            memset(&sh, 0, sizeof sh);
            sh.count = 4 * sizes[s];
            CHECK(trit_pool_run(pool, sh.count, share_task, &sh) == 1);
            int wrong = 0;
            for (int i = 0; i < sh.count; i++)
                wrong += atomic_load(&sh.hits[i]) != 1;
            CHECKF(!atomic_load(&sh.timed_out) && wrong == 0,
                   "%d threads: a held-up participant's tasks were not taken over (timed out %d, %d wrong)", sizes[s],
                   atomic_load(&sh.timed_out), wrong);
        }
        trit_pool_destroy(pool);
    }
}

/* A task that re-enters its own pool: the inner call must run serially (returns 0), not wait forever. */
typedef struct nested {
    trit_pool *pool;
    counts inner[8];
    atomic_int inner_parallel;
} nested;

static void nested_task(void *arg, int index, int count)
{
    (void)count;
    nested *n = arg;
    n->inner[index].count = 5;
    if (trit_pool_run(n->pool, 5, count_task, &n->inner[index]) != 0)
        atomic_fetch_add(&n->inner_parallel, 1);
}

static void check_nested(void)
{
    trit_pool *pool = trit_pool_create(3, false);
    REQUIRE(pool);
    static nested n;
    memset(&n, 0, sizeof n);
    n.pool = pool;
    CHECK(trit_pool_run(pool, 8, nested_task, &n) == 1);
    CHECK(atomic_load(&n.inner_parallel) == 0);
    for (int i = 0; i < 8; i++)
        for (int j = 0; j < 5; j++)
            CHECKF(atomic_load(&n.inner[i].hits[j]) == 1, "nested %d/%d ran %d times", i, j,
                   atomic_load(&n.inner[i].hits[j]));
    trit_pool_destroy(pool);
}

/* Several threads calling one pool at once: each call either gets the workers or runs serially, and
 * every call's tasks run exactly once. */
typedef struct caller {
    trit_pool *pool;
    int wrong, parallel_runs;
} caller;

static void *caller_main(void *p)
{
    caller *c = p;
    counts *cs = malloc(sizeof *cs);
    if (!cs) {
        c->wrong = -1;
        return NULL;
    }
    for (int rep = 0; rep < 500; rep++) {
        memset(cs, 0, sizeof *cs);
        cs->count = 1 + rep % 9;
        c->parallel_runs += trit_pool_run(c->pool, cs->count, count_task, cs);
        for (int i = 0; i < cs->count; i++)
            c->wrong += atomic_load(&cs->hits[i]) != 1;
        c->wrong += atomic_load(&cs->bad_count);
    }
    free(cs);
    return NULL;
}

static void check_concurrent(void)
{
    trit_pool *pool = trit_pool_create(2, true);
    REQUIRE(pool);
    caller callers[4];
    pthread_t tids[4];
    for (int i = 0; i < 4; i++) {
        callers[i] = (caller){.pool = pool};
        REQUIRE(pthread_create(&tids[i], NULL, caller_main, &callers[i]) == 0);
    }
    int runs = 0;
    for (int i = 0; i < 4; i++) {
        pthread_join(tids[i], NULL);
        CHECKF(callers[i].wrong == 0, "concurrent caller %d: %d wrong", i, callers[i].wrong);
        runs += callers[i].parallel_runs;
    }
    CHECK(runs > 0); /* the pool was used, not bypassed every time */
    trit_pool_destroy(pool);
    /* The shared pools: one per thread count, the same pool every time. */
    trit_pool *s2 = trit_pool_shared(2);
    CHECK(s2 && s2 == trit_pool_shared(2) && trit_pool_threads(s2) == 2);
    CHECK(trit_pool_shared(1) == NULL && trit_pool_shared(0) == NULL);
    CHECK(trit_pool_shared(TRIT_POOL_MAX_THREADS + 1) == NULL);
}

static void check_create_destroy(void)
{
    for (int rep = 0; rep < 200; rep++) { /* destroyed before the workers ran: the stop must still reach them */
        trit_pool *pool = trit_pool_create(1 + rep % 7, rep & 1);
        REQUIRE(pool);
        if (rep % 3 == 0)
            CHECK(run_once(pool, 1 + rep % 11) == 0);
        trit_pool_destroy(pool);
    }
    trit_pool_destroy(NULL);
    CHECK(trit_pool_create(0, false) == NULL);
    CHECK(trit_pool_create(-3, false) == NULL);
    CHECK(trit_pool_create(TRIT_POOL_MAX_THREADS + 1, false) == NULL);
    /* A NULL pool runs serially; no task or no count runs nothing. */
    CHECK(run_once(NULL, 9) == 0);
    CHECK(trit_pool_run(NULL, 3, NULL, NULL) == 0);
}

/* A child forked while the parent's pools exist: their workers are not in the child. */
static void check_fork(void)
{
    const char *skip = getenv("TRIT_TEST_SKIP_FORK");
    if (skip && *skip) {
        printf("skip fork check: %s\n", skip);
        return;
    }
    trit_pool *mine = trit_pool_create(3, true);
    trit_pool *shared = trit_pool_shared(2);
    REQUIRE(mine && shared);
    CHECK(run_once(shared, 4) == 0); /* the parent's workers are running */
    fflush(NULL);
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        alarm(20); /* a hang here would be the bug: SIGALRM fails the child */
        int bad = run_once(mine, 6) + run_once(shared, 6);
        bad += trit_pool_run(mine, 6, count_task, &(counts){.count = 6}) != 0; /* ran serially */
        trit_pool *fresh = trit_pool_shared(2);
        bad += !fresh || fresh == shared || run_once(fresh, 6) != 0;
        trit_pool_destroy(mine); /* must not try to join the parent's threads */
        _exit(bad == 0 ? 0 : 1);
    }
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    CHECKF(WIFEXITED(status) && WEXITSTATUS(status) == 0, "forked child: status %d", status);
    CHECK(run_once(mine, 6) == 0 && run_once(shared, 6) == 0); /* the parent's pools still work */
    trit_pool_destroy(mine);
}

/* ---- kernels through the pool ---- */

static void check_kernels(void)
{
    static const size_t Ms[] = {32, 33, 47, 100, 129, 257};
    static const size_t Ks[] = {1, 63, 257, 1281};
    static const size_t Ns[] = {1, 3, 7};
    static const int threads[] = {1, 2, 3, 7};
    size_t nk;
    const trit_kernel *ks = trit_kernels(&nk);
    trit_rng r;
    trit_rng_seed(&r, 4242);
    int compared = 0;
    for (int f = 0; f < TRIT_FMT_COUNT; f++)
        for (size_t mi = 0; mi < sizeof Ms / sizeof Ms[0]; mi++)
            for (size_t ki = 0; ki < sizeof Ks / sizeof Ks[0]; ki++)
                for (size_t ni = 0; ni < sizeof Ns / sizeof Ns[0]; ni++) {
                    const size_t M = Ms[mi], K = Ks[ki], N = Ns[ni];
                    const trit_format fmt = (trit_format)f;
                    int8_t *wq = malloc(M * K);
                    float *scales = malloc(M * sizeof(float));
                    int32_t *ref = malloc(M * N * sizeof(int32_t)), *acc = malloc(M * N * sizeof(int32_t));
                    REQUIRE(wq && scales && ref && acc);
                    for (size_t i = 0; i < M * K; i++)
                        wq[i] = (int8_t)((int)(trit_rng_next(&r) % 3u) - 1);
                    for (size_t m = 0; m < M; m++)
                        scales[m] = 0.5f;
                    trit_packed w;
                    trit_act x;
                    REQUIRE(trit_packed_alloc(&w, fmt, TRIT_SCALE_ROW, M, K) == 0 && trit_pack(&w, wq, scales) == 0);
                    REQUIRE(trit_act_alloc(&x, N, K) == 0);
                    for (size_t n = 0; n < N; n++) {
                        int32_t sum = 0;
                        for (size_t k = 0; k < K; k++) {
                            const int8_t q = (k + n) % 5 == 0 ? INT8_MIN : (int8_t)(trit_rng_next(&r) & 0xff);
                            x.q[n * x.stride + k] = q;
                            sum += q;
                        }
                        x.sum[n] = sum;
                        x.scale[n] = 1.0f;
                    }
                    if (fmt == TRIT_FMT_I2)
                        trit_matmul_i2_scalar(&w, &x, 0, M, ref, M);
                    else
                        trit_matmul_t5_scalar(&w, &x, 0, M, ref, M);
                    for (size_t i = 0; i < nk; i++) {
                        const trit_kernel *k = &ks[i];
                        char why[256], name[64];
                        if (k->format != fmt || k->result != TRIT_RESULT_EXACT_INT32 ||
                            (k->op == TRIT_OP_GEMV && N != 1) || !trit_kernel_runnable(k, why, sizeof why))
                            continue;
                        trit_kernel_name(k, name, sizeof name);
                        for (size_t t = 0; t < sizeof threads / sizeof threads[0]; t++) {
                            memset(acc, 0x5a, M * N * sizeof(int32_t)); /* every element must be written */
                            CHECKF(trit_matmul(k, &w, &x, threads[t], acc) == 0, "%s: failed", name);
                            CHECKF(memcmp(acc, ref, M * N * sizeof(int32_t)) == 0,
                                   "%s M=%zu K=%zu N=%zu threads=%d differs from the scalar reference", name, M, K,
                                   N, threads[t]);
                            compared++;
                        }
                    }
                    trit_packed_free(&w);
                    trit_act_free(&x);
                    free(wq);
                    free(scales);
                    free(ref);
                    free(acc);
                }
    CHECK(compared > 0);
    printf("%d kernel runs compared with the scalar reference\n", compared);
}

int main(void)
{
    check_every_task_once();
    check_work_sharing();
    check_nested();
    check_concurrent();
    check_create_destroy();
    check_fork();
    check_kernels();
    return check_exit();
}
