#include "service/role_fwd.h"

#include <string.h>

#include "base/le_bytes.h"

static void put_header(uint8_t *h, uint32_t port, uint32_t size)
{
    vda_put_le32(h, port);
    vda_put_le32(h + 4, size);
}

/* One chunk (header + data) into a queue, all or nothing. */
static void push_chunk(vda_rfwd *f, vda_ring *q, uint32_t port, const uint8_t *data, size_t len,
                       const char *what)
{
    uint8_t h[8];
    put_header(h, port, (uint32_t)len);
    if (vda_ring_space(q) < sizeof h + len) {
        /* Cannot happen when the caller checks VDA_RFWD_ROOM. */
        vda_error(f->log, "%s queue overrun: chunk dropped", what);
        f->overrun = 1;
        return;
    }
    vda_ring_push(q, h, sizeof h);
    vda_ring_push(q, data, len);
}

static void split_emit(void *ctx, unsigned roles, uint32_t port, const uint8_t *data, size_t len)
{
    vda_rfwd *f = ctx;
    for (unsigned r = 0; r < VDA_ROLE_COUNT; r++)
        if ((roles & VDA_ROLE_BIT(r)) && f->role[r].up)
            push_chunk(f, &f->role[r].to_agent, port, data, len, "device -> agent");
}

static void merge_emit(void *ctx, uint32_t port, const uint8_t *data, size_t len)
{
    vda_rfwd *f = ctx;
    push_chunk(f, &f->to_device, port, data, len, "agent -> device");
}

/* The composed announcement, when it changed and the client port is free. */
static void flush_announce(vda_rfwd *f)
{
    uint8_t a[VDA_MERGE_ANNOUNCE_MAX];
    size_t n = vda_role_merge_take_announce(&f->merge, a);
    if (n)
        push_chunk(f, &f->to_device, VDP_CLIENT_PORT, a, n, "agent -> device");
}

int vda_rfwd_init(vda_rfwd *f, const vda_logger *log, size_t to_agent_cap, size_t to_device_cap,
                  uint32_t max_msg)
{
    memset(f, 0, sizeof *f);
    f->log = log;
    vda_chunk_joiner_init(&f->dev, log, "device");
    vda_role_split_init(&f->split, max_msg, split_emit, f, log);
    vda_role_merge_init(&f->merge, merge_emit, f, log);
    vda_role_merge_port_closed(&f->merge);
    int bad = vda_ring_init(&f->to_device, to_device_cap) != 0;
    for (unsigned r = 0; r < VDA_ROLE_COUNT; r++) {
        vda_pipe_reader_init(&f->role[r].pipe_reader, log,
                             r == VDA_ROLE_SYSTEM ? "system role pipe" : "user role pipe");
        bad |= vda_ring_init(&f->role[r].to_agent, to_agent_cap) != 0;
    }
    if (bad) {
        vda_rfwd_free(f);
        return -1;
    }
    return 0;
}

void vda_rfwd_free(vda_rfwd *f)
{
    vda_ring_free(&f->to_device);
    for (unsigned r = 0; r < VDA_ROLE_COUNT; r++)
        vda_ring_free(&f->role[r].to_agent);
}

static void split_chunk(void *ctx, uint32_t port, const uint8_t *data, size_t n)
{
    vda_role_split_chunk(ctx, port, data, n);
}

vda_status vda_rfwd_from_device(vda_rfwd *f, const uint8_t *buf, size_t len)
{
    /* The split takes whole chunks: a chunk boundary resynchronises it after a
     * bad header. */
    return vda_chunk_joiner_feed(&f->dev, buf, len, split_chunk, &f->split);
}

void vda_rfwd_role_input(vda_rfwd *f, vda_role r, const uint8_t *buf, size_t len)
{
    vda_rfwd_role *ro = &f->role[r];
    ro->rest = buf;
    ro->rest_len = len;
}

int vda_rfwd_role_pending(const vda_rfwd *f, vda_role r)
{
    return f->role[r].hold_len > 0 || f->role[r].rest_len > 0;
}

/* Offers the held piece to the merge; 0 when all of it was taken. */
static int offer_hold(vda_rfwd *f, vda_role r)
{
    vda_rfwd_role *ro = &f->role[r];
    size_t n = vda_role_merge_feed(&f->merge, r, ro->hold_port, ro->hold, ro->hold_len);
    ro->hold += n;
    ro->hold_len -= n;
    if (n)
        flush_announce(f);
    return ro->hold_len > 0;
}

int vda_rfwd_role_next(vda_rfwd *f, vda_role r, uint32_t *cmd, uint32_t *arg)
{
    vda_rfwd_role *ro = &f->role[r];
    for (;;) {
        if (ro->hold_len > 0 && offer_hold(f, r))
            return VDA_RFWD_BLOCKED;
        if (ro->rest_len == 0)
            return VDA_NEED_MORE;
        vda_pipe_event ev;
        vda_status st = vda_pipe_reader_next(&ro->pipe_reader, &ro->rest, &ro->rest_len, &ev);
        if (st == VDA_NEED_MORE)
            return VDA_NEED_MORE;
        if (st == VDA_ERR_CHUNK_TOO_BIG || st == VDA_ERR_FRAMING_LOST)
            return VDA_ERR_FRAMING_LOST;
        if (st != VDA_OK)
            continue; /* logged by the reader */
        if (ev.kind == VDA_PIPE_EV_CONTROL) {
            *cmd = ev.cmd;
            *arg = ev.arg;
            return VDA_OK;
        }
        ro->hold_port = ev.piece.port;
        ro->hold = ev.piece.data;
        ro->hold_len = ev.piece.len;
    }
}

int vda_rfwd_control(vda_rfwd *f, vda_role r, uint32_t cmd, uint32_t arg)
{
    uint8_t c[VDA_PIPE_CTL_WIRE];
    vda_ring *q = &f->role[r].to_agent;
    if (vda_ring_space(q) < sizeof c)
        return -1;
    vda_pipe_control_encode(c, cmd, arg);
    return vda_ring_push(q, c, sizeof c);
}

static void clear_role(vda_rfwd *f, vda_role r)
{
    vda_rfwd_role *ro = &f->role[r];
    vda_ring_clear(&ro->to_agent);
    vda_pipe_reader_reset(&ro->pipe_reader);
    ro->hold = ro->rest = NULL;
    ro->hold_len = ro->rest_len = 0;
}

void vda_rfwd_role_up(vda_rfwd *f, vda_role r)
{
    clear_role(f, r);
    f->role[r].up = 1;
    vda_role_split_role_joined(&f->split, VDA_ROLE_BIT(r));
    vda_role_merge_role_up(&f->merge, r);
}

int vda_rfwd_role_down(vda_rfwd *f, vda_role r)
{
    clear_role(f, r);
    f->role[r].up = 0;
    int torn = vda_role_merge_role_down(&f->merge, r);
    if (torn == 0)
        flush_announce(f); /* its caps leave; on -1 the port restart announces */
    return torn;
}

void vda_rfwd_port_closed(vda_rfwd *f)
{
    vda_ring_clear(&f->to_device);
    vda_chunk_joiner_reset(&f->dev);
    vda_role_split_reset(&f->split);
    vda_role_merge_port_closed(&f->merge);
}

void vda_rfwd_port_opened(vda_rfwd *f)
{
    vda_role_merge_port_opened(&f->merge);
    flush_announce(f);
}
