#include "monitors_win.h"

#include <stdlib.h>
#include <string.h>
#include <windows.h>

#include <spice/vd_agent.h>

#include "agent/display_modes.h"
#include "agent/monitors_layout.h"

/* Modes we look at per device; drivers list a few hundred at most. */
#define MODES_MAX 1024

size_t vdg_display_devices(vdg_display_device *out, size_t max)
{
    size_t n = 0;
    for (DWORD i = 0; n < max; i++) {
        DISPLAY_DEVICEW dd;
        memset(&dd, 0, sizeof dd);
        dd.cb = sizeof dd;
        if (!EnumDisplayDevicesW(NULL, i, &dd, 0)) {
            break;
        }
        if (dd.StateFlags & DISPLAY_DEVICE_MIRRORING_DRIVER) {
            continue;
        }
        vdg_display_device *d = &out[n++];
        memset(d, 0, sizeof *d);
        wcsncpy(d->name, dd.DeviceName, sizeof d->name / sizeof d->name[0] - 1);
        d->attached = (dd.StateFlags & DISPLAY_DEVICE_ATTACHED_TO_DESKTOP) != 0;
        d->primary = (dd.StateFlags & DISPLAY_DEVICE_PRIMARY_DEVICE) != 0;
        DEVMODEW dm;
        memset(&dm, 0, sizeof dm);
        dm.dmSize = sizeof dm;
        if (d->attached && EnumDisplaySettingsExW(d->name, ENUM_CURRENT_SETTINGS, &dm, 0)) {
            d->rect.x = dm.dmPosition.x;
            d->rect.y = dm.dmPosition.y;
            d->rect.width = (int32_t)dm.dmPelsWidth;
            d->rect.height = (int32_t)dm.dmPelsHeight;
            d->depth = dm.dmBitsPerPel;
        }
    }
    return n;
}

int vdg_screen_geometry(vda_screen_geom *g)
{
    vdg_display_device dev[VDA_DISPLAY_DEVICES_MAX];
    size_t n = vdg_display_devices(dev, VDA_DISPLAY_DEVICES_MAX);
    memset(g, 0, sizeof *g);
    int64_t l = 0, t = 0, r = 0, b = 0;
    int any = 0;
    for (size_t i = 0; i < n; i++) {
        g->mon[i] = dev[i].rect;
        if (dev[i].rect.width <= 0 || dev[i].rect.height <= 0) {
            continue;
        }
        int64_t x = dev[i].rect.x, y = dev[i].rect.y;
        int64_t x2 = x + dev[i].rect.width, y2 = y + dev[i].rect.height;
        if (!any || x < l) l = x;
        if (!any || y < t) t = y;
        if (!any || x2 > r) r = x2;
        if (!any || y2 > b) b = y2;
        any = 1;
    }
    g->mon_count = (uint32_t)n;
    if (!any) {
        g->virt.x = GetSystemMetrics(SM_XVIRTUALSCREEN);
        g->virt.y = GetSystemMetrics(SM_YVIRTUALSCREEN);
        g->virt.width = GetSystemMetrics(SM_CXVIRTUALSCREEN);
        g->virt.height = GetSystemMetrics(SM_CYVIRTUALSCREEN);
        return -1;
    }
    g->virt = (vda_rect){(int32_t)l, (int32_t)t, (int32_t)(r - l), (int32_t)(b - t)};
    return 0;
}

/* The modes a device offers (any frequency), into a heap array the caller frees. */
static size_t list_modes(const wchar_t *device, vda_display_mode **out)
{
    vda_display_mode *modes = malloc(MODES_MAX * sizeof *modes);
    size_t n = 0;
    if (!modes) {
        *out = NULL;
        return 0;
    }
    DEVMODEW dm;
    for (DWORD k = 0; n < MODES_MAX; k++) {
        memset(&dm, 0, sizeof dm);
        dm.dmSize = sizeof dm;
        if (!EnumDisplaySettingsExW(device, k, &dm, 0)) {
            break;
        }
        modes[n++] = (vda_display_mode){dm.dmPelsWidth, dm.dmPelsHeight, dm.dmBitsPerPel};
    }
    *out = modes;
    return n;
}

static const char *disp_change_str(LONG r)
{
    switch (r) {
    case DISP_CHANGE_SUCCESSFUL: return "successful";
    case DISP_CHANGE_RESTART: return "needs a restart";
    case DISP_CHANGE_FAILED: return "driver failed";
    case DISP_CHANGE_BADMODE: return "mode not supported";
    case DISP_CHANGE_NOTUPDATED: return "registry not updated";
    case DISP_CHANGE_BADFLAGS: return "bad flags";
    case DISP_CHANGE_BADPARAM: return "bad parameter";
    case DISP_CHANGE_BADDUALVIEW: return "bad dual view";
    }
    return "unknown error";
}

/* Stages one device's new settings (committed later, all at once). Returns 1
 * on failure (logged), 0 on success. */
static int stage_device(const vda_logger *log, const vdg_display_device *d, DEVMODEW *dm,
                        DWORD flags)
{
    LONG r = ChangeDisplaySettingsExW(d->name, dm, NULL, flags | CDS_UPDATEREGISTRY | CDS_NORESET,
                                      NULL);
    if (r != DISP_CHANGE_SUCCESSFUL) {
        vda_warn(log, "monitors: %ls: %lux%lu at %ld,%ld refused: %s (%ld)", d->name,
                 (unsigned long)dm->dmPelsWidth, (unsigned long)dm->dmPelsHeight,
                 (long)dm->dmPosition.x, (long)dm->dmPosition.y, disp_change_str(r), (long)r);
        return 1;
    }
    return 0;
}

uint32_t vdg_monitors_apply(const vda_logger *log, const uint8_t *payload, size_t size,
                            int client_has_position_cap)
{
    vda_monitors_layout l;
    uint32_t bad = 0;
    vda_moncfg_status s = vda_monitors_parse(payload, size, 1, client_has_position_cap, &l, &bad);
    if (s != VDA_MONCFG_OK) {
        vda_warn(log, "monitors: config of %zu bytes discarded: %s (monitor %u)", size,
                 vda_moncfg_status_str(s), (unsigned)bad);
        return VD_AGENT_ERROR;
    }
    vdg_display_device dev[VDA_DISPLAY_DEVICES_MAX];
    size_t ndev = vdg_display_devices(dev, VDA_DISPLAY_DEVICES_MAX);
    if (l.primary >= ndev) {
        vda_warn(log, "monitors: config's primary is monitor %u but the guest has %zu displays",
                 (unsigned)l.primary, ndev);
        return VD_AGENT_ERROR;
    }
    if (l.count > ndev) {
        vda_info(log, "monitors: config has %u monitors, the guest %zu: the rest ignored",
                 (unsigned)l.count, ndev);
    }

    int failed = 0, staged = 0;
    for (size_t i = 0; i < ndev; i++) {
        const vdg_display_device *d = &dev[i];
        DEVMODEW dm;
        memset(&dm, 0, sizeof dm);
        dm.dmSize = sizeof dm;
        if (i >= l.count || !l.mon[i].enabled) {
            if (!d->attached) {
                continue;
            }
            /* Detach: a zero size at position 0,0. */
            dm.dmFields = DM_POSITION | DM_PELSWIDTH | DM_PELSHEIGHT;
            vda_info(log, "monitors: %ls (display %zu) disabled", d->name, i);
            failed |= stage_device(log, d, &dm, 0);
            staged = 1;
            continue;
        }
        const vda_monitor *m = &l.mon[i];
        vda_display_mode *modes;
        size_t nmodes = list_modes(d->name, &modes);
        long k = vda_display_mode_choose(modes, nmodes, m->width, m->height, m->depth);
        if (k < 0) {
            free(modes);
            vda_warn(log, "monitors: %ls offers no display modes", d->name);
            failed = 1;
            continue;
        }
        vda_display_mode mode = modes[k];
        free(modes);
        if (mode.width != m->width || mode.height != m->height) {
            vda_info(log, "monitors: %ls: %ux%u not offered, using %ux%u", d->name,
                     (unsigned)m->width, (unsigned)m->height, (unsigned)mode.width,
                     (unsigned)mode.height);
        }
        if (d->attached && (uint32_t)d->rect.width == mode.width &&
            (uint32_t)d->rect.height == mode.height && d->depth == mode.depth &&
            d->rect.x == m->x && d->rect.y == m->y) {
            continue;  /* already so: no mode switch, no flicker */
        }
        dm.dmFields = DM_POSITION | DM_PELSWIDTH | DM_PELSHEIGHT | DM_BITSPERPEL;
        dm.dmPelsWidth = mode.width;
        dm.dmPelsHeight = mode.height;
        dm.dmBitsPerPel = mode.depth;
        dm.dmPosition.x = m->x;
        dm.dmPosition.y = m->y;
        vda_info(log, "monitors: %ls (display %zu) -> %ux%ux%u at %d,%d%s", d->name, i,
                 (unsigned)mode.width, (unsigned)mode.height, (unsigned)mode.depth, (int)m->x,
                 (int)m->y, i == l.primary ? " (primary)" : "");
        failed |= stage_device(log, d, &dm, i == l.primary ? CDS_SET_PRIMARY : 0);
        staged = 1;
    }
    if (staged) {
        /* Commit everything staged with CDS_NORESET in one mode switch. */
        LONG r = ChangeDisplaySettingsExW(NULL, NULL, NULL, 0, NULL);
        if (r != DISP_CHANGE_SUCCESSFUL) {
            vda_warn(log, "monitors: applying the new layout failed: %s (%ld)",
                     disp_change_str(r), (long)r);
            failed = 1;
        }
    } else if (!failed) {
        vda_debug(log, "monitors: layout already as requested");
    }
    return failed ? VD_AGENT_ERROR : VD_AGENT_SUCCESS;
}
