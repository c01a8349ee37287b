#include "wire/msg_tracker.h"

#include <string.h>

#include "base/le_bytes.h"
#include "wire/msg_sizes.h"

void vda_msg_tracker_init(vda_msg_tracker *t)
{
    memset(t, 0, sizeof *t);
}

static vda_msg_track_port *port_of(vda_msg_tracker *t, uint32_t port)
{
    return port > 0 && port < VDP_END_PORT ? &t->port[port] : NULL;
}

int vda_msg_tracker_at_boundary(const vda_msg_tracker *t, uint32_t port)
{
    if (port == 0 || port >= VDP_END_PORT)
        return 1;
    return t->port[port].hdr_have == 0 && t->port[port].left == 0;
}

int vda_msg_tracker_chunk_start(vda_msg_tracker *t, uint32_t port, int open)
{
    vda_msg_track_port *p = port_of(t, port);
    if (p) {
        /* A header cut by the end of its chunk, or a bad one, ended there. */
        p->hdr_have = 0;
        p->junk = 0;
    }
    if (!p)
        t->chunk_forward = 0;
    else if (vda_msg_tracker_at_boundary(t, port))
        t->chunk_forward = open != 0;
    else
        t->chunk_forward = open && p->forward;
    return t->chunk_forward;
}

void vda_msg_tracker_feed(vda_msg_tracker *t, uint32_t port, const uint8_t *data, size_t len)
{
    vda_msg_track_port *p = port_of(t, port);
    if (!p)
        return;
    while (len > 0 && !p->junk) {
        if (p->left > 0) {
            size_t n = p->left < len ? (size_t)p->left : len;
            p->left -= n;
            data += n;
            len -= n;
            continue;
        }
        if (p->hdr_have == 0)
            p->forward = t->chunk_forward; /* a message starts here */
        size_t n = vda_msg_header_fill(p->hdr, &p->hdr_have, data, len);
        data += n;
        len -= n;
        if (p->hdr_have == sizeof p->hdr) {
            uint32_t size = vda_le32(p->hdr + offsetof(VDAgentMessage, size));
            p->hdr_have = 0;
            if (vda_le32(p->hdr) != VD_AGENT_PROTOCOL ||
                size > UINT32_MAX - (uint32_t)sizeof(VDAgentMessage))
                p->junk = 1; /* untrusted size: the message ends with this chunk */
            else
                p->left = size;
        }
    }
}

void vda_msg_tracker_drop_all(vda_msg_tracker *t)
{
    for (int i = 0; i < VDP_END_PORT; i++)
        t->port[i].forward = 0;
    t->chunk_forward = 0;
}
