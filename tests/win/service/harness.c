/* svc_test.exe: the harness (see harness.h) and the dispatch of the scenarios
 * of scenarios.def.
 *
 *   svc_test SCENARIO VDSERVICE_EXE TEST_AGENT_EXE     (Unix or Windows paths)
 *
 * Exit 0: passed; 1: failed; 77: cannot run here (said loudly). */
#include <windows.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <spice/vd_agent.h>

#include "harness.h"
#include "wire/caps.h"
#include "svc_test_proto.h"
#include "win_path.h"

wchar_t service_exe[MAX_PATH], agent_exe[MAX_PATH];
int failed;
int service_two_roles;

void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("svc_test: ");
    vprintf(fmt, ap);
    printf("\n");
    fflush(stdout);
    va_end(ap);
}

/* Starts exe (NULL: the first word of cmd) with cmd, its stdout and stderr into
 * out_path (made anew). FALSE if it could not be started. */
static BOOL start_logged(const wchar_t *exe, const wchar_t *cmd, const wchar_t *out_path,
                         PROCESS_INFORMATION *pi)
{
    SECURITY_ATTRIBUTES sa = { sizeof sa, NULL, TRUE };
    HANDLE out = CreateFileW(out_path, GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, &sa,
                             CREATE_ALWAYS, 0, NULL);
    STARTUPINFOW si;
    ZeroMemory(&si, sizeof si);
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
    si.hStdOutput = out;
    si.hStdError = out;
    wchar_t line[2048];
    wcsncpy(line, cmd, 2047);
    line[2047] = 0;
    BOOL ok = CreateProcessW(exe, line, NULL, NULL, TRUE, 0, NULL, NULL, &si, pi);
    CloseHandle(out);
    return ok;
}

/* Runs a program to completion, its output into `out_path`; returns its exit code. */
int run_wait(const wchar_t *cmdline, const wchar_t *out_path, DWORD timeout_ms)
{
    PROCESS_INFORMATION pi;
    if (!start_logged(NULL, cmdline, out_path, &pi))
        return -1;
    DWORD code = (DWORD)-2;
    if (WaitForSingleObject(pi.hProcess, timeout_ms) == WAIT_OBJECT_0)
        GetExitCodeProcess(pi.hProcess, &code);
    else
        TerminateProcess(pi.hProcess, 99);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
    return (int)code;
}

char *read_file(const wchar_t *path)
{
    char *text = wtest_read_file(path, NULL);
    return text ? text : calloc(1, 1);
}

int count_in(const char *text, const char *what)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, what)) != NULL; p += strlen(what))
        n++;
    return n;
}

int log_count(service *s, const char *what)
{
    char *t = read_file(s->log_path);
    int n = count_in(t, what);
    free(t);
    return n;
}

int wait_log(service *s, const char *what, int n, DWORD timeout_ms)
{
    ULONGLONG end = GetTickCount64() + timeout_ms;
    while (log_count(s, what) < n) {
        if (GetTickCount64() >= end)
            return -1;
        Sleep(50);
    }
    return 0;
}

int service_start(service *s, const wchar_t *device, const char *tag)
{
    memset(s, 0, sizeof *s);
    wchar_t tmp[MAX_PATH];
    GetTempPathW(MAX_PATH, tmp);
    swprintf(s->log_path, MAX_PATH, L"%lssvc_test_%hs_%lu.log", tmp, tag,
             (unsigned long)GetCurrentProcessId());
    swprintf(s->stop_name, 64, L"vda-svc-test-stop-%lu", (unsigned long)GetCurrentProcessId());
    /* Auto-reset, as a user's event may be: the wait that sees it consumes the
     * signal, and the service must still act on it. */
    s->stop_event = CreateEventW(NULL, FALSE, FALSE, s->stop_name);
    wchar_t cmd[2048];
    swprintf(cmd, 2048, L"\"%ls\" run%ls --device %ls --agent \"%ls\" --log-level debug --stop-event %ls",
             service_exe, service_two_roles ? L"" : L" --single-agent", device, agent_exe,
             s->stop_name);
    BOOL ok = start_logged(service_exe, cmd, s->log_path, &s->pi);
    s->running = ok;
    return ok ? 0 : -1;
}

void print_log(const wchar_t *path, const char *title)
{
    char *t = read_file(path);
    printf("----- %s -----\n%s----- end -----\n", title, t);
    free(t);
}

/* Stops the service cleanly; returns its exit code (or -1 if it had to be killed). */
int service_stop(service *s)
{
    if (!s->running)
        return -1;
    s->running = 0;
    SetEvent(s->stop_event);
    DWORD code = (DWORD)-1;
    if (WaitForSingleObject(s->pi.hProcess, 10000) == WAIT_OBJECT_0)
        GetExitCodeProcess(s->pi.hProcess, &code);
    else
        TerminateProcess(s->pi.hProcess, 99);
    CloseHandle(s->pi.hProcess);
    CloseHandle(s->pi.hThread);
    CloseHandle(s->stop_event);
    print_log(s->log_path, "vdservice log");
    return (int)code;
}

/* CPU time the service has used so far, in ms. */
double service_cpu_ms(service *s)
{
    FILETIME c, e, k, u;
    if (!GetProcessTimes(s->pi.hProcess, &c, &e, &k, &u))
        return -1;
    ULARGE_INTEGER kk = { .u = { k.dwLowDateTime, k.dwHighDateTime } };
    ULARGE_INTEGER uu = { .u = { u.dwLowDateTime, u.dwHighDateTime } };
    return (double)(kk.QuadPart + uu.QuadPart) / 10000.0;
}

int service_alive(service *s)
{
    return s->running && WaitForSingleObject(s->pi.hProcess, 0) == WAIT_TIMEOUT;
}

void device_name(wchar_t *out, const char *tag)
{
    swprintf(out, 128, L"\\\\.\\pipe\\vda-svc-test-%hs-%lu", tag, (unsigned long)GetCurrentProcessId());
}

/* Next message, skipping nothing; prints what came instead on mismatch. */
int expect_msg(fake_host *h, uint32_t type, int conn, host_msg *m, DWORD timeout)
{
    if (host_next_msg(h, m, timeout) != 0) {
        printf("svc_test: no message (wanted type %#x) within %lu ms\n", type, (unsigned long)timeout);
        return -1;
    }
    if (m->type != type || (conn && m->conn != conn)) {
        printf("svc_test: got type %#x on connection %d (%u bytes: %.*s), wanted %#x on %d\n",
               m->type, m->conn, m->size, m->size < 200 ? (int)m->size : 200,
               m->data ? (const char *)m->data : "", type, conn);
        free(m->data);
        m->data = NULL;
        return -1;
    }
    return 0;
}

/* The capabilities announcement that opens every connection. */
int expect_caps(fake_host *h, int conn)
{
    host_msg m;
    if (expect_msg(h, VD_AGENT_ANNOUNCE_CAPABILITIES, conn, &m, 10000) != 0)
        return -1;
    vda_caps caps;
    uint32_t request;
    int ok = vda_caps_parse(m.data, m.size, &request, &caps) == 0 &&
             vda_caps_has(&caps, VD_AGENT_CAP_CLIPBOARD_BY_DEMAND);
    free(m.data);
    return ok ? 0 : -1;
}

/* Sends `size` bytes as one message and checks the echo is exact. */
int echo(fake_host *h, uint32_t size, uint8_t seed, int conn)
{
    uint8_t *d = malloc(size ? size : 1);
    svc_test_fill(d, size, seed);
    int rc = -1;
    host_msg m = { 0 };
    if (host_send_msg(h, VDP_CLIENT_PORT, SVC_TEST_BIG, d, size) != 0)
        printf("svc_test: writing a %u-byte message to the device failed\n", size);
    else if (expect_msg(h, SVC_TEST_BIG, conn, &m, 20000) == 0) {
        if (m.size == size && (size == 0 || memcmp(m.data, d, size) == 0))
            rc = 0;
        else
            printf("svc_test: echo of %u bytes came back as %u different bytes\n", size, m.size);
    }
    free(m.data);
    free(d);
    return rc;
}

/* The port closed under connection conn-1 and reopened as connection `conn`,
 * which starts with the (possibly new) agent's capabilities. */
int expect_reopened(fake_host *h, int conn)
{
    const char *what = NULL;
    if (host_wait_count(h, &h->disconnects, conn - 1, 5000) != 0)
        what = "the port was not closed";
    else if (host_wait_count(h, &h->connects, conn, 10000) != 0)
        what = "the port was not reopened";
    else if (expect_caps(h, conn) != 0)
        what = "the reopened port did not start with capabilities";
    if (what)
        say("%s (connection %d)", what, conn);
    return what ? -1 : 0;
}

int command(fake_host *h, const char *cmd)
{
    return host_send_msg(h, VDP_CLIENT_PORT, SVC_TEST_CMD, cmd, (uint32_t)strlen(cmd));
}

/* Sends a command and waits for the agent's text report starting with `prefix`. */
int ask(fake_host *h, const char *cmd, const char *prefix, char *out, size_t len, int conn)
{
    host_msg m;
    if (command(h, cmd) != 0 || expect_msg(h, SVC_TEST_REPORT, conn, &m, 10000) != 0)
        return -1;
    snprintf(out, len, "%.*s", (int)m.size, (const char *)m.data);
    free(m.data);
    return strncmp(out, prefix, strlen(prefix)) == 0 ? 0 : -1;
}

int no_more_msgs(fake_host *h, DWORD ms)
{
    host_msg m;
    if (host_next_msg(h, &m, ms) == 0) {
        printf("svc_test: unexpected message type %#x, %u bytes, connection %d: %.*s\n", m.type,
               m.size, m.conn, m.size < 200 ? (int)m.size : 200, m.data ? (char *)m.data : "");
        free(m.data);
        return -1;
    }
    return 0;
}

/* Common end: stop the service (cleanly), stop the host, keep the log on failure. */
int finish(service *svc, fake_host *host)
{
    int code = service_stop(svc);
    EXPECT(code == 0, "service exit code %d", code);
    host_stop(host);
    if (!failed)
        DeleteFileW(svc->log_path);
    return failed;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc != 4) {
        fprintf(stderr, "usage: svc_test SCENARIO VDSERVICE_EXE TEST_AGENT_EXE\n");
        return 2;
    }
    win_path_from_unix(argv[2], service_exe);
    win_path_from_unix(argv[3], agent_exe);
#define SCENARIO(name, lock) { #name, t_##name },
    static const struct { const char *name; int (*fn)(void); } tests[] = {
#include "scenarios.def"
    };
#undef SCENARIO
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
        if (strcmp(argv[1], tests[i].name) == 0) {
            int rc = tests[i].fn();
            if (rc == 77) /* said NOT RUN and why */
                return 77;
            say("%s: %s", tests[i].name, rc ? "FAILED" : "passed");
            return rc ? 1 : 0;
        }
    }
    fprintf(stderr, "svc_test: unknown scenario %s\n", argv[1]);
    return 2;
}
