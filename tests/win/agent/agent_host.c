/* agent_host.exe: a scripted SPICE host for vdagent.exe under Wine. It plays the
 * service's end of the pipe (HELLO, chunks both ways, control chunks) and the
 * client's side of the protocol, starts vdagent.exe, and uses cbtool.exe as the
 * separate Windows application that pastes and copies.
 *
 *   agent_host AGENT_EXE CBTOOL_EXE SCENARIO [ARG]
 * Scenarios: paste-text BYTES, paste-text-lf, copy-text BYTES,
 *            disconnect-mid-paste, vanished-owner, memory MIB [ascii],
 *            paste-image W H [alpha], paste-bmp W H, copy-image W H, copy-before-client,
 *            render-on-exit, stop-unanswered, bad-png, bad-args, paste-in-broadcast,
 *            bad-header-then-grab, stop-during-paste, copy-while-grab-pending,
 *            copy-palette-dib, hostile-dib.
 * Images are made and checked with libpng's own simplified API, not the agent's code.
 * Expected data is computed independently (MultiByteToWideChar/WideCharToMultiByte),
 * not with the agent's converter. Exit 0 pass, 1 fail. */
#include <windows.h>
#include <psapi.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <spice/vd_agent.h>

#include "wire/caps.h"
#include "wire/chunk_writer.h"
#include "base/le_bytes.h"
#include "wire/pipe_proto.h"
#include "pipe_host.h"
#include "wire/reassembly.h"
#include "service/launch_policy.h"
#include "win_path.h"

typedef struct host {
    pipe_host io;              /* the pipe, the agent process, message parsing */
    uint32_t next_serial;      /* for our grabs (GRAB_SERIAL) */
    uint32_t last_grab;        /* type of our last grab */
    wchar_t dir[MAX_PATH];
    wchar_t agent_exe[MAX_PATH], cbtool_exe[MAX_PATH];
    char agent_log[MAX_PATH];
} host;

#define FAIL(...) do { printf("FAIL: " __VA_ARGS__); printf("\n"); return 0; } while (0)

static void dump_agent_log(host *h)
{
    FILE *f = fopen(h->agent_log, "r");
    if (!f)
        return;
    char line[1200];
    printf("---- agent log ----\n");
    while (fgets(line, sizeof line, f))
        fputs(line, stdout);
    printf("---- end ----\n");
    fclose(f);
}

/* ---- pipe I/O ---- */

/* Every write to the agent may wait this long (big pastes block on a full pipe). */
#define WRITE_TIMEOUT_MS 30000

/* Sends a message; with max_chunks > 0 only its first max_chunks chunks. */
static int send_msg_part(host *h, uint32_t port, uint32_t type, const void *data, uint32_t size,
                         int max_chunks)
{
    static uint8_t buf[64 * VDA_CHUNK_MAX_WIRE];
    vda_msg_writer w;
    vda_msg_writer_init(&w, port, type, 0, data, size);
    int chunks = 0;
    while (!vda_msg_writer_done(&w)) {
        size_t cap = sizeof buf;
        if (max_chunks > 0) {
            if (chunks >= max_chunks)
                break;
            size_t left = (size_t)(max_chunks - chunks);
            if (left < 64)
                cap = left * VDA_CHUNK_MAX_WIRE;
        }
        size_t n = vda_msg_writer_next(&w, buf, cap);
        chunks += (int)((n + VDA_CHUNK_MAX_WIRE - 1) / VDA_CHUNK_MAX_WIRE);
        if (!pipe_host_write_all(&h->io, buf, n, WRITE_TIMEOUT_MS))
            return 0;
    }
    return 1;
}

static int send_msg(host *h, uint32_t type, const void *data, uint32_t size)
{
    return send_msg_part(h, VDP_CLIENT_PORT, type, data, size, 0);
}

/* Waits for a message of `type` (others are reported and skipped). */
static int expect(host *h, uint32_t type, DWORD timeout_ms, vda_message *m)
{
    DWORD start = GetTickCount();
    for (;;) {
        DWORD spent = GetTickCount() - start;
        if (spent >= timeout_ms || !pipe_host_next_msg(&h->io, timeout_ms - spent, m)) {
            printf("host: no message of type %u within %lu ms\n", type,
                   (unsigned long)timeout_ms);
            return 0;
        }
        if (m->type == type)
            return 1;
        if (m->type == VD_AGENT_CLIPBOARD_GRAB && m->size >= 4)
            h->next_serial = vda_le32(m->data) + 1;  /* the agent's grab advanced it */
        printf("host: (skipping message type %u, %u bytes)\n", m->type, m->size);
        free(m->data);
    }
}

/* Reads and drops messages until none came for quiet_ms. When caps arrive the
 * agent may offer what is already on the guest clipboard (an earlier test's data);
 * a test that is about to copy something new drains that first, so the GRAB it
 * then waits for is the one its own copy caused. */
static void drain_quiet(host *h, DWORD quiet_ms)
{
    vda_message m;
    while (pipe_host_next_msg(&h->io, quiet_ms, &m)) {
        if (m.type == VD_AGENT_CLIPBOARD_GRAB && m.size >= 4)
            h->next_serial = vda_le32(m.data) + 1;
        printf("host: (draining message type %u, %u bytes)\n", m.type, m.size);
        free(m.data);
    }
}

/* ---- client side ---- */

static int send_caps(host *h, uint32_t request, int crlf)
{
    vda_caps c;
    vda_caps_clear(&c);
    vda_caps_set(&c, VD_AGENT_CAP_CLIPBOARD_BY_DEMAND);
    vda_caps_set(&c, VD_AGENT_CAP_CLIPBOARD_GRAB_SERIAL);
    vda_caps_set(&c, VD_AGENT_CAP_CLIPBOARD_NO_RELEASE_ON_REGRAB);
    vda_caps_set(&c, VD_AGENT_CAP_MAX_CLIPBOARD);
    if (crlf)
        vda_caps_set(&c, VD_AGENT_CAP_GUEST_LINEEND_CRLF);
    uint8_t buf[64];
    size_t n = vda_caps_write(&c, request, buf);
    return send_msg(h, VD_AGENT_ANNOUNCE_CAPABILITIES, buf, (uint32_t)n);
}

static int send_grab(host *h, uint32_t type)
{
    h->last_grab = type;
    uint8_t buf[8];
    vda_put_le32(buf, h->next_serial++);
    vda_put_le32(buf + 4, type);
    return send_msg(h, VD_AGENT_CLIPBOARD_GRAB, buf, 8);
}

static int send_data(host *h, uint32_t type, const uint8_t *data, size_t len, int max_chunks)
{
    uint8_t *p = malloc(len + 4);
    if (!p)
        return 0;
    vda_put_le32(p, type);
    memcpy(p + 4, data, len);
    int ok = send_msg_part(h, VDP_CLIENT_PORT, VD_AGENT_CLIPBOARD, p, (uint32_t)(len + 4),
                           max_chunks);
    free(p);
    return ok;
}

static int send_disconnected(host *h)
{
    return send_msg_part(h, VDP_SERVER_PORT, VD_AGENT_CLIENT_DISCONNECTED, NULL, 0, 0);
}

/* ---- processes and the clipboard ---- */

/* Starts cbtool.exe VERB "FILE"[EXTRA] (EXTRA: more options, with a leading space).
 * Returns its process handle, or NULL (logged). */
static HANDLE cbtool(const host *h, const wchar_t *verb, const wchar_t *file,
                     const wchar_t *extra)
{
    wchar_t args[MAX_PATH + 40];
    _snwprintf(args, MAX_PATH + 39, L"%ls \"%ls\"%ls", verb, file, extra ? extra : L"");
    args[MAX_PATH + 39] = 0;
    PROCESS_INFORMATION pi;
    if (!pipe_host_start_process(h->cbtool_exe, args, &pi))
        return NULL;
    CloseHandle(pi.hThread);
    return pi.hProcess;
}

/* Exit code, or -1 on timeout (then it is killed). */
static int wait_exit(HANDLE p, DWORD timeout_ms)
{
    if (WaitForSingleObject(p, timeout_ms) != WAIT_OBJECT_0) {
        TerminateProcess(p, 99);
        CloseHandle(p);
        return -1;
    }
    DWORD code = 1;
    GetExitCodeProcess(p, &code);
    CloseHandle(p);
    return (int)code;
}

/* Waits until the agent owns the clipboard (its window, after the client's grab)
 * and offers cf. Checking the owner matters: the clipboard may still hold an
 * earlier test's data in the same format. */
static int agent_offers(const host *h, UINT cf)
{
    HWND owner = GetClipboardOwner();
    DWORD pid = 0;
    if (owner)
        GetWindowThreadProcessId(owner, &pid);
    return pid == h->io.agent.dwProcessId && IsClipboardFormatAvailable(cf);
}

static int wait_format_of(host *h, UINT cf, DWORD timeout_ms)
{
    DWORD start = GetTickCount();
    int regrabs = 0;
    while (GetTickCount() - start < timeout_ms) {
        if (agent_offers(h, cf))
            return 1;
        Sleep(20);
        /* Under Wine, the X11 clipboard sync can take the clipboard back right after
         * the agent took it (the agent then sees a guest change, as it should). A
         * client would grab again on its next copy; so does this host, twice at most. */
        if (GetTickCount() - start > 1000u * (regrabs + 1) && regrabs < 2 && h->last_grab) {
            regrabs++;
            printf("host: note: the agent does not own the clipboard 1 s after the grab "
                   "(Wine's X11 clipboard sync took it); grabbing again\n");
            send_grab(h, h->last_grab);
        }
    }
    return 0;
}
#define wait_format(cf, ms) wait_format_of(h, (cf), (ms))

static void tmp_file(host *h, const wchar_t *name, wchar_t *out)
{
    _snwprintf(out, MAX_PATH - 1, L"%ls%ls", h->dir, name);
    out[MAX_PATH - 1] = 0;
}

static uint8_t *slurp(const wchar_t *path, size_t *size)
{
    HANDLE f = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    if (f == INVALID_HANDLE_VALUE)
        return NULL;
    LARGE_INTEGER sz;
    GetFileSizeEx(f, &sz);
    uint8_t *p = malloc((size_t)sz.QuadPart + 1);
    DWORD got = 0;
    size_t off = 0;
    while (p && off < (size_t)sz.QuadPart && ReadFile(f, p + off, (DWORD)((size_t)sz.QuadPart - off), &got, NULL) && got)
        off += got;
    CloseHandle(f);
    *size = off;
    return p;
}

static int spit(const wchar_t *path, const void *data, size_t size)
{
    HANDLE f = CreateFileW(path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
    if (f == INVALID_HANDLE_VALUE)
        return 0;
    DWORD put = 0;
    int ok = WriteFile(f, data, (DWORD)size, &put, NULL) && put == size;
    CloseHandle(f);
    return ok;
}

/* Mixed text: ASCII words, CJK, emoji outside the BMP, LF line ends; exactly n bytes
 * of valid UTF-8. */
static uint8_t *make_text(size_t n, uint32_t seed)
{
    static const char *const parts[] = {
        "hello ", "SPICE ", "clipboard ", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e ",
        "\xf0\x9f\x98\x80 ", "caf\xc3\xa9 ", "\n", "0123456789 ", "\xe2\x82\xac ",
    };
    uint8_t *p = malloc(n + 1);
    size_t o = 0;
    uint32_t x = seed * 2654435761u + 7;
    while (p && o < n) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        const char *s = parts[x % (sizeof parts / sizeof parts[0])];
        size_t k = strlen(s);
        if (o + k > n) {
            memset(p + o, 'x', n - o);
            o = n;
            break;
        }
        memcpy(p + o, s, k);
        o += k;
    }
    return p;
}

/* UTF-16 of UTF-8 text, computed by Windows itself; with crlf, LF -> CRLF. */
static WCHAR *expected_utf16(const uint8_t *t, size_t n, int crlf, size_t *units)
{
    int k = n ? MultiByteToWideChar(CP_UTF8, 0, (const char *)t, (int)n, NULL, 0) : 0;
    WCHAR *w = malloc(((size_t)k + 1) * sizeof(WCHAR) * (crlf ? 2 : 1));
    if (!w)
        return NULL;
    if (k)
        MultiByteToWideChar(CP_UTF8, 0, (const char *)t, (int)n, w, k);
    if (crlf) {
        WCHAR *o = w + k;  /* second half as scratch, then expand from the back */
        memcpy(o, w, (size_t)k * sizeof(WCHAR));
        size_t j = 0;
        for (int i = 0; i < k; i++) {
            if (o[i] == L'\n' && (i == 0 || o[i - 1] != L'\r'))
                w[j++] = L'\r';
            w[j++] = o[i];
        }
        *units = j;
    } else {
        *units = (size_t)k;
    }
    return w;
}

/* The client grabs text and cbtool starts a guest paste into out (a temp file
 * named out_name): 1 once the agent's REQUEST for it came; *cb is cbtool, still
 * waiting for the data. On failure cbtool is gone. */
static int start_text_paste(host *h, const wchar_t *out_name, wchar_t *out, HANDLE *cb)
{
    if (!send_caps(h, 0, 1) || !send_grab(h, VD_AGENT_CLIPBOARD_UTF8_TEXT))
        FAIL("send");
    if (!wait_format(CF_UNICODETEXT, 5000))
        FAIL("no CF_UNICODETEXT offered");
    tmp_file(h, out_name, out);
    *cb = cbtool(h, L"get-text", out, NULL);
    vda_message m;
    if (!*cb || !expect(h, VD_AGENT_CLIPBOARD_REQUEST, 10000, &m)) {
        if (*cb)
            wait_exit(*cb, 0);
        FAIL("no REQUEST for the paste");
    }
    free(m.data);
    return 1;
}

/* Pastes in cbtool while serving the agent's REQUEST with data; checks the result. */
static int paste_and_check(host *h, const uint8_t *text, size_t n, int crlf_cap,
                           const wchar_t *out_name)
{
    if (!wait_format(CF_UNICODETEXT, 5000))
        FAIL("the agent did not offer CF_UNICODETEXT after the client's grab");
    wchar_t out[MAX_PATH];
    tmp_file(h, out_name, out);
    DeleteFileW(out);
    DWORD t0 = GetTickCount();
    HANDLE cb = cbtool(h, L"get-text", out, NULL);
    if (!cb)
        return 0;
    vda_message m;
    if (!expect(h, VD_AGENT_CLIPBOARD_REQUEST, 10000, &m)) {
        wait_exit(cb, 0);
        FAIL("no REQUEST from the agent for the paste");
    }
    uint32_t type = m.size == 4 ? vda_le32(m.data) : 0;
    free(m.data);
    if (type != VD_AGENT_CLIPBOARD_UTF8_TEXT)
        FAIL("REQUEST for type %u, not UTF8_TEXT", type);
    if (!send_data(h, VD_AGENT_CLIPBOARD_UTF8_TEXT, text, n, 0))
        FAIL("cannot send the data");
    int code = wait_exit(cb, 60000);
    DWORD ms = GetTickCount() - t0;
    if (code != 0)
        FAIL("cbtool get-text exit %d", code);
    size_t got_size = 0;
    uint8_t *got = slurp(out, &got_size);
    size_t units;
    WCHAR *exp = expected_utf16(text, n, !crlf_cap, &units);
    int ok = got && exp && got_size == units * 2 && memcmp(got, exp, got_size) == 0;
    if (!ok) {
        size_t i = 0;
        while (got && exp && i * 2 < got_size && i < units && ((WCHAR *)got)[i] == exp[i])
            i++;
        printf("FAIL: pasted text differs: %zu bytes, expected %zu; first difference at unit %zu\n",
               got_size, units * 2, i);
    } else {
        printf("ok: paste of %zu bytes UTF-8 -> %zu UTF-16 units exact, %lu ms\n", n, units,
               (unsigned long)ms);
    }
    free(got);
    free(exp);
    return ok;
}

static int start(host *h, const char *name_suffix)
{
    wchar_t name[128], args[1024];
    _snwprintf(name, 127, L"vda-agent-test-%lu-%hs", (unsigned long)GetCurrentProcessId(),
               name_suffix);
    name[127] = 0;
    if (!pipe_host_create(&h->io, name, 1 << 20))
        FAIL("CreateNamedPipe (%lu)", (unsigned long)GetLastError());
    wchar_t logw[MAX_PATH];
    tmp_file(h, L"agent.log", logw);
    WideCharToMultiByte(CP_UTF8, 0, logw, -1, h->agent_log, MAX_PATH, NULL, NULL);
    DeleteFileW(logw);
    _snwprintf(args, 1023, L"--pipe %ls --log-level debug --log-file \"%ls\"", name, logw);
    args[1023] = 0;
    printf("host: starting vdagent.exe %ls\n", args);
    if (!pipe_host_start_process(h->agent_exe, args, &h->io.agent))
        FAIL("cannot start the agent");
    DWORD e = pipe_host_connect(&h->io, 15000);
    if (e == WAIT_TIMEOUT)
        FAIL("the agent did not connect");
    if (e != 0)
        FAIL("ConnectNamedPipe (%lu)", (unsigned long)e);
    vda_message m;
    if (!expect(h, VD_AGENT_ANNOUNCE_CAPABILITIES, 10000, &m))
        FAIL("no capabilities from the agent");
    uint32_t req = 0;
    vda_caps c;
    vda_caps_parse(m.data, m.size, &req, &c);
    free(m.data);
    if (h->io.hello_pid != h->io.agent.dwProcessId)
        FAIL("HELLO pid %u, agent pid %lu", h->io.hello_pid, (unsigned long)h->io.agent.dwProcessId);
    if (req != 1 || !vda_caps_has(&c, VD_AGENT_CAP_CLIPBOARD_BY_DEMAND) ||
        !vda_caps_has(&c, VD_AGENT_CAP_GUEST_LINEEND_CRLF))
        FAIL("agent caps: request %u, words %u", req, c.count);
    printf("host: agent pid %u said HELLO and announced caps word0=0x%08x (request=1)\n",
           h->io.hello_pid, c.words[0]);
    return 1;
}

static void stop(host *h)
{
    pipe_host_send_stop(&h->io, WRITE_TIMEOUT_MS);
    if (WaitForSingleObject(h->io.agent.hProcess, 15000) != WAIT_OBJECT_0) {
        printf("host: the agent did not exit on STOP: killing it\n");
        TerminateProcess(h->io.agent.hProcess, 99);
    }
    CloseHandle(h->io.pipe);
}


/* ---- images ---- */

/* Screenshot-like pixels: flat areas, gradients and edges. */
static void pixel(uint32_t x, uint32_t y, int alpha, uint8_t *rgba)
{
    int band = (int)((y / 97) % 4);
    rgba[0] = (uint8_t)(band == 0 ? 0x30 : x * 3 + y);
    rgba[1] = (uint8_t)(band == 1 ? 0xd0 : (x ^ y));
    rgba[2] = (uint8_t)(band == 2 ? 0x80 : (x + 2 * y) / 3);
    rgba[3] = alpha ? (uint8_t)((x * 255) / 64 % 256) : 0xff;
}

static uint8_t *make_png(uint32_t w, uint32_t hgt, int alpha, size_t *size)
{
    uint8_t *rgba = malloc((size_t)w * hgt * 4);
    if (!rgba)
        return NULL;
    for (uint32_t y = 0; y < hgt; y++)
        for (uint32_t x = 0; x < w; x++)
            pixel(x, y, alpha, rgba + ((size_t)y * w + x) * 4);
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    img.width = w;
    img.height = hgt;
    img.format = PNG_FORMAT_RGBA;
    png_alloc_size_t n = 0;
    uint8_t *out = NULL;
    if (png_image_write_to_memory(&img, NULL, &n, 0, rgba, 0, NULL) && (out = malloc(n)) &&
        !png_image_write_to_memory(&img, out, &n, 0, rgba, 0, NULL)) {
        free(out);
        out = NULL;
    }
    free(rgba);
    *size = n;
    return out;
}

/* Checks a 24/32-bpp BI_RGB/BI_BITFIELDS (standard masks) DIB against pixel(). */
static int check_dib(const uint8_t *d, size_t n, uint32_t w, uint32_t hgt, int alpha)
{
    if (n < 40)
        FAIL("DIB of %zu bytes", n);
    uint32_t hs = vda_le32(d);
    int32_t dw = (int32_t)vda_le32(d + 4), dh = (int32_t)vda_le32(d + 8);
    unsigned bpp = d[14] | d[15] << 8;
    uint32_t comp = vda_le32(d + 16);
    if (dw != (int32_t)w || (dh != (int32_t)hgt && dh != -(int32_t)hgt) || (bpp != 32 && bpp != 24))
        FAIL("DIB %dx%d %u bpp, expected %ux%u", dw, dh, bpp, w, hgt);
    size_t off = hs + (comp == 3 && hs == 40 ? 12 : 0);
    size_t stride = ((size_t)w * bpp / 8 + 3) & ~(size_t)3;
    if (off + stride * hgt > n)
        FAIL("DIB truncated: %zu bytes for %zu", n, off + stride * hgt);
    for (uint32_t y = 0; y < hgt; y++) {
        const uint8_t *row = d + off + stride * (dh > 0 ? hgt - 1 - y : y);
        for (uint32_t x = 0; x < w; x++) {
            uint8_t e[4];
            pixel(x, y, alpha, e);
            const uint8_t *p = row + (size_t)x * (bpp / 8);
            if (p[2] != e[0] || p[1] != e[1] || p[0] != e[2] ||
                (alpha && bpp == 32 && p[3] != e[3]))
                FAIL("pixel (%u,%u): got %02x%02x%02x/%02x, expected %02x%02x%02x/%02x", x, y,
                     p[2], p[1], p[0], bpp == 32 ? p[3] : 0xff, e[0], e[1], e[2], e[3]);
        }
    }
    return 1;
}

static int sc_paste_image(host *h, uint32_t w, uint32_t hgt, int alpha)
{
    size_t n;
    uint8_t *png = make_png(w, hgt, alpha, &n);
    if (!png)
        FAIL("making the PNG");
    if (!send_caps(h, 0, 1) || !send_grab(h, VD_AGENT_CLIPBOARD_IMAGE_PNG))
        FAIL("send");
    if (!wait_format(CF_DIB, 5000))
        FAIL("the agent did not offer CF_DIB");
    wchar_t out[MAX_PATH];
    tmp_file(h, L"paste.dib", out);
    DeleteFileW(out);
    DWORD t0 = GetTickCount();
    HANDLE cb = cbtool(h, L"get-dib", out, alpha ? L" --v5" : NULL);
    vda_message m;
    if (!cb || !expect(h, VD_AGENT_CLIPBOARD_REQUEST, 10000, &m))
        FAIL("no REQUEST");
    uint32_t type = m.size == 4 ? vda_le32(m.data) : 0;
    free(m.data);
    if (type != VD_AGENT_CLIPBOARD_IMAGE_PNG)
        FAIL("REQUEST for type %u, not PNG", type);
    if (!send_data(h, VD_AGENT_CLIPBOARD_IMAGE_PNG, png, n, 0))
        FAIL("send");
    int code = wait_exit(cb, 60000);
    DWORD ms = GetTickCount() - t0;
    free(png);
    if (code != 0)
        FAIL("cbtool get-dib exit %d", code);
    size_t dn;
    uint8_t *dib = slurp(out, &dn);
    int ok = dib && check_dib(dib, dn, w, hgt, alpha);
    free(dib);
    if (ok)
        printf("ok: paste of a %ux%u PNG (%zu bytes%s) -> %s with exact pixels, %lu ms\n", w, hgt,
               n, alpha ? ", alpha" : "", alpha ? "CF_DIBV5" : "CF_DIB", (unsigned long)ms);
    return ok;
}

/* A BI_RGB 32-bpp bottom-up DIB of pixel(), alpha 0 as screenshots have. */
static uint8_t *make_dib(uint32_t w, uint32_t hgt, size_t *out_size)
{
    size_t stride = (size_t)w * 4, size = 40 + stride * hgt;
    uint8_t *dib = calloc(1, size);
    vda_put_le32(dib, 40);
    vda_put_le32(dib + 4, w);
    vda_put_le32(dib + 8, hgt);
    dib[12] = 1;
    dib[14] = 32;
    vda_put_le32(dib + 20, (uint32_t)(stride * hgt));
    for (uint32_t y = 0; y < hgt; y++)
        for (uint32_t x = 0; x < w; x++) {
            uint8_t e[4];
            pixel(x, y, 0, e);
            uint8_t *p = dib + 40 + stride * (hgt - 1 - y) + (size_t)x * 4;
            p[0] = e[2];
            p[1] = e[1];
            p[2] = e[0];
            p[3] = 0;
        }
    *out_size = size;
    return dib;
}

static int sc_paste_bmp(host *h, uint32_t w, uint32_t hgt)
{
    size_t size;
    uint8_t *dib = make_dib(w, hgt, &size);
    size_t n = 14 + size;
    uint8_t *bmp = malloc(n);
    bmp[0] = 'B';
    bmp[1] = 'M';
    vda_put_le32(bmp + 2, (uint32_t)n);
    vda_put_le32(bmp + 6, 0);
    vda_put_le32(bmp + 10, 14 + 40);
    memcpy(bmp + 14, dib, size);
    free(dib);
    if (!send_caps(h, 0, 1) || !send_grab(h, VD_AGENT_CLIPBOARD_IMAGE_BMP))
        FAIL("send");
    if (!wait_format(CF_DIB, 5000))
        FAIL("the agent did not offer CF_DIB");
    wchar_t out[MAX_PATH];
    tmp_file(h, L"bmp.dib", out);
    DeleteFileW(out);
    HANDLE cb = cbtool(h, L"get-dib", out, NULL);
    vda_message m;
    if (!cb || !expect(h, VD_AGENT_CLIPBOARD_REQUEST, 10000, &m))
        FAIL("no REQUEST");
    uint32_t type = m.size == 4 ? vda_le32(m.data) : 0;
    free(m.data);
    if (type != VD_AGENT_CLIPBOARD_IMAGE_BMP)
        FAIL("REQUEST for type %u, not BMP", type);
    send_data(h, VD_AGENT_CLIPBOARD_IMAGE_BMP, bmp, n, 0);
    free(bmp);
    int code = wait_exit(cb, 30000);
    if (code != 0)
        FAIL("cbtool get-dib exit %d", code);
    size_t dn;
    uint8_t *got = slurp(out, &dn);
    int ok = got && check_dib(got, dn, w, hgt, 0);
    free(got);
    if (ok)
        printf("ok: paste of a %ux%u BMP -> CF_DIB with exact pixels\n", w, hgt);
    return ok;
}

/* A PNG that does not decode: the paste gets nothing, promptly, and the agent goes
 * on (a text paste right after works). */
static int sc_bad_png(host *h)
{
    if (!send_caps(h, 0, 1) || !send_grab(h, VD_AGENT_CLIPBOARD_IMAGE_PNG))
        FAIL("send");
    if (!wait_format(CF_DIB, 5000))
        FAIL("the agent did not offer CF_DIB");
    wchar_t out[MAX_PATH];
    tmp_file(h, L"bad.dib", out);
    DWORD t0 = GetTickCount();
    HANDLE cb = cbtool(h, L"get-dib", out, NULL);
    vda_message m;
    if (!cb || !expect(h, VD_AGENT_CLIPBOARD_REQUEST, 10000, &m))
        FAIL("no REQUEST");
    free(m.data);
    static const uint8_t junk[] = "\x89PNG\r\n\x1a\n but then nothing a decoder could use";
    send_data(h, VD_AGENT_CLIPBOARD_IMAGE_PNG, junk, sizeof junk, 0);
    int code = wait_exit(cb, 10000);
    DWORD ms = GetTickCount() - t0;
    if (code != 3 || ms > 3000)
        FAIL("paste of a bad PNG: exit %d after %lu ms", code, (unsigned long)ms);
    printf("ok: a PNG that does not decode gave an empty paste in %lu ms\n", (unsigned long)ms);
    if (!send_grab(h, VD_AGENT_CLIPBOARD_UTF8_TEXT))
        FAIL("send");
    uint8_t *text = make_text(3000, 9);
    int ok = paste_and_check(h, text, 3000, 1, L"after.bin");
    free(text);
    return ok;
}

static int sc_copy_image(host *h, uint32_t w, uint32_t hgt)
{
    if (!send_caps(h, 0, 1))
        FAIL("send");
    drain_quiet(h, 500);
    size_t size;
    uint8_t *dib = make_dib(w, hgt, &size);
    wchar_t in[MAX_PATH];
    tmp_file(h, L"copy.dib", in);
    spit(in, dib, size);
    int code = wait_exit(cbtool(h, L"set-dib", in, NULL), 30000);
    if (code != 0)
        FAIL("cbtool set-dib exit %d", code);
    vda_message m;
    if (!expect(h, VD_AGENT_CLIPBOARD_GRAB, 10000, &m))
        FAIL("no GRAB after the guest copied an image");
    int png_offered = 0, bmp_offered = 0;
    for (uint32_t o = 4; o + 4 <= m.size; o += 4) {
        png_offered |= vda_le32(m.data + o) == VD_AGENT_CLIPBOARD_IMAGE_PNG;
        bmp_offered |= vda_le32(m.data + o) == VD_AGENT_CLIPBOARD_IMAGE_BMP;
    }
    free(m.data);
    if (!png_offered || !bmp_offered)
        FAIL("GRAB offers png %d bmp %d", png_offered, bmp_offered);
    uint8_t req[4];
    vda_put_le32(req, VD_AGENT_CLIPBOARD_IMAGE_PNG);
    DWORD t0 = GetTickCount();
    send_msg(h, VD_AGENT_CLIPBOARD_REQUEST, req, 4);
    if (!expect(h, VD_AGENT_CLIPBOARD, 60000, &m))
        FAIL("no CLIPBOARD answer");
    DWORD ms = GetTickCount() - t0;
    if (m.size < 4 || vda_le32(m.data) != VD_AGENT_CLIPBOARD_IMAGE_PNG)
        FAIL("answer of %u bytes, type %u", m.size, m.size >= 4 ? vda_le32(m.data) : 0);
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&img, m.data + 4, m.size - 4))
        FAIL("the PNG does not decode: %s", img.message);
    if (img.width != w || img.height != hgt)
        FAIL("PNG %ux%u", img.width, img.height);
    img.format = PNG_FORMAT_RGBA;
    uint8_t *rgba = malloc((size_t)w * hgt * 4);
    if (!png_image_finish_read(&img, NULL, rgba, 0, NULL))
        FAIL("the PNG does not decode: %s", img.message);
    for (uint32_t y = 0; y < hgt; y++)
        for (uint32_t x = 0; x < w; x++) {
            uint8_t e[4];
            pixel(x, y, 0, e);
            const uint8_t *p = rgba + ((size_t)y * w + x) * 4;
            if (memcmp(p, e, 4) != 0)
                FAIL("PNG pixel (%u,%u): %02x%02x%02x%02x, expected %02x%02x%02x%02x", x, y,
                     p[0], p[1], p[2], p[3], e[0], e[1], e[2], e[3]);
        }
    printf("ok: guest copy of a %ux%u DIB -> PNG of %u bytes with exact pixels, %lu ms\n", w, hgt,
           m.size - 4, (unsigned long)ms);
    free(rgba);
    free(m.data);
    /* and as BMP: a file header, then the pixels */
    vda_put_le32(req, VD_AGENT_CLIPBOARD_IMAGE_BMP);
    send_msg(h, VD_AGENT_CLIPBOARD_REQUEST, req, 4);
    if (!expect(h, VD_AGENT_CLIPBOARD, 60000, &m))
        FAIL("no CLIPBOARD answer for BMP");
    int ok = m.size > 4 + 14 && m.data[4] == 'B' && m.data[5] == 'M' &&
             check_dib(m.data + 4 + 14, m.size - 4 - 14, w, hgt, 0);
    if (ok)
        printf("ok: the same as BMP (%u bytes) with exact pixels\n", m.size - 4);
    free(m.data);
    free(dib);
    return ok;
}

/* The guest copies before any client is there: the client that comes is offered it. */
static int sc_copy_before_client(host *h)
{
    const char *text = "copied before the client came \xe2\x82\xac";
    size_t n = strlen(text), units;
    WCHAR *w = expected_utf16((const uint8_t *)text, n, 0, &units);
    wchar_t in[MAX_PATH];
    tmp_file(h, L"early.bin", in);
    spit(in, w, units * 2);
    free(w);
    if (wait_exit(cbtool(h, L"set-text", in, NULL), 30000) != 0)
        FAIL("cbtool set-text");
    vda_message m;
    if (pipe_host_next_msg(&h->io, 500, &m)) {
        printf("FAIL: the agent sent type %u with no client caps known\n", m.type);
        free(m.data);
        return 0;
    }
    if (!send_caps(h, 0, 1))
        FAIL("send");
    if (!expect(h, VD_AGENT_CLIPBOARD_GRAB, 5000, &m))
        FAIL("no GRAB for the earlier copy when the client came");
    free(m.data);
    uint8_t req[4];
    vda_put_le32(req, VD_AGENT_CLIPBOARD_UTF8_TEXT);
    send_msg(h, VD_AGENT_CLIPBOARD_REQUEST, req, 4);
    if (!expect(h, VD_AGENT_CLIPBOARD, 10000, &m))
        FAIL("no CLIPBOARD answer");
    int ok = m.size == n + 4 && memcmp(m.data + 4, text, n) == 0;
    free(m.data);
    if (!ok)
        FAIL("wrong data");
    printf("ok: a copy made before the client came was offered and delivered exactly\n");
    return 1;
}

/* STOP while owning delayed text and the client never answers: the agent still
 * exits within the 3 s vdservice allows. */
static int sc_stop_unanswered(host *h)
{
    if (!send_caps(h, 0, 1) || !send_grab(h, VD_AGENT_CLIPBOARD_UTF8_TEXT))
        FAIL("send");
    if (!wait_format(CF_UNICODETEXT, 5000))
        FAIL("no CF_UNICODETEXT offered");
    DWORD t0 = GetTickCount();
    pipe_host_send_stop(&h->io, WRITE_TIMEOUT_MS);
    DWORD r = WaitForSingleObject(h->io.agent.hProcess, 10000);
    DWORD ms = GetTickCount() - t0;
    DWORD code = 99;
    GetExitCodeProcess(h->io.agent.hProcess, &code);
    if (r != WAIT_OBJECT_0 || ms > 3000 || code != 0)
        FAIL("STOP with an unanswered render: exit %lu after %lu ms (limit 3000)",
             (unsigned long)code, (unsigned long)ms);
    printf("ok: STOP with an unanswered render: exit code 0 after %lu ms\n", (unsigned long)ms);
    return 1;
}

/* STOP while a guest paste waits for the client's data (the client never
 * answers): vdservice kills the agent 3 s after STOP, so the wait must give way
 * and the agent must exit cleanly within that; the paste returns empty. */
static int sc_stop_during_paste(host *h)
{
    wchar_t out[MAX_PATH];
    HANDLE cb;
    if (!start_text_paste(h, L"s.bin", out, &cb))
        return 0;
    DWORD t0 = GetTickCount();
    pipe_host_send_stop(&h->io, WRITE_TIMEOUT_MS);
    DWORD r = WaitForSingleObject(h->io.agent.hProcess, 12000);
    DWORD ms = GetTickCount() - t0;
    DWORD code = 99;
    GetExitCodeProcess(h->io.agent.hProcess, &code);
    int cb_code = wait_exit(cb, 5000);
    if (r != WAIT_OBJECT_0 || ms > 3000 || code != 0)
        FAIL("STOP during a paste wait: agent exit %lu after %lu ms (vdservice kills it at"
             " 3000)", (unsigned long)code, (unsigned long)ms);
    if (cb_code != 3)
        FAIL("the waiting paste: cbtool exit %d, want 3 (empty)", cb_code);
    printf("ok: STOP during a paste wait: agent exit 0 after %lu ms, the paste returned empty\n",
           (unsigned long)ms);
    return 1;
}

/* The client grabs while a guest program holds the clipboard open in the middle
 * of a copy: the agent cannot take the clipboard yet and retries. The copy then
 * completes -- a guest change after the client's grab, which the agent reports
 * with its own GRAB: the guest owns the clipboard now. Its retry must not then
 * empty the clipboard for the client's older grab: the guest's copy stays, a
 * guest paste gets it and the client's REQUEST gets it. */
static int sc_copy_while_grab_pending(host *h)
{
    static const char text[] = "guest copy made while the client grabbed";
    if (!send_caps(h, 0, 1))
        FAIL("send");
    drain_quiet(h, 500);
    size_t units;
    WCHAR *w = expected_utf16((const uint8_t *)text, sizeof text - 1, 0, &units);
    wchar_t in[MAX_PATH], out[MAX_PATH];
    tmp_file(h, L"held.bin", in);
    tmp_file(h, L"held-out.bin", out);
    spit(in, w, units * 2);
    HANDLE holding = CreateEventW(NULL, TRUE, FALSE, L"vda-cbtool-holding");
    HANDLE release = CreateEventW(NULL, TRUE, FALSE, L"vda-cbtool-release");
    if (!holding || !release)
        FAIL("CreateEvent (%lu)", (unsigned long)GetLastError());
    HANDLE cb = cbtool(h, L"set-text-held", in, NULL);
    if (!cb || WaitForSingleObject(holding, 10000) != WAIT_OBJECT_0) {
        if (cb)
            wait_exit(cb, 0);
        FAIL("cbtool did not take the clipboard");
    }
    send_grab(h, VD_AGENT_CLIPBOARD_UTF8_TEXT);
    Sleep(300);   /* the agent tries to take the clipboard, and retries */
    SetEvent(release);
    int code = wait_exit(cb, 10000);
    CloseHandle(holding);
    CloseHandle(release);
    if (code != 0)
        FAIL("cbtool set-text-held exit %d", code);
    vda_message m;
    if (!expect(h, VD_AGENT_CLIPBOARD_GRAB, 5000, &m))
        FAIL("no GRAB from the agent after the guest copy");
    free(m.data);
    Sleep(500);   /* whatever the agent still had pending has run by now */
    code = wait_exit(cbtool(h, L"get-text", out, NULL), 15000);
    size_t got_n = 0;
    uint8_t *got = code == 0 ? slurp(out, &got_n) : NULL;
    int ok = got && got_n == units * 2 && memcmp(got, w, got_n) == 0;
    free(got);
    if (!ok) {
        free(w);
        FAIL("a guest paste after the guest copy: cbtool exit %d, %zu bytes (the copy was"
             " lost)", code, got_n);
    }
    printf("ok: the guest copy is still on the clipboard\n");
    uint8_t req[4];
    vda_put_le32(req, VD_AGENT_CLIPBOARD_UTF8_TEXT);
    send_msg(h, VD_AGENT_CLIPBOARD_REQUEST, req, 4);
    if (!expect(h, VD_AGENT_CLIPBOARD, 10000, &m)) {
        free(w);
        FAIL("no CLIPBOARD answer");
    }
    ok = m.size == sizeof text - 1 + 4 && vda_le32(m.data) == VD_AGENT_CLIPBOARD_UTF8_TEXT &&
         memcmp(m.data + 4, text, sizeof text - 1) == 0;
    free(m.data);
    free(w);
    if (!ok)
        FAIL("the client's REQUEST did not get the guest copy (%u bytes)", m.size);
    printf("ok: the client's REQUEST gets the guest copy\n");
    return 1;
}

/* Another program puts DIBs with lying headers on the clipboard (dimensions far
 * beyond the bytes it holds, a palette count past the end, bad masks): every
 * client REQUEST must get an answer (NONE) and the agent must stay up. */
static int sc_hostile_dib(host *h)
{
    if (!send_caps(h, 0, 1))
        FAIL("send");
    drain_quiet(h, 500);
    static const struct { int32_t w, h; uint16_t bpp; uint32_t comp, clr; size_t size; } bad[] = {
        { 30000, 30000, 32, 0, 0, 100 },        /* 3.6 GB of pixels in 100 bytes */
        { 65536, -65536, 24, 0, 0, 64 },        /* top-down, w*h*3 overflows 32 bits */
        { 1 << 30, 4, 32, 0, 0, 80 },           /* stride overflows 32 bits */
        { 8, 8, 8, 0, 0xFFFFFFFFu, 60 },        /* palette count absurd */
        { 8, 8, 32, 3, 0, 52 },                 /* BI_BITFIELDS, masks cut off */
        { 16, 16, 1, 0, 0, 48 },                /* palette truncated */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint8_t d[256];
        memset(d, 0x5a, sizeof d);
        vda_put_le32(d, 40);
        vda_put_le32(d + 4, (uint32_t)bad[i].w);
        vda_put_le32(d + 8, (uint32_t)bad[i].h);
        d[12] = 1;
        d[13] = 0;
        d[14] = (uint8_t)bad[i].bpp;
        d[15] = 0;
        vda_put_le32(d + 16, bad[i].comp);
        vda_put_le32(d + 20, 0);
        vda_put_le32(d + 32, bad[i].clr);
        wchar_t in[MAX_PATH];
        tmp_file(h, L"hostile.dib", in);
        spit(in, d, bad[i].size);
        int code = wait_exit(cbtool(h, L"set-dib", in, NULL), 30000);
        if (code != 0)
            FAIL("cbtool set-dib exit %d (case %zu)", code, i);
        vda_message m;
        if (!expect(h, VD_AGENT_CLIPBOARD_GRAB, 10000, &m))
            FAIL("no GRAB after hostile DIB %zu", i);
        free(m.data);
        for (uint32_t t = VD_AGENT_CLIPBOARD_IMAGE_PNG; t <= VD_AGENT_CLIPBOARD_IMAGE_BMP; t++) {
            uint8_t req[4];
            vda_put_le32(req, t);
            send_msg(h, VD_AGENT_CLIPBOARD_REQUEST, req, 4);
            if (!expect(h, VD_AGENT_CLIPBOARD, 20000, &m))
                FAIL("no CLIPBOARD answer for hostile DIB %zu as type %u", i, t);
            uint32_t got = m.size >= 4 ? vda_le32(m.data) : 99;
            free(m.data);
            if (got != VD_AGENT_CLIPBOARD_NONE)
                FAIL("hostile DIB %zu as type %u: answer type %u, want NONE", i, t, got);
        }
        if (WaitForSingleObject(h->io.agent.hProcess, 0) == WAIT_OBJECT_0)
            FAIL("the agent died on hostile DIB %zu", i);
        printf("ok: hostile DIB %zu (%dx%d, %u bpp, %zu bytes): NONE for PNG and BMP\n", i,
               bad[i].w, bad[i].h, bad[i].bpp, bad[i].size);
    }
    return 1;
}

/* A program copies 1/4/8-bpp palette DIBs (CF_DIB only). The client must get
 * them as PNG with exact pixels and as BMP: the system's CF_DIBV5 made from such
 * a CF_DIB may not carry the palette (Wine's does not), so that one alone is
 * not enough. */
static uint32_t pal_index(uint32_t x, uint32_t y, uint32_t bpp)
{
    return (x + 3 * y) % (1u << bpp);
}

static void pal_color(uint32_t i, uint8_t *rgb)
{
    rgb[0] = (uint8_t)(i * 37 + 11);
    rgb[1] = (uint8_t)(i * 91 + 5);
    rgb[2] = (uint8_t)(i * 53 + 200);
}

static int sc_copy_palette_dib(host *h)
{
    if (!send_caps(h, 0, 1))
        FAIL("send");
    drain_quiet(h, 500);
    const uint32_t w = 13, hgt = 7;
    static const uint32_t bpps[] = { 1, 4, 8 };
    for (size_t i = 0; i < sizeof bpps / sizeof bpps[0]; i++) {
        uint32_t bpp = bpps[i], pal = 1u << bpp;
        size_t stride = ((w * bpp + 31) / 32) * 4;
        size_t size = 40 + pal * 4 + stride * hgt;
        uint8_t *d = calloc(1, size);
        if (!d)
            FAIL("no memory");
        vda_put_le32(d, 40);
        vda_put_le32(d + 4, w);
        vda_put_le32(d + 8, hgt);          /* bottom-up */
        d[12] = 1;
        d[14] = (uint8_t)bpp;
        vda_put_le32(d + 20, (uint32_t)(stride * hgt));
        vda_put_le32(d + 32, pal);
        for (uint32_t k = 0; k < pal; k++) {
            uint8_t rgb[3];
            pal_color(k, rgb);
            d[40 + k * 4] = rgb[2];       /* RGBQUAD: blue, green, red */
            d[40 + k * 4 + 1] = rgb[1];
            d[40 + k * 4 + 2] = rgb[0];
        }
        uint8_t *bits = d + 40 + pal * 4;
        for (uint32_t y = 0; y < hgt; y++) {
            uint8_t *row = bits + (size_t)(hgt - 1 - y) * stride;
            for (uint32_t x = 0; x < w; x++) {
                uint32_t bit = x * bpp;
                row[bit / 8] |= (uint8_t)(pal_index(x, y, bpp) << (8 - bpp - bit % 8));
            }
        }
        wchar_t in[MAX_PATH];
        tmp_file(h, L"pal.dib", in);
        spit(in, d, size);
        free(d);
        int code = wait_exit(cbtool(h, L"set-dib", in, NULL), 30000);
        vda_message m;
        if (code != 0)
            FAIL("cbtool set-dib exit %d", code);
        if (!expect(h, VD_AGENT_CLIPBOARD_GRAB, 10000, &m))
            FAIL("no GRAB after the guest copied a %u-bpp DIB", bpp);
        free(m.data);
        uint8_t req[4];
        vda_put_le32(req, VD_AGENT_CLIPBOARD_IMAGE_PNG);
        send_msg(h, VD_AGENT_CLIPBOARD_REQUEST, req, 4);
        if (!expect(h, VD_AGENT_CLIPBOARD, 20000, &m))
            FAIL("no CLIPBOARD answer");
        if (m.size < 4 || vda_le32(m.data) != VD_AGENT_CLIPBOARD_IMAGE_PNG) {
            uint32_t t = m.size >= 4 ? vda_le32(m.data) : 99;
            free(m.data);
            FAIL("%u-bpp palette DIB as PNG: answer type %u (%u bytes)", bpp, t, m.size);
        }
        png_image img;
        memset(&img, 0, sizeof img);
        img.version = PNG_IMAGE_VERSION;
        uint8_t rgba[13 * 7 * 4];
        int dec = png_image_begin_read_from_memory(&img, m.data + 4, m.size - 4) &&
                  img.width == w && img.height == hgt;
        img.format = PNG_FORMAT_RGBA;
        dec = dec && png_image_finish_read(&img, NULL, rgba, 0, NULL);
        free(m.data);
        if (!dec)
            FAIL("%u-bpp: the PNG does not decode to %ux%u", bpp, w, hgt);
        for (uint32_t y = 0; y < hgt; y++)
            for (uint32_t x = 0; x < w; x++) {
                uint8_t e[3];
                pal_color(pal_index(x, y, bpp), e);
                const uint8_t *p = rgba + ((size_t)y * w + x) * 4;
                if (memcmp(p, e, 3) != 0 || p[3] != 255)
                    FAIL("%u-bpp PNG pixel (%u,%u): %02x%02x%02x%02x, want %02x%02x%02xff", bpp,
                         x, y, p[0], p[1], p[2], p[3], e[0], e[1], e[2]);
            }
        vda_put_le32(req, VD_AGENT_CLIPBOARD_IMAGE_BMP);
        send_msg(h, VD_AGENT_CLIPBOARD_REQUEST, req, 4);
        if (!expect(h, VD_AGENT_CLIPBOARD, 20000, &m))
            FAIL("no CLIPBOARD answer");
        int bmp_ok = m.size > 4 + 14 + 40 && vda_le32(m.data) == VD_AGENT_CLIPBOARD_IMAGE_BMP &&
                     m.data[4] == 'B' && m.data[5] == 'M';
        free(m.data);
        if (!bmp_ok)
            FAIL("%u-bpp palette DIB as BMP: no BMP file (%u bytes)", bpp, m.size);
        printf("ok: guest copy of a %ux%u %u-bpp palette DIB -> exact PNG, and a BMP\n", w, hgt,
               bpp);
    }
    return 1;
}

/* The agent exits while owning delayed text: it renders it first (asking the
 * client), so the guest can still paste after the agent is gone. */
static int sc_render_on_exit(host *h)
{
    const char *text = "still here after the agent left";
    if (!send_caps(h, 0, 1) || !send_grab(h, VD_AGENT_CLIPBOARD_UTF8_TEXT))
        FAIL("send");
    if (!wait_format(CF_UNICODETEXT, 5000))
        FAIL("no CF_UNICODETEXT offered");
    /* The fake service keeps the client link after STOP exactly as vdservice
     * does: the same policy decides (vda_policy_port_wanted), fed the same
     * events (the agent said HELLO, then the service stops). */
    vda_policy pol;
    vda_policy_init(&pol, NULL);
    vda_policy_start(&pol, 0, 1);
    vda_policy_launched(&pol, 0);
    vda_policy_hello(&pol, 1);
    pipe_host_send_stop(&h->io, WRITE_TIMEOUT_MS);
    vda_policy_stop_service(&pol, 2);
    if (vda_policy_port_wanted(&pol)) {
        vda_message m;
        if (!expect(h, VD_AGENT_CLIPBOARD_REQUEST, 5000, &m))
            FAIL("no REQUEST while exiting (WM_RENDERALLFORMATS)");
        free(m.data);
        send_data(h, VD_AGENT_CLIPBOARD_UTF8_TEXT, (const uint8_t *)text, strlen(text), 0);
        printf("host: the client link stayed open after STOP: REQUEST answered\n");
    } else {
        printf("host: the service closes the client link at STOP: the agent's exit-time "
               "REQUEST reaches no client\n");
    }
    if (WaitForSingleObject(h->io.agent.hProcess, 10000) != WAIT_OBJECT_0)
        FAIL("the agent did not exit");
    wchar_t out[MAX_PATH];
    tmp_file(h, L"exit.bin", out);
    int code = wait_exit(cbtool(h, L"get-text", out, NULL), 10000);
    if (code != 0)
        FAIL("paste after the agent exited: cbtool exit %d", code);
    size_t got_n;
    uint8_t *got = slurp(out, &got_n);
    size_t units;
    WCHAR *exp = expected_utf16((const uint8_t *)text, strlen(text), 0, &units);
    int ok = got && got_n == units * 2 && memcmp(got, exp, got_n) == 0;
    free(got);
    free(exp);
    if (!ok)
        FAIL("pasted text after exit differs");
    printf("ok: text rendered on exit is pasted after the agent is gone\n");
    return 1;
}

/* Issue 13 §3: one client message whose header announces 0xFFFFFFF0 bytes must
 * not wedge the client port: the next grab takes effect and its paste works
 * (before the fix the agent swallowed everything after it). */
static int sc_bad_header_then_grab(host *h)
{
    if (!send_caps(h, 0, 1))
        FAIL("send");
    uint8_t raw[8 + 20 + 8] = { 0 };
    vda_put_le32(raw, VDP_CLIENT_PORT);
    vda_put_le32(raw + 4, 20 + 8);
    vda_put_le32(raw + 8, VD_AGENT_PROTOCOL);
    vda_put_le32(raw + 12, VD_AGENT_CLIPBOARD_GRAB);
    vda_put_le32(raw + 24, 0xFFFFFFF0u);
    if (!pipe_host_write_all(&h->io, raw, sizeof raw, WRITE_TIMEOUT_MS))
        FAIL("send the bad header");
    if (!send_grab(h, VD_AGENT_CLIPBOARD_UTF8_TEXT))
        FAIL("send");
    uint8_t *text = make_text(3000, 9);
    int ok = paste_and_check(h, text, 3000, 1, L"badhdr.bin");
    free(text);
    if (ok)
        printf("ok: the grab after a bad header took effect and its paste worked\n");
    return ok;
}

/* ---- scenarios ---- */

static int sc_paste_text(host *h, size_t n, int crlf_cap)
{
    if (!send_caps(h, 0, crlf_cap) || !send_grab(h, VD_AGENT_CLIPBOARD_UTF8_TEXT))
        FAIL("send");
    uint8_t *text = make_text(n, 1);
    int ok = paste_and_check(h, text, n, crlf_cap, L"paste.bin");
    free(text);
    return ok;
}

static int sc_copy_text(host *h, size_t n)
{
    if (!send_caps(h, 0, 1))
        FAIL("send");
    drain_quiet(h, 500);
    uint8_t *text = make_text(n, 2);
    size_t units;
    WCHAR *w = expected_utf16(text, n, 0, &units);
    wchar_t in[MAX_PATH];
    tmp_file(h, L"copy.bin", in);
    spit(in, w, units * 2);
    int code = wait_exit(cbtool(h, L"set-text", in, NULL), 30000);
    if (code != 0)
        FAIL("cbtool set-text exit %d", code);
    vda_message m;
    if (!expect(h, VD_AGENT_CLIPBOARD_GRAB, 10000, &m))
        FAIL("no GRAB after the guest copy");
    int has_text = m.size == 8 && vda_le32(m.data + 4) == VD_AGENT_CLIPBOARD_UTF8_TEXT;
    printf("host: GRAB serial %u, %u types\n", m.size >= 4 ? vda_le32(m.data) : 0,
           m.size >= 4 ? (m.size - 4) / 4 : 0);
    free(m.data);
    if (!has_text)
        FAIL("GRAB does not offer UTF8_TEXT");
    uint8_t req[4];
    vda_put_le32(req, VD_AGENT_CLIPBOARD_UTF8_TEXT);
    DWORD t0 = GetTickCount();
    send_msg(h, VD_AGENT_CLIPBOARD_REQUEST, req, 4);
    if (!expect(h, VD_AGENT_CLIPBOARD, 30000, &m))
        FAIL("no CLIPBOARD answer");
    int ok = m.size == n + 4 && vda_le32(m.data) == VD_AGENT_CLIPBOARD_UTF8_TEXT &&
             memcmp(m.data + 4, text, n) == 0;
    if (ok)
        printf("ok: guest copy of %zu UTF-16 units -> %zu bytes UTF-8 exact, %lu ms\n", units, n,
               (unsigned long)(GetTickCount() - t0));
    else
        printf("FAIL: CLIPBOARD data: %u bytes (expected %zu)\n", m.size, n + 4);
    free(m.data);
    free(w);
    free(text);
    return ok;
}

static int sc_disconnect_mid_paste(host *h)
{
    wchar_t out[MAX_PATH];
    HANDLE cb;
    if (!start_text_paste(h, L"old.bin", out, &cb))
        return 0;
    size_t old_n = 100000;
    uint8_t *old = make_text(old_n, 3);
    if (!send_data(h, VD_AGENT_CLIPBOARD_UTF8_TEXT, old, old_n, 3))  /* 3 of ~49 chunks */
        FAIL("send partial");
    Sleep(200);
    DWORD t0 = GetTickCount();
    send_disconnected(h);
    int code = wait_exit(cb, 5000);
    DWORD ms = GetTickCount() - t0;
    if (code != 3)
        FAIL("paste during the disconnect: cbtool exit %d after %lu ms (want 3: no data)", code,
             (unsigned long)ms);
    printf("ok: the paste waiting on the gone client returned empty %lu ms after the disconnect\n",
           (unsigned long)ms);
    free(old);
    /* the new client */
    h->next_serial = 0;
    if (!send_caps(h, 1, 1))
        FAIL("send");
    vda_message m;
    if (!expect(h, VD_AGENT_ANNOUNCE_CAPABILITIES, 5000, &m))
        FAIL("no caps reply to the new client");
    uint32_t req = m.size >= 4 ? vda_le32(m.data) : 9;
    free(m.data);
    if (req != 0)
        FAIL("caps reply with request %u", req);
    if (!send_grab(h, VD_AGENT_CLIPBOARD_UTF8_TEXT))
        FAIL("send");
    uint8_t *nw = make_text(60000, 4);
    int ok = paste_and_check(h, nw, 60000, 1, L"new.bin");
    free(nw);
    return ok;
}

static int sc_vanished_owner(host *h)
{
    wchar_t out[MAX_PATH];
    HANDLE cb;
    if (!start_text_paste(h, L"v.bin", out, &cb))
        return 0;
    DWORD t0 = GetTickCount();
    send_disconnected(h);   /* the owner vanishes without answering */
    int code = wait_exit(cb, 5000);
    DWORD ms = GetTickCount() - t0;
    if (code != 3 || ms > 2000)
        FAIL("paste with a vanished owner: exit %d after %lu ms", code, (unsigned long)ms);
    printf("ok: the waiting paste returned empty %lu ms after the owner vanished\n",
           (unsigned long)ms);
    /* and a later paste does not wait at all: the gone client's formats are dropped */
    Sleep(300);
    t0 = GetTickCount();
    code = wait_exit(cbtool(h, L"get-text", out, NULL), 5000);
    ms = GetTickCount() - t0;
    if (code != 3 || ms > 2000)
        FAIL("a later paste: exit %d after %lu ms", code, (unsigned long)ms);
    printf("ok: a later paste returned empty in %lu ms\n", (unsigned long)ms);
    return 1;
}

static int sc_memory(host *h, size_t mib, int ascii)
{
    PROCESS_MEMORY_COUNTERS before, after;
    memset(&before, 0, sizeof before);
    memset(&after, 0, sizeof after);
    if (!GetProcessMemoryInfo(h->io.agent.hProcess, &before, sizeof before))
        FAIL("GetProcessMemoryInfo (%lu)", (unsigned long)GetLastError());
    size_t n = mib << 20;
    if (!send_caps(h, 0, 1) || !send_grab(h, VD_AGENT_CLIPBOARD_UTF8_TEXT))
        FAIL("send");
    uint8_t *text = ascii ? malloc(n) : make_text(n, 5);
    if (ascii)
        for (size_t i = 0; i < n; i++)
            text[i] = i % 61 == 60 ? '\n' : (uint8_t)('a' + i % 26);
    int ok = paste_and_check(h, text, n, 1, L"mem.bin");
    free(text);
    if (!GetProcessMemoryInfo(h->io.agent.hProcess, &after, sizeof after))
        FAIL("GetProcessMemoryInfo (%lu)", (unsigned long)GetLastError());
    double mb = 1024.0 * 1024.0;
    printf("memory: payload %.1f MiB UTF-8 (%s)\n", n / mb, ascii ? "ASCII" : "mixed");
    printf("memory: agent before: working set %.1f MiB, pagefile %.1f MiB\n",
           before.WorkingSetSize / mb, before.PagefileUsage / mb);
    printf("memory: agent peak:   working set %.1f MiB, pagefile %.1f MiB\n",
           after.PeakWorkingSetSize / mb, after.PeakPagefileUsage / mb);
    double r_ws = (double)after.PeakWorkingSetSize / (double)n;
    double r_pf = (double)after.PeakPagefileUsage / (double)n;
    double r_ws_net = ((double)after.PeakWorkingSetSize - (double)before.WorkingSetSize) / (double)n;
    double r_pf_net = ((double)after.PeakPagefileUsage - (double)before.PagefileUsage) / (double)n;
    printf("memory: peak / payload: working set %.2fx, pagefile %.2fx (above idle: %.2fx, %.2fx)"
           " -- target <= 3x: %s\n", r_ws, r_pf, r_ws_net, r_pf_net,
           (r_pf <= 3.0 && r_ws <= 3.0) ? "met" : (r_pf_net <= 3.0 ? "met above idle only"
                                                                   : "NOT met"));
    return ok;
}

/* Bad command lines: vdagent.exe refuses each with exit code 2, before it opens
 * any pipe (an agent that accepted one would wait for the pipe "p", then exit 1). */
/* MONITORS_CONFIG for one monitor of w x h. */
static void monitors_config(uint8_t *p, uint32_t w, uint32_t hgt)
{
    vda_put_le32(p, 1);       /* num_of_monitors */
    vda_put_le32(p + 4, 0);   /* flags */
    vda_put_le32(p + 8, hgt);
    vda_put_le32(p + 12, w);
    vda_put_le32(p + 16, 32);
    vda_put_le32(p + 20, 0);
    vda_put_le32(p + 24, 0);
}

/* The agent handles MONITORS_CONFIG while another message of the same pipe read
 * waits behind it. Its ChangeDisplaySettingsEx broadcasts WM_DISPLAYCHANGE; cbtool
 * pastes from inside that broadcast, so the agent's WM_RENDERFORMAT (and the nested
 * wait for the client's data) runs while the agent is still in the middle of that
 * read. The message behind MONITORS_CONFIG must still be handled, and the paste
 * must get its data. Needs a second display mode (the input tests' Xvfb). */
static int sc_paste_in_broadcast(host *h)
{
    static const uint8_t text[] = "pasted from inside WM_DISPLAYCHANGE";
    int w0 = GetSystemMetrics(SM_CXSCREEN), h0 = GetSystemMetrics(SM_CYSCREEN);
    uint32_t w1 = w0 == 800 ? 1024 : 800, h1 = w0 == 800 ? 768 : 600;
    DEVMODEW dm;
    int offered = 0;
    for (DWORD k = 0; !offered; k++) {
        memset(&dm, 0, sizeof dm);
        dm.dmSize = sizeof dm;
        if (!EnumDisplaySettingsW(NULL, k, &dm))
            break;
        offered = dm.dmPelsWidth == w1 && dm.dmPelsHeight == h1;
    }
    if (!offered) {
        printf("NOT RUN: this X server offers no %ux%u mode next to %dx%d: no display change"
               " to broadcast (run with the input tests' Xvfb modes)\n", w1, h1, w0, h0);
        return 77;
    }
    if (!send_caps(h, 0, 1) || !send_grab(h, VD_AGENT_CLIPBOARD_UTF8_TEXT))
        FAIL("send");
    if (!wait_format(CF_UNICODETEXT, 5000))
        FAIL("no CF_UNICODETEXT offered");
    drain_quiet(h, 300);
    wchar_t out[MAX_PATH];
    tmp_file(h, L"b.bin", out);
    DeleteFileW(out);
    HANDLE cb = cbtool(h, L"get-text-on-broadcast", out, NULL);
    if (!cb)
        return 0;
    DWORD t0 = GetTickCount();
    while (!FindWindowW(L"vda-cbtool-listen", NULL) && GetTickCount() - t0 < 10000)
        Sleep(20);
    if (!FindWindowW(L"vda-cbtool-listen", NULL)) {
        wait_exit(cb, 0);
        FAIL("cbtool's window did not appear");
    }
    /* MONITORS_CONFIG (another mode) and a caps request, in one pipe write. */
    uint8_t mc[28], caps[64], wire[4 * VDA_CHUNK_MAX_WIRE];
    monitors_config(mc, w1, h1);
    vda_caps c;
    vda_caps_clear(&c);
    vda_caps_set(&c, VD_AGENT_CAP_CLIPBOARD_BY_DEMAND);
    vda_caps_set(&c, VD_AGENT_CAP_CLIPBOARD_GRAB_SERIAL);
    vda_caps_set(&c, VD_AGENT_CAP_CLIPBOARD_NO_RELEASE_ON_REGRAB);
    vda_caps_set(&c, VD_AGENT_CAP_MAX_CLIPBOARD);
    vda_caps_set(&c, VD_AGENT_CAP_GUEST_LINEEND_CRLF);
    size_t caps_n = vda_caps_write(&c, 1, caps);
    vda_msg_writer w;
    size_t n = 0;
    vda_msg_writer_init(&w, VDP_CLIENT_PORT, VD_AGENT_MONITORS_CONFIG, 0, mc, sizeof mc);
    n += vda_msg_writer_next(&w, wire + n, sizeof wire - n);
    vda_msg_writer_init(&w, VDP_CLIENT_PORT, VD_AGENT_ANNOUNCE_CAPABILITIES, 0, caps,
                        (uint32_t)caps_n);
    n += vda_msg_writer_next(&w, wire + n, sizeof wire - n);
    if (!pipe_host_write_all(&h->io, wire, n, WRITE_TIMEOUT_MS)) {
        wait_exit(cb, 0);
        FAIL("cannot write MONITORS_CONFIG + caps");
    }
    vda_message m;
    int got_caps = 0, got_reply = 0, answered = 0;
    t0 = GetTickCount();
    while ((!got_caps || !got_reply || !answered) && GetTickCount() - t0 < 15000) {
        if (!pipe_host_next_msg(&h->io, 15000 - (GetTickCount() - t0), &m))
            break;
        if (m.type == VD_AGENT_CLIPBOARD_REQUEST && !answered) {
            answered = 1;
            if (!send_data(h, VD_AGENT_CLIPBOARD_UTF8_TEXT, text, sizeof text - 1, 0)) {
                free(m.data);
                wait_exit(cb, 0);
                FAIL("cannot send the data");
            }
        } else if (m.type == VD_AGENT_ANNOUNCE_CAPABILITIES) {
            got_caps = 1;
        } else if (m.type == VD_AGENT_REPLY && m.size >= 8 &&
                   vda_le32(m.data) == VD_AGENT_MONITORS_CONFIG) {
            got_reply = 1;
        } else {
            printf("host: (skipping message type %u, %u bytes)\n", m.type, m.size);
        }
        free(m.data);
    }
    int code = wait_exit(cb, 15000);
    /* The resolution back as it was. */
    monitors_config(mc, (uint32_t)w0, (uint32_t)h0);
    send_msg(h, VD_AGENT_MONITORS_CONFIG, mc, sizeof mc);
    expect(h, VD_AGENT_REPLY, 10000, &m) ? free(m.data) : (void)0;
    if (!answered)
        FAIL("no REQUEST from the agent for the paste made inside the broadcast (cbtool %d)",
             code);
    if (!got_reply)
        FAIL("no REPLY to MONITORS_CONFIG");
    if (!got_caps)
        FAIL("the caps request sent behind MONITORS_CONFIG got no answer: it was lost");
    if (code != 0)
        FAIL("cbtool get-text-on-broadcast exit %d", code);
    size_t got_size = 0;
    uint8_t *got = slurp(out, &got_size);
    size_t units;
    WCHAR *exp = expected_utf16(text, sizeof text - 1, 0, &units);
    int ok = got && exp && got_size == units * 2 && memcmp(got, exp, got_size) == 0;
    free(got);
    free(exp);
    if (!ok)
        FAIL("the text pasted inside the broadcast differs (%zu bytes)", got_size);
    printf("ok: paste inside the broadcast exact; the message behind MONITORS_CONFIG handled\n");
    return 1;
}

static int sc_bad_args(host *h)
{
    static const wchar_t *const bad[] = {
        L"",                                  /* no --pipe */
        L"--pipe",                            /* --pipe without its value */
        L"--pipe p --log-level loud",
        L"--pipe p --clipboard-limit 0",
        L"--pipe p --clipboard-limit 4001",
        L"--pipe p --clipboard-limit 12x",
        L"--pipe p --no-such-option",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        PROCESS_INFORMATION pi;
        if (!pipe_host_start_process(h->agent_exe, bad[i], &pi))
            FAIL("cannot start the agent");
        CloseHandle(pi.hThread);
        int code = wait_exit(pi.hProcess, 20000);
        if (code != 2)
            FAIL("vdagent.exe %ls: exit %d, want 2", bad[i], code);
        printf("ok: vdagent.exe %ls: refused (exit 2)\n", bad[i]);
    }
    return 1;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc < 4) {
        printf("usage: agent_host AGENT_EXE CBTOOL_EXE SCENARIO [ARG]\n");
        return 1;
    }
    host *h = calloc(1, sizeof *h);
    vda_logger log = { 0 };
    log.max_level = VDA_LOG_WARN;
    log.sink = vda_log_sink_stdio;
    log.component = "host";
    pipe_host_init(&h->io, &log, 512u << 20);
    win_path_from_unix(argv[1], h->agent_exe);
    win_path_from_unix(argv[2], h->cbtool_exe);
    wchar_t tmp[MAX_PATH];
    GetTempPathW(MAX_PATH, tmp);
    _snwprintf(h->dir, MAX_PATH - 1, L"%lsvda-agent-%lu-", tmp, (unsigned long)GetCurrentProcessId());
    const char *sc = argv[3];
    size_t arg = argc > 4 ? strtoul(argv[4], NULL, 10) : 0;
    if (!strcmp(sc, "bad-args")) {  /* no agent to start: it is run several times */
        int ok = sc_bad_args(h);
        printf("%s: %s\n", sc, ok ? "PASS" : "FAIL");
        return ok ? 0 : 1;
    }
    if (!start(h, sc)) {
        dump_agent_log(h);
        return 1;
    }
    int ok;
    if (!strcmp(sc, "paste-text"))
        ok = sc_paste_text(h, arg ? arg : 1000, 1);
    else if (!strcmp(sc, "paste-text-lf"))
        ok = sc_paste_text(h, arg ? arg : 5000, 0);
    else if (!strcmp(sc, "copy-text"))
        ok = sc_copy_text(h, arg ? arg : 1000);
    else if (!strcmp(sc, "disconnect-mid-paste"))
        ok = sc_disconnect_mid_paste(h);
    else if (!strcmp(sc, "vanished-owner"))
        ok = sc_vanished_owner(h);
    else if (!strcmp(sc, "memory"))
        ok = sc_memory(h, arg ? arg : 64, argc > 5 && !strcmp(argv[5], "ascii"));
    else if (!strcmp(sc, "copy-before-client"))
        ok = sc_copy_before_client(h);
    else if (!strcmp(sc, "stop-unanswered"))
        ok = sc_stop_unanswered(h);
    else if (!strcmp(sc, "bad-header-then-grab"))
        ok = sc_bad_header_then_grab(h);
    else if (!strcmp(sc, "paste-in-broadcast"))
        ok = sc_paste_in_broadcast(h);
    else if (!strcmp(sc, "stop-during-paste"))
        ok = sc_stop_during_paste(h);
    else if (!strcmp(sc, "copy-while-grab-pending"))
        ok = sc_copy_while_grab_pending(h);
    else if (!strcmp(sc, "hostile-dib"))
        ok = sc_hostile_dib(h);
    else if (!strcmp(sc, "copy-palette-dib"))
        ok = sc_copy_palette_dib(h);
    else if (!strcmp(sc, "render-on-exit"))
        ok = sc_render_on_exit(h);
    else if (!strcmp(sc, "paste-image"))
        ok = sc_paste_image(h, (uint32_t)arg, argc > 5 ? (uint32_t)strtoul(argv[5], NULL, 10) : 1,
                            argc > 6 && !strcmp(argv[6], "alpha"));
    else if (!strcmp(sc, "bad-png"))
        ok = sc_bad_png(h);
    else if (!strcmp(sc, "paste-bmp"))
        ok = sc_paste_bmp(h, (uint32_t)arg, argc > 5 ? (uint32_t)strtoul(argv[5], NULL, 10) : 1);
    else if (!strcmp(sc, "copy-image"))
        ok = sc_copy_image(h, (uint32_t)arg, argc > 5 ? (uint32_t)strtoul(argv[5], NULL, 10) : 1);
    else {
        printf("unknown scenario %s\n", sc);
        ok = 0;
    }
    stop(h);
    if (ok == 77) {
        printf("%s: NOT RUN here (skipped)\n", sc);
        return 77;
    }
    if (!ok)
        dump_agent_log(h);
    printf("%s: %s\n", sc, ok ? "PASS" : "FAIL");
    return ok ? 0 : 1;
}
