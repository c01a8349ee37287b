#include "wire/chunk_reader.h"

#include <string.h>
#include <spice/vd_agent.h>

#include "base/le_bytes.h"

void vda_chunk_reader_init(vda_chunk_reader *r, const vda_logger *log, const char *name,
                           uint32_t extra_port)
{
    memset(r, 0, sizeof *r);
    r->log = log;
    r->name = name ? name : "stream";
    r->extra_port = extra_port;
}

void vda_chunk_reader_reset(vda_chunk_reader *r)
{
    r->hdr_have = 0;
    r->port = r->size = r->offset = 0;
    r->skip = 0;
    r->lost = 0;
}

int vda_chunk_reader_idle(const vda_chunk_reader *r)
{
    return r->hdr_have == 0 && !r->lost;
}

static int port_known(const vda_chunk_reader *r, uint32_t port)
{
    return port == VDP_CLIENT_PORT || port == VDP_SERVER_PORT ||
           (r->extra_port != 0 && port == r->extra_port);
}

/* Validates a complete header; on success the reader is inside the payload. */
static vda_status take_header(vda_chunk_reader *r)
{
    r->port = vda_le32(r->hdr);
    r->size = vda_le32(r->hdr + 4);
    r->offset = 0;
    r->skip = 0;
    if (r->size > VD_AGENT_MAX_DATA_SIZE) {
        r->lost = 1;
        vda_error(r->log, "%s: chunk header port %u size %u: size above %u, framing lost",
                  r->name, r->port, r->size, VD_AGENT_MAX_DATA_SIZE);
        return VDA_ERR_CHUNK_TOO_BIG;
    }
    if (r->size == 0) {
        r->hdr_have = 0;
        vda_warn(r->log, "%s: chunk with size 0 on port %u dropped", r->name, r->port);
        return VDA_ERR_CHUNK_SIZE_ZERO;
    }
    if (!port_known(r, r->port)) {
        r->skip = 1;
        vda_warn(r->log, "%s: chunk for unknown port %u (%u bytes) dropped", r->name, r->port,
                 r->size);
        return VDA_ERR_UNKNOWN_PORT;
    }
    return VDA_OK;
}

vda_status vda_chunk_reader_next(vda_chunk_reader *r, const uint8_t **buf, size_t *len,
                                 vda_chunk_piece *piece)
{
    if (r->lost)
        return VDA_ERR_FRAMING_LOST;
    for (;;) {
        if (r->hdr_have < sizeof r->hdr) {
            if (*len == 0)
                return VDA_NEED_MORE;
            size_t n = sizeof r->hdr - r->hdr_have;
            if (n > *len)
                n = *len;
            memcpy(r->hdr + r->hdr_have, *buf, n);
            r->hdr_have += (uint32_t)n;
            *buf += n;
            *len -= n;
            if (r->hdr_have < sizeof r->hdr)
                return VDA_NEED_MORE;
            vda_status st = take_header(r);
            if (st != VDA_OK)
                return st;
        }
        if (*len == 0)
            return VDA_NEED_MORE;
        size_t n = r->size - r->offset;
        if (n > *len)
            n = *len;
        piece->port = r->port;
        piece->chunk_size = r->size;
        piece->offset = r->offset;
        piece->data = *buf;
        piece->len = n;
        piece->first = r->offset == 0;
        r->offset += (uint32_t)n;
        piece->last = r->offset == r->size;
        *buf += n;
        *len -= n;
        if (piece->last)
            r->hdr_have = 0;
        if (!r->skip)
            return VDA_OK;
    }
}

vda_status vda_chunk_reader_next_usable(vda_chunk_reader *r, const uint8_t **buf, size_t *len,
                                        vda_chunk_piece *pc)
{
    for (;;) {
        vda_status st = vda_chunk_reader_next(r, buf, len, pc);
        if (st == VDA_OK || st == VDA_NEED_MORE)
            return st;
        if (st == VDA_ERR_CHUNK_TOO_BIG || st == VDA_ERR_FRAMING_LOST)
            return VDA_ERR_FRAMING_LOST;
    }
}

void vda_chunk_joiner_init(vda_chunk_joiner *j, const vda_logger *log, const char *name)
{
    vda_chunk_reader_init(&j->reader, log, name, 0);
    j->stage_len = 0;
}

void vda_chunk_joiner_reset(vda_chunk_joiner *j)
{
    vda_chunk_reader_reset(&j->reader);
    j->stage_len = 0;
}

vda_status vda_chunk_joiner_feed(vda_chunk_joiner *j, const uint8_t *buf, size_t len,
                                 vda_chunk_fn fn, void *ctx)
{
    for (;;) {
        vda_chunk_piece pc;
        vda_status st = vda_chunk_reader_next_usable(&j->reader, &buf, &len, &pc);
        if (st != VDA_OK)
            return st == VDA_NEED_MORE ? VDA_OK : st;
        if (pc.first && pc.last) {
            fn(ctx, pc.port, pc.data, pc.len);
            continue;
        }
        if (pc.first)
            j->stage_len = 0;
        memcpy(j->stage + j->stage_len, pc.data, pc.len); /* chunk_size <= max: fits */
        j->stage_len += pc.len;
        if (pc.last) {
            j->stage_len = 0;
            fn(ctx, pc.port, j->stage, pc.chunk_size);
        }
    }
}
