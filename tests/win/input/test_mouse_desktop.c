/* Following the input desktop. On Windows, SendInput fails while another
 * desktop (UAC's secure desktop, the lock screen) is the input desktop; the
 * module then switches its input thread there and retries. This program switches the
 * input desktop and checks the pointer still moves and the thread followed.
 * Wine's SwitchDesktop does not change the input desktop and its SendInput
 * never fails for that reason: then this test says NOT RUN (77). */
#include <windows.h>
#include <stdint.h>
#include <stdio.h>

#include <spice/vd_agent.h>

#include "base/le_bytes.h"
#include "mouse_input.h"
#include "wtest.h"

static void name_of(HDESK d, wchar_t *buf, DWORD bytes)
{
    wcscpy(buf, L"?");
    if (d) GetUserObjectInformationW(d, UOI_NAME, buf, bytes, NULL);
}

int main(void)
{
    wtest t = {0};
    vda_logger lg = wtest_logger();
    HDESK original = GetThreadDesktop(GetCurrentThreadId());
    HDESK other = CreateDesktopW(L"vda-mouse-test", NULL, NULL, 0, GENERIC_ALL, NULL);
    if (!other || !SwitchDesktop(other)) {
        WNOT_RUN(&t, "cannot create/switch to a second desktop here (error %lu)",
                 (unsigned long)GetLastError());
        return wtest_exit(&t);
    }
    wchar_t input_name[64];
    HDESK input = OpenInputDesktop(0, FALSE, DESKTOP_READOBJECTS);
    name_of(input, input_name, sizeof input_name);
    if (input) CloseDesktop(input);
    INPUT probe = {0};
    probe.type = INPUT_MOUSE;
    probe.mi.dwFlags = MOUSEEVENTF_MOVE;  /* relative 0,0: harmless */
    UINT accepted = SendInput(1, &probe, sizeof probe);
    if (wcscmp(input_name, L"vda-mouse-test") != 0 || accepted == 1) {
        WNOT_RUN(&t, "input desktop following: after SwitchDesktop the input desktop is \"%ls\""
                 " and SendInput from the old desktop %s. This Wine does not model input"
                 " desktops, so the retry path cannot be exercised here.",
                 input_name, accepted == 1 ? "still succeeds" : "fails");
        SwitchDesktop(original);
        CloseDesktop(other);
        return wtest_exit(&t);
    }
    /* Real input-desktop semantics: the module must follow. */
    vdg_mouse m;
    WCHECK(&t, vdg_mouse_init(&m, &lg) == 0, "mouse module started");
    uint8_t p[sizeof(VDAgentMouseState)] = {0};
    vda_put_le32(p, 40);
    vda_put_le32(p + 4, 30);
    vdg_mouse_handle(&m, p, sizeof p);
    vdg_mouse_flush(&m);
    vdg_mouse_wait_idle(&m, 2000);
    wchar_t now[64];
    name_of(m.desktop, now, sizeof now);
    WCHECK(&t, vdg_mouse_events_sent(&m) == 1,
           "the move was delivered after following the desktop");
    WCHECK(&t, wcscmp(now, L"vda-mouse-test") == 0, "input thread now on \"%ls\"", now);
    SwitchDesktop(original);
    vdg_mouse_cleanup(&m);
    return wtest_exit(&t);
}
