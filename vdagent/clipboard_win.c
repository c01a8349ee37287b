/* The Win32 side of the shared clipboard: a hidden message-only window that
 * listens for clipboard changes (AddClipboardFormatListener), owns the clipboard
 * with delayed rendering while the client holds the grab, and renders a format on
 * demand by asking the client and running the event loop until the data comes.
 * Everything protocol-related is decided by the portable core (agent_core). */
#include "app.h"
#include "vdw_error.h"

#include <wtsapi32.h>
#include <stdlib.h>
#include <string.h>

#include "base/text_convert.h"
#include "agent/text_slices.h"
#include "image/image_convert.h"

#define TIMER_APPLY 1
#define APPLY_RETRY_MS 20

enum { PENDING_NONE, PENDING_TAKE, PENDING_DROP };

static vdg_app *app_of(HWND hwnd)
{
    return (vdg_app *)GetWindowLongPtrW(hwnd, GWLP_USERDATA);
}

/* Another process may hold the clipboard open for a moment. */
static int open_clipboard(HWND hwnd, int tries)
{
    for (int i = 0; i < tries; i++) {
        if (OpenClipboard(hwnd))
            return 1;
        Sleep(5);
    }
    return 0;
}

static int client_has(const vdg_app *app, uint32_t type)
{
    const vda_cb_session *s = &app->agent.cb;
    for (uint32_t i = 0; i < s->n_client_types; i++)
        if (s->client_types[i] == type)
            return 1;
    return 0;
}

/* Applies a pending take or drop; if the clipboard is busy, retries on a timer. */
static void apply_pending(vdg_app *app)
{
    if (app->take_pending == PENDING_NONE)
        return;
    if (app->rendering || !open_clipboard(app->hwnd, 1)) {
        SetTimer(app->hwnd, TIMER_APPLY, APPLY_RETRY_MS, NULL);
        return;
    }
    KillTimer(app->hwnd, TIMER_APPLY);
    if (app->take_pending == PENDING_TAKE) {
        EmptyClipboard();  /* we are the owner from here on */
        app->rendered = 0;
        int text = 0, png = 0, bmp = 0;
        for (uint32_t i = 0; i < app->take_n; i++) {
            uint32_t t = app->take_types[i];
            text |= t == VD_AGENT_CLIPBOARD_UTF8_TEXT;
            png |= t == VD_AGENT_CLIPBOARD_IMAGE_PNG;
            bmp |= t == VD_AGENT_CLIPBOARD_IMAGE_BMP;
        }
        if (text)
            SetClipboardData(CF_UNICODETEXT, NULL);
        if (png || bmp)
            SetClipboardData(CF_DIB, NULL);
        if (png)
            SetClipboardData(CF_DIBV5, NULL);  /* PNG alpha survives there (a BMP's
                                                  header is whatever it is: CF_DIB) */
        int image = png || bmp;
        vda_debug(&app->log, "guest clipboard taken for the client (text %d, image %d)", text,
                  image);
    } else {
        if (GetClipboardOwner() == app->hwnd) {
            EmptyClipboard();
            vda_debug(&app->log, "guest clipboard emptied (client grab gone)");
        }
    }
    CloseClipboard();
    app->take_pending = PENDING_NONE;
}

void vdg_clipboard_take(void *ctx, const uint32_t *types, uint32_t n)
{
    vdg_app *app = ctx;
    if (n > VDA_CB_MAX_TYPES)
        n = VDA_CB_MAX_TYPES;
    memcpy(app->take_types, types, n * sizeof *types);
    app->take_n = n;
    app->take_pending = PENDING_TAKE;
    apply_pending(app);
}

void vdg_clipboard_drop(void *ctx)
{
    vdg_app *app = ctx;
    app->take_pending = PENDING_DROP;
    apply_pending(app);
}

static int read_text(vdg_app *app, uint8_t **buf, size_t *size)
{
    HANDLE h = GetClipboardData(CF_UNICODETEXT);
    if (!h) {
        vda_info(&app->log, "guest clipboard has no text any more");
        return -1;
    }
    const uint16_t *src = GlobalLock(h);
    if (!src)
        return -1;
    size_t units = GlobalSize(h) / 2;
    unsigned flags = vda_text_flags_for(
        vda_caps_has(&app->agent.client, VD_AGENT_CAP_GUEST_LINEEND_CRLF), 0);
    size_t len = vda_utf16_to_utf8_len(src, units, flags);
    *buf = malloc(VDA_CB_DATA_HDR + len + 1);
    if (!*buf) {
        GlobalUnlock(h);
        vda_error(&app->log, "out of memory for %zu bytes of clipboard text", len);
        return -1;
    }
    size_t got = vda_utf16_to_utf8(src, units, *buf + VDA_CB_DATA_HDR, flags);
    GlobalUnlock(h);
    *size = VDA_CB_DATA_HDR + got;
    return 0;
}

/* Adds the 4 free bytes the core wants in front of the data. */
static int with_header_room(const uint8_t *data, size_t len, uint8_t **buf, size_t *size)
{
    *buf = malloc(VDA_CB_DATA_HDR + len);
    if (!*buf)
        return -1;
    memcpy(*buf + VDA_CB_DATA_HDR, data, len);
    *size = VDA_CB_DATA_HDR + len;
    return 0;
}

static int read_image(vdg_app *app, uint32_t type, uint8_t **buf, size_t *size)
{
    /* CF_DIBV5 first: a program's own V5 keeps its alpha. Then CF_DIB, if the V5
     * is missing or does not convert: a V5 the system makes from a palette
     * CF_DIB may come without the palette (Wine's does), while the program's
     * own CF_DIB is complete. */
    static const UINT formats[] = { CF_DIBV5, CF_DIB };
    vda_image_limits lim;
    vda_image_limits_default(&lim);
    vda_buf out = { 0 };
    vda_image_status st = VDA_IMG_ERR_MALFORMED;
    int found = 0;
    for (size_t i = 0; i < sizeof formats / sizeof formats[0] && st != VDA_IMG_OK; i++) {
        if (!IsClipboardFormatAvailable(formats[i]))
            continue;
        HANDLE h = GetClipboardData(formats[i]);
        const uint8_t *dib = h ? GlobalLock(h) : NULL;
        if (!dib)
            continue;
        found = 1;
        /* Only the last try logs why it refused: one line per bad image. */
        int last = i + 1 == sizeof formats / sizeof formats[0] ||
                   !IsClipboardFormatAvailable(formats[i + 1]);
        const vda_logger *log = last ? &app->log : NULL;
        st = type == VD_AGENT_CLIPBOARD_IMAGE_PNG
            ? vda_dib_to_png(dib, GlobalSize(h), &lim, NULL, &out, log)
            : vda_dib_to_bmp(dib, GlobalSize(h), &lim, &out, log);
        GlobalUnlock(h);
        if (st != VDA_IMG_OK)
            vda_debug(&app->log, "guest image (format %u) not converted: %s", formats[i],
                      vda_image_status_str(st));
    }
    if (!found) {
        vda_info(&app->log, "guest clipboard has no image any more");
        return -1;
    }
    if (st != VDA_IMG_OK)
        return -1;
    int r = with_header_room(out.data, out.size, buf, size);
    free(out.data);
    return r;
}

int vdg_clipboard_read(void *ctx, uint32_t type, uint8_t **buf, size_t *size)
{
    vdg_app *app = ctx;
    if (!open_clipboard(app->hwnd, 20)) {
        char msg[VDW_ERR_MAX];
        vda_warn(&app->log, "cannot open the clipboard: %s", vdw_last_err_str(msg, sizeof msg));
        return -1;
    }
    int r = -1;
    if (type == VD_AGENT_CLIPBOARD_UTF8_TEXT)
        r = read_text(app, buf, size);
    else if (type == VD_AGENT_CLIPBOARD_IMAGE_PNG || type == VD_AGENT_CLIPBOARD_IMAGE_BMP)
        r = read_image(app, type, buf, size);
    CloseClipboard();
    return r;
}

/* The types the agent can produce from what the guest clipboard holds now. */
static uint32_t guest_types(uint32_t *types)
{
    uint32_t n = 0;
    if (IsClipboardFormatAvailable(CF_UNICODETEXT) || IsClipboardFormatAvailable(CF_TEXT) ||
        IsClipboardFormatAvailable(CF_OEMTEXT))
        types[n++] = VD_AGENT_CLIPBOARD_UTF8_TEXT;
    if (IsClipboardFormatAvailable(CF_DIB) || IsClipboardFormatAvailable(CF_DIBV5) ||
        IsClipboardFormatAvailable(CF_BITMAP)) {
        types[n++] = VD_AGENT_CLIPBOARD_IMAGE_PNG;
        types[n++] = VD_AGENT_CLIPBOARD_IMAGE_BMP;
    }
    return n;
}

static void on_clipboard_update(vdg_app *app)
{
    if (GetClipboardOwner() == app->hwnd)
        return;  /* our own EmptyClipboard / delayed formats */
    if (app->take_pending == PENDING_TAKE) {
        /* A client grab still waiting for the clipboard (it was busy): this
         * guest change came after it and replaces it (the core now says the
         * guest owns), so taking the clipboard later would wipe the guest's copy. */
        app->take_pending = PENDING_NONE;
        KillTimer(app->hwnd, TIMER_APPLY);
        vda_debug(&app->log, "pending client grab dropped: the guest changed the clipboard after it");
    }
    uint32_t types[4];
    uint32_t n = guest_types(types);
    vda_debug(&app->log, "guest clipboard changed: %u usable types", n);
    vda_agent_guest_changed(&app->agent, types, n);
}

/* Tells Windows the whole pages inside [p, p+len) are no longer needed, so they
 * leave the working set (MEM_RESET, then VirtualUnlock on unlocked pages, which
 * removes them from it). The block stays allocated and is freed normally. */
static void release_pages(const uint8_t *p, size_t len)
{
    const size_t page = 4096;
    uintptr_t a = ((uintptr_t)p + page - 1) & ~(uintptr_t)(page - 1);
    uintptr_t b = ((uintptr_t)p + len) & ~(uintptr_t)(page - 1);
    if (b <= a)
        return;
    VirtualAlloc((void *)a, b - a, MEM_RESET, PAGE_READWRITE);
    VirtualUnlock((void *)a, b - a);
}

/* Slices of a paste: each converted slice is released from the working set. */
#define TEXT_SLICE (4u << 20)

static void release_slice(void *ctx, const uint8_t *p, size_t n)
{
    (void)ctx;
    release_pages(p, n);
}

void vdg_clipboard_client_attached(void *ctx)
{
    vdg_app *app = ctx;
    on_clipboard_update(app);  /* a copy made before the client came */
}

/* Converts the client's data into a new HGLOBAL for cf. Frees paste->buf as soon
 * as it is no longer needed, before anything else big is built. */
static HGLOBAL convert_to_global(vdg_app *app, UINT cf, vda_agent_paste *p)
{
    const uint8_t *data = p->buf + p->off;
    HGLOBAL h = NULL;
    if (cf == CF_UNICODETEXT && p->type == VD_AGENT_CLIPBOARD_UTF8_TEXT) {
        unsigned flags = vda_text_flags_for(
            vda_caps_has(&app->agent.client, VD_AGENT_CAP_GUEST_LINEEND_CRLF), 1);
        size_t units = vda_utf8_to_utf16_len(data, p->len, flags);
        h = GlobalAlloc(GMEM_MOVEABLE, (units + 1) * sizeof(uint16_t));
        if (h) {
            uint16_t *dst = GlobalLock(h);
            vda_utf8_to_utf16_sliced(data, p->len, dst, units + 1, flags, TEXT_SLICE,
                                     release_slice, NULL);
            GlobalUnlock(h);
        } else {
            vda_error(&app->log, "out of memory for %zu UTF-16 units", units + 1);
        }
    }
    else if ((cf == CF_DIB || cf == CF_DIBV5) && (p->type == VD_AGENT_CLIPBOARD_IMAGE_PNG ||
                                                  p->type == VD_AGENT_CLIPBOARD_IMAGE_BMP)) {
        vda_image_limits lim;
        vda_image_limits_default(&lim);
        vda_buf dib = { 0 };
        vda_image_status st = p->type == VD_AGENT_CLIPBOARD_IMAGE_PNG
            ? vda_png_to_dib(data, p->len, &lim, cf == CF_DIBV5, &dib, &app->log)
            : vda_bmp_to_dib(data, p->len, &lim, &dib, &app->log);
        free(p->buf);
        p->buf = NULL;
        if (st != VDA_IMG_OK) {
            vda_debug(&app->log, "client image refused: %s", vda_image_status_str(st)); /* converter logged why */
            return NULL;
        }
        h = GlobalAlloc(GMEM_MOVEABLE, dib.size);
        if (h) {
            memcpy(GlobalLock(h), dib.data, dib.size);
            GlobalUnlock(h);
        }
        free(dib.data);
    }
    free(p->buf);
    p->buf = NULL;
    return h;
}

static unsigned rendered_bit(UINT cf)
{
    return cf == CF_UNICODETEXT ? 1u : cf == CF_DIB ? 2u : cf == CF_DIBV5 ? 4u : 0u;
}

/* WM_RENDERFORMAT: ask the client, keep the loop running until the answer (or the
 * timeout, or the client going away), then hand the data to Windows. */
static void render_format(vdg_app *app, UINT cf, DWORD timeout_ms)
{
    uint32_t type;
    if (cf == CF_UNICODETEXT)
        type = VD_AGENT_CLIPBOARD_UTF8_TEXT;
    else if (cf == CF_DIBV5)
        type = VD_AGENT_CLIPBOARD_IMAGE_PNG;   /* only offered for PNG */
    else if (cf == CF_DIB)
        type = client_has(app, VD_AGENT_CLIPBOARD_IMAGE_PNG) ? VD_AGENT_CLIPBOARD_IMAGE_PNG
                                                             : VD_AGENT_CLIPBOARD_IMAGE_BMP;
    else
        return;
    if (vda_agent_want(&app->agent, type) != 0)
        return;  /* nothing will come: the paste gets nothing, at once */
    app->rendering++;
    DWORD t0 = GetTickCount();
    int got = vdg_loop_wait(app, &app->agent.paste.done, timeout_ms);
    app->rendering--;
    if (!got) {
        vda_warn(&app->log, "no clipboard data from the client after %lu ms: paste is empty",
                 (unsigned long)(GetTickCount() - t0));
        vda_agent_paste_cancel(&app->agent);
        return;
    }
    vda_agent_paste p;
    vda_agent_paste_take(&app->agent, &p);
    if (!p.buf) {
        vda_info(&app->log, "the client gave no data: paste is empty");
        return;
    }
    size_t len = p.len;
    HGLOBAL h = convert_to_global(app, cf, &p);
    if (h && !SetClipboardData(cf, h)) {
        char msg[VDW_ERR_MAX];
        vda_warn(&app->log, "SetClipboardData failed: %s", vdw_last_err_str(msg, sizeof msg));
        GlobalFree(h);
        return;
    }
    if (h)
        app->rendered |= rendered_bit(cf);
    vda_debug(&app->log, "rendered format %u from %zu bytes in %lu ms", cf, len,
              (unsigned long)(GetTickCount() - t0));
}

/* WM_RENDERALLFORMATS (the agent exits while owning delayed formats): render what
 * the client promised, so the guest keeps the clipboard after the agent is gone. */
static DWORD budget_left(DWORD start)
{
    DWORD spent = GetTickCount() - start;
    return spent < RENDER_ALL_BUDGET_MS ? RENDER_ALL_BUDGET_MS - spent : 0;
}

static void render_all(vdg_app *app)
{
    if (!open_clipboard(app->hwnd, 20))
        return;
    DWORD start = GetTickCount();
    if (GetClipboardOwner() == app->hwnd) {
        /* Only what is still delayed, within one budget: exiting stays quick even
         * when the client does not answer. */
        if (client_has(app, VD_AGENT_CLIPBOARD_UTF8_TEXT) &&
            !(app->rendered & rendered_bit(CF_UNICODETEXT)))
            render_format(app, CF_UNICODETEXT, budget_left(start));
        if ((client_has(app, VD_AGENT_CLIPBOARD_IMAGE_PNG) ||
             client_has(app, VD_AGENT_CLIPBOARD_IMAGE_BMP)) &&
            !(app->rendered & (rendered_bit(CF_DIB) | rendered_bit(CF_DIBV5))) &&
            budget_left(start) > 0)
            render_format(app, CF_DIB, budget_left(start));
    }
    CloseClipboard();
}

static LRESULT CALLBACK wnd_proc(HWND hwnd, UINT msg, WPARAM wp, LPARAM lp)
{
    vdg_app *app = app_of(hwnd);
    switch (msg) {
    case WM_NCCREATE: {
        CREATESTRUCTW *cs = (CREATESTRUCTW *)lp;
        SetWindowLongPtrW(hwnd, GWLP_USERDATA, (LONG_PTR)cs->lpCreateParams);
        break;
    }
    case WM_CLIPBOARDUPDATE:
        if (app)
            on_clipboard_update(app);
        return 0;
    case WM_RENDERFORMAT:
        if (app)
            render_format(app, (UINT)wp, RENDER_TIMEOUT_MS);
        return 0;
    case WM_RENDERALLFORMATS:
        if (app)
            render_all(app);
        return 0;
    case WM_WTSSESSION_CHANGE:
        /* The portable core decides what a lock means for file transfer. */
        if (app && (wp == WTS_SESSION_LOCK || wp == WTS_SESSION_UNLOCK))
            vdg_xfer_set_locked(&app->xfer, wp == WTS_SESSION_LOCK);
        return 0;
    case WM_TIMER:
        if (app && wp == TIMER_APPLY)
            apply_pending(app);
        return 0;
    default:
        break;
    }
    return DefWindowProcW(hwnd, msg, wp, lp);
}

int vdg_clipboard_init(vdg_app *app)
{
    char msg[VDW_ERR_MAX];
    WNDCLASSW wc;
    memset(&wc, 0, sizeof wc);
    wc.lpfnWndProc = wnd_proc;
    wc.hInstance = GetModuleHandleW(NULL);
    wc.lpszClassName = L"vdagent-clipboard";
    if (!RegisterClassW(&wc) && GetLastError() != ERROR_CLASS_ALREADY_EXISTS) {
        vda_error(&app->log, "RegisterClass failed: %s", vdw_last_err_str(msg, sizeof msg));
        return -1;
    }
    app->hwnd = CreateWindowExW(0, wc.lpszClassName, L"vdagent", 0, 0, 0, 0, 0, HWND_MESSAGE,
                                NULL, wc.hInstance, app);
    if (!app->hwnd) {
        vda_error(&app->log, "CreateWindowEx failed: %s", vdw_last_err_str(msg, sizeof msg));
        return -1;
    }
    if (!AddClipboardFormatListener(app->hwnd)) {
        vda_error(&app->log, "AddClipboardFormatListener failed: %s",
                  vdw_last_err_str(msg, sizeof msg));
        DestroyWindow(app->hwnd);
        app->hwnd = NULL;
        return -1;
    }
    if (!WTSRegisterSessionNotification(app->hwnd, NOTIFY_FOR_THIS_SESSION))
        vda_info(&app->log, "no session lock notifications (error %lu): file transfer assumes "
                 "the session unlocked", (unsigned long)GetLastError());
    return 0;
}

void vdg_clipboard_destroy(vdg_app *app)
{
    if (!app->hwnd)
        return;
    RemoveClipboardFormatListener(app->hwnd);
    WTSUnRegisterSessionNotification(app->hwnd);
    KillTimer(app->hwnd, TIMER_APPLY);
    DestroyWindow(app->hwnd);  /* WM_RENDERALLFORMATS first, if we own delayed formats */
    app->hwnd = NULL;
}
