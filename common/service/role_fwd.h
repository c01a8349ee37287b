/* vdservice's data path with two agent roles (role_route.h), without any I/O:
 * one device, two pipes, each with its own queue towards its role.
 *
 * Device -> roles: the device stream is parsed (vda_chunk_reader), each whole
 * chunk is split by message type (vda_role_split) and re-framed as chunks in the
 * queue of each role that takes it and is up; a role that is down gets nothing
 * (the client gets no capability of it either). A control chunk (RESET, STOP)
 * queued at any time lands on a chunk boundary of that role's stream.
 *
 * Roles -> device: each role's pipe stream is parsed (vda_pipe_reader) and
 * merged (vda_role_merge) into one queue for the device, whole messages at a
 * time per port: while one role's message is under way, the other role's next
 * message waits in place (its bytes stay in the caller's read buffer, so that
 * pipe is not read again until they are taken). The roles' announcements become
 * one composed announcement, queued whenever it changes. Messages a role starts
 * while the port is closed are dropped whole; a port closing under a message
 * drops its tail. */
#ifndef VDA_ROLE_FWD_H
#define VDA_ROLE_FWD_H

#include <stddef.h>
#include <stdint.h>

#include "base/byte_ring.h"
#include "base/vda_log.h"
#include "base/vda_status.h"
#include "service/role_merge.h"
#include "service/role_route.h"
#include "service/role_split.h"
#include "wire/chunk_reader.h"
#include "wire/chunk_writer.h"
#include "wire/pipe_proto.h"

/* vda_rfwd_role_next: another role's message is under way on a port this
 * role wants to write: call again once the device side made progress. */
#define VDA_RFWD_BLOCKED VDA_STATUS_COUNT

typedef struct vda_rfwd_role {
    vda_ring to_agent;            /* device -> this role: chunks and control chunks */
    vda_pipe_reader pipe_reader;
    int up;                       /* its pipe is connected */
    /* What the merge has not taken yet: a piece, then the unparsed rest of the
     * caller's read. Both point into the caller's buffer. */
    uint32_t hold_port;
    const uint8_t *hold;
    size_t hold_len;
    const uint8_t *rest;
    size_t rest_len;
} vda_rfwd_role;

typedef struct vda_rfwd {
    vda_rfwd_role role[VDA_ROLE_COUNT];
    vda_ring to_device;
    vda_chunk_joiner dev;       /* device -> whole chunks */
    vda_role_split split;
    vda_role_merge merge;
    int overrun;                  /* a queue had no room (cannot happen when callers check) */
    const vda_logger *log;
} vda_rfwd;

/* Room that must be free in a queue before a read of n bytes is parsed into it:
 * splitting and merging re-frame pieces as chunks (8 bytes each; a piece is at
 * least a whole 20-byte header or one byte of a chunk that cost 8 + 1 bytes),
 * a staged chunk (less than VDA_CHUNK_MAX_WIRE) may complete, and a composed
 * announcement or control chunks may be queued along. */
#define VDA_RFWD_ROOM(n) (2u * ((size_t)(n) + VDA_CHUNK_MAX_WIRE) + VDA_MERGE_ANNOUNCE_MAX + \
                          8u + 2u * VDA_PIPE_CTL_WIRE)

/* max_msg: the largest message size the device may announce (the split drops
 * bigger headers with the rest of their chunk). */
int vda_rfwd_init(vda_rfwd *f, const vda_logger *log, size_t to_agent_cap, size_t to_device_cap,
                  uint32_t max_msg);
void vda_rfwd_free(vda_rfwd *f);

/* Parses one device read (the caller checked VDA_RFWD_ROOM(len) in the queue of
 * every role that is up). VDA_OK, or VDA_ERR_FRAMING_LOST: reset the port. */
vda_status vda_rfwd_from_device(vda_rfwd *f, const uint8_t *buf, size_t len);

/* Role r's pipe delivered len bytes at buf; they must stay valid and unchanged
 * until vda_rfwd_role_pending(f, r) is 0. Only when it is 0 already. */
void vda_rfwd_role_input(vda_rfwd *f, vda_role r, const uint8_t *buf, size_t len);
int vda_rfwd_role_pending(const vda_rfwd *f, vda_role r);

/* Parses what role r delivered (the caller checked VDA_RFWD_ROOM of one read in
 * to_device) until:
 *   VDA_NEED_MORE         all taken: its pipe may be read again;
 *   VDA_OK                a control chunk (*cmd, *arg): act on it, call again;
 *   VDA_RFWD_BLOCKED      the other role's message is under way: call again
 *                         after the other role's bytes were taken;
 *   VDA_ERR_FRAMING_LOST  the role's stream is unusable: drop the role. */
int vda_rfwd_role_next(vda_rfwd *f, vda_role r, uint32_t *cmd, uint32_t *arg);

/* Queues a control chunk for role r; -1 when there is no room yet. */
int vda_rfwd_control(vda_rfwd *f, vda_role r, uint32_t cmd, uint32_t arg);

/* Role r's pipe connected: fresh queue and framing; messages already under way
 * from the device are not for it. */
void vda_rfwd_role_up(vda_rfwd *f, vda_role r);

/* Role r is gone: its queue and input are dropped, its capabilities leave the
 * announcement. -1: it left a message half-sent to the device: the caller
 * restarts the port (the client must not get the other role's messages glued to
 * a torn one). */
int vda_rfwd_role_down(vda_rfwd *f, vda_role r);

/* The port closed: what waits for the device and the device framing are
 * dropped; the roles' messages in flight lose their tails. */
void vda_rfwd_port_closed(vda_rfwd *f);

/* The port opened: the composed announcement is queued (if a role announced). */
void vda_rfwd_port_opened(vda_rfwd *f);

#endif
