/* VD_AGENT_MOUSE_STATE -> SendInput.
 *
 * Positions go out as MOUSEEVENTF_ABSOLUTE | MOUSEEVENTF_VIRTUALDESK over the
 * whole virtual desktop (see common/mouse_coords.h for the mapping and the
 * coalescing rules). Moves are held back until vda_mouse_flush, which the loop
 * calls after draining a batch of input; button changes go out at once,
 * preceded by the pending move.
 *
 * Input desktop: when SendInput fails because the input desktop changed (UAC's
 * secure desktop, the lock screen), the thread is switched to the current
 * input desktop (OpenInputDesktop + SetThreadDesktop) and the events are sent
 * again. SetThreadDesktop fails on a thread that owns windows or hooks, so
 * call these functions from a thread without any (that failure is logged).
 * Only a process with the rights (SYSTEM in the user's session) can open the
 * Winlogon desktop.
 *
 * Not thread-safe: one thread uses a vda_mouse. */
#ifndef VDA_MOUSE_INPUT_H
#define VDA_MOUSE_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <windows.h>

#include "mouse_coords.h"
#include "vda_log.h"

typedef struct vda_mouse {
    const vda_logger *log;
    vda_mouse_tracker tracker;
    vda_screen_geom geom;
    int have_geom;
    ULONGLONG geom_time;      /* GetTickCount64 when geom was read */
    HDESK desktop;            /* input desktop we switched to (ours to close) */
    int send_failing;         /* a send failure was logged; reset by a success */
    int bad_display_logged;   /* an unknown display_id was logged */
    uint64_t events_sent;     /* input events Windows accepted (for tests/logs) */
} vda_mouse;

void vda_mouse_init(vda_mouse *m, const vda_logger *log);

/* Closes the desktop handle; releases held buttons first. */
void vda_mouse_cleanup(vda_mouse *m);

/* One VD_AGENT_MOUSE_STATE payload (VDAgentMouseState, 13 bytes). A shorter
 * payload is logged and discarded. */
void vda_mouse_handle(vda_mouse *m, const uint8_t *payload, size_t size);

/* End of a batch: sends the pending move, if any. */
void vda_mouse_flush(vda_mouse *m);

/* Client gone: releases every held button so nothing stays pressed. */
void vda_mouse_reset(vda_mouse *m);

/* The monitor layout changed (WM_DISPLAYCHANGE, a MONITORS_CONFIG applied):
 * re-read it before the next position. It is also re-read once a second. */
void vda_mouse_geometry_changed(vda_mouse *m);

#endif
