/* The agent's protocol core end to end over its byte stream, with a fake platform:
 * caps request/reply, client grab -> guest paste, guest copy -> client request,
 * the seed's disconnect scenario 1 mid-paste, pipe RESET and STOP, bad input. */
#include "test_support.h"

#include <spice/vd_agent.h>

#include "agent/agent_caps.h"
#include "agent/agent_core.h"
#include "agent/clipboard_proto.h"
#include "base/le_bytes.h"
#include "wire/pipe_proto.h"

#define MAX_SENT 32

typedef struct sent_msg {
    uint32_t type;
    uint8_t *payload;
    uint32_t size;
} sent_msg;

typedef struct fake {
    vda_agent agent;
    test_log log;
    sent_msg sent[MAX_SENT];
    int n_sent;
    uint32_t taken[VDA_CB_MAX_TYPES];
    int n_taken;     /* -1: never taken */
    int takes, drops, stops, resets;
    const uint8_t *guest_data;  /* what read_guest returns; NULL: fails */
    size_t guest_len;
    int handled;     /* calls of the plugged-in handler */
    int attached;    /* client_attached calls */
    int done_at_send[MAX_SENT];  /* paste.done when each message was sent */
    uint32_t seq;    /* the guest clipboard's sequence number */
} fake;

static int f_send(void *ctx, uint32_t type, uint8_t *payload, uint32_t size)
{
    fake *f = ctx;
    assert_true(f->n_sent < MAX_SENT);
    f->done_at_send[f->n_sent] = f->agent.paste.done;
    f->sent[f->n_sent++] = (sent_msg){ type, payload, size };
    return 0;
}

static void f_take(void *ctx, const uint32_t *types, uint32_t n)
{
    fake *f = ctx;
    f->takes++;
    f->n_taken = (int)n;
    memcpy(f->taken, types, n * sizeof *types);
}

static void f_drop(void *ctx)
{
    ((fake *)ctx)->drops++;
}

static int f_read(void *ctx, uint32_t type, uint8_t **buf, size_t *size)
{
    fake *f = ctx;
    (void)type;
    if (!f->guest_data)
        return -1;
    *buf = malloc(VDA_CB_DATA_HDR + f->guest_len + 1);
    assert_non_null(*buf);
    memcpy(*buf + VDA_CB_DATA_HDR, f->guest_data, f->guest_len);
    *size = VDA_CB_DATA_HDR + f->guest_len;
    return 0;
}

static void f_stop(void *ctx)
{
    ((fake *)ctx)->stops++;
}

static void f_reset(void *ctx)
{
    ((fake *)ctx)->resets++;
}

static void f_attached(void *ctx)
{
    ((fake *)ctx)->attached++;
}

static uint32_t f_seq(void *ctx)
{
    return ((fake *)ctx)->seq;
}

static fake *fake_new(uint64_t clip_max)
{
    fake *f = calloc(1, sizeof *f);
    assert_non_null(f);
    test_log_init(&f->log);
    f->n_taken = -1;
    vda_agent_ops ops = { f, f_send, f_take, f_drop, f_read, f_stop, f_reset, f_attached, NULL,
                          f_seq };
    vda_agent_init(&f->agent, &ops, clip_max, &f->log.logger);
    return f;
}

static void clear_sent(fake *f)
{
    for (int i = 0; i < f->n_sent; i++)
        free(f->sent[i].payload);
    f->n_sent = 0;
}

static void fake_free(fake *f)
{
    clear_sent(f);
    vda_agent_free(&f->agent);
    free(f);
}

/* Feeds a wire stream in reads of `step` bytes. */
static void feed(fake *f, const bytes *b, size_t step)
{
    for (size_t off = 0; off < b->len; off += step)
        vda_agent_feed(&f->agent, b->data + off, b->len - off < step ? b->len - off : step);
}

static void send_client(fake *f, uint32_t type, const void *data, uint32_t size)
{
    bytes b = { 0 };
    add_message(&b, VDP_CLIENT_PORT, type, 0, data, size);
    feed(f, &b, 1000);
    bytes_free(&b);
}

static void client_caps(fake *f, uint32_t request, const uint32_t *caps, int n)
{
    vda_caps c;
    vda_caps_clear(&c);
    for (int i = 0; i < n; i++)
        vda_caps_set(&c, caps[i]);
    uint8_t buf[64];
    size_t size = vda_caps_write(&c, request, buf);
    send_client(f, VD_AGENT_ANNOUNCE_CAPABILITIES, buf, (uint32_t)size);
}

static const uint32_t basic_caps[] = { VD_AGENT_CAP_CLIPBOARD_BY_DEMAND };
static const uint32_t all_caps[] = { VD_AGENT_CAP_CLIPBOARD_BY_DEMAND,
                                     VD_AGENT_CAP_CLIPBOARD_GRAB_SERIAL,
                                     VD_AGENT_CAP_CLIPBOARD_NO_RELEASE_ON_REGRAB,
                                     VD_AGENT_CAP_MAX_CLIPBOARD };

static void client_grab(fake *f, int with_serial, uint32_t serial, const uint32_t *types,
                        uint32_t n)
{
    uint8_t buf[128];
    size_t size = vda_cb_write_grab(buf, types, n, with_serial, serial);
    send_client(f, VD_AGENT_CLIPBOARD_GRAB, buf, (uint32_t)size);
}

/* A CLIPBOARD message (type + data) on the wire. */
static void add_clipboard(bytes *b, uint32_t type, const uint8_t *data, uint32_t len)
{
    uint8_t *p = malloc(len + 4);
    assert_non_null(p);
    vda_cb_write_data_hdr(p, type);
    if (len)
        memcpy(p + 4, data, len);
    add_message(b, VDP_CLIENT_PORT, VD_AGENT_CLIPBOARD, 0, p, len + 4);
    free(p);
}

static void assert_caps_announce(const sent_msg *m, uint32_t request)
{
    assert_int_equal(m->type, VD_AGENT_ANNOUNCE_CAPABILITIES);
    uint32_t req;
    vda_caps c;
    assert_int_equal(vda_caps_parse(m->payload, m->size, &req, &c), 0);
    assert_int_equal(req, request);
    assert_true(vda_caps_has(&c, VD_AGENT_CAP_CLIPBOARD_BY_DEMAND));
    assert_true(vda_caps_has(&c, VD_AGENT_CAP_GUEST_LINEEND_CRLF));
    assert_true(vda_caps_has(&c, VD_AGENT_CAP_MAX_CLIPBOARD));
    assert_true(vda_caps_has(&c, VD_AGENT_CAP_CLIPBOARD_GRAB_SERIAL));
    assert_true(vda_caps_has(&c, VD_AGENT_CAP_CLIPBOARD_NO_RELEASE_ON_REGRAB));
    /* only what is implemented */
    assert_false(vda_caps_has(&c, VD_AGENT_CAP_CLIPBOARD_SELECTION));
    assert_false(vda_caps_has(&c, VD_AGENT_CAP_MOUSE_STATE));
    assert_false(vda_caps_has(&c, VD_AGENT_CAP_MONITORS_CONFIG));
    assert_false(vda_caps_has(&c, VD_AGENT_CAP_GUEST_LINEEND_LF));
}

static void test_caps_request_reply(void **state)
{
    (void)state;
    fake *f = fake_new(1 << 20);
    vda_agent_start(&f->agent);
    assert_int_equal(f->n_sent, 1);
    assert_caps_announce(&f->sent[0], 1);
    clear_sent(f);
    client_caps(f, 0, basic_caps, 1);
    assert_int_equal(f->n_sent, 0);      /* a reply needs no reply */
    assert_true(f->agent.client_known);
    client_caps(f, 1, basic_caps, 1);
    assert_int_equal(f->n_sent, 1);      /* asked: answered with request = 0 */
    assert_caps_announce(&f->sent[0], 0);
    assert_int_equal(f->attached, 1);    /* once per client, not per caps message */
    /* a new client after a disconnect is told about the guest clipboard again */
    bytes dis = { 0 };
    add_message(&dis, VDP_SERVER_PORT, VD_AGENT_CLIENT_DISCONNECTED, 0, NULL, 0);
    feed(f, &dis, 64);
    bytes_free(&dis);
    client_caps(f, 1, basic_caps, 1);
    assert_int_equal(f->attached, 2);
    /* caps too short: dropped with one line (by reassembly), nothing changes */
    int lines = f->log.lines;
    send_client(f, VD_AGENT_ANNOUNCE_CAPABILITIES, "ab", 2);
    assert_int_equal(f->log.lines, lines + 1);
    assert_true(f->agent.client_known);
    assert_int_equal(f->attached, 2);
    fake_free(f);
}

/* Client grab, guest paste: REQUEST out, multi-chunk data in, delivered intact. */
static void test_client_grab_paste(void **state)
{
    (void)state;
    fake *f = fake_new(1 << 20);
    client_caps(f, 0, basic_caps, 1);
    uint32_t types[] = { VD_AGENT_CLIPBOARD_UTF8_TEXT, VD_AGENT_CLIPBOARD_IMAGE_JPG, 999 };
    client_grab(f, 0, 0, types, 3);
    assert_int_equal(f->takes, 1);
    assert_int_equal(f->n_taken, 2);
    assert_int_equal(f->taken[0], VD_AGENT_CLIPBOARD_UTF8_TEXT);
    assert_int_equal(vda_agent_want(&f->agent, VD_AGENT_CLIPBOARD_IMAGE_PNG), -1);
    assert_int_equal(vda_agent_want(&f->agent, VD_AGENT_CLIPBOARD_UTF8_TEXT), 0);
    assert_int_equal(f->n_sent, 1);
    assert_int_equal(f->sent[0].type, VD_AGENT_CLIPBOARD_REQUEST);
    assert_int_equal(f->sent[0].size, 4);
    assert_int_equal(vda_le32(f->sent[0].payload), VD_AGENT_CLIPBOARD_UTF8_TEXT);
    uint32_t len = 5 * VD_AGENT_MAX_DATA_SIZE + 3;
    uint8_t *d = alloc_pattern(len, 7);
    bytes b = { 0 };
    add_clipboard(&b, VD_AGENT_CLIPBOARD_UTF8_TEXT, d, len);
    feed(f, &b, 333);
    assert_true(f->agent.paste.done);
    vda_agent_paste p;
    vda_agent_paste_take(&f->agent, &p);
    assert_int_equal(p.type, VD_AGENT_CLIPBOARD_UTF8_TEXT);
    assert_int_equal(p.len, len);
    assert_memory_equal(p.buf + p.off, d, len);
    free(p.buf);
    /* the same data again: nobody asked, dropped with one line */
    int lines = f->log.lines;
    feed(f, &b, 4096);
    assert_false(f->agent.paste.done);
    assert_int_equal(f->log.lines, lines + 1);
    bytes_free(&b);
    free(d);
    fake_free(f);
}

/* Seed scenario 1: the client disconnects in the middle of a multi-chunk paste.
 * The waiting paste returns empty at once, the gone client's grab is dropped, and
 * the next client's paste that starts right after comes out intact. */
static void test_disconnect_mid_paste(void **state)
{
    (void)state;
    for (size_t step = 1; step <= 9000; step = step * 3 + 1) {
        fake *f = fake_new(1 << 20);
        client_caps(f, 1, all_caps, 4);
        uint32_t text[] = { VD_AGENT_CLIPBOARD_UTF8_TEXT };
        client_grab(f, 1, 0, text, 1);
        assert_int_equal(vda_agent_want(&f->agent, VD_AGENT_CLIPBOARD_UTF8_TEXT), 0);
        uint32_t old_len = 4 * VD_AGENT_MAX_DATA_SIZE;
        uint8_t *old = alloc_pattern(old_len, 1);
        bytes b = { 0 };
        add_clipboard(&b, VD_AGENT_CLIPBOARD_UTF8_TEXT, old, old_len);
        /* after two whole chunks: spice-server passes whole chunks */
        size_t cut = 2 * VDA_CHUNK_MAX_WIRE;
        bytes part = { 0 };
        bytes_add(&part, b.data, cut);
        feed(f, &part, step);
        assert_false(f->agent.paste.done);
        /* spice-server: client gone (on the server port) */
        bytes dis = { 0 };
        add_message(&dis, VDP_SERVER_PORT, VD_AGENT_CLIENT_DISCONNECTED, 0, NULL, 0);
        feed(f, &dis, step);
        assert_true(f->agent.paste.done);   /* returned at once, empty */
        assert_null(f->agent.paste.buf);
        assert_int_equal(f->drops, 1);      /* the gone client's formats */
        assert_int_equal(f->resets, 1);
        assert_false(f->agent.client_known);
        assert_int_equal(f->agent.cb.owner, VDA_CB_OWNER_NONE);
        vda_agent_paste p;
        vda_agent_paste_take(&f->agent, &p);
        /* and nothing is pasted from the dead client any more */
        assert_int_equal(vda_agent_want(&f->agent, VD_AGENT_CLIPBOARD_UTF8_TEXT), -1);

        /* the new client: caps, grab (serial restarts at 0), paste */
        clear_sent(f);
        client_caps(f, 1, all_caps, 4);
        assert_int_equal(f->n_sent, 1);
        client_grab(f, 1, 0, text, 1);
        assert_int_equal(f->agent.cb.owner, VDA_CB_OWNER_CLIENT);
        assert_int_equal(vda_agent_want(&f->agent, VD_AGENT_CLIPBOARD_UTF8_TEXT), 0);
        uint32_t new_len = 3 * VD_AGENT_MAX_DATA_SIZE + 11;
        uint8_t *nw = alloc_pattern(new_len, 2);
        bytes b2 = { 0 };
        add_clipboard(&b2, VD_AGENT_CLIPBOARD_UTF8_TEXT, nw, new_len);
        feed(f, &b2, step);
        assert_true(f->agent.paste.done);
        vda_agent_paste_take(&f->agent, &p);
        assert_int_equal(p.len, new_len);
        assert_memory_equal(p.buf + p.off, nw, new_len);
        free(p.buf);
        bytes_free(&b);
        bytes_free(&b2);
        bytes_free(&part);
        bytes_free(&dis);
        free(old);
        free(nw);
        fake_free(f);
    }
}

/* Guest copy: GRAB to the client; its REQUEST gets the data; max-clipboard. */
static void test_guest_copy(void **state)
{
    (void)state;
    fake *f = fake_new(1 << 20);
    uint32_t types[] = { VD_AGENT_CLIPBOARD_UTF8_TEXT };
    vda_agent_guest_changed(&f->agent, types, 1);
    assert_int_equal(f->n_sent, 0);   /* no client caps yet: nobody to tell */
    client_caps(f, 0, basic_caps, 1);
    vda_agent_guest_changed(&f->agent, types, 1);
    assert_int_equal(f->n_sent, 1);
    assert_int_equal(f->sent[0].type, VD_AGENT_CLIPBOARD_GRAB);
    assert_int_equal(f->sent[0].size, 4);   /* no serial: the client lacks the cap */
    assert_int_equal(vda_le32(f->sent[0].payload), VD_AGENT_CLIPBOARD_UTF8_TEXT);
    clear_sent(f);
    const char *text = "guest text";
    f->guest_data = (const uint8_t *)text;
    f->guest_len = strlen(text);
    uint8_t req[4];
    vda_cb_write_request(req, VD_AGENT_CLIPBOARD_UTF8_TEXT);
    send_client(f, VD_AGENT_CLIPBOARD_REQUEST, req, 4);
    assert_int_equal(f->n_sent, 1);
    assert_int_equal(f->sent[0].type, VD_AGENT_CLIPBOARD);
    assert_int_equal(f->sent[0].size, 4 + strlen(text));
    assert_int_equal(vda_le32(f->sent[0].payload), VD_AGENT_CLIPBOARD_UTF8_TEXT);
    assert_memory_equal(f->sent[0].payload + 4, text, strlen(text));
    clear_sent(f);
    /* a type we did not offer: NONE */
    vda_cb_write_request(req, VD_AGENT_CLIPBOARD_IMAGE_PNG);
    send_client(f, VD_AGENT_CLIPBOARD_REQUEST, req, 4);
    assert_int_equal(f->n_sent, 1);
    assert_int_equal(f->sent[0].size, 4);
    assert_int_equal(vda_le32(f->sent[0].payload), VD_AGENT_CLIPBOARD_NONE);
    clear_sent(f);
    /* the format vanished meanwhile (the change not notified yet): NONE, so the
     * client never waits */
    f->guest_data = NULL;
    f->seq++;
    vda_cb_write_request(req, VD_AGENT_CLIPBOARD_UTF8_TEXT);
    send_client(f, VD_AGENT_CLIPBOARD_REQUEST, req, 4);
    assert_int_equal(f->n_sent, 1);
    assert_int_equal(vda_le32(f->sent[0].payload), VD_AGENT_CLIPBOARD_NONE);
    clear_sent(f);
    /* max-clipboard below the data: NONE */
    f->guest_data = (const uint8_t *)text;
    f->seq++;
    uint8_t max[4];
    vda_put_le32(max, 5);
    send_client(f, VD_AGENT_MAX_CLIPBOARD, max, 4);
    send_client(f, VD_AGENT_CLIPBOARD_REQUEST, req, 4);
    assert_int_equal(f->n_sent, 1);
    assert_int_equal(f->sent[0].size, 4);
    assert_int_equal(vda_le32(f->sent[0].payload), VD_AGENT_CLIPBOARD_NONE);
    clear_sent(f);
    /* a malformed request is answered NONE too */
    send_client(f, VD_AGENT_CLIPBOARD_REQUEST, req, 2);
    /* (too short for its type: reassembly drops it before us, nothing sent) */
    assert_int_equal(f->n_sent, 0);
    uint8_t bad[4];
    vda_put_le32(bad, 4711);
    send_client(f, VD_AGENT_CLIPBOARD_REQUEST, bad, 4);
    assert_int_equal(f->n_sent, 1);
    assert_int_equal(vda_le32(f->sent[0].payload), VD_AGENT_CLIPBOARD_NONE);
    fake_free(f);
}

/* Serial races through the whole core: our GRAB carries the serial; the client's
 * concurrent grab wins; a stale one is discarded. No-release-on-regrab. */
static void test_grab_race(void **state)
{
    (void)state;
    fake *f = fake_new(1 << 20);
    client_caps(f, 0, all_caps, 4);
    uint32_t text[] = { VD_AGENT_CLIPBOARD_UTF8_TEXT };
    vda_agent_guest_changed(&f->agent, text, 1);
    assert_int_equal(f->n_sent, 1);
    assert_int_equal(f->sent[0].size, 8);
    assert_int_equal(vda_le32(f->sent[0].payload), 0);     /* serial 0 first */
    vda_agent_guest_changed(&f->agent, text, 1);              /* regrab: no RELEASE */
    assert_int_equal(f->n_sent, 2);
    assert_int_equal(f->sent[1].type, VD_AGENT_CLIPBOARD_GRAB);
    assert_int_equal(vda_le32(f->sent[1].payload), 1);
    /* the client grabbed concurrently with serial 1: it wins */
    client_grab(f, 1, 1, text, 1);
    assert_int_equal(f->takes, 1);
    assert_int_equal(f->agent.cb.owner, VDA_CB_OWNER_CLIENT);
    /* a stale grab (serial 0) is discarded */
    client_grab(f, 1, 0, text, 1);
    assert_int_equal(f->takes, 1);
    fake_free(f);

    /* without NO_RELEASE_ON_REGRAB on the client: RELEASE before the regrab */
    f = fake_new(1 << 20);
    client_caps(f, 0, basic_caps, 1);
    vda_agent_guest_changed(&f->agent, text, 1);
    vda_agent_guest_changed(&f->agent, text, 1);
    assert_int_equal(f->n_sent, 3);
    assert_int_equal(f->sent[1].type, VD_AGENT_CLIPBOARD_RELEASE);
    assert_int_equal(f->sent[1].size, 0);
    assert_int_equal(f->sent[2].type, VD_AGENT_CLIPBOARD_GRAB);
    fake_free(f);
}

static void test_release_and_limits(void **state)
{
    (void)state;
    fake *f = fake_new(100);
    client_caps(f, 0, basic_caps, 1);
    uint32_t text[] = { VD_AGENT_CLIPBOARD_UTF8_TEXT };
    send_client(f, VD_AGENT_CLIPBOARD_RELEASE, NULL, 0);   /* stray: nothing */
    assert_int_equal(f->drops, 0);
    client_grab(f, 0, 0, text, 1);
    send_client(f, VD_AGENT_CLIPBOARD_RELEASE, NULL, 0);
    assert_int_equal(f->drops, 1);
    assert_int_equal(vda_agent_want(&f->agent, VD_AGENT_CLIPBOARD_UTF8_TEXT), -1);
    /* data above our ceiling: the paste ends empty right away */
    client_grab(f, 0, 0, text, 1);
    assert_int_equal(vda_agent_want(&f->agent, VD_AGENT_CLIPBOARD_UTF8_TEXT), 0);
    uint8_t *big = alloc_pattern(5000, 3);
    bytes b = { 0 };
    add_clipboard(&b, VD_AGENT_CLIPBOARD_UTF8_TEXT, big, 5000);
    feed(f, &b, 2000);
    assert_true(f->agent.paste.done);
    assert_null(f->agent.paste.buf);
    vda_agent_paste_cancel(&f->agent);
    /* the client answers NONE: empty */
    assert_int_equal(vda_agent_want(&f->agent, VD_AGENT_CLIPBOARD_UTF8_TEXT), 0);
    bytes nb = { 0 };
    add_clipboard(&nb, VD_AGENT_CLIPBOARD_NONE, NULL, 0);
    feed(f, &nb, 7);
    assert_true(f->agent.paste.done);
    assert_null(f->agent.paste.buf);
    /* a timeout cancels; late data is then unsolicited */
    assert_int_equal(vda_agent_want(&f->agent, VD_AGENT_CLIPBOARD_UTF8_TEXT), 0);
    vda_agent_paste_cancel(&f->agent);
    bytes sb = { 0 };
    add_clipboard(&sb, VD_AGENT_CLIPBOARD_UTF8_TEXT, big, 50);
    feed(f, &sb, 64);
    assert_false(f->agent.paste.done);
    bytes_free(&b);
    bytes_free(&nb);
    bytes_free(&sb);
    free(big);
    fake_free(f);
}

/* Bad input: one log line each, dropped, and what follows still works. */
static void test_bad_input(void **state)
{
    (void)state;
    fake *f = fake_new(1 << 20);
    client_caps(f, 0, basic_caps, 1);
    int lines = f->log.lines;
    send_client(f, 4242, "x", 1);                               /* unknown type */
    assert_int_equal(f->log.lines, lines + 1);
    uint32_t dup[] = { 1, 1 };
    client_grab(f, 0, 0, dup, 2);                               /* bogus type list */
    assert_int_equal(f->log.lines, lines + 2);
    assert_int_equal(f->takes, 0);
    send_client(f, VD_AGENT_CLIPBOARD_GRAB, "abcdef", 6);       /* partial type */
    assert_int_equal(f->log.lines, lines + 3);
    send_client(f, VD_AGENT_MAX_CLIPBOARD, "12345678", 8);      /* wrong size */
    assert_int_equal(f->log.lines, lines + 4);
    send_client(f, VD_AGENT_MOUSE_STATE, "0123456789abcdefg", 17); /* no handler yet */
    assert_int_equal(f->log.lines, lines + 5);
    /* still alive */
    uint32_t text[] = { VD_AGENT_CLIPBOARD_UTF8_TEXT };
    client_grab(f, 0, 0, text, 1);
    assert_int_equal(f->takes, 1);
    assert_int_equal(f->stops, 0);
    fake_free(f);
}

static void on_mouse(void *ctx, const vda_message *m)
{
    fake *f = ctx;
    assert_int_equal(m->type, VD_AGENT_MOUSE_STATE);
    f->handled++;
}

static void test_plugged_handler(void **state)
{
    (void)state;
    fake *f = fake_new(1 << 20);
    vda_agent_set_handler(&f->agent, VD_AGENT_MOUSE_STATE, on_mouse, f);
    bytes b = { 0 };
    add_message(&b, VDP_SERVER_PORT, VD_AGENT_MOUSE_STATE, 0, "0123456789abcdefg", 17);
    feed(f, &b, 5);
    assert_int_equal(f->handled, 1);
    bytes_free(&b);
    fake_free(f);
}

/* A handler that runs the event loop nested, as a paste from inside a broadcast
 * of the handler's own system call does: the loop first parses the rest of the
 * current read (vda_agent_feed_rest), then feeds a new read (the paste's data). */
typedef struct nested_ctx {
    fake *f;
    const bytes *next_read;  /* what the nested loop "reads" */
    int drain_first;         /* drain like vdg_loop_wait; 0: feed new bytes at once */
    int calls;
} nested_ctx;

static void on_nested(void *ctx, const vda_message *m)
{
    nested_ctx *n = ctx;
    (void)m;
    if (n->calls++)
        return;
    assert_int_equal(vda_agent_want(&n->f->agent, VD_AGENT_CLIPBOARD_UTF8_TEXT), 0);
    if (n->drain_first)
        while (vda_agent_unparsed(&n->f->agent) > 0)
            vda_agent_feed_rest(&n->f->agent);
    vda_agent_feed(&n->f->agent, n->next_read->data, n->next_read->len);
    assert_true(n->f->agent.paste.done);
}

static void run_nested(int drain_first)
{
    fake *f = fake_new(1 << 20);
    client_caps(f, 0, basic_caps, 1);
    uint32_t text[] = { VD_AGENT_CLIPBOARD_UTF8_TEXT };
    client_grab(f, 0, 0, text, 1);
    clear_sent(f);
    bytes answer = { 0 };
    add_clipboard(&answer, VD_AGENT_CLIPBOARD_UTF8_TEXT, (const uint8_t *)"abc", 3);
    nested_ctx n = { f, &answer, drain_first, 0 };
    vda_agent_set_handler(&f->agent, VD_AGENT_MONITORS_CONFIG, on_nested, &n);
    /* One read: MONITORS_CONFIG, then a caps request behind it. */
    uint8_t mc[28] = { 1 };
    vda_caps c;
    vda_caps_clear(&c);
    vda_caps_set(&c, VD_AGENT_CAP_CLIPBOARD_BY_DEMAND);
    uint8_t caps[64];
    size_t caps_n = vda_caps_write(&c, 1, caps);
    bytes b = { 0 };
    add_message(&b, VDP_CLIENT_PORT, VD_AGENT_MONITORS_CONFIG, 0, mc, sizeof mc);
    add_message(&b, VDP_CLIENT_PORT, VD_AGENT_ANNOUNCE_CAPABILITIES, 0, caps, (uint32_t)caps_n);
    vda_agent_feed(&f->agent, b.data, b.len);
    assert_int_equal(n.calls, 1);
    assert_int_equal(vda_agent_unparsed(&f->agent), 0);
    /* REQUEST, then the caps reply -- before the nested read's data was parsed. */
    assert_int_equal(f->n_sent, 2);
    assert_int_equal(f->sent[0].type, VD_AGENT_CLIPBOARD_REQUEST);
    assert_caps_announce(&f->sent[1], 0);
    assert_false(f->done_at_send[1]);
    vda_agent_paste p;
    vda_agent_paste_take(&f->agent, &p);
    assert_int_equal(p.len, 3);
    assert_memory_equal(p.buf + p.off, "abc", 3);
    free(p.buf);
    bytes_free(&b);
    bytes_free(&answer);
    fake_free(f);
}

static void test_nested_loop_in_handler(void **state)
{
    (void)state;
    run_nested(1);   /* as vdg_loop_wait does */
    run_nested(0);   /* a nested feed without draining still keeps the order */
}

/* Pipe control: RESET forgets the client mid-message and announces again; STOP. */
static void test_pipe_control(void **state)
{
    (void)state;
    fake *f = fake_new(1 << 20);
    client_caps(f, 0, basic_caps, 1);
    uint32_t text[] = { VD_AGENT_CLIPBOARD_UTF8_TEXT };
    client_grab(f, 0, 0, text, 1);
    assert_int_equal(vda_agent_want(&f->agent, VD_AGENT_CLIPBOARD_UTF8_TEXT), 0);
    uint8_t *d = alloc_pattern(3 * VD_AGENT_MAX_DATA_SIZE, 9);
    bytes b = { 0 };
    add_clipboard(&b, VD_AGENT_CLIPBOARD_UTF8_TEXT, d, 3 * VD_AGENT_MAX_DATA_SIZE);
    vda_agent_feed(&f->agent, b.data, 2 * VDA_CHUNK_MAX_WIRE); /* whole chunks */
    clear_sent(f);
    uint8_t ctl[VDA_PIPE_CTL_WIRE];
    vda_pipe_control_encode(ctl, VDA_PIPE_RESET, 0);
    vda_agent_feed(&f->agent, ctl, sizeof ctl);
    assert_true(f->agent.paste.done);
    assert_null(f->agent.paste.buf);
    assert_int_equal(f->drops, 1);
    assert_int_equal(f->n_sent, 1);
    assert_caps_announce(&f->sent[0], 1);
    /* a whole new message after the reset is intact */
    client_caps(f, 0, basic_caps, 1);
    client_grab(f, 0, 0, text, 1);
    assert_int_equal(vda_agent_want(&f->agent, VD_AGENT_CLIPBOARD_UTF8_TEXT), 0);
    feed(f, &b, 999);
    assert_true(f->agent.paste.done);
    assert_int_equal(f->agent.paste.len, 3 * VD_AGENT_MAX_DATA_SIZE);
    assert_memory_equal(f->agent.paste.buf + f->agent.paste.off, d, 3 * VD_AGENT_MAX_DATA_SIZE);
    vda_pipe_control_encode(ctl, VDA_PIPE_STOP, 0);
    vda_agent_feed(&f->agent, ctl, sizeof ctl);
    assert_int_equal(f->stops, 1);
    bytes_free(&b);
    free(d);
    fake_free(f);
}

/* ---- issue 13 §4: bounded work per client REQUEST ---- */

/* A pipe that never drains: every answer stays queued, as when the service (or
 * the client) reads slower than a client sends requests. */
typedef struct flood {
    size_t queued, peak;       /* bytes waiting for the client */
    int data, none;            /* answers */
    int reads;                 /* guest clipboard reads + encodings */
} flood;
static flood fl;

static int fl_send(void *ctx, uint32_t type, uint8_t *payload, uint32_t size)
{
    (void)ctx;
    if (type == VD_AGENT_CLIPBOARD) {
        if (size == 4 && vda_le32(payload) == VD_AGENT_CLIPBOARD_NONE)
            fl.none++;
        else
            fl.data++;
    }
    fl.queued += size + 20 + 8 * (1 + size / 2048);
    if (fl.queued > fl.peak)
        fl.peak = fl.queued;
    free(payload);
    return 0;
}

static size_t fl_queued(void *ctx)
{
    (void)ctx;
    return fl.queued;
}

static int fl_read(void *ctx, uint32_t type, uint8_t **buf, size_t *size)
{
    fl.reads++;
    return f_read(ctx, type, buf, size);
}

static void test_bounded_requests(void **state)
{
    (void)state;
    memset(&fl, 0, sizeof fl);
    fake *f = fake_new(64u << 20);
    f->agent.ops.send = fl_send;
    f->agent.ops.queued = fl_queued;
    f->agent.ops.read_guest = fl_read;
    f->agent.out_limit = 8u << 20;
    size_t big = 1u << 20;
    uint8_t *text = alloc_pattern(big, 21);
    f->guest_data = text;
    f->guest_len = big;
    client_caps(f, 0, basic_caps, 1);
    uint32_t types[] = { VD_AGENT_CLIPBOARD_UTF8_TEXT };
    vda_agent_guest_changed(&f->agent, types, 1);
    uint8_t req[4];
    vda_cb_write_request(req, VD_AGENT_CLIPBOARD_UTF8_TEXT);
    int n = 20000;
    int lines_before = f->log.lines;
    for (int i = 0; i < n; i++)
        send_client(f, VD_AGENT_CLIPBOARD_REQUEST, req, 4);
    /* One read and encoding for the one clipboard content, however many requests. */
    assert_int_equal(fl.reads, 1);
    /* Memory stays bounded: the limit, one answer over it, and the NONE slack. */
    size_t bound = f->agent.out_limit + big + 64 + VDA_AGENT_OUT_SLACK;
    printf("  %d requests of a 1 MiB text: %d data answers, %d none, peak queue %zu bytes "
           "(bound %zu)\n", n, fl.data, fl.none, fl.peak, bound);
    assert_true(fl.peak <= bound);
    assert_true(fl.data >= 8 && fl.data <= 9);
    /* One line when refusing starts (not one per request). */
    assert_true(f->log.lines - lines_before <= 2);
    /* Past the slack even NONE is not queued: some requests got no answer. */
    assert_true(fl.data + fl.none < n);
    /* Drained: answered again, from the same encoded copy, with one line. */
    fl.queued = 0;
    int data_before = fl.data;
    send_client(f, VD_AGENT_CLIPBOARD_REQUEST, req, 4);
    assert_int_equal(fl.data, data_before + 1);
    assert_int_equal(fl.reads, 1);
    assert_non_null(strstr(f->log.last, "again"));
    /* A guest change: the next request reads the new content. */
    vda_agent_guest_changed(&f->agent, types, 1);
    fl.queued = 0;
    send_client(f, VD_AGENT_CLIPBOARD_REQUEST, req, 4);
    assert_int_equal(fl.reads, 2);
    /* A change not notified yet (the sequence number moved): read again too. */
    f->seq++;
    fl.queued = 0;
    send_client(f, VD_AGENT_CLIPBOARD_REQUEST, req, 4);
    assert_int_equal(fl.reads, 3);
    free(text);
    f->agent.ops.send = f_send;
    fake_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bounded_requests),
        cmocka_unit_test(test_caps_request_reply),
        cmocka_unit_test(test_client_grab_paste),
        cmocka_unit_test(test_disconnect_mid_paste),
        cmocka_unit_test(test_guest_copy),
        cmocka_unit_test(test_grab_race),
        cmocka_unit_test(test_release_and_limits),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_plugged_handler),
        cmocka_unit_test(test_pipe_control),
        cmocka_unit_test(test_nested_loop_in_handler),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
