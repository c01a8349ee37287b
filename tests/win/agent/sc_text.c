/* agent_host scenarios: text both ways (paste, copy, line ends, 8 MiB), a
 * client that disconnects or vanishes during a paste, a copy made before any
 * client, and a guest copy racing the client's grab. */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <spice/vd_agent.h>

#include "harness.h"
#include "base/le_bytes.h"
#include "wire/caps.h"
#include "wire/chunk_writer.h"

int sc_paste_text(host *h, size_t n, int crlf_cap)
{
    if (!send_caps(h, 0, crlf_cap) || !send_grab(h, VD_AGENT_CLIPBOARD_UTF8_TEXT))
        FAIL("send");
    uint8_t *text = make_text(n, 1);
    int ok = paste_and_check(h, text, n, crlf_cap, L"paste.bin");
    free(text);
    return ok;
}

int sc_copy_text(host *h, size_t n)
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

int sc_disconnect_mid_paste(host *h)
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

int sc_vanished_owner(host *h)
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

/* The guest copies before any client is there: the client that comes is offered it. */
int sc_copy_before_client(host *h)
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

/* The client grabs while a guest program holds the clipboard open in the middle
 * of a copy: the agent cannot take the clipboard yet and retries. The copy then
 * completes -- a guest change after the client's grab, which the agent reports
 * with its own GRAB: the guest owns the clipboard now. Its retry must not then
 * empty the clipboard for the client's older grab: the guest's copy stays, a
 * guest paste gets it and the client's REQUEST gets it. */
int sc_copy_while_grab_pending(host *h)
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
    uint8_t *got = code == 0 ? wtest_read_file(out, &got_n) : NULL;
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

/* Issue 13 part 3: one client message whose header announces 0xFFFFFFF0 bytes
 * must not wedge the client port: the next grab takes effect and its paste
 * works (before the fix the agent swallowed everything after it). */
int sc_bad_header_then_grab(host *h)
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
