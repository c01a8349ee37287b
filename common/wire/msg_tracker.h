/* Follows VDAgentMessage boundaries in one direction of a chunk stream, per port,
 * without keeping any payload: it only counts bytes (20-byte header, then the
 * header's size). The service uses it on the agent -> device direction so that it
 * forwards or drops WHOLE messages: when the port is closed and reopened under a
 * live agent, the rest of a message the agent was sending is dropped, and the new
 * port's stream starts at a message boundary (spice-server would otherwise read
 * the middle of a message as a header and detach the agent).
 *
 * Framing rule as in reassembly.h: a header lies whole in the chunk that starts its
 * message. A header cut by its chunk's end, or one that cannot be trusted (wrong
 * protocol, header + size above 32 bits), ends its message with its chunk, so a
 * bad header from the agent cannot make the tracker count gigabytes.
 *
 * Use per chunk: fwd = vda_msg_tracker_chunk_start(t, port, open) when a chunk
 * starts, then vda_msg_tracker_feed() with each piece of it. */
#ifndef VDA_MSG_TRACKER_H
#define VDA_MSG_TRACKER_H

#include <stddef.h>
#include <stdint.h>
#include <spice/vd_agent.h>

typedef struct vda_msg_track_port {
    uint8_t hdr[sizeof(VDAgentMessage)];
    uint32_t hdr_have;
    uint64_t left;        /* payload bytes of the current message still to come */
    int forward;          /* the current message goes to the destination */
    int junk;             /* the rest of the current chunk belongs to no message */
} vda_msg_track_port;

typedef struct vda_msg_tracker {
    vda_msg_track_port port[VDP_END_PORT];  /* by port number; [0] unused */
    int chunk_forward;                      /* decision for the chunk being fed */
} vda_msg_tracker;

void vda_msg_tracker_init(vda_msg_tracker *t);

/* True when `port` is between messages. Unknown ports always are. */
int vda_msg_tracker_at_boundary(const vda_msg_tracker *t, uint32_t port);

/* A chunk for `port` starts; `open`: the destination takes data now. Returns
 * whether the whole chunk is to be forwarded: a chunk that starts a message is
 * forwarded iff open; a continuation chunk only if its message's start was
 * forwarded and the destination is still open. */
int vda_msg_tracker_chunk_start(vda_msg_tracker *t, uint32_t port, int open);

/* Bytes of the current chunk (any split). A message starting inside it takes the
 * chunk's decision. */
void vda_msg_tracker_feed(vda_msg_tracker *t, uint32_t port, const uint8_t *data, size_t len);

/* The destination went away: every message in flight is dropped to its end. */
void vda_msg_tracker_drop_all(vda_msg_tracker *t);

#endif
