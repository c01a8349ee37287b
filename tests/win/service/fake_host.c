#include "fake_host.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vdw_overlapped.h"
#include "vdw_pipe.h"
#include "wire/chunk_reader.h"
#include "wire/chunk_writer.h"
#include "wire/reassembly.h"

static vda_logger quiet = { VDA_LOG_ERROR, NULL, NULL, "fake_host" };

static void note_error(fake_host *h, const char *what)
{
    EnterCriticalSection(&h->lock);
    h->errors++;
    snprintf(h->last_error, sizeof h->last_error, "%s", what);
    LeaveCriticalSection(&h->lock);
}

static void serve_connection(fake_host *h, int conn)
{
    vda_chunk_reader cr;
    vda_chunk_reader_init(&cr, &quiet, "host", 0);
    vda_reasm ra;
    vda_reasm_init(&ra, 64u << 20, &quiet);
    static uint8_t buf[65536];
    vdw_ovio io;
    vdw_ovio_init(&io);
    for (;;) {
        /* Ends when the read fails or host_kick cuts the guest off. */
        DWORD n = 0;
        if (vdw_ovio_read(&io, h->h, buf, sizeof buf) != ERROR_SUCCESS ||
            vdw_ovio_wait(&io, h->h, h->kick, INFINITE, &n) != ERROR_SUCCESS)
            break;
        const uint8_t *p = buf;
        size_t len = n;
        vda_chunk_piece pc;
        vda_status st;
        while ((st = vda_chunk_reader_next(&cr, &p, &len, &pc)) != VDA_NEED_MORE) {
            if (st != VDA_OK) {
                note_error(h, vda_status_str(st));
                if (st == VDA_ERR_FRAMING_LOST)
                    break;
                continue;
            }
            vda_message m;
            st = vda_reasm_feed(&ra, &pc, &m);
            if (st == VDA_NEED_MORE)
                continue;
            if (st != VDA_MSG_READY) {
                note_error(h, vda_status_str(st));
                continue;
            }
            EnterCriticalSection(&h->lock);
            if (h->qn < (int)(sizeof h->q / sizeof h->q[0])) {
                host_msg *q = &h->q[h->qn++];
                q->conn = conn;
                q->port = m.port;
                q->type = m.type;
                q->size = m.size;
                q->data = m.data;
            } else {
                free(m.data);
                h->errors++;
                snprintf(h->last_error, sizeof h->last_error, "message queue full");
            }
            LeaveCriticalSection(&h->lock);
            SetEvent(h->changed);
        }
        if (st == VDA_ERR_FRAMING_LOST)
            break;
    }
    vdw_ovio_free(&io);
    vda_reasm_free(&ra); /* a half-received message dies with its connection */
}

static DWORD WINAPI host_thread(void *arg)
{
    fake_host *h = arg;
    vdw_ovio io;
    vdw_ovio_init(&io);
    while (!h->stop) {
        DWORD n, err = vdw_ovio_connect(&io, h->h);
        if (err == ERROR_SUCCESS)
            err = vdw_ovio_wait(&io, h->h, NULL, INFINITE, &n);
        if (h->stop)
            break;
        if (err != ERROR_SUCCESS) {
            DisconnectNamedPipe(h->h);
            Sleep(10);
            continue;
        }
        EnterCriticalSection(&h->lock);
        int conn = ++h->connects;
        h->connected = 1;
        LeaveCriticalSection(&h->lock);
        SetEvent(h->changed);
        serve_connection(h, conn);
        DisconnectNamedPipe(h->h);
        EnterCriticalSection(&h->lock);
        h->connected = 0;
        h->disconnects++;
        LeaveCriticalSection(&h->lock);
        SetEvent(h->changed);
    }
    vdw_ovio_free(&io);
    return 0;
}

int host_start(fake_host *h, const wchar_t *name)
{
    memset(h, 0, sizeof *h);
    wcsncpy(h->name, name, sizeof h->name / sizeof h->name[0] - 1);
    InitializeCriticalSection(&h->lock);
    h->changed = CreateEventW(NULL, FALSE, FALSE, NULL);
    h->kick = CreateEventW(NULL, FALSE, FALSE, NULL);
    h->h = vdw_pipe_create(name, 65536, 0, 0, NULL);
    if (h->h == INVALID_HANDLE_VALUE)
        return -1;
    h->thread = CreateThread(NULL, 0, host_thread, h, 0, NULL);
    return h->thread ? 0 : -1;
}

void host_stop(fake_host *h)
{
    if (!h->thread)
        return;
    InterlockedExchange(&h->stop, 1);
    CancelIoEx(h->h, NULL);
    DisconnectNamedPipe(h->h);
    if (WaitForSingleObject(h->thread, 5000) != WAIT_OBJECT_0)
        TerminateThread(h->thread, 1);
    CloseHandle(h->thread);
    CloseHandle(h->h);
    CloseHandle(h->kick);
    h->thread = NULL;
}

void host_kick(fake_host *h)
{
    /* The host thread ends the connection with its one DisconnectNamedPipe. A
     * second one from here could land after the guest has already reopened (it
     * reopens at once) and cut that new connection off as well. */
    SetEvent(h->kick);
}

int host_snapshot(fake_host *h, int *connects, int *disconnects, int *errors)
{
    EnterCriticalSection(&h->lock);
    if (connects) *connects = h->connects;
    if (disconnects) *disconnects = h->disconnects;
    if (errors) *errors = h->errors;
    int c = h->connected;
    LeaveCriticalSection(&h->lock);
    return c;
}

int host_connects(fake_host *h)
{
    int c = 0;
    host_snapshot(h, &c, NULL, NULL);
    return c;
}

int host_disconnects(fake_host *h)
{
    int d = 0;
    host_snapshot(h, NULL, &d, NULL);
    return d;
}

int host_errors(fake_host *h, char *buf, size_t cap)
{
    EnterCriticalSection(&h->lock);
    int e = h->errors;
    snprintf(buf, cap, "%s", h->last_error);
    LeaveCriticalSection(&h->lock);
    return e;
}

int host_wait_count(fake_host *h, const int *field, int n, DWORD timeout_ms)
{
    ULONGLONG end = GetTickCount64() + timeout_ms;
    for (;;) {
        EnterCriticalSection(&h->lock);
        int v = *field;
        LeaveCriticalSection(&h->lock);
        if (v >= n)
            return 0;
        ULONGLONG now = GetTickCount64();
        if (now >= end)
            return -1;
        WaitForSingleObject(h->changed, (DWORD)(end - now < 100 ? end - now : 100));
    }
}

int host_next_msg(fake_host *h, host_msg *m, DWORD timeout_ms)
{
    ULONGLONG end = GetTickCount64() + timeout_ms;
    for (;;) {
        EnterCriticalSection(&h->lock);
        if (h->qn > 0) {
            *m = h->q[0];
            memmove(h->q, h->q + 1, (size_t)(--h->qn) * sizeof h->q[0]);
            LeaveCriticalSection(&h->lock);
            return 0;
        }
        LeaveCriticalSection(&h->lock);
        ULONGLONG now = GetTickCount64();
        if (now >= end)
            return -1;
        WaitForSingleObject(h->changed, (DWORD)(end - now < 100 ? end - now : 100));
    }
}

int host_write(fake_host *h, const void *data, size_t len, DWORD timeout_ms)
{
    vdw_ovio io;
    if (vdw_ovio_init(&io) != 0)
        return -1;
    const uint8_t *p = data;
    int rc = 0;
    while (len > 0 && rc == 0) {
        DWORD n = 0, err = vdw_ovio_write(&io, h->h, p, (DWORD)len);
        if (err == ERROR_SUCCESS)
            err = vdw_ovio_wait(&io, h->h, NULL, timeout_ms, &n);
        rc = err == ERROR_SUCCESS ? 0 : err == WAIT_TIMEOUT ? -2 : -1;
        p += n;
        len -= n;
    }
    vdw_ovio_free(&io);
    return rc;
}

int host_send_msg(fake_host *h, uint32_t port, uint32_t type, const void *data, uint32_t size)
{
    vda_msg_writer w;
    vda_msg_writer_init(&w, port, type, 0, data, size);
    static uint8_t buf[64 * VDA_CHUNK_MAX_WIRE];
    while (!vda_msg_writer_done(&w)) {
        size_t n = vda_msg_writer_next(&w, buf, sizeof buf);
        if (host_write(h, buf, n, 10000) != 0)
            return -1;
    }
    return 0;
}
