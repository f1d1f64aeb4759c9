/* atomic_file.c — temp file + fsync + rename, so no reader ever sees a half-written output; special
 * targets are written through or refused, never replaced (atomic_file.h has the rules). */
#include "tritbench/atomic_file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef NAME_MAX
#define NAME_MAX 255
#endif

/* ---- temporaries removed when a signal ends the process ---------------------------------------- */

#define CLEANUP_SLOTS 32
static char cleanup_path[CLEANUP_SLOTS][4096 + 320];
static volatile sig_atomic_t cleanup_used[CLEANUP_SLOTS];
static const int cleanup_signals[] = {SIGINT, SIGTERM, SIGHUP};
static volatile sig_atomic_t handlers_installed;

/* Async-signal-safe: unlink and raise only. The default action is restored first, so re-raising ends
 * the process with the signal's usual status (the shell sees 130 / 143 / 129). */
static void on_fatal_signal(int sig)
{
    for (int i = 0; i < CLEANUP_SLOTS; i++)
        if (cleanup_used[i])
            unlink(cleanup_path[i]);
    signal(sig, SIG_DFL);
    raise(sig);
}

static void install_handlers(void)
{
    if (handlers_installed)
        return;
    handlers_installed = 1;
    for (size_t i = 0; i < sizeof cleanup_signals / sizeof cleanup_signals[0]; i++) {
        struct sigaction old;
        /* Leave alone a signal someone ignores (nohup) or handles: only the default disposition, which
         * would kill us with the temporary left behind, is replaced. */
        if (sigaction(cleanup_signals[i], NULL, &old) != 0 || old.sa_handler != SIG_DFL ||
            (old.sa_flags & SA_SIGINFO))
            continue;
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_fatal_signal;
        sigfillset(&sa.sa_mask); /* one cleanup at a time */
        sigaction(cleanup_signals[i], &sa, NULL);
    }
}

static int register_temp(const char *path)
{
    install_handlers();
    for (int i = 0; i < CLEANUP_SLOTS; i++)
        if (!cleanup_used[i]) {
            snprintf(cleanup_path[i], sizeof cleanup_path[i], "%s", path);
            cleanup_used[i] = 1; /* after the path is complete: the handler reads it only when set */
            return i;
        }
    return -1; /* more than 32 outputs open at once: still written correctly, only not cleaned on a signal */
}

static void unregister_temp(tb_atomic_file *af)
{
    if (af->slot >= 0)
        cleanup_used[af->slot] = 0;
    af->slot = -1;
}

/* ---- naming ------------------------------------------------------------------------------------ */

/* ".<base>.tmp.<pid>." with base shortened so prefix + "XXXXXX" fits NAME_MAX whatever the pid (a
 * legal 250-character output name must not fail because of its temporary's name). The cut does not
 * depend on the pid, so report_stale finds the temporaries of other processes by the same stem. */
static void temp_prefix(const char *base, long pid, char *out, size_t out_len)
{
    const size_t room = NAME_MAX - 1 /* "." */ - 5 /* ".tmp." */ - 20 /* pid */ - 1 /* "." */ - 6 /* XXXXXX */;
    snprintf(out, out_len, ".%.*s.tmp.%ld.", (int)room, base, pid);
}

/* Temporaries of this target left by a process that no longer runs (killed by SIGKILL, a crash, a
 * power cut) are named, so the user can remove them; they are not removed here, since a pid can be
 * reused by a live process writing the same name on another machine sharing the directory. */
static void report_stale(const char *dir, const char *base)
{
    char want[NAME_MAX + 1];
    temp_prefix(base, 0, want, sizeof want);
    const size_t stem = strlen(want) - 2; /* ".<base>.tmp." without the "0." */
    DIR *d = opendir(*dir ? dir : ".");
    if (!d)
        return;
    const struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strncmp(de->d_name, want, stem) != 0)
            continue;
        char *end;
        const long pid = strtol(de->d_name + stem, &end, 10);
        if (pid <= 0 || *end != '.' || pid == (long)getpid())
            continue;
        if (kill((pid_t)pid, 0) != 0 && errno == ESRCH)
            fprintf(stderr, "tritbench: warning: %s%s is a stale temporary file left by process %ld, which no longer "
                    "runs (killed while writing?); remove it\n", dir, de->d_name, pid);
    }
    closedir(d);
}

static const char *kind_of(mode_t m)
{
    return S_ISCHR(m) ? "a character device" : S_ISBLK(m) ? "a block device" : S_ISFIFO(m) ? "a FIFO" :
           S_ISSOCK(m) ? "a socket" : "not a regular file";
}

/* Writes through an existing device / FIFO: no temporary, nothing replaced. */
static int open_through(tb_atomic_file *af, const char *target, mode_t mode, char *err, size_t err_len)
{
    /* O_NONBLOCK: a FIFO nobody reads fails with ENXIO at once instead of blocking the open forever. */
    int fd = open(target, O_WRONLY | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        snprintf(err, err_len, "%s: cannot write to %s: %s", af->path, kind_of(mode),
                 errno == ENXIO && S_ISFIFO(mode) ? "no process is reading the FIFO" : strerror(errno));
        return -1;
    }
    const int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl & ~O_NONBLOCK); /* from here, writes wait for a slow reader as usual */
    af->fp = fdopen(fd, "wb");
    if (!af->fp) {
        snprintf(err, err_len, "%s: %s", af->path, strerror(errno));
        close(fd);
        return -1;
    }
    af->direct = true;
    return 0;
}

int tb_atomic_open_flags(tb_atomic_file *af, const char *path, int flags, char *err, size_t err_len)
{
    memset(af, 0, sizeof *af);
    af->slot = -1;
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof af->path - 64) {
        snprintf(err, err_len, "%s: path empty or too long", path);
        return -1;
    }
    memcpy(af->path, path, n + 1);
    if (path[n - 1] == '/') {
        snprintf(err, err_len, "%s: is a directory name, not a file", path);
        return -1;
    }
    struct stat sb;
    bool exists = lstat(path, &sb) == 0;
    if (exists && S_ISLNK(sb.st_mode)) {
        /* Follow the link: its target is what the user means by OUT; the link itself stays. */
        char *real = realpath(path, NULL);
        if (!real) {
            snprintf(err, err_len, "%s: is a symlink whose target cannot be resolved (%s); refusing to replace the "
                     "link with a file", path, strerror(errno));
            return -1;
        }
        n = strlen(real);
        if (n >= sizeof af->path - 64) {
            snprintf(err, err_len, "%s: symlink target too long", path);
            free(real);
            return -1;
        }
        memcpy(af->path, real, n + 1);
        free(real);
        exists = stat(af->path, &sb) == 0;
    }
    if (exists && S_ISDIR(sb.st_mode)) {
        snprintf(err, err_len, "%s: is a directory, not a file", path);
        return -1;
    }
    if (exists && !S_ISREG(sb.st_mode)) {
        if (flags & TB_ATOMIC_REGULAR_ONLY) {
            snprintf(err, err_len, "%s: is %s; refusing to write there (name a regular file)", path,
                     kind_of(sb.st_mode));
            return -1;
        }
        return open_through(af, af->path, sb.st_mode, err, err_len);
    }
    const char *slash = strrchr(af->path, '/');
    const size_t dir_len = slash ? (size_t)(slash - af->path) + 1 : 0;
    const char *base = slash ? slash + 1 : af->path;
    char dir[4096];
    snprintf(dir, sizeof dir, "%.*s", (int)dir_len, af->path);
    report_stale(dir, base);
    char prefix[NAME_MAX + 1];
    temp_prefix(base, (long)getpid(), prefix, sizeof prefix);
    snprintf(af->tmp_path, sizeof af->tmp_path, "%s%sXXXXXX", dir, prefix);
    /* Registered before mkstemp creates it, so no signal can slip between creation and registration. */
    af->slot = register_temp(af->tmp_path);
    int fd = mkstemp(af->tmp_path);
    if (af->slot >= 0)
        snprintf(cleanup_path[af->slot], sizeof cleanup_path[af->slot], "%s", af->tmp_path);
    if (fd < 0) {
        snprintf(err, err_len, "%s: cannot create a file there: %s", path, strerror(errno));
        unregister_temp(af);
        af->tmp_path[0] = '\0';
        return -1;
    }
    /* mkstemp creates 0600; an output replaces its predecessor with the same mode, a new one gets the
     * umask's, like any other file the user creates. */
    mode_t mask = umask(0);
    umask(mask);
    const mode_t mode = exists ? (sb.st_mode & 07777) : (0666 & ~mask);
    if (fchmod(fd, mode) != 0) {
        /* Not fatal: the file stays private to its owner. */
    }
    af->fp = fdopen(fd, "wb");
    if (!af->fp) {
        snprintf(err, err_len, "%s: %s", af->tmp_path, strerror(errno));
        close(fd);
        unlink(af->tmp_path);
        unregister_temp(af);
        return -1;
    }
    return 0;
}

int tb_atomic_open(tb_atomic_file *af, const char *path, char *err, size_t err_len)
{
    return tb_atomic_open_flags(af, path, 0, err, err_len);
}

int tb_atomic_commit(tb_atomic_file *af, char *err, size_t err_len)
{
    int ok = af->fp != NULL;
    if (ok && (fflush(af->fp) != 0 || ferror(af->fp)))
        ok = 0;
    /* A device or pipe may not support fsync (EINVAL, EROFS): that is no write error. */
    if (ok && fsync(fileno(af->fp)) != 0 && !(af->direct && (errno == EINVAL || errno == EROFS || errno == ENOTSUP)))
        ok = 0;
    int saved = errno;
    if (af->fp && fclose(af->fp) != 0 && ok) {
        ok = 0;
        saved = errno;
    }
    af->fp = NULL;
    if (ok && !af->direct && rename(af->tmp_path, af->path) != 0) {
        ok = 0;
        saved = errno;
    }
    if (!ok) {
        snprintf(err, err_len, "%s: write failed: %s", af->path, strerror(saved));
        if (!af->direct)
            unlink(af->tmp_path);
    }
    unregister_temp(af);
    return ok ? 0 : -1;
}

void tb_atomic_abort(tb_atomic_file *af)
{
    if (af->fp)
        fclose(af->fp);
    af->fp = NULL;
    if (!af->direct && af->tmp_path[0])
        unlink(af->tmp_path);
    unregister_temp(af);
}

int tb_atomic_write(const char *path, const void *data, size_t len, char *err, size_t err_len)
{
    tb_atomic_file af;
    if (tb_atomic_open(&af, path, err, err_len) != 0)
        return -1;
    if (len && fwrite(data, 1, len, af.fp) != len) {
        snprintf(err, err_len, "%s: write failed: %s", path, strerror(errno));
        tb_atomic_abort(&af);
        return -1;
    }
    return tb_atomic_commit(&af, err, err_len);
}
