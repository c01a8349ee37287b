/* vdservice's data path, without any I/O: what goes from the device (virtio
 * port) to the agent's pipe and back, held in two fixed rings that the service's
 * overlapped reads and writes drain in place.
 *
 * Device -> agent: the device stream is parsed (vda_chunk_reader, ports 1 and 2)
 * and only WHOLE chunks are queued for the pipe (a chunk split across reads is
 * staged), so a control chunk (RESET, STOP) queued at any time lands on a chunk
 * boundary of the pipe stream.
 *
 * Agent -> device: the pipe stream is parsed (vda_pipe_reader); data chunks are
 * queued piece by piece, but only for messages that started while the port was
 * open (vda_msg_tracker): after the port was closed and reopened under a live
 * agent, the device never sees the tail of a message whose head went to the
 * previous opening. */
#ifndef VDA_SERVICE_FWD_H
#define VDA_SERVICE_FWD_H

#include <stddef.h>
#include <stdint.h>

#include "base/byte_ring.h"
#include "wire/chunk_reader.h"
#include "wire/chunk_writer.h"
#include "wire/msg_tracker.h"
#include "wire/pipe_proto.h"
#include "base/vda_log.h"
#include "base/vda_status.h"

typedef struct vda_fwd {
    vda_ring to_agent;          /* device -> agent: whole chunks and control chunks */
    vda_ring to_device;         /* agent -> device */
    vda_chunk_joiner dev;       /* device -> whole chunks */
    vda_pipe_reader pipe_reader;
    vda_msg_tracker tracker;
    const vda_logger *log;
} vda_fwd;

/* Room that must be free in a ring before a read of n bytes is parsed into it:
 * a read of n bytes can complete a chunk staged by earlier reads, whose header
 * and earlier bytes (less than VDA_CHUNK_MAX_WIRE) are queued along with it. */
#define VDA_FWD_ROOM(n) ((size_t)(n) + VDA_CHUNK_MAX_WIRE + 2u * VDA_PIPE_CTL_WIRE)

int vda_fwd_init(vda_fwd *f, const vda_logger *log, size_t to_agent_cap, size_t to_device_cap);
void vda_fwd_free(vda_fwd *f);

/* Parses one device read (the caller checked VDA_FWD_ROOM(len) in to_agent).
 * Returns VDA_OK, or VDA_ERR_FRAMING_LOST: the stream is unusable, reset the port
 * (vda_fwd_port_closed). Bad chunks that leave framing intact are logged and
 * dropped. */
vda_status vda_fwd_from_device(vda_fwd *f, const uint8_t *buf, size_t len);

/* Parses the agent's bytes from (*buf, *len) until:
 *   VDA_NEED_MORE       all consumed;
 *   VDA_OK              a control chunk (*cmd, *arg) stopped parsing: act on it
 *                       (e.g. open the port on HELLO), then call again;
 *   VDA_ERR_FRAMING_LOST the agent's stream is unusable: drop the agent.
 * port_open: whether the device takes data now. The caller checked
 * VDA_FWD_ROOM(len) in to_device. */
vda_status vda_fwd_from_agent(vda_fwd *f, const uint8_t **buf, size_t *len, int port_open,
                              uint32_t *cmd, uint32_t *arg);

/* Queues a control chunk for the agent; -1 when there is no room yet. */
int vda_fwd_control(vda_fwd *f, uint32_t cmd, uint32_t arg);

/* The port was closed: drop what waits for it, the device framing state, and
 * the rest of every message in flight from the agent. */
void vda_fwd_port_closed(vda_fwd *f);

/* A new agent: everything is forgotten, both ways. */
void vda_fwd_reset(vda_fwd *f);

#endif
