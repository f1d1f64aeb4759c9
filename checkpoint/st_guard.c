/* st_guard.c — keeps a checkpoint that another process truncates while we read it from crashing us.
 *
 * A read-only mapping of a file that shrinks under us raises SIGBUS on the first touch of a page past the
 * new end (that was the crash in `convert`). Reading the whole file instead of mapping it would double the
 * memory of a 13 GB model, and a sigsetjmp guard around every copy would have to wrap every reader
 * (convert, GGUF export, the packed loader, the validator). Instead every mapping is registered here, and
 * one SIGBUS handler, when the fault lies inside a registered mapping, replaces the rest of that mapping
 * with zero pages (mmap MAP_FIXED is a plain system call, safe in a handler) and marks it. The faulting
 * load then re-executes and reads zeros; every reader calls st_guard_check after it copied a tensor, and
 * that reports "FILE changed size while being read" for a marked mapping or one whose file's size is no
 * longer what we mapped (a shrink that no read touched yet, or a truncate-and-regrow). */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "st_guard.h"

#define GUARD_SLOTS 4096

typedef struct guard_slot {
    volatile sig_atomic_t used;
    volatile sig_atomic_t faulted;
    uintptr_t begin, end; /* the mapping, written before `used` is set */
    int fd;
    size_t size; /* the file size we mapped */
    char *path;
} guard_slot;

static guard_slot slots[GUARD_SLOTS];
static volatile sig_atomic_t handler_installed;
static struct sigaction previous;

static void on_sigbus(int sig, siginfo_t *info, void *ctx)
{
    const uintptr_t at = (uintptr_t)info->si_addr;
    const long page_l = sysconf(_SC_PAGESIZE); /* async-signal-safe per POSIX */
    const uintptr_t page = page_l > 0 ? (uintptr_t)page_l : 4096u;
    for (size_t i = 0; i < GUARD_SLOTS; i++) {
        guard_slot *s = &slots[i];
        if (!s->used || at < s->begin || at >= s->end)
            continue;
        const uintptr_t from = at & ~(page - 1);
        const uintptr_t to = (s->end + page - 1) & ~(page - 1);
        if (mmap((void *)from, to - from, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != MAP_FAILED) {
            s->faulted = 1;
            return; /* the load re-executes and reads zeros */
        }
        break;
    }
    /* Not ours (or the remap failed): behave exactly as without us. */
    if (previous.sa_flags & SA_SIGINFO) {
        if (previous.sa_sigaction) {
            previous.sa_sigaction(sig, info, ctx);
            return;
        }
    } else if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN) {
        previous.sa_handler(sig);
        return;
    }
    signal(sig, SIG_DFL);
    /* Returning re-executes the faulting access, which now takes the default action (core dump). */
}

static void install_handler(void)
{
    if (handler_installed)
        return;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sigbus;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGBUS, &sa, &previous) == 0)
        handler_installed = 1;
}

int st_guard_register(const void *map, size_t len, int fd, const char *path)
{
    install_handler();
    for (int i = 0; i < GUARD_SLOTS; i++) {
        guard_slot *s = &slots[i];
        if (s->used)
            continue;
        s->path = strdup(path);
        if (!s->path)
            return -1;
        s->begin = (uintptr_t)map;
        s->end = (uintptr_t)map + len;
        s->fd = fd;
        s->size = len;
        s->faulted = 0;
        s->used = 1;
        return i;
    }
    return -1;
}

void st_guard_release(int slot)
{
    if (slot < 0 || slot >= GUARD_SLOTS || !slots[slot].used)
        return;
    guard_slot *s = &slots[slot];
    s->used = 0; /* first: the handler must not look at a mapping that is about to go */
    close(s->fd);
    free(s->path);
    s->path = NULL;
}

int st_guard_check(int slot, char *err, size_t err_len)
{
    if (slot < 0 || slot >= GUARD_SLOTS || !slots[slot].used)
        return 0; /* an in-memory image (st_parse of a buffer): nothing can change under it */
    const guard_slot *s = &slots[slot];
    struct stat sb;
    const int st = fstat(s->fd, &sb);
    if (s->faulted || (st == 0 && (uint64_t)sb.st_size != (uint64_t)s->size)) {
        snprintf(err, err_len, "%s changed size while being read (%zu bytes when opened, %lld now): another process "
                 "truncated or rewrote it; nothing was written", s->path, s->size,
                 st == 0 ? (long long)sb.st_size : -1LL);
        return -1;
    }
    return 0;
}

int st_guard_check_address(const void *p, char *err, size_t err_len)
{
    const uintptr_t a = (uintptr_t)p;
    for (int i = 0; i < GUARD_SLOTS; i++)
        if (slots[i].used && a >= slots[i].begin && a < slots[i].end)
            return st_guard_check(i, err, err_len);
    return 0;
}
