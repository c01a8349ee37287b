#include "mouse_input.h"

#include <string.h>

#include <spice/vd_agent.h>

#include "le_bytes.h"
#include "monitors_win.h"

/* Re-read the layout at least this often, in case nobody told us it changed. */
#define GEOM_MAX_AGE_MS 1000

void vda_mouse_init(vda_mouse *m, const vda_logger *log)
{
    memset(m, 0, sizeof *m);
    m->log = log;
    vda_mouse_tracker_init(&m->tracker);
}

void vda_mouse_geometry_changed(vda_mouse *m)
{
    m->have_geom = 0;
}

static const vda_screen_geom *geometry(vda_mouse *m)
{
    ULONGLONG now = GetTickCount64();
    if (!m->have_geom || now - m->geom_time >= GEOM_MAX_AGE_MS) {
        if (vda_screen_geometry(&m->geom) != 0) {
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

/* Moves this thread to the current input desktop. Returns 1 if it switched. */
static int follow_input_desktop(vda_mouse *m)
{
    HDESK d = OpenInputDesktop(0, FALSE, DESKTOP_READOBJECTS | DESKTOP_WRITEOBJECTS |
                                             DESKTOP_JOURNALPLAYBACK | DESKTOP_SWITCHDESKTOP);
    if (!d) {
        if (!m->send_failing) {
            vda_warn(m->log, "mouse: cannot open the input desktop (error %lu)",
                     (unsigned long)GetLastError());
        }
        return 0;
    }
    if (!SetThreadDesktop(d)) {
        if (!m->send_failing) {
            vda_warn(m->log, "mouse: cannot switch to the input desktop (error %lu)",
                     (unsigned long)GetLastError());
        }
        CloseDesktop(d);
        return 0;
    }
    wchar_t name[64] = L"?";
    GetUserObjectInformationW(d, UOI_NAME, name, sizeof name, NULL);
    vda_info(m->log, "mouse: input desktop changed; following it to \"%ls\"", name);
    if (m->desktop) {
        CloseDesktop(m->desktop);  /* no longer this thread's desktop */
    }
    m->desktop = d;
    return 1;
}

static void send_events(vda_mouse *m, const vda_mouse_event *ev, size_t n)
{
    if (n == 0) {
        return;
    }
    INPUT in[VDA_MOUSE_MAX_EVENTS];
    for (size_t i = 0; i < n; i++) {
        to_input(&ev[i], &in[i]);
    }
    /* One call for the batch: Windows inserts it without other input in between. */
    UINT sent = SendInput((UINT)n, in, sizeof in[0]);
    if (sent < n) {
        DWORD err = GetLastError();
        if (follow_input_desktop(m)) {
            UINT more = SendInput((UINT)(n - sent), in + sent, sizeof in[0]);
            sent += more;
        }
        if (sent < n) {
            if (!m->send_failing) {
                vda_warn(m->log, "mouse: SendInput dropped %zu of %zu events (error %lu);"
                         " further failures are not logged until it works again",
                         n - sent, n, (unsigned long)err);
            }
            m->send_failing = 1;
            m->events_sent += sent;
            return;
        }
    }
    if (m->send_failing) {
        vda_info(m->log, "mouse: SendInput works again");
        m->send_failing = 0;
    }
    m->events_sent += sent;
}

void vda_mouse_handle(vda_mouse *m, const uint8_t *payload, size_t size)
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
    if (!have_pos) {
        /* Maybe a monitor appeared since we last looked. */
        vda_mouse_geometry_changed(m);
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

void vda_mouse_flush(vda_mouse *m)
{
    vda_mouse_event ev[VDA_MOUSE_MAX_EVENTS];
    send_events(m, ev, vda_mouse_tracker_flush(&m->tracker, ev));
}

void vda_mouse_reset(vda_mouse *m)
{
    vda_mouse_event ev[VDA_MOUSE_MAX_EVENTS];
    send_events(m, ev, vda_mouse_tracker_release_all(&m->tracker, ev));
}

void vda_mouse_cleanup(vda_mouse *m)
{
    vda_mouse_reset(m);
    /* A desktop still in use by this thread cannot be closed (ERROR_BUSY);
     * then the handle goes with the process. */
    if (m->desktop && m->desktop != GetThreadDesktop(GetCurrentThreadId())) {
        CloseDesktop(m->desktop);
    }
    m->desktop = NULL;
}
