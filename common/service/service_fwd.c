#include "service/service_fwd.h"

#include <string.h>

#include "base/le_bytes.h"

int vda_fwd_init(vda_fwd *f, const vda_logger *log, size_t to_agent_cap, size_t to_device_cap)
{
    memset(f, 0, sizeof *f);
    f->log = log;
    vda_chunk_joiner_init(&f->dev, log, "device");
    vda_pipe_reader_init(&f->pipe_reader, log, "agent pipe");
    vda_msg_tracker_init(&f->tracker);
    if (vda_ring_init(&f->to_agent, to_agent_cap) != 0 ||
        vda_ring_init(&f->to_device, to_device_cap) != 0) {
        vda_fwd_free(f);
        return -1;
    }
    return 0;
}

void vda_fwd_free(vda_fwd *f)
{
    vda_ring_free(&f->to_agent);
    vda_ring_free(&f->to_device);
}

static void put_header(uint8_t *h, uint32_t port, uint32_t size)
{
    vda_put_le32(h, port);
    vda_put_le32(h + 4, size);
}

/* A whole chunk from the device, queued whole for the agent. */
static void queue_chunk(void *ctx, uint32_t port, const uint8_t *data, size_t n)
{
    vda_fwd *f = ctx;
    uint8_t h[8];
    put_header(h, port, (uint32_t)n);
    if (vda_ring_space(&f->to_agent) < sizeof h + n) {
        vda_error(f->log, "device -> agent queue overrun: chunk dropped");
        return; /* cannot happen when the caller checks the room */
    }
    vda_ring_push(&f->to_agent, h, sizeof h);
    vda_ring_push(&f->to_agent, data, n);
}

vda_status vda_fwd_from_device(vda_fwd *f, const uint8_t *buf, size_t len)
{
    return vda_chunk_joiner_feed(&f->dev, buf, len, queue_chunk, f);
}

vda_status vda_fwd_from_agent(vda_fwd *f, const uint8_t **buf, size_t *len, int port_open,
                              uint32_t *cmd, uint32_t *arg)
{
    for (;;) {
        vda_pipe_event ev;
        vda_status st = vda_pipe_reader_next(&f->pipe_reader, buf, len, &ev);
        if (st == VDA_NEED_MORE)
            return VDA_NEED_MORE;
        if (st == VDA_ERR_CHUNK_TOO_BIG || st == VDA_ERR_FRAMING_LOST)
            return VDA_ERR_FRAMING_LOST;
        if (st != VDA_OK)
            continue;
        if (ev.kind == VDA_PIPE_EV_CONTROL) {
            *cmd = ev.cmd;
            *arg = ev.arg;
            return VDA_OK;
        }
        const vda_chunk_piece *pc = &ev.piece;
        if (pc->first) {
            int starts_msg = vda_msg_tracker_at_boundary(&f->tracker, pc->port);
            if (vda_msg_tracker_chunk_start(&f->tracker, pc->port, port_open)) {
                uint8_t h[8];
                put_header(h, pc->port, pc->chunk_size);
                if (vda_ring_push(&f->to_device, h, sizeof h) != 0) {
                    vda_error(f->log, "agent -> device queue overrun: message dropped");
                    vda_msg_tracker_drop_all(&f->tracker);
                }
            } else if (starts_msg && !port_open) {
                /* One line per message (its later chunks follow its fate). */
                vda_warn(f->log, "agent -> device: message on port %u dropped: the port is "
                         "not open (no HELLO yet, or it is being reopened)", pc->port);
            }
        }
        vda_msg_tracker_feed(&f->tracker, pc->port, pc->data, pc->len);
        if (f->tracker.chunk_forward && port_open &&
            vda_ring_push(&f->to_device, pc->data, pc->len) != 0) {
            /* Cannot happen when the caller checks the room; if it did, the
             * device would get a short chunk: better to reset the port. */
            vda_error(f->log, "agent -> device queue overrun");
            return VDA_ERR_FRAMING_LOST;
        }
    }
}

int vda_fwd_control(vda_fwd *f, uint32_t cmd, uint32_t arg)
{
    uint8_t c[VDA_PIPE_CTL_WIRE];
    if (vda_ring_space(&f->to_agent) < sizeof c)
        return -1;
    vda_pipe_control_encode(c, cmd, arg);
    return vda_ring_push(&f->to_agent, c, sizeof c);
}

void vda_fwd_port_closed(vda_fwd *f)
{
    vda_ring_clear(&f->to_device);
    vda_chunk_joiner_reset(&f->dev);
    vda_msg_tracker_drop_all(&f->tracker);
}

void vda_fwd_reset(vda_fwd *f)
{
    vda_fwd_port_closed(f);
    vda_ring_clear(&f->to_agent);
    vda_pipe_reader_reset(&f->pipe_reader);
    vda_msg_tracker_init(&f->tracker);
}
