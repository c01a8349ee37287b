/* The guest's display devices, and VD_AGENT_MONITORS_CONFIG applied to them.
 *
 * Display devices are numbered in EnumDisplayDevices order, mirroring drivers
 * skipped; index i is the client's display_id i (for MONITORS_CONFIG and for
 * VDAgentMouseState.display_id alike). Detached devices keep their index. */
#ifndef VDG_MONITORS_WIN_H
#define VDG_MONITORS_WIN_H

#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

#include "agent/mouse_coords.h"
#include "base/vda_log.h"

#define VDA_DISPLAY_DEVICES_MAX VDA_MOUSE_MAX_MONITORS

typedef struct vdg_display_device {
    wchar_t name[32];         /* "\\.\DISPLAY1" */
    int attached;             /* part of the desktop */
    int primary;
    vda_rect rect;            /* current position and size (0 when detached) */
    uint32_t depth;           /* current bits per pixel */
} vdg_display_device;

/* Fills out[max] and returns how many devices there are (at most max). */
size_t vdg_display_devices(vdg_display_device *out, size_t max);

/* The screen as the mouse needs it: every device's rectangle by display_id and
 * their bounding box. Returns 0 on success, -1 when no device is attached
 * (then only `virt` is set, from GetSystemMetrics). Units are physical pixels:
 * the process should be DPI aware (SetProcessDPIAware) so the rest of Win32
 * agrees with them. */
int vdg_screen_geometry(vda_screen_geom *g);

/* Applies a VD_AGENT_MONITORS_CONFIG payload: validates it (before reading),
 * picks the closest offered mode for each enabled monitor, sets positions
 * (the client's when it set USE_POS and client_has_position_cap, else left to
 * right), detaches monitors that are 0x0 or missing from the config, and
 * commits all of it at once. Devices already in the wanted state are left
 * alone. Returns VD_AGENT_SUCCESS or VD_AGENT_ERROR for the VD_AGENT_REPLY;
 * every failure is logged with its reason. */
uint32_t vdg_monitors_apply(const vda_logger *log, const uint8_t *payload, size_t size,
                            int client_has_position_cap);

#endif
