/* The two agent roles seen from the service: routing by type, capability
 * composition, the device -> roles split and the roles -> device merge. */
#include "test_support.h"

#include "base/le_bytes.h"
#include "service/role_merge.h"
#include "service/role_route.h"
#include "service/role_split.h"

#define SYS VDA_ROLE_BIT(VDA_ROLE_SYSTEM)
#define USR VDA_ROLE_BIT(VDA_ROLE_USER)

static void msg_header(uint8_t *h, uint32_t type, uint32_t size)
{
    vda_put_le32(h, VD_AGENT_PROTOCOL);
    vda_put_le32(h + 4, type);
    vda_put_le64(h + 8, 0);
    vda_put_le32(h + 16, size);
}

/* A whole message: header + `size` bytes of `fill`. */
static void add_msg(bytes *b, uint32_t type, uint32_t size, uint8_t fill)
{
    uint8_t h[sizeof(VDAgentMessage)];
    msg_header(h, type, size);
    bytes_add(b, h, sizeof h);
    for (uint32_t i = 0; i < size; i++)
        bytes_add(b, &fill, 1);
}

/* ---------------------------------------------------------------- routing */

static void test_route_by_type(void **state)
{
    (void)state;
    assert_int_equal(vda_role_route(VD_AGENT_MOUSE_STATE), SYS);
    assert_int_equal(vda_role_route(VD_AGENT_MONITORS_CONFIG), SYS);
    assert_int_equal(vda_role_route(VD_AGENT_GRAPHICS_DEVICE_INFO), SYS);
    const uint32_t user[] = { VD_AGENT_CLIPBOARD, VD_AGENT_CLIPBOARD_GRAB,
                              VD_AGENT_CLIPBOARD_REQUEST, VD_AGENT_CLIPBOARD_RELEASE,
                              VD_AGENT_MAX_CLIPBOARD, VD_AGENT_DISPLAY_CONFIG,
                              VD_AGENT_FILE_XFER_START, VD_AGENT_FILE_XFER_STATUS,
                              VD_AGENT_FILE_XFER_DATA, VD_AGENT_AUDIO_VOLUME_SYNC };
    for (size_t i = 0; i < sizeof user / sizeof user[0]; i++)
        assert_int_equal(vda_role_route(user[i]), USR);
    assert_int_equal(vda_role_route(VD_AGENT_ANNOUNCE_CAPABILITIES), SYS | USR);
    assert_int_equal(vda_role_route(VD_AGENT_CLIENT_DISCONNECTED), SYS | USR);
    assert_int_equal(vda_role_route(VD_AGENT_REPLY), 0);
    assert_int_equal(vda_role_route(0), 0);
    assert_int_equal(vda_role_route(VD_AGENT_END_MESSAGE), 0);
    assert_int_equal(vda_role_route(0xFFFFFFFFu), 0);
}

static void test_may_send(void **state)
{
    (void)state;
    assert_true(vda_role_may_send(VDA_ROLE_SYSTEM, VD_AGENT_REPLY));
    assert_true(vda_role_may_send(VDA_ROLE_USER, VD_AGENT_REPLY));
    assert_true(vda_role_may_send(VDA_ROLE_USER, VD_AGENT_CLIPBOARD_GRAB));
    assert_true(vda_role_may_send(VDA_ROLE_USER, VD_AGENT_FILE_XFER_STATUS));
    assert_false(vda_role_may_send(VDA_ROLE_SYSTEM, VD_AGENT_CLIPBOARD_GRAB));
    assert_false(vda_role_may_send(VDA_ROLE_SYSTEM, VD_AGENT_CLIPBOARD));
    assert_false(vda_role_may_send(VDA_ROLE_USER, VD_AGENT_MOUSE_STATE));
    assert_false(vda_role_may_send(VDA_ROLE_USER, VD_AGENT_ANNOUNCE_CAPABILITIES));
}

/* Every cap spice-protocol defines is owned by exactly one role, REPLY by both. */
static void test_caps_owned_once(void **state)
{
    (void)state;
    for (uint32_t cap = 0; cap < VD_AGENT_END_CAP; cap++) {
        int s = vda_role_owns_cap(VDA_ROLE_SYSTEM, cap), u = vda_role_owns_cap(VDA_ROLE_USER, cap);
        if (cap == VD_AGENT_CAP_REPLY)
            assert_true(s && u);
        else
            assert_int_equal(s + u, 1);
    }
    assert_false(vda_role_owns_cap(VDA_ROLE_SYSTEM, VD_AGENT_END_CAP + 5));
    assert_false(vda_role_owns_cap(VDA_ROLE_USER, VD_AGENT_END_CAP + 5));
}

static void all_caps(vda_caps *c)
{
    vda_caps_clear(c);
    for (uint32_t cap = 0; cap < VD_AGENT_END_CAP + 3; cap++)
        vda_caps_set(c, cap);
}

static void test_compose_per_state(void **state)
{
    (void)state;
    vda_caps sys, usr, out;
    all_caps(&sys);   /* a role announcing more than it owns gets only its own */
    all_caps(&usr);
    const vda_caps *logon[VDA_ROLE_COUNT] = { &sys, NULL };
    vda_role_compose_caps(logon, &out);
    assert_true(vda_caps_has(&out, VD_AGENT_CAP_MOUSE_STATE));
    assert_true(vda_caps_has(&out, VD_AGENT_CAP_MONITORS_CONFIG));
    assert_false(vda_caps_has(&out, VD_AGENT_CAP_CLIPBOARD_BY_DEMAND));
    assert_false(vda_caps_has(&out, VD_AGENT_CAP_FILE_XFER_DETAILED_ERRORS));
    assert_false(vda_caps_has(&out, VD_AGENT_END_CAP + 1));

    const vda_caps *both[VDA_ROLE_COUNT] = { &sys, &usr };
    vda_role_compose_caps(both, &out);
    for (uint32_t cap = 0; cap < VD_AGENT_END_CAP; cap++)
        assert_true(vda_caps_has(&out, cap));
    assert_false(vda_caps_has(&out, VD_AGENT_END_CAP + 1));

    const vda_caps *user_only[VDA_ROLE_COUNT] = { NULL, &usr };
    vda_role_compose_caps(user_only, &out);
    assert_false(vda_caps_has(&out, VD_AGENT_CAP_MOUSE_STATE));
    assert_true(vda_caps_has(&out, VD_AGENT_CAP_CLIPBOARD_BY_DEMAND));

    const vda_caps *none[VDA_ROLE_COUNT] = { NULL, NULL };
    vda_role_compose_caps(none, &out);
    for (uint32_t cap = 0; cap < 64; cap++)
        assert_false(vda_caps_has(&out, cap));
}

/* ---------------------------------------------------------------- split */

typedef struct split_out {
    bytes role[VDA_ROLE_COUNT];   /* per role: (port byte, then data) concatenated */
    int pieces;
} split_out;

static void split_emit(void *ctx, unsigned roles, uint32_t port, const uint8_t *data, size_t len)
{
    split_out *o = ctx;
    assert_true(roles != 0 && (roles & ~(unsigned)VDA_ROLES_ALL) == 0);
    assert_true(port == VDP_CLIENT_PORT || port == VDP_SERVER_PORT);
    o->pieces++;
    for (unsigned r = 0; r < VDA_ROLE_COUNT; r++)
        if (roles & VDA_ROLE_BIT(r))
            bytes_add(&o->role[r], data, len);
}

/* Feeds `in` as chunks of at most `step` bytes. */
static void split_feed(vda_role_split *s, uint32_t port, const bytes *in, size_t step)
{
    for (size_t off = 0; off < in->len; off += step)
        vda_role_split_chunk(s, port, in->data + off, in->len - off < step ? in->len - off : step);
}

static void test_split_routes_whole_messages(void **state)
{
    (void)state;
    for (size_t step = 1; step <= 64; step++) {
        test_log log;
        test_log_init(&log);
        split_out o = { 0 };
        vda_role_split s;
        vda_role_split_init(&s, 1u << 20, split_emit, &o, &log.logger);
        bytes in = { 0 }, want_sys = { 0 }, want_usr = { 0 };
        add_msg(&in, VD_AGENT_MOUSE_STATE, 13, 0x11);
        add_msg(&want_sys, VD_AGENT_MOUSE_STATE, 13, 0x11);
        add_msg(&in, VD_AGENT_CLIPBOARD_GRAB, 40, 0x22);
        add_msg(&want_usr, VD_AGENT_CLIPBOARD_GRAB, 40, 0x22);
        add_msg(&in, VD_AGENT_CLIENT_DISCONNECTED, 0, 0);
        add_msg(&want_sys, VD_AGENT_CLIENT_DISCONNECTED, 0, 0);
        add_msg(&want_usr, VD_AGENT_CLIENT_DISCONNECTED, 0, 0);
        add_msg(&in, VD_AGENT_MONITORS_CONFIG, 28, 0x33);
        add_msg(&want_sys, VD_AGENT_MONITORS_CONFIG, 28, 0x33);
        add_msg(&in, VD_AGENT_ANNOUNCE_CAPABILITIES, 8, 0x44);
        add_msg(&want_sys, VD_AGENT_ANNOUNCE_CAPABILITIES, 8, 0x44);
        add_msg(&want_usr, VD_AGENT_ANNOUNCE_CAPABILITIES, 8, 0x44);
        add_msg(&in, VD_AGENT_FILE_XFER_DATA, 100, 0x55);
        add_msg(&want_usr, VD_AGENT_FILE_XFER_DATA, 100, 0x55);
        split_feed(&s, VDP_CLIENT_PORT, &in, step);
        assert_int_equal(o.role[VDA_ROLE_SYSTEM].len, want_sys.len);
        assert_memory_equal(o.role[VDA_ROLE_SYSTEM].data, want_sys.data, want_sys.len);
        assert_int_equal(o.role[VDA_ROLE_USER].len, want_usr.len);
        assert_memory_equal(o.role[VDA_ROLE_USER].data, want_usr.data, want_usr.len);
        assert_int_equal(log.lines, 0);
        free(in.data), free(want_sys.data), free(want_usr.data);
        free(o.role[0].data), free(o.role[1].data);
    }
}

/* Seed scenarios with two roles: the port reopens (client gone mid-message):
 * the half message is forgotten and the next one routes from its header. */
static void test_split_reset_mid_message(void **state)
{
    (void)state;
    test_log log;
    test_log_init(&log);
    split_out o = { 0 };
    vda_role_split s;
    vda_role_split_init(&s, 1u << 20, split_emit, &o, &log.logger);
    bytes a = { 0 }, b = { 0 };
    add_msg(&a, VD_AGENT_CLIPBOARD, 5000, 0x66);
    vda_role_split_chunk(&s, VDP_CLIENT_PORT, a.data, 2048);   /* head only */
    size_t usr_before = o.role[VDA_ROLE_USER].len;
    vda_role_split_reset(&s);
    add_msg(&b, VD_AGENT_MOUSE_STATE, 13, 0x77);
    vda_role_split_chunk(&s, VDP_CLIENT_PORT, b.data, b.len);
    assert_int_equal(o.role[VDA_ROLE_USER].len, usr_before);
    assert_int_equal(o.role[VDA_ROLE_SYSTEM].len, b.len);
    assert_memory_equal(o.role[VDA_ROLE_SYSTEM].data, b.data, b.len);
    free(a.data), free(b.data), free(o.role[0].data), free(o.role[1].data);
}

/* One header announcing 0xFFFFFFF0 bytes must not swallow the next message. */
static void test_split_bad_size_recovers_at_next_chunk(void **state)
{
    (void)state;
    test_log log;
    test_log_init(&log);
    split_out o = { 0 };
    vda_role_split s;
    vda_role_split_init(&s, 1u << 20, split_emit, &o, &log.logger);
    uint8_t bad[sizeof(VDAgentMessage) + 8];
    msg_header(bad, VD_AGENT_CLIPBOARD_GRAB, 0xFFFFFFF0u);
    memset(bad + sizeof(VDAgentMessage), 0xAB, 8);
    vda_role_split_chunk(&s, VDP_CLIENT_PORT, bad, sizeof bad);
    assert_int_equal(log.lines, 1);
    assert_non_null(strstr(log.last, "above the limit"));
    bytes good = { 0 };
    add_msg(&good, VD_AGENT_CLIPBOARD_GRAB, 12, 0x12);
    vda_role_split_chunk(&s, VDP_CLIENT_PORT, good.data, good.len);
    assert_int_equal(o.role[VDA_ROLE_USER].len, good.len);
    assert_memory_equal(o.role[VDA_ROLE_USER].data, good.data, good.len);
    assert_int_equal(o.role[VDA_ROLE_SYSTEM].len, 0);
    free(good.data), free(o.role[0].data), free(o.role[1].data);
}

static void test_split_unknown_type_dropped_once(void **state)
{
    (void)state;
    test_log log;
    test_log_init(&log);
    split_out o = { 0 };
    vda_role_split s;
    vda_role_split_init(&s, 1u << 20, split_emit, &o, &log.logger);
    bytes in = { 0 };
    add_msg(&in, 999, 3000, 0x01);           /* spans two chunks */
    add_msg(&in, VD_AGENT_MOUSE_STATE, 13, 0x02);
    split_feed(&s, VDP_CLIENT_PORT, &in, 2048);
    assert_int_equal(log.lines, 1);
    assert_int_equal(o.role[VDA_ROLE_USER].len, 0);
    assert_int_equal(o.role[VDA_ROLE_SYSTEM].len, sizeof(VDAgentMessage) + 13);
    free(in.data), free(o.role[0].data), free(o.role[1].data);
}

/* ---------------------------------------------------------------- merge */

typedef struct merge_out {
    bytes dev;
    uint32_t last_port;
} merge_out;

static void merge_emit(void *ctx, uint32_t port, const uint8_t *data, size_t len)
{
    merge_out *o = ctx;
    o->last_port = port;
    bytes_add(&o->dev, data, len);
}

static void announce(bytes *b, const vda_caps *c, uint32_t request)
{
    uint8_t p[VDA_MERGE_CAPS_PAYLOAD];
    size_t n = vda_caps_write(c, request, p);
    uint8_t h[sizeof(VDAgentMessage)];
    msg_header(h, VD_AGENT_ANNOUNCE_CAPABILITIES, (uint32_t)n);
    bytes_add(b, h, sizeof h);
    bytes_add(b, p, n);
}

/* The client-side view of a composed announcement. */
static void parse_announce(const uint8_t *m, size_t len, vda_caps *c, uint32_t *request)
{
    assert_true(len >= sizeof(VDAgentMessage));
    assert_int_equal(vda_le32(m + 4), VD_AGENT_ANNOUNCE_CAPABILITIES);
    assert_int_equal(vda_le32(m + 16), len - sizeof(VDAgentMessage));
    assert_int_equal(vda_caps_parse(m + sizeof(VDAgentMessage), len - sizeof(VDAgentMessage),
                                    request, c), 0);
}

static void test_merge_caps_follow_roles(void **state)
{
    (void)state;
    test_log log;
    test_log_init(&log);
    merge_out o = { 0 };
    vda_role_merge m;
    vda_role_merge_init(&m, merge_emit, &o, &log.logger);
    uint8_t ann[VDA_MERGE_ANNOUNCE_MAX];
    vda_caps sys, usr, got;
    uint32_t req;
    all_caps(&sys);
    all_caps(&usr);

    /* Logon screen: the system role alone. */
    vda_role_merge_role_up(&m, VDA_ROLE_SYSTEM);
    assert_int_equal(vda_role_merge_take_announce(&m, ann), 0);   /* nothing yet */
    bytes a = { 0 };
    announce(&a, &sys, 1);
    assert_int_equal(vda_role_merge_feed(&m, VDA_ROLE_SYSTEM, VDP_CLIENT_PORT, a.data, a.len), a.len);
    assert_int_equal(o.dev.len, 0);          /* the role's own announcement is not forwarded */
    size_t n = vda_role_merge_take_announce(&m, ann);
    parse_announce(ann, n, &got, &req);
    assert_int_equal(req, 1);
    assert_true(vda_caps_has(&got, VD_AGENT_CAP_MOUSE_STATE));
    assert_false(vda_caps_has(&got, VD_AGENT_CAP_CLIPBOARD_BY_DEMAND));
    assert_int_equal(vda_role_merge_take_announce(&m, ann), 0);   /* once per change */

    /* The user logs on: the full set. */
    vda_role_merge_role_up(&m, VDA_ROLE_USER);
    bytes b = { 0 };
    announce(&b, &usr, 0);
    for (size_t i = 0; i < b.len; i++)   /* byte by byte */
        assert_int_equal(vda_role_merge_feed(&m, VDA_ROLE_USER, VDP_CLIENT_PORT, b.data + i, 1), 1);
    n = vda_role_merge_take_announce(&m, ann);
    parse_announce(ann, n, &got, &req);
    assert_int_equal(req, 0);
    assert_true(vda_caps_has(&got, VD_AGENT_CAP_MOUSE_STATE));
    assert_true(vda_caps_has(&got, VD_AGENT_CAP_CLIPBOARD_BY_DEMAND));

    /* The user role dies between messages: announce again without clipboard. */
    assert_int_equal(vda_role_merge_role_down(&m, VDA_ROLE_USER), 0);
    n = vda_role_merge_take_announce(&m, ann);
    parse_announce(ann, n, &got, &req);
    assert_true(vda_caps_has(&got, VD_AGENT_CAP_MOUSE_STATE));
    assert_false(vda_caps_has(&got, VD_AGENT_CAP_CLIPBOARD_BY_DEMAND));
    assert_int_equal(o.dev.len, 0);
    free(a.data), free(b.data), free(o.dev.data);
}

/* Two roles sending at once: each message reaches the device whole. */
static void test_merge_no_interleaving(void **state)
{
    (void)state;
    test_log log;
    test_log_init(&log);
    merge_out o = { 0 };
    vda_role_merge m;
    vda_role_merge_init(&m, merge_emit, &o, &log.logger);
    vda_role_merge_role_up(&m, VDA_ROLE_SYSTEM);
    vda_role_merge_role_up(&m, VDA_ROLE_USER);
    bytes u = { 0 }, s = { 0 };
    add_msg(&u, VD_AGENT_CLIPBOARD, 3000, 0xC1);
    add_msg(&s, VD_AGENT_REPLY, 8, 0x5E);
    /* The user role's message is under way... */
    assert_int_equal(vda_role_merge_feed(&m, VDA_ROLE_USER, VDP_CLIENT_PORT, u.data, 100), 100);
    /* ...so the system role's reply waits, untaken... */
    assert_int_equal(vda_role_merge_feed(&m, VDA_ROLE_SYSTEM, VDP_CLIENT_PORT, s.data, s.len), 0);
    /* ...until it is complete. */
    assert_int_equal(vda_role_merge_feed(&m, VDA_ROLE_USER, VDP_CLIENT_PORT, u.data + 100,
                                         u.len - 100), u.len - 100);
    assert_int_equal(vda_role_merge_feed(&m, VDA_ROLE_SYSTEM, VDP_CLIENT_PORT, s.data, s.len), s.len);
    assert_int_equal(o.dev.len, u.len + s.len);
    assert_memory_equal(o.dev.data, u.data, u.len);
    assert_memory_equal(o.dev.data + u.len, s.data, s.len);
    /* A header that is only partly in: the other role still waits for it. */
    o.dev.len = 0;
    assert_int_equal(vda_role_merge_feed(&m, VDA_ROLE_SYSTEM, VDP_CLIENT_PORT, s.data, 10), 10);
    assert_int_equal(vda_role_merge_feed(&m, VDA_ROLE_USER, VDP_CLIENT_PORT, u.data, 25), 25);
    assert_int_equal(vda_role_merge_feed(&m, VDA_ROLE_SYSTEM, VDP_CLIENT_PORT, s.data + 10,
                                         s.len - 10), 0);
    assert_int_equal(vda_role_merge_feed(&m, VDA_ROLE_USER, VDP_CLIENT_PORT, u.data + 25,
                                         u.len - 25), u.len - 25);
    assert_int_equal(vda_role_merge_feed(&m, VDA_ROLE_SYSTEM, VDP_CLIENT_PORT, s.data + 10,
                                         s.len - 10), s.len - 10);
    assert_int_equal(o.dev.len, u.len + s.len);
    assert_memory_equal(o.dev.data, u.data, u.len);
    assert_memory_equal(o.dev.data + u.len, s.data, s.len);
    assert_int_equal(log.lines, 0);
    free(u.data), free(s.data), free(o.dev.data);
}

static void test_merge_drops_what_a_role_may_not_send(void **state)
{
    (void)state;
    test_log log;
    test_log_init(&log);
    merge_out o = { 0 };
    vda_role_merge m;
    vda_role_merge_init(&m, merge_emit, &o, &log.logger);
    vda_role_merge_role_up(&m, VDA_ROLE_SYSTEM);
    bytes in = { 0 }, reply = { 0 };
    add_msg(&in, VD_AGENT_CLIPBOARD_GRAB, 4000, 0x01);   /* not the system role's */
    add_msg(&in, VD_AGENT_REPLY, 8, 0x02);
    add_msg(&reply, VD_AGENT_REPLY, 8, 0x02);
    assert_int_equal(vda_role_merge_feed(&m, VDA_ROLE_SYSTEM, VDP_CLIENT_PORT, in.data, in.len), in.len);
    assert_int_equal(log.lines, 1);
    assert_int_equal(o.dev.len, reply.len);
    assert_memory_equal(o.dev.data, reply.data, reply.len);
    free(in.data), free(reply.data), free(o.dev.data);
}

static void test_merge_role_dies_mid_message(void **state)
{
    (void)state;
    test_log log;
    test_log_init(&log);
    merge_out o = { 0 };
    vda_role_merge m;
    vda_role_merge_init(&m, merge_emit, &o, &log.logger);
    vda_role_merge_role_up(&m, VDA_ROLE_SYSTEM);
    vda_role_merge_role_up(&m, VDA_ROLE_USER);
    bytes u = { 0 }, s = { 0 };
    add_msg(&u, VD_AGENT_CLIPBOARD, 3000, 0xC1);
    add_msg(&s, VD_AGENT_REPLY, 8, 0x5E);
    vda_role_merge_feed(&m, VDA_ROLE_USER, VDP_CLIENT_PORT, u.data, 500);
    assert_int_equal(vda_role_merge_role_down(&m, VDA_ROLE_USER), -1);  /* port restart */
    vda_role_merge_port_reset(&m);
    o.dev.len = 0;
    /* The other role goes on at once on the fresh port. */
    assert_int_equal(vda_role_merge_feed(&m, VDA_ROLE_SYSTEM, VDP_CLIENT_PORT, s.data, s.len), s.len);
    assert_int_equal(o.dev.len, s.len);
    free(u.data), free(s.data), free(o.dev.data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_route_by_type),
        cmocka_unit_test(test_may_send),
        cmocka_unit_test(test_caps_owned_once),
        cmocka_unit_test(test_compose_per_state),
        cmocka_unit_test(test_split_routes_whole_messages),
        cmocka_unit_test(test_split_reset_mid_message),
        cmocka_unit_test(test_split_bad_size_recovers_at_next_chunk),
        cmocka_unit_test(test_split_unknown_type_dropped_once),
        cmocka_unit_test(test_merge_caps_follow_roles),
        cmocka_unit_test(test_merge_no_interleaving),
        cmocka_unit_test(test_merge_drops_what_a_role_may_not_send),
        cmocka_unit_test(test_merge_role_dies_mid_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
