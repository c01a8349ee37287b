#include "port_model.h"

#include <stdlib.h>
#include <string.h>

#include "service/port_retry.h"
#include "wire/chunk_writer.h"

static vda_logger quiet = { VDA_LOG_ERROR, NULL, NULL, "port_model" };

static int host_connected(const port_model *m)
{
    return m->host_present && GetTickCount64() >= m->opened_at + m->connect_lag_ms;
}

static DWORD removed_error(const port_model *m)
{
    return m->old_driver ? ERROR_BAD_COMMAND : VDA_WERR_OBJECT_NO_LONGER_EXISTS; /* mingw lacks the names */
}

/* The request completes now (the event is set; finish reports it). */
static void complete(model_xfer *x, DWORD result, DWORD n)
{
    x->done = 1;
    x->result = result;
    x->n = n;
    SetEvent(x->io->ov.hEvent);
}

static void start(model_xfer *x, vdw_ovio *io, void *buf, DWORD len)
{
    ResetEvent(io->ov.hEvent);
    io->pending = 1;
    x->io = io;
    x->buf = buf;
    x->len = len;
    x->done = 0;
}

/* A read that can complete: data waiting. Called under the lock. */
static void feed_read(port_model *m)
{
    model_xfer *x = &m->rd;
    if (!x->io || x->done || m->in_len == 0)
        return;
    DWORD n = m->in_len < x->len ? (DWORD)m->in_len : x->len;
    memcpy(x->buf, m->in, n);
    memmove(m->in, m->in + n, m->in_len - n);
    m->in_len -= n;
    complete(x, ERROR_SUCCESS, n);
}

/* The host consumes what the guest wrote: whole messages into q. */
static void consume(port_model *m, const uint8_t *p, size_t len)
{
    vda_chunk_piece pc;
    vda_status st;
    while ((st = vda_chunk_reader_next(&m->cr, &p, &len, &pc)) != VDA_NEED_MORE) {
        if (st != VDA_OK) {
            m->errors++;
            if (st == VDA_ERR_FRAMING_LOST)
                return;
            continue;
        }
        vda_message msg;
        st = vda_reasm_feed(&m->ra, &pc, &msg);
        if (st == VDA_NEED_MORE)
            continue;
        if (st != VDA_MSG_READY || m->qn == (int)(sizeof m->q / sizeof m->q[0])) {
            m->errors++;
            if (st == VDA_MSG_READY)
                free(msg.data);
            continue;
        }
        model_msg *q = &m->q[m->qn++];
        q->port = msg.port;
        q->type = msg.type;
        q->size = msg.size;
        q->data = msg.data;
        SetEvent(m->changed);
    }
}

static HANDLE op_open(void *ctx, const wchar_t *path, DWORD *err)
{
    (void)path;
    port_model *m = ctx;
    HANDLE h = INVALID_HANDLE_VALUE;
    EnterCriticalSection(&m->lock);
    m->open_attempts++;
    if (!m->present) {
        *err = ERROR_FILE_NOT_FOUND;
    } else if (m->handle || m->other_opener) {
        *err = ERROR_ALREADY_EXISTS; /* STATUS_OBJECT_NAME_EXISTS: one opener at a time */
    } else {
        m->generation++;
        h = m->handle = (HANDLE)(uintptr_t)(0x10000u + m->generation * 16u);
        m->opened_at = GetTickCount64();
        m->opens++;
        m->rd.io = m->wr.io = NULL;
        /* A new opening starts a new stream, as spice-server sees it. */
        vda_chunk_reader_init(&m->cr, &quiet, "model", 0);
        vda_reasm_free(&m->ra);
        vda_reasm_init(&m->ra, 64u << 20, &quiet);
        *err = ERROR_SUCCESS;
        SetEvent(m->changed);
    }
    LeaveCriticalSection(&m->lock);
    return h;
}

static DWORD op_read(void *ctx, vdw_ovio *io, HANDLE h, void *buf, DWORD len)
{
    port_model *m = ctx;
    DWORD err = ERROR_SUCCESS;
    EnterCriticalSection(&m->lock);
    m->io_calls++;
    if (h != m->handle)
        err = ERROR_INVALID_HANDLE;
    else if (m->removed)
        err = removed_error(m);
    else if (m->in_len == 0 && !host_connected(m)) {
        err = ERROR_NO_SYSTEM_RESOURCES;
        m->refused_reads++;
    } else {
        start(&m->rd, io, buf, len);
        feed_read(m); /* data waiting: at once; else it pends */
    }
    LeaveCriticalSection(&m->lock);
    return err;
}

static DWORD op_write(void *ctx, vdw_ovio *io, HANDLE h, const void *buf, DWORD len)
{
    port_model *m = ctx;
    DWORD err = ERROR_SUCCESS;
    EnterCriticalSection(&m->lock);
    m->io_calls++;
    if (h != m->handle) {
        err = ERROR_INVALID_HANDLE;
    } else if (m->removed) {
        err = removed_error(m);
    } else if (!host_connected(m) || m->queue_full) {
        err = m->old_driver ? ERROR_NO_SYSTEM_RESOURCES : VDA_WERR_CANT_WAIT;
        m->refused_writes++;
    } else {
        start(&m->wr, io, (void *)buf, len);
        consume(m, buf, len);
        complete(&m->wr, ERROR_SUCCESS, len);
    }
    LeaveCriticalSection(&m->lock);
    return err;
}

static model_xfer *xfer_of(port_model *m, vdw_ovio *io)
{
    return m->rd.io == io ? &m->rd : m->wr.io == io ? &m->wr : NULL;
}

static DWORD op_finish(void *ctx, vdw_ovio *io, HANDLE h, DWORD *n)
{
    (void)h;
    port_model *m = ctx;
    DWORD err;
    *n = 0;
    EnterCriticalSection(&m->lock);
    model_xfer *x = xfer_of(m, io);
    if (!x) {
        io->pending = 0;
        err = ERROR_INVALID_HANDLE;
    } else if (!x->done) {
        err = ERROR_IO_INCOMPLETE;
    } else {
        io->pending = 0;
        x->io = NULL;
        *n = x->n;
        err = x->result;
    }
    LeaveCriticalSection(&m->lock);
    return err;
}

static void op_cancel(void *ctx, vdw_ovio *io, HANDLE h)
{
    (void)h;
    port_model *m = ctx;
    EnterCriticalSection(&m->lock);
    model_xfer *x = xfer_of(m, io);
    if (x)
        x->io = NULL;
    io->pending = 0;
    ResetEvent(io->ov.hEvent);
    LeaveCriticalSection(&m->lock);
}

static void op_close(void *ctx, HANDLE h)
{
    port_model *m = ctx;
    EnterCriticalSection(&m->lock);
    if (h == m->handle) {
        m->handle = NULL;
        m->closes++;
        m->removed = 0;
        m->in_len = 0; /* the host's state for that opening ends with it */
        SetEvent(m->changed);
    }
    LeaveCriticalSection(&m->lock);
}

const vds_port_ops port_model_ops = { op_open, op_read, op_write, op_finish, op_cancel, op_close };

int model_init(port_model *m, int old_driver)
{
    memset(m, 0, sizeof *m);
    InitializeCriticalSection(&m->lock);
    m->changed = CreateEventW(NULL, FALSE, FALSE, NULL);
    m->old_driver = old_driver;
    m->present = m->host_present = 1;
    m->in_cap = 4u << 20;
    m->in = malloc(m->in_cap);
    vda_chunk_reader_init(&m->cr, &quiet, "model", 0);
    vda_reasm_init(&m->ra, 64u << 20, &quiet);
    return m->changed && m->in ? 0 : -1;
}

void model_free(port_model *m)
{
    for (int i = 0; i < m->qn; i++)
        free(m->q[i].data);
    vda_reasm_free(&m->ra);
    free(m->in);
    CloseHandle(m->changed);
    DeleteCriticalSection(&m->lock);
}

void model_host_send(port_model *m, uint32_t port, uint32_t type, const void *data, uint32_t size)
{
    vda_msg_writer w;
    vda_msg_writer_init(&w, port, type, 0, data, size);
    EnterCriticalSection(&m->lock);
    while (!vda_msg_writer_done(&w) && m->in_len + VDA_CHUNK_MAX_WIRE <= m->in_cap)
        m->in_len += vda_msg_writer_next(&w, m->in + m->in_len, VDA_CHUNK_MAX_WIRE);
    if (!vda_msg_writer_done(&w))
        m->errors++; /* the test sent more than the model holds */
    feed_read(m);
    LeaveCriticalSection(&m->lock);
}

int model_next_msg(port_model *m, uint32_t type, DWORD timeout_ms, model_msg *out)
{
    ULONGLONG end = GetTickCount64() + timeout_ms;
    for (;;) {
        EnterCriticalSection(&m->lock);
        while (m->qn > 0) {
            model_msg q = m->q[0];
            memmove(m->q, m->q + 1, (size_t)(--m->qn) * sizeof m->q[0]);
            if (q.type == type) {
                LeaveCriticalSection(&m->lock);
                *out = q;
                return 0;
            }
            free(q.data);
        }
        LeaveCriticalSection(&m->lock);
        ULONGLONG now = GetTickCount64();
        if (now >= end)
            return -1;
        WaitForSingleObject(m->changed, (DWORD)(end - now < 100 ? end - now : 100));
    }
}

void model_set(port_model *m, int *field, int value)
{
    EnterCriticalSection(&m->lock);
    *field = value;
    LeaveCriticalSection(&m->lock);
}

void model_remove(port_model *m)
{
    EnterCriticalSection(&m->lock);
    m->present = 0;
    if (m->handle) {
        m->removed = 1;
        if (m->rd.io && !m->rd.done)
            complete(&m->rd, removed_error(m), 0);
    }
    LeaveCriticalSection(&m->lock);
}

void model_suspend(port_model *m)
{
    EnterCriticalSection(&m->lock);
    m->in_len = 0;
    if (m->wr.io && !m->wr.done)
        complete(&m->wr, ERROR_SUCCESS, m->wr.len); /* dropped, yet reported written */
    LeaveCriticalSection(&m->lock);
}

unsigned model_get(port_model *m, const unsigned *counter)
{
    EnterCriticalSection(&m->lock);
    unsigned v = *counter;
    LeaveCriticalSection(&m->lock);
    return v;
}

int model_is_open(port_model *m)
{
    EnterCriticalSection(&m->lock);
    int o = m->handle != NULL;
    LeaveCriticalSection(&m->lock);
    return o;
}
