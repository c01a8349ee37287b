/* agent_host scenario: a paste made from inside the display-change broadcast
 * of the agent's own MONITORS_CONFIG handling. */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <spice/vd_agent.h>

#include "harness.h"
#include "base/le_bytes.h"
#include "wire/caps.h"
#include "wire/chunk_writer.h"

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
int sc_paste_in_broadcast(host *h)
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
    size_t caps_n = client_caps(caps, 1, 1);
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
    uint8_t *got = wtest_read_file(out, &got_size);
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
