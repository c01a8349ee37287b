#include "pipe_host.h"

#include <stdio.h>
#include <string.h>

#include "vdw_error.h"
#include "vdw_pipe.h"

void pipe_host_init(pipe_host *h, const vda_logger *log, size_t max_message)
{
    h->log = *log;
    vda_pipe_reader_init(&h->rd, &h->log, "host");
    vda_reasm_init(&h->reasm, max_message, &h->log);
}

int pipe_host_create(pipe_host *h, const wchar_t *name, DWORD buf_size)
{
    wchar_t path[160];
    h->pipe = vdw_pipe_create(vdw_pipe_path(name, path, 160), buf_size, 0, 0, NULL);
    if (h->pipe == INVALID_HANDLE_VALUE)
        return 0;
    return vdw_ovio_init(&h->rd_io) == 0 && vdw_ovio_init(&h->wr_io) == 0;
}

DWORD pipe_host_connect(pipe_host *h, DWORD timeout_ms)
{
    DWORD n, err = vdw_ovio_connect(&h->rd_io, h->pipe);
    if (err != ERROR_SUCCESS)
        return err;
    err = vdw_ovio_wait(&h->rd_io, h->pipe, NULL, timeout_ms, &n);
    return err == ERROR_PIPE_CONNECTED ? 0 : err;
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
        char msg[VDW_ERR_MAX];
        printf("host: cannot start %ls: %s\n", exe, vdw_last_err_str(msg, sizeof msg));
        return 0;
    }
    return 1;
}

int pipe_host_write_all(pipe_host *h, const uint8_t *p, size_t n, DWORD timeout_ms)
{
    while (n > 0) {
        DWORD k = n > (1u << 20) ? (1u << 20) : (DWORD)n, done = 0;
        if (vdw_ovio_write(&h->wr_io, h->pipe, p, k) != ERROR_SUCCESS ||
            vdw_ovio_wait(&h->wr_io, h->pipe, NULL, timeout_ms, &done) != ERROR_SUCCESS)
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
        char msg[VDW_ERR_MAX];
        DWORD err = h->rd_io.pending ? ERROR_SUCCESS
                                     : vdw_ovio_read(&h->rd_io, h->pipe, h->rbuf, sizeof h->rbuf);
        if (err != ERROR_SUCCESS) {
            printf("host: pipe read failed: %s\n", vdw_err_str(err, msg, sizeof msg));
            return 0;
        }
        /* A read still pending at the timeout stays pending for the next call. */
        DWORD spent = GetTickCount() - start;
        if (spent >= timeout_ms ||
            WaitForSingleObject(h->rd_io.ov.hEvent, timeout_ms - spent) != WAIT_OBJECT_0)
            return 0;
        DWORD n = 0;
        err = vdw_ovio_finish(&h->rd_io, h->pipe, &n);
        if (err != ERROR_SUCCESS) {
            printf("host: pipe read failed: %s\n", vdw_err_str(err, msg, sizeof msg));
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
