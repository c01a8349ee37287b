/* The generic back end (the closest listed mode, nothing asked of the driver)
 * and the staged ChangeDisplaySettingsEx commit it shares with qxl-xpdm. */
#include "display_backend.h"

#include <string.h>
#include <windows.h>

const char *vdg_disp_change_str(long r)
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
                 (long)dm->dmPosition.x, (long)dm->dmPosition.y, vdg_disp_change_str(r), (long)r);
        return 1;
    }
    return 0;
}

int vdg_display_commit_staged(const vda_logger *log, const vdg_display_device *dev, size_t ndev,
                              const vdg_display_target *t)
{
    int failed = 0;
    for (size_t i = 0; i < ndev; i++) {
        const vdg_display_device *d = &dev[i];
        DEVMODEW dm;
        memset(&dm, 0, sizeof dm);
        dm.dmSize = sizeof dm;
        if (!t[i].enabled) {
            if (!d->attached) {
                continue;
            }
            /* Detach: a zero size at position 0,0. */
            dm.dmFields = DM_POSITION | DM_PELSWIDTH | DM_PELSHEIGHT;
            failed |= stage_device(log, d, &dm, 0);
            continue;
        }
        if (d->attached && (uint32_t)d->rect.width == t[i].width &&
            (uint32_t)d->rect.height == t[i].height && d->depth == t[i].depth &&
            d->rect.x == t[i].x && d->rect.y == t[i].y) {
            continue;  /* already so: no mode switch, no flicker */
        }
        dm.dmFields = DM_POSITION | DM_PELSWIDTH | DM_PELSHEIGHT | DM_BITSPERPEL;
        dm.dmPelsWidth = t[i].width;
        dm.dmPelsHeight = t[i].height;
        dm.dmBitsPerPel = t[i].depth;
        dm.dmPosition.x = t[i].x;
        dm.dmPosition.y = t[i].y;
        vda_info(log, "monitors: %ls (display %zu) -> %ux%ux%u at %d,%d%s", d->name, i,
                 (unsigned)t[i].width, (unsigned)t[i].height, (unsigned)t[i].depth, (int)t[i].x,
                 (int)t[i].y, t[i].primary ? " (primary)" : "");
        failed |= stage_device(log, d, &dm, t[i].primary ? CDS_SET_PRIMARY : 0);
    }
    /* Commit everything staged with CDS_NORESET in one mode switch. */
    LONG r = ChangeDisplaySettingsExW(NULL, NULL, NULL, 0, NULL);
    if (r != DISP_CHANGE_SUCCESSFUL) {
        vda_warn(log, "monitors: applying the new layout failed: %s (%ld)",
                 vdg_disp_change_str(r), (long)r);
        failed = 1;
    }
    return failed ? -1 : 0;
}

const vdg_display_backend vdg_display_generic = {
    VDA_DISPLAY_PATH_GENERIC, NULL, vdg_display_commit_staged,
};

const vdg_display_backend *vdg_display_backend_of(vda_display_path p)
{
    switch (p) {
    case VDA_DISPLAY_PATH_QXL_WDDM: return &vdg_display_qxl_wddm;
    case VDA_DISPLAY_PATH_QXL_XPDM: return &vdg_display_qxl_xpdm;
    case VDA_DISPLAY_PATH_GENERIC: break;
    }
    return &vdg_display_generic;
}
