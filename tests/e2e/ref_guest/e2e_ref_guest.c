/* e2e_ref_guest.exe: the benchmark's REFERENCE guest, not an agent. The least a
 * guest can do to move clipboard text through the same bridge and the same Win32
 * clipboard as vdservice + vdagent, with nothing in between: it opens the port
 * itself, speaks the vdagent protocol directly, and answers requests from the
 * clipboard. Text only, one client, no capability beyond CLIPBOARD_BY_DEMAND and
 * GUEST_LINEEND_CRLF (it converts line ends like our agent does for spice-gtk:
 * LF -> CRLF in, CRLF -> LF out).
 *
 * A client grab is handled one of two ways:
 *   default       request the text at once and put it on the clipboard (eager:
 *                 the transfer overlaps the application noticing the change);
 *   --on-demand   offer CF_UNICODETEXT with delayed rendering and request the
 *                 text only on WM_RENDERFORMAT, as an agent must (clipboard by
 *                 demand: nothing moves unless the guest pastes).
 *
 *   e2e_ref_guest.exe --pipe \\.\pipe\NAME [--on-demand]
 */
#include <windows.h>

#include <spice/vd_agent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WM_AGENT_MSG (WM_APP + 1)   /* lParam: a malloc'ed agent_msg from the reader */

typedef struct {
    uint32_t type;
    uint32_t size;
    uint8_t data[];
} agent_msg;

typedef struct {
    HANDLE port;
    HWND hwnd;
    DWORD main_thread;
    int on_demand;
    int rendering;       /* inside WM_RENDERFORMAT, waiting for the text */
    HGLOBAL rendered;    /* what arrived for it (NULL: nothing) */
} ref_guest;

static BOOL port_io(HANDLE h, BOOL write, void *buf, DWORD len)
{
    uint8_t *p = buf;
    while (len) {
        OVERLAPPED ov;
        ZeroMemory(&ov, sizeof ov);
        ov.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
        DWORD done = 0;
        BOOL ok = write ? WriteFile(h, p, len, NULL, &ov) : ReadFile(h, p, len, NULL, &ov);
        if (ok || GetLastError() == ERROR_IO_PENDING)
            ok = GetOverlappedResult(h, &ov, &done, TRUE);
        CloseHandle(ov.hEvent);
        if (!ok || done == 0)
            return FALSE;
        p += done;
        len -= done;
    }
    return TRUE;
}

/* One message to the client port, cut in chunks of at most 2048 bytes. */
static BOOL send_msg(ref_guest *g, uint32_t type, const void *a, uint32_t alen, const void *b,
                     uint32_t blen)
{
    size_t total = sizeof(VDAgentMessage) + alen + blen;
    uint8_t *body = malloc(total);
    if (!body)
        return FALSE;
    VDAgentMessage m = { VD_AGENT_PROTOCOL, type, 0, alen + blen };
    memcpy(body, &m, sizeof m);
    memcpy(body + sizeof m, a, alen);
    if (blen)
        memcpy(body + sizeof m + alen, b, blen);
    /* All chunks in one buffer: one pipe write per message. */
    size_t nchunks = (total + VD_AGENT_MAX_DATA_SIZE - 1) / VD_AGENT_MAX_DATA_SIZE;
    uint8_t *out = malloc(total + nchunks * sizeof(VDIChunkHeader));
    size_t o = 0;
    for (size_t off = 0; out && off < total; off += VD_AGENT_MAX_DATA_SIZE) {
        uint32_t n = (uint32_t)(total - off < VD_AGENT_MAX_DATA_SIZE ? total - off
                                                                      : VD_AGENT_MAX_DATA_SIZE);
        VDIChunkHeader ch = { VDP_CLIENT_PORT, n };
        memcpy(out + o, &ch, sizeof ch);
        memcpy(out + o + sizeof ch, body + off, n);
        o += sizeof ch + n;
    }
    BOOL ok = out && port_io(g->port, TRUE, out, (DWORD)o);
    free(out);
    free(body);
    return ok;
}

static void announce(ref_guest *g, uint32_t request)
{
    uint32_t caps[2] = { request, (1u << VD_AGENT_CAP_CLIPBOARD_BY_DEMAND) |
                                  (1u << VD_AGENT_CAP_GUEST_LINEEND_CRLF) };
    send_msg(g, VD_AGENT_ANNOUNCE_CAPABILITIES, caps, sizeof caps, NULL, 0);
}

/* Overlapped read of whatever is there, up to len; 0 on a broken port. */
static DWORD port_read_some(HANDLE h, void *buf, DWORD len)
{
    OVERLAPPED ov;
    ZeroMemory(&ov, sizeof ov);
    ov.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
    DWORD done = 0;
    BOOL ok = ReadFile(h, buf, len, NULL, &ov);
    if (ok || GetLastError() == ERROR_IO_PENDING)
        ok = GetOverlappedResult(h, &ov, &done, TRUE);
    CloseHandle(ov.hEvent);
    return ok ? done : 0;
}

/* Reader thread: big reads (never one read per chunk header), reassembles
 * client-port messages and posts each whole one to the window. */
static DWORD WINAPI reader(void *arg)
{
    ref_guest *g = arg;
    enum { BUF = 256 * 1024 };
    uint8_t *buf = malloc(BUF);
    size_t len = 0;
    agent_msg *msg = NULL;
    uint32_t have = 0;
    VDAgentMessage hdr;
    uint32_t hdr_have = 0;
    DWORD n;
    while (buf && (n = port_read_some(g->port, buf + len, (DWORD)(BUF - len))) > 0) {
        len += n;
        size_t pos = 0;
        VDIChunkHeader ch;
        while (len - pos >= sizeof ch) {
            memcpy(&ch, buf + pos, sizeof ch);
            if (ch.size > VD_AGENT_MAX_DATA_SIZE) {
                fprintf(stderr, "e2e_ref_guest: chunk of %lu bytes: stream broken\n",
                        (unsigned long)ch.size);
                goto out;
            }
            if (len - pos < sizeof ch + ch.size)
                break;
            const uint8_t *chunk = buf + pos + sizeof ch;
            pos += sizeof ch + ch.size;
            if (ch.port != VDP_CLIENT_PORT)
                continue;
            for (uint32_t off = 0; off < ch.size;) {
                if (hdr_have < sizeof hdr) {
                    uint32_t k = ch.size - off < sizeof hdr - hdr_have
                                     ? ch.size - off : (uint32_t)sizeof hdr - hdr_have;
                    memcpy((uint8_t *)&hdr + hdr_have, chunk + off, k);
                    hdr_have += k;
                    off += k;
                    if (hdr_have == sizeof hdr) {
                        msg = malloc(sizeof *msg + hdr.size);
                        if (!msg) {
                            fprintf(stderr, "e2e_ref_guest: no memory for a %lu-byte message\n",
                                    (unsigned long)hdr.size);
                            goto out;
                        }
                        msg->type = hdr.type;
                        msg->size = hdr.size;
                        have = 0;
                    }
                } else {
                    uint32_t k = ch.size - off < msg->size - have ? ch.size - off
                                                                  : msg->size - have;
                    memcpy(msg->data + have, chunk + off, k);
                    have += k;
                    off += k;
                }
                if (hdr_have == sizeof hdr && have == msg->size) {
                    PostMessageW(g->hwnd, WM_AGENT_MSG, 0, (LPARAM)msg);
                    msg = NULL;
                    hdr_have = 0;
                }
            }
        }
        memmove(buf, buf + pos, len - pos);
        len -= pos;
    }
out:
    free(msg);
    free(buf);
    PostThreadMessageW(g->main_thread, WM_QUIT, 0, 0);
    return 0;
}

/* The client's UTF-8 as CF_UNICODETEXT memory, LF -> CRLF. */
static HGLOBAL text_from_client(const uint8_t *utf8, uint32_t len)
{
    int wn = len ? MultiByteToWideChar(CP_UTF8, 0, (const char *)utf8, (int)len, NULL, 0) : 0;
    wchar_t *w = malloc(((size_t)wn + 1) * sizeof *w);
    if (wn)
        MultiByteToWideChar(CP_UTF8, 0, (const char *)utf8, (int)len, w, wn);
    size_t lf = 0;
    for (int i = 0; i < wn; i++)
        lf += w[i] == L'\n' && (i == 0 || w[i - 1] != L'\r');
    HGLOBAL mem = GlobalAlloc(GMEM_MOVEABLE, ((size_t)wn + lf + 1) * sizeof(wchar_t));
    wchar_t *d = GlobalLock(mem);
    size_t o = 0;
    for (int i = 0; i < wn; i++) {
        if (w[i] == L'\n' && (i == 0 || w[i - 1] != L'\r'))
            d[o++] = L'\r';
        d[o++] = w[i];
    }
    d[o] = 0;
    GlobalUnlock(mem);
    free(w);
    return mem;
}

/* Takes the clipboard with `mem`, or with a delayed-rendering offer if NULL. */
static void set_clipboard(HWND hwnd, HGLOBAL mem)
{
    if (OpenClipboard(hwnd)) {   /* owner = us: our own paste is not offered back */
        EmptyClipboard();
        SetClipboardData(CF_UNICODETEXT, mem);
        CloseClipboard();
    } else if (mem) {
        GlobalFree(mem);
    }
}

static void request_text(ref_guest *g)
{
    uint32_t t = VD_AGENT_CLIPBOARD_UTF8_TEXT;
    send_msg(g, VD_AGENT_CLIPBOARD_REQUEST, &t, sizeof t, NULL, 0);
}

/* WM_RENDERFORMAT: request, then pump messages (the reader thread posts the
 * reply) until the text is there. */
static void render_text(ref_guest *g)
{
    g->rendering = 1;
    g->rendered = NULL;
    request_text(g);
    MSG q;
    while (g->rendering) {
        BOOL r = GetMessageW(&q, NULL, 0, 0);
        if (r <= 0) {
            PostQuitMessage(0);   /* the port is gone: leave after this */
            break;
        }
        DispatchMessageW(&q);
    }
    g->rendering = 0;
    if (g->rendered)
        SetClipboardData(CF_UNICODETEXT, g->rendered);
    g->rendered = NULL;
}

static void answer_request(ref_guest *g)
{
    uint32_t type = VD_AGENT_CLIPBOARD_UTF8_TEXT;
    char *utf8 = NULL;
    int n = 0;
    if (OpenClipboard(g->hwnd)) {
        HANDLE h = GetClipboardData(CF_UNICODETEXT);
        const wchar_t *w = h ? GlobalLock(h) : NULL;
        if (w) {
            size_t cap = GlobalSize(h) / sizeof(wchar_t), wn = 0;
            while (wn < cap && w[wn])
                wn++;
            /* CRLF -> LF in UTF-16, then one conversion to UTF-8. */
            wchar_t *t = malloc((wn + 1) * sizeof *t);
            size_t o = 0;
            for (size_t i = 0; i < wn; i++)
                if (!(w[i] == L'\r' && i + 1 < wn && w[i + 1] == L'\n'))
                    t[o++] = w[i];
            GlobalUnlock(h);
            n = o ? WideCharToMultiByte(CP_UTF8, 0, t, (int)o, NULL, 0, NULL, NULL) : 0;
            utf8 = malloc((size_t)n + 1);
            if (n)
                WideCharToMultiByte(CP_UTF8, 0, t, (int)o, utf8, n, NULL, NULL);
            free(t);
        }
        CloseClipboard();
    }
    send_msg(g, VD_AGENT_CLIPBOARD, &type, sizeof type, utf8, (uint32_t)n);
    free(utf8);
}

static LRESULT CALLBACK wndproc(HWND hwnd, UINT m, WPARAM wp, LPARAM lp)
{
    ref_guest *g = (ref_guest *)GetWindowLongPtrW(hwnd, GWLP_USERDATA);
    if (m == WM_CLIPBOARDUPDATE && g) {
        /* Our own paste changes the clipboard too: only other programs' copies
         * are offered to the client. */
        if (GetClipboardOwner() != hwnd && IsClipboardFormatAvailable(CF_UNICODETEXT)) {
            uint32_t t = VD_AGENT_CLIPBOARD_UTF8_TEXT;
            send_msg(g, VD_AGENT_CLIPBOARD_GRAB, &t, sizeof t, NULL, 0);
        }
        return 0;
    }
    if (m == WM_RENDERFORMAT && g && wp == CF_UNICODETEXT && !g->rendering) {
        render_text(g);
        return 0;
    }
    if (m == WM_AGENT_MSG && g) {
        agent_msg *msg = (agent_msg *)lp;
        if (msg->type == VD_AGENT_ANNOUNCE_CAPABILITIES && msg->size >= 4) {
            uint32_t request;
            memcpy(&request, msg->data, 4);
            if (request)
                announce(g, 0);
        } else if (msg->type == VD_AGENT_CLIPBOARD_GRAB) {
            if (g->on_demand)
                set_clipboard(hwnd, NULL);
            else
                request_text(g);
        } else if (msg->type == VD_AGENT_CLIPBOARD && msg->size >= 4) {
            HGLOBAL mem = text_from_client(msg->data + 4, msg->size - 4);
            if (g->rendering) {
                g->rendered = mem;
                g->rendering = 0;
            } else {
                set_clipboard(hwnd, mem);
            }
        } else if (msg->type == VD_AGENT_CLIPBOARD_REQUEST) {
            answer_request(g);
        }
        free(msg);
        return 0;
    }
    return DefWindowProcW(hwnd, m, wp, lp);
}

int wmain(int argc, wchar_t **argv);
int wmain(int argc, wchar_t **argv)
{
    int on_demand = argc == 4 && !wcscmp(argv[3], L"--on-demand");
    if ((argc != 3 && !on_demand) || wcscmp(argv[1], L"--pipe")) {
        fprintf(stderr, "usage: e2e_ref_guest.exe --pipe \\\\.\\pipe\\NAME [--on-demand]\n");
        return 2;
    }
    ref_guest g = { .port = INVALID_HANDLE_VALUE, .main_thread = GetCurrentThreadId(),
                    .on_demand = on_demand };
    for (int i = 0; i < 500 && g.port == INVALID_HANDLE_VALUE; i++) {
        g.port = CreateFileW(argv[2], GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
                             FILE_FLAG_OVERLAPPED, NULL);
        if (g.port == INVALID_HANDLE_VALUE)
            Sleep(20);   /* not there yet, or PIPE_BUSY right after a close */
    }
    if (g.port == INVALID_HANDLE_VALUE) {
        fprintf(stderr, "e2e_ref_guest: cannot open %ls\n", argv[2]);
        return 1;
    }
    WNDCLASSW wc = { .lpfnWndProc = wndproc, .hInstance = GetModuleHandleW(NULL),
                     .lpszClassName = L"e2e_ref_guest" };
    RegisterClassW(&wc);
    g.hwnd = CreateWindowW(wc.lpszClassName, L"", 0, 0, 0, 0, 0, HWND_MESSAGE, NULL,
                           wc.hInstance, NULL);
    SetWindowLongPtrW(g.hwnd, GWLP_USERDATA, (LONG_PTR)&g);
    AddClipboardFormatListener(g.hwnd);
    announce(&g, 1);
    HANDLE t = CreateThread(NULL, 0, reader, &g, 0, NULL);
    MSG m;
    while (GetMessageW(&m, NULL, 0, 0) > 0) {
        TranslateMessage(&m);
        DispatchMessageW(&m);
    }
    CloseHandle(g.port);
    WaitForSingleObject(t, 2000);
    return 0;
}
