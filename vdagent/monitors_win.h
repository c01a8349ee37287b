/* The guest's display devices, and VD_AGENT_MONITORS_CONFIG applied to them
 * through the display back ends (display_backend.h).
 *
 * Display devices are numbered in EnumDisplayDevices order, mirroring drivers
 * skipped. A client display id (MONITORS_CONFIG index, VDAgentMouseState's
 * display_id) names display i in that order, unless the server sent
 * VD_AGENT_GRAPHICS_DEVICE_INFO: then the id names the display whose adapter
 * sits at the message's PCI address (common/agent/device_info.h). Detached
 * devices keep their index. */
#ifndef VDG_MONITORS_WIN_H
#define VDG_MONITORS_WIN_H

#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

#include "agent/device_info.h"
#include "agent/display_driver.h"
#include "agent/display_modes.h"
#include "agent/monitors_layout.h"
#include "agent/mouse_coords.h"
#include "base/vda_log.h"

#define VDA_DISPLAY_DEVICES_MAX VDA_MOUSE_MAX_MONITORS

typedef struct vdg_display_device {
    wchar_t name[32];         /* "\\.\DISPLAY1" */
    int attached;             /* part of the desktop */
    int primary;
    vda_rect rect;            /* current position and size (0 when detached) */
    uint32_t depth;           /* current bits per pixel */
    char hardware_id[128];    /* the adapter's PnP id (DeviceID), ASCII */
    char description[128];    /* the adapter's DeviceString, ASCII ('?' for the rest) */
    vda_display_driver driver;
    int wddm;                 /* a QXL display that opens as a D3DKMT adapter; probed
                                 by vdg_monitors_apply only (the pointer's
                                 once-a-second enumeration opens no adapter) */
    vda_guest_display pci;    /* the adapter's PCI location, when found */
} vdg_display_device;

/* Client display id -> display. `info` is what GRAPHICS_DEVICE_INFO said. */
typedef struct vdg_display_map {
    int have_info;
    vda_devinfo info;
} vdg_display_map;

/* Fills out[max] and returns how many devices there are (at most max).
 * The _ex form with with_pci also looks up each adapter's PCI location
 * (slower; for GRAPHICS_DEVICE_INFO). */
size_t vdg_display_devices(vdg_display_device *out, size_t max);
size_t vdg_display_devices_ex(vdg_display_device *out, size_t max, int with_pci);

/* map[id] = display index for the client's display ids (VDA_DISPLAY_UNMAPPED
 * where there is none). Logs nothing. */
void vdg_display_ids(const vdg_display_map *m, const vdg_display_device *dev, size_t ndev,
                     uint32_t ids[VDA_MONITORS_MAX]);

/* The screen as the mouse needs it: every device's rectangle by display_id and
 * their bounding box. Returns 0 on success, -1 when no device is attached
 * (then only `virt` is set, from GetSystemMetrics). Units are physical pixels:
 * the process should be DPI aware (SetProcessDPIAware) so the rest of Win32
 * agrees with them. The _mapped form names monitors by the client's ids
 * through map (NULL: today's order). */
int vdg_screen_geometry(vda_screen_geom *g);
int vdg_screen_geometry_mapped(vda_screen_geom *g, const vdg_display_map *map);

/* One enabled display: picks its back end, asks the driver for exactly
 * width x height when the back end can, then picks the mode (the exact one if
 * listed now, else the closest listed). Logs ONE line: the path, why, and the
 * mode. Returns 0, or -1 when the display lists no mode (logged). */
typedef struct vdg_mode_choice {
    vda_display_path path;    /* the back end that decided (generic after a refusal) */
    vda_display_mode mode;
    int exact;
} vdg_mode_choice;
int vdg_display_prepare(const vda_logger *log, const vdg_display_device *d, size_t index,
                        const vda_monitor *m, vdg_mode_choice *out);

/* Applies a VD_AGENT_MONITORS_CONFIG payload: validates it (before reading),
 * maps the client's ids to displays (the _mapped form; map may be NULL), prepares each enabled
 * display's mode, sets positions (the client's when it set USE_POS and
 * client_has_position_cap, else left to right), detaches displays that are 0x0
 * or missing from the config, and commits all of it at once (CCD when every
 * display involved is qxl-wddm, else staged ChangeDisplaySettingsEx).
 * Displays already in the wanted state are left alone. Returns
 * VD_AGENT_SUCCESS or VD_AGENT_ERROR for the VD_AGENT_REPLY; every failure is
 * logged with its reason. */
uint32_t vdg_monitors_apply(const vda_logger *log, const uint8_t *payload, size_t size,
                            int client_has_position_cap);
uint32_t vdg_monitors_apply_mapped(const vda_logger *log, const uint8_t *payload, size_t size,
                                   int client_has_position_cap, const vdg_display_map *map);

#endif
