#include "wire/reassembly.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/le_bytes.h"
#include "wire/msg_sizes.h"

#define HDR_SIZE ((uint32_t)sizeof(VDAgentMessage))

void vda_reasm_init(vda_reasm *a, uint32_t max_size, const vda_logger *log)
{
    memset(a, 0, sizeof *a);
    a->max_size = max_size;
    a->log = log;
}

static void clear_port(vda_port_reasm *p)
{
    free(p->buf);
    memset(p, 0, sizeof *p);
}

void vda_reasm_free(vda_reasm *a)
{
    for (int i = 0; i < VDP_END_PORT; i++)
        clear_port(&a->port[i]);
}

static int valid_port(uint32_t port)
{
    return port == VDP_CLIENT_PORT || port == VDP_SERVER_PORT;
}

void vda_reasm_reset_port(vda_reasm *a, uint32_t port)
{
    if (valid_port(port))
        clear_port(&a->port[port]);
}

int vda_reasm_idle(const vda_reasm *a, uint32_t port)
{
    if (!valid_port(port))
        return 1;
    const vda_port_reasm *p = &a->port[port];
    return p->hdr_have == 0 && p->skip_left == 0 && !p->drop_chunk;
}

/* Drops the current message with one log line; `left` more bytes of it will be
 * skipped, and with drop_chunk the rest of the current chunk too. */
static vda_status drop(vda_reasm *a, vda_port_reasm *p, uint32_t port, uint64_t left,
                       int drop_chunk, vda_status why, const char *detail)
{
    vda_warn(a->log, "port %u: %s message (type %u, size %u) dropped: %s%s", port,
             vda_msg_type_name(p->type), p->type, p->size, vda_status_str(why), detail);
    clear_port(p);
    p->skip_left = left;
    p->drop_chunk = drop_chunk;
    return why;
}

/* The header cannot be trusted: the rest of the chunk goes, and each following
 * chunk start is tried as a header. One line per loss of step, not per chunk. */
static vda_status framing_error(vda_reasm *a, vda_port_reasm *p, uint32_t port,
                                const vda_chunk_piece *pc, vda_status why, const char *detail)
{
    int quiet = p->resync;
    uint32_t dropped = p->resync_dropped;
    if (!quiet)
        vda_warn(a->log, "port %u: framing error: %s%s; the rest of the chunk is dropped and "
                 "the next chunk is read as a message header", port, vda_status_str(why), detail);
    clear_port(p);
    p->resync = 1;
    p->resync_dropped = dropped + 1;
    p->drop_chunk = !pc->last;
    return why;
}

/* Header complete: validate it and get the buffer. */
static vda_status start_message(vda_reasm *a, vda_port_reasm *p, uint32_t port,
                                const vda_chunk_piece *pc)
{
    uint32_t protocol = vda_le32(p->hdr);
    p->type = vda_le32(p->hdr + 4);
    p->opaque = vda_le64(p->hdr + 8);
    p->size = vda_le32(p->hdr + 16);
    p->have = 0;
    char detail[80];
    if (protocol != VD_AGENT_PROTOCOL) {
        snprintf(detail, sizeof detail, " (%u, expected %u)", protocol, VD_AGENT_PROTOCOL);
        return framing_error(a, p, port, pc, VDA_ERR_BAD_PROTOCOL, detail);
    }
    if (p->size > UINT32_MAX - HDR_SIZE) {
        snprintf(detail, sizeof detail, " (type %u announces %u bytes)", p->type, p->size);
        return framing_error(a, p, port, pc, VDA_ERR_SIZE_OVERFLOW, detail);
    }
    if (p->resync) {
        vda_info(a->log, "port %u: back in step at a %s message, %u chunk(s) dropped", port,
                 vda_msg_type_name(p->type), p->resync_dropped);
        p->resync = 0;
        p->resync_dropped = 0;
    }
    if (p->size > a->max_size)
        return drop(a, p, port, p->size, 0, VDA_ERR_MSG_TOO_BIG, "");
    if (p->size < vda_msg_min_size(p->type))
        return drop(a, p, port, p->size, 0, VDA_ERR_MSG_TOO_SHORT, "");
    if (p->size > 0) {
        p->buf = malloc(p->size);
        if (!p->buf)
            return drop(a, p, port, p->size, 0, VDA_ERR_NO_MEMORY, "");
    }
    return VDA_OK;
}

static void hand_out(vda_port_reasm *p, uint32_t port, vda_message *out)
{
    out->port = port;
    out->type = p->type;
    out->opaque = p->opaque;
    out->size = p->size;
    out->data = p->buf;
    p->buf = NULL;
    clear_port(p);
}

vda_status vda_reasm_feed(vda_reasm *a, const vda_chunk_piece *pc, vda_message *out)
{
    if (!valid_port(pc->port)) {
        vda_warn(a->log, "reassembly: piece for unknown port %u dropped", pc->port);
        return VDA_ERR_UNKNOWN_PORT;
    }
    uint32_t port = pc->port;
    vda_port_reasm *p = &a->port[port];
    const uint8_t *d = pc->data;
    size_t n = pc->len;

    if (p->drop_chunk) {
        if (pc->first) {
            p->drop_chunk = 0; /* a new chunk: it starts a new message */
        } else {
            if (pc->last)
                p->drop_chunk = 0;
            return VDA_NEED_MORE;
        }
    }
    if (p->skip_left > 0) {
        uint64_t k = n < p->skip_left ? n : p->skip_left;
        p->skip_left -= k;
        d += k;
        n -= (size_t)k;
        if (p->skip_left > 0 || (n == 0 && pc->last))
            return VDA_NEED_MORE;
        /* The dropped message ended inside this chunk: the chunk overruns it. */
        p->drop_chunk = !pc->last;
        vda_warn(a->log, "port %u: chunk runs past the end of a dropped message", port);
        return VDA_ERR_CHUNK_OVERRUN;
    }
    if (p->hdr_have == 0 && !pc->first)
        return framing_error(a, p, port, pc, VDA_ERR_ORPHAN_PIECE, "");
    if (p->hdr_have < HDR_SIZE) {
        size_t k = HDR_SIZE - p->hdr_have;
        if (k > n)
            k = n;
        memcpy(p->hdr + p->hdr_have, d, k);
        p->hdr_have += (uint32_t)k;
        d += k;
        n -= k;
        if (p->hdr_have < HDR_SIZE) {
            if (!pc->last)
                return VDA_NEED_MORE;
            char detail[40];
            snprintf(detail, sizeof detail, " (%u of %u bytes)", p->hdr_have, HDR_SIZE);
            return framing_error(a, p, port, pc, VDA_ERR_TRUNCATED_HEADER, detail);
        }
        vda_status st = start_message(a, p, port, pc);
        if (st != VDA_OK) {
            /* Skip the dropped message's payload that is in this piece; if the
             * message ends inside this chunk, the rest of the chunk goes too. */
            uint64_t k2 = n < p->skip_left ? n : p->skip_left;
            p->skip_left -= k2;
            if (p->skip_left == 0)
                p->drop_chunk = !pc->last;
            return st;
        }
    }
    uint32_t want = p->size - p->have;
    if (n > want)
        return drop(a, p, port, 0, !pc->last, VDA_ERR_CHUNK_OVERRUN, "");
    if (n > 0) {
        memcpy(p->buf + p->have, d, n);
        p->have += (uint32_t)n;
    }
    if (p->have < p->size)
        return VDA_NEED_MORE;
    /* Complete. The chunk must end here too: a chunk never spans messages. */
    if (!pc->last)
        return drop(a, p, port, 0, 1, VDA_ERR_CHUNK_OVERRUN, "");
    hand_out(p, port, out);
    return VDA_MSG_READY;
}
