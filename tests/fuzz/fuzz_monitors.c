/* libFuzzer: the display messages. Byte 0 bits 2-3 pick the message, the rest
 * of the input is its payload:
 *   0  VD_AGENT_MONITORS_CONFIG parsing and layout (bits 0-1: the caps)
 *   1  VD_AGENT_GRAPHICS_DEVICE_INFO parsing and the display-id mapping
 *   2  VD_AGENT_AUDIO_VOLUME_SYNC parsing and channel levels
 *   3  a CCD plan over paths and wants read from the bytes
 * Each checks the module's promises, not just "no crash". */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent/audio_volume.h"
#include "agent/device_info.h"
#include "agent/display_ccd.h"
#include "agent/monitors_layout.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void device_info(const uint8_t *p, size_t len)
{
    vda_devinfo info;
    uint32_t bad;
    vda_devinfo_status s = vda_devinfo_parse(p, len, &info, &bad);
    if (s != VDA_DEVINFO_OK) {
        if (info.count != 0) abort();
        return;
    }
    if (info.count > VDA_DEVINFO_MAX) abort();
    for (uint32_t i = 0; i < info.count; i++) {
        const vda_devinfo_entry *e = &info.e[i];
        size_t n = strnlen(e->address, VDA_DEVADDR_MAX);
        if (n == 0 || n >= VDA_DEVADDR_MAX) abort();
        if (e->display_id != e->channel_id + e->monitor_id || e->display_id >= VDA_MONITORS_MAX)
            abort();
    }
    /* Guest displays at the addresses the message names (every other one
     * unknown), so entries do match. */
    vda_guest_display g[VDA_MONITORS_MAX];
    memset(g, 0, sizeof g);
    for (uint32_t i = 0; i < info.count; i += 2)
        g[i].has_path = vda_pci_path_parse(info.e[i].address, &g[i].path) == 0;
    uint32_t map[VDA_MONITORS_MAX];
    size_t ndisp = info.count ? info.count : 1;
    vda_devinfo_map(&info, g, ndisp, map);
    int seen[VDA_MONITORS_MAX] = {0};
    for (uint32_t id = 0; id < VDA_MONITORS_MAX; id++) {
        if (map[id] == VDA_DISPLAY_UNMAPPED) continue;
        if (map[id] >= ndisp || seen[map[id]]++) abort();  /* in range, each display once */
    }
}

static void audio(const uint8_t *p, size_t len)
{
    vda_audio_volume v;
    if (vda_audio_volume_parse(p, len, &v) != VDA_AUDIO_OK) {
        if (v.nchannels != 0) abort();
        return;
    }
    if (v.nchannels == 0 || v.nchannels > VDA_AUDIO_CHANNELS_MAX ||
        len < VDA_AUDIO_HDR + 2 * (size_t)v.nchannels) abort();
    float l[8];
    vda_audio_volume_levels(&v, 8, l);
    for (int c = 0; c < 8; c++)
        if (!(l[c] >= 0.0f && l[c] <= 1.0f)) abort();
}

/* 4 bytes a path (display, target, flags), then 1 byte a display's want. */
static void ccd(const uint8_t *p, size_t len)
{
    vda_ccd_path paths[32];
    size_t np = 0;
    while (len >= 4 && np < 32 && p[0] != 0xff) {
        paths[np].display = p[1] < 8 ? p[1] : VDA_CCD_NONE;
        paths[np].target = p[2] & 7;
        paths[np].active = p[3] & 1;
        paths[np].target_available = (p[3] >> 1) & 1;
        np++;
        p += 4;
        len -= 4;
    }
    vda_ccd_want want[8];
    size_t nd = 0;
    for (; nd < 8 && nd < len; nd++) {
        want[nd] = (vda_ccd_want){p[nd] & 1, 640, 480, (p[nd] >> 1) & 1 ? 0 : 640 * (int32_t)nd, 0};
    }
    vda_ccd_plan pl;
    uint32_t bad;
    if (vda_ccd_plan_build(paths, np, want, nd, &pl, &bad) != VDA_CCD_OK) {
        if (pl.count != 0) abort();
        return;
    }
    int used_disp[8] = {0};
    for (size_t k = 0; k < pl.count; k++) {
        const vda_ccd_use *u = &pl.use[k];
        if (u->path >= np || u->display >= nd || !want[u->display].enabled) abort();
        if (paths[u->path].display != u->display || used_disp[u->display]++) abort();
        for (size_t j = 0; j < k; j++)
            if (paths[pl.use[j].path].target == paths[u->path].target) abort();
    }
    for (size_t d = 0; d < nd; d++)
        if (want[d].enabled && !used_disp[d]) abort();  /* every enabled display placed */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    int kind = (data[0] >> 2) & 3;
    if (kind != 0) {
        size_t n = size - 1;
        uint8_t *q = malloc(n ? n : 1);
        if (!q) return 0;
        memcpy(q, data + 1, n);
        if (kind == 1) device_info(q, n);
        else if (kind == 2) audio(q, n);
        else ccd(q, n);
        free(q);
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
