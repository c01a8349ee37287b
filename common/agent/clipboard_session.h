/* The clipboard state the agent keeps about the one attached client: who owns the
 * clipboard, the types the client promised, the request in flight in each
 * direction, the client's max-clipboard, and the grab serial. Pure decisions, no
 * I/O: the dispatcher (agent_core) asks it what to do and does it.
 *
 * Grab serial (VD_AGENT_CAP_CLIPBOARD_GRAB_SERIAL, both sides): one counter, 0
 * when a client attaches. Each GRAB the agent sends carries the counter, which
 * then advances. A client GRAB is taken when its serial equals the counter (the
 * counter advances), or equals counter - 1: the client grabbed at the same time as
 * our last grab, and in that race the client wins. Any other serial is a stale
 * grab and is discarded. So both sides agree on one owner.
 *
 * No release on regrab (VD_AGENT_CAP_CLIPBOARD_NO_RELEASE_ON_REGRAB, both sides):
 * when the guest's clipboard changes while the agent already holds the grab, the
 * agent sends only the new GRAB; without the cap it sends RELEASE first, as peers
 * without the cap expect. */
#ifndef VDA_CLIPBOARD_SESSION_H
#define VDA_CLIPBOARD_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "agent/clipboard_proto.h"

typedef enum vda_cb_owner {
    VDA_CB_OWNER_NONE = 0,
    VDA_CB_OWNER_CLIENT,     /* the client grabbed: guest pastes ask the client */
    VDA_CB_OWNER_GUEST,      /* the agent grabbed for the guest: the client asks us */
} vda_cb_owner;

typedef struct vda_cb_session {
    vda_cb_owner owner;
    uint32_t client_types[VDA_CB_MAX_TYPES];  /* what the client promised (known types) */
    uint32_t n_client_types;
    uint32_t guest_types[VDA_CB_MAX_TYPES];   /* what the agent offered */
    uint32_t n_guest_types;
    uint32_t serial;
    int64_t client_max;      /* VD_AGENT_MAX_CLIPBOARD from the client; -1: no limit */
    uint64_t own_max;        /* ceiling for data the agent accepts */
    int want_pending;        /* a guest paste waits for the client's data */
    uint32_t want_type;
    uint32_t client_requests; /* client REQUESTs not answered yet */
    uint64_t epoch;          /* advances whenever the client's state is forgotten */
} vda_cb_session;

void vda_cb_session_init(vda_cb_session *s, uint64_t own_max);

/* The client is gone (VD_AGENT_CLIENT_DISCONNECTED, a port reset, a new client's
 * caps): forget its grab and types, both directions' pending requests, its max,
 * and the serial. Returns 1 if a guest paste was waiting (it must now return empty). */
int vda_cb_session_forget_client(vda_cb_session *s);

typedef enum vda_cb_grab_result {
    VDA_CB_GRAB_TAKEN = 0,
    VDA_CB_GRAB_STALE,       /* serial out of date: discard */
} vda_cb_grab_result;

/* A client GRAB (parsed with the serial if serial_on). Unknown types are dropped
 * from the promised list. */
vda_cb_grab_result vda_cb_session_client_grab(vda_cb_session *s, const vda_cb_grab *g,
                                              int serial_on);

/* A client RELEASE. Returns 1 if the client held the grab (the guest clipboard it
 * filled should be emptied), 0 if it was a stray release. */
int vda_cb_session_client_release(vda_cb_session *s);

/* The guest's clipboard changed (not by the agent). `types` are those the agent can
 * produce now (n may be 0). What to send: */
typedef struct vda_cb_guest_change {
    int send_release;        /* RELEASE (before the GRAB, if any) */
    int send_grab;
    uint32_t serial;         /* for the GRAB, when serial_on */
} vda_cb_guest_change;
void vda_cb_session_guest_changed(vda_cb_session *s, const uint32_t *types, uint32_t n,
                                  int serial_on, int no_release_on_regrab,
                                  vda_cb_guest_change *out);

/* A guest paste wants `type` from the client. 0: send REQUEST and wait; -1: no
 * (the client does not own the clipboard, did not promise the type, or a request
 * is already in flight) -- the paste returns empty at once. */
int vda_cb_session_want(vda_cb_session *s, uint32_t type);
/* The wait ended without data (timeout). */
void vda_cb_session_want_cancel(vda_cb_session *s);

typedef enum vda_cb_data_result {
    VDA_CB_DATA_DELIVER = 0, /* the awaited data: give it to the paste */
    VDA_CB_DATA_EMPTY,       /* the client answered NONE: the paste gets nothing */
    VDA_CB_DATA_TOO_BIG,     /* above own_max: refused, the paste gets nothing */
    VDA_CB_DATA_UNSOLICITED, /* data nobody asked for (or of another type): drop */
} vda_cb_data_result;
vda_cb_data_result vda_cb_session_client_data(vda_cb_session *s, uint32_t type, size_t len);

typedef enum vda_cb_request_result {
    VDA_CB_REQ_ANSWER = 0,   /* the agent owns and offered this type: read and send it */
    VDA_CB_REQ_NONE,         /* answer with an empty CLIPBOARD of type NONE */
} vda_cb_request_result;
vda_cb_request_result vda_cb_session_client_request(vda_cb_session *s, uint32_t type);
/* The answer to a client request went out (whatever it was). */
void vda_cb_session_request_answered(vda_cb_session *s);

/* VD_AGENT_MAX_CLIPBOARD: negative = no limit. */
void vda_cb_session_set_client_max(vda_cb_session *s, int32_t max);
/* May the agent send `len` bytes of clipboard data to the client? */
int vda_cb_session_fits_client(const vda_cb_session *s, size_t len);

const char *vda_cb_owner_name(vda_cb_owner o);

#endif
