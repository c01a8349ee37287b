/* Windows' Connecting and Configuring Displays (CCD) topology, planned
 * portably: which source->target paths to hand SetDisplayConfig so that every
 * enabled display gets its size and position, and the others are detached,
 * in ONE call.
 *
 * The Windows side (vdagent/display_qxl_wddm.c) lists QueryDisplayConfig's
 * paths (QDC_ALL_PATHS: every source x target pair the adapters allow) as
 * vda_ccd_path, with each path's source already named by our display index.
 * The plan picks one path per enabled display; SetDisplayConfig with
 * SDC_USE_SUPPLIED_DISPLAY_CONFIG then activates exactly those (a display
 * with no path in the array is detached), each with one source mode holding
 * the size and position, and lets Windows choose the target mode. */
#ifndef VDA_DISPLAY_CCD_H
#define VDA_DISPLAY_CCD_H

#include <stddef.h>
#include <stdint.h>

#include "agent/monitors_layout.h"

#define VDA_CCD_NONE UINT32_MAX

typedef struct vda_ccd_path {
    uint32_t display;         /* our display index of the path's source, VDA_CCD_NONE: not ours */
    uint32_t target;          /* identity of the target (adapter + target id), for uniqueness */
    int active;               /* the path is active now */
    int target_available;     /* a monitor is connected to the target */
} vda_ccd_path;

typedef struct vda_ccd_want {
    int enabled;
    uint32_t width, height;
    int32_t x, y;
} vda_ccd_want;

typedef struct vda_ccd_use {
    size_t path;              /* index into the paths given */
    uint32_t display;
    uint32_t width, height;
    int32_t x, y;
} vda_ccd_use;

typedef struct vda_ccd_plan {
    size_t count;             /* paths to activate, in display order; mode k is use[k]'s source mode */
    vda_ccd_use use[VDA_MONITORS_MAX];
} vda_ccd_plan;

typedef enum vda_ccd_status {
    VDA_CCD_OK = 0,
    VDA_CCD_NOTHING_ENABLED,  /* every display would be detached */
    VDA_CCD_NO_PRIMARY,       /* no enabled display at 0,0 */
    VDA_CCD_NO_PATH,          /* an enabled display has no free path (bad = the display) */
} vda_ccd_status;

/* want[d] for display d (ndisp of them, at most VDA_MONITORS_MAX). A display
 * keeps its active path when it has one; otherwise it takes its first path to
 * an available target no other display uses. On error *out is empty. */
vda_ccd_status vda_ccd_plan_build(const vda_ccd_path *paths, size_t npaths,
                                  const vda_ccd_want *want, size_t ndisp, vda_ccd_plan *out,
                                  uint32_t *bad);
const char *vda_ccd_status_str(vda_ccd_status s);

#endif
