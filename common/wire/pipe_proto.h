/* The stream between vdservice and vdagent on their named pipe.
 *
 * It is the port's own chunk stream, passed through unchanged in both directions
 * (chunks for VDP_CLIENT_PORT and VDP_SERVER_PORT), plus control chunks on a port
 * of our own, VDA_PIPE_CONTROL_PORT, which never reaches the virtio port. A control
 * chunk carries exactly 12 bytes: version, command, argument (little-endian).
 *
 *   HELLO  agent -> service  the agent is ready; arg = its process id
 *   STOP   service -> agent  exit cleanly now (service stopping, session ending)
 *   RESET  service -> agent  the port was closed and reopened under the agent:
 *                            drop every partial message and announce again
 *
 * Keeping one framing means the service forwards without re-encoding, and one
 * parser (chunk_reader) is tested and fuzzed for both links. */
#ifndef VDA_PIPE_PROTO_H
#define VDA_PIPE_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "wire/chunk_reader.h"
#include "base/vda_log.h"
#include "base/vda_status.h"

#define VDA_PIPE_CONTROL_PORT 0x56444301u /* "\x01CDV": outside spice's port range */
#define VDA_PIPE_VERSION 1u
#define VDA_PIPE_CTL_PAYLOAD 12u
#define VDA_PIPE_CTL_WIRE (8u + VDA_PIPE_CTL_PAYLOAD)

enum vda_pipe_cmd {
    VDA_PIPE_HELLO = 1,
    VDA_PIPE_STOP = 2,
    VDA_PIPE_RESET = 3,
};

/* Writes one control chunk (VDA_PIPE_CTL_WIRE bytes) into out; returns its size. */
size_t vda_pipe_control_encode(uint8_t *out, uint32_t cmd, uint32_t arg);

typedef enum vda_pipe_ev_kind {
    VDA_PIPE_EV_PIECE = 1,   /* a piece of a port chunk: forward or reassemble it */
    VDA_PIPE_EV_CONTROL,     /* a whole, valid control chunk */
} vda_pipe_ev_kind;

typedef struct vda_pipe_event {
    vda_pipe_ev_kind kind;
    vda_chunk_piece piece;   /* EV_PIECE */
    uint32_t cmd, arg;       /* EV_CONTROL */
} vda_pipe_event;

typedef struct vda_pipe_reader {
    vda_chunk_reader chunks;
    uint8_t ctl[VDA_PIPE_CTL_PAYLOAD];
    uint32_t ctl_have;
    int ctl_bad;             /* current control chunk is malformed */
    const vda_logger *log;
} vda_pipe_reader;

void vda_pipe_reader_init(vda_pipe_reader *r, const vda_logger *log, const char *name);
void vda_pipe_reader_reset(vda_pipe_reader *r);

/* Like vda_chunk_reader_next: VDA_OK with *ev, VDA_NEED_MORE, or an error
 * (VDA_ERR_BAD_CONTROL for a malformed control chunk, which is dropped). */
vda_status vda_pipe_reader_next(vda_pipe_reader *r, const uint8_t **buf, size_t *len,
                                vda_pipe_event *ev);

const char *vda_pipe_cmd_name(uint32_t cmd);

#endif
