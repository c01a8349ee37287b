/* Fuzzes the clipboard message parsers and, through them, the agent core:
 * byte 0 bit 0 picks the mode.
 *   parsers: byte 1 picks the message kind and serial flag; the rest is a payload.
 *   core:    the rest is the pipe stream fed to a vda_agent with a fake platform,
 *            in reads of byte1+1 bytes, with guest-side events (copy, paste,
 *            timeout) driven by byte 0. Checks the core's invariants. The same
 *            input runs twice: plain, and with plugged-in handlers that parse the
 *            rest of the read from inside themselves (as the agent's nested loop
 *            does during a broadcast). Both runs must send the same messages and
 *            call the handlers in the same order. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <spice/vd_agent.h>

#include "agent/agent_core.h"
#include "agent/clipboard_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What one run of the core did, in order: messages sent and handler calls. */
#define TRACE_MAX 4096
typedef struct trace {
    uint32_t ev[TRACE_MAX];
    size_t n;
    int overflow;
} trace;

typedef struct run_ctx {
    vda_agent a;
    trace t;
    int nested;     /* handlers parse the rest of the read themselves */
    int depth;
} run_ctx;

static void trace_add(trace *t, uint32_t ev)
{
    if (t->n < TRACE_MAX)
        t->ev[t->n++] = ev;
    else
        t->overflow = 1;
}

static int f_send(void *ctx, uint32_t type, uint8_t *payload, uint32_t size)
{
    run_ctx *r = ctx;
    if (type == 0 || type >= VD_AGENT_END_MESSAGE || (size > 0 && !payload))
        abort();
    trace_add(&r->t, type << 24 ^ size);
    free(payload);
    return 0;
}

/* A feature handler (monitors, mouse, display config) whose system call runs
 * the loop nested: it parses what is left of the current read first. */
static void on_feature(void *ctx, const vda_message *m)
{
    run_ctx *r = ctx;
    trace_add(&r->t, 0x80000000u | (m->type << 24 ^ m->size));
    if (!r->nested || r->depth >= 4)
        return;
    r->depth++;
    while (vda_agent_unparsed(&r->a) > 0)
        vda_agent_feed_rest(&r->a);
    r->depth--;
}

static void f_take(void *ctx, const uint32_t *types, uint32_t n)
{
    (void)ctx;
    if (n > VDA_CB_MAX_TYPES)
        abort();
    for (uint32_t i = 0; i < n; i++)
        if (!vda_cb_type_known(types[i]))
            abort();
}

static void f_drop(void *ctx) { (void)ctx; }
static void f_stop(void *ctx) { (void)ctx; }

static int f_read(void *ctx, uint32_t type, uint8_t **buf, size_t *size)
{
    (void)ctx;
    if (type == VD_AGENT_CLIPBOARD_IMAGE_PNG)
        return -1;
    *buf = malloc(VDA_CB_DATA_HDR + 3);
    if (!*buf)
        return -1;
    memcpy(*buf + VDA_CB_DATA_HDR, "abc", 3);
    *size = VDA_CB_DATA_HDR + 3;
    return 0;
}

static void parsers(const uint8_t *p, size_t n, uint8_t sel)
{
    vda_cb_grab g;
    uint32_t t;
    const uint8_t *d;
    size_t len;
    int32_t max;
    switch (sel % 5) {
    case 0:
        if (vda_cb_parse_grab(p, n, sel & 8, &g) == VDA_CB_OK) {
            if (g.count == 0 || g.count > VDA_CB_MAX_TYPES)
                abort();
            uint8_t out[4 * (VDA_CB_MAX_TYPES + 1)];
            size_t k = vda_cb_write_grab(out, g.types, g.count, sel & 8, g.serial);
            if (k != n || memcmp(out, p, n) != 0)
                abort();  /* what parses must build back to the same bytes */
        }
        break;
    case 1:
        if (vda_cb_parse_request(p, n, &t) == VDA_CB_OK && (n != 4 || !vda_cb_type_known(t)))
            abort();
        break;
    case 2:
        if (vda_cb_parse_data(p, n, &t, &d, &len) == VDA_CB_OK &&
            (d != p + 4 || len != n - 4))
            abort();
        break;
    case 3:
        (void)vda_cb_parse_max(p, n, &max);
        break;
    default:
        (void)vda_cb_parse_release(n);
        break;
    }
}

static void run_core(run_ctx *r, const uint8_t *data, size_t size, uint8_t mode, uint8_t arg)
{
    vda_agent *a = &r->a;
    vda_agent_ops ops = { r, f_send, f_take, f_drop, f_read, f_stop, NULL, NULL, NULL, NULL };
    vda_agent_init(a, &ops, 1u << 16, NULL);
    static const uint32_t features[] = { VD_AGENT_MOUSE_STATE, VD_AGENT_MONITORS_CONFIG,
                                         VD_AGENT_DISPLAY_CONFIG };
    for (size_t i = 0; i < sizeof features / sizeof features[0]; i++)
        vda_agent_set_handler(a, features[i], on_feature, r);
    vda_agent_start(a);
    size_t step = (size_t)arg + 1;
    uint32_t text[] = { VD_AGENT_CLIPBOARD_UTF8_TEXT, VD_AGENT_CLIPBOARD_IMAGE_PNG };
    for (size_t off = 0, i = 0; off < size; off += step, i++) {
        vda_agent_feed(a, data + off, size - off < step ? size - off : step);
        if (vda_agent_unparsed(a) != 0)
            abort();  /* a feed returns with its read parsed, nested or not */
        switch ((mode >> 1) + i) {
        case 3: vda_agent_guest_changed(a, text, 1 + (uint32_t)(i & 1)); break;
        case 5: (void)vda_agent_want(a, VD_AGENT_CLIPBOARD_UTF8_TEXT); break;
        case 9: vda_agent_paste_cancel(a); break;
        default: break;
        }
        if (a->paste.done && a->paste.buf && a->paste.off + a->paste.len < a->paste.len)
            abort();
        if (a->cb.want_pending && a->cb.owner != VDA_CB_OWNER_CLIENT &&
            a->cb.owner != VDA_CB_OWNER_NONE && a->cb.owner != VDA_CB_OWNER_GUEST)
            abort();
    }
    vda_agent_free(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    uint8_t mode = data[0];
    uint8_t arg = data[1];
    data += 2;
    size -= 2;
    if (!(mode & 1)) {
        parsers(data, size, arg);
        return 0;
    }
    static run_ctx plain, nested;   /* big traces: not on the stack */
    memset(&plain, 0, sizeof plain);
    memset(&nested, 0, sizeof nested);
    nested.nested = 1;
    run_core(&plain, data, size, mode, arg);
    run_core(&nested, data, size, mode, arg);
    if (!plain.t.overflow && !nested.t.overflow &&
        (plain.t.n != nested.t.n ||
         memcmp(plain.t.ev, nested.t.ev, plain.t.n * sizeof plain.t.ev[0]) != 0))
        abort();  /* parsing from inside a handler changed what the agent did */
    return 0;
}
