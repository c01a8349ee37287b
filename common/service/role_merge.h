/* Roles -> device: merges what the system and user roles send to the client into
 * the one port stream, at message boundaries only (spice-server reads each port
 * as one sequence of messages: two roles' chunks must never interleave inside a
 * message on the same port).
 *
 * Each role's stream is followed per port; a message it may not send
 * (vda_role_may_send) is dropped with one log line. The roles' own
 * ANNOUNCE_CAPABILITIES are taken here: the client gets one announcement,
 * composed from the roles that are up (vda_role_compose_caps), whenever that
 * changes (vda_role_merge_take_announce). */
#ifndef VDA_ROLE_MERGE_H
#define VDA_ROLE_MERGE_H

#include <stddef.h>
#include <stdint.h>
#include <spice/vd_agent.h>

#include "base/vda_log.h"
#include "service/role_route.h"
#include "wire/caps.h"

/* Output bytes for the device on `port`; the caller frames them as a chunk. */
typedef void (*vda_merge_emit)(void *ctx, uint32_t port, const uint8_t *data, size_t len);

/* Room for an ANNOUNCE_CAPABILITIES payload as far as we keep caps. */
#define VDA_MERGE_CAPS_PAYLOAD (4u + 4u * VDA_CAPS_MAX_WORDS)
/* A whole composed announcement: VDAgentMessage + payload. */
#define VDA_MERGE_ANNOUNCE_MAX (sizeof(VDAgentMessage) + VDA_MERGE_CAPS_PAYLOAD)

typedef struct vda_merge_port {
    uint8_t hdr[sizeof(VDAgentMessage)];
    uint32_t hdr_have;
    uint64_t left;            /* payload still to come of the current message */
    int in_msg;               /* header complete, payload under way */
    int forward;              /* the current message goes to the device */
    int capture;              /* the current message is the role's announcement */
    uint8_t caps[VDA_MERGE_CAPS_PAYLOAD];
    uint32_t caps_have;
} vda_merge_port;

typedef struct vda_role_merge {
    vda_merge_port role[VDA_ROLE_COUNT][VDP_END_PORT];
    int owner[VDP_END_PORT];  /* role whose message is under way on that port, or -1 */
    int up[VDA_ROLE_COUNT];
    int port_open;            /* messages starting while closed are dropped whole */
    vda_caps caps[VDA_ROLE_COUNT];
    int have_caps[VDA_ROLE_COUNT];
    int announce_pending;
    uint32_t announce_request;
    vda_merge_emit emit;
    void *ctx;
    const vda_logger *log;
} vda_role_merge;

void vda_role_merge_init(vda_role_merge *m, vda_merge_emit emit, void *ctx,
                         const vda_logger *log);

/* Role r is up (its pipe is connected): nothing is announced for it until it
 * sends its own announcement. */
void vda_role_merge_role_up(vda_role_merge *m, vda_role r);

/* Role r went away. Returns 0, or -1 when it left a message half-sent on the
 * device: the device stream cannot be mended, so the caller restarts the port
 * (which RESETs both roles). Either way its capabilities leave the
 * announcement. */
int vda_role_merge_role_down(vda_role_merge *m, vda_role r);

/* Bytes of one chunk role r sent for `port` (any split, in order). Returns how
 * many were taken: fewer than len when another role's message is under way on
 * that port; the caller offers the rest again after that message (e.g. after
 * the next call for the other role), without reading more from role r. */
size_t vda_role_merge_feed(vda_role_merge *m, vda_role r, uint32_t port, const uint8_t *data,
                           size_t len);

/* When the composed announcement changed and the client port is between
 * messages: writes the whole message (header + payload) into out (at least
 * VDA_MERGE_ANNOUNCE_MAX bytes) and returns its length; else 0. */
size_t vda_role_merge_take_announce(vda_role_merge *m, uint8_t *out);

/* The port was closed: the rest of every message in flight is dropped (each
 * role's stream stays framed: its tail is skipped, never read as a header), and
 * messages that start while it is closed are dropped whole. */
void vda_role_merge_port_closed(vda_role_merge *m);

/* The port was (re)opened: new messages go through; the composed announcement
 * is due again (when a role has announced). */
void vda_role_merge_port_opened(vda_role_merge *m);

/* Closed, then opened. */
void vda_role_merge_port_reset(vda_role_merge *m);

#endif
