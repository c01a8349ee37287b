/* VD_AGENT_MOUSE_STATE -> SendInput.
 *
 * Positions go out as MOUSEEVENTF_ABSOLUTE | MOUSEEVENTF_VIRTUALDESK over the
 * whole virtual desktop (see common/agent/mouse_coords.h for the mapping and the
 * coalescing rules). Moves are held back until vdg_mouse_flush, which the loop
 * calls after draining a batch of input; button changes go out at once,
 * preceded by the pending move.
 *
 * Input desktop: when SendInput fails because the input desktop changed (UAC's
 * secure desktop, the lock screen), the sending thread is switched to the
 * current input desktop (OpenInputDesktop + SetThreadDesktop) and the events
 * are sent again, the switch logged once. SetThreadDesktop refuses a thread
 * that owns windows or hooks (the agent's loop thread has its clipboard
 * window), so SendInput runs on a worker thread this module owns: handle/flush
 * turn states into events on the caller's thread and queue them in batches;
 * the worker sends each batch with one SendInput call. Only a process with the
 * rights (SYSTEM in the user's session) can open the Winlogon desktop.
 *
 * The vda_mouse_* functions are called from one thread (the agent's loop). */
#ifndef VDG_MOUSE_INPUT_H
#define VDG_MOUSE_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <windows.h>

#include "agent/mouse_coords.h"
#include "base/vda_log.h"

/* Events the queue holds before the worker catches up. When full, queued
 * moves are dropped first (a later move supersedes them); button events only
 * if the queue holds nothing else (logged). */
#define VDA_MOUSE_QUEUE 512
/* Log lines the worker can leave for the caller's thread between two calls. */
#define VDA_MOUSE_NOTES 4

typedef struct vdg_mouse {
    const vda_logger *log;
    vda_mouse_tracker tracker;
    vda_screen_geom geom;
    int have_geom;
    ULONGLONG geom_time;      /* GetTickCount64 when geom was read */
    int bad_display_logged;   /* an unknown display_id was logged */
    const struct vdg_display_map *map;  /* display_id -> display (NULL: today's order);
                                           set after vdg_mouse_init */

    /* Shared with the worker, under `lock`. */
    CRITICAL_SECTION lock;
    INPUT queue[VDA_MOUSE_QUEUE];
    size_t queued;
    int stop;
    uint64_t events_sent;     /* input events Windows accepted (tests, logs) */
    int overflow_logged;
    int notes;                /* worker's log lines waiting for the caller */
    vda_log_level note_level[VDA_MOUSE_NOTES];
    char note_text[VDA_MOUSE_NOTES][200];
    HANDLE wake;              /* auto-reset: work queued or stop */
    HANDLE idle;              /* manual-reset: queue empty and worker not busy */
    HANDLE thread;

    /* Worker only. */
    HDESK desktop;            /* input desktop the worker switched to (ours to close) */
    int send_failing;         /* a send failure was logged; reset by a success */
} vdg_mouse;

/* Starts the worker. Returns 0, or -1 (logged) if it could not: then the
 * handle/flush calls send nothing. */
int vdg_mouse_init(vdg_mouse *m, const vda_logger *log);

/* Releases held buttons, waits for the queue to drain (up to a second), stops
 * the worker. */
void vdg_mouse_cleanup(vdg_mouse *m);

/* One VD_AGENT_MOUSE_STATE payload (VDAgentMouseState, 13 bytes). A shorter
 * payload is logged and discarded. */
void vdg_mouse_handle(vdg_mouse *m, const uint8_t *payload, size_t size);

/* End of a batch: queues the pending move, if any. */
void vdg_mouse_flush(vdg_mouse *m);

/* Client gone: releases every held button so nothing stays pressed. */
void vdg_mouse_reset(vdg_mouse *m);

/* The monitor layout changed (WM_DISPLAYCHANGE, a MONITORS_CONFIG applied):
 * re-read it before the next position. It is also re-read once a second. */
void vdg_mouse_geometry_changed(vdg_mouse *m);

/* Waits until everything queued was handed to SendInput (tests). Returns 0,
 * or -1 on timeout. */
int vdg_mouse_wait_idle(vdg_mouse *m, DWORD timeout_ms);

/* Events Windows accepted so far. */
uint64_t vdg_mouse_events_sent(vdg_mouse *m);

#endif
