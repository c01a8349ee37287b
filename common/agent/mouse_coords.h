/* Client mouse -> Windows absolute input, the portable part.
 *
 * 1. Coordinates. VDAgentMouseState carries a position relative to the top-left
 *    corner of monitor `display_id`. SendInput with MOUSEEVENTF_ABSOLUTE |
 *    MOUSEEVENTF_VIRTUALDESK wants 0..65535 over the whole virtual screen (the
 *    bounding box of all monitors, whose origin may be negative). Windows maps a
 *    normalised n back to pixel floor(n * width / 65536), so we send
 *    n = ceil(p * 65536 / width): the smallest n that lands exactly on pixel p.
 *
 * 2. Buttons and motion. The client sends whole states; Windows wants edges.
 *    vda_mouse_tracker turns states into the events that changed, and coalesces
 *    motion: a move is held back (only the newest kept) until the end of a batch
 *    (vda_mouse_tracker_flush) or until a button changes, which first sends the
 *    pending position so the click lands where the client clicked. A button
 *    change is never dropped or merged with another.
 */
#ifndef VDA_MOUSE_COORDS_H
#define VDA_MOUSE_COORDS_H

#include <stddef.h>
#include <stdint.h>

#include <spice/vd_agent.h>

/* Monitors we map display_ids onto; more are ignored. */
#define VDA_MOUSE_MAX_MONITORS 16

typedef struct vda_rect {
    int32_t x, y;           /* top-left, virtual-desktop pixels (may be negative) */
    int32_t width, height;  /* > 0 for a usable rectangle */
} vda_rect;

/* The guest's screen as the mouse sees it. */
typedef struct vda_screen_geom {
    vda_rect virt;                              /* virtual screen rectangle */
    vda_rect mon[VDA_MOUSE_MAX_MONITORS];       /* index = client display_id */
    uint32_t mon_count;
} vda_screen_geom;

/* Absolute SendInput coordinates, 0..65535 over the virtual screen. */
typedef struct vda_abs_pos {
    uint16_t x, y;
} vda_abs_pos;

typedef enum vda_norm_result {
    VDA_NORM_OK = 0,
    VDA_NORM_CLAMPED,         /* position was outside its monitor: clamped to its edge */
    VDA_NORM_NO_MONITOR,      /* display_id names no monitor: *out untouched */
    VDA_NORM_BAD_GEOMETRY,    /* empty virtual screen or monitor: *out untouched */
} vda_norm_result;

/* Maps (x, y) on monitor display_id to absolute coordinates. A position past
 * the monitor's right/bottom edge is clamped to its last pixel (the client and
 * guest may briefly disagree on a monitor's size during a resolution change);
 * a monitor sticking out of `virt` is clamped to `virt` as well. */
vda_norm_result vda_mouse_normalise(const vda_screen_geom *g, uint32_t x, uint32_t y,
                                    uint32_t display_id, vda_abs_pos *out);

/* One pixel offset (0-based, from virt's left/top) -> 0..65535. */
uint16_t vda_mouse_norm_axis(int64_t offset, int32_t extent);

/* Buttons we turn into input (VDAgentMouseState.buttons bits). */
#define VDA_MOUSE_BUTTON_BITS                                                        \
    (VD_AGENT_LBUTTON_MASK | VD_AGENT_MBUTTON_MASK | VD_AGENT_RBUTTON_MASK |         \
     VD_AGENT_UBUTTON_MASK | VD_AGENT_DBUTTON_MASK | VD_AGENT_SBUTTON_MASK |         \
     VD_AGENT_EBUTTON_MASK)

typedef enum vda_mouse_ev_kind {
    VDA_MOUSE_EV_MOVE = 0,
    VDA_MOUSE_EV_LEFT_DOWN,
    VDA_MOUSE_EV_LEFT_UP,
    VDA_MOUSE_EV_MIDDLE_DOWN,
    VDA_MOUSE_EV_MIDDLE_UP,
    VDA_MOUSE_EV_RIGHT_DOWN,
    VDA_MOUSE_EV_RIGHT_UP,
    VDA_MOUSE_EV_X1_DOWN,     /* side button ("back", VD_AGENT_SBUTTON_MASK) */
    VDA_MOUSE_EV_X1_UP,
    VDA_MOUSE_EV_X2_DOWN,     /* extra button ("forward", VD_AGENT_EBUTTON_MASK) */
    VDA_MOUSE_EV_X2_UP,
    VDA_MOUSE_EV_WHEEL_UP,    /* one notch away from the user (+WHEEL_DELTA) */
    VDA_MOUSE_EV_WHEEL_DOWN,  /* one notch towards the user (-WHEEL_DELTA) */
} vda_mouse_ev_kind;

typedef struct vda_mouse_event {
    vda_mouse_ev_kind kind;
    vda_abs_pos pos;          /* where the event happens (every kind carries it) */
} vda_mouse_event;

/* Most events one state can produce: a move + an edge for each of 7 buttons. */
#define VDA_MOUSE_MAX_EVENTS 8

typedef struct vda_mouse_tracker {
    uint32_t buttons;         /* button bits as last applied */
    int have_sent;            /* `sent` is valid */
    vda_abs_pos sent;         /* last position sent to Windows */
    int have_pending;         /* a move waits for flush */
    vda_abs_pos pending;
} vda_mouse_tracker;

void vda_mouse_tracker_init(vda_mouse_tracker *t);

/* Feeds one client state. have_pos = 0 keeps the previous position (e.g. the
 * display_id was unknown) but still applies the buttons. Writes the events to
 * send now into out[VDA_MOUSE_MAX_EVENTS] and returns how many: nothing for a
 * pure move (it becomes pending), else the pending move (if the position
 * differs from the last one sent) followed by one event per changed button.
 * The wheel turns a notch when its button goes down; its release sends nothing. */
size_t vda_mouse_tracker_feed(vda_mouse_tracker *t, int have_pos, vda_abs_pos pos,
                              uint32_t buttons, vda_mouse_event *out);

/* End of a batch: the pending move, if it differs from the last one sent.
 * Returns 0 or 1 events in out. */
size_t vda_mouse_tracker_flush(vda_mouse_tracker *t, vda_mouse_event *out);

/* Releases every held button (client gone: nothing must stay pressed). Returns
 * the up events (at the last position sent) and forgets the pending move. */
size_t vda_mouse_tracker_release_all(vda_mouse_tracker *t, vda_mouse_event *out);

/* "left-down", ... (for logs and tests). */
const char *vda_mouse_ev_name(vda_mouse_ev_kind k);

#endif
