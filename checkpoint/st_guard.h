/* st_guard.h — registry of mapped checkpoint files and the SIGBUS guard that turns a file truncated under
 * us into an error instead of a crash (see st_guard.c). Internal to checkpoint/. */
#ifndef TRITBENCH_ST_GUARD_H
#define TRITBENCH_ST_GUARD_H

#include <stddef.h>

/* Registers a read-only mapping of `path` (fd stays open, owned by the registry until release).
 * Returns the slot, or -1 when the registry is full or out of memory. Installs the handler once. */
int st_guard_register(const void *map, size_t len, int fd, const char *path);
/* Forgets the slot and closes its fd (call before munmap). */
void st_guard_release(int slot);
/* 0, or -1 with "PATH changed size while being read ..." when the file shrank or grew since it was
 * mapped or a read past its new end was caught. Slot -1 (an in-memory image) always passes. */
int st_guard_check(int slot, char *err, size_t err_len);
/* For a copy out of a mapping that the kernel, not our code, read (write(2) from mapped memory fails with
 * EFAULT past a truncated file's end instead of raising SIGBUS): when p lies in a registered mapping, that
 * slot's st_guard_check; 0 when p is in none or its file is unchanged. */
int st_guard_check_address(const void *p, char *err, size_t err_len);

#endif
