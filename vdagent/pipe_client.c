#include "pipe_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire/pipe_proto.h"

static void mark_broken(vdg_pipe *p, const char *what, DWORD err)
{
    if (!p->broken)
        vda_warn(p->log, "pipe %s failed (error %lu): the service is gone", what,
                 (unsigned long)err);
    p->broken = 1;
}

int vdg_pipe_open(vdg_pipe *p, const wchar_t *name, DWORD timeout_ms,
                     const vda_logger *log)
{
    memset(p, 0, sizeof *p);
    p->log = log;
    p->h = INVALID_HANDLE_VALUE;
    wchar_t path[300];
    _snwprintf(path, 299, L"\\\\.\\pipe\\%ls", name);
    path[299] = 0;
    DWORD start = GetTickCount();
    for (;;) {
        p->h = CreateFileW(path, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
                           FILE_FLAG_OVERLAPPED, NULL);
        if (p->h != INVALID_HANDLE_VALUE)
            break;
        DWORD err = GetLastError();
        if ((err != ERROR_PIPE_BUSY && err != ERROR_FILE_NOT_FOUND) ||
            GetTickCount() - start > timeout_ms) {
            vda_error(log, "cannot open pipe %ls (error %lu)", path, (unsigned long)err);
            return -1;
        }
        if (err == ERROR_PIPE_BUSY)
            WaitNamedPipeW(path, 200);
        else
            Sleep(50);
    }
    p->rd.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
    p->wr.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
    if (!p->rd.hEvent || !p->wr.hEvent) {
        vda_error(log, "CreateEvent failed (error %lu)", (unsigned long)GetLastError());
        vdg_pipe_close(p);
        return -1;
    }
    /* HELLO goes first: it is already in wbuf when the first write starts. */
    p->wlen = (DWORD)vda_pipe_control_encode(p->wbuf, VDA_PIPE_HELLO, GetCurrentProcessId());
    p->woff = 0;
    vdg_pipe_finish_write(p);  /* no write pending: this starts one */
    vda_info(log, "connected to pipe %ls", path);
    return 0;
}

static void free_queue(vdg_pipe *p)
{
    while (p->head) {
        vdg_out_msg *m = p->head;
        p->head = m->next;
        free(m->payload);
        free(m);
    }
    p->tail = NULL;
}

void vdg_pipe_close(vdg_pipe *p)
{
    if (p->h != INVALID_HANDLE_VALUE && p->h) {
        if (p->read_pending || p->write_pending) {
            CancelIoEx(p->h, NULL);
            DWORD n;
            if (p->read_pending)
                GetOverlappedResult(p->h, &p->rd, &n, TRUE);
            if (p->write_pending)
                GetOverlappedResult(p->h, &p->wr, &n, TRUE);
        }
        CloseHandle(p->h);
    }
    p->h = INVALID_HANDLE_VALUE;
    p->read_pending = p->write_pending = 0;
    if (p->rd.hEvent)
        CloseHandle(p->rd.hEvent);
    if (p->wr.hEvent)
        CloseHandle(p->wr.hEvent);
    p->rd.hEvent = p->wr.hEvent = NULL;
    free_queue(p);
}

void vdg_pipe_start_read(vdg_pipe *p)
{
    if (p->read_pending || p->broken)
        return;
    /* Completion (immediate or not) is always collected through the event. */
    if (!ReadFile(p->h, p->rbuf, sizeof p->rbuf, NULL, &p->rd)) {
        DWORD err = GetLastError();
        if (err != ERROR_IO_PENDING) {
            mark_broken(p, "read", err);
            return;
        }
    }
    p->read_pending = 1;
}

DWORD vdg_pipe_finish_read(vdg_pipe *p)
{
    if (!p->read_pending)
        return 0;
    DWORD n = 0;
    p->read_pending = 0;
    if (!GetOverlappedResult(p->h, &p->rd, &n, FALSE)) {
        DWORD err = GetLastError();
        if (err == ERROR_IO_INCOMPLETE) {
            p->read_pending = 1;
            return 0;
        }
        if (err != ERROR_MORE_DATA) {
            mark_broken(p, "read", err);
            return 0;
        }
    }
    return n;
}

/* Fills wbuf with whole chunks from the queue. */
static void fill(vdg_pipe *p)
{
    p->wlen = p->woff = 0;
    while (p->head) {
        vdg_out_msg *m = p->head;
        size_t n = vda_msg_writer_next(&m->w, p->wbuf + p->wlen, sizeof p->wbuf - p->wlen);
        p->wlen += (DWORD)n;
        if (!vda_msg_writer_done(&m->w))
            break;  /* wbuf full */
        p->head = m->next;
        if (!p->head)
            p->tail = NULL;
        /* Freed as soon as its last chunk is in wbuf: a big payload goes early. */
        free(m->payload);
        free(m);
    }
}

static void start_write(vdg_pipe *p)
{
    while (!p->write_pending && !p->broken) {
        if (p->woff >= p->wlen)
            fill(p);
        if (p->wlen == 0)
            return;
        if (!WriteFile(p->h, p->wbuf + p->woff, p->wlen - p->woff, NULL, &p->wr)) {
            DWORD err = GetLastError();
            if (err != ERROR_IO_PENDING) {
                mark_broken(p, "write", err);
                return;
            }
        }
        p->write_pending = 1;
    }
}

void vdg_pipe_finish_write(vdg_pipe *p)
{
    if (p->write_pending) {
        DWORD n = 0;
        if (!GetOverlappedResult(p->h, &p->wr, &n, FALSE)) {
            DWORD err = GetLastError();
            if (err == ERROR_IO_INCOMPLETE)
                return;
            p->write_pending = 0;
            mark_broken(p, "write", err);
            return;
        }
        p->write_pending = 0;
        p->woff += n;
    }
    start_write(p);
}

int vdg_pipe_send(vdg_pipe *p, uint32_t port, uint32_t type, uint8_t *payload,
                     uint32_t size)
{
    if (p->broken) {
        free(payload);
        return -1;
    }
    vdg_out_msg *m = malloc(sizeof *m);
    if (!m) {
        vda_error(p->log, "out of memory queueing a message (type %u)", type);
        free(payload);
        return -1;
    }
    m->next = NULL;
    m->payload = payload;
    vda_msg_writer_init(&m->w, port, type, 0, payload, size);
    if (p->tail)
        p->tail->next = m;
    else
        p->head = m;
    p->tail = m;
    start_write(p);
    return 0;
}

size_t vdg_pipe_queued(const vdg_pipe *p)
{
    size_t n = p->wlen - p->woff;
    for (const vdg_out_msg *m = p->head; m; m = m->next)
        n += (size_t)(sizeof(VDAgentMessage) + m->w.size - m->w.pos);
    return n;
}

void vdg_pipe_flush(vdg_pipe *p, DWORD timeout_ms)
{
    DWORD start = GetTickCount();
    while (!p->broken && (p->write_pending || p->head || p->woff < p->wlen)) {
        DWORD spent = GetTickCount() - start;
        if (spent >= timeout_ms)
            break;
        if (p->write_pending && WaitForSingleObject(p->wr.hEvent, timeout_ms - spent) != WAIT_OBJECT_0)
            break;
        vdg_pipe_finish_write(p);
    }
}
