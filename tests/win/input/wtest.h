/* Tiny check helpers for the Windows input tests (plain programs run under
 * Wine): every check prints its outcome, failures are counted, and a part Wine
 * cannot show is reported as NOT RUN, never as passed. */
#ifndef VDA_WTEST_H
#define VDA_WTEST_H

#include <windows.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/le_bytes.h"
#include "base/vda_log.h"

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

/* A VD_AGENT_MONITORS_CONFIG payload (28 bytes into b) that claims `count`
 * monitors but carries one, w x h at 32 bpp at 0,0: count 1 is a valid config,
 * a larger count a malformed one. Returns its size. */
static inline size_t wtest_monitors_config(uint8_t *b, uint32_t count, uint32_t w, uint32_t h)
{
    memset(b, 0, 28);
    vda_put_le32(b, count);
    vda_put_le32(b + 8, h);
    vda_put_le32(b + 12, w);
    vda_put_le32(b + 16, 32);
    return 28;
}

/* Font smoothing as this process sees it (Wine caches it per process). */
static inline BOOL wtest_font_smoothing(void)
{
    BOOL on = FALSE;
    SystemParametersInfoW(SPI_GETFONTSMOOTHING, 0, &on, 0);
    return on;
}

#endif
