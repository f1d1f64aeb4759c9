/* thread_pool.h — a small persistent thread pool for the kernels' row split (kernels/ops.c).
 *
 * Why not OpenMP: libgomp's idle workers spin for up to ~300,000 iterations (milliseconds) before they
 * sleep, so on a machine where another process holds a core a 2-thread run either spins against the
 * thread it waits for (one process in five collapsed to an 8 ms median for a 51 µs GEMV) or, with
 * OMP_WAIT_POLICY=passive, pays a slow wake-up on every call (no gain over 1 thread). Here a waiting
 * thread spins for a few microseconds (TRIT_POOL_SPIN_US, default 20) and then sleeps on a futex, so it
 * never burns a core for long, and a call that finds its workers still spinning costs well under 1 µs.
 *
 * Workers are created once, each pinned to one CPU of the process's affinity mask as it was at start-up
 * (worker i on the mask's CPU i modulo its size; the calling thread is participant 0 and is not pinned
 * here). A call is started by one atomic generation counter; each participant then claims tasks from its
 * own home range (a fixed contiguous share of the indices, so it touches the same data every call) and,
 * once that is empty, from the other participants' ranges. The caller waits for the tasks, not for the
 * workers: a worker that starts late (still asleep, or descheduled for a time slice by another process)
 * holds the call up by at most the one task it has claimed, where a fixed split waited for its whole share
 * (kernels/ops.c cuts a call into 4 tasks per thread for this). A run never blocks on another
 * run: a pool already running (a concurrent caller, or a task that calls back into its own pool) runs
 * the tasks on the calling thread instead, so nested and concurrent use cannot deadlock, and results do
 * not change because each task's work is fixed by its index, not by the thread that runs it. */
#ifndef TRITBENCH_THREAD_POOL_H
#define TRITBENCH_THREAD_POOL_H

#include <stdbool.h>

typedef struct trit_pool trit_pool;

/* One task: index in [0, count). */
typedef void (*trit_pool_task)(void *arg, int index, int count);

#define TRIT_POOL_MAX_THREADS 256

/* A pool of `threads` participants (the caller + threads − 1 workers), 1 ≤ threads ≤ TRIT_POOL_MAX_THREADS;
 * `pin` binds each worker to one CPU. NULL when threads is out of range or a thread cannot be created
 * (nothing is left running then). */
trit_pool *trit_pool_create(int threads, bool pin);

/* Stops and joins the workers. The pool must not be running. NULL is accepted. */
void trit_pool_destroy(trit_pool *pool);

int trit_pool_threads(const trit_pool *pool);

/* Runs task(arg, i, count) for every i in [0, count) exactly once, participant p first taking its home range
 * [p·count/threads, (p+1)·count/threads) in order, then any index the others have not claimed; returns when
 * all have returned. Returns 1 when the pool's workers ran them, 0 when the calling thread
 * ran them all (pool NULL, busy, or count ≤ 1). */
int trit_pool_run(trit_pool *pool, int count, trit_pool_task task, void *arg);

/* The process-wide pool of `threads` participants (created on first use, pinned, kept until exit);
 * NULL when threads ≤ 1 or it cannot be created (callers then run serially). Thread-safe. */
trit_pool *trit_pool_shared(int threads);

#endif
