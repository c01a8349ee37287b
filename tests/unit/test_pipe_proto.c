/* The service <-> agent pipe: chunks pass through, control chunks decode, bad
 * control chunks are dropped without disturbing the stream. */
#include "test_support.h"

#include <spice/vd_agent.h>

#include "wire/pipe_proto.h"

typedef struct events {
    int controls;
    uint32_t cmd[8], arg[8];
    bytes data;
    int errors[VDA_STATUS_COUNT];
} events;

static void run(const bytes *in, size_t step, events *ev)
{
    vda_pipe_reader r;
    vda_pipe_reader_init(&r, NULL, "pipe");
    for (size_t off = 0; off < in->len; off += step) {
        size_t n = in->len - off < step ? in->len - off : step;
        const uint8_t *buf = in->data + off;
        for (;;) {
            vda_pipe_event e;
            vda_status st = vda_pipe_reader_next(&r, &buf, &n, &e);
            if (st == VDA_NEED_MORE)
                break;
            if (st != VDA_OK) {
                ev->errors[st]++;
                if (st == VDA_ERR_FRAMING_LOST)
                    return;
                continue;
            }
            if (e.kind == VDA_PIPE_EV_CONTROL) {
                assert_true(ev->controls < 8);
                ev->cmd[ev->controls] = e.cmd;
                ev->arg[ev->controls++] = e.arg;
            } else {
                assert_int_equal(e.kind, VDA_PIPE_EV_PIECE);
                bytes_add(&ev->data, e.piece.data, e.piece.len);
            }
        }
    }
}

static void test_controls_and_data(void **state)
{
    (void)state;
    uint8_t ctl[VDA_PIPE_CTL_WIRE];
    uint8_t d[3000];
    fill_pattern(d, sizeof d, 1);
    bytes in = { 0 };
    assert_int_equal(vda_pipe_control_encode(ctl, VDA_PIPE_HELLO, 4242), sizeof ctl);
    bytes_add(&in, ctl, sizeof ctl);
    add_message(&in, VDP_CLIENT_PORT, VD_AGENT_CLIPBOARD, 0, d, sizeof d);
    vda_pipe_control_encode(ctl, VDA_PIPE_RESET, 0);
    bytes_add(&in, ctl, sizeof ctl);
    vda_pipe_control_encode(ctl, VDA_PIPE_STOP, 1);
    bytes_add(&in, ctl, sizeof ctl);
    for (size_t step = 1; step <= in.len; step += 101) {
        events ev = { 0 };
        run(&in, step, &ev);
        assert_int_equal(ev.controls, 3);
        assert_int_equal(ev.cmd[0], VDA_PIPE_HELLO);
        assert_int_equal(ev.arg[0], 4242);
        assert_int_equal(ev.cmd[1], VDA_PIPE_RESET);
        assert_int_equal(ev.cmd[2], VDA_PIPE_STOP);
        assert_int_equal(ev.arg[2], 1);
        /* the message's chunk payloads = 20-byte header + data */
        assert_int_equal(ev.data.len, 20 + sizeof d);
        assert_memory_equal(ev.data.data + 20, d, sizeof d);
        bytes_free(&ev.data);
    }
    bytes_free(&in);
}

static void test_bad_controls_are_dropped(void **state)
{
    (void)state;
    bytes in = { 0 };
    uint8_t p[16] = { 0 };
    add_chunk(&in, VDA_PIPE_CONTROL_PORT, p, 11);          /* too short */
    add_chunk(&in, VDA_PIPE_CONTROL_PORT, p, 16);          /* too long */
    uint8_t bad[12] = { 2, 0, 0, 0, 1, 0, 0, 0 };           /* version 2 */
    add_chunk(&in, VDA_PIPE_CONTROL_PORT, bad, 12);
    uint8_t unk[12] = { 1, 0, 0, 0, 99, 0, 0, 0 };          /* command 99 */
    add_chunk(&in, VDA_PIPE_CONTROL_PORT, unk, 12);
    uint8_t ctl[VDA_PIPE_CTL_WIRE];
    vda_pipe_control_encode(ctl, VDA_PIPE_HELLO, 1);
    bytes_add(&in, ctl, sizeof ctl);
    for (size_t step = 1; step <= in.len; step++) {
        events ev = { 0 };
        run(&in, step, &ev);
        assert_int_equal(ev.errors[VDA_ERR_BAD_CONTROL], 4);
        assert_int_equal(ev.controls, 1);
        assert_int_equal(ev.cmd[0], VDA_PIPE_HELLO);
        bytes_free(&ev.data);
    }
    bytes_free(&in);
}

static void test_unknown_port_and_framing(void **state)
{
    (void)state;
    bytes in = { 0 };
    uint8_t p[4] = { 0 };
    add_chunk(&in, 5, p, 4);
    put32(&in, 1);
    put32(&in, 100000);
    events ev = { 0 };
    run(&in, 3, &ev);
    assert_int_equal(ev.errors[VDA_ERR_UNKNOWN_PORT], 1);
    assert_int_equal(ev.errors[VDA_ERR_CHUNK_TOO_BIG], 1);
    assert_int_equal(ev.errors[VDA_ERR_FRAMING_LOST], 1);
    bytes_free(&in);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(vda_pipe_cmd_name(VDA_PIPE_HELLO), "hello");
    assert_string_equal(vda_pipe_cmd_name(77), "unknown");
    for (int s = 0; s < VDA_STATUS_COUNT; s++)
        assert_string_not_equal(vda_status_str((vda_status)s), "unknown status");
    assert_string_equal(vda_status_str(VDA_STATUS_COUNT), "unknown status");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_controls_and_data),
        cmocka_unit_test(test_bad_controls_are_dropped),
        cmocka_unit_test(test_unknown_port_and_framing),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
