/* The agent's protocol core, portable: it reads the pipe's byte stream (chunks +
 * control chunks), reassembles messages per port, keeps the client's state
 * (capabilities, clipboard session) and dispatches each message. Everything that
 * touches Windows is behind vda_agent_ops, so the whole agent logic, disconnects
 * included, runs in native unit tests.
 *
 * Message handlers for other features (mouse, monitors, display config) plug in
 * with vda_agent_set_handler; their caps with vda_caps_set(&agent->ours, ...)
 * before vda_agent_start. */
#ifndef VDA_AGENT_CORE_H
#define VDA_AGENT_CORE_H

#include <stddef.h>
#include <stdint.h>

#include <spice/vd_agent.h>

#include "wire/caps.h"
#include "agent/clipboard_session.h"
#include "agent/file_xfer_session.h"
#include "wire/pipe_proto.h"
#include "wire/reassembly.h"
#include "base/vda_log.h"

typedef struct vda_agent_ops {
    void *ctx;
    /* Queue one whole message for the client port. Takes ownership of payload
     * (malloc'd, or NULL when size is 0) in every case. Returns 0, or -1 if it
     * could not be queued (it is then freed and logged by the callee). */
    int (*send)(void *ctx, uint32_t type, uint8_t *payload, uint32_t size);
    /* The client grabbed: own the guest clipboard offering these known types
     * (delayed rendering). n may be 0: then just empty it. */
    void (*take_clipboard)(void *ctx, const uint32_t *types, uint32_t n);
    /* The client's grab is gone: empty the guest clipboard if the agent still owns it. */
    void (*drop_clipboard)(void *ctx);
    /* Read the guest clipboard as `type`: *buf malloc'd, with VDA_CB_DATA_HDR bytes
     * left free at the front for the message header; *size counts them. -1: the
     * format is gone or does not convert (logged by the callee). */
    int (*read_guest)(void *ctx, uint32_t type, uint8_t **buf, size_t *size);
    /* STOP from the service: leave the loop cleanly. */
    void (*stop)(void *ctx);
    /* Optional: the client's state was forgotten (other features reset theirs). */
    void (*client_reset)(void *ctx);
    /* Optional: a client's caps arrived while none were known (a client attached):
     * tell it about the guest clipboard (call vda_agent_guest_changed if it holds
     * something), so a copy made before the client came is still offered. */
    void (*client_attached)(void *ctx);
    /* Optional: bytes queued for the client and not yet written (the bound on
     * clipboard answers, vda_agent.out_limit). NULL: no bound. */
    size_t (*queued)(void *ctx);
    /* Optional: a number that changes whenever the guest clipboard does
     * (GetClipboardSequenceNumber). The encoded copy is reused only while it is
     * unchanged, also before the change notification arrives. NULL: reuse until
     * vda_agent_guest_changed or a client grab. */
    uint32_t (*guest_seq)(void *ctx);
} vda_agent_ops;

typedef void (*vda_msg_handler)(void *ctx, const vda_message *m);

/* The answer to a guest paste (vda_agent_want). */
typedef struct vda_agent_paste {
    int done;
    uint32_t type;
    uint8_t *buf;            /* the whole message buffer (free() it), NULL: nothing */
    size_t off, len;         /* the data within buf */
} vda_agent_paste;

/* Clipboard answers wait while more than this is queued for the client. */
#define VDA_AGENT_OUT_LIMIT (32u * 1024u * 1024u)
/* Above out_limit + this, a refused request is not even answered with NONE: a
 * client that floods requests cannot grow the queue with answers either. */
#define VDA_AGENT_OUT_SLACK (256u * 1024u)

typedef struct vda_agent {
    vda_pipe_reader pipe;
    vda_reasm reasm;
    vda_caps ours;
    vda_caps client;         /* cleared when no client caps are known */
    int client_known;
    vda_cb_session cb;
    vda_agent_ops ops;
    struct { vda_msg_handler fn; void *ctx; } handlers[VD_AGENT_END_MESSAGE];
    vda_agent_paste paste;
    vda_xfer_session xfer;   /* file transfers into the guest */
    /* Bounded work per client REQUEST: the guest clipboard is read and encoded
     * once per change (per type) and repeated requests get a copy of that; an
     * answer is refused (with NONE, or not at all above the hard bound) while
     * more than out_limit bytes wait for the client. */
    struct { uint32_t type, seq; uint8_t *buf; size_t size; } cache;
    size_t out_limit;        /* default VDA_AGENT_OUT_LIMIT */
    unsigned refused;        /* requests refused since the last line about it */
    unsigned long guest_reads; /* read_guest calls (tests, logs) */
    int no_user_data;        /* the system role: clipboard and file messages are
                                dropped unparsed (vda_agent_system_role) */
    const uint8_t *in;       /* bytes of the current feed not parsed yet */
    size_t in_len;
    const vda_logger *log;
} vda_agent;

/* clip_max: the ceiling for clipboard data the agent accepts (bytes). */
void vda_agent_init(vda_agent *a, const vda_agent_ops *ops, uint64_t clip_max,
                    const vda_logger *log);
void vda_agent_free(vda_agent *a);

/* This agent is the system role (service/role_route.h): it runs as SYSTEM, so
 * it announces no clipboard or file capability and drops clipboard and file
 * messages unparsed, with one log line each (the service routes none here). */
void vda_agent_system_role(vda_agent *a);

void vda_agent_set_handler(vda_agent *a, uint32_t type, vda_msg_handler fn, void *ctx);

/* File transfer: the platform's file operations (before vda_agent_start). Without
 * them, or with enabled 0, FILE_XFER_DISABLED is announced and every START is
 * answered DISABLED. name_units: the longest file name the target folder takes. */
void vda_agent_set_xfer_io(vda_agent *a, const vda_xfer_io *io, int enabled, size_t name_units);

/* Announces our caps, asking for the client's (request = 1). */
void vda_agent_start(vda_agent *a);

/* Bytes read from the pipe, any amount. buf must stay valid and unchanged until
 * the call returns, or until vda_agent_unparsed() is 0 (see below). */
void vda_agent_feed(vda_agent *a, const uint8_t *buf, size_t len);

/* A handler may run the platform's event loop nested (a paste that waits for the
 * client's data while a message of this feed is being handled, e.g. from inside a
 * broadcast the handler's system call sends). That nested loop must parse what is
 * left of the current feed first (vda_agent_feed_rest until vda_agent_unparsed is
 * 0) before it reads more into the same buffer: the new bytes would overwrite the
 * rest and come before it. The outer feed then finds nothing left and returns. */
size_t vda_agent_unparsed(const vda_agent *a);
void vda_agent_feed_rest(vda_agent *a);

/* One whole message (takes ownership of m->data). */
void vda_agent_dispatch(vda_agent *a, vda_message *m);

/* Forget everything about the client (disconnect, port reset). */
void vda_agent_forget_client(vda_agent *a, const char *why);

/* Guest side: its clipboard changed (not by the agent); `types` can be produced. */
void vda_agent_guest_changed(vda_agent *a, const uint32_t *types, uint32_t n);

/* Guest side: a paste wants `type` from the client. 0: a REQUEST went out, wait
 * (keep feeding) until a->paste.done, or call vda_agent_paste_cancel on timeout.
 * -1: nothing will come, return empty now. */
int vda_agent_want(vda_agent *a, uint32_t type);
/* Takes the finished answer (ownership of paste.buf moves to *out). */
void vda_agent_paste_take(vda_agent *a, vda_agent_paste *out);
void vda_agent_paste_cancel(vda_agent *a);

/* Both sides have cap. */
int vda_agent_both(const vda_agent *a, uint32_t cap);

#endif
