/* pin.h — --pin: bind each OpenMP worker thread to its own core with hwloc. */
#ifndef TRITBENCH_HARNESS_PIN_H
#define TRITBENCH_HARNESS_PIN_H

#include <stddef.h>

/* Binds threads 0..threads-1 of an `omp parallel num_threads(threads)` team (libgomp reuses that team
 * for later regions of the same size) to cores 0..threads-1 (modulo the core count). Returns 0, or -1
 * with the reason (no hwloc in this build, binding refused). */
int tb_pin_threads(int threads, char *why, size_t why_len);

#endif
