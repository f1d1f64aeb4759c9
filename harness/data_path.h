/* data_path.h — where tritbench's data files (profiles) are: the source tree when the binary runs from
 * its build directory, else the installed datadir (<prefix>/share/tritbench), found next to the binary
 * first (a moved prefix still works), then at the configured prefix. */
#ifndef TRITBENCH_HARNESS_DATA_PATH_H
#define TRITBENCH_HARNESS_DATA_PATH_H

#include <stddef.h>

/* rel is a path under the data directory, e.g. "profiles/bitnet-phase4.json" (catalog/profiles/ in the
 * source tree). Writes the path to use into out (the datadir one when nothing exists, so the error names
 * where it was looked for). Returns out. */
const char *tb_data_path(const char *rel, char *out, size_t len);

#endif
