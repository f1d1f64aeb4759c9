/* ops.c — what callers run: binding weights to a kernel (repack once), the generic call (preparation,
 * workspace, row split over the persistent thread pool) for any descriptor, the shared FP32 rescale, and the
 * BitLinear forward. Threads split output rows, so results never depend on the thread count. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tritbench/kernels.h"
#include "tritbench/thread_pool.h"

/* Tasks per thread of the row split. More than one so that a thread that starts late (asleep, or
 * descheduled for a time slice by another process) does not hold the whole call: the pool's other
 * participants take its remaining tasks (thread_pool.h). Each participant still runs its own home tasks
 * first, so a thread reads the same rows every call, as with one chunk each. */
#define TASKS_PER_THREAD 4


static size_t weight_bytes(const trit_weights *w, trit_format f)
{
    return w->packed ? w->packed->alloc_bytes : w->rows * w->cols * trit_format_element_bytes(f);
}

int trit_kernel_bind(const trit_kernel *k, const trit_weights *w, trit_bound_weights *out)
{
    memset(out, 0, sizeof *out);
    if (!k || !w || !k->matmul)
        return -1;
    const bool ternary = trit_format_is_ternary(k->format);
    if (ternary ? !w->packed || w->packed->format != k->format : !w->dense)
        return -1;
    out->k = k;
    out->w = *w;
    if (ternary) { /* the packed matrix knows its shape */
        out->w.rows = w->packed->rows;
        out->w.cols = w->packed->cols;
    }
    if (k->repack_ctx) { /* the kernel allocates its layout itself and says how many bytes it keeps */
        if (k->repack_ctx(k->ctx, &out->w, &out->repacked, &out->repacked_bytes) != 0) {
            out->repacked = NULL;
            trit_kernel_unbind(out);
            return -1;
        }
    } else if (k->repack) {
        const size_t bytes = k->repack_bytes ? k->repack_bytes(&out->w) : 0;
        out->repacked = trit_alloc_weights(bytes); /* a kernel's layout of the weights: streamed like them */
        if (!out->repacked || k->repack(&out->w, out->repacked) != 0) {
            trit_kernel_unbind(out);
            return -1;
        }
        out->repacked_bytes = bytes;
    }
    return 0;
}

void trit_kernel_unbind(trit_bound_weights *b)
{
    if (b->repacked && b->k && b->k->release)
        b->k->release(b->k->ctx, b->repacked);
    else
        trit_free_weights(b->repacked);
    memset(b, 0, sizeof *b);
}

size_t trit_bound_weight_bytes(const trit_bound_weights *b)
{
    return b->k && (b->k->repack || b->k->repack_ctx) ? b->repacked_bytes : weight_bytes(&b->w, b->k ? b->k->format : TRIT_FMT_I2);
}

/* One pool task = one contiguous chunk of output rows, with its own workspace slice. */
typedef struct split_job {
    const trit_kernel *k;
    const trit_matmul_io *io;
    unsigned char *ws;
    size_t ws_bytes, chunk;
} split_job;

static void run_chunk(void *arg, int t, int count)
{
    (void)count;
    const split_job *j = arg;
    const size_t M = j->io->w.rows, b = (size_t)t * j->chunk, e = b + j->chunk < M ? b + j->chunk : M;
    if (b < e)
        j->k->matmul(j->io, j->ws ? j->ws + (size_t)t * j->ws_bytes : NULL, b, e);
}

/* Pool tasks for a call (1: the calling thread runs it whole) and their rows each in *chunk, rounded to 16
 * so SIMD kernels that process several rows at once see few tails. */
static int split_tasks(const trit_kernel *k, size_t M, int threads, size_t *chunk)
{
    if (threads <= 1 || M < 32 || (k->flags & TRIT_KERNEL_OWN_THREADS)) {
        *chunk = M;
        return 1;
    }
    const size_t parts = (size_t)threads * TASKS_PER_THREAD;
    *chunk = ((M + parts - 1) / parts + 15) / 16 * 16;
    return (int)((M + *chunk - 1) / *chunk);
}

/* The row split: one call per task over a contiguous chunk, each with its own workspace slice. The chunks
 * depend on `threads` only, never on which thread runs them, so a busy pool (run serially) gives the
 * same result. The pool replaces OpenMP here: see thread_pool.h for why. */
static void split_rows(const trit_kernel *k, const trit_matmul_io *io, int threads, int tasks, size_t chunk,
                       unsigned char *ws, size_t ws_bytes)
{
    const size_t M = io->w.rows;
    if (tasks <= 1) {
        k->matmul(io, ws, 0, M);
        return;
    }
    split_job job = {.k = k, .io = io, .ws = ws, .ws_bytes = ws_bytes, .chunk = chunk};
    const int pool_threads = threads < TRIT_POOL_MAX_THREADS ? threads : TRIT_POOL_MAX_THREADS;
    trit_pool_run(trit_pool_shared(pool_threads), tasks, run_chunk, &job);
}

int trit_kernel_run(const trit_bound_weights *b, const trit_acts *x, int threads, int32_t *out_acc, float *out_y)
{
    if (!b || !b->k || !x)
        return -1;
    const trit_kernel *k = b->k;
    const bool ternary = trit_format_is_ternary(k->format);
    const size_t N = ternary ? (x->q ? x->q->rows : 0) : x->rows;
    if (ternary ? !x->q || x->q->cols != b->w.cols : !x->dense)
        return -1;
    if (N == 0 || (k->op == TRIT_OP_GEMV && N != 1))
        return -1;
    if (k->result == TRIT_RESULT_EXACT_INT32 ? !out_acc : !out_y)
        return -1;
    if (threads < 1)
        threads = 1;
    int failed = 0;
    trit_matmul_io io = {.w = b->w, .repacked = b->repacked, .x = *x, .acc = out_acc, .y = out_y,
                         .threads = threads, .ctx = k->ctx, .failed = &failed};
    io.x.rows = N;
    void *prepared = NULL;
    if (k->prepare) {
        prepared = trit_aligned_alloc(k->prepare_bytes ? k->prepare_bytes(&io) : 0);
        if (!prepared)
            return -1;
        k->prepare(&io, prepared);
        io.prepared = prepared;
    }
    const size_t ws_bytes = k->workspace_bytes_ctx ? k->workspace_bytes_ctx(k->ctx, b->w.rows, b->w.cols, N)
                            : k->workspace_bytes   ? k->workspace_bytes(b->w.rows, b->w.cols, N)
                                                   : 0;
    size_t chunk;
    const int tasks = split_tasks(k, b->w.rows, threads, &chunk);
    /* One slice per task (tasks run concurrently on any participant), rounded so each stays
     * TRIT_ALIGN-aligned. */
    const size_t ws_slice = (ws_bytes + TRIT_ALIGN - 1) / TRIT_ALIGN * TRIT_ALIGN;
    unsigned char *ws = NULL;
    if (ws_slice) {
        ws = trit_aligned_alloc(ws_slice * (size_t)tasks);
        if (!ws) {
            free(prepared);
            return -1;
        }
    }
    split_rows(k, &io, threads, tasks, chunk, ws, ws_slice);
    free(ws);
    free(prepared);
    return __atomic_load_n(&failed, __ATOMIC_RELAXED) ? -1 : 0;
}

int trit_matmul(const trit_kernel *k, const trit_packed *w, const trit_act *x, int threads, int32_t *acc)
{
    if (!k || !w || !x || k->result != TRIT_RESULT_EXACT_INT32)
        return -1;
    const trit_weights tw = {.packed = w, .rows = w->rows, .cols = w->cols};
    trit_bound_weights b;
    if (trit_kernel_bind(k, &tw, &b) != 0)
        return -1;
    const trit_acts ta = {.q = x, .rows = x->rows};
    const int rc = trit_kernel_run(&b, &ta, threads, acc, NULL);
    trit_kernel_unbind(&b);
    return rc;
}

int trit_sgemm(const trit_kernel *k, const float *W, const float *X, size_t M, size_t K, size_t N, int threads,
               float *Y)
{
    if (!k || k->format != TRIT_FMT_FP32 || k->result != TRIT_RESULT_FP32)
        return -1;
    const trit_weights tw = {.dense = W, .rows = M, .cols = K};
    trit_bound_weights b;
    if (trit_kernel_bind(k, &tw, &b) != 0)
        return -1;
    const trit_acts ta = {.dense = X, .rows = N};
    const int rc = trit_kernel_run(&b, &ta, threads, NULL, Y);
    trit_kernel_unbind(&b);
    return rc;
}

void trit_rescale(const trit_packed *w, const trit_act *x, const int32_t *acc, const float *bias, float *y)
{
    const size_t M = w->rows;
    for (size_t n = 0; n < x->rows; n++) {
        const float inv_s = 1.0f / x->scale[n];
        for (size_t m = 0; m < M; m++) {
            const float g = w->scales[w->granularity == TRIT_SCALE_ROW ? m : 0];
            float v = (float)acc[n * M + m] * g * inv_s;
            y[n * M + m] = bias ? v + bias[m] : v;
        }
    }
}

int trit_bitlinear_ws_alloc(trit_bitlinear_ws *ws, const trit_bitlinear *layer, size_t max_rows)
{
    memset(ws, 0, sizeof *ws);
    if (max_rows == 0 || trit_act_alloc(&ws->act, max_rows, layer->w.cols) != 0)
        return -1;
    ws->acc = trit_aligned_alloc(max_rows * layer->w.rows * sizeof(int32_t));
    ws->xnorm = layer->norm_weight ? trit_aligned_alloc(max_rows * layer->w.cols * sizeof(float)) : NULL;
    if (!ws->acc || (layer->norm_weight && !ws->xnorm)) {
        trit_bitlinear_ws_free(ws);
        return -1;
    }
    ws->max_rows = max_rows;
    return 0;
}

void trit_bitlinear_ws_free(trit_bitlinear_ws *ws)
{
    trit_act_free(&ws->act);
    free(ws->acc);
    free(ws->xnorm);
    memset(ws, 0, sizeof *ws);
}

static void rms_norm(const float *x, const float *g, float eps, size_t cols, float *out)
{
    double ss = 0;
    for (size_t k = 0; k < cols; k++)
        ss += (double)x[k] * x[k];
    const float r = (float)(1.0 / sqrt(ss / (double)cols + eps));
    for (size_t k = 0; k < cols; k++)
        out[k] = x[k] * r * g[k];
}

int trit_bitlinear_forward(const trit_kernel *k, const trit_bitlinear *layer, const float *X, size_t n, float *Y,
                           int threads, trit_bitlinear_ws *ws)
{
    if (!k || !layer || !X || !Y || !ws || n == 0 || n > ws->max_rows || k->format != layer->w.format)
        return -1;
    const size_t K = layer->w.cols;
    const float *in = X;
    if (layer->norm_weight) {
        for (size_t r = 0; r < n; r++)
            rms_norm(X + r * K, layer->norm_weight, layer->norm_eps, K, ws->xnorm + r * K);
        in = ws->xnorm;
    }
    trit_act act = ws->act; /* a view of the first n rows */
    act.rows = n;
    if (trit_quantize_activations(in, K, &act) != 0)
        return -1;
    if (trit_matmul(k, &layer->w, &act, threads, ws->acc) != 0)
        return -1;
    trit_rescale(&layer->w, &act, ws->acc, layer->bias, Y);
    return 0;
}
