/* Following the input desktop. On Windows, SendInput fails while another
 * desktop is the input desktop; the mouse module then switches its input
 * thread there and retries.
 *
 *   test_mouse_desktop           a desktop this test creates, of the same user
 *                                (win.input.mouse_other_desktop)
 *   test_mouse_desktop winlogon  the Winlogon desktop: the UAC secure desktop
 *                                and the lock screen (win.input.mouse_winlogon_desktop)
 *
 * Each switches the input desktop and checks the pointer still moves and the
 * module's thread followed. The first shows only that the module follows a
 * desktop of the same user, not that it can reach the secure desktop. Wine's
 * SwitchDesktop does not change the input desktop and its SendInput never fails
 * for that reason, and only SYSTEM may open Winlogon: those say NOT RUN (77). */
#include <windows.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <spice/vd_agent.h>

#include "base/le_bytes.h"
#include "mouse_input.h"
#include "wtest.h"

static void name_of(HDESK d, wchar_t *buf, DWORD bytes)
{
    wcscpy(buf, L"?");
    if (d) GetUserObjectInformationW(d, UOI_NAME, buf, bytes, NULL);
}

/* Makes `other` (named want) the input desktop and checks the module follows. */
static int follow(HDESK other, const wchar_t *want)
{
    wtest t = {0};
    vda_logger lg = wtest_logger();
    HDESK original = GetThreadDesktop(GetCurrentThreadId());
    if (!SwitchDesktop(other)) {
        WNOT_RUN(&t, "cannot switch to the desktop \"%ls\" here (error %lu)", want,
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
    if (wcscmp(input_name, want) != 0 || accepted == 1) {
        WNOT_RUN(&t, "following the input desktop to \"%ls\": after SwitchDesktop the input"
                 " desktop is \"%ls\" and SendInput from the old desktop %s. This Wine does"
                 " not model input desktops, so the retry path cannot be exercised here.",
                 want, input_name, accepted == 1 ? "still succeeds" : "fails");
        SwitchDesktop(original);
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
           "the move was delivered after following the desktop \"%ls\"", want);
    WCHECK(&t, wcscmp(now, want) == 0, "input thread now on \"%ls\"", now);
    SwitchDesktop(original);
    vdg_mouse_cleanup(&m);
    return wtest_exit(&t);
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "winlogon")) {
        HDESK w = OpenDesktopW(L"Winlogon", 0, FALSE, GENERIC_ALL);
        if (!w) {
            DWORD e = GetLastError();
            printf("NOT RUN: Winlogon/UAC secure desktop: this process cannot open the"
                   " Winlogon desktop (error %lu: %s), so it cannot make it the input"
                   " desktop; see vdagent/README.md's manual checklist\n", (unsigned long)e,
                   e == ERROR_ACCESS_DENIED ? "only SYSTEM may" : "there is none here");
            return 77;
        }
        int rc = follow(w, L"Winlogon");
        CloseDesktop(w);
        return rc;
    }
    HDESK other = CreateDesktopW(L"vda-mouse-test", NULL, NULL, 0, GENERIC_ALL, NULL);
    if (!other) {
        printf("NOT RUN: cannot create a second desktop here (error %lu)\n",
               (unsigned long)GetLastError());
        return 77;
    }
    int rc = follow(other, L"vda-mouse-test");
    CloseDesktop(other);
    return rc;
}
