#include "pipe_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vdw_error.h"
#include "vdw_pipe.h"
#include "wire/pipe_proto.h"

static void mark_broken(vdg_pipe *p, const char *what, DWORD err)
{
    char msg[VDW_ERR_MAX];
    if (!p->broken)
        vda_warn(p->log, "pipe %s failed: %s: the service is gone", what,
                 vdw_err_str(err, msg, sizeof msg));
    p->broken = 1;
}

int vdg_pipe_open(vdg_pipe *p, const wchar_t *name, DWORD timeout_ms,
                     const vda_logger *log)
{
    memset(p, 0, sizeof *p);
    p->log = log;
    wchar_t path[300];
    char text[MAX_PATH * 3], msg[VDW_ERR_MAX];
    vdw_pipe_path(name, path, sizeof path / sizeof path[0]);
    DWORD err = ERROR_SUCCESS;
    p->h = vdw_pipe_open(path, FILE_FLAG_OVERLAPPED | VDW_PIPE_CLIENT_SQOS, timeout_ms, &err);
    if (p->h == INVALID_HANDLE_VALUE) {
        vda_error(log, "cannot open pipe %s: %s", vdw_narrow(path, text, sizeof text),
                  vdw_err_str(err, msg, sizeof msg));
        return -1;
    }
    if (vdw_ovio_init(&p->rd) != 0 || vdw_ovio_init(&p->wr) != 0) {
        vda_error(log, "CreateEvent failed: %s", vdw_last_err_str(msg, sizeof msg));
        vdg_pipe_close(p);
        return -1;
    }
    /* HELLO goes first: it is already in wbuf when the first write starts. */
    p->wlen = (DWORD)vda_pipe_control_encode(p->wbuf, VDA_PIPE_HELLO, GetCurrentProcessId());
    p->woff = 0;
    vdg_pipe_finish_write(p);  /* no write pending: this starts one */
    vda_info(log, "connected to pipe %s", vdw_narrow(path, text, sizeof text));
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
        vdw_ovio_cancel(&p->rd, p->h);
        vdw_ovio_cancel(&p->wr, p->h);
        CloseHandle(p->h);
    }
    p->h = INVALID_HANDLE_VALUE;
    vdw_ovio_free(&p->rd);
    vdw_ovio_free(&p->wr);
    free_queue(p);
}

void vdg_pipe_start_read(vdg_pipe *p)
{
    if (p->rd.pending || p->broken)
        return;
    DWORD err = vdw_ovio_read(&p->rd, p->h, p->rbuf, sizeof p->rbuf);
    if (err != ERROR_SUCCESS)
        mark_broken(p, "read", err);
}

DWORD vdg_pipe_finish_read(vdg_pipe *p)
{
    if (!p->rd.pending)
        return 0;
    DWORD n = 0, err = vdw_ovio_finish(&p->rd, p->h, &n);
    if (err == ERROR_SUCCESS || err == ERROR_MORE_DATA)
        return n;
    if (err != ERROR_IO_INCOMPLETE)
        mark_broken(p, "read", err);
    return 0;
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
    if (!p->wr.pending && !p->broken) {
        if (p->woff >= p->wlen)
            fill(p);
        if (p->wlen == 0)
            return;
        DWORD err = vdw_ovio_write(&p->wr, p->h, p->wbuf + p->woff, p->wlen - p->woff);
        if (err != ERROR_SUCCESS)
            mark_broken(p, "write", err);
    }
}

void vdg_pipe_finish_write(vdg_pipe *p)
{
    if (p->wr.pending) {
        DWORD n = 0, err = vdw_ovio_finish(&p->wr, p->h, &n);
        if (err == ERROR_IO_INCOMPLETE)
            return;
        if (err != ERROR_SUCCESS) {
            mark_broken(p, "write", err);
            return;
        }
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
    while (!p->broken && (p->wr.pending || p->head || p->woff < p->wlen)) {
        DWORD spent = GetTickCount() - start;
        if (spent >= timeout_ms)
            break;
        if (p->wr.pending && WaitForSingleObject(p->wr.ov.hEvent, timeout_ms - spent) != WAIT_OBJECT_0)
            break;
        vdg_pipe_finish_write(p);
    }
}
