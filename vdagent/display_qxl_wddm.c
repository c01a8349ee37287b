/* qxl-wddm: qxl-wddm-dod (Windows 8+) takes its escapes through D3DKMTEscape
 * (driver-private data: the 32-bit escape code, then the structure; any other
 * size is refused) on the adapter opened from the display's GDI name. The
 * D3DKMT entry points are looked up in gdi32 at run time. The layout is then
 * applied through CCD: every display's path, size and position, detaches by
 * omission, in one SetDisplayConfig call. */
#include "display_backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#include "agent/display_ccd.h"
#include "agent/qxl_escape.h"

/* The D3DKMT thunk structures (d3dkmthk.h of the Windows DDK; mingw-w64 ships
 * no such header), as documented for user mode. */
typedef UINT vdg_kmt_handle;
typedef struct vdg_kmt_open_gdi {
    WCHAR DeviceName[32];
    vdg_kmt_handle hAdapter;
    LUID AdapterLuid;
    UINT VidPnSourceId;
} vdg_kmt_open_gdi;
typedef struct vdg_kmt_close {
    vdg_kmt_handle hAdapter;
} vdg_kmt_close;
typedef struct vdg_kmt_escape {
    vdg_kmt_handle hAdapter;
    vdg_kmt_handle hDevice;
    int Type;                 /* D3DKMT_ESCAPETYPE */
    UINT Flags;               /* D3DDDI_ESCAPEFLAGS */
    void *pPrivateDriverData;
    UINT PrivateDriverDataSize;
    vdg_kmt_handle hContext;
} vdg_kmt_escape;
#define VDG_KMT_ESCAPE_DRIVERPRIVATE 0

typedef LONG(APIENTRY *open_fn)(vdg_kmt_open_gdi *);
typedef LONG(APIENTRY *close_fn)(const vdg_kmt_close *);
typedef LONG(APIENTRY *escape_fn)(const vdg_kmt_escape *);

typedef struct kmt {
    open_fn open;
    close_fn close;
    escape_fn escape;
} kmt;

/* 0 when gdi32 has all three. */
static int kmt_load(kmt *k)
{
    HMODULE gdi = GetModuleHandleW(L"gdi32.dll");
    if (!gdi) {
        return -1;
    }
    k->open = (open_fn)(void (*)(void))GetProcAddress(gdi, "D3DKMTOpenAdapterFromGdiDisplayName");
    k->close = (close_fn)(void (*)(void))GetProcAddress(gdi, "D3DKMTCloseAdapter");
    k->escape = (escape_fn)(void (*)(void))GetProcAddress(gdi, "D3DKMTEscape");
    return k->open && k->close && k->escape ? 0 : -1;
}

static int kmt_open(const kmt *k, const wchar_t *name, vdg_kmt_handle *h, LONG *status)
{
    vdg_kmt_open_gdi o;
    memset(&o, 0, sizeof o);
    wcsncpy(o.DeviceName, name, sizeof o.DeviceName / sizeof o.DeviceName[0] - 1);
    *status = k->open(&o);
    *h = o.hAdapter;
    return *status == 0 ? 0 : -1;
}

int vdg_display_is_wddm_adapter(const wchar_t *gdi_name)
{
    kmt k;
    vdg_kmt_handle h;
    LONG st;
    if (kmt_load(&k) != 0 || kmt_open(&k, gdi_name, &h, &st) != 0) {
        return 0;
    }
    vdg_kmt_close c = {h};
    k.close(&c);
    return 1;
}

static int escape(const vdg_display_device *d, vda_qxl_escape *e, char *why, size_t n)
{
    kmt k;
    if (kmt_load(&k) != 0) {
        snprintf(why, n, "gdi32 has no D3DKMT escape entry points");
        return -1;
    }
    vdg_kmt_handle h;
    LONG st;
    if (kmt_open(&k, d->name, &h, &st) != 0) {
        snprintf(why, n, "D3DKMTOpenAdapterFromGdiDisplayName failed (status 0x%08lx)",
                 (unsigned long)st);
        return -1;
    }
    vdg_kmt_escape esc;
    memset(&esc, 0, sizeof esc);
    esc.hAdapter = h;
    esc.Type = VDG_KMT_ESCAPE_DRIVERPRIVATE;
    esc.pPrivateDriverData = e->bytes;
    esc.PrivateDriverDataSize = (UINT)e->size;
    st = k.escape(&esc);
    vdg_kmt_close c = {h};
    k.close(&c);
    if (st != 0) {
        snprintf(why, n, "D3DKMTEscape 0x%x failed (status 0x%08lx)", (unsigned)e->code,
                 (unsigned long)st);
        return -1;
    }
    return 0;
}

static void win_error(LONG code, char *buf, size_t n)
{
    char msg[160] = "";
    DWORD k = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL,
                             (DWORD)code, 0, msg, sizeof msg, NULL);
    while (k > 0 && (msg[k - 1] == '\n' || msg[k - 1] == '\r' || msg[k - 1] == '.')) {
        msg[--k] = 0;
    }
    snprintf(buf, n, "%s (error %ld)", k ? msg : "unknown error", (long)code);
}

/* The display index of a CCD source, by its GDI name. */
static uint32_t source_display(const DISPLAYCONFIG_PATH_INFO *p, const vdg_display_device *dev,
                               size_t ndev)
{
    DISPLAYCONFIG_SOURCE_DEVICE_NAME sn;
    memset(&sn, 0, sizeof sn);
    sn.header.type = DISPLAYCONFIG_DEVICE_INFO_GET_SOURCE_NAME;
    sn.header.size = sizeof sn;
    sn.header.adapterId = p->sourceInfo.adapterId;
    sn.header.id = p->sourceInfo.id;
    if (DisplayConfigGetDeviceInfo(&sn.header) != ERROR_SUCCESS) {
        return VDA_CCD_NONE;
    }
    for (size_t i = 0; i < ndev; i++) {
        if (_wcsicmp(sn.viewGdiDeviceName, dev[i].name) == 0) {
            return (uint32_t)i;
        }
    }
    return VDA_CCD_NONE;
}

static int ccd_commit(const vda_logger *log, const vdg_display_device *dev, size_t ndev,
                      const vdg_display_target *t)
{
    UINT32 np = 0, nm = 0;
    char err[200];
    LONG r = GetDisplayConfigBufferSizes(QDC_ALL_PATHS, &np, &nm);
    DISPLAYCONFIG_PATH_INFO *paths = NULL;
    DISPLAYCONFIG_MODE_INFO *modes = NULL;
    vda_ccd_path *cp = NULL;
    int ret = -1;
    if (r == ERROR_SUCCESS) {
        paths = calloc(np ? np : 1, sizeof *paths);
        modes = calloc(nm ? nm : 1, sizeof *modes);
        cp = calloc(np ? np : 1, sizeof *cp);
        r = paths && modes && cp ? QueryDisplayConfig(QDC_ALL_PATHS, &np, paths, &nm, modes, NULL)
                                 : ERROR_NOT_ENOUGH_MEMORY;
    }
    if (r != ERROR_SUCCESS) {
        win_error(r, err, sizeof err);
        vda_warn(log, "monitors: QueryDisplayConfig failed: %s", err);
        goto out;
    }
    for (UINT32 i = 0; i < np; i++) {
        cp[i].display = source_display(&paths[i], dev, ndev);
        cp[i].active = (paths[i].flags & DISPLAYCONFIG_PATH_ACTIVE) != 0;
        cp[i].target_available = paths[i].targetInfo.targetAvailable != 0;
        cp[i].target = i;  /* the first path to the same target names it */
        for (UINT32 j = 0; j < i; j++) {
            if (paths[j].targetInfo.id == paths[i].targetInfo.id &&
                memcmp(&paths[j].targetInfo.adapterId, &paths[i].targetInfo.adapterId,
                       sizeof(LUID)) == 0) {
                cp[i].target = j;
                break;
            }
        }
    }
    vda_ccd_want want[VDA_MONITORS_MAX];
    size_t nw = ndev < VDA_MONITORS_MAX ? ndev : VDA_MONITORS_MAX;
    for (size_t i = 0; i < nw; i++) {
        want[i] = (vda_ccd_want){t[i].enabled, t[i].width, t[i].height, t[i].x, t[i].y};
    }
    vda_ccd_plan plan;
    uint32_t bad = 0;
    vda_ccd_status s = vda_ccd_plan_build(cp, np, want, nw, &plan, &bad);
    if (s != VDA_CCD_OK) {
        vda_warn(log, "monitors: no CCD topology for the layout: %s (display %u)",
                 vda_ccd_status_str(s), (unsigned)bad);
        goto out;
    }
    DISPLAYCONFIG_PATH_INFO use_paths[VDA_MONITORS_MAX];
    DISPLAYCONFIG_MODE_INFO use_modes[VDA_MONITORS_MAX];
    memset(use_modes, 0, sizeof use_modes);
    for (size_t k = 0; k < plan.count; k++) {
        const vda_ccd_use *u = &plan.use[k];
        DISPLAYCONFIG_PATH_INFO *p = &use_paths[k];
        *p = paths[u->path];
        p->flags |= DISPLAYCONFIG_PATH_ACTIVE;
        p->sourceInfo.modeInfoIdx = (UINT32)k;
        p->targetInfo.modeInfoIdx = DISPLAYCONFIG_PATH_MODE_IDX_INVALID;  /* Windows picks */
        DISPLAYCONFIG_MODE_INFO *m = &use_modes[k];
        m->infoType = DISPLAYCONFIG_MODE_INFO_TYPE_SOURCE;
        m->id = p->sourceInfo.id;
        m->adapterId = p->sourceInfo.adapterId;
        m->sourceMode.width = u->width;
        m->sourceMode.height = u->height;
        m->sourceMode.pixelFormat = DISPLAYCONFIG_PIXELFORMAT_32BPP;
        m->sourceMode.position.x = u->x;
        m->sourceMode.position.y = u->y;
        vda_info(log, "monitors: %ls (display %u) -> %ux%u at %d,%d%s (CCD)",
                 dev[u->display].name, (unsigned)u->display, (unsigned)u->width,
                 (unsigned)u->height, (int)u->x, (int)u->y,
                 t[u->display].primary ? " (primary)" : "");
    }
    r = SetDisplayConfig((UINT32)plan.count, use_paths, (UINT32)plan.count, use_modes,
                         SDC_APPLY | SDC_USE_SUPPLIED_DISPLAY_CONFIG | SDC_ALLOW_CHANGES |
                             SDC_SAVE_TO_DATABASE);
    if (r != ERROR_SUCCESS) {
        win_error(r, err, sizeof err);
        vda_warn(log, "monitors: SetDisplayConfig of %zu displays failed: %s", plan.count, err);
        goto out;
    }
    ret = 0;
out:
    free(paths);
    free(modes);
    free(cp);
    return ret;
}

const vdg_display_backend vdg_display_qxl_wddm = {
    VDA_DISPLAY_PATH_QXL_WDDM, escape, ccd_commit,
};
