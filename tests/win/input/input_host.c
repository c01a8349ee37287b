/* input_host.exe AGENT_EXE: drives the real vdagent.exe over its pipe (playing
 * vdservice and the client) and checks the input features end to end inside
 * the guest: caps announced, a burst of MOUSE_STATE moves the pointer to the
 * last position, MONITORS_CONFIG changes the resolution and REPLYs, a bad one
 * REPLYs error, DISPLAY_CONFIG turns font smoothing off and REPLYs, and
 * CLIENT_DISCONNECTED restores it. Exit 0 pass, 1 fail, 77 not run. */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <spice/vd_agent.h>

#include "wire/caps.h"
#include "wire/chunk_writer.h"
#include "base/le_bytes.h"
#include "pipe_host.h"
#include "wire/reassembly.h"
#include "win_path.h"
#include "input_support.h"

/* How long each write to the agent may wait (the messages here are small). */
#define WRITE_TIMEOUT_MS 10000

static int write_all(pipe_host *h, const uint8_t *p, size_t n)
{
    return pipe_host_write_all(h, p, n, WRITE_TIMEOUT_MS);
}

/* Appends one whole message's chunks to buf (for bursts in one write). */
static size_t put_msg(uint8_t *buf, size_t cap, uint32_t port, uint32_t type, const void *d,
                      uint32_t size)
{
    vda_msg_writer w;
    vda_msg_writer_init(&w, port, type, 0, d, size);
    return vda_msg_writer_next(&w, buf, cap);
}

static int send_msg(pipe_host *h, uint32_t port, uint32_t type, const void *d, uint32_t size)
{
    uint8_t buf[512];
    size_t n = put_msg(buf, sizeof buf, port, type, d, size);
    return n > 0 && write_all(h, buf, n);
}

/* Next message from the agent of `type` within timeout_ms (others skipped). */
static int expect(pipe_host *h, uint32_t type, DWORD timeout_ms, vda_message *m)
{
    DWORD start = GetTickCount();
    for (;;) {
        DWORD spent = GetTickCount() - start;
        if (spent >= timeout_ms || !pipe_host_next_msg(h, timeout_ms - spent, m))
            return 0;
        if (m->type == type)
            return 1;
        free(m->data);
    }
}

static int reply(pipe_host *h, uint32_t *type, uint32_t *result)
{
    vda_message m;
    if (!expect(h, VD_AGENT_REPLY, 5000, &m)) return 0;
    int ok = m.size == 8;
    if (ok) {
        *type = vda_le32(m.data);
        *result = vda_le32(m.data + 4);
    }
    free(m.data);
    return ok;
}

static int start_agent(pipe_host *h, const char *exe_unix)
{
    wchar_t name[96], exe[MAX_PATH], args[256];
    win_path_from_unix(exe_unix, exe);
    _snwprintf(name, 95, L"vda-input-test-%lu", (unsigned long)GetCurrentProcessId());
    name[95] = 0;
    if (!pipe_host_create(h, name, 1 << 16)) return 0;
    _snwprintf(args, 255, L"--pipe %ls --log-level debug", name);
    args[255] = 0;
    if (!pipe_host_start_process(exe, args, &h->agent)) return 0;
    return pipe_host_connect(h, 15000) == 0;
}

/* Font smoothing as a NEW process sees it: Wine caches system parameters per
 * process once read, so only a fresh reader shows another process's change.
 * Returns 1 on, 0 off, -1 if the reader could not run. */
static int smoothing(void)
{
    wchar_t self[MAX_PATH], cmd[MAX_PATH + 32];
    GetModuleFileNameW(NULL, self, MAX_PATH);
    _snwprintf(cmd, MAX_PATH + 31, L"\"%ls\" --smoothing", self);
    cmd[MAX_PATH + 31] = 0;
    STARTUPINFOW si;
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    PROCESS_INFORMATION pi;
    if (!CreateProcessW(self, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi)) return -1;
    DWORD code = 2;
    if (WaitForSingleObject(pi.hProcess, 10000) == WAIT_OBJECT_0) GetExitCodeProcess(pi.hProcess, &code);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
    return code <= 1 ? (int)code : -1;
}

int main(int argc, char **argv)
{
    wtest t = {0};
    if (argc < 2) {
        printf("usage: input_host AGENT_EXE\n");
        return 2;
    }
    if (!strcmp(argv[1], "--smoothing")) return wtest_font_smoothing() ? 1 : 0;
    static pipe_host hs;
    pipe_host *h = &hs;
    vda_logger log = wtest_logger();
    pipe_host_init(h, &log, 1 << 20);
    SetProcessDPIAware();
    int w0 = GetSystemMetrics(SM_CXSCREEN), h0 = GetSystemMetrics(SM_CYSCREEN);
    SystemParametersInfoW(SPI_SETFONTSMOOTHING, TRUE, NULL, SPIF_SENDCHANGE);

    WCHECK(&t, start_agent(h, argv[1]), "agent started and connected");
    if (t.failed) return wtest_exit(&t);

    /* Caps. */
    vda_message m;
    WCHECK(&t, expect(h, VD_AGENT_ANNOUNCE_CAPABILITIES, 10000, &m), "agent announced caps");
    if (t.failed) return wtest_exit(&t);
    vda_caps c;
    uint32_t req;
    vda_caps_parse(m.data, m.size, &req, &c);
    free(m.data);
    WCHECK(&t, vda_caps_has(&c, VD_AGENT_CAP_MOUSE_STATE) &&
                   vda_caps_has(&c, VD_AGENT_CAP_MONITORS_CONFIG) &&
                   vda_caps_has(&c, VD_AGENT_CAP_SPARSE_MONITORS_CONFIG) &&
                   vda_caps_has(&c, VD_AGENT_CAP_REPLY) &&
                   vda_caps_has(&c, VD_AGENT_CAP_DISPLAY_CONFIG),
           "caps MOUSE_STATE, MONITORS_CONFIG, SPARSE_MONITORS_CONFIG, REPLY, DISPLAY_CONFIG");
    vda_caps cc;
    vda_caps_clear(&cc);
    vda_caps_set(&cc, VD_AGENT_CAP_REPLY);
    uint8_t capbuf[64];
    size_t capn = vda_caps_write(&cc, 0, capbuf);
    send_msg(h, VDP_CLIENT_PORT, VD_AGENT_ANNOUNCE_CAPABILITIES, capbuf, (uint32_t)capn);

    /* A burst of 300 MOUSE_STATEs in one write: the pointer ends on the last. */
    static uint8_t burst[300 * 64];
    size_t bn = 0;
    for (uint32_t i = 0; i < 300; i++) {
        uint8_t ms[13] = {0};
        vda_put_le32(ms, 10 + i);
        vda_put_le32(ms + 4, 20 + i / 3);
        bn += put_msg(burst + bn, sizeof burst - bn, VDP_SERVER_PORT, VD_AGENT_MOUSE_STATE, ms, 13);
    }
    write_all(h, burst, bn);
    POINT p = {0, 0};
    for (int i = 0; i < 100; i++) {
        Sleep(20);
        GetCursorPos(&p);
        if (p.x == 309 && p.y == 119) break;
    }
    WCHECK(&t, p.x == 309 && p.y == 119, "burst of 300 moves: pointer at %ld,%ld (want 309,119)",
           p.x, p.y);

    /* MONITORS_CONFIG: 1024x768 (offered by the fixture's Xvfb). */
    uint8_t mc[28];
    uint32_t rt = 0, rr = 0;
    send_msg(h, VDP_CLIENT_PORT, VD_AGENT_MONITORS_CONFIG,
             mc, (uint32_t)wtest_monitors_config(mc, 1, 1024, 768));
    WCHECK(&t, reply(h, &rt, &rr) && rt == VD_AGENT_MONITORS_CONFIG && rr == VD_AGENT_SUCCESS,
           "MONITORS_CONFIG 1024x768: REPLY type %u result %u", rt, rr);
    WCHECK(&t, GetSystemMetrics(SM_CXSCREEN) == 1024 && GetSystemMetrics(SM_CYSCREEN) == 768,
           "screen now %dx%d", GetSystemMetrics(SM_CXSCREEN), GetSystemMetrics(SM_CYSCREEN));
    send_msg(h, VDP_CLIENT_PORT, VD_AGENT_MONITORS_CONFIG,
             mc, (uint32_t)wtest_monitors_config(mc, 3, 800, 600));
    WCHECK(&t, reply(h, &rt, &rr) && rt == VD_AGENT_MONITORS_CONFIG && rr == VD_AGENT_ERROR,
           "MONITORS_CONFIG claiming 3 monitors with 1 in the payload: REPLY error (%u)", rr);
    WCHECK(&t, GetSystemMetrics(SM_CXSCREEN) == 1024, "screen unchanged");

    /* DISPLAY_CONFIG + client disconnect. */
    if (smoothing() != 1) {
        WNOT_RUN(&t, "font smoothing does not read back as on in a new process here:"
                 " DISPLAY_CONFIG through the agent unchecked");
    } else {
        uint8_t dc[8] = {0};
        vda_put_le32(dc, VD_AGENT_DISPLAY_CONFIG_FLAG_DISABLE_FONT_SMOOTH);
        send_msg(h, VDP_CLIENT_PORT, VD_AGENT_DISPLAY_CONFIG, dc, sizeof dc);
        WCHECK(&t, reply(h, &rt, &rr) && rt == VD_AGENT_DISPLAY_CONFIG && rr == VD_AGENT_SUCCESS,
               "DISPLAY_CONFIG: REPLY success");
        WCHECK(&t, smoothing() == 0, "font smoothing off (seen by a new process)");
        send_msg(h, VDP_SERVER_PORT, VD_AGENT_CLIENT_DISCONNECTED, NULL, 0);
        int back = 0;
        for (int i = 0; i < 50 && (back = smoothing()) != 1; i++) Sleep(20);
        WCHECK(&t, back == 1, "CLIENT_DISCONNECTED: font smoothing restored (seen by a new process)");
    }

    /* Back to the start resolution; stop the agent. */
    send_msg(h, VDP_CLIENT_PORT, VD_AGENT_MONITORS_CONFIG, mc,
             (uint32_t)wtest_monitors_config(mc, 1, (uint32_t)w0, (uint32_t)h0));
    reply(h, &rt, &rr);
    pipe_host_send_stop(h, WRITE_TIMEOUT_MS);
    WCHECK(&t, WaitForSingleObject(h->agent.hProcess, 10000) == WAIT_OBJECT_0,
           "agent exited on STOP");
    TerminateProcess(h->agent.hProcess, 99);
    return wtest_exit(&t);
}
