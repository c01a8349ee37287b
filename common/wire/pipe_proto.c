#include "wire/pipe_proto.h"

#include <string.h>

#include "base/le_bytes.h"

size_t vda_pipe_control_encode(uint8_t *out, uint32_t cmd, uint32_t arg)
{
    vda_put_le32(out, VDA_PIPE_CONTROL_PORT);
    vda_put_le32(out + 4, VDA_PIPE_CTL_PAYLOAD);
    vda_put_le32(out + 8, VDA_PIPE_VERSION);
    vda_put_le32(out + 12, cmd);
    vda_put_le32(out + 16, arg);
    return VDA_PIPE_CTL_WIRE;
}

const char *vda_pipe_cmd_name(uint32_t cmd)
{
    switch (cmd) {
    case VDA_PIPE_HELLO: return "hello";
    case VDA_PIPE_STOP: return "stop";
    case VDA_PIPE_RESET: return "reset";
    default: return "unknown";
    }
}

void vda_pipe_reader_init(vda_pipe_reader *r, const vda_logger *log, const char *name)
{
    memset(r, 0, sizeof *r);
    vda_chunk_reader_init(&r->chunks, log, name, VDA_PIPE_CONTROL_PORT);
    r->log = log;
}

void vda_pipe_reader_reset(vda_pipe_reader *r)
{
    vda_chunk_reader_reset(&r->chunks);
    r->ctl_have = 0;
    r->ctl_bad = 0;
}

/* One piece of a control chunk: collect it; at the chunk's end, decode. */
static vda_status control_piece(vda_pipe_reader *r, const vda_chunk_piece *p, vda_pipe_event *ev)
{
    if (p->first) {
        r->ctl_have = 0;
        r->ctl_bad = p->chunk_size != VDA_PIPE_CTL_PAYLOAD;
    }
    if (!r->ctl_bad) {
        memcpy(r->ctl + r->ctl_have, p->data, p->len); /* fits: chunk_size == 12 */
        r->ctl_have += (uint32_t)p->len;
    }
    if (!p->last)
        return VDA_NEED_MORE;
    if (r->ctl_bad) {
        vda_warn(r->log, "%s: control chunk of %u bytes dropped (expected %u)", r->chunks.name,
                 p->chunk_size, VDA_PIPE_CTL_PAYLOAD);
        return VDA_ERR_BAD_CONTROL;
    }
    uint32_t version = vda_le32(r->ctl);
    uint32_t cmd = vda_le32(r->ctl + 4);
    if (version != VDA_PIPE_VERSION || cmd < VDA_PIPE_HELLO || cmd > VDA_PIPE_RESET) {
        vda_warn(r->log, "%s: control chunk version %u command %u dropped", r->chunks.name,
                 version, cmd);
        return VDA_ERR_BAD_CONTROL;
    }
    ev->kind = VDA_PIPE_EV_CONTROL;
    ev->cmd = cmd;
    ev->arg = vda_le32(r->ctl + 8);
    return VDA_OK;
}

vda_status vda_pipe_reader_next(vda_pipe_reader *r, const uint8_t **buf, size_t *len,
                                vda_pipe_event *ev)
{
    for (;;) {
        vda_chunk_piece p;
        vda_status st = vda_chunk_reader_next(&r->chunks, buf, len, &p);
        if (st != VDA_OK)
            return st;
        if (p.port != VDA_PIPE_CONTROL_PORT) {
            ev->kind = VDA_PIPE_EV_PIECE;
            ev->piece = p;
            return VDA_OK;
        }
        st = control_piece(r, &p, ev);
        if (st != VDA_NEED_MORE)
            return st;
    }
}
