/* VD_AGENT_MONITORS_CONFIG -> a validated monitor layout.
 *
 * The payload is checked against its size BEFORE any monitor is read. The
 * result says, per monitor (index = client display_id = guest display device
 * in enumeration order), whether it is enabled and its size and position.
 *
 * Layout rules:
 *  - A 0x0 monitor is disabled; that is only allowed when we announced
 *    VD_AGENT_CAP_SPARSE_MONITORS_CONFIG (sparse_ok). At least one monitor must
 *    stay enabled. The first enabled monitor is the primary.
 *  - With VD_AGENT_CONFIG_MONITORS_FLAG_USE_POS and the client's
 *    VD_AGENT_CAP_MONITORS_CONFIG_POSITION (use_pos_ok), the client's positions
 *    are used, shifted so the primary sits at 0,0 (Windows requires it).
 *    Otherwise enabled monitors are laid out left to right, tops at y = 0, in
 *    display_id order, the primary at 0,0.
 *  - A trailing VDAgentMonitorMM array (FLAG_PHYSICAL_SIZE) is allowed and
 *    ignored; other bytes past the monitors are ignored too.
 */
#ifndef VDA_MONITORS_LAYOUT_H
#define VDA_MONITORS_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

/* More monitors than this is refused as absurd (Windows guests with QXL/virtio
 * have at most a handful of heads). */
#define VDA_MONITORS_MAX 16
/* Largest width or height accepted (Windows' largest desktop dimension). */
#define VDA_MONITOR_MAX_DIM 16384
/* Positions must keep the virtual desktop inside Windows' signed 16-bit space. */
#define VDA_MONITOR_POS_LIMIT 32767

typedef struct vda_monitor {
    int enabled;
    uint32_t width, height;
    uint32_t depth;           /* as the client asked; 0 = any */
    int32_t x, y;             /* position in the new layout (primary at 0,0) */
} vda_monitor;

typedef struct vda_monitors_layout {
    uint32_t count;           /* monitors in the config (disabled ones included) */
    uint32_t primary;         /* index of the primary (first enabled) monitor */
    int used_positions;       /* the client's positions were applied */
    vda_monitor mon[VDA_MONITORS_MAX];
} vda_monitors_layout;

typedef enum vda_moncfg_status {
    VDA_MONCFG_OK = 0,
    VDA_MONCFG_TOO_SHORT,       /* payload shorter than the fixed header */
    VDA_MONCFG_NO_MONITORS,     /* num_of_monitors == 0 */
    VDA_MONCFG_TOO_MANY,        /* num_of_monitors > VDA_MONITORS_MAX */
    VDA_MONCFG_TRUNCATED,       /* num_of_monitors larger than the payload holds */
    VDA_MONCFG_BAD_SIZE,        /* width/height above the limit, or one of them 0 */
    VDA_MONCFG_SPARSE_NOT_OK,   /* a 0x0 monitor without sparse support */
    VDA_MONCFG_ALL_DISABLED,    /* every monitor 0x0 */
    VDA_MONCFG_BAD_POSITION,    /* a position outside Windows' coordinate space */
} vda_moncfg_status;

/* Parses and lays out. On any error *out is left zeroed (count 0) and nothing
 * of the payload was trusted. `bad_index` (may be NULL) receives the offending
 * monitor's index for per-monitor errors, for the log line. */
vda_moncfg_status vda_monitors_parse(const uint8_t *payload, size_t size, int sparse_ok,
                                     int use_pos_ok, vda_monitors_layout *out,
                                     uint32_t *bad_index);

const char *vda_moncfg_status_str(vda_moncfg_status s);

#endif
