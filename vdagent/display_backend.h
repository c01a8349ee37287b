/* How the agent asks a display driver for a mode and applies a layout: one
 * small interface, three back ends chosen per adapter at run time.
 *
 *   qxl-wddm  (display_qxl_wddm.c) QXL with qxl-wddm-dod (Windows 8+): the
 *             custom mode through D3DKMTEscape (gdi32 entry points looked up at
 *             run time), the layout through CCD (SetDisplayConfig, one call).
 *   qxl-xpdm  (display_qxl_xpdm.c) QXL with the XPDM driver (Windows 7):
 *             ExtEscape, then the staged ChangeDisplaySettingsEx commit.
 *   generic   (display_generic.c) everything else, virtio-gpu included: the
 *             closest mode the driver lists, staged ChangeDisplaySettingsEx.
 *
 * The exact size is asked for first; when the driver refuses, the closest
 * listed mode is used. Which back end, and why, is common/agent/display_driver.h. */
#ifndef VDG_DISPLAY_BACKEND_H
#define VDG_DISPLAY_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "agent/display_driver.h"
#include "agent/monitors_layout.h"
#include "agent/qxl_escape.h"
#include "base/vda_log.h"
#include "monitors_win.h"

/* What one display is to become (index = display in GDI order). */
typedef struct vdg_display_target {
    int enabled;
    uint32_t width, height, depth;
    int32_t x, y;
    int primary;
} vdg_display_target;

typedef struct vdg_display_backend {
    vda_display_path path;
    /* Sends one QXL escape (common/agent/qxl_escape.h) to the display's driver:
     * the exact size (SET_CUSTOM_DISPLAY, then the mode is listed and can be
     * set) and, after a commit, where its head is (MONITOR_CONFIG, for the
     * host). The driver may write into e (D3DKMTEscape data is in/out). NULL: this
     * back end has no escapes. 0, or -1 with the reason in why. */
    int (*send_escape)(const vdg_display_device *d, vda_qxl_escape *e, char *why,
                       size_t why_len);
    /* Applies every display's target at once. 0, or -1 (each failure logged). */
    int (*commit)(const vda_logger *log, const vdg_display_device *dev, size_t ndev,
                  const vdg_display_target *t);
} vdg_display_backend;

extern const vdg_display_backend vdg_display_qxl_wddm;
extern const vdg_display_backend vdg_display_qxl_xpdm;
extern const vdg_display_backend vdg_display_generic;

const vdg_display_backend *vdg_display_backend_of(vda_display_path p);

/* The staged ChangeDisplaySettingsEx commit (XPDM and generic). */
int vdg_display_commit_staged(const vda_logger *log, const vdg_display_device *dev, size_t ndev,
                              const vdg_display_target *t);

/* Whether the GDI display opens as a D3DKMT (WDDM) adapter. */
int vdg_display_is_wddm_adapter(const wchar_t *gdi_name);

/* Win32 text for a DISP_CHANGE_* result. */
const char *vdg_disp_change_str(long r);

#endif
