/* File transfers into the guest, portable: the per-id state machine. It decides
 * every answer (CAN_SEND_DATA, SUCCESS, each refusal) and tells the platform what
 * to do with files through vda_xfer_io; the platform reports the end of a commit
 * or a write failure back (vda_xfer_session_committed / _failed), possibly later,
 * since the disk work runs on another thread.
 *
 * A transfer: START -> (refused | RECEIVING) -DATA...-> last byte: COMMITTING ->
 * SUCCESS or ERROR. CANCELLED from the client, a write failure, DATA past the
 * announced size, a 0-byte DATA before it (the client's file was shorter),
 * or forgetting the client (disconnect, RESET, STOP, exit) abort it: the platform
 * deletes the temporary file. At most VDA_XFER_MAX run at once. */
#ifndef VDA_FILE_XFER_SESSION_H
#define VDA_FILE_XFER_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "agent/file_xfer_proto.h"
#include "base/vda_log.h"

#define VDA_XFER_MAX 16
/* Ids of ended transfers remembered, so the DATA still in flight after an error
 * is dropped quietly rather than logged chunk by chunk. */
#define VDA_XFER_ENDED 32

/* Why the platform could not open (or write, or commit) a file. */
typedef struct vda_xfer_fail {
    uint32_t result;       /* VD_AGENT_FILE_XFER_STATUS_ERROR or _NOT_ENOUGH_SPACE */
    uint32_t gio_code;     /* for ERROR (VDA_GIO_*) */
    uint64_t free_bytes;   /* for NOT_ENOUGH_SPACE */
} vda_xfer_fail;

typedef struct vda_xfer_io {
    void *ctx;
    /* A new transfer: create its temporary file for `name` (already sanitized),
     * after checking `size` bytes fit. 0 with *file set, or -1 with *why filled
     * (logged by the callee). */
    int (*open)(void *ctx, uint32_t id, const char *name, uint64_t size, void **file,
                vda_xfer_fail *why);
    /* Append len bytes at data; buf (malloc'd, holding data) is the callee's now. */
    void (*write)(void *ctx, void *file, uint8_t *buf, const uint8_t *data, uint32_t len);
    /* Every byte was given: finish the file under its final name, then call
     * vda_xfer_session_committed (from the session's thread). */
    void (*commit)(void *ctx, void *file);
    /* Drop the file (close, delete the temporary file). No report follows. */
    void (*abort)(void *ctx, void *file);
    /* Optional: every transfer has ended and at least one file was saved since
     * the last call (open the folder once per batch). */
    void (*batch_done)(void *ctx, unsigned saved);
} vda_xfer_io;

typedef enum { VDA_XFER_FREE = 0, VDA_XFER_RECEIVING, VDA_XFER_COMMITTING } vda_xfer_state;

typedef struct vda_xfer_slot {
    vda_xfer_state state;
    uint32_t id;
    int orphan;            /* its client is gone: no answer when the commit ends */
    uint64_t size, received;
    void *file;
} vda_xfer_slot;

typedef struct vda_xfer_session {
    vda_xfer_slot slots[VDA_XFER_MAX];
    uint32_t ended[VDA_XFER_ENDED];
    unsigned n_ended, ended_pos;
    int have_io;
    int disabled;          /* by configuration: START gets DISABLED */
    int locked;            /* the user's session is locked: START gets SESSION_LOCKED */
    size_t name_units;     /* longest final name (UTF-16 units) the folder takes */
    unsigned saved;        /* files saved in the current batch */
    vda_xfer_io io;
    /* How answers go out (the agent core's send), and whether the client has
     * FILE_XFER_DETAILED_ERRORS. */
    void *out_ctx;
    int (*send)(void *ctx, uint32_t type, uint8_t *payload, uint32_t size);
    int (*detailed)(void *ctx);
    const vda_logger *log;
} vda_xfer_session;

/* Starts disabled with no io (every START answered DISABLED). */
void vda_xfer_session_init(vda_xfer_session *s, void *out_ctx,
                           int (*send)(void *, uint32_t, uint8_t *, uint32_t),
                           int (*detailed)(void *), const vda_logger *log);
/* The platform's file operations; enabled 0 keeps transfers disabled. */
void vda_xfer_session_set_io(vda_xfer_session *s, const vda_xfer_io *io, int enabled,
                             size_t name_units);
void vda_xfer_session_set_locked(vda_xfer_session *s, int locked);

/* Messages from the client. start/status read the payload; data takes
 * ownership of buf (malloc'd, n bytes). */
void vda_xfer_session_start(vda_xfer_session *s, const uint8_t *p, size_t n);
void vda_xfer_session_data(vda_xfer_session *s, uint8_t *buf, size_t n);
void vda_xfer_session_status(vda_xfer_session *s, const uint8_t *p, size_t n);

/* The platform's reports about file (from open). committed: the end of a commit
 * (a failed commit deletes its own temporary file; the platform frees file after
 * this call). failed: a write (or a commit) failed; the session answers and
 * calls io.abort, after which the platform reports nothing more about file. */
void vda_xfer_session_committed(vda_xfer_session *s, void *file, int ok, uint32_t gio_code);
void vda_xfer_session_failed(vda_xfer_session *s, void *file, const vda_xfer_fail *why);

/* The client is gone (or the agent stops): every receiving transfer is aborted;
 * with notify, the client is told (ERROR, CANCELLED) first. Commits under way
 * finish, unanswered. */
void vda_xfer_session_forget(vda_xfer_session *s, const char *why, int notify);

/* Transfers running (receiving or committing). */
unsigned vda_xfer_session_active(const vda_xfer_session *s);

#endif
