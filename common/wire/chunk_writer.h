/* Turns one VDAgentMessage (header + payload) into chunks of at most
 * VD_AGENT_MAX_DATA_SIZE payload bytes. It writes into the caller's buffer as much
 * as fits, whole chunks only, so a large message can be streamed out as the
 * transport drains without ever holding a second copy of it. */
#ifndef VDA_CHUNK_WRITER_H
#define VDA_CHUNK_WRITER_H

#include <stddef.h>
#include <stdint.h>
#include <spice/vd_agent.h>

/* Bytes of one full chunk on the wire (header + max payload). */
#define VDA_CHUNK_MAX_WIRE (sizeof(VDIChunkHeader) + VD_AGENT_MAX_DATA_SIZE)

typedef struct vda_msg_writer {
    uint32_t port;
    uint8_t hdr[sizeof(VDAgentMessage)];
    const uint8_t *data;  /* not owned; must stay valid until done */
    uint32_t size;
    uint64_t pos;         /* position in the header+payload stream */
} vda_msg_writer;

void vda_msg_writer_init(vda_msg_writer *w, uint32_t port, uint32_t type, uint64_t opaque,
                         const void *data, uint32_t size);

/* Writes whole chunks into out (at most cap bytes); returns bytes written, 0 when
 * done or when not even the next chunk fits (then give it more room). */
size_t vda_msg_writer_next(vda_msg_writer *w, uint8_t *out, size_t cap);

int vda_msg_writer_done(const vda_msg_writer *w);

/* Room needed for the next chunk (0 when done). */
size_t vda_msg_writer_next_size(const vda_msg_writer *w);

/* Total bytes on the wire for a message with `size` payload bytes. */
uint64_t vda_msg_wire_size(uint32_t size);

#endif
