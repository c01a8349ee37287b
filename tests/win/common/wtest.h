/* The one check style of the Windows test programs (tests/win/..., run under
 * Wine), and their file reader. Every failed check prints one line
 *   FAIL file:line: [condition: ]message
 * and a part that cannot be shown here prints "NOT RUN: why", never "ok".
 * Three ways to go on after a check, one output:
 *   WCHECK(t, cond, ...)  counts into a wtest and goes on (also prints "ok: ...");
 *   FAIL(...)             fails the function it is in: returns 0;
 *   CHECK(cond, ...)      sets the program's `failed` and jumps to `out:`;
 *   EXPECT(cond, ...)     sets `failed` and goes on (checks after `out:`). */
#ifndef VDA_WTEST_H
#define VDA_WTEST_H

#include <windows.h>
#include <stddef.h>
#include <stdio.h>

#include "base/vda_log.h"

/* Prints the FAIL line (cond may be NULL). */
void wtest_fail(const char *file, int line, const char *cond, const char *fmt, ...)
    __attribute__((format(gnu_printf, 4, 5)));

#define FAIL(...)                                                 \
    do {                                                          \
        wtest_fail(__FILE__, __LINE__, NULL, __VA_ARGS__);        \
        return 0;                                                 \
    } while (0)

/* A failed check of a program with `int failed`. */
#define WTEST_FAILED(text, ...) (wtest_fail(__FILE__, __LINE__, text, __VA_ARGS__), failed = 1)

#define CHECK(cond, ...)                                          \
    do {                                                          \
        if (!(cond)) {                                            \
            WTEST_FAILED(#cond, __VA_ARGS__);                     \
            goto out;                                             \
        }                                                         \
    } while (0)

#define EXPECT(cond, ...)                                         \
    do {                                                          \
        if (!(cond))                                              \
            WTEST_FAILED(#cond, __VA_ARGS__);                     \
    } while (0)

/* Counted checks of one program. */
typedef struct wtest {
    int failed, passed, not_run;
} wtest;

#define WCHECK(t, cond, ...)                                      \
    do {                                                          \
        if (cond) {                                               \
            (t)->passed++;                                        \
            printf("ok: ");                                       \
            printf(__VA_ARGS__);                                  \
            printf("\n");                                         \
            fflush(stdout);                                       \
        } else {                                                  \
            (t)->failed++;                                        \
            wtest_fail(__FILE__, __LINE__, NULL, __VA_ARGS__);    \
        }                                                         \
    } while (0)

#define WNOT_RUN(t, ...)                                          \
    do {                                                          \
        (t)->not_run++;                                           \
        printf("NOT RUN: ");                                      \
        printf(__VA_ARGS__);                                      \
        printf("\n");                                             \
        fflush(stdout);                                           \
    } while (0)

/* 1 on failure, 77 when nothing could be checked, else 0. A WNOT_RUN in a run
 * that passes leaves the test Passed, which ctest cannot tell from a full run:
 * keep WNOT_RUN for a part that does run on the systems the tests run on; a
 * case known not to run there gets a ctest test of its own that exits 77. */
int wtest_exit(const wtest *t);

/* Log lines to stdout, so the test output shows what the module said. */
vda_logger wtest_logger(void);

/* The whole file at path in a malloc'ed buffer with a NUL after its size
 * bytes (size may be NULL); the file may be open for writing elsewhere (a log).
 * NULL if it cannot be read. */
void *wtest_read_file(const wchar_t *path, size_t *size);

#endif
