/* e2e_bridge.exe: stands in for the virtio-serial port under Wine. It serves a
 * single-instance named pipe (the path given to `vdservice.exe run --device`)
 * and relays bytes both ways to e2e_host's guest side over loopback TCP. The
 * guest opening the pipe = the port opened (connect to the host: the agent
 * device is attached); the guest closing it = the port closed (TCP closed: the
 * device is detached). The host closing TCP closes the pipe instance.
 *
 *   e2e_bridge.exe --pipe \\.\pipe\NAME --host-port N [--alias \\.\OTHER\PATH]
 *
 * --alias makes OTHER\PATH (e.g. the production port \\.\Global\com.redhat.spice.0)
 * open this pipe too: an NT symbolic link under \??\ that lives as long as the
 * bridge (DefineDosDevice cannot make non-drive names under Wine).
 */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <winternl.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#define RELAY_BUF 65536

typedef struct {
    HANDLE pipe;
    SOCKET sock;
    unsigned long long to_host, to_guest;
} relay;

static void logf_(const char *fmt, ...) __attribute__((format(gnu_printf, 1, 2)));
static void logf_(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("e2e-bridge: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    fflush(stderr);
}

/* Overlapped I/O on the pipe, waited for: the handle is overlapped so that the
 * two relay threads can read and write it at the same time. */
static BOOL pipe_io(HANDLE pipe, BOOL write, void *buf, DWORD len, DWORD *done)
{
    OVERLAPPED ov;
    ZeroMemory(&ov, sizeof ov);
    ov.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
    if (!ov.hEvent)
        return FALSE;
    BOOL ok = write ? WriteFile(pipe, buf, len, NULL, &ov) : ReadFile(pipe, buf, len, NULL, &ov);
    if (ok || GetLastError() == ERROR_IO_PENDING)
        ok = GetOverlappedResult(pipe, &ov, done, TRUE);
    DWORD err = GetLastError();
    CloseHandle(ov.hEvent);
    SetLastError(err);
    return ok;
}

static DWORD WINAPI guest_to_host(void *arg)
{
    relay *r = arg;
    char *buf = malloc(RELAY_BUF);
    DWORD n;
    while (buf && pipe_io(r->pipe, FALSE, buf, RELAY_BUF, &n)) {
        for (DWORD off = 0; off < n;) {
            int s = send(r->sock, buf + off, (int)(n - off), 0);
            if (s <= 0)
                goto out;
            off += (DWORD)s;
        }
        r->to_host += n;
    }
    logf_("guest side ended (error %lu)", (unsigned long)GetLastError());
out:
    free(buf);
    /* Either way the session is over: make the other thread's recv return. */
    shutdown(r->sock, SD_BOTH);
    return 0;
}

static DWORD WINAPI host_to_guest(void *arg)
{
    relay *r = arg;
    char *buf = malloc(RELAY_BUF);
    int n;
    while (buf && (n = recv(r->sock, buf, RELAY_BUF, 0)) > 0) {
        DWORD done;
        for (DWORD off = 0; off < (DWORD)n; off += done)
            if (!pipe_io(r->pipe, TRUE, buf + off, (DWORD)n - off, &done))
                goto out;
        r->to_guest += (unsigned long long)n;
    }
    logf_("host side ended");
out:
    free(buf);
    /* Make the other thread's pending pipe read return. */
    CancelIoEx(r->pipe, NULL);
    shutdown(r->sock, SD_BOTH);
    return 0;
}

/* "\\.\X" -> NT "\??\X"; a symbolic link from the alias to the pipe. */
static HANDLE make_alias(const wchar_t *alias, const wchar_t *pipe)
{
    typedef LONG(NTAPI * create_link_fn)(HANDLE *, ACCESS_MASK, OBJECT_ATTRIBUTES *,
                                         UNICODE_STRING *);
    create_link_fn create_link = (create_link_fn)(void (*)(void))GetProcAddress(
        GetModuleHandleW(L"ntdll.dll"), "NtCreateSymbolicLinkObject");
    if (!create_link || wcsncmp(alias, L"\\\\.\\", 4) || wcsncmp(pipe, L"\\\\.\\", 4))
        return NULL;
    wchar_t nt_alias[MAX_PATH], nt_pipe[MAX_PATH];
    _snwprintf(nt_alias, MAX_PATH, L"\\??\\%ls", alias + 4);
    _snwprintf(nt_pipe, MAX_PATH, L"\\??\\%ls", pipe + 4);
    nt_alias[MAX_PATH - 1] = nt_pipe[MAX_PATH - 1] = 0;
    UNICODE_STRING name, target;
    RtlInitUnicodeString(&name, nt_alias);
    RtlInitUnicodeString(&target, nt_pipe);
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE, NULL, NULL);
    HANDLE link = NULL;
    LONG st = create_link(&link, 0xF0001 /* SYMBOLIC_LINK_ALL_ACCESS */, &oa, &target);
    if (st < 0) {
        logf_("cannot alias %ls to %ls (NTSTATUS 0x%08lx)", nt_alias, nt_pipe, (unsigned long)st);
        return NULL;
    }
    logf_("%ls now opens %ls", alias, pipe);
    return link;
}

static SOCKET connect_host(unsigned short port)
{
    SOCKET s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (s == INVALID_SOCKET)
        return s;
    struct sockaddr_in a;
    ZeroMemory(&a, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(s, (struct sockaddr *)&a, sizeof a) != 0) {
        closesocket(s);
        return INVALID_SOCKET;
    }
    BOOL one = TRUE;
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, (const char *)&one, sizeof one);
    return s;
}

/* Waits for one opener of the pipe: 1 connected, 0 this instance failed (the
 * caller makes a new one), -1 the bridge cannot work (no event to wait on). */
static int wait_for_guest(HANDLE pipe)
{
    OVERLAPPED ov;
    ZeroMemory(&ov, sizeof ov);
    ov.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
    if (!ov.hEvent) {
        logf_("CreateEvent for the pipe connection failed: %lu", (unsigned long)GetLastError());
        return -1;
    }
    BOOL ok = ConnectNamedPipe(pipe, &ov);
    if (!ok) {
        DWORD e = GetLastError();
        if (e == ERROR_PIPE_CONNECTED)
            ok = TRUE;
        else if (e == ERROR_IO_PENDING) {
            DWORD dummy;
            ok = GetOverlappedResult(pipe, &ov, &dummy, TRUE);
        }
    }
    CloseHandle(ov.hEvent);
    return ok ? 1 : 0;
}

static void serve_one(HANDLE pipe, unsigned short port)
{
    relay r = { .pipe = pipe, .sock = connect_host(port) };
    if (r.sock == INVALID_SOCKET) {
        logf_("guest opened the port but the host (127.0.0.1:%u) is not there", port);
        return;
    }
    logf_("guest opened the port: connected to the host");
    HANDLE t[2];
    t[0] = CreateThread(NULL, 0, guest_to_host, &r, 0, NULL);
    t[1] = CreateThread(NULL, 0, host_to_guest, &r, 0, NULL);
    WaitForMultipleObjects(2, t, TRUE, INFINITE);
    CloseHandle(t[0]);
    CloseHandle(t[1]);
    closesocket(r.sock);
    logf_("port closed (%llu bytes to host, %llu to guest)", r.to_host, r.to_guest);
}

int wmain(int argc, wchar_t **argv);
int wmain(int argc, wchar_t **argv)
{
    const wchar_t *path = NULL, *alias = NULL;
    int port = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!wcscmp(argv[i], L"--pipe"))
            path = argv[i + 1];
        else if (!wcscmp(argv[i], L"--host-port"))
            port = _wtoi(argv[i + 1]);
        else if (!wcscmp(argv[i], L"--alias"))
            alias = argv[i + 1];
    }
    if (!path || port <= 0 || port > 65535) {
        fprintf(stderr, "usage: e2e_bridge.exe --pipe \\\\.\\pipe\\NAME --host-port N"
                        " [--alias \\\\.\\OTHER\\PATH]\n");
        return 2;
    }
    WSADATA wsa;
    if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0)
        return 1;
    logf_("serving %ls for host port %d", path, port);
    if (alias && !make_alias(alias, path))
        return 1;   /* asked for and not had: say so by failing, not by a silent fallback */
    for (;;) {
        HANDLE pipe = CreateNamedPipeW(path, PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED,
                                       PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT, 1,
                                       RELAY_BUF, RELAY_BUF, 0, NULL);
        if (pipe == INVALID_HANDLE_VALUE) {
            logf_("CreateNamedPipe failed: %lu", (unsigned long)GetLastError());
            Sleep(100);
            continue;
        }
        int guest = wait_for_guest(pipe);
        if (guest < 0) {
            CloseHandle(pipe);
            return 1;
        }
        if (guest)
            serve_one(pipe, (unsigned short)port);
        DisconnectNamedPipe(pipe);
        CloseHandle(pipe);
    }
}
