/* check.h — minimal test assertions: a failed CHECK prints where and why and marks the test failed;
 * the test's main returns check_exit(). Independent of NDEBUG. */
#ifndef TRITBENCH_TESTS_CHECK_H
#define TRITBENCH_TESTS_CHECK_H

#include <stdio.h>
#include <stdlib.h>

static int check_failures;

#define CHECK(cond)                                                                                     \
    do {                                                                                                \
        if (!(cond)) {                                                                                  \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);                    \
            check_failures++;                                                                           \
        }                                                                                               \
    } while (0)

#define CHECKF(cond, ...)                                                                               \
    do {                                                                                                \
        if (!(cond)) {                                                                                  \
            fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond);                    \
            fprintf(stderr, __VA_ARGS__);                                                               \
            fputc('\n', stderr);                                                                        \
            check_failures++;                                                                           \
        }                                                                                               \
    } while (0)

/* Stop the test now (later checks would only repeat the failure or crash). */
#define REQUIRE(cond)                                                                                   \
    do {                                                                                                \
        if (!(cond)) {                                                                                  \
            fprintf(stderr, "%s:%d: REQUIRE failed: %s\n", __FILE__, __LINE__, #cond);                  \
            exit(1);                                                                                    \
        }                                                                                               \
    } while (0)

static inline int check_exit(void)
{
    if (check_failures)
        fprintf(stderr, "%d check(s) failed\n", check_failures);
    return check_failures ? 1 : 0;
}

#endif
