/* hostile_cases.h — broken and hostile safetensors images, each with the error it must produce. Shared
 * by the in-memory parser test, the file writer for the CLI test, and the fuzz seed corpus. */
#ifndef TRITBENCH_TESTS_HOSTILE_CASES_H
#define TRITBENCH_TESTS_HOSTILE_CASES_H

#include <stddef.h>
#include <stdint.h>

typedef struct hostile_case {
    const char *id;       /* file-name friendly */
    const char *tensor;   /* tensor the message must name, NULL when the problem is file-wide */
    const char *fragment; /* part of the message that names the problem */
} hostile_case;

extern const hostile_case hostile_cases[];
extern const size_t hostile_case_count;

/* Builds case i (or, for i == SIZE_MAX, the valid base image) into buf (cap bytes) and sets *len.
 * Returns 0, or -1 for an unknown case or a buffer too small. */
int hostile_case_build(size_t i, uint8_t *buf, size_t cap, size_t *len);

#endif
