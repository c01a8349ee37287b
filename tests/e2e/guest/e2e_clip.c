/* e2e_clip.exe: the "guest application" of the end-to-end tests. Puts data on
 * the Windows clipboard and reads it back, like a user's copy and paste.
 *
 *   e2e_clip.exe put-text FILE          UTF-8 file -> CF_UNICODETEXT
 *   e2e_clip.exe get-text FILE [MS]     CF_UNICODETEXT -> UTF-8 file; waits up to
 *                                       MS milliseconds for text to be offered
 *   e2e_clip.exe put-image FILE         raw image -> CF_DIB (32 bpp)
 *   e2e_clip.exe get-image FILE [MS]    CF_DIB -> raw image
 *   e2e_clip.exe clear                  empty the clipboard
 *   e2e_clip.exe make-event NAME        create a named manual-reset event, print
 *                                       "event ready", and wait until it is set
 *                                       (vdservice only opens the event it is given)
 *   e2e_clip.exe set-event NAME         set a named event (stops `vdservice.exe run
 *                                       --stop-event NAME` cleanly, as a harness
 *                                       cannot send Ctrl+C to a Wine process)
 *   e2e_clip.exe cursor-wait X Y MS     wait up to MS ms for the pointer to be at
 *                                       screen pixel X,Y (GetCursorPos); prints
 *                                       where it is
 *   e2e_clip.exe click-wait X Y MS      show a topmost window around X,Y, print
 *                                       "window ready" and wait up to MS ms for a
 *                                       left click (down and up) in it; prints
 *                                       where the button went down
 *
 * Raw image file: uint32 LE width, uint32 LE height, then width*height RGBA
 * pixels, top row first (alpha is ignored on the Windows side: DIBs are opaque).
 * Exit status: 0 done, 3 nothing offered (pointer not there, no click) in time,
 * 4 click at the wrong place, 1 other error (one line on stderr).
 */
#include <windows.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clip_tool.h"
#include "wtest.h"

#define OPEN_TRIES 200   /* 2 s: another process (the agent) may hold the clipboard */

static int fail(const char *what)
{
    fprintf(stderr, "e2e_clip: %s (error %lu)\n", what, (unsigned long)GetLastError());
    return 1;
}

static int write_file(const wchar_t *path, const void *a, size_t alen, const void *b, size_t blen)
{
    FILE *f = _wfopen(path, L"wb");
    if (!f)
        return -1;
    int ok = fwrite(a, 1, alen, f) == alen && (!blen || fwrite(b, 1, blen, f) == blen);
    return (fclose(f) == 0 && ok) ? 0 : -1;
}

static int set_clipboard(UINT fmt, HGLOBAL mem)
{
    switch (clip_tool_put(fmt, mem, OPEN_TRIES)) {
    case CLIP_TOOL_PUT_OK:
        return 0;
    case CLIP_TOOL_PUT_NO_OPEN:
        return fail("OpenClipboard");
    case CLIP_TOOL_PUT_NO_SET:
        break;
    }
    return fail("SetClipboardData");
}

/* Waits for the format like a clipboard-aware application: a listener window
 * woken by WM_CLIPBOARDUPDATE (polling would add up to a poll period to every
 * measured paste). */
static BOOL wait_format(UINT fmt, DWORD ms)
{
    HWND w = CreateWindowExW(0, L"STATIC", L"e2e_clip", 0, 0, 0, 0, 0, HWND_MESSAGE, NULL, NULL,
                             NULL);
    BOOL listening = w && AddClipboardFormatListener(w);
    DWORD start = GetTickCount();
    BOOL found;
    while (!(found = IsClipboardFormatAvailable(fmt))) {
        DWORD spent = GetTickCount() - start;
        if (spent >= ms)
            break;
        /* Without a listener (never expected), fall back to looking every 10 ms. */
        MsgWaitForMultipleObjects(0, NULL, FALSE, listening ? ms - spent : 10, QS_ALLINPUT);
        MSG m;
        while (PeekMessageW(&m, NULL, 0, 0, PM_REMOVE))
            DispatchMessageW(&m);
    }
    if (listening)
        RemoveClipboardFormatListener(w);
    if (w)
        DestroyWindow(w);
    return found;
}

static int put_text(const wchar_t *path)
{
    size_t len;
    char *utf8 = wtest_read_file(path, &len);
    if (!utf8)
        return fail("cannot read the input file");
    int wlen = len ? MultiByteToWideChar(CP_UTF8, 0, utf8, (int)len, NULL, 0) : 0;
    HGLOBAL mem = GlobalAlloc(GMEM_MOVEABLE, ((size_t)wlen + 1) * sizeof(wchar_t));
    if (!mem)
        return fail("GlobalAlloc");
    wchar_t *w = GlobalLock(mem);
    if (wlen)
        MultiByteToWideChar(CP_UTF8, 0, utf8, (int)len, w, wlen);
    w[wlen] = 0;
    GlobalUnlock(mem);
    free(utf8);
    return set_clipboard(CF_UNICODETEXT, mem);
}

static int get_text(const wchar_t *path, DWORD ms)
{
    /* The benchmark starts timing only once this is printed (Wine start-up excluded). */
    printf("e2e_clip: waiting for text\n");
    fflush(stdout);
    if (!wait_format(CF_UNICODETEXT, ms)) {
        fprintf(stderr, "e2e_clip: no text on the clipboard after %lu ms\n", (unsigned long)ms);
        return 3;
    }
    if (!clip_tool_open(OPEN_TRIES))
        return fail("OpenClipboard");
    /* For data the agent offered with delayed rendering, this is where the
     * agent fetches it from the client. */
    HANDLE h = GetClipboardData(CF_UNICODETEXT);
    if (!h) {
        CloseClipboard();
        return fail("GetClipboardData(CF_UNICODETEXT)");
    }
    const wchar_t *w = GlobalLock(h);
    size_t wlen = clip_tool_text_units(w, GlobalSize(h));
    int n = wlen ? WideCharToMultiByte(CP_UTF8, 0, w, (int)wlen, NULL, 0, NULL, NULL) : 0;
    char *utf8 = malloc((size_t)n + 1);
    if (n)
        WideCharToMultiByte(CP_UTF8, 0, w, (int)wlen, utf8, n, NULL, NULL);
    GlobalUnlock(h);
    CloseClipboard();
    int rc = write_file(path, utf8, (size_t)n, NULL, 0) ? fail("cannot write the output file") : 0;
    free(utf8);
    return rc;
}

static int put_image(const wchar_t *path)
{
    size_t len;
    uint8_t *raw = (uint8_t *)wtest_read_file(path, &len);
    if (!raw || len < 8)
        return fail("cannot read the image file");
    uint32_t w, h;
    memcpy(&w, raw, 4);
    memcpy(&h, raw + 4, 4);
    if (w == 0 || h == 0 || len != 8 + (size_t)w * h * 4)
        return fail("bad raw image file");
    size_t pixels = (size_t)w * h * 4;
    HGLOBAL mem = GlobalAlloc(GMEM_MOVEABLE, sizeof(BITMAPINFOHEADER) + pixels);
    if (!mem)
        return fail("GlobalAlloc");
    uint8_t *dib = GlobalLock(mem);
    BITMAPINFOHEADER bi;
    ZeroMemory(&bi, sizeof bi);
    bi.biSize = sizeof bi;
    bi.biWidth = (LONG)w;
    bi.biHeight = (LONG)h;                    /* bottom-up, the common case */
    bi.biPlanes = 1;
    bi.biBitCount = 32;
    bi.biCompression = BI_RGB;
    bi.biSizeImage = (DWORD)pixels;
    memcpy(dib, &bi, sizeof bi);
    uint8_t *px = dib + sizeof bi;
    for (uint32_t y = 0; y < h; y++) {
        const uint8_t *src = raw + 8 + (size_t)y * w * 4;
        uint8_t *dst = px + (size_t)(h - 1 - y) * w * 4;
        for (uint32_t x = 0; x < w; x++) {
            dst[4 * x + 0] = src[4 * x + 2];
            dst[4 * x + 1] = src[4 * x + 1];
            dst[4 * x + 2] = src[4 * x + 0];
            dst[4 * x + 3] = 0;
        }
    }
    GlobalUnlock(mem);
    free(raw);
    return set_clipboard(CF_DIB, mem);
}

static int get_image(const wchar_t *path, DWORD ms)
{
    if (!wait_format(CF_DIB, ms)) {
        fprintf(stderr, "e2e_clip: no image on the clipboard after %lu ms\n", (unsigned long)ms);
        return 3;
    }
    if (!clip_tool_open(OPEN_TRIES))
        return fail("OpenClipboard");
    HANDLE hd = GetClipboardData(CF_DIB);
    if (!hd) {
        CloseClipboard();
        return fail("GetClipboardData(CF_DIB)");
    }
    const uint8_t *dib = GlobalLock(hd);
    size_t size = GlobalSize(hd);
    BITMAPINFOHEADER bi;
    memcpy(&bi, dib, sizeof bi);
    int rc = 0;
    uint32_t w = (uint32_t)bi.biWidth, h = (uint32_t)(bi.biHeight < 0 ? -bi.biHeight : bi.biHeight);
    int bpp = bi.biBitCount;
    size_t off = bi.biSize + (bi.biCompression == BI_BITFIELDS ? 12 : 0) +
                 (size_t)bi.biClrUsed * 4;
    size_t stride = (((size_t)w * (size_t)bpp + 31) / 32) * 4;
    if (bi.biWidth <= 0 || (bpp != 24 && bpp != 32) || off + stride * h > size ||
        (bi.biCompression != BI_RGB && bi.biCompression != BI_BITFIELDS)) {
        fprintf(stderr, "e2e_clip: DIB %ldx%ld, %d bpp, compression %lu not supported here\n",
                (long)bi.biWidth, (long)bi.biHeight, bpp, (unsigned long)bi.biCompression);
        rc = 1;
    } else {
        uint8_t *out = malloc((size_t)w * h * 4);
        for (uint32_t y = 0; y < h; y++) {
            uint32_t sy = bi.biHeight > 0 ? h - 1 - y : y;
            const uint8_t *src = dib + off + stride * sy;
            for (uint32_t x = 0; x < w; x++) {
                const uint8_t *p = src + (size_t)x * (size_t)(bpp / 8);
                uint8_t *d = out + ((size_t)y * w + x) * 4;
                d[0] = p[2];
                d[1] = p[1];
                d[2] = p[0];
                d[3] = 255;
            }
        }
        uint32_t hdr[2] = { w, h };
        if (write_file(path, hdr, sizeof hdr, out, (size_t)w * h * 4))
            rc = fail("cannot write the output file");
        free(out);
    }
    GlobalUnlock(hd);
    CloseClipboard();
    return rc;
}

static int cursor_wait(LONG x, LONG y, DWORD ms)
{
    DWORD start = GetTickCount();
    POINT p = {-1, -1};
    for (;;) {
        if (!GetCursorPos(&p))
            return fail("GetCursorPos");
        if (p.x == x && p.y == y)
            break;
        if (GetTickCount() - start >= ms) {
            printf("cursor at %ld,%ld, not %ld,%ld after %lu ms\n", p.x, p.y, x, y,
                   (unsigned long)ms);
            return 3;
        }
        Sleep(10);
    }
    printf("cursor at %ld,%ld\n", p.x, p.y);
    return 0;
}

#define CLICK_HALF 100   /* the click window is 2*CLICK_HALF square around X,Y */

typedef struct {
    int down, up;
    POINT at;            /* screen position of the button-down */
} click_log;

static LRESULT CALLBACK click_wndproc(HWND w, UINT msg, WPARAM wp, LPARAM lp)
{
    click_log *c = (click_log *)GetWindowLongPtrW(w, GWLP_USERDATA);
    if (c && (msg == WM_LBUTTONDOWN || msg == WM_LBUTTONUP)) {
        POINT p = {(short)LOWORD(lp), (short)HIWORD(lp)};
        ClientToScreen(w, &p);
        if (msg == WM_LBUTTONDOWN && !c->down) {
            c->down = 1;
            c->at = p;
        } else if (msg == WM_LBUTTONUP && c->down) {
            c->up = 1;
        }
        printf("%s at %ld,%ld\n", msg == WM_LBUTTONDOWN ? "button down" : "button up", p.x, p.y);
        fflush(stdout);
        return 0;
    }
    return DefWindowProcW(w, msg, wp, lp);
}

static int click_wait(LONG x, LONG y, DWORD ms)
{
    WNDCLASSW wc;
    ZeroMemory(&wc, sizeof wc);
    wc.lpfnWndProc = click_wndproc;
    wc.hInstance = GetModuleHandleW(NULL);
    wc.lpszClassName = L"e2e_clip_click";
    wc.hCursor = LoadCursorW(NULL, (LPCWSTR)IDC_ARROW);
    if (!RegisterClassW(&wc))
        return fail("RegisterClass");
    HWND w = CreateWindowExW(WS_EX_TOPMOST, wc.lpszClassName, L"e2e click target",
                             WS_POPUP | WS_VISIBLE, x - CLICK_HALF, y - CLICK_HALF, 2 * CLICK_HALF,
                             2 * CLICK_HALF, NULL, NULL, wc.hInstance, NULL);
    if (!w)
        return fail("CreateWindowEx");
    click_log c;
    ZeroMemory(&c, sizeof c);
    SetWindowLongPtrW(w, GWLP_USERDATA, (LONG_PTR)&c);
    SetForegroundWindow(w);
    UpdateWindow(w);
    printf("window ready\n");
    fflush(stdout);
    DWORD start = GetTickCount();
    while (!c.up) {
        DWORD spent = GetTickCount() - start;
        if (spent >= ms)
            break;
        MsgWaitForMultipleObjects(0, NULL, FALSE, ms - spent, QS_ALLINPUT);
        MSG m;
        while (PeekMessageW(&m, NULL, 0, 0, PM_REMOVE)) {
            TranslateMessage(&m);
            DispatchMessageW(&m);
        }
    }
    DestroyWindow(w);
    if (!c.up) {
        printf("no complete left click within %lu ms (button down: %d)\n", (unsigned long)ms,
               c.down);
        return 3;
    }
    return c.at.x == x && c.at.y == y ? 0 : 4;
}

int wmain(int argc, wchar_t **argv);
int wmain(int argc, wchar_t **argv)
{
    DWORD ms = argc > 3 ? (DWORD)_wtoi(argv[3]) : 0;
    if (argc >= 3 && !wcscmp(argv[1], L"put-text"))
        return put_text(argv[2]);
    if (argc >= 3 && !wcscmp(argv[1], L"get-text"))
        return get_text(argv[2], ms);
    if (argc >= 3 && !wcscmp(argv[1], L"put-image"))
        return put_image(argv[2]);
    if (argc >= 3 && !wcscmp(argv[1], L"get-image"))
        return get_image(argv[2], ms);
    if (argc >= 2 && !wcscmp(argv[1], L"clear")) {
        if (!clip_tool_open(OPEN_TRIES))
            return fail("OpenClipboard");
        EmptyClipboard();
        CloseClipboard();
        return 0;
    }
    if (argc >= 3 && !wcscmp(argv[1], L"make-event")) {
        HANDLE ev = CreateEventW(NULL, TRUE, FALSE, argv[2]);
        if (!ev)
            return fail("cannot create the event");
        printf("event ready\n");
        fflush(stdout);
        WaitForSingleObject(ev, INFINITE);
        CloseHandle(ev);
        return 0;
    }
    if (argc >= 3 && !wcscmp(argv[1], L"set-event")) {
        HANDLE ev = OpenEventW(EVENT_MODIFY_STATE, FALSE, argv[2]);
        if (!ev || !SetEvent(ev))
            return fail("cannot set the event");
        CloseHandle(ev);
        return 0;
    }
    if (argc >= 5 && !wcscmp(argv[1], L"cursor-wait")) {
        setvbuf(stdout, NULL, _IONBF, 0);
        return cursor_wait(_wtol(argv[2]), _wtol(argv[3]), (DWORD)_wtoi(argv[4]));
    }
    if (argc >= 5 && !wcscmp(argv[1], L"click-wait"))
        return click_wait(_wtol(argv[2]), _wtol(argv[3]), (DWORD)_wtoi(argv[4]));
    fprintf(stderr, "usage: e2e_clip.exe make-event|set-event NAME | put-text|get-text|put-image|get-image FILE [MS] | clear"
                    " | cursor-wait|click-wait X Y MS\n");
    return 2;
}
