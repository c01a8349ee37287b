#include "agent/monitors_layout.h"

#include <string.h>

#include <spice/vd_agent.h>

#include "base/le_bytes.h"

#define HEADER_SIZE 8   /* num_of_monitors, flags */
#define MON_SIZE 20     /* height, width, depth, x, y */

_Static_assert(sizeof(VDAgentMonitorsConfig) == HEADER_SIZE, "wire header size");
_Static_assert(sizeof(VDAgentMonConfig) == MON_SIZE, "wire monitor size");

static int pos_ok(int64_t v)
{
    return v >= -VDA_MONITOR_POS_LIMIT - 1 && v <= VDA_MONITOR_POS_LIMIT;
}

vda_moncfg_status vda_monitors_parse(const uint8_t *payload, size_t size, int sparse_ok,
                                     int use_pos_ok, vda_monitors_layout *out,
                                     uint32_t *bad_index)
{
    memset(out, 0, sizeof *out);
    uint32_t dummy;
    if (!bad_index) {
        bad_index = &dummy;
    }
    *bad_index = 0;
    if (size < HEADER_SIZE) {
        return VDA_MONCFG_TOO_SHORT;
    }
    uint32_t n = vda_le32(payload);
    uint32_t flags = vda_le32(payload + 4);
    if (n == 0) {
        return VDA_MONCFG_NO_MONITORS;
    }
    if (n > VDA_MONITORS_MAX) {
        return VDA_MONCFG_TOO_MANY;
    }
    if (n > (size - HEADER_SIZE) / MON_SIZE) {
        return VDA_MONCFG_TRUNCATED;
    }

    vda_monitors_layout l;
    memset(&l, 0, sizeof l);
    l.count = n;
    int have_primary = 0;
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *p = payload + HEADER_SIZE + (size_t)i * MON_SIZE;
        vda_monitor *m = &l.mon[i];
        m->height = vda_le32(p);
        m->width = vda_le32(p + 4);
        m->depth = vda_le32(p + 8);
        m->x = (int32_t)vda_le32(p + 12);
        m->y = (int32_t)vda_le32(p + 16);
        *bad_index = i;
        if (m->width == 0 && m->height == 0) {
            if (!sparse_ok) {
                return VDA_MONCFG_SPARSE_NOT_OK;
            }
            m->x = m->y = 0;
            continue;
        }
        if (m->width == 0 || m->height == 0 || m->width > VDA_MONITOR_MAX_DIM ||
            m->height > VDA_MONITOR_MAX_DIM) {
            return VDA_MONCFG_BAD_SIZE;
        }
        m->enabled = 1;
        if (!have_primary) {
            l.primary = i;
            have_primary = 1;
        }
    }
    *bad_index = 0;
    if (!have_primary) {
        return VDA_MONCFG_ALL_DISABLED;
    }

    l.used_positions = (flags & VD_AGENT_CONFIG_MONITORS_FLAG_USE_POS) && use_pos_ok;
    if (l.used_positions) {
        int64_t ox = l.mon[l.primary].x, oy = l.mon[l.primary].y;
        for (uint32_t i = 0; i < n; i++) {
            vda_monitor *m = &l.mon[i];
            if (!m->enabled) {
                continue;
            }
            int64_t x = (int64_t)m->x - ox, y = (int64_t)m->y - oy;
            if (!pos_ok(x) || !pos_ok(y) || !pos_ok(x + m->width) || !pos_ok(y + m->height)) {
                *bad_index = i;
                return VDA_MONCFG_BAD_POSITION;
            }
            m->x = (int32_t)x;
            m->y = (int32_t)y;
        }
    } else {
        int64_t x = 0;
        for (uint32_t i = 0; i < n; i++) {
            vda_monitor *m = &l.mon[i];
            if (!m->enabled) {
                continue;
            }
            if (!pos_ok(x + m->width)) {
                *bad_index = i;
                return VDA_MONCFG_BAD_POSITION;
            }
            m->x = (int32_t)x;
            m->y = 0;
            x += m->width;
        }
    }
    *out = l;
    return VDA_MONCFG_OK;
}

const char *vda_moncfg_status_str(vda_moncfg_status s)
{
    switch (s) {
    case VDA_MONCFG_OK: return "ok";
    case VDA_MONCFG_TOO_SHORT: return "shorter than its header";
    case VDA_MONCFG_NO_MONITORS: return "zero monitors";
    case VDA_MONCFG_TOO_MANY: return "too many monitors";
    case VDA_MONCFG_TRUNCATED: return "monitor count larger than the payload";
    case VDA_MONCFG_BAD_SIZE: return "absurd monitor size";
    case VDA_MONCFG_SPARSE_NOT_OK: return "disabled (0x0) monitor without sparse support";
    case VDA_MONCFG_ALL_DISABLED: return "every monitor disabled";
    case VDA_MONCFG_BAD_POSITION: return "monitor position out of range";
    }
    return "unknown";
}
