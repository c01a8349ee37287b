/* Whole-message forwarding decisions on the agent -> device direction. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "wire/chunk_reader.h"
#include "wire/chunk_writer.h"
#include "base/le_bytes.h"
#include "wire/msg_tracker.h"

/* Feeds one chunk (split into pieces of `step` bytes) and returns the decision. */
static int chunk(vda_msg_tracker *t, uint32_t port, const uint8_t *data, size_t len, int open,
                 size_t step)
{
    int fwd = vda_msg_tracker_chunk_start(t, port, open);
    for (size_t off = 0; off < len; off += step)
        vda_msg_tracker_feed(t, port, data + off, len - off < step ? len - off : step);
    return fwd;
}

static void make_msg_header(uint8_t *h, uint32_t type, uint32_t size)
{
    vda_put_le32(h, VD_AGENT_PROTOCOL);
    vda_put_le32(h + 4, type);
    vda_put_le64(h + 8, 0);
    vda_put_le32(h + 16, size);
}

static void test_single_chunk_messages(void **state)
{
    (void)state;
    vda_msg_tracker t;
    vda_msg_tracker_init(&t);
    uint8_t m[30];
    make_msg_header(m, 1, 10);
    for (size_t step = 1; step <= sizeof m; step++) {
        assert_true(chunk(&t, VDP_CLIENT_PORT, m, sizeof m, 1, step));
        assert_true(vda_msg_tracker_at_boundary(&t, VDP_CLIENT_PORT));
        assert_false(chunk(&t, VDP_CLIENT_PORT, m, sizeof m, 0, step));
        assert_true(vda_msg_tracker_at_boundary(&t, VDP_CLIENT_PORT));
    }
}

static void test_port_closed_mid_message_drops_rest(void **state)
{
    (void)state;
    vda_msg_tracker t;
    vda_msg_tracker_init(&t);
    /* A 5000-byte message in three chunks, written by chunk_writer. */
    uint8_t *payload = calloc(1, 5000);
    assert_non_null(payload);
    vda_msg_writer w;
    vda_msg_writer_init(&w, VDP_CLIENT_PORT, 3, 0, payload, 5000);
    uint8_t wire[8000];
    size_t n = vda_msg_writer_next(&w, wire, sizeof wire);
    assert_true(vda_msg_writer_done(&w));
    size_t off = 0;
    int decisions[3], k = 0;
    while (off < n) {
        uint32_t size = vda_le32(wire + off + 4);
        int open = k == 0; /* port closes after the first chunk */
        decisions[k++] = chunk(&t, VDP_CLIENT_PORT, wire + off + 8, size, open, 700);
        off += 8 + size;
    }
    assert_int_equal(k, 3);
    assert_true(decisions[0]);
    assert_false(decisions[1]);
    assert_false(decisions[2]);
    /* The port reopens in the middle of the next message: dropped to its end. */
    vda_msg_writer_init(&w, VDP_CLIENT_PORT, 3, 0, payload, 5000);
    n = vda_msg_writer_next(&w, wire, sizeof wire);
    off = 0;
    k = 0;
    while (off < n) {
        uint32_t size = vda_le32(wire + off + 4);
        int open = k > 0;
        decisions[k++] = chunk(&t, VDP_CLIENT_PORT, wire + off + 8, size, open, 333);
        off += 8 + size;
    }
    assert_false(decisions[0]);
    assert_false(decisions[1]);
    assert_false(decisions[2]);
    assert_true(vda_msg_tracker_at_boundary(&t, VDP_CLIENT_PORT));
    /* ... and the one after it goes through whole. */
    vda_msg_writer_init(&w, VDP_CLIENT_PORT, 3, 0, payload, 5000);
    n = vda_msg_writer_next(&w, wire, sizeof wire);
    off = 0;
    while (off < n) {
        uint32_t size = vda_le32(wire + off + 4);
        assert_true(chunk(&t, VDP_CLIENT_PORT, wire + off + 8, size, 1, 2048));
        off += 8 + size;
    }
    free(payload);
}

static void test_drop_all_and_ports_independent(void **state)
{
    (void)state;
    vda_msg_tracker t;
    vda_msg_tracker_init(&t);
    uint8_t h[20];
    make_msg_header(h, 1, 100);
    assert_true(chunk(&t, VDP_CLIENT_PORT, h, sizeof h, 1, 20));
    make_msg_header(h, 1, 50);
    assert_true(chunk(&t, VDP_SERVER_PORT, h, sizeof h, 1, 20));
    uint8_t body[100] = { 0 };
    assert_true(chunk(&t, VDP_SERVER_PORT, body, 50, 1, 50)); /* server message done */
    vda_msg_tracker_drop_all(&t);                               /* port closed and reopened */
    assert_false(chunk(&t, VDP_CLIENT_PORT, body, 100, 1, 7)); /* rest of the old one */
    assert_true(vda_msg_tracker_at_boundary(&t, VDP_CLIENT_PORT));
    assert_true(vda_msg_tracker_at_boundary(&t, VDP_SERVER_PORT));
    assert_true(chunk(&t, VDP_SERVER_PORT, h, sizeof h, 1, 3));
    /* Unknown ports: never forwarded, never tracked. */
    assert_false(vda_msg_tracker_chunk_start(&t, 7, 1));
    vda_msg_tracker_feed(&t, 7, body, 10);
    assert_true(vda_msg_tracker_at_boundary(&t, 7));
}

static void test_message_starting_inside_chunk_and_empty_messages(void **state)
{
    (void)state;
    vda_msg_tracker t;
    vda_msg_tracker_init(&t);
    uint8_t buf[20 + 4 + 20 + 20];
    make_msg_header(buf, 1, 4);
    memset(buf + 20, 0xAA, 4);
    make_msg_header(buf + 24, 2, 0);   /* empty message */
    make_msg_header(buf + 44, 3, 1000); /* starts in this chunk, goes on */
    assert_false(chunk(&t, VDP_CLIENT_PORT, buf, sizeof buf, 0, 5));
    assert_false(vda_msg_tracker_at_boundary(&t, VDP_CLIENT_PORT));
    /* Its continuation follows the decision of the chunk where it started. */
    uint8_t body[1000] = { 0 };
    assert_false(chunk(&t, VDP_CLIENT_PORT, body, sizeof body, 1, 1000));
    assert_true(vda_msg_tracker_at_boundary(&t, VDP_CLIENT_PORT));
}

static void test_random_splits_keep_boundaries(void **state)
{
    (void)state;
    /* Many messages of random sizes, chunked by chunk_writer, fed in random pieces:
     * the tracker must be at a boundary exactly after each message's last chunk. */
    uint32_t x = 99;
    static uint8_t payload[20000];
    static uint8_t wire[30000];
    for (int round = 0; round < 300; round++) {
        vda_msg_tracker t;
        vda_msg_tracker_init(&t);
        for (int m = 0; m < 5; m++) {
            x = x * 1103515245u + 12345u;
            uint32_t size = (x >> 8) % sizeof payload;
            vda_msg_writer w;
            vda_msg_writer_init(&w, VDP_SERVER_PORT, 1, 0, payload, size);
            size_t n = vda_msg_writer_next(&w, wire, sizeof wire);
            assert_true(vda_msg_writer_done(&w));
            size_t off = 0;
            while (off < n) {
                uint32_t csize = vda_le32(wire + off + 4);
                x = x * 1103515245u + 12345u;
                size_t step = 1 + (x >> 8) % 3000;
                assert_true(chunk(&t, VDP_SERVER_PORT, wire + off + 8, csize, 1, step));
                off += 8 + csize;
                assert_int_equal(vda_msg_tracker_at_boundary(&t, VDP_SERVER_PORT), off == n);
            }
        }
    }
}

/* Issue 13: an untrusted header (size 0xFFFFFFF0, wrong protocol) or one cut by
 * the end of its chunk ends its message with the chunk: the next chunk starts a
 * message, so a port reopened later still gets whole messages. */
static void test_bad_or_cut_header_ends_with_its_chunk(void **state)
{
    (void)state;
    for (int kind = 0; kind < 3; kind++) {
        vda_msg_tracker t;
        vda_msg_tracker_init(&t);
        uint8_t m[40] = { 0 };
        make_msg_header(m, VD_AGENT_CLIPBOARD, kind == 0 ? 0xFFFFFFF0u : 100);
        if (kind == 1)
            vda_put_le32(m, 7); /* wrong protocol */
        size_t len = kind == 2 ? 12 : sizeof m; /* kind 2: header cut at 12 bytes */
        assert_true(chunk(&t, VDP_CLIENT_PORT, m, len, 1, 5));
        assert_true(vda_msg_tracker_at_boundary(&t, VDP_CLIENT_PORT) || kind == 2);
        /* The next chunk starts a message: with the port closed it is dropped,
         * not glued to the bad one, and the one after goes through again. */
        uint8_t good[30];
        make_msg_header(good, VD_AGENT_CLIPBOARD, 10);
        assert_false(chunk(&t, VDP_CLIENT_PORT, good, sizeof good, 0, 7));
        assert_true(vda_msg_tracker_at_boundary(&t, VDP_CLIENT_PORT));
        assert_true(chunk(&t, VDP_CLIENT_PORT, good, sizeof good, 1, 3));
        assert_true(vda_msg_tracker_at_boundary(&t, VDP_CLIENT_PORT));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_chunk_messages),
        cmocka_unit_test(test_port_closed_mid_message_drops_rest),
        cmocka_unit_test(test_drop_all_and_ports_independent),
        cmocka_unit_test(test_message_starting_inside_chunk_and_empty_messages),
        cmocka_unit_test(test_random_splits_keep_boundaries),
        cmocka_unit_test(test_bad_or_cut_header_ends_with_its_chunk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
