/* A test double of vdagent.exe for the vdservice tests: it connects to the pipe
 * named by --pipe, says HELLO, announces capabilities, echoes every message back
 * on its port, obeys the commands of svc_test_proto.h, and reports what it saw.
 * "--intruder PIPE PID" is a second role: a foreign process that tries to use
 * the pipe (its exit code tells what happened). */
#include <windows.h>
#include <aclapi.h>
#include <stdarg.h>
#include <sddl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vdw_pipe.h"
#include "wire/caps.h"
#include "wire/chunk_writer.h"
#include "base/le_bytes.h"
#include "wire/pipe_proto.h"
#include "wire/reassembly.h"
#include "svc_test_proto.h"

static HANDLE pipe_h = INVALID_HANDLE_VALUE;
static vda_logger logger = { VDA_LOG_WARN, vda_log_sink_stdio, NULL, "test_agent" };

/* --pipe NAME: the pipe is \\.\pipe\NAME, opened as the real agent opens it. */
static HANDLE connect_pipe(const wchar_t *pipe_name)
{
    wchar_t name[300];
    DWORD err;
    return vdw_pipe_open(vdw_pipe_path(pipe_name, name, 300), VDW_PIPE_CLIENT_SQOS, 10000, &err);
}

static void write_all(const void *data, size_t len)
{
    const uint8_t *p = data;
    while (len > 0) {
        DWORD n = 0;
        if (!WriteFile(pipe_h, p, (DWORD)len, &n, NULL))
            ExitProcess(20); /* the service went away */
        p += n;
        len -= n;
    }
}

static void send_msg(uint32_t port, uint32_t type, const void *data, uint32_t size)
{
    vda_msg_writer w;
    vda_msg_writer_init(&w, port, type, 0, data, size);
    static uint8_t buf[64 * VDA_CHUNK_MAX_WIRE];
    while (!vda_msg_writer_done(&w)) {
        size_t n = vda_msg_writer_next(&w, buf, sizeof buf);
        write_all(buf, n);
    }
}

static void report(const char *fmt, ...)
{
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    send_msg(VDP_CLIENT_PORT, SVC_TEST_REPORT, text, (uint32_t)strlen(text));
}

/* --role system|user (vdservice's default): a role answers each message with a
 * REPLY naming the message type and the role (result 1: system, 2: user)
 * instead of an echo, since a role may send only its own types. */
static int role_code;

static void announce(void)
{
    vda_caps caps;
    vda_caps_clear(&caps);
    if (role_code != 1) {
        vda_caps_set(&caps, VD_AGENT_CAP_CLIPBOARD_BY_DEMAND);
        vda_caps_set(&caps, VD_AGENT_CAP_CLIPBOARD_SELECTION);
    }
    if (role_code == 1)
        vda_caps_set(&caps, VD_AGENT_CAP_MOUSE_STATE);
    uint8_t payload[64];
    size_t n = vda_caps_write(&caps, 1, payload);
    send_msg(VDP_CLIENT_PORT, VD_AGENT_ANNOUNCE_CAPABILITIES, payload, (uint32_t)n);
}

/* The pipe's DACL as this client sees it, and our own SID. */
static void report_dacl(void)
{
    PSECURITY_DESCRIPTOR sd = NULL;
    wchar_t *sddl = NULL, *sid = NULL;
    char a[512] = "?", b[128] = "?";
    if (GetSecurityInfo(pipe_h, SE_KERNEL_OBJECT, DACL_SECURITY_INFORMATION, NULL, NULL, NULL,
                        NULL, &sd) == ERROR_SUCCESS &&
        ConvertSecurityDescriptorToStringSecurityDescriptorW(sd, SDDL_REVISION_1,
                                                             DACL_SECURITY_INFORMATION, &sddl, NULL))
        WideCharToMultiByte(CP_UTF8, 0, sddl, -1, a, sizeof a, NULL, NULL);
    HANDLE tok;
    uint8_t buf[512];
    DWORD n;
    if (OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &tok)) {
        if (GetTokenInformation(tok, TokenUser, buf, sizeof buf, &n) &&
            ConvertSidToStringSidW(((TOKEN_USER *)buf)->User.Sid, &sid))
            WideCharToMultiByte(CP_UTF8, 0, sid, -1, b, sizeof b, NULL, NULL);
        CloseHandle(tok);
    }
    report("dacl=%s user=%s", a, b);
    if (sddl) LocalFree(sddl);
    if (sid) LocalFree(sid);
    if (sd) LocalFree(sd);
}

/* The foreign process: connect, claim to be someone else, and see what we get. */
static int intruder(const wchar_t *name, DWORD claimed_pid)
{
    pipe_h = connect_pipe(name);
    if (pipe_h == INVALID_HANDLE_VALUE)
        return 2; /* could not even connect */
    uint8_t hello[VDA_PIPE_CTL_WIRE];
    vda_pipe_control_encode(hello, VDA_PIPE_HELLO, claimed_pid);
    DWORD n;
    WriteFile(pipe_h, hello, sizeof hello, &n, NULL); /* may fail: already cut off */
    uint8_t buf[256];
    DWORD total = 0;
    while (ReadFile(pipe_h, buf, sizeof buf, &n, NULL) && n > 0)
        total += n;
    CloseHandle(pipe_h);
    return total == 0 ? 0 : 1; /* 0: disconnected without seeing a byte */
}

static int run_intruder_first(const wchar_t *name)
{
    wchar_t exe[MAX_PATH], cmd[MAX_PATH + 200];
    GetModuleFileNameW(NULL, exe, MAX_PATH);
    swprintf(cmd, sizeof cmd / sizeof cmd[0], L"\"%ls\" --intruder %ls %lu", exe, name,
             (unsigned long)GetCurrentProcessId());
    STARTUPINFOW si;
    ZeroMemory(&si, sizeof si);
    si.cb = sizeof si;
    PROCESS_INFORMATION pi;
    if (!CreateProcessW(exe, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi))
        return 100;
    DWORD code = 101;
    if (WaitForSingleObject(pi.hProcess, 10000) == WAIT_OBJECT_0)
        GetExitCodeProcess(pi.hProcess, &code);
    else
        TerminateProcess(pi.hProcess, 102); /* still connected: the service let it in */
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
    return (int)code;
}

static uint8_t *big_payload(uint32_t size, uint8_t seed)
{
    uint8_t *data = malloc(size ? size : 1);
    svc_test_fill(data, size, seed);
    return data;
}

static void send_half_and_die(uint32_t size)
{
    uint8_t *data = big_payload(size, 1);
    vda_msg_writer w;
    vda_msg_writer_init(&w, VDP_CLIENT_PORT, SVC_TEST_BIG, 0, data, size);
    uint64_t chunks = (vda_msg_wire_size(size) + VDA_CHUNK_MAX_WIRE - 1) / VDA_CHUNK_MAX_WIRE;
    uint8_t buf[VDA_CHUNK_MAX_WIRE];
    for (uint64_t i = 0; i < chunks / 2; i++)
        write_all(buf, vda_msg_writer_next(&w, buf, sizeof buf));
    FlushFileBuffers(pipe_h); /* the service has read it all */
    TerminateProcess(GetCurrentProcess(), 4);
}

/* A big message, one chunk every few ms: the host can cut the port mid-message. */
static void send_slowly(uint32_t size)
{
    uint8_t *data = big_payload(size, 2);
    vda_msg_writer w;
    vda_msg_writer_init(&w, VDP_CLIENT_PORT, SVC_TEST_BIG, 0, data, size);
    uint8_t buf[VDA_CHUNK_MAX_WIRE];
    while (!vda_msg_writer_done(&w)) {
        write_all(buf, vda_msg_writer_next(&w, buf, sizeof buf));
        Sleep(5);
    }
    free(data);
}

int wmain(int argc, wchar_t **argv);
int wmain(int argc, wchar_t **argv)
{
    if (argc == 4 && wcscmp(argv[1], L"--intruder") == 0)
        return intruder(argv[2], (DWORD)wcstoul(argv[3], NULL, 10));
    /* The options vdservice passes on to the real agent are recorded for "args". */
    const wchar_t *log_level = L"-", *log_file = L"-", *agent_role = L"all";
    for (int i = 3; i + 1 < argc; i += 2) {
        if (wcscmp(argv[i], L"--log-level") == 0)
            log_level = argv[i + 1];
        else if (wcscmp(argv[i], L"--log-file") == 0)
            log_file = argv[i + 1];
        else if (wcscmp(argv[i], L"--role") == 0)
            agent_role = argv[i + 1];
        else
            argc = 0; /* unknown: usage */
    }
    if (argc < 3 || argc % 2 == 0 || wcscmp(argv[1], L"--pipe") != 0) {
        fprintf(stderr, "usage: test_agent --pipe NAME [--log-level L] [--log-file F] | "
                        "--intruder NAME PID\n");
        return 2;
    }
    role_code = wcscmp(agent_role, L"system") == 0 ? 1 : wcscmp(agent_role, L"user") == 0 ? 2 : 0;
    char mode[64] = "normal";
    GetEnvironmentVariableA("SVC_TEST_AGENT_MODE", mode, sizeof mode);
    if (strcmp(mode, "exit-at-once") == 0)
        return 7;
    int intruder_code = -1;
    if (strcmp(mode, "intruder-first") == 0)
        intruder_code = run_intruder_first(argv[2]);
    pipe_h = connect_pipe(argv[2]);
    if (pipe_h == INVALID_HANDLE_VALUE)
        return 10;
    uint8_t hello[VDA_PIPE_CTL_WIRE];
    vda_pipe_control_encode(hello, VDA_PIPE_HELLO, GetCurrentProcessId());
    write_all(hello, sizeof hello);
    announce();
    if (intruder_code >= 0) {
        report("intruder=%d", intruder_code);
        report_dacl();
    }
    if (strcmp(mode, "stall") == 0)
        Sleep(3000); /* a slow agent: the service must stop reading the device */

    vda_pipe_reader pr;
    vda_pipe_reader_init(&pr, &logger, "test agent pipe");
    vda_reasm ra;
    vda_reasm_init(&ra, 64u << 20, &logger);
    int resets = 0, die_on_partial = 0;
    static uint8_t buf[65536];
    for (;;) {
        DWORD n;
        if (!ReadFile(pipe_h, buf, sizeof buf, &n, NULL))
            return 21; /* the service went away */
        const uint8_t *p = buf;
        size_t len = n;
        vda_pipe_event ev;
        vda_status st;
        while ((st = vda_pipe_reader_next(&pr, &p, &len, &ev)) != VDA_NEED_MORE) {
            if (st != VDA_OK) {
                report("error=%s", vda_status_str(st));
                if (st == VDA_ERR_FRAMING_LOST)
                    return 22;
                continue;
            }
            if (ev.kind == VDA_PIPE_EV_CONTROL) {
                if (ev.cmd == VDA_PIPE_STOP)
                    return 0;
                if (ev.cmd == VDA_PIPE_RESET) {
                    resets++;
                    vda_reasm_reset_port(&ra, VDP_CLIENT_PORT);
                    vda_reasm_reset_port(&ra, VDP_SERVER_PORT);
                    announce();
                }
                continue;
            }
            vda_message m;
            st = vda_reasm_feed(&ra, &ev.piece, &m);
            if (die_on_partial && ev.piece.last && !vda_reasm_idle(&ra, ev.piece.port))
                TerminateProcess(GetCurrentProcess(), 5); /* mid-message, as a crash */
            if (st == VDA_NEED_MORE)
                continue;
            if (st != VDA_MSG_READY) {
                report("error=%s", vda_status_str(st));
                continue;
            }
            if (m.type == SVC_TEST_CMD) {
                char cmd[128] = "";
                memcpy(cmd, m.data, m.size < sizeof cmd - 1 ? m.size : sizeof cmd - 1);
                if (strcmp(cmd, "die") == 0)
                    TerminateProcess(GetCurrentProcess(), 3);
                else if (strncmp(cmd, "send-half-and-die ", 18) == 0)
                    send_half_and_die((uint32_t)strtoul(cmd + 18, NULL, 10));
                else if (strncmp(cmd, "send-slowly ", 12) == 0)
                    send_slowly((uint32_t)strtoul(cmd + 12, NULL, 10));
                else if (strcmp(cmd, "die-on-partial") == 0)
                    die_on_partial = 1;
                else if (strcmp(cmd, "send-stop-control") == 0) {
                    uint8_t ctl[VDA_PIPE_CTL_WIRE];
                    vda_pipe_control_encode(ctl, VDA_PIPE_STOP, 0);
                    write_all(ctl, sizeof ctl);
                    report("sent=stop-control");
                } else if (strcmp(cmd, "send-bad-chunk") == 0) {
                    uint8_t bad[8]; /* a chunk size no chunk can have */
                    vda_put_le32(bad, VDP_CLIENT_PORT);
                    vda_put_le32(bad + 4, 0xFFFFFFFFu);
                    write_all(bad, sizeof bad);
                } else if (strcmp(cmd, "args") == 0)
                    report("args=log-level:%ls log-file:%ls", log_level, log_file);
                else if (strcmp(cmd, "role") == 0)
                    report("role=%ls", agent_role);
                else if (strcmp(cmd, "whoami") == 0)
                    report("pid=%lu resets=%d", (unsigned long)GetCurrentProcessId(), resets);
                else
                    report("error=unknown command %s", cmd);
            } else if (role_code && m.type != VD_AGENT_ANNOUNCE_CAPABILITIES) {
                uint8_t r[8];
                vda_put_le32(r, m.type);
                vda_put_le32(r + 4, (uint32_t)role_code);
                send_msg(VDP_CLIENT_PORT, VD_AGENT_REPLY, r, sizeof r);
            } else if (!role_code) {
                send_msg(m.port, m.type, m.data, m.size); /* echo */
            }
            free(m.data);
        }
    }
}
