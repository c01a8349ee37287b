#include "service/role_merge.h"

#include <inttypes.h>
#include <string.h>

#include "base/le_bytes.h"
#include "wire/msg_sizes.h"

void vda_role_merge_init(vda_role_merge *m, vda_merge_emit emit, void *ctx,
                         const vda_logger *log)
{
    memset(m, 0, sizeof *m);
    for (unsigned p = 0; p < VDP_END_PORT; p++)
        m->owner[p] = -1;
    m->emit = emit;
    m->ctx = ctx;
    m->log = log;
    m->port_open = 1;   /* callers that follow the port say so (vda_role_merge_port_closed) */
}

static void clear_streams(vda_role_merge *m, int r)
{
    memset(m->role[r], 0, sizeof m->role[r]);
    for (unsigned p = 0; p < VDP_END_PORT; p++)
        if (m->owner[p] == r)
            m->owner[p] = -1;
}

void vda_role_merge_role_up(vda_role_merge *m, vda_role r)
{
    clear_streams(m, r);
    m->up[r] = 1;
    m->have_caps[r] = 0;
}

int vda_role_merge_role_down(vda_role_merge *m, vda_role r)
{
    int torn = 0;
    for (unsigned p = 0; p < VDP_END_PORT; p++)
        if (m->owner[p] == (int)r && m->role[r][p].forward)
            torn = 1;
    clear_streams(m, r);
    m->up[r] = 0;
    if (m->have_caps[r]) {
        m->have_caps[r] = 0;
        m->announce_pending = 1;
    }
    if (torn)
        vda_warn(m->log, "%s went away in the middle of a message to the client: the port "
                 "must be restarted", vda_role_name(r));
    return torn ? -1 : 0;
}

/* The role's announcement is complete: keep its caps, announce the composition. */
static void caps_done(vda_role_merge *m, vda_role r, vda_merge_port *mp)
{
    uint32_t request = 0;
    vda_caps c;
    if (vda_caps_parse(mp->caps, mp->caps_have, &request, &c) != 0) {
        vda_warn(m->log, "%s: announcement too short (%" PRIu32 " bytes): ignored",
                 vda_role_name(r), mp->caps_have);
        return;
    }
    m->caps[r] = c;
    m->have_caps[r] = 1;
    m->announce_pending = 1;
    m->announce_request |= request;
}

static void header_done(vda_role_merge *m, vda_role r, uint32_t port, vda_merge_port *mp)
{
    uint32_t type = vda_le32(mp->hdr + 4);
    mp->left = vda_le32(mp->hdr + 16);
    mp->in_msg = 1;
    mp->capture = type == VD_AGENT_ANNOUNCE_CAPABILITIES && port == VDP_CLIENT_PORT;
    mp->caps_have = 0;
    int allowed = vda_role_may_send(r, type);
    mp->forward = !mp->capture && allowed && m->port_open;
    if (!mp->capture && allowed && !m->port_open)
        vda_debug(m->log, "%s: %s (%" PRIu64 " bytes) dropped: the port is closed",
                  vda_role_name(r), vda_msg_type_name(type), mp->left);
    if (!mp->capture && !allowed)
        vda_warn(m->log, "%s may not send %s (%" PRIu64 " bytes) on port %" PRIu32
                 ": dropped", vda_role_name(r), vda_msg_type_name(type), mp->left, port);
    if (mp->forward) {
        m->owner[port] = (int)r;
        m->emit(m->ctx, port, mp->hdr, sizeof mp->hdr);
    }
}

static void message_done(vda_role_merge *m, vda_role r, uint32_t port, vda_merge_port *mp)
{
    if (mp->capture)
        caps_done(m, r, mp);
    if (m->owner[port] == (int)r)
        m->owner[port] = -1;
    mp->in_msg = mp->forward = mp->capture = 0;
    mp->hdr_have = 0;
}

size_t vda_role_merge_feed(vda_role_merge *m, vda_role r, uint32_t port, const uint8_t *data,
                           size_t len)
{
    if ((unsigned)r >= VDA_ROLE_COUNT || port == 0 || port >= VDP_END_PORT)
        return len;
    vda_merge_port *mp = &m->role[r][port];
    size_t taken = 0;
    while (taken < len) {
        if (!mp->in_msg) {
            /* A message starts only while no other role's message is under way. */
            if (m->owner[port] != -1 && m->owner[port] != (int)r)
                break;
            taken += vda_msg_header_fill(mp->hdr, &mp->hdr_have, data + taken, len - taken);
            if (mp->hdr_have < sizeof mp->hdr)
                continue;
            header_done(m, r, port, mp);
            if (mp->left == 0)
                message_done(m, r, port, mp);
            continue;
        }
        size_t n = mp->left < len - taken ? (size_t)mp->left : len - taken;
        if (mp->forward)
            m->emit(m->ctx, port, data + taken, n);
        if (mp->capture) {
            size_t room = sizeof mp->caps - mp->caps_have;
            size_t c = n < room ? n : room;   /* words past what we keep are ignored */
            memcpy(mp->caps + mp->caps_have, data + taken, c);
            mp->caps_have += (uint32_t)c;
        }
        mp->left -= n;
        taken += n;
        if (mp->left == 0)
            message_done(m, r, port, mp);
    }
    return taken;
}

size_t vda_role_merge_take_announce(vda_role_merge *m, uint8_t *out)
{
    if (!m->announce_pending || !m->port_open || m->owner[VDP_CLIENT_PORT] != -1)
        return 0;
    const vda_caps *up[VDA_ROLE_COUNT];
    for (unsigned r = 0; r < VDA_ROLE_COUNT; r++)
        up[r] = m->up[r] && m->have_caps[r] ? &m->caps[r] : NULL;
    vda_caps c;
    vda_role_compose_caps(up, &c);
    size_t payload = vda_caps_write(&c, m->announce_request, out + sizeof(VDAgentMessage));
    vda_put_le32(out, VD_AGENT_PROTOCOL);
    vda_put_le32(out + 4, VD_AGENT_ANNOUNCE_CAPABILITIES);
    vda_put_le64(out + 8, 0);
    vda_put_le32(out + 16, (uint32_t)payload);
    m->announce_pending = 0;
    m->announce_request = 0;
    return sizeof(VDAgentMessage) + payload;
}

void vda_role_merge_port_closed(vda_role_merge *m)
{
    /* The roles keep sending the rest of what they started: follow it to its
     * end without forwarding, so their streams stay framed. */
    for (unsigned r = 0; r < VDA_ROLE_COUNT; r++)
        for (unsigned p = 0; p < VDP_END_PORT; p++)
            m->role[r][p].forward = 0;
    for (unsigned p = 0; p < VDP_END_PORT; p++)
        m->owner[p] = -1;
    m->port_open = 0;
}

void vda_role_merge_port_opened(vda_role_merge *m)
{
    m->port_open = 1;
    m->announce_pending = (m->up[0] && m->have_caps[0]) || (m->up[1] && m->have_caps[1]);
}

void vda_role_merge_port_reset(vda_role_merge *m)
{
    vda_role_merge_port_closed(m);
    vda_role_merge_port_opened(m);
}
