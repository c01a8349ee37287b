/* Reassembly of chunk pieces into whole VDAgentMessages, one independent state
 * per port (client and server messages may interleave chunk by chunk).
 *
 * A message's buffer is allocated once, when its header is complete, from the
 * header's size (bounded by max_size), and every payload byte is copied once,
 * from the piece into that buffer. A chunk never spans two messages.
 *
 * A bad message (wrong protocol, too big, too short for its type, a chunk running
 * past its end) is logged once and dropped; reassembly goes on at the next message
 * boundary, which is still known from the header's size ("skipping").
 *
 * For the seed's disconnect scenarios the owner can, per port:
 *   vda_reasm_reset_port  forget a partial message (the next byte starts a header),
 *   vda_reasm_skip_current  drop the current message but keep counting its bytes,
 *                           so the message after it starts clean. */
#ifndef VDA_REASSEMBLY_H
#define VDA_REASSEMBLY_H

#include <stddef.h>
#include <stdint.h>
#include <spice/vd_agent.h>

#include "wire/chunk_reader.h"
#include "base/vda_log.h"
#include "base/vda_status.h"

typedef struct vda_message {
    uint32_t port;
    uint32_t type;
    uint64_t opaque;
    uint32_t size;
    uint8_t *data;     /* malloc'd, `size` bytes; NULL when size is 0. The caller owns
                          it and frees it with free(). */
} vda_message;

typedef struct vda_port_reasm {
    uint8_t hdr[sizeof(VDAgentMessage)];
    uint32_t hdr_have;
    uint32_t type;
    uint64_t opaque;
    uint32_t size;       /* payload size from the header */
    uint32_t have;       /* payload bytes stored so far */
    uint8_t *buf;
    uint64_t skip_left;  /* bytes of a dropped message still to come */
    int drop_chunk;      /* after a chunk overran its message: ignore the rest of it */
} vda_port_reasm;

typedef struct vda_reasm {
    vda_port_reasm port[VDP_END_PORT];  /* indexed by port number; [0] unused */
    uint32_t max_size;
    const vda_logger *log;
} vda_reasm;

void vda_reasm_init(vda_reasm *a, uint32_t max_size, const vda_logger *log);
void vda_reasm_free(vda_reasm *a);

/* Pieces for ports other than VDP_CLIENT_PORT / VDP_SERVER_PORT are refused with
 * VDA_ERR_UNKNOWN_PORT. Returns VDA_MSG_READY with *out filled, VDA_NEED_MORE, or
 * an error (the message is dropped; feeding goes on). */
vda_status vda_reasm_feed(vda_reasm *a, const vda_chunk_piece *p, vda_message *out);

void vda_reasm_reset_port(vda_reasm *a, uint32_t port);
void vda_reasm_skip_current(vda_reasm *a, uint32_t port);

/* True when `port` is between messages. */
int vda_reasm_idle(const vda_reasm *a, uint32_t port);

#endif
