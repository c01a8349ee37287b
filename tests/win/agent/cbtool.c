/* cbtool.exe: the "other application" in the agent's Wine tests. It reads or writes
 * the Win32 clipboard the way a user's program does, in its own process.
 *   cbtool get-text OUT   paste CF_UNICODETEXT, write its UTF-16 units (no NUL) to OUT
 *   cbtool set-text IN    copy the UTF-16 units in IN as CF_UNICODETEXT
 *   cbtool get-dib OUT    paste CF_DIB (or CF_DIBV5 with --v5) into OUT
 *   cbtool set-dib IN     copy the DIB in IN as CF_DIB
 *   cbtool set-text-held IN
 *                         as set-text, but holds the clipboard open (emptied) from
 *                         when it sets the event vda-cbtool-holding until the event
 *                         vda-cbtool-release is set (10 s at most), then copies
 *   cbtool get-text-on-broadcast OUT
 *                         open a hidden top-level window (class vda-cbtool-listen) and
 *                         paste as get-text from inside the first WM_SETTINGCHANGE or
 *                         WM_DISPLAYCHANGE it receives: the sender (the agent) is then
 *                         still inside SystemParametersInfo / ChangeDisplaySettingsEx,
 *                         so the agent gets its WM_RENDERFORMAT nested in that call
 * Exit: 0 done, 3 the clipboard gave no data, 1 error. Prints how long it took. */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clip_tool.h"
#include "wtest.h"

#define OPEN_TRIES 500   /* 5 s: the agent may hold the clipboard while it renders */

static int open_cb(void)
{
    if (clip_tool_open(OPEN_TRIES))
        return 1;
    fprintf(stderr, "cbtool: cannot open the clipboard\n");
    return 0;
}

/* The file at a path as given on the command line (ANSI code page, as fopen). */
static void *read_file(const char *path, size_t *size)
{
    wchar_t w[MAX_PATH];
    if (!MultiByteToWideChar(CP_ACP, 0, path, -1, w, MAX_PATH))
        return NULL;
    return wtest_read_file(w, size);
}

static int get(UINT cf, const char *out)
{
    DWORD t0 = GetTickCount();
    if (!open_cb())
        return 1;
    HANDLE h = GetClipboardData(cf);
    DWORD ms = GetTickCount() - t0;
    if (!h) {
        CloseClipboard();
        printf("cbtool: no data for format %u after %lu ms\n", cf, (unsigned long)ms);
        return 3;
    }
    const unsigned char *p = GlobalLock(h);
    size_t size = GlobalSize(h);
    if (cf == CF_UNICODETEXT)
        size = clip_tool_text_units((const WCHAR *)p, size) * sizeof(WCHAR);
    FILE *f = fopen(out, "wb");
    int ok = f && fwrite(p, 1, size, f) == size;
    if (f)
        fclose(f);
    GlobalUnlock(h);
    CloseClipboard();
    printf("cbtool: got %zu bytes of format %u in %lu ms\n", size, cf, (unsigned long)ms);
    return ok ? 0 : 1;
}

static int set(UINT cf, const char *in)
{
    size_t size;
    unsigned char *p = read_file(in, &size);
    if (!p)
        return 1;
    size_t extra = cf == CF_UNICODETEXT ? 2 : 0;  /* the NUL */
    HGLOBAL h = GlobalAlloc(GMEM_MOVEABLE, size + extra);
    if (!h)
        return 1;
    unsigned char *d = GlobalLock(h);
    memcpy(d, p, size);
    if (extra)
        memset(d + size, 0, extra);
    GlobalUnlock(h);
    free(p);
    clip_tool_put_result r = clip_tool_put(cf, h, OPEN_TRIES);
    if (r == CLIP_TOOL_PUT_NO_OPEN) {
        fprintf(stderr, "cbtool: cannot open the clipboard\n");
        return 1;
    }
    printf("cbtool: set %zu bytes of format %u: %s\n", size, cf,
           r == CLIP_TOOL_PUT_OK ? "ok" : "FAILED");
    return r == CLIP_TOOL_PUT_OK ? 0 : 1;
}

static int set_text_held(const char *in)
{
    size_t size;
    unsigned char *p = read_file(in, &size);
    HANDLE holding = OpenEventW(EVENT_MODIFY_STATE, FALSE, L"vda-cbtool-holding");
    HANDLE release = OpenEventW(SYNCHRONIZE, FALSE, L"vda-cbtool-release");
    if (!p || !holding || !release) {
        fprintf(stderr, "cbtool: set-text-held: no input or no events\n");
        return 1;
    }
    HGLOBAL h = GlobalAlloc(GMEM_MOVEABLE, size + 2);
    if (!h)
        return 1;
    unsigned char *d = GlobalLock(h);
    memcpy(d, p, size);
    memset(d + size, 0, 2);
    GlobalUnlock(h);
    free(p);
    if (!open_cb())
        return 1;
    EmptyClipboard();
    SetEvent(holding);
    WaitForSingleObject(release, 10000);
    int ok = SetClipboardData(CF_UNICODETEXT, h) != NULL;
    if (!ok)
        GlobalFree(h);
    CloseClipboard();
    printf("cbtool: held the clipboard, then set %zu bytes: %s\n", size, ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}

/* get-text-on-broadcast: the paste's exit code, or 4 if no broadcast came. */
static const char *listen_out;
static int listen_code = 4;

static LRESULT CALLBACK listen_proc(HWND hwnd, UINT msg, WPARAM wp, LPARAM lp)
{
    if ((msg == WM_SETTINGCHANGE || msg == WM_DISPLAYCHANGE) && listen_code == 4) {
        printf("cbtool: %s received: pasting from inside it\n",
               msg == WM_SETTINGCHANGE ? "WM_SETTINGCHANGE" : "WM_DISPLAYCHANGE");
        listen_code = get(CF_UNICODETEXT, listen_out);
        PostQuitMessage(0);
        return 0;
    }
    if (msg == WM_TIMER) {
        printf("cbtool: no WM_SETTINGCHANGE / WM_DISPLAYCHANGE within 30 s\n");
        PostQuitMessage(0);
        return 0;
    }
    return DefWindowProcW(hwnd, msg, wp, lp);
}

static int get_on_broadcast(const char *out)
{
    listen_out = out;
    WNDCLASSW wc;
    memset(&wc, 0, sizeof wc);
    wc.lpfnWndProc = listen_proc;
    wc.hInstance = GetModuleHandleW(NULL);
    wc.lpszClassName = L"vda-cbtool-listen";
    if (!RegisterClassW(&wc))
        return 1;
    HWND w = CreateWindowExW(0, wc.lpszClassName, L"cbtool", WS_POPUP, 0, 0, 1, 1, NULL, NULL,
                             wc.hInstance, NULL);
    if (!w)
        return 1;
    SetTimer(w, 1, 30000, NULL);
    MSG m;
    while (GetMessageW(&m, NULL, 0, 0) > 0)
        DispatchMessageW(&m);
    DestroyWindow(w);
    return listen_code;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: cbtool get-text|set-text|get-dib|set-dib FILE [--v5]\n");
        return 1;
    }
    int v5 = argc > 3 && !strcmp(argv[3], "--v5");
    if (!strcmp(argv[1], "get-text"))
        return get(CF_UNICODETEXT, argv[2]);
    if (!strcmp(argv[1], "set-text"))
        return set(CF_UNICODETEXT, argv[2]);
    if (!strcmp(argv[1], "get-dib"))
        return get(v5 ? CF_DIBV5 : CF_DIB, argv[2]);
    if (!strcmp(argv[1], "set-dib"))
        return set(CF_DIB, argv[2]);
    if (!strcmp(argv[1], "set-text-held"))
        return set_text_held(argv[2]);
    if (!strcmp(argv[1], "get-text-on-broadcast"))
        return get_on_broadcast(argv[2]);
    fprintf(stderr, "cbtool: unknown command %s\n", argv[1]);
    return 1;
}
