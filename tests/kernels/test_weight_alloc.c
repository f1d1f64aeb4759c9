/* test_weight_alloc.c — trit_alloc_weights / _zeroed / trit_free_weights (formats.h) on both sides of
 * TRIT_HUGE_MIN: the alignment each side promises, zeroing of a reused (dirty) chunk, every byte writable,
 * release by trit_free_weights and by plain free(), and — where the kernel has transparent huge pages — the
 * huge-page advice really set on the large buffer's mapping (VmFlags "hg" in /proc/self/smaps), where a
 * directly advised mapping shows it. Whether the
 * kernel then grants huge pages depends on free memory, so that is printed, not asserted. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "../check.h"
#include "tritbench/formats.h"

/* The VmFlags of the mapping holding addr: 1 if it carries `flag`, 0 if not, -1 if smaps cannot say. */
static int vma_has_flag(const void *addr, const char *flag)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    if (!f)
        return -1;
    char line[512];
    int inside = 0, found = -1;
    const uintptr_t a = (uintptr_t)addr;
    while (fgets(line, sizeof line, f)) {
        unsigned long long lo, hi;
        if (sscanf(line, "%llx-%llx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' ')) {
            inside = a >= lo && a < hi;
            continue;
        }
        if (inside && strncmp(line, "VmFlags:", 8) == 0) {
            char want[8];
            snprintf(want, sizeof want, " %s", flag);
            const char *at = strstr(line + 7, want); /* two-letter flags, space-separated */
            found = at && (at[3] == ' ' || at[3] == '\n' || at[3] == '\0');
            break;
        }
    }
    fclose(f);
    return found;
}

/* Whether advice shows in smaps here at all: a mapping of our own, advised directly. Not where the kernel
 * lacks THP or smaps, nor under qemu-user (the aarch64 cross tests), which ignores the advice. */
static int advice_visible(void)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    const size_t n = 2 * TRIT_HUGE_MIN;
    void *m = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return 0;
    const int seen = madvise(m, n, MADV_HUGEPAGE) == 0 && vma_has_flag(m, "hg") == 1;
    munmap(m, n);
    return seen;
#else
    return 0;
#endif
}

static void test_sizes(void)
{
    const size_t H = TRIT_HUGE_MIN;
    const int check_advice = advice_visible();
    printf("huge-page advice %s in /proc/self/smaps\n", check_advice ? "visible: checked" : "not visible: not checked");
    const size_t sizes[] = {0, 1, 4096, H - 64, H - 1, H, H + 1, 3 * H + 100};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        const size_t n = sizes[i];
        const uintptr_t align = n >= H ? H : TRIT_ALIGN;
        for (int zero = 0; zero < 2; zero++) {
            /* Leave a dirty chunk of this size behind, so the zeroed form has something to clear. */
            unsigned char *dirty = malloc(n ? n : 1);
            CHECKF(dirty != NULL, "malloc %zu", n);
            if (dirty)
                memset(dirty, 0xa5, n ? n : 1);
            free(dirty);
            unsigned char *p = zero ? trit_alloc_weights_zeroed(n) : trit_alloc_weights(n);
            CHECKF(p != NULL, "%s(%zu) returned NULL", zero ? "zeroed" : "plain", n);
            if (!p)
                continue;
            CHECKF((uintptr_t)p % align == 0, "%zu bytes at %p, not %zu-aligned", n, (void *)p, (size_t)align);
            if (zero) {
                size_t nonzero = 0;
                for (size_t b = 0; b < n; b++)
                    nonzero += p[b] != 0;
                CHECKF(nonzero == 0, "zeroed(%zu): %zu bytes not zero", n, nonzero);
            }
            if (n) { /* every byte asked for is ours (ASan checks the bounds) */
                memset(p, 0x5a, n);
                CHECKF(p[0] == 0x5a && p[n - 1] == 0x5a, "write %zu bytes", n);
            }
            if (n >= H && check_advice) {
                const int hg = vma_has_flag(p, "hg");
                CHECKF(hg != 0, "%zu bytes: mapping without MADV_HUGEPAGE advice (VmFlags lacks hg)", n);
            }
            if (zero)
                free(p); /* plain free() releases it too (formats.h) */
            else
                trit_free_weights(p);
        }
    }
    trit_free_weights(NULL); /* like free(NULL) */
}

/* Informational: huge pages granted to a touched 8 MiB buffer (AnonHugePages of its mapping). */
static void report_granted(void)
{
    const size_t n = 4 * TRIT_HUGE_MIN;
    unsigned char *p = trit_alloc_weights(n);
    if (!p)
        return;
    memset(p, 1, n);
    FILE *f = fopen("/proc/self/smaps", "r");
    char line[512];
    int inside = 0;
    while (f && fgets(line, sizeof line, f)) {
        unsigned long long lo, hi;
        if (sscanf(line, "%llx-%llx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' '))
            inside = (uintptr_t)p >= lo && (uintptr_t)p < hi;
        else if (inside && strncmp(line, "AnonHugePages:", 14) == 0)
            printf("8 MiB weight buffer, touched: %s", line);
    }
    if (f)
        fclose(f);
    trit_free_weights(p);
}

int main(void)
{
    test_sizes();
    report_granted();
    return check_exit();
}
