/* What the input tests share besides the checks of wtest.h. */
#ifndef VDA_INPUT_SUPPORT_H
#define VDA_INPUT_SUPPORT_H

#include <windows.h>
#include <stdint.h>
#include <string.h>

#include "base/le_bytes.h"
#include "wtest.h"

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
