/* vdservice's data path (common/service_fwd): whole chunks towards the agent,
 * whole messages towards the device, control chunks on chunk boundaries. */
#include "test_support.h"

#include "base/le_bytes.h"
#include "service/service_fwd.h"

/* Appends a whole message of `size` filler bytes, chunked as a real sender does. */
static void wire_msg(bytes *w, uint32_t port, uint32_t type, uint32_t size, uint8_t seed)
{
    uint8_t *p = alloc_pattern(size, seed);
    add_message(w, port, type, seed, p, size);
    free(p);
}

static void drain(vda_ring *r, bytes *out)
{
    const uint8_t *p;
    size_t n;
    while ((n = vda_ring_peek(r, &p)) > 0) {
        bytes_add(out, p, n);
        vda_ring_consume(r, n);
    }
}

/* Parses a stream that must consist of whole, valid messages only (plus control
 * chunks); returns the number of messages, fails on any error or leftover. */
static int count_whole(const bytes *w, int *controls)
{
    vda_pipe_reader pr;
    vda_pipe_reader_init(&pr, NULL, "check");
    vda_reasm ra;
    vda_reasm_init(&ra, 1u << 24, NULL);
    const uint8_t *p = w->data;
    size_t len = w->len;
    int msgs = 0;
    vda_pipe_event ev;
    vda_status st;
    while ((st = vda_pipe_reader_next(&pr, &p, &len, &ev)) != VDA_NEED_MORE) {
        assert_int_equal(st, VDA_OK);
        if (ev.kind == VDA_PIPE_EV_CONTROL) {
            if (controls)
                (*controls)++;
            continue;
        }
        vda_message m;
        st = vda_reasm_feed(&ra, &ev.piece, &m);
        if (st == VDA_MSG_READY) {
            msgs++;
            free(m.data);
        } else {
            assert_int_equal(st, VDA_NEED_MORE);
        }
    }
    assert_true(vda_chunk_reader_idle(&pr.chunks));
    assert_true(vda_reasm_idle(&ra, VDP_CLIENT_PORT));
    assert_true(vda_reasm_idle(&ra, VDP_SERVER_PORT));
    vda_reasm_free(&ra);
    return msgs;
}

static void test_device_to_agent_any_split(void **state)
{
    (void)state;
    bytes in = { 0 };
    for (int i = 0; i < 6; i++)
        wire_msg(&in, i % 2 ? VDP_SERVER_PORT : VDP_CLIENT_PORT, 0x7E00 + i, (uint32_t)(i * 3001), (uint8_t)i);
    for (size_t step = 1; step < 5000; step = step * 3 + 1) {
        vda_fwd f;
        assert_int_equal(vda_fwd_init(&f, NULL, 1 << 20, 1 << 16), 0);
        bytes out = { 0 };
        for (size_t off = 0; off < in.len; off += step) {
            size_t n = in.len - off < step ? in.len - off : step;
            assert_int_equal(vda_fwd_from_device(&f, in.data + off, n), VDA_OK);
            /* Whatever is queued at any moment is whole chunks: a control chunk
             * queued now lands on a boundary. */
            assert_int_equal(vda_fwd_control(&f, VDA_PIPE_RESET, 0), 0);
        }
        drain(&f.to_agent, &out);
        int controls = 0;
        /* Control chunks interleave, but the data is unchanged: strip them. */
        assert_int_equal(count_whole(&out, &controls), 6);
        assert_true(controls > 0);
        free(out.data);
        vda_fwd_free(&f);
    }
    free(in.data);
}

/* The service reads the device only while VDA_FWD_ROOM(read size) is free. A
 * read that completes a chunk staged by earlier reads queues that chunk's
 * earlier bytes too: the room must cover them (a 16 MiB paste once lost chunks
 * with "device -> agent queue overrun" here). */
static void test_device_room_covers_staged_chunk(void **state)
{
    (void)state;
    bytes in = { 0 };
    for (int i = 0; i < 4; i++)
        wire_msg(&in, VDP_CLIENT_PORT, 0x7E10 + i, 100000, (uint8_t)i);
    const size_t reads[] = { 65536, 4096, 2000, 2049, 7 };
    for (size_t k = 0; k < sizeof reads / sizeof reads[0]; k++) {
        size_t step = reads[k];
        vda_fwd f;
        /* Exactly the room for one read: the queue is drained after every read,
         * as the service's pipe write would, so the caller's check always holds. */
        assert_int_equal(vda_fwd_init(&f, NULL, VDA_FWD_ROOM(step), 1 << 16), 0);
        bytes out = { 0 };
        for (size_t off = 0; off < in.len; off += step) {
            size_t n = in.len - off < step ? in.len - off : step;
            assert_true(vda_ring_space(&f.to_agent) >= VDA_FWD_ROOM(n));
            size_t before = vda_ring_len(&f.to_agent);
            assert_int_equal(vda_fwd_from_device(&f, in.data + off, n), VDA_OK);
            assert_true(vda_ring_len(&f.to_agent) - before <= VDA_FWD_ROOM(n));
            drain(&f.to_agent, &out);
        }
        assert_int_equal(out.len, in.len);
        assert_memory_equal(out.data, in.data, in.len);
        assert_int_equal(count_whole(&out, NULL), 4);
        free(out.data);
        vda_fwd_free(&f);
    }
    free(in.data);
}

static void test_device_framing_lost(void **state)
{
    (void)state;
    vda_fwd f;
    assert_int_equal(vda_fwd_init(&f, NULL, 1 << 20, 1 << 16), 0);
    bytes in = { 0 };
    wire_msg(&in, VDP_CLIENT_PORT, 0x7E00, 5000, 1);
    uint8_t bad[8];
    vda_put_le32(bad, VDP_CLIENT_PORT);
    vda_put_le32(bad + 4, 0x10000);
    /* The first chunk of a good message, then an impossible header. */
    assert_int_equal(vda_fwd_from_device(&f, in.data, 8 + 2048), VDA_OK);
    assert_int_equal(vda_fwd_from_device(&f, bad, sizeof bad), VDA_ERR_FRAMING_LOST);
    vda_fwd_port_closed(&f);
    assert_int_equal(vda_fwd_control(&f, VDA_PIPE_RESET, 0), 0);
    /* After the reset a fresh stream parses again. */
    assert_int_equal(vda_fwd_from_device(&f, in.data, in.len), VDA_OK);
    bytes out = { 0 };
    drain(&f.to_agent, &out);
    /* First chunk (whole) of the first attempt, RESET, then the whole message:
     * the agent drops the partial message on RESET. Check the tail parses. */
    size_t first_chunk = 8 + 2048;
    bytes tail = { out.data + first_chunk, out.len - first_chunk, 0 };
    int controls = 0;
    assert_int_equal(count_whole(&tail, &controls), 1);
    assert_int_equal(controls, 1);
    free(out.data);
    free(in.data);
    vda_fwd_free(&f);
}

static void test_agent_to_device_whole_messages(void **state)
{
    (void)state;
    /* Agent stream: HELLO, then messages 0..5; the port opens at HELLO, closes in
     * the middle of message 2 and reopens in the middle of message 3. */
    bytes in = { 0 };
    uint8_t hello[VDA_PIPE_CTL_WIRE];
    vda_pipe_control_encode(hello, VDA_PIPE_HELLO, 1234);
    bytes_add(&in, hello, sizeof hello);
    size_t ends[6];
    for (int i = 0; i < 6; i++) {
        wire_msg(&in, VDP_CLIENT_PORT, 0x7E00, 7000, (uint8_t)i);
        ends[i] = in.len;
    }
    for (size_t step = 1; step < 9000; step = step * 5 + 3) {
        vda_fwd f;
        assert_int_equal(vda_fwd_init(&f, NULL, 1 << 16, 1 << 20), 0);
        bytes dev1 = { 0 }, dev2 = { 0 };
        int open = 0, hellos = 0, phase = 0;
        size_t close_at = ends[1] + 3000, reopen_at = ends[2] + 3000;
        for (size_t off = 0; off < in.len;) {
            size_t n = in.len - off < step ? in.len - off : step;
            if (phase == 0 && off <= close_at && off + n > close_at)
                n = close_at - off + 1;
            const uint8_t *p = in.data + off;
            size_t len = n;
            uint32_t cmd, arg;
            vda_status st;
            while ((st = vda_fwd_from_agent(&f, &p, &len, open, &cmd, &arg)) == VDA_OK) {
                assert_int_equal(cmd, VDA_PIPE_HELLO);
                assert_int_equal(arg, 1234);
                hellos++;
                open = 1;
            }
            assert_int_equal(st, VDA_NEED_MORE);
            off += n;
            if (phase == 0 && off > close_at) {
                drain(&f.to_device, &dev1);
                vda_fwd_port_closed(&f);
                open = 0;
                phase = 1;
            } else if (phase == 1 && off > reopen_at) {
                open = 1;
                phase = 2;
            }
        }
        assert_int_equal(phase, 2);
        drain(&f.to_device, &dev2);
        assert_int_equal(hellos, 1);
        /* First opening: messages 0 and 1 whole, the part of 2 that was queued is
         * cut with the port (the host drops it with the closed port). */
        bytes first = { dev1.data, 0, 0 };
        size_t whole01 = ends[1] - sizeof hello;
        assert_true(dev1.len >= whole01);
        first.len = whole01;
        assert_int_equal(count_whole(&first, NULL), 2);
        /* Second opening: messages 4 and 5 only (2 was cut, 3 started while closed). */
        assert_int_equal(count_whole(&dev2, NULL), 2);
        assert_int_equal(dev2.len, ends[5] - ends[3]);
        assert_memory_equal(dev2.data, in.data + ends[3], dev2.len);
        free(dev1.data);
        free(dev2.data);
        vda_fwd_free(&f);
    }
    free(in.data);
}

/* Agent data the port cannot take (no HELLO yet, or the port is being reopened)
 * is dropped, and each dropped message says so in one line, not one per chunk. */
static void test_agent_message_dropped_while_closed_is_logged(void **state)
{
    (void)state;
    test_log log;
    test_log_init(&log);
    bytes in = { 0 };
    wire_msg(&in, VDP_CLIENT_PORT, 0x7E00, 5000, 1); /* 3 chunks */
    wire_msg(&in, VDP_SERVER_PORT, 0x7E01, 10, 2);
    vda_fwd f;
    assert_int_equal(vda_fwd_init(&f, &log.logger, 1 << 16, 1 << 16), 0);
    for (size_t off = 0; off < in.len; off += 700) { /* pieces of chunks */
        const uint8_t *p = in.data + off;
        size_t len = in.len - off < 700 ? in.len - off : 700;
        uint32_t cmd, arg;
        assert_int_equal(vda_fwd_from_agent(&f, &p, &len, 0, &cmd, &arg), VDA_NEED_MORE);
    }
    assert_int_equal(vda_ring_len(&f.to_device), 0);
    assert_int_equal(log.lines, 2);
    assert_non_null(strstr(log.last, "dropped"));
    assert_non_null(strstr(log.last, "port 2"));
    vda_fwd_free(&f);
    free(in.data);
}

static void test_agent_framing_lost_and_reset(void **state)
{
    (void)state;
    vda_fwd f;
    assert_int_equal(vda_fwd_init(&f, NULL, 1 << 16, 1 << 16), 0);
    uint8_t bad[8];
    vda_put_le32(bad, VDP_CLIENT_PORT);
    vda_put_le32(bad + 4, 5000);
    const uint8_t *p = bad;
    size_t len = sizeof bad;
    uint32_t cmd, arg;
    assert_int_equal(vda_fwd_from_agent(&f, &p, &len, 1, &cmd, &arg), VDA_ERR_FRAMING_LOST);
    vda_fwd_reset(&f);
    bytes in = { 0 };
    wire_msg(&in, VDP_SERVER_PORT, 0x7E01, 100, 1);
    p = in.data;
    len = in.len;
    assert_int_equal(vda_fwd_from_agent(&f, &p, &len, 1, &cmd, &arg), VDA_NEED_MORE);
    assert_int_equal(vda_ring_len(&f.to_device), in.len);
    free(in.data);
    vda_fwd_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_device_to_agent_any_split),
        cmocka_unit_test(test_device_room_covers_staged_chunk),
        cmocka_unit_test(test_device_framing_lost),
        cmocka_unit_test(test_agent_to_device_whole_messages),
        cmocka_unit_test(test_agent_framing_lost_and_reset),
        cmocka_unit_test(test_agent_message_dropped_while_closed_is_logged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
