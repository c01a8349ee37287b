/* Tiny check helpers for the Windows input tests (plain programs run under
 * Wine): every check prints its outcome, failures are counted, and a part Wine
 * cannot show is reported as NOT RUN, never as passed. */
#ifndef VDA_WTEST_H
#define VDA_WTEST_H

#include <stdio.h>
#include <string.h>

#include "vda_log.h"

typedef struct wtest {
    int failed, passed, not_run;
} wtest;

#define WCHECK(t, cond, ...)                                      \
    do {                                                          \
        if (cond) {                                               \
            (t)->passed++;                                        \
            printf("ok:      ");                                  \
        } else {                                                  \
            (t)->failed++;                                        \
            printf("FAILED:  %s:%d: ", __FILE__, __LINE__);       \
        }                                                         \
        printf(__VA_ARGS__);                                      \
        printf("\n");                                             \
        fflush(stdout);                                           \
    } while (0)

#define WNOT_RUN(t, ...)                                          \
    do {                                                          \
        (t)->not_run++;                                           \
        printf("NOT RUN: ");                                      \
        printf(__VA_ARGS__);                                      \
        printf("\n");                                             \
        fflush(stdout);                                           \
    } while (0)

/* 1 on failure, 77 when nothing could be checked, else 0. */
static inline int wtest_exit(const wtest *t)
{
    printf("%d passed, %d failed, %d not run\n", t->passed, t->failed, t->not_run);
    if (t->failed) return 1;
    if (t->passed == 0) return 77;
    return 0;
}

/* Log lines to stdout, so the test output shows what the module said. */
static inline vda_logger wtest_logger(void)
{
    vda_logger lg = {VDA_LOG_DEBUG, vda_log_sink_stdio, NULL, "test"};
    lg.ctx = stdout;
    return lg;
}

#endif
