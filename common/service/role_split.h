/* Device -> roles: splits the chunk stream from the port into one stream per
 * role, routing each WHOLE message by its type (vda_role_route). Its output
 * pieces are re-framed as chunks by the caller, so a role sees only its own
 * messages and every message it gets starts at a chunk boundary.
 *
 * Messages are followed per port (client and server), by counting the 20-byte
 * header and then its size; a header split over several chunks is held (20 bytes
 * at most) until its type is known. A header whose size is above max_size can
 * never be valid: it and the rest of its chunk are dropped with one log line,
 * and the next chunk on that port starts a new message, so one bad header does
 * not swallow what the client sends next. */
#ifndef VDA_ROLE_SPLIT_H
#define VDA_ROLE_SPLIT_H

#include <stddef.h>
#include <stdint.h>
#include <spice/vd_agent.h>

#include "base/vda_log.h"

/* One piece for the roles in `roles` (a VDA_ROLE_BIT mask, never 0). */
typedef void (*vda_split_emit)(void *ctx, unsigned roles, uint32_t port, const uint8_t *data,
                               size_t len);

typedef struct vda_split_port {
    uint8_t hdr[sizeof(VDAgentMessage)];
    uint32_t hdr_have;
    uint64_t left;            /* payload bytes of the current message still to come */
    unsigned roles;           /* where the current message goes; 0: dropped */
    int skip_chunk;           /* drop the rest of this chunk (after a bad header) */
} vda_split_port;

typedef struct vda_role_split {
    vda_split_port port[VDP_END_PORT];   /* by port number; [0] unused */
    uint32_t max_size;
    vda_split_emit emit;
    void *ctx;
    const vda_logger *log;
} vda_role_split;

void vda_role_split_init(vda_role_split *s, uint32_t max_size, vda_split_emit emit, void *ctx,
                         const vda_logger *log);

/* One whole chunk from the device (chunk_reader already checked its port). */
void vda_role_split_chunk(vda_role_split *s, uint32_t port, const uint8_t *data, size_t len);

/* Role r has just come up (its pipe connected): a message already under way
 * from the device is not for it (it would get a tail without its head; seed
 * scenario 4); the next one is. */
void vda_role_split_role_joined(vda_role_split *s, unsigned role_bit);

/* The port was reopened: every message in flight is forgotten. */
void vda_role_split_reset(vda_role_split *s);

#endif
