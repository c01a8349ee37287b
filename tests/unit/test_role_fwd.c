/* The service's two-role data path (role_fwd): routing device messages to the
 * roles that are up, merging the roles' messages whole, the composed
 * announcement as roles come and go, and the seed's four disconnect scenarios
 * with two roles. */
#include "test_support.h"

#include "base/le_bytes.h"
#include "service/role_fwd.h"

#define SYS VDA_ROLE_SYSTEM
#define USR VDA_ROLE_USER
#define MAXMSG (1u << 20)

typedef struct fix {
    test_log log;
    vda_rfwd f;
} fix;

static fix *fix_new(void)
{
    fix *x = calloc(1, sizeof *x);
    assert_non_null(x);
    test_log_init(&x->log);
    assert_int_equal(vda_rfwd_init(&x->f, &x->log.logger, 1u << 20, 1u << 20, MAXMSG), 0);
    return x;
}

static void fix_free(fix *x)
{
    vda_rfwd_free(&x->f);
    free(x);
}

/* Everything queued in a ring, decoded into whole messages. */
static void drain(vda_ring *q, pipeline *p)
{
    bytes b = { 0 };
    while (vda_ring_len(q) > 0) {
        const uint8_t *d;
        size_t n = vda_ring_peek(q, &d);
        bytes_add(&b, d, n);
        vda_ring_consume(q, n);
    }
    pipeline_feed(p, b.data, b.len, b.len ? b.len : 1);
    bytes_free(&b);
}

static void caps_msg(bytes *b, uint32_t request, const uint32_t *caps, size_t n)
{
    vda_caps c;
    vda_caps_clear(&c);
    for (size_t i = 0; i < n; i++)
        vda_caps_set(&c, caps[i]);
    uint8_t payload[VDA_MERGE_CAPS_PAYLOAD];
    size_t len = vda_caps_write(&c, request, payload);
    add_message(b, VDP_CLIENT_PORT, VD_AGENT_ANNOUNCE_CAPABILITIES, 0, payload, (uint32_t)len);
}

/* Feeds a role's bytes; returns the last status. */
static int role_feed(fix *x, vda_role r, const uint8_t *d, size_t n)
{
    uint32_t cmd, arg;
    vda_rfwd_role_input(&x->f, r, d, n);
    int st;
    while ((st = vda_rfwd_role_next(&x->f, r, &cmd, &arg)) == VDA_OK)
        ;
    return st;
}

static const uint32_t sys_caps[] = { VD_AGENT_CAP_MOUSE_STATE, VD_AGENT_CAP_MONITORS_CONFIG,
                                     VD_AGENT_CAP_REPLY, VD_AGENT_CAP_CLIPBOARD_BY_DEMAND };
static const uint32_t usr_caps[] = { VD_AGENT_CAP_CLIPBOARD_BY_DEMAND, VD_AGENT_CAP_REPLY,
                                     VD_AGENT_CAP_DISPLAY_CONFIG, VD_AGENT_CAP_MOUSE_STATE };

/* Both roles up and announced, port open, the device queue emptied. */
static void both_up(fix *x)
{
    vda_rfwd_role_up(&x->f, SYS);
    vda_rfwd_role_up(&x->f, USR);
    vda_rfwd_port_opened(&x->f);
    bytes s = { 0 }, u = { 0 };
    caps_msg(&s, 1, sys_caps, 4);
    caps_msg(&u, 1, usr_caps, 4);
    assert_int_equal(role_feed(x, SYS, s.data, s.len), VDA_NEED_MORE);
    assert_int_equal(role_feed(x, USR, u.data, u.len), VDA_NEED_MORE);
    vda_ring_clear(&x->f.to_device);
    bytes_free(&s);
    bytes_free(&u);
}

/* The last announcement queued for the device. */
static int last_caps(fix *x, vda_caps *out)
{
    pipeline p;
    pipeline_init(&p, MAXMSG);
    drain(&x->f.to_device, &p);
    int found = 0;
    for (int i = 0; i < p.n_got; i++)
        if (p.got[i].type == VD_AGENT_ANNOUNCE_CAPABILITIES) {
            uint32_t req;
            assert_int_equal(vda_caps_parse(p.got[i].data, p.got[i].size, &req, out), 0);
            found++;
        }
    pipeline_free(&p);
    return found;
}

static void test_device_messages_reach_their_roles(void **state)
{
    (void)state;
    fix *x = fix_new();
    both_up(x);
    bytes in = { 0 };
    uint8_t mouse[sizeof(VDAgentMouseState)] = { 1 }, grab[8] = { 2 }, big[5000];
    fill_pattern(big, sizeof big, 7);
    add_message(&in, VDP_CLIENT_PORT, VD_AGENT_MOUSE_STATE, 0, mouse, sizeof mouse);
    add_message(&in, VDP_CLIENT_PORT, VD_AGENT_CLIPBOARD_GRAB, 0, grab, sizeof grab);
    add_message(&in, VDP_CLIENT_PORT, VD_AGENT_CLIPBOARD, 0, big, sizeof big);
    add_message(&in, VDP_SERVER_PORT, VD_AGENT_CLIENT_DISCONNECTED, 0, NULL, 0);
    for (size_t step = 1; step <= in.len; step = step * 3 + 1) {
        for (size_t o = 0; o < in.len; o += step)
            assert_int_equal(vda_rfwd_from_device(&x->f, in.data + o,
                                                  in.len - o < step ? in.len - o : step), VDA_OK);
        pipeline ps, pu;
        pipeline_init(&ps, MAXMSG);
        pipeline_init(&pu, MAXMSG);
        drain(&x->f.role[SYS].to_agent, &ps);
        drain(&x->f.role[USR].to_agent, &pu);
        assert_int_equal(ps.n_got, 2);
        assert_message(&ps.got[0], VDP_CLIENT_PORT, VD_AGENT_MOUSE_STATE, mouse, sizeof mouse);
        assert_message(&ps.got[1], VDP_SERVER_PORT, VD_AGENT_CLIENT_DISCONNECTED, NULL, 0);
        assert_int_equal(pu.n_got, 3);
        assert_message(&pu.got[0], VDP_CLIENT_PORT, VD_AGENT_CLIPBOARD_GRAB, grab, sizeof grab);
        assert_message(&pu.got[1], VDP_CLIENT_PORT, VD_AGENT_CLIPBOARD, big, sizeof big);
        assert_message(&pu.got[2], VDP_SERVER_PORT, VD_AGENT_CLIENT_DISCONNECTED, NULL, 0);
        pipeline_free(&ps);
        pipeline_free(&pu);
    }
    bytes_free(&in);
    fix_free(x);
}

static void test_role_down_gets_nothing(void **state)
{
    (void)state;
    fix *x = fix_new();
    both_up(x);
    assert_int_equal(vda_rfwd_role_down(&x->f, USR), 0);
    bytes in = { 0 };
    uint8_t grab[8] = { 2 }, mouse[sizeof(VDAgentMouseState)] = { 3 };
    add_message(&in, VDP_CLIENT_PORT, VD_AGENT_CLIPBOARD_GRAB, 0, grab, sizeof grab);
    add_message(&in, VDP_CLIENT_PORT, VD_AGENT_MOUSE_STATE, 0, mouse, sizeof mouse);
    assert_int_equal(vda_rfwd_from_device(&x->f, in.data, in.len), VDA_OK);
    assert_int_equal(vda_ring_len(&x->f.role[USR].to_agent), 0);
    pipeline ps;
    pipeline_init(&ps, MAXMSG);
    drain(&x->f.role[SYS].to_agent, &ps);
    assert_int_equal(ps.n_got, 1);
    assert_message(&ps.got[0], VDP_CLIENT_PORT, VD_AGENT_MOUSE_STATE, mouse, sizeof mouse);
    pipeline_free(&ps);
    bytes_free(&in);
    fix_free(x);
}

static void test_caps_follow_roles(void **state)
{
    (void)state;
    fix *x = fix_new();
    vda_rfwd_role_up(&x->f, SYS);
    vda_rfwd_port_opened(&x->f);
    vda_caps c;
    assert_int_equal(last_caps(x, &c), 0);  /* nobody announced yet: nothing */
    bytes s = { 0 }, u = { 0 };
    caps_msg(&s, 1, sys_caps, 4);
    caps_msg(&u, 0, usr_caps, 4);
    role_feed(x, SYS, s.data, s.len);
    /* The logon screen: the system role's own caps only (not the clipboard it
     * claimed). */
    assert_int_equal(last_caps(x, &c), 1);
    assert_true(vda_caps_has(&c, VD_AGENT_CAP_MOUSE_STATE));
    assert_true(vda_caps_has(&c, VD_AGENT_CAP_MONITORS_CONFIG));
    assert_false(vda_caps_has(&c, VD_AGENT_CAP_CLIPBOARD_BY_DEMAND));
    /* A logon: the user role adds its caps (not the mouse it claimed). */
    vda_rfwd_role_up(&x->f, USR);
    role_feed(x, USR, u.data, u.len);
    assert_int_equal(last_caps(x, &c), 1);
    assert_true(vda_caps_has(&c, VD_AGENT_CAP_MOUSE_STATE));
    assert_true(vda_caps_has(&c, VD_AGENT_CAP_CLIPBOARD_BY_DEMAND));
    assert_true(vda_caps_has(&c, VD_AGENT_CAP_DISPLAY_CONFIG));
    /* The system role dies between messages: the port stays, its caps leave. */
    assert_int_equal(vda_rfwd_role_down(&x->f, SYS), 0);
    assert_int_equal(last_caps(x, &c), 1);
    assert_false(vda_caps_has(&c, VD_AGENT_CAP_MOUSE_STATE));
    assert_true(vda_caps_has(&c, VD_AGENT_CAP_CLIPBOARD_BY_DEMAND));
    /* The port reopens: the composition is announced again. */
    vda_rfwd_port_closed(&x->f);
    vda_rfwd_port_opened(&x->f);
    assert_int_equal(last_caps(x, &c), 1);
    assert_true(vda_caps_has(&c, VD_AGENT_CAP_DISPLAY_CONFIG));
    bytes_free(&s);
    bytes_free(&u);
    fix_free(x);
}

static void test_roles_never_interleave(void **state)
{
    (void)state;
    fix *x = fix_new();
    both_up(x);
    bytes u = { 0 }, s = { 0 };
    uint8_t *big = alloc_pattern(200000, 9);
    uint8_t reply[8] = { 4, 0, 0, 0, 0, 0, 0, 0 };
    add_message(&u, VDP_CLIENT_PORT, VD_AGENT_CLIPBOARD, 0, big, 200000);
    add_message(&s, VDP_CLIENT_PORT, VD_AGENT_REPLY, 0, reply, sizeof reply);
    size_t half = u.len / 2;
    assert_int_equal(role_feed(x, USR, u.data, half), VDA_NEED_MORE);
    /* The user role's message is under way: the system role's reply waits. */
    assert_int_equal(role_feed(x, SYS, s.data, s.len), VDA_RFWD_BLOCKED);
    assert_true(vda_rfwd_role_pending(&x->f, SYS));
    assert_int_equal(role_feed(x, USR, u.data + half, u.len - half), VDA_NEED_MORE);
    uint32_t cmd, arg;
    assert_int_equal(vda_rfwd_role_next(&x->f, SYS, &cmd, &arg), VDA_NEED_MORE);
    assert_false(vda_rfwd_role_pending(&x->f, SYS));
    pipeline p;
    pipeline_init(&p, MAXMSG);
    drain(&x->f.to_device, &p);
    assert_int_equal(p.n_got, 2);
    assert_message(&p.got[0], VDP_CLIENT_PORT, VD_AGENT_CLIPBOARD, big, 200000);
    assert_message(&p.got[1], VDP_CLIENT_PORT, VD_AGENT_REPLY, reply, sizeof reply);
    pipeline_free(&p);
    free(big);
    bytes_free(&u);
    bytes_free(&s);
    fix_free(x);
}

static void test_control_chunks(void **state)
{
    (void)state;
    fix *x = fix_new();
    both_up(x);
    assert_int_equal(vda_rfwd_control(&x->f, USR, VDA_PIPE_RESET, 0), 0);
    assert_int_equal(vda_ring_len(&x->f.role[SYS].to_agent), 0);
    assert_int_equal(vda_ring_len(&x->f.role[USR].to_agent), VDA_PIPE_CTL_WIRE);
    /* A role's HELLO stops parsing with the command; its caps follow. */
    bytes b = { 0 };
    uint8_t c[VDA_PIPE_CTL_WIRE];
    vda_pipe_control_encode(c, VDA_PIPE_HELLO, 1234);
    bytes_add(&b, c, sizeof c);
    caps_msg(&b, 1, sys_caps, 2);
    vda_rfwd_role_up(&x->f, SYS);
    vda_rfwd_role_input(&x->f, SYS, b.data, b.len);
    uint32_t cmd = 0, arg = 0;
    assert_int_equal(vda_rfwd_role_next(&x->f, SYS, &cmd, &arg), VDA_OK);
    assert_int_equal(cmd, VDA_PIPE_HELLO);
    assert_int_equal(arg, 1234);
    assert_int_equal(vda_rfwd_role_next(&x->f, SYS, &cmd, &arg), VDA_NEED_MORE);
    vda_caps caps;
    assert_int_equal(last_caps(x, &caps), 1);
    bytes_free(&b);
    fix_free(x);
}

/* Seed scenario 1: the client goes away halfway through a message: both roles
 * get CLIENT_DISCONNECTED (and drop their partial message). */
static void test_scenario1_client_disconnects_mid_message(void **state)
{
    (void)state;
    fix *x = fix_new();
    both_up(x);
    bytes in = { 0 };
    uint8_t *big = alloc_pattern(10000, 3);
    add_message(&in, VDP_CLIENT_PORT, VD_AGENT_CLIPBOARD, 0, big, 10000);
    /* The first chunks only: spice-server cuts between chunks. */
    size_t cut = 2 * (8 + VD_AGENT_MAX_DATA_SIZE);
    assert_true(cut < in.len);
    assert_int_equal(vda_rfwd_from_device(&x->f, in.data, cut), VDA_OK);
    bytes d = { 0 };
    add_message(&d, VDP_SERVER_PORT, VD_AGENT_CLIENT_DISCONNECTED, 0, NULL, 0);
    assert_int_equal(vda_rfwd_from_device(&x->f, d.data, d.len), VDA_OK);
    for (unsigned r = 0; r < VDA_ROLE_COUNT; r++) {
        pipeline p;
        pipeline_init(&p, MAXMSG);
        drain(&x->f.role[r].to_agent, &p);
        assert_int_equal(p.n_got, 1);
        assert_message(&p.got[0], VDP_SERVER_PORT, VD_AGENT_CLIENT_DISCONNECTED, NULL, 0);
        pipeline_free(&p);
    }
    free(big);
    bytes_free(&in);
    bytes_free(&d);
    fix_free(x);
}

/* Seed scenario 2: the port reopens (a new client) while a role is halfway
 * through a message: its tail never reaches the device, its next message does,
 * and the other role is not held up by it. */
static void test_scenario2_port_reopens_mid_role_message(void **state)
{
    (void)state;
    fix *x = fix_new();
    both_up(x);
    bytes u = { 0 }, u2 = { 0 }, s = { 0 };
    uint8_t *big = alloc_pattern(30000, 5);
    uint8_t grab[8] = { 1 }, reply[8] = { 2 };
    add_message(&u, VDP_CLIENT_PORT, VD_AGENT_CLIPBOARD, 0, big, 30000);
    add_message(&u2, VDP_CLIENT_PORT, VD_AGENT_CLIPBOARD_GRAB, 0, grab, sizeof grab);
    add_message(&s, VDP_CLIENT_PORT, VD_AGENT_REPLY, 0, reply, sizeof reply);
    size_t part = u.len / 3;
    role_feed(x, USR, u.data, part);
    vda_rfwd_port_closed(&x->f);
    vda_rfwd_port_opened(&x->f);
    vda_ring_clear(&x->f.to_device);   /* the composed announcement */
    assert_int_equal(role_feed(x, SYS, s.data, s.len), VDA_NEED_MORE);  /* not blocked */
    role_feed(x, USR, u.data + part, u.len - part);
    role_feed(x, USR, u2.data, u2.len);
    pipeline p;
    pipeline_init(&p, MAXMSG);
    drain(&x->f.to_device, &p);
    assert_int_equal(p.n_got, 2);
    assert_int_equal(p.errors[VDA_ERR_BAD_PROTOCOL], 0);
    assert_message(&p.got[0], VDP_CLIENT_PORT, VD_AGENT_REPLY, reply, sizeof reply);
    assert_message(&p.got[1], VDP_CLIENT_PORT, VD_AGENT_CLIPBOARD_GRAB, grab, sizeof grab);
    pipeline_free(&p);
    free(big);
    bytes_free(&u);
    bytes_free(&u2);
    bytes_free(&s);
    fix_free(x);
}

/* Seed scenario 3: a role goes away halfway through a message to the client:
 * the port must be restarted; the other role goes on afterwards. */
static void test_scenario3_role_dies_mid_message(void **state)
{
    (void)state;
    fix *x = fix_new();
    both_up(x);
    bytes u = { 0 };
    uint8_t *big = alloc_pattern(30000, 6);
    add_message(&u, VDP_CLIENT_PORT, VD_AGENT_CLIPBOARD, 0, big, 30000);
    role_feed(x, USR, u.data, u.len / 2);
    assert_int_equal(vda_rfwd_role_down(&x->f, USR), -1);
    vda_rfwd_port_closed(&x->f);
    vda_rfwd_port_opened(&x->f);
    vda_caps c;
    assert_int_equal(last_caps(x, &c), 1);
    assert_false(vda_caps_has(&c, VD_AGENT_CAP_DISPLAY_CONFIG));
    assert_true(vda_caps_has(&c, VD_AGENT_CAP_MOUSE_STATE));
    /* A role that dies between messages needs no restart. */
    assert_int_equal(vda_rfwd_role_down(&x->f, SYS), 0);
    free(big);
    bytes_free(&u);
    fix_free(x);
}

/* Seed scenario 4: a role comes up while the client is halfway through a
 * message for it: it gets no tail, only the next message. */
static void test_scenario4_role_joins_mid_client_message(void **state)
{
    (void)state;
    fix *x = fix_new();
    both_up(x);
    vda_rfwd_role_down(&x->f, USR);
    bytes in = { 0 }, next = { 0 };
    uint8_t *big = alloc_pattern(20000, 8);
    uint8_t grab[8] = { 9 };
    add_message(&in, VDP_CLIENT_PORT, VD_AGENT_CLIPBOARD, 0, big, 20000);
    add_message(&next, VDP_CLIENT_PORT, VD_AGENT_CLIPBOARD_GRAB, 0, grab, sizeof grab);
    assert_int_equal(vda_rfwd_from_device(&x->f, in.data, in.len / 2), VDA_OK);
    vda_rfwd_role_up(&x->f, USR);
    assert_int_equal(vda_rfwd_from_device(&x->f, in.data + in.len / 2, in.len - in.len / 2),
                     VDA_OK);
    assert_int_equal(vda_rfwd_from_device(&x->f, next.data, next.len), VDA_OK);
    pipeline p;
    pipeline_init(&p, MAXMSG);
    drain(&x->f.role[USR].to_agent, &p);
    assert_int_equal(p.n_got, 1);
    assert_int_equal(p.errors[VDA_ERR_BAD_PROTOCOL] + p.errors[VDA_ERR_CHUNK_OVERRUN], 0);
    assert_message(&p.got[0], VDP_CLIENT_PORT, VD_AGENT_CLIPBOARD_GRAB, grab, sizeof grab);
    pipeline_free(&p);
    free(big);
    bytes_free(&in);
    bytes_free(&next);
    fix_free(x);
}

/* The queue bound the service checks before a read covers the worst split:
 * a read of tiny messages, each re-framed as its own chunk. */
static void test_room_covers_worst_case(void **state)
{
    (void)state;
    fix *x = fix_new();
    both_up(x);
    bytes in = { 0 };
    while (in.len < 60000)
        add_message(&in, VDP_SERVER_PORT, VD_AGENT_CLIENT_DISCONNECTED, 0, NULL, 0);
    assert_int_equal(vda_rfwd_from_device(&x->f, in.data, in.len), VDA_OK);
    assert_true(vda_ring_len(&x->f.role[SYS].to_agent) <= VDA_RFWD_ROOM(in.len));
    assert_false(x->f.overrun);
    bytes_free(&in);
    fix_free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_device_messages_reach_their_roles),
        cmocka_unit_test(test_role_down_gets_nothing),
        cmocka_unit_test(test_caps_follow_roles),
        cmocka_unit_test(test_roles_never_interleave),
        cmocka_unit_test(test_control_chunks),
        cmocka_unit_test(test_scenario1_client_disconnects_mid_message),
        cmocka_unit_test(test_scenario2_port_reopens_mid_role_message),
        cmocka_unit_test(test_scenario3_role_dies_mid_message),
        cmocka_unit_test(test_scenario4_role_joins_mid_client_message),
        cmocka_unit_test(test_room_covers_worst_case),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
