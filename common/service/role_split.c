#include "service/role_split.h"

#include <inttypes.h>
#include <string.h>

#include "base/le_bytes.h"
#include "service/role_route.h"
#include "wire/msg_sizes.h"

void vda_role_split_init(vda_role_split *s, uint32_t max_size, vda_split_emit emit, void *ctx,
                         const vda_logger *log)
{
    memset(s, 0, sizeof *s);
    s->max_size = max_size;
    s->emit = emit;
    s->ctx = ctx;
    s->log = log;
}

void vda_role_split_reset(vda_role_split *s)
{
    memset(s->port, 0, sizeof s->port);
}

/* The header is complete: decide where the message goes and pass the header on. */
static void header_done(vda_role_split *s, uint32_t port, vda_split_port *p)
{
    uint32_t type = vda_le32(p->hdr + 4);
    uint32_t size = vda_le32(p->hdr + 16);
    p->hdr_have = 0;
    if (size > s->max_size) {
        vda_warn(s->log, "port %" PRIu32 ": %s header announces %" PRIu32 " bytes, above "
                 "the limit of %" PRIu32 ": dropped with the rest of its chunk; the next "
                 "chunk starts a new message", port, vda_msg_type_name(type), size,
                 s->max_size);
        p->skip_chunk = 1;
        p->left = 0;
        return;
    }
    p->roles = vda_role_route(type);
    p->left = size;
    if (!p->roles)
        vda_warn(s->log, "port %" PRIu32 ": %s (%" PRIu32 " bytes) is for no agent role: "
                 "dropped", port, vda_msg_type_name(type), size);
    else
        s->emit(s->ctx, p->roles, port, p->hdr, sizeof p->hdr);
}

void vda_role_split_chunk(vda_role_split *s, uint32_t port, const uint8_t *data, size_t len)
{
    if (port == 0 || port >= VDP_END_PORT)
        return;
    vda_split_port *p = &s->port[port];
    p->skip_chunk = 0;
    while (len > 0 && !p->skip_chunk) {
        if (p->left == 0) {
            size_t n = vda_msg_header_fill(p->hdr, &p->hdr_have, data, len);
            data += n;
            len -= n;
            if (p->hdr_have == sizeof p->hdr)
                header_done(s, port, p);
            continue;
        }
        size_t n = p->left < len ? (size_t)p->left : len;
        if (p->roles)
            s->emit(s->ctx, p->roles, port, data, n);
        p->left -= n;
        data += n;
        len -= n;
    }
}

void vda_role_split_role_joined(vda_role_split *s, unsigned role_bit)
{
    for (unsigned p = 0; p < VDP_END_PORT; p++)
        if (s->port[p].left > 0)
            s->port[p].roles &= ~role_bit;
}
