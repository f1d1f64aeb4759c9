/* weight_cache.c — see weight_cache.h. */
#include "weight_cache.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tritbench/fixtures.h"
#include "tritbench/kernels.h"
#include "tritbench/quant.h"

#define MAX_ENTRIES 32
#define MAX_BUDGET ((size_t)4 << 30)

typedef struct entry {
    bool used;
    size_t rows, cols;
    uint32_t seed;
    float *W;
    trit_packed packed[TRIT_FMT_COUNT];
    bool have_packed[TRIT_FMT_COUNT];
    int pins;
    uint64_t last_use;
    size_t bytes;
} entry;

static entry cache[MAX_ENTRIES];
static uint64_t tick;
static bool exit_hook;
static size_t budget_override;

static void drop(entry *e)
{
    free(e->W);
    for (int f = 0; f < TRIT_FMT_COUNT; f++)
        if (e->have_packed[f])
            trit_packed_free(&e->packed[f]);
    memset(e, 0, sizeof *e);
}

static void free_all(void)
{
    for (int i = 0; i < MAX_ENTRIES; i++)
        if (cache[i].used)
            drop(&cache[i]);
}

void tb_wcache_set_budget(size_t bytes) { budget_override = bytes; }

size_t tb_wcache_bytes(void)
{
    size_t total = 0;
    for (int i = 0; i < MAX_ENTRIES; i++)
        total += cache[i].used ? cache[i].bytes : 0;
    return total;
}

static size_t budget(void)
{
    if (budget_override)
        return budget_override;
    const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    /* An eighth of memory: other suites of the same run (e2e decodes multi-GB models) must still fit. */
    const size_t eighth = pages > 0 && page > 0 ? (size_t)pages / 8 * (size_t)page : MAX_BUDGET;
    return eighth < MAX_BUDGET ? eighth : MAX_BUDGET;
}

/* Evicts unpinned entries, oldest first, until `incoming` more bytes fit the budget (or none is left). */
static void make_room(size_t incoming)
{
    for (;;) {
        size_t total = incoming;
        entry *oldest = NULL;
        for (int i = 0; i < MAX_ENTRIES; i++) {
            total += cache[i].used ? cache[i].bytes : 0;
            if (cache[i].used && cache[i].pins == 0 && (!oldest || cache[i].last_use < oldest->last_use))
                oldest = &cache[i];
        }
        if (total <= budget() || !oldest)
            return;
        drop(oldest);
    }
}

static entry *find_or_make(size_t rows, size_t cols, uint32_t seed)
{
    if (!exit_hook) {
        atexit(free_all);
        exit_hook = true;
    }
    for (int i = 0; i < MAX_ENTRIES; i++)
        if (cache[i].used && cache[i].rows == rows && cache[i].cols == cols && cache[i].seed == seed) {
            cache[i].last_use = ++tick;
            return &cache[i];
        }
    if (rows != 0 && cols > SIZE_MAX / sizeof(float) / rows)
        return NULL;
    const size_t bytes = rows * cols * sizeof(float);
    make_room(bytes);
    entry *slot = NULL;
    for (int i = 0; i < MAX_ENTRIES && !slot; i++)
        if (!cache[i].used)
            slot = &cache[i];
    for (int i = 0; i < MAX_ENTRIES && !slot; i++) /* full: reuse the oldest unpinned slot */
        if (cache[i].pins == 0 && (!slot || cache[i].last_use < slot->last_use))
            slot = &cache[i];
    if (!slot)
        return NULL;
    if (slot->used)
        drop(slot);
    float *W = trit_aligned_alloc(bytes);
    if (!W)
        return NULL;
    trit_fill_weights(W, rows, cols, TRIT_DIST_GAUSSIAN, seed);
    *slot = (entry){.used = true, .rows = rows, .cols = cols, .seed = seed, .W = W, .last_use = ++tick,
                    .bytes = bytes};
    return slot;
}

const float *tb_wcache_f32(size_t rows, size_t cols, uint32_t seed)
{
    entry *e = find_or_make(rows, cols, seed);
    if (!e)
        return NULL;
    e->pins++;
    return e->W;
}

static int pack(entry *e, trit_format f)
{
    int8_t *wq = malloc(e->rows * e->cols);
    float *gamma = malloc(sizeof(float));
    const trit_wquant_opts o = {TRIT_SCALE_TENSOR, TRIT_WQ_ABSMEAN, 0.0f};
    int ok = wq && gamma && trit_quantize_weights(e->W, e->rows, e->cols, &o, wq, gamma) == 0 &&
             trit_packed_alloc(&e->packed[f], f, TRIT_SCALE_TENSOR, e->rows, e->cols) == 0;
    if (ok && trit_pack(&e->packed[f], wq, gamma) != 0) {
        trit_packed_free(&e->packed[f]);
        ok = 0;
    }
    free(wq);
    free(gamma);
    if (!ok)
        return -1;
    e->have_packed[f] = true;
    e->bytes += e->packed[f].alloc_bytes;
    return 0;
}

const trit_packed *tb_wcache_packed(trit_format f, size_t rows, size_t cols, uint32_t seed)
{
    if (!trit_format_is_ternary(f))
        return NULL;
    entry *e = find_or_make(rows, cols, seed);
    if (!e || (!e->have_packed[f] && pack(e, f) != 0))
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
        bool mine = e->used && p == e->W;
        for (int f = 0; f < TRIT_FMT_COUNT && !mine; f++)
            mine = e->used && e->have_packed[f] && p == &e->packed[f];
        if (mine && e->pins > 0) {
            e->pins--;
            return;
        }
    }
}
