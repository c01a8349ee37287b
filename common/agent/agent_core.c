#include "agent/agent_core.h"

#include <stdlib.h>
#include <string.h>

#include "agent/agent_caps.h"
#include "agent/clipboard_proto.h"
#include "wire/msg_sizes.h"

static int xfer_send(void *ctx, uint32_t type, uint8_t *payload, uint32_t size)
{
    vda_agent *a = ctx;
    return a->ops.send(a->ops.ctx, type, payload, size);
}

static int xfer_detailed(void *ctx)
{
    return vda_agent_both(ctx, VD_AGENT_CAP_FILE_XFER_DETAILED_ERRORS);
}

void vda_agent_init(vda_agent *a, const vda_agent_ops *ops, uint64_t clip_max,
                    const vda_logger *log)
{
    memset(a, 0, sizeof *a);
    a->log = log;
    a->ops = *ops;
    vda_pipe_reader_init(&a->pipe, log, "pipe");
    /* A clipboard message is its data plus the 4-byte type. */
    uint64_t max_msg = clip_max + VDA_CB_DATA_HDR;
    vda_reasm_init(&a->reasm, max_msg > UINT32_MAX - 64 ? UINT32_MAX - 64 : (uint32_t)max_msg,
                   log);
    vda_agent_caps_default(&a->ours);
    vda_cb_session_init(&a->cb, clip_max);
    vda_xfer_session_init(&a->xfer, a, xfer_send, xfer_detailed, log);
    vda_caps_set(&a->ours, VD_AGENT_CAP_FILE_XFER_DISABLED);
    a->out_limit = VDA_AGENT_OUT_LIMIT;
}

void vda_agent_system_role(vda_agent *a)
{
    a->no_user_data = 1;
    vda_caps_clear(&a->ours);
}

static int is_user_data(uint32_t type)
{
    switch (type) {
    case VD_AGENT_CLIPBOARD_GRAB:
    case VD_AGENT_CLIPBOARD_REQUEST:
    case VD_AGENT_CLIPBOARD:
    case VD_AGENT_CLIPBOARD_RELEASE:
    case VD_AGENT_MAX_CLIPBOARD:
    case VD_AGENT_FILE_XFER_START:
    case VD_AGENT_FILE_XFER_STATUS:
    case VD_AGENT_FILE_XFER_DATA:
        return 1;
    default:
        return 0;
    }
}

void vda_agent_set_xfer_io(vda_agent *a, const vda_xfer_io *io, int enabled, size_t name_units)
{
    vda_xfer_session_set_io(&a->xfer, io, enabled, name_units);
    if (enabled)
        a->ours.words[VD_AGENT_CAP_FILE_XFER_DISABLED / 32] &=
            ~(1u << (VD_AGENT_CAP_FILE_XFER_DISABLED % 32));
    else
        vda_caps_set(&a->ours, VD_AGENT_CAP_FILE_XFER_DISABLED);
}

/* The guest clipboard changed (or the client took it): the encoded copy is stale. */
static void cache_drop(vda_agent *a)
{
    free(a->cache.buf);
    a->cache.buf = NULL;
    a->cache.size = 0;
    a->cache.type = 0;
}

void vda_agent_free(vda_agent *a)
{
    vda_xfer_session_forget(&a->xfer, "agent exit", 0);
    cache_drop(a);
    vda_reasm_free(&a->reasm);
    free(a->paste.buf);
    a->paste.buf = NULL;
}

void vda_agent_set_handler(vda_agent *a, uint32_t type, vda_msg_handler fn, void *ctx)
{
    if (type < VD_AGENT_END_MESSAGE) {
        a->handlers[type].fn = fn;
        a->handlers[type].ctx = ctx;
    }
}

int vda_agent_both(const vda_agent *a, uint32_t cap)
{
    return a->client_known && vda_caps_both(&a->ours, &a->client, cap);
}

static void send_msg(vda_agent *a, uint32_t type, uint8_t *payload, uint32_t size)
{
    a->ops.send(a->ops.ctx, type, payload, size);
}

static void announce(vda_agent *a, uint32_t request)
{
    uint32_t size;
    uint8_t *p = vda_agent_caps_build(&a->ours, request, &size);
    if (!p) {
        vda_error(a->log, "out of memory announcing capabilities");
        return;
    }
    char names[512];
    vda_info(a->log, "announcing capabilities (request=%u): %s", request,
             vda_agent_caps_describe(&a->ours, names, sizeof names));
    send_msg(a, VD_AGENT_ANNOUNCE_CAPABILITIES, p, size);
}

void vda_agent_start(vda_agent *a)
{
    announce(a, 1);
}

static void finish_paste(vda_agent *a, uint32_t type, uint8_t *buf, size_t off, size_t len)
{
    free(a->paste.buf);
    a->paste.done = 1;
    a->paste.type = type;
    a->paste.buf = buf;
    a->paste.off = off;
    a->paste.len = len;
}

void vda_agent_forget_client(vda_agent *a, const char *why)
{
    vda_info(a->log, "forgetting the client's state (%s)", why);
    vda_reasm_reset_port(&a->reasm, VDP_CLIENT_PORT);
    int client_owned = a->cb.owner == VDA_CB_OWNER_CLIENT;
    if (vda_cb_session_forget_client(&a->cb))
        finish_paste(a, VD_AGENT_CLIPBOARD_NONE, NULL, 0, 0);  /* the paste returns empty */
    vda_xfer_session_forget(&a->xfer, why, 0);
    vda_caps_clear(&a->client);
    a->client_known = 0;
    if (client_owned)
        a->ops.drop_clipboard(a->ops.ctx);
    if (a->ops.client_reset)
        a->ops.client_reset(a->ops.ctx);
}

/* ---- clipboard messages from the client ---- */

static void on_grab(vda_agent *a, const vda_message *m)
{
    int serial_on = vda_agent_both(a, VD_AGENT_CAP_CLIPBOARD_GRAB_SERIAL);
    vda_cb_grab g;
    vda_cb_status st = vda_cb_parse_grab(m->data, m->size, serial_on, &g);
    if (st != VDA_CB_OK) {
        vda_warn(a->log, "clipboard-grab (size %u) dropped: %s", m->size, vda_cb_status_str(st));
        return;
    }
    uint32_t expected = a->cb.serial;
    if (vda_cb_session_client_grab(&a->cb, &g, serial_on) == VDA_CB_GRAB_STALE) {
        vda_info(a->log, "clipboard-grab with stale serial %u (expected %u) discarded", g.serial,
                 expected);
        return;
    }
    cache_drop(a);
    vda_debug(a->log, "client grabbed the clipboard (%u types, %u usable)", g.count,
              a->cb.n_client_types);
    a->ops.take_clipboard(a->ops.ctx, a->cb.client_types, a->cb.n_client_types);
}

static void send_clipboard_none(vda_agent *a)
{
    uint8_t *p = malloc(VDA_CB_DATA_HDR);
    if (!p) {
        vda_error(a->log, "out of memory answering a clipboard request");
        return;
    }
    vda_cb_write_data_hdr(p, VD_AGENT_CLIPBOARD_NONE);
    send_msg(a, VD_AGENT_CLIPBOARD, p, VDA_CB_DATA_HDR);
}

/* Ends a request the session counted (vda_cb_session_client_request) with "none". */
static void answer_none(vda_agent *a)
{
    send_clipboard_none(a);
    vda_cb_session_request_answered(&a->cb);
}

static void on_request(vda_agent *a, const vda_message *m)
{
    uint32_t type = 0;
    vda_cb_status st = vda_cb_parse_request(m->data, m->size, &type);
    if (st != VDA_CB_OK) {
        /* Still answer, so the client never waits. */
        vda_warn(a->log, "clipboard-request (size %u) invalid: %s; answering none", m->size,
                 vda_cb_status_str(st));
        send_clipboard_none(a);
        return;
    }
    if (vda_cb_session_client_request(&a->cb, type) == VDA_CB_REQ_NONE) {
        vda_info(a->log, "clipboard-request for %s, which the guest does not offer: none",
                 vda_cb_type_name(type));
        answer_none(a);
        return;
    }
    size_t queued = a->ops.queued ? a->ops.queued(a->ops.ctx) : 0;
    if (queued > a->out_limit) {
        /* One line when refusing starts; the count when it ends. */
        if (a->refused++ == 0)
            vda_warn(a->log, "clipboard-request for %s refused: %zu bytes already queued for "
                     "the client (limit %zu); refusing until it drains",
                     vda_cb_type_name(type), queued, a->out_limit);
        if (queued <= a->out_limit + VDA_AGENT_OUT_SLACK)
            answer_none(a);
        else
            vda_cb_session_request_answered(&a->cb); /* not even NONE: bounded */
        return;
    }
    if (a->refused) {
        vda_info(a->log, "answering clipboard requests again (%u refused while the queue was "
                 "full)", a->refused);
        a->refused = 0;
    }
    uint8_t *buf = NULL;
    size_t size = 0;
    uint32_t seq = a->ops.guest_seq ? a->ops.guest_seq(a->ops.ctx) : 0;
    if (a->cache.buf && a->cache.seq != seq)
        cache_drop(a); /* changed, the notification not handled yet */
    if (a->cache.buf && a->cache.type == type) {
        /* The same data as the last answer: a copy, no new read or encoding. */
        size = a->cache.size;
        buf = malloc(size);
        if (!buf) {
            vda_error(a->log, "out of memory answering a clipboard request");
            answer_none(a);
            return;
        }
        memcpy(buf, a->cache.buf, size);
    } else {
        a->guest_reads++;
        if (a->ops.read_guest(a->ops.ctx, type, &buf, &size) != 0 || size < VDA_CB_DATA_HDR) {
            free(buf);
            answer_none(a);
            return;
        }
    }
    size_t len = size - VDA_CB_DATA_HDR;
    if (!vda_cb_session_fits_client(&a->cb, len) || size > UINT32_MAX - 64) {
        vda_warn(a->log, "clipboard data (%zu bytes of %s) above the client's limit %lld: "
                 "sending none", len, vda_cb_type_name(type), (long long)a->cb.client_max);
        free(buf);
        answer_none(a);
        return;
    }
    vda_cb_write_data_hdr(buf, type);
    if (!(a->cache.buf && a->cache.type == type)) {
        /* Keep one encoded copy for repeated requests (dropped at the next change). */
        cache_drop(a);
        a->cache.buf = malloc(size);
        if (a->cache.buf) {
            memcpy(a->cache.buf, buf, size);
            a->cache.size = size;
            a->cache.type = type;
            a->cache.seq = seq;
        }
    }
    send_msg(a, VD_AGENT_CLIPBOARD, buf, (uint32_t)size);
    vda_cb_session_request_answered(&a->cb);
}

/* Takes ownership of m->data. */
static void on_data(vda_agent *a, vda_message *m)
{
    uint32_t type = 0;
    const uint8_t *data = NULL;
    size_t len = 0;
    vda_cb_status st = vda_cb_parse_data(m->data, m->size, &type, &data, &len);
    if (st != VDA_CB_OK) {
        vda_warn(a->log, "clipboard data (size %u) dropped: %s", m->size, vda_cb_status_str(st));
        /* A malformed answer still ends the wait: better empty than hung. */
        if (a->cb.want_pending) {
            vda_cb_session_want_cancel(&a->cb);
            finish_paste(a, VD_AGENT_CLIPBOARD_NONE, NULL, 0, 0);
        }
        free(m->data);
        return;
    }
    switch (vda_cb_session_client_data(&a->cb, type, len)) {
    case VDA_CB_DATA_DELIVER:
        finish_paste(a, type, m->data, VDA_CB_DATA_HDR, len);
        m->data = NULL;
        return;
    case VDA_CB_DATA_EMPTY:
        finish_paste(a, VD_AGENT_CLIPBOARD_NONE, NULL, 0, 0);
        break;
    case VDA_CB_DATA_TOO_BIG:
        vda_warn(a->log, "clipboard data (%zu bytes of %s) above the agent's limit %llu: refused",
                 len, vda_cb_type_name(type), (unsigned long long)a->cb.own_max);
        finish_paste(a, VD_AGENT_CLIPBOARD_NONE, NULL, 0, 0);
        break;
    case VDA_CB_DATA_UNSOLICITED:
        vda_warn(a->log, "clipboard data of %s (%zu bytes) nobody requested: dropped",
                 vda_cb_type_name(type), len);
        break;
    }
    free(m->data);
    m->data = NULL;
}

static void on_release(vda_agent *a, const vda_message *m)
{
    if (vda_cb_parse_release(m->size) != VDA_CB_OK)
        vda_debug(a->log, "clipboard-release with %u extra bytes", m->size);
    if (!vda_cb_session_client_release(&a->cb)) {
        vda_debug(a->log, "clipboard-release while the client held no grab: ignored");
        return;
    }
    a->ops.drop_clipboard(a->ops.ctx);
}

static void on_max(vda_agent *a, const vda_message *m)
{
    int32_t max;
    vda_cb_status st = vda_cb_parse_max(m->data, m->size, &max);
    if (st != VDA_CB_OK) {
        vda_warn(a->log, "max-clipboard (size %u) dropped: %s", m->size, vda_cb_status_str(st));
        return;
    }
    vda_info(a->log, "client max-clipboard: %d", max);
    vda_cb_session_set_client_max(&a->cb, max);
}

static void on_caps(vda_agent *a, const vda_message *m)
{
    int reply = 0;
    int was_known = a->client_known;
    if (vda_agent_caps_on_announce(m->data, m->size, &a->client, &reply) != 0) {
        vda_warn(a->log, "announce-capabilities (size %u) too short: dropped", m->size);
        a->client_known = 0;
        return;
    }
    a->client_known = 1;
    char names[512];
    vda_info(a->log, "client capabilities: %s",
             vda_agent_caps_describe(&a->client, names, sizeof names));
    if (reply)
        announce(a, 0);
    if (!was_known && a->ops.client_attached)
        a->ops.client_attached(a->ops.ctx);
}

void vda_agent_dispatch(vda_agent *a, vda_message *m)
{
    if (a->no_user_data && is_user_data(m->type)) {
        vda_warn(a->log, "port %u: %s (%u bytes) is not the system role's: dropped unparsed",
                 m->port, vda_msg_type_name(m->type), m->size);
        free(m->data);
        m->data = NULL;
        return;
    }
    switch (m->type) {
    case VD_AGENT_ANNOUNCE_CAPABILITIES: on_caps(a, m); break;
    case VD_AGENT_CLIPBOARD_GRAB: on_grab(a, m); break;
    case VD_AGENT_CLIPBOARD_REQUEST: on_request(a, m); break;
    case VD_AGENT_CLIPBOARD: on_data(a, m); return;
    case VD_AGENT_CLIPBOARD_RELEASE: on_release(a, m); break;
    case VD_AGENT_MAX_CLIPBOARD: on_max(a, m); break;
    case VD_AGENT_CLIENT_DISCONNECTED:
        vda_agent_forget_client(a, "client disconnected");
        break;
    case VD_AGENT_FILE_XFER_START:
        vda_xfer_session_start(&a->xfer, m->data, m->size);
        break;
    case VD_AGENT_FILE_XFER_STATUS:
        vda_xfer_session_status(&a->xfer, m->data, m->size);
        break;
    case VD_AGENT_FILE_XFER_DATA:
        vda_xfer_session_data(&a->xfer, m->data, m->size);  /* takes the buffer */
        m->data = NULL;
        return;
    default:
        if (m->type < VD_AGENT_END_MESSAGE && a->handlers[m->type].fn)
            a->handlers[m->type].fn(a->handlers[m->type].ctx, m);
        else
            vda_warn(a->log, "port %u: %s message (type %u, size %u) not handled: dropped",
                     m->port, vda_msg_type_name(m->type), m->type, m->size);
        break;
    }
    free(m->data);
    m->data = NULL;
}

static void on_control(vda_agent *a, uint32_t cmd, uint32_t arg)
{
    switch (cmd) {
    case VDA_PIPE_STOP:
        vda_info(a->log, "service says stop");
        vda_xfer_session_forget(&a->xfer, "agent stopping", 1);
        a->ops.stop(a->ops.ctx);
        break;
    case VDA_PIPE_RESET:
        vda_info(a->log, "service reset the port");
        vda_reasm_reset_port(&a->reasm, VDP_SERVER_PORT);
        vda_agent_forget_client(a, "port reset");
        announce(a, 1);
        break;
    default:
        vda_warn(a->log, "pipe control %s (%u, arg %u) unexpected here: ignored",
                 vda_pipe_cmd_name(cmd), cmd, arg);
        break;
    }
}

void vda_agent_feed(vda_agent *a, const uint8_t *buf, size_t len)
{
    /* A nested call with new bytes while older ones wait (the caller did not
     * drain them): keep the stream in order, the older ones first. */
    vda_agent_feed_rest(a);
    a->in = buf;
    a->in_len = len;
    vda_agent_feed_rest(a);
}

size_t vda_agent_unparsed(const vda_agent *a)
{
    return a->in_len;
}

/* Parses from the cursor in a->in: a handler that runs the loop nested may parse
 * the rest itself (through here), and this loop then finds nothing left. */
void vda_agent_feed_rest(vda_agent *a)
{
    for (;;) {
        vda_pipe_event ev;
        vda_status st = vda_pipe_reader_next(&a->pipe, &a->in, &a->in_len, &ev);
        if (st == VDA_NEED_MORE)
            break;
        if (st == VDA_ERR_FRAMING_LOST) {
            /* The stream cannot be trusted; start over at whatever comes next. */
            vda_error(a->log, "pipe framing lost: resetting the stream");
            vda_pipe_reader_reset(&a->pipe);
            vda_reasm_reset_port(&a->reasm, VDP_CLIENT_PORT);
            vda_reasm_reset_port(&a->reasm, VDP_SERVER_PORT);
            a->in_len = 0;
            break;
        }
        if (st != VDA_OK)
            continue;  /* logged by the reader; it goes on at the next chunk */
        if (ev.kind == VDA_PIPE_EV_CONTROL) {
            on_control(a, ev.cmd, ev.arg);
            continue;
        }
        vda_message m;
        st = vda_reasm_feed(&a->reasm, &ev.piece, &m);
        if (st == VDA_MSG_READY) {
            vda_agent_dispatch(a, &m);
        } else if (st == VDA_ERR_MSG_TOO_BIG && ev.piece.port == VDP_CLIENT_PORT &&
                   a->cb.want_pending) {
            /* Most likely the answer we wait for: the paste gets nothing now
             * rather than after the timeout. */
            vda_warn(a->log, "the awaited clipboard data is above the agent's limit: refused");
            vda_cb_session_want_cancel(&a->cb);
            finish_paste(a, VD_AGENT_CLIPBOARD_NONE, NULL, 0, 0);
        }
    }
}

void vda_agent_guest_changed(vda_agent *a, const uint32_t *types, uint32_t n)
{
    cache_drop(a);
    if (!a->client_known || !vda_caps_has(&a->client, VD_AGENT_CAP_CLIPBOARD_BY_DEMAND)) {
        vda_debug(a->log, "guest clipboard changed, no client to tell");
        return;
    }
    int serial_on = vda_agent_both(a, VD_AGENT_CAP_CLIPBOARD_GRAB_SERIAL);
    vda_cb_guest_change ch;
    vda_cb_session_guest_changed(&a->cb, types, n, serial_on,
                                 vda_agent_both(a, VD_AGENT_CAP_CLIPBOARD_NO_RELEASE_ON_REGRAB),
                                 &ch);
    if (ch.send_release)
        send_msg(a, VD_AGENT_CLIPBOARD_RELEASE, NULL, 0);
    if (ch.send_grab) {
        size_t size = vda_cb_grab_size(n, serial_on);
        uint8_t *p = malloc(size);
        if (!p) {
            vda_error(a->log, "out of memory sending a clipboard grab");
            return;
        }
        vda_cb_write_grab(p, types, n, serial_on, ch.serial);
        send_msg(a, VD_AGENT_CLIPBOARD_GRAB, p, (uint32_t)size);
    }
}

int vda_agent_want(vda_agent *a, uint32_t type)
{
    if (a->paste.done) {
        free(a->paste.buf);
        memset(&a->paste, 0, sizeof a->paste);
    }
    if (vda_cb_session_want(&a->cb, type) != 0) {
        vda_info(a->log, "paste of %s: the client does not offer it (owner %s)",
                 vda_cb_type_name(type), vda_cb_owner_name(a->cb.owner));
        return -1;
    }
    uint8_t *p = malloc(4);
    if (!p) {
        vda_cb_session_want_cancel(&a->cb);
        return -1;
    }
    vda_cb_write_request(p, type);
    send_msg(a, VD_AGENT_CLIPBOARD_REQUEST, p, 4);
    return 0;
}

void vda_agent_paste_take(vda_agent *a, vda_agent_paste *out)
{
    *out = a->paste;
    memset(&a->paste, 0, sizeof a->paste);
}

void vda_agent_paste_cancel(vda_agent *a)
{
    vda_cb_session_want_cancel(&a->cb);
    free(a->paste.buf);
    memset(&a->paste, 0, sizeof a->paste);
}
