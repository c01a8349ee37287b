/* MOUSE_STATE through vdagent/mouse_input.c under Wine: the pointer moves
 * (GetCursorPos reads it back), bursts of moves are coalesced, and button and
 * wheel state reach a test window as messages. */
#include <windows.h>
#include <stdint.h>
#include <stdio.h>

#include <spice/vd_agent.h>

#include "base/le_bytes.h"
#include "monitors_win.h"
#include "mouse_input.h"
#include "wtest.h"

#define WIN_X 100
#define WIN_Y 120

typedef struct seen {
    UINT msg;
    int x, y;      /* client coordinates (screen for the wheel) */
    int delta;     /* wheel */
} seen;

static seen log_msgs[64];
static int n_msgs;

static LRESULT CALLBACK wndproc(HWND h, UINT msg, WPARAM wp, LPARAM lp)
{
    switch (msg) {
    case WM_LBUTTONDOWN: case WM_LBUTTONUP: case WM_RBUTTONDOWN: case WM_RBUTTONUP:
    case WM_MBUTTONDOWN: case WM_MBUTTONUP: case WM_XBUTTONDOWN: case WM_XBUTTONUP:
    case WM_MOUSEWHEEL:
        if (n_msgs < 64) {
            seen *s = &log_msgs[n_msgs++];
            s->msg = msg;
            s->x = (short)LOWORD(lp);
            s->y = (short)HIWORD(lp);
            s->delta = msg == WM_MOUSEWHEEL ? GET_WHEEL_DELTA_WPARAM(wp) : 0;
        }
        return msg == WM_XBUTTONDOWN || msg == WM_XBUTTONUP ? TRUE : 0;
    }
    return DefWindowProcW(h, msg, wp, lp);
}

static void pump(int ms)
{
    DWORD end = GetTickCount() + (DWORD)ms;
    do {
        MSG m;
        while (PeekMessageW(&m, NULL, 0, 0, PM_REMOVE)) {
            TranslateMessage(&m);
            DispatchMessageW(&m);
        }
        Sleep(10);
    } while ((int)(end - GetTickCount()) > 0);
}

static void state(vdg_mouse *m, uint32_t x, uint32_t y, uint32_t buttons, uint8_t display)
{
    uint8_t p[sizeof(VDAgentMouseState)];
    vda_put_le32(p, x);
    vda_put_le32(p + 4, y);
    vda_put_le32(p + 8, buttons);
    p[12] = display;
    vdg_mouse_handle(m, p, sizeof p);
}

static int find_msg(UINT msg, int from)
{
    for (int i = from; i < n_msgs; i++) {
        if (log_msgs[i].msg == msg) return i;
    }
    return -1;
}

int main(void)
{
    wtest t = {0};
    vda_logger lg = wtest_logger();
    SetProcessDPIAware();

    vda_screen_geom g;
    WCHECK(&t, vdg_screen_geometry(&g) == 0 && g.mon_count >= 1,
           "screen geometry: %u display(s), virtual %dx%d at %d,%d", (unsigned)g.mon_count,
           (int)g.virt.width, (int)g.virt.height, (int)g.virt.x, (int)g.virt.y);

    WNDCLASSW wc = {0};
    wc.lpfnWndProc = wndproc;
    wc.hInstance = GetModuleHandleW(NULL);
    wc.lpszClassName = L"vda_mouse_test";
    wc.hCursor = LoadCursorW(NULL, (LPCWSTR)IDC_ARROW);
    RegisterClassW(&wc);
    HWND w = CreateWindowExW(WS_EX_TOPMOST, wc.lpszClassName, L"mouse test", WS_POPUP | WS_VISIBLE,
                             WIN_X, WIN_Y, 400, 300, NULL, NULL, wc.hInstance, NULL);
    WCHECK(&t, w != NULL, "test window created");
    SetForegroundWindow(w);
    SetFocus(w);
    pump(300);

    vdg_mouse m;
    WCHECK(&t, vdg_mouse_init(&m, &lg) == 0, "mouse module started");

    /* 1. A move reaches the pointer, on the exact pixel. */
    const int pts[][2] = {{0, 0}, {WIN_X + 50, WIN_Y + 40}, {g.mon[0].width - 1, g.mon[0].height - 1},
                          {777, 333}};
    for (size_t i = 0; i < sizeof pts / sizeof pts[0]; i++) {
        state(&m, (uint32_t)pts[i][0], (uint32_t)pts[i][1], 0, 0);
        vdg_mouse_flush(&m);
        vdg_mouse_wait_idle(&m, 2000);
        pump(50);
        POINT p = {-1, -1};
        GetCursorPos(&p);
        WCHECK(&t, p.x == g.mon[0].x + pts[i][0] && p.y == g.mon[0].y + pts[i][1],
               "move to %d,%d: GetCursorPos says %ld,%ld", pts[i][0], pts[i][1], p.x, p.y);
    }

    /* 2. A burst of moves becomes one move to the last position. */
    uint64_t before = vdg_mouse_events_sent(&m);
    for (int i = 0; i < 200; i++) {
        state(&m, (uint32_t)(300 + i), (uint32_t)(200 + i / 2), 0, 0);
    }
    vdg_mouse_wait_idle(&m, 2000);
    WCHECK(&t, vdg_mouse_events_sent(&m) == before, "200 moves without a flush sent nothing yet (%llu)",
           (unsigned long long)(vdg_mouse_events_sent(&m) - before));
    vdg_mouse_flush(&m);
    vdg_mouse_wait_idle(&m, 2000);
    pump(50);
    POINT p;
    GetCursorPos(&p);
    WCHECK(&t, vdg_mouse_events_sent(&m) == before + 1 && p.x == g.mon[0].x + 499 && p.y == g.mon[0].y + 299,
           "after flush: %llu event(s) sent, pointer at %ld,%ld (want 499,299)",
           (unsigned long long)(vdg_mouse_events_sent(&m) - before), p.x, p.y);

    /* 3. Buttons reach the window under the pointer, at the click position. */
    n_msgs = 0;
    const int cx = 150, cy = 80;  /* client coordinates inside the window */
    uint32_t sx = (uint32_t)(WIN_X + cx - g.mon[0].x), sy = (uint32_t)(WIN_Y + cy - g.mon[0].y);
    state(&m, sx - 20, sy - 20, 0, 0);      /* pending move, flushed by the click */
    state(&m, sx, sy, VD_AGENT_LBUTTON_MASK, 0);
    state(&m, sx, sy, 0, 0);
    state(&m, sx, sy, VD_AGENT_RBUTTON_MASK, 0);
    state(&m, sx, sy, 0, 0);
    state(&m, sx, sy, VD_AGENT_MBUTTON_MASK, 0);
    state(&m, sx, sy, 0, 0);
    vdg_mouse_flush(&m);
    vdg_mouse_wait_idle(&m, 2000);
    pump(300);
    int i1 = find_msg(WM_LBUTTONDOWN, 0), i2 = find_msg(WM_LBUTTONUP, 0);
    WCHECK(&t, i1 >= 0 && log_msgs[i1].x == cx && log_msgs[i1].y == cy,
           "WM_LBUTTONDOWN at client %d,%d (want %d,%d)", i1 >= 0 ? log_msgs[i1].x : -1,
           i1 >= 0 ? log_msgs[i1].y : -1, cx, cy);
    WCHECK(&t, i2 > i1, "WM_LBUTTONUP after it");
    int r1 = find_msg(WM_RBUTTONDOWN, 0), r2 = find_msg(WM_RBUTTONUP, 0);
    WCHECK(&t, r1 > i2 && r2 > r1, "WM_RBUTTONDOWN/UP after the left click");
    int m1 = find_msg(WM_MBUTTONDOWN, 0), m2 = find_msg(WM_MBUTTONUP, 0);
    WCHECK(&t, m1 > r2 && m2 > m1, "WM_MBUTTONDOWN/UP after the right click");

    /* 4. The wheel: press of the up/down bits = one notch each, release = nothing. */
    n_msgs = 0;
    state(&m, sx, sy, VD_AGENT_UBUTTON_MASK, 0);
    state(&m, sx, sy, 0, 0);
    state(&m, sx, sy, VD_AGENT_DBUTTON_MASK, 0);
    state(&m, sx, sy, 0, 0);
    state(&m, sx, sy, VD_AGENT_DBUTTON_MASK, 0);
    state(&m, sx, sy, 0, 0);
    vdg_mouse_wait_idle(&m, 2000);
    pump(300);
    int wheels = 0, sum = 0;
    for (int i = 0; i < n_msgs; i++) {
        if (log_msgs[i].msg == WM_MOUSEWHEEL) {
            wheels++;
            sum += log_msgs[i].delta;
        }
    }
    WCHECK(&t, wheels == 3 && sum == -WHEEL_DELTA,
           "wheel: %d WM_MOUSEWHEEL, deltas sum %d (want 3, %d)", wheels, sum, -WHEEL_DELTA);

    /* 5. Unknown display: position ignored, button still delivered where the pointer is. */
    n_msgs = 0;
    state(&m, 5, 5, VD_AGENT_LBUTTON_MASK, 200);
    state(&m, 5, 5, 0, 200);
    vdg_mouse_flush(&m);
    vdg_mouse_wait_idle(&m, 2000);
    pump(200);
    GetCursorPos(&p);
    int d1 = find_msg(WM_LBUTTONDOWN, 0);
    WCHECK(&t, d1 >= 0 && log_msgs[d1].x == cx && log_msgs[d1].y == cy,
           "click on unknown display 200 lands at the current pointer (%ld,%ld)", p.x, p.y);

    /* 6. Client gone with a button held: it is released. */
    n_msgs = 0;
    state(&m, sx, sy, VD_AGENT_LBUTTON_MASK, 0);
    vdg_mouse_reset(&m);
    vdg_mouse_wait_idle(&m, 2000);
    pump(200);
    WCHECK(&t, find_msg(WM_LBUTTONUP, 0) > find_msg(WM_LBUTTONDOWN, 0) &&
                   find_msg(WM_LBUTTONDOWN, 0) >= 0,
           "reset releases the held left button");

    /* 7. A short payload is discarded (logged), nothing sent. */
    vdg_mouse_wait_idle(&m, 2000);
    before = vdg_mouse_events_sent(&m);
    uint8_t shortp[12] = {0};
    vdg_mouse_handle(&m, shortp, sizeof shortp);
    vdg_mouse_flush(&m);
    vdg_mouse_wait_idle(&m, 2000);
    WCHECK(&t, vdg_mouse_events_sent(&m) == before, "12-byte MOUSE_STATE discarded");

    vdg_mouse_cleanup(&m);
    DestroyWindow(w);
    return wtest_exit(&t);
}
