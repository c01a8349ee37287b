#include "monitors_win.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>
#include <cfgmgr32.h>

#include <spice/vd_agent.h>

#include "display_backend.h"

/* Modes we look at per device; drivers list a few hundred at most. */
#define MODES_MAX 1024

/* Device ids and descriptions are ASCII; anything else becomes '?'. */
static void narrow(char *out, size_t len, const wchar_t *in)
{
    size_t i = 0;
    for (; i + 1 < len && in[i]; i++) {
        out[i] = in[i] < 0x80 ? (char)in[i] : '?';
    }
    out[i] = 0;
}

/* The adapter's PCI path: its own device/function, then each PCI bridge above
 * it up to the root bus (CM_DRP_ADDRESS is (device << 16) | function). The
 * segment is taken as 0000: QEMU guests have one. */
static int adapter_pci_path(DWORD adapter_index, vda_pci_path *out)
{
    DISPLAY_DEVICEW dd;
    memset(&dd, 0, sizeof dd);
    dd.cb = sizeof dd;
    if (!EnumDisplayDevicesW(NULL, adapter_index, &dd, EDD_GET_DEVICE_INTERFACE_NAME)) {
        return -1;
    }
    char iface[sizeof dd.DeviceID / sizeof dd.DeviceID[0]], inst[200];
    narrow(iface, sizeof iface, dd.DeviceID);
    DEVINST dev;
    if (vda_devinterface_instance(iface, inst, sizeof inst) != 0 ||
        CM_Locate_DevNodeA(&dev, inst, CM_LOCATE_DEVNODE_NORMAL) != CR_SUCCESS) {
        return -1;
    }
    struct { uint8_t slot, func; } rev[VDA_PCI_PATH_MAX];
    uint32_t depth = 0;
    for (;;) {
        char id[MAX_DEVICE_ID_LEN];
        DWORD addr = 0;
        ULONG size = sizeof addr;
        if (CM_Get_Device_IDA(dev, id, sizeof id, 0) != CR_SUCCESS || _strnicmp(id, "PCI\\", 4)) {
            break;  /* above the PCI tree: the host bridge's ACPI node */
        }
        if (depth == VDA_PCI_PATH_MAX ||
            CM_Get_DevNode_Registry_PropertyA(dev, CM_DRP_ADDRESS, NULL, &addr, &size, 0) !=
                CR_SUCCESS) {
            return -1;
        }
        rev[depth].slot = (uint8_t)((addr >> 16) & 0x1f);
        rev[depth].func = (uint8_t)(addr & 7);
        depth++;
        DEVINST parent;
        if (CM_Get_Parent(&parent, dev, 0) != CR_SUCCESS) {
            break;
        }
        dev = parent;
    }
    if (depth == 0) {
        return -1;
    }
    memset(out, 0, sizeof *out);
    out->depth = depth;
    for (uint32_t i = 0; i < depth; i++) {
        out->hop[i].slot = rev[depth - 1 - i].slot;
        out->hop[i].func = rev[depth - 1 - i].func;
    }
    return 0;
}

size_t vdg_display_devices_ex(vdg_display_device *out, size_t max, int with_pci)
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
        narrow(d->hardware_id, sizeof d->hardware_id, dd.DeviceID);
        narrow(d->description, sizeof d->description, dd.DeviceString);
        d->driver = vda_display_driver_classify(d->hardware_id, d->description);
        if (with_pci) {
            d->pci.has_path = adapter_pci_path(i, &d->pci.path) == 0;
        }
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

size_t vdg_display_devices(vdg_display_device *out, size_t max)
{
    return vdg_display_devices_ex(out, max, 0);
}

void vdg_display_ids(const vdg_display_map *m, const vdg_display_device *dev, size_t ndev,
                     uint32_t ids[VDA_MONITORS_MAX])
{
    vda_guest_display g[VDA_MONITORS_MAX];
    size_t n = ndev < VDA_MONITORS_MAX ? ndev : VDA_MONITORS_MAX;
    for (size_t i = 0; i < n; i++) {
        g[i] = dev[i].pci;
    }
    vda_devinfo_map(m && m->have_info ? &m->info : NULL, g, n, ids);
}

int vdg_screen_geometry_mapped(vda_screen_geom *g, const vdg_display_map *map)
{
    vdg_display_device dev[VDA_DISPLAY_DEVICES_MAX];
    int mapped = map && map->have_info;
    size_t n = vdg_display_devices_ex(dev, VDA_DISPLAY_DEVICES_MAX, mapped);
    uint32_t ids[VDA_MONITORS_MAX];
    vdg_display_ids(map, dev, n, ids);
    memset(g, 0, sizeof *g);
    int64_t l = 0, t = 0, r = 0, b = 0;
    int any = 0;
    uint32_t count = 0;
    for (uint32_t id = 0; id < VDA_DISPLAY_DEVICES_MAX && id < VDA_MONITORS_MAX; id++) {
        if (ids[id] == VDA_DISPLAY_UNMAPPED) {
            continue;
        }
        count = id + 1;
        g->mon[id] = dev[ids[id]].rect;
    }
    for (size_t i = 0; i < n; i++) {
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
    g->mon_count = count;
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

int vdg_screen_geometry(vda_screen_geom *g)
{
    return vdg_screen_geometry_mapped(g, NULL);
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

int vdg_display_prepare(const vda_logger *log, const vdg_display_device *d, size_t index,
                        const vda_monitor *m, vdg_mode_choice *out)
{
    const char *why = "";
    vda_display_path path = vda_display_path_choose(d->driver, d->wddm, &why);
    const vdg_display_backend *be = vdg_display_backend_of(path);
    char refused[200] = "";
    if (be->send_escape) {
        char err[160] = "";
        vda_qxl_escape e;
        vda_qxl_escape_custom_display(&e, m->width, m->height, m->depth ? m->depth : 32);
        if (be->send_escape(d, &e, err, sizeof err) != 0) {
            snprintf(refused, sizeof refused, "; %s refused the exact size: %s",
                     vda_display_path_name(path), err);
            path = VDA_DISPLAY_PATH_GENERIC;
        }
    }
    vda_display_mode *modes;
    size_t nmodes = list_modes(d->name, &modes);
    long k = vda_display_mode_choose(modes, nmodes, m->width, m->height, m->depth);
    if (path == VDA_DISPLAY_PATH_QXL_WDDM) {
        /* qxl-wddm-dod took the custom mode; its mode list is re-read by
         * Windows asynchronously, and CCD sets a source mode of any size the
         * driver accepts, so the exact size goes ahead listed or not. */
        free(modes);
        modes = NULL;
        out->mode = (vda_display_mode){m->width, m->height, 32};
    } else if (k < 0) {
        free(modes);
        vda_warn(log, "monitors: %ls (display %zu) offers no display modes", d->name, index);
        return -1;
    } else {
        out->mode = modes[k];
        free(modes);
    }
    out->path = path;
    out->exact = out->mode.width == m->width && out->mode.height == m->height;
    char got[64];
    if (out->exact) {
        snprintf(got, sizeof got, "%ux%u exact", (unsigned)m->width, (unsigned)m->height);
    } else {
        snprintf(got, sizeof got, "%ux%u, the closest listed to %ux%u", (unsigned)out->mode.width,
                 (unsigned)out->mode.height, (unsigned)m->width, (unsigned)m->height);
    }
    vda_info(log, "monitors: %ls (display %zu, %s): %s path (%s%s): %s", d->name, index,
             vda_display_driver_name(d->driver), vda_display_path_name(path), why, refused, got);
    return 0;
}

/* Every display that is or becomes attached runs qxl-wddm: CCD can commit it. */
static int all_wddm(const vdg_display_device *dev, size_t ndev, const vdg_display_target *t,
                    const vda_display_path *paths)
{
    int any = 0;
    for (size_t i = 0; i < ndev; i++) {
        if (!t[i].enabled && !dev[i].attached) {
            continue;
        }
        if (t[i].enabled ? paths[i] != VDA_DISPLAY_PATH_QXL_WDDM : !dev[i].wddm) {
            return 0;
        }
        any = 1;
    }
    return any;
}

uint32_t vdg_monitors_apply_mapped(const vda_logger *log, const uint8_t *payload, size_t size,
                                   int client_has_position_cap, const vdg_display_map *map)
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
    size_t ndev = vdg_display_devices_ex(dev, VDA_DISPLAY_DEVICES_MAX, map && map->have_info);
    for (size_t i = 0; i < ndev; i++) {
        /* Only QXL's path depends on it; other drivers are never opened. */
        dev[i].wddm = dev[i].driver == VDA_DRIVER_QXL && vdg_display_is_wddm_adapter(dev[i].name);
    }
    uint32_t ids[VDA_MONITORS_MAX];
    vdg_display_ids(map, dev, ndev, ids);
    if (ids[l.primary] == VDA_DISPLAY_UNMAPPED) {
        vda_warn(log, "monitors: config's primary is monitor %u but the guest has %zu displays",
                 (unsigned)l.primary, ndev);
        return VD_AGENT_ERROR;
    }
    if (l.count > ndev) {
        vda_info(log, "monitors: config has %u monitors, the guest %zu: the rest ignored",
                 (unsigned)l.count, ndev);
    }

    vdg_display_target t[VDA_DISPLAY_DEVICES_MAX];
    vda_display_path paths[VDA_DISPLAY_DEVICES_MAX];
    memset(t, 0, sizeof t);
    int failed = 0, change = 0;
    for (size_t i = 0; i < ndev; i++) {
        paths[i] = VDA_DISPLAY_PATH_GENERIC;
    }
    for (uint32_t id = 0; id < l.count; id++) {
        uint32_t i = ids[id];
        if (i == VDA_DISPLAY_UNMAPPED || !l.mon[id].enabled) {
            continue;
        }
        const vda_monitor *m = &l.mon[id];
        vdg_mode_choice c;
        if (vdg_display_prepare(log, &dev[i], i, m, &c) != 0) {
            failed = 1;
            continue;
        }
        paths[i] = c.path;
        t[i] = (vdg_display_target){1, c.mode.width, c.mode.height, c.mode.depth, m->x, m->y,
                                    id == l.primary};
    }
    for (size_t i = 0; i < ndev; i++) {
        const vdg_display_device *d = &dev[i];
        if (!t[i].enabled) {
            if (d->attached) {
                vda_info(log, "monitors: %ls (display %zu) disabled", d->name, i);
                change = 1;
            }
            continue;
        }
        if (!d->attached || (uint32_t)d->rect.width != t[i].width ||
            (uint32_t)d->rect.height != t[i].height || d->depth != t[i].depth ||
            d->rect.x != t[i].x || d->rect.y != t[i].y) {
            change = 1;
        }
    }
    if (!change) {
        if (!failed) {
            vda_debug(log, "monitors: layout already as requested");
        }
        return failed ? VD_AGENT_ERROR : VD_AGENT_SUCCESS;
    }
    const vdg_display_backend *committer = &vdg_display_generic;
    if (all_wddm(dev, ndev, t, paths)) {
        committer = &vdg_display_qxl_wddm;
    }
    if (committer->commit(log, dev, ndev, t) != 0) {
        if (committer == &vdg_display_generic) {
            return VD_AGENT_ERROR;
        }
        vda_warn(log, "monitors: CCD commit failed; trying the staged mode switch");
        if (vdg_display_commit_staged(log, dev, ndev, t) != 0) {
            return VD_AGENT_ERROR;
        }
    }
    for (size_t i = 0; i < ndev; i++) {
        const vdg_display_backend *be = vdg_display_backend_of(paths[i]);
        char why[160];
        if (!t[i].enabled || !be->send_escape)
            continue;
        vda_qxl_escape e;
        vda_qxl_escape_monitor_config(&e, t[i].width, t[i].height, t[i].x, t[i].y);
        if (be->send_escape(&dev[i], &e, why, sizeof why) != 0) {
            vda_debug(log, "monitors: %ls: head position not passed to the driver: %s",
                      dev[i].name, why);
        }
    }
    return failed ? VD_AGENT_ERROR : VD_AGENT_SUCCESS;
}

uint32_t vdg_monitors_apply(const vda_logger *log, const uint8_t *payload, size_t size,
                            int client_has_position_cap)
{
    return vdg_monitors_apply_mapped(log, payload, size, client_has_position_cap, NULL);
}
