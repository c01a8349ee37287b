#include "mouse_input.h"
#include "vdw_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <spice/vd_agent.h>

#include "base/le_bytes.h"
#include "monitors_win.h"

/* Re-read the layout at least this often, in case nobody told us it changed. */
#define GEOM_MAX_AGE_MS 1000
/* An unknown display_id re-reads the layout at most this often. */
#define GEOM_RECHECK_MS 100

static DWORD WINAPI worker_main(void *arg);

int vdg_mouse_init(vdg_mouse *m, const vda_logger *log)
{
    memset(m, 0, sizeof *m);
    m->log = log;
    vda_mouse_tracker_init(&m->tracker);
    InitializeCriticalSection(&m->lock);
    m->wake = CreateEventW(NULL, FALSE, FALSE, NULL);
    m->idle = CreateEventW(NULL, TRUE, TRUE, NULL);
    if (m->wake && m->idle) {
        m->thread = CreateThread(NULL, 0, worker_main, m, 0, NULL);
    }
    if (!m->thread) {
        char msg[VDW_ERR_MAX];
        vda_error(log, "mouse: cannot start the input thread: %s: no mouse input",
                  vdw_last_err_str(msg, sizeof msg));
        /* The caller never calls vdg_mouse_cleanup after a failed init. */
        if (m->wake)
            CloseHandle(m->wake);
        if (m->idle)
            CloseHandle(m->idle);
        DeleteCriticalSection(&m->lock);
        return -1;
    }
    return 0;
}

void vdg_mouse_geometry_changed(vdg_mouse *m)
{
    m->have_geom = 0;
}

static const vda_screen_geom *geometry(vdg_mouse *m)
{
    ULONGLONG now = GetTickCount64();
    if (!m->have_geom || now - m->geom_time >= GEOM_MAX_AGE_MS) {
        if (vdg_screen_geometry_mapped(&m->geom, m->map) != 0) {
            vda_debug(m->log, "mouse: no attached display devices; using the virtual screen");
        }
        m->have_geom = 1;
        m->geom_time = now;
    }
    return &m->geom;
}

static void to_input(const vda_mouse_event *e, INPUT *in)
{
    memset(in, 0, sizeof *in);
    in->type = INPUT_MOUSE;
    in->mi.dx = e->pos.x;
    in->mi.dy = e->pos.y;
    /* dx/dy are only used with MOUSEEVENTF_MOVE; button events keep the pointer
     * where the preceding move put it. */
    DWORD f = MOUSEEVENTF_ABSOLUTE | MOUSEEVENTF_VIRTUALDESK;
    switch (e->kind) {
    case VDA_MOUSE_EV_MOVE: f |= MOUSEEVENTF_MOVE; break;
    case VDA_MOUSE_EV_LEFT_DOWN: f |= MOUSEEVENTF_LEFTDOWN; break;
    case VDA_MOUSE_EV_LEFT_UP: f |= MOUSEEVENTF_LEFTUP; break;
    case VDA_MOUSE_EV_MIDDLE_DOWN: f |= MOUSEEVENTF_MIDDLEDOWN; break;
    case VDA_MOUSE_EV_MIDDLE_UP: f |= MOUSEEVENTF_MIDDLEUP; break;
    case VDA_MOUSE_EV_RIGHT_DOWN: f |= MOUSEEVENTF_RIGHTDOWN; break;
    case VDA_MOUSE_EV_RIGHT_UP: f |= MOUSEEVENTF_RIGHTUP; break;
    case VDA_MOUSE_EV_X1_DOWN: f |= MOUSEEVENTF_XDOWN; in->mi.mouseData = XBUTTON1; break;
    case VDA_MOUSE_EV_X1_UP: f |= MOUSEEVENTF_XUP; in->mi.mouseData = XBUTTON1; break;
    case VDA_MOUSE_EV_X2_DOWN: f |= MOUSEEVENTF_XDOWN; in->mi.mouseData = XBUTTON2; break;
    case VDA_MOUSE_EV_X2_UP: f |= MOUSEEVENTF_XUP; in->mi.mouseData = XBUTTON2; break;
    case VDA_MOUSE_EV_WHEEL_UP: f |= MOUSEEVENTF_WHEEL; in->mi.mouseData = WHEEL_DELTA; break;
    case VDA_MOUSE_EV_WHEEL_DOWN:
        f |= MOUSEEVENTF_WHEEL;
        in->mi.mouseData = (DWORD)-WHEEL_DELTA;
        break;
    }
    in->mi.dwFlags = f;
}

/* Worker: the logger is not the worker's to use (sinks are not thread-safe),
 * so it leaves notes that the caller's thread logs on its next call. */
static void note(vdg_mouse *m, vda_log_level level, const char *fmt, ...) VDA_PRINTF(3, 4);
static void note(vdg_mouse *m, vda_log_level level, const char *fmt, ...)
{
    EnterCriticalSection(&m->lock);
    if (m->notes < VDA_MOUSE_NOTES) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(m->note_text[m->notes], sizeof m->note_text[0], fmt, ap);
        va_end(ap);
        m->note_level[m->notes++] = level;
    }
    LeaveCriticalSection(&m->lock);
}

/* Caller's thread: logs what the worker noted. */
static void log_notes(vdg_mouse *m)
{
    char text[VDA_MOUSE_NOTES][sizeof m->note_text[0]];
    vda_log_level level[VDA_MOUSE_NOTES];
    EnterCriticalSection(&m->lock);
    int n = m->notes;
    memcpy(text, m->note_text, sizeof text);
    memcpy(level, m->note_level, sizeof level);
    m->notes = 0;
    LeaveCriticalSection(&m->lock);
    for (int i = 0; i < n; i++) {
        vda_log(m->log, level[i], "mouse: %s", text[i]);
    }
}

/* Worker: moves its thread to the current input desktop. Returns 1 if it switched. */
static int follow_input_desktop(vdg_mouse *m)
{
    HDESK d = OpenInputDesktop(0, FALSE, DESKTOP_READOBJECTS | DESKTOP_WRITEOBJECTS |
                                             DESKTOP_JOURNALPLAYBACK | DESKTOP_SWITCHDESKTOP);
    if (!d) {
        if (!m->send_failing) {
            char msg[VDW_ERR_MAX];
            note(m, VDA_LOG_WARN, "cannot open the input desktop: %s",
                 vdw_last_err_str(msg, sizeof msg));
        }
        return 0;
    }
    if (!SetThreadDesktop(d)) {
        if (!m->send_failing) {
            char msg[VDW_ERR_MAX];
            note(m, VDA_LOG_WARN, "cannot switch to the input desktop: %s",
                 vdw_last_err_str(msg, sizeof msg));
        }
        CloseDesktop(d);
        return 0;
    }
    wchar_t name[64] = L"?";
    GetUserObjectInformationW(d, UOI_NAME, name, sizeof name, NULL);
    note(m, VDA_LOG_INFO, "input desktop changed; following it to \"%ls\"", name);
    if (m->desktop) {
        CloseDesktop(m->desktop);  /* no longer this thread's desktop */
    }
    m->desktop = d;
    return 1;
}

/* Worker: one batch, one SendInput call (Windows inserts it without other
 * input in between); on failure follow the input desktop and retry once. */
static void send_batch(vdg_mouse *m, INPUT *in, UINT n)
{
    UINT sent = SendInput(n, in, sizeof in[0]);
    if (sent < n) {
        DWORD err = GetLastError();
        if (follow_input_desktop(m)) {
            sent += SendInput(n - sent, in + sent, sizeof in[0]);
        }
        if (sent < n && !m->send_failing) {
            char msg[VDW_ERR_MAX];
            note(m, VDA_LOG_WARN, "SendInput dropped %u of %u events: %s; further"
                 " failures are not logged until it works again", n - sent, n,
                 vdw_err_str(err, msg, sizeof msg));
            m->send_failing = 1;
        }
    }
    if (sent == n && m->send_failing) {
        note(m, VDA_LOG_INFO, "SendInput works again");
        m->send_failing = 0;
    }
    EnterCriticalSection(&m->lock);
    m->events_sent += sent;
    LeaveCriticalSection(&m->lock);
}

static DWORD WINAPI worker_main(void *arg)
{
    vdg_mouse *m = arg;
    INPUT batch[VDA_MOUSE_QUEUE];
    for (;;) {
        WaitForSingleObject(m->wake, INFINITE);
        for (;;) {
            EnterCriticalSection(&m->lock);
            size_t n = m->queued;
            int stop = m->stop;
            memcpy(batch, m->queue, n * sizeof batch[0]);
            m->queued = 0;
            if (n == 0) {
                SetEvent(m->idle);
            }
            LeaveCriticalSection(&m->lock);
            if (n == 0) {
                if (stop) {
                    return 0;
                }
                break;
            }
            send_batch(m, batch, (UINT)n);
        }
    }
}

/* Removes queued moves (each superseded by a later position). */
static void drop_queued_moves(vdg_mouse *m)
{
    size_t k = 0;
    for (size_t i = 0; i < m->queued; i++) {
        if (m->queue[i].mi.dwFlags & MOUSEEVENTF_MOVE) {
            continue;
        }
        m->queue[k++] = m->queue[i];
    }
    m->queued = k;
}

static void send_events(vdg_mouse *m, const vda_mouse_event *ev, size_t n)
{
    log_notes(m);
    if (n == 0 || !m->thread) {
        return;
    }
    EnterCriticalSection(&m->lock);
    if (m->queued + n > VDA_MOUSE_QUEUE) {
        drop_queued_moves(m);
        if (m->queued + n > VDA_MOUSE_QUEUE) {
            m->queued = 0;
        }
        if (!m->overflow_logged) {
            vda_warn(m->log, "mouse: input queue full (the desktop does not take input);"
                     " dropped queued events (logged once)");
            m->overflow_logged = 1;
        }
    }
    for (size_t i = 0; i < n; i++) {
        to_input(&ev[i], &m->queue[m->queued++]);
    }
    ResetEvent(m->idle);
    LeaveCriticalSection(&m->lock);
    SetEvent(m->wake);
}

void vdg_mouse_handle(vdg_mouse *m, const uint8_t *payload, size_t size)
{
    if (size < sizeof(VDAgentMouseState)) {
        vda_warn(m->log, "mouse: state of %zu bytes discarded (needs %zu)", size,
                 sizeof(VDAgentMouseState));
        return;
    }
    uint32_t x = vda_le32(payload), y = vda_le32(payload + 4);
    uint32_t buttons = vda_le32(payload + 8);
    uint8_t display_id = payload[12];

    vda_abs_pos pos = {0, 0};
    vda_norm_result r = vda_mouse_normalise(geometry(m), x, y, display_id, &pos);
    int have_pos = r == VDA_NORM_OK || r == VDA_NORM_CLAMPED;
    if (!have_pos && GetTickCount64() - m->geom_time >= GEOM_RECHECK_MS) {
        /* Maybe a monitor appeared since we last looked (not on every message:
         * a stream of bad display_ids must not enumerate devices each time). */
        vdg_mouse_geometry_changed(m);
        r = vda_mouse_normalise(geometry(m), x, y, display_id, &pos);
        have_pos = r == VDA_NORM_OK || r == VDA_NORM_CLAMPED;
    }
    if (!have_pos && !m->bad_display_logged) {
        vda_warn(m->log, "mouse: position on unknown display %u ignored (buttons still"
                 " applied; logged once)", (unsigned)display_id);
        m->bad_display_logged = 1;
    }
    vda_mouse_event ev[VDA_MOUSE_MAX_EVENTS];
    size_t n = vda_mouse_tracker_feed(&m->tracker, have_pos, pos, buttons, ev);
    send_events(m, ev, n);
}

void vdg_mouse_flush(vdg_mouse *m)
{
    vda_mouse_event ev[VDA_MOUSE_MAX_EVENTS];
    send_events(m, ev, vda_mouse_tracker_flush(&m->tracker, ev));
}

void vdg_mouse_reset(vdg_mouse *m)
{
    vda_mouse_event ev[VDA_MOUSE_MAX_EVENTS];
    send_events(m, ev, vda_mouse_tracker_release_all(&m->tracker, ev));
}

int vdg_mouse_wait_idle(vdg_mouse *m, DWORD timeout_ms)
{
    if (!m->thread) {
        return 0;
    }
    return WaitForSingleObject(m->idle, timeout_ms) == WAIT_OBJECT_0 ? 0 : -1;
}

uint64_t vdg_mouse_events_sent(vdg_mouse *m)
{
    EnterCriticalSection(&m->lock);
    uint64_t n = m->events_sent;
    LeaveCriticalSection(&m->lock);
    return n;
}

void vdg_mouse_cleanup(vdg_mouse *m)
{
    vdg_mouse_reset(m);
    if (m->thread) {
        vdg_mouse_wait_idle(m, 1000);
        EnterCriticalSection(&m->lock);
        m->stop = 1;
        LeaveCriticalSection(&m->lock);
        SetEvent(m->wake);
        if (WaitForSingleObject(m->thread, 2000) != WAIT_OBJECT_0) {
            /* Stuck in SendInput: leave it its lock, events and desktop (the
             * process is about to end); freeing them under it would be worse. */
            vda_warn(m->log, "mouse: input thread did not stop");
            return;
        }
        CloseHandle(m->thread);
        m->thread = NULL;
    }
    log_notes(m);
    /* The worker's desktop handle goes with the thread's exit: a desktop that
     * some thread still uses cannot be closed, and ours is gone now. */
    if (m->desktop) {
        CloseDesktop(m->desktop);
        m->desktop = NULL;
    }
    if (m->wake) CloseHandle(m->wake);
    if (m->idle) CloseHandle(m->idle);
    m->wake = m->idle = NULL;
    DeleteCriticalSection(&m->lock);
}
