/* weight_cache.c — see weight_cache.h. Each entry (shape + seed) holds up to three parts, each evictable
 * on its own, least recently used first: the FP32 matrix (large, regenerated from the seed when needed
 * again) and its packed I2/T5 forms (a sixteenth of it; packed from the FP32 matrix). */
#include "weight_cache.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tritbench/catalog.h"
#include "tritbench/kernels.h"
#include "tritbench/quant.h"

#define MAX_ENTRIES 64
#define MAX_BUDGET ((size_t)6 << 30)
#define PART_F32 TRIT_FMT_COUNT /* part index of the FP32 matrix; packed formats are 0 .. COUNT−1 */
#define N_PARTS (TRIT_FMT_COUNT + 1)

typedef struct entry {
    bool used;
    size_t rows, cols;
    uint32_t seed;
    int pins; /* a pinned entry loses no part */
    float *W;
    trit_packed packed[TRIT_FMT_COUNT];
    bool have[N_PARTS];
    uint64_t last_use[N_PARTS];
    size_t bytes[N_PARTS];
} entry;

static entry cache[MAX_ENTRIES];
static uint64_t tick;
static bool exit_hook;
static size_t budget_override;

static void drop_part(entry *e, int part)
{
    if (!e->have[part])
        return;
    if (part == PART_F32) {
        trit_free_weights(e->W);
        e->W = NULL;
    } else {
        trit_packed_free(&e->packed[part]);
    }
    e->have[part] = false;
    e->bytes[part] = 0;
}

static void free_all(void)
{
    for (int i = 0; i < MAX_ENTRIES; i++)
        for (int p = 0; p < N_PARTS; p++)
            drop_part(&cache[i], p);
    memset(cache, 0, sizeof cache);
}

void tb_wcache_set_budget(size_t bytes) { budget_override = bytes; }

void tb_wcache_trim(void)
{
    for (int i = 0; i < MAX_ENTRIES; i++)
        if (cache[i].pins == 0)
            for (int p = 0; p < N_PARTS; p++)
                drop_part(&cache[i], p);
}

size_t tb_wcache_bytes(void)
{
    size_t total = 0;
    for (int i = 0; i < MAX_ENTRIES; i++)
        for (int p = 0; p < N_PARTS; p++)
            total += cache[i].bytes[p];
    return total;
}

static size_t budget(void)
{
    if (budget_override)
        return budget_override;
    /* A quarter of memory, at most 6 GiB: every gemv shape of the "all" set with its FP32 matrix is
     * 4.8 GB, so a full interleaved run never regenerates; other suites of the run still fit. */
    const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    const size_t quarter = pages > 0 && page > 0 ? (size_t)pages / 4 * (size_t)page : MAX_BUDGET;
    return quarter < MAX_BUDGET ? quarter : MAX_BUDGET;
}

/* Evicts parts of unpinned entries, least recently used first, until `incoming` more bytes fit the
 * budget (or nothing unpinned is left). */
static void make_room(size_t incoming)
{
    while (tb_wcache_bytes() + incoming > budget()) {
        entry *victim = NULL;
        int vpart = 0;
        for (int i = 0; i < MAX_ENTRIES; i++)
            for (int p = 0; p < N_PARTS; p++)
                if (cache[i].have[p] && cache[i].pins == 0 &&
                    (!victim || cache[i].last_use[p] < victim->last_use[vpart])) {
                    victim = &cache[i];
                    vpart = p;
                }
        if (!victim)
            return;
        drop_part(victim, vpart);
    }
}

static entry *find_or_make(size_t rows, size_t cols, uint32_t seed)
{
    if (!exit_hook) {
        atexit(free_all);
        exit_hook = true;
    }
    entry *slot = NULL;
    for (int i = 0; i < MAX_ENTRIES; i++) {
        if (cache[i].used && cache[i].rows == rows && cache[i].cols == cols && cache[i].seed == seed)
            return &cache[i];
        if (!slot && !cache[i].used)
            slot = &cache[i];
    }
    for (int i = 0; i < MAX_ENTRIES && !slot; i++) { /* all slots taken: reuse an unpinned one */
        if (cache[i].pins == 0) {
            slot = &cache[i];
            for (int p = 0; p < N_PARTS; p++)
                drop_part(slot, p);
        }
    }
    if (!slot)
        return NULL;
    memset(slot, 0, sizeof *slot);
    *slot = (entry){.used = true, .rows = rows, .cols = cols, .seed = seed};
    return slot;
}

static int ensure_f32(entry *e)
{
    if (e->have[PART_F32]) {
        e->last_use[PART_F32] = ++tick;
        return 0;
    }
    if (e->rows != 0 && e->cols > SIZE_MAX / sizeof(float) / e->rows)
        return -1;
    const size_t bytes = e->rows * e->cols * sizeof(float);
    e->pins++; /* keep this entry's packed parts while making room for its matrix */
    make_room(bytes);
    e->pins--;
    e->W = trit_alloc_weights(bytes); /* the FP32 baselines stream it: same pages as the packed formats */
    if (!e->W)
        return -1;
    trit_fill_weights(e->W, e->rows, e->cols, TRIT_DIST_GAUSSIAN, e->seed);
    e->have[PART_F32] = true;
    e->bytes[PART_F32] = bytes;
    e->last_use[PART_F32] = ++tick;
    return 0;
}

static int ensure_packed(entry *e, trit_format f)
{
    if (e->have[f]) {
        e->last_use[f] = ++tick;
        return 0;
    }
    if (ensure_f32(e) != 0)
        return -1;
    int8_t *wq = malloc(e->rows * e->cols);
    float gamma = 0.0f;
    const trit_wquant_opts o = {TRIT_SCALE_TENSOR, TRIT_WQ_ABSMEAN, 0.0f};
    int ok = wq && trit_quantize_weights(e->W, e->rows, e->cols, &o, wq, &gamma) == 0 &&
             trit_packed_alloc(&e->packed[f], f, TRIT_SCALE_TENSOR, e->rows, e->cols) == 0;
    if (ok && trit_pack(&e->packed[f], wq, &gamma) != 0) {
        trit_packed_free(&e->packed[f]);
        ok = 0;
    }
    free(wq);
    if (!ok)
        return -1;
    e->have[f] = true;
    e->bytes[f] = e->packed[f].alloc_bytes;
    e->last_use[f] = ++tick;
    e->pins++; /* the new packed part is what the caller wants: keep it while trimming to the budget */
    make_room(0);
    e->pins--;
    return 0;
}

const float *tb_wcache_f32(size_t rows, size_t cols, uint32_t seed)
{
    entry *e = find_or_make(rows, cols, seed);
    if (!e || ensure_f32(e) != 0)
        return NULL;
    e->pins++;
    return e->W;
}

const trit_packed *tb_wcache_packed(trit_format f, size_t rows, size_t cols, uint32_t seed)
{
    if (!trit_format_is_ternary(f))
        return NULL;
    entry *e = find_or_make(rows, cols, seed);
    if (!e || ensure_packed(e, f) != 0)
        return NULL;
    e->pins++;
    return &e->packed[f];
}

void tb_wcache_release(const void *p)
{
    if (!p)
        return;
    for (int i = 0; i < MAX_ENTRIES; i++) {
        entry *e = &cache[i];
        bool mine = e->used && e->have[PART_F32] && p == e->W;
        for (int f = 0; f < TRIT_FMT_COUNT && !mine; f++)
            mine = e->used && e->have[f] && p == &e->packed[f];
        if (mine && e->pins > 0) {
            e->pins--;
            return;
        }
    }
}
