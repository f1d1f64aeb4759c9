/* data_path.c — finding the data files (see data_path.h). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/data_path.h"
#include "tritbench_config.h"

static int exists(const char *path)
{
    return access(path, R_OK) == 0;
}

/* Is this process's executable inside the build directory it was compiled in? */
static int running_from_build(char *exe_dir, size_t len)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return 0;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = '\0';
    snprintf(exe_dir, len, "%s", exe);
    char build[PATH_MAX];
    if (!realpath(TRIT_BUILD_ROOT, build))
        return 0;
    const size_t bl = strlen(build);
    return strncmp(exe, build, bl) == 0 && (exe[bl] == '/' || exe[bl] == '\0');
}

const char *tb_data_path(const char *rel, char *out, size_t len)
{
    char exe_dir[PATH_MAX] = "";
    if (running_from_build(exe_dir, sizeof exe_dir)) {
        snprintf(out, len, "%s/catalog/%s", TRIT_SOURCE_ROOT, rel);
        if (exists(out))
            return out;
    }
    if (*exe_dir && TRIT_DATADIR_REL[0] != '/') { /* <prefix>/bin/tritbench → <prefix>/share/tritbench */
        snprintf(out, len, "%s/../%s/%s", exe_dir, TRIT_DATADIR_REL, rel);
        if (exists(out))
            return out;
    }
    snprintf(out, len, "%s/%s", TRIT_DATADIR, rel);
    return out;
}
