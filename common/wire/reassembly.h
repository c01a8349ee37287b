/* Reassembly of chunk pieces into whole VDAgentMessages, one independent state
 * per port (client and server messages may interleave chunk by chunk).
 *
 * A message's buffer is allocated once, when its header is complete, from the
 * header's size (bounded by max_size), and every payload byte is copied once,
 * from the piece into that buffer. A chunk never spans two messages.
 *
 * Framing rule (the same one spice-server applies to what the client sends): a
 * message's 20-byte header lies whole in the chunk that starts the message (it
 * may arrive in several pieces of that chunk). So while a port is idle, every
 * chunk start is a place where a message may begin, which is what recovery uses.
 *
 * Two kinds of bad input, each logged once:
 * - A refused message whose header is sound (too big for the limit, too short
 *   for its type, no memory): its size is trusted, the message is skipped to
 *   its end and the next one is read normally.
 * - A framing error, where the header itself cannot be trusted: wrong protocol,
 *   a size that can never be valid (header + size above 32 bits, e.g.
 *   0xFFFFFFF0), a chunk that ends inside a header (truncated header), or chunk
 *   bytes that start no message. Skipping by such a size would swallow the
 *   stream for gigabytes, so the rest of that chunk is dropped and every
 *   following chunk start is tried as a message header; chunks that are not one
 *   are dropped without more lines, and one line says when a valid header
 *   brought the port back in step (with how many chunks were dropped).
 *   Consequence: a valid message following a truncated header is DELIVERED (it
 *   starts its own chunk, and the cut header is not glued to it).
 *
 * For the seed's disconnect scenarios the owner can reset a port
 * (vda_reasm_reset_port: forget a partial message; the next chunk starts a
 * header). A stream joined in the middle of a message (scenario 4: the agent
 * starts while the client is sending) needs nothing more: its continuation
 * chunks are framing errors at this layer and the next message is read. */
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
    int drop_chunk;      /* ignore the rest of the current chunk */
    int resync;          /* after a framing error: looking for a valid header */
    uint32_t resync_dropped; /* chunks dropped while resyncing (for the log) */
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

/* True when `port` is between messages. */
int vda_reasm_idle(const vda_reasm *a, uint32_t port);

#endif
