/* libFuzzer: VD_AGENT_MONITORS_CONFIG parsing and layout. The first byte picks
 * the capability combination; the rest is the payload. Checks the layout's
 * promises, not just "no crash". */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent/monitors_layout.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    int sparse_ok = data[0] & 1, use_pos_ok = (data[0] >> 1) & 1;
    /* Exact-size heap copy so ASan sees any read past the payload. */
    size_t len = size - 1;
    uint8_t *p = malloc(len ? len : 1);
    if (!p) {
        return 0;
    }
    memcpy(p, data + 1, len);
    vda_monitors_layout l;
    uint32_t bad;
    vda_moncfg_status s = vda_monitors_parse(p, len, sparse_ok, use_pos_ok, &l, &bad);
    free(p);
    if (s != VDA_MONCFG_OK) {
        if (l.count != 0) abort();
        return 0;
    }
    if (l.count == 0 || l.count > VDA_MONITORS_MAX || len < 8 + 20 * (size_t)l.count) abort();
    if (l.primary >= l.count || !l.mon[l.primary].enabled) abort();
    if (l.mon[l.primary].x != 0 || l.mon[l.primary].y != 0) abort();
    for (uint32_t i = 0; i < l.count; i++) {
        const vda_monitor *m = &l.mon[i];
        if (!m->enabled) {
            if (!sparse_ok) abort();
            continue;
        }
        if (i < l.primary) abort();  /* primary = first enabled */
        if (m->width == 0 || m->height == 0 || m->width > VDA_MONITOR_MAX_DIM ||
            m->height > VDA_MONITOR_MAX_DIM) abort();
        int64_t r = (int64_t)m->x + m->width, b = (int64_t)m->y + m->height;
        if (m->x < -VDA_MONITOR_POS_LIMIT - 1 || r > VDA_MONITOR_POS_LIMIT ||
            m->y < -VDA_MONITOR_POS_LIMIT - 1 || b > VDA_MONITOR_POS_LIMIT) abort();
        if (!l.used_positions && m->y != 0) abort();
    }
    if (l.used_positions && !use_pos_ok) abort();
    return 0;
}
