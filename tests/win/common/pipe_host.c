#include "pipe_host.h"

#include <stdio.h>
#include <string.h>

void pipe_host_init(pipe_host *h, const vda_logger *log, size_t max_message)
{
    h->log = *log;
    vda_pipe_reader_init(&h->rd, &h->log, "host");
    vda_reasm_init(&h->reasm, max_message, &h->log);
}

int pipe_host_create(pipe_host *h, const wchar_t *name, DWORD buf_size)
{
    wchar_t path[160];
    _snwprintf(path, 159, L"\\\\.\\pipe\\%ls", name);
    path[159] = 0;
    h->pipe = CreateNamedPipeW(path, PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED,
                               PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT, 1, buf_size,
                               buf_size, 0, NULL);
    if (h->pipe == INVALID_HANDLE_VALUE)
        return 0;
    h->rov.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
    h->wov.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
    return 1;
}

DWORD pipe_host_connect(pipe_host *h, DWORD timeout_ms)
{
    if (ConnectNamedPipe(h->pipe, &h->rov))
        return 0;
    DWORD e = GetLastError();
    if (e == ERROR_PIPE_CONNECTED)
        return 0;
    if (e != ERROR_IO_PENDING)
        return e;
    return WaitForSingleObject(h->rov.hEvent, timeout_ms) == WAIT_OBJECT_0 ? 0 : WAIT_TIMEOUT;
}

int pipe_host_start_process(const wchar_t *exe, const wchar_t *args, PROCESS_INFORMATION *pi)
{
    wchar_t cmd[2048];
    _snwprintf(cmd, 2047, L"\"%ls\" %ls", exe, args);
    cmd[2047] = 0;
    STARTUPINFOW si;
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    if (!CreateProcessW(exe, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, pi)) {
        printf("host: cannot start %ls (%lu)\n", exe, (unsigned long)GetLastError());
        return 0;
    }
    return 1;
}

int pipe_host_write_all(pipe_host *h, const uint8_t *p, size_t n, DWORD timeout_ms)
{
    while (n > 0) {
        DWORD k = n > (1u << 20) ? (1u << 20) : (DWORD)n, done = 0;
        if (!WriteFile(h->pipe, p, k, NULL, &h->wov) && GetLastError() != ERROR_IO_PENDING)
            return 0;
        if (WaitForSingleObject(h->wov.hEvent, timeout_ms) != WAIT_OBJECT_0) {
            CancelIoEx(h->pipe, &h->wov);
            return 0;
        }
        if (!GetOverlappedResult(h->pipe, &h->wov, &done, FALSE))
            return 0;
        p += done;
        n -= done;
    }
    return 1;
}

int pipe_host_next_msg(pipe_host *h, DWORD timeout_ms, vda_message *m)
{
    DWORD start = GetTickCount();
    for (;;) {
        while (h->rleft > 0) {
            vda_pipe_event ev;
            vda_status st = vda_pipe_reader_next(&h->rd, &h->rp, &h->rleft, &ev);
            if (st == VDA_NEED_MORE)
                break;
            if (st != VDA_OK) {
                printf("host: bad stream from the agent: %s\n", vda_status_str(st));
                continue;
            }
            if (ev.kind == VDA_PIPE_EV_CONTROL) {
                if (ev.cmd == VDA_PIPE_HELLO)
                    h->hello_pid = ev.arg;
                continue;
            }
            st = vda_reasm_feed(&h->reasm, &ev.piece, m);
            if (st == VDA_MSG_READY)
                return 1;
            if (st != VDA_NEED_MORE)
                printf("host: bad message from the agent: %s\n", vda_status_str(st));
        }
        if (!h->rpending) {
            if (!ReadFile(h->pipe, h->rbuf, sizeof h->rbuf, NULL, &h->rov) &&
                GetLastError() != ERROR_IO_PENDING) {
                printf("host: pipe read failed (%lu)\n", (unsigned long)GetLastError());
                return 0;
            }
            h->rpending = 1;
        }
        DWORD spent = GetTickCount() - start;
        if (spent >= timeout_ms ||
            WaitForSingleObject(h->rov.hEvent, timeout_ms - spent) != WAIT_OBJECT_0)
            return 0;
        DWORD n = 0;
        h->rpending = 0;
        if (!GetOverlappedResult(h->pipe, &h->rov, &n, FALSE)) {
            printf("host: pipe read failed (%lu)\n", (unsigned long)GetLastError());
            return 0;
        }
        h->rp = h->rbuf;
        h->rleft = n;
    }
}

int pipe_host_send_stop(pipe_host *h, DWORD timeout_ms)
{
    uint8_t ctl[VDA_PIPE_CTL_WIRE];
    vda_pipe_control_encode(ctl, VDA_PIPE_STOP, 0);
    return pipe_host_write_all(h, ctl, sizeof ctl, timeout_ms);
}
