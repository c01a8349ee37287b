/* Reassembly of chunks into messages: every split, both ports interleaved, every
 * validation error, and the seed's disconnect scenarios at this layer (after a
 * reset, or a stream joined, in the middle of a message the next message comes out intact and
 * is never glued to the old one). */
#include "test_support.h"

#include <spice/vd_agent.h>

#define LIMIT (16u * 1024 * 1024)

static void test_single_chunk_message(void **state)
{
    (void)state;
    uint8_t d[40];
    fill_pattern(d, sizeof d, 1);
    bytes in = { 0 };
    add_message(&in, VDP_CLIENT_PORT, VD_AGENT_CLIPBOARD, 0x1122334455667788ull, d, sizeof d);
    pipeline p;
    pipeline_init(&p, LIMIT);
    pipeline_feed(&p, in.data, in.len, in.len);
    assert_int_equal(p.n_got, 1);
    assert_message(&p.got[0], VDP_CLIENT_PORT, VD_AGENT_CLIPBOARD, d, sizeof d);
    assert_true(p.got[0].opaque == 0x1122334455667788ull);
    assert_int_equal(p.log.lines, 0);
    pipeline_free(&p);
    bytes_free(&in);
}

/* A multi-chunk message followed by a small one, fed in every read size from 1
 * byte up to whole chunks and beyond. */
static void test_every_split(void **state)
{
    (void)state;
    uint32_t big = 3 * VD_AGENT_MAX_DATA_SIZE + 77;
    uint8_t *d = alloc_pattern(big, 2);
    uint8_t small[6] = { 1, 2, 3, 4, 5, 6 };
    bytes in = { 0 };
    add_message(&in, VDP_CLIENT_PORT, VD_AGENT_CLIPBOARD, 1, d, big);
    add_message(&in, VDP_CLIENT_PORT, VD_AGENT_CLIPBOARD_RELEASE, 2, small, sizeof small);
    for (size_t step = 1; step <= in.len + 1; step = step < 64 ? step + 1 : step * 2 + 1) {
        pipeline p;
        pipeline_init(&p, LIMIT);
        pipeline_feed(&p, in.data, in.len, step);
        assert_int_equal(p.n_got, 2);
        assert_message(&p.got[0], VDP_CLIENT_PORT, VD_AGENT_CLIPBOARD, d, big);
        assert_message(&p.got[1], VDP_CLIENT_PORT, VD_AGENT_CLIPBOARD_RELEASE, small,
                       sizeof small);
        assert_int_equal(p.log.lines, 0);
        assert_true(vda_reasm_idle(&p.reasm, VDP_CLIENT_PORT));
        pipeline_free(&p);
    }
    free(d);
    bytes_free(&in);
}

/* Every chunk size a sender may choose that keeps the header in the first chunk
 * (the framing rule, reassembly.h); smaller chunks: test_truncated_header_*. */
static void test_every_chunk_size(void **state)
{
    (void)state;
    uint32_t size = 5000;
    uint8_t *d = alloc_pattern(size, 3);
    bytes stream = { 0 };
    add_msg_header(&stream, VD_AGENT_PROTOCOL, VD_AGENT_CLIPBOARD, 9, size);
    bytes_add(&stream, d, size);
    uint32_t sizes[] = { 20, 21, 1000, 2047, 2048 };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        bytes in = { 0 };
        for (size_t off = 0; off < stream.len; off += sizes[i]) {
            uint32_t n = (uint32_t)(stream.len - off < sizes[i] ? stream.len - off : sizes[i]);
            add_chunk(&in, VDP_CLIENT_PORT, stream.data + off, n);
        }
        pipeline p;
        pipeline_init(&p, LIMIT);
        pipeline_feed(&p, in.data, in.len, 333);
        assert_int_equal(p.n_got, 1);
        assert_message(&p.got[0], VDP_CLIENT_PORT, VD_AGENT_CLIPBOARD, d, size);
        pipeline_free(&p);
        bytes_free(&in);
    }
    free(d);
    bytes_free(&stream);
}

/* Client and server messages interleaved chunk by chunk stay independent. */
static void test_interleaved_ports(void **state)
{
    (void)state;
    uint32_t n1 = 5 * VD_AGENT_MAX_DATA_SIZE, n2 = 2 * VD_AGENT_MAX_DATA_SIZE + 1;
    uint8_t *d1 = alloc_pattern(n1, 4), *d2 = alloc_pattern(n2, 5);
    bytes c = { 0 }, s = { 0 };
    add_message(&c, VDP_CLIENT_PORT, VD_AGENT_CLIPBOARD, 0, d1, n1);
    add_message(&s, VDP_SERVER_PORT, VD_AGENT_MONITORS_CONFIG, 0, d2, n2);
    /* Interleave whole chunks: c0 s0 c1 s1 ... */
    bytes in = { 0 };
    size_t ci = 0, si = 0;
    while (ci < c.len || si < s.len) {
        for (int k = 0; k < 2; k++) {
            bytes *src = k ? &s : &c;
            size_t *pos = k ? &si : &ci;
            if (*pos >= src->len)
                continue;
            uint32_t sz = vda_le32_test(src->data + *pos + 4);
            bytes_add(&in, src->data + *pos, 8 + sz);
            *pos += 8 + sz;
        }
    }
    for (size_t step = 1; step < in.len; step = step * 3 + 1) {
        pipeline p;
        pipeline_init(&p, LIMIT);
        pipeline_feed(&p, in.data, in.len, step);
        assert_int_equal(p.n_got, 2);
        /* The server message has fewer chunks, so it completes first. */
        assert_message(&p.got[0], VDP_SERVER_PORT, VD_AGENT_MONITORS_CONFIG, d2, n2);
        assert_message(&p.got[1], VDP_CLIENT_PORT, VD_AGENT_CLIPBOARD, d1, n1);
        pipeline_free(&p);
    }
    free(d1);
    free(d2);
    bytes_free(&c);
    bytes_free(&s);
    bytes_free(&in);
}

/* A bad message spanning several chunks, then a good one: the bad one is logged
 * once and dropped, the good one arrives intact. */
static void check_dropped_then_next(bytes *bad, vda_status expect, uint32_t limit)
{
    uint8_t good[30];
    fill_pattern(good, sizeof good, 6);
    add_message(bad, VDP_CLIENT_PORT, VD_AGENT_CLIPBOARD_REQUEST, 0, good, sizeof good);
    for (size_t step = 1; step <= bad->len; step = step * 2 + 1) {
        pipeline p;
        pipeline_init(&p, limit);
        pipeline_feed(&p, bad->data, bad->len, step);
        assert_int_equal(p.errors[expect], 1);
        assert_int_equal(p.log.lines, 1);
        assert_int_equal(p.n_got, 1);
        assert_message(&p.got[0], VDP_CLIENT_PORT, VD_AGENT_CLIPBOARD_REQUEST, good,
                       sizeof good);
        pipeline_free(&p);
    }
}

/* A framing error, then a good message: one line for the error, one when the
 * port is back in step, and the good message arrives intact. */
static void check_framing_then_next(bytes *bad, vda_status expect, uint32_t limit)
{
    uint8_t good[30];
    fill_pattern(good, sizeof good, 6);
    add_message(bad, VDP_CLIENT_PORT, VD_AGENT_CLIPBOARD_REQUEST, 0, good, sizeof good);
    for (size_t step = 1; step <= bad->len; step = step * 2 + 1) {
        pipeline p;
        pipeline_init(&p, limit);
        pipeline_feed(&p, bad->data, bad->len, step);
        assert_true(p.errors[expect] >= 1);
        assert_int_equal(p.log.lines, 2);
        assert_int_equal(p.n_got, 1);
        assert_message(&p.got[0], VDP_CLIENT_PORT, VD_AGENT_CLIPBOARD_REQUEST, good,
                       sizeof good);
        assert_true(vda_reasm_idle(&p.reasm, VDP_CLIENT_PORT));
        pipeline_free(&p);
    }
}

/* Writes a message whose header the test chooses, chunked like a sender would. */
static void add_raw_message(bytes *b, uint32_t protocol, uint32_t type, uint32_t size,
                            uint32_t payload_len)
{
    bytes stream = { 0 };
    add_msg_header(&stream, protocol, type, 0, size);
    uint8_t *d = alloc_pattern(payload_len, 7);
    bytes_add(&stream, d, payload_len);
    free(d);
    for (size_t off = 0; off < stream.len; off += VD_AGENT_MAX_DATA_SIZE) {
        size_t n = stream.len - off < VD_AGENT_MAX_DATA_SIZE ? stream.len - off
                                                             : VD_AGENT_MAX_DATA_SIZE;
        add_chunk(b, VDP_CLIENT_PORT, stream.data + off, (uint32_t)n);
    }
    bytes_free(&stream);
}

static void test_wrong_protocol(void **state)
{
    (void)state;
    bytes in = { 0 };
    add_raw_message(&in, 2, VD_AGENT_CLIPBOARD, 5000, 5000);
    check_framing_then_next(&in, VDA_ERR_BAD_PROTOCOL, LIMIT);
    bytes_free(&in);
}

static void test_above_limit_is_skipped(void **state)
{
    (void)state;
    bytes in = { 0 };
    add_raw_message(&in, VD_AGENT_PROTOCOL, VD_AGENT_CLIPBOARD, 10000, 10000);
    check_dropped_then_next(&in, VDA_ERR_MSG_TOO_BIG, 9999);
    bytes_free(&in);
}

/* Issue 13: a header announcing 0xFFFFFFF0 bytes (size + header above 32 bits)
 * can never be valid. It must not make the port swallow what follows: the next
 * client message (a grab here, as in the end-to-end report) comes out. */
static void test_size_overflow(void **state)
{
    (void)state;
    uint32_t sizes[] = { 0xFFFFFFF0u, UINT32_MAX - 19 };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        bytes in = { 0 };
        add_raw_message(&in, VD_AGENT_PROTOCOL, VD_AGENT_CLIPBOARD, sizes[i], 100);
        check_framing_then_next(&in, VDA_ERR_SIZE_OVERFLOW, UINT32_MAX);
        bytes_free(&in);
        /* The same in a multi-chunk message: its continuation chunks are not
         * taken for headers that would wedge the port again. */
        bytes big = { 0 };
        add_raw_message(&big, VD_AGENT_PROTOCOL, VD_AGENT_CLIPBOARD_GRAB, sizes[i], 7000);
        check_framing_then_next(&big, VDA_ERR_SIZE_OVERFLOW, UINT32_MAX);
        bytes_free(&big);
    }
}

/* The largest size that fits is a sound header: skipped by size, not a framing
 * error (the owner's reset ends it). */
static void test_largest_size_is_skipped(void **state)
{
    (void)state;
    bytes in = { 0 };
    add_raw_message(&in, VD_AGENT_PROTOCOL, VD_AGENT_CLIPBOARD, UINT32_MAX - 20, 100);
    pipeline p;
    pipeline_init(&p, LIMIT);
    pipeline_feed(&p, in.data, in.len, 7);
    assert_int_equal(p.errors[VDA_ERR_MSG_TOO_BIG], 1);
    assert_int_equal(p.errors[VDA_ERR_SIZE_OVERFLOW], 0);
    assert_false(vda_reasm_idle(&p.reasm, VDP_CLIENT_PORT));
    pipeline_free(&p);
    bytes_free(&in);
}

/* A chunk that ends inside a header (1..19 header bytes): the header is dropped,
 * not glued to the next chunk, so the valid message after it is delivered. */
static void test_truncated_header_then_valid(void **state)
{
    (void)state;
    uint8_t hdr[20];
    bytes h = { 0 };
    add_msg_header(&h, VD_AGENT_PROTOCOL, VD_AGENT_CLIPBOARD_GRAB, 0, 8);
    memcpy(hdr, h.data, sizeof hdr);
    bytes_free(&h);
    for (uint32_t cut = 1; cut < 20; cut++) {
        bytes in = { 0 };
        add_chunk(&in, VDP_CLIENT_PORT, hdr, cut);
        check_framing_then_next(&in, VDA_ERR_TRUNCATED_HEADER, LIMIT);
        bytes_free(&in);
    }
}

/* Also when the cut header's chunk is followed by the rest of that header in
 * its own chunk (a sender that splits headers): both pieces are dropped, the
 * next message comes out. */
static void test_header_split_across_chunks(void **state)
{
    (void)state;
    uint8_t payload[8] = { 0 };
    bytes stream = { 0 };
    add_msg_header(&stream, VD_AGENT_PROTOCOL, VD_AGENT_CLIPBOARD_GRAB, 0, sizeof payload);
    bytes_add(&stream, payload, sizeof payload);
    bytes in = { 0 };
    add_chunk(&in, VDP_CLIENT_PORT, stream.data, 10);
    add_chunk(&in, VDP_CLIENT_PORT, stream.data + 10, (uint32_t)stream.len - 10);
    check_framing_then_next(&in, VDA_ERR_TRUNCATED_HEADER, LIMIT);
    bytes_free(&in);
    bytes_free(&stream);
}

static void test_too_short_for_type(void **state)
{
    (void)state;
    bytes in = { 0 };
    /* A mouse state needs sizeof(VDAgentMouseState) bytes; 4 is too few. */
    add_raw_message(&in, VD_AGENT_PROTOCOL, VD_AGENT_MOUSE_STATE, 4, 4);
    check_dropped_then_next(&in, VDA_ERR_MSG_TOO_SHORT, LIMIT);
    bytes_free(&in);
}

/* A chunk longer than what remains of its message. */
static void test_chunk_overrun(void **state)
{
    (void)state;
    bytes in = { 0 };
    bytes stream = { 0 };
    add_msg_header(&stream, VD_AGENT_PROTOCOL, VD_AGENT_CLIPBOARD, 0, 10);
    uint8_t d[30];
    fill_pattern(d, sizeof d, 8);
    bytes_add(&stream, d, sizeof d); /* 20 bytes more than the message holds */
    add_chunk(&in, VDP_CLIENT_PORT, stream.data, (uint32_t)stream.len);
    check_dropped_then_next(&in, VDA_ERR_CHUNK_OVERRUN, LIMIT);
    bytes_free(&in);
    bytes_free(&stream);
}

/* The overrun of a message that was already being skipped (too big). */
static void test_overrun_of_skipped_message(void **state)
{
    (void)state;
    bytes in = { 0 };
    bytes stream = { 0 };
    add_msg_header(&stream, VD_AGENT_PROTOCOL, VD_AGENT_CLIPBOARD, 0, 3000);
    uint8_t *d = alloc_pattern(3100, 9);
    bytes_add(&stream, d, 3100);
    add_chunk(&in, VDP_CLIENT_PORT, stream.data, 2048);
    add_chunk(&in, VDP_CLIENT_PORT, stream.data + 2048, (uint32_t)stream.len - 2048);
    uint8_t good[30];
    fill_pattern(good, sizeof good, 6);
    add_message(&in, VDP_CLIENT_PORT, VD_AGENT_CLIPBOARD_REQUEST, 0, good, sizeof good);
    pipeline p;
    pipeline_init(&p, 1000);
    pipeline_feed(&p, in.data, in.len, 100);
    assert_int_equal(p.errors[VDA_ERR_MSG_TOO_BIG], 1);
    assert_int_equal(p.errors[VDA_ERR_CHUNK_OVERRUN], 1);
    assert_int_equal(p.n_got, 1);
    assert_message(&p.got[0], VDP_CLIENT_PORT, VD_AGENT_CLIPBOARD_REQUEST, good, sizeof good);
    pipeline_free(&p);
    free(d);
    bytes_free(&in);
    bytes_free(&stream);
}

static void test_empty_message(void **state)
{
    (void)state;
    bytes in = { 0 };
    add_message(&in, VDP_SERVER_PORT, VD_AGENT_CLIENT_DISCONNECTED, 0, NULL, 0);
    pipeline p;
    pipeline_init(&p, LIMIT);
    pipeline_feed(&p, in.data, in.len, 1);
    assert_int_equal(p.n_got, 1);
    assert_message(&p.got[0], VDP_SERVER_PORT, VD_AGENT_CLIENT_DISCONNECTED, NULL, 0);
    pipeline_free(&p);
    bytes_free(&in);
}

/* Seed scenario 1 at this layer: the client vanishes halfway through a multi-chunk
 * message; the owner resets the client port (VD_AGENT_CLIENT_DISCONNECTED); the
 * next client's message comes out intact, not glued to the old bytes. */
static void test_reset_mid_message(void **state)
{
    (void)state;
    uint32_t n_old = 4 * VD_AGENT_MAX_DATA_SIZE, n_new = 3 * VD_AGENT_MAX_DATA_SIZE + 5;
    uint8_t *d_old = alloc_pattern(n_old, 10), *d_new = alloc_pattern(n_new, 11);
    bytes old = { 0 }, fresh = { 0 };
    add_message(&old, VDP_CLIENT_PORT, VD_AGENT_CLIPBOARD, 0, d_old, n_old);
    add_message(&fresh, VDP_CLIENT_PORT, VD_AGENT_CLIPBOARD, 0, d_new, n_new);
    /* Cut the old message after each of its chunks, and inside a chunk. */
    size_t cuts[] = { 1, 8, 28, VDA_CHUNK_MAX_WIRE, VDA_CHUNK_MAX_WIRE + 100,
                      2 * VDA_CHUNK_MAX_WIRE, old.len - 1 };
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        pipeline p;
        pipeline_init(&p, LIMIT);
        /* Whole chunks only reach the agent (the service forwards whole chunks),
         * but the reader may sit mid-chunk: reset both, as the agent does. */
        pipeline_feed(&p, old.data, cuts[i], 13);
        vda_chunk_reader_reset(&p.reader);
        vda_reasm_reset_port(&p.reasm, VDP_CLIENT_PORT);
        pipeline_feed(&p, fresh.data, fresh.len, 13);
        assert_int_equal(p.n_got, 1);
        assert_message(&p.got[0], VDP_CLIENT_PORT, VD_AGENT_CLIPBOARD, d_new, n_new);
        assert_int_equal(p.log.lines, 0);
        pipeline_free(&p);
    }
    free(d_old);
    free(d_new);
    bytes_free(&old);
    bytes_free(&fresh);
}

/* Resetting one port leaves the other's partial message alone. */
static void test_reset_is_per_port(void **state)
{
    (void)state;
    uint32_t n = 2 * VD_AGENT_MAX_DATA_SIZE;
    uint8_t *d = alloc_pattern(n, 12);
    bytes srv = { 0 };
    add_message(&srv, VDP_SERVER_PORT, VD_AGENT_MONITORS_CONFIG, 0, d, n);
    pipeline p;
    pipeline_init(&p, LIMIT);
    size_t first_chunk = VDA_CHUNK_MAX_WIRE;
    pipeline_feed(&p, srv.data, first_chunk, first_chunk);
    vda_reasm_reset_port(&p.reasm, VDP_CLIENT_PORT);
    assert_false(vda_reasm_idle(&p.reasm, VDP_SERVER_PORT));
    pipeline_feed(&p, srv.data + first_chunk, srv.len - first_chunk, 100);
    assert_int_equal(p.n_got, 1);
    assert_message(&p.got[0], VDP_SERVER_PORT, VD_AGENT_MONITORS_CONFIG, d, n);
    pipeline_free(&p);
    free(d);
    bytes_free(&srv);
}

/* Seed scenario 4 at this layer: the agent starts while the client is halfway
 * through a multi-chunk message, so its stream begins with continuation chunks.
 * They start no message: dropped (one line), and the message after them comes
 * out whole. (Scenario 2, the other direction, is the service's msg_tracker:
 * test_msg_tracker / test_service_fwd.) */
static void test_joined_mid_message(void **state)
{
    (void)state;
    uint32_t n1 = 5 * VD_AGENT_MAX_DATA_SIZE, n2 = 777;
    uint8_t *d1 = alloc_pattern(n1, 13), *d2 = alloc_pattern(n2, 14);
    bytes in = { 0 };
    add_message(&in, VDP_CLIENT_PORT, VD_AGENT_CLIPBOARD, 0, d1, n1);
    size_t second = in.len;
    add_message(&in, VDP_CLIENT_PORT, VD_AGENT_CLIPBOARD, 0, d2, n2);
    /* Join at each chunk boundary after the first (the service forwards whole chunks). */
    for (size_t cut = VDA_CHUNK_MAX_WIRE; cut < second; cut += VDA_CHUNK_MAX_WIRE) {
        pipeline p;
        pipeline_init(&p, LIMIT);
        pipeline_feed(&p, in.data + cut, in.len - cut, 64);
        assert_int_equal(p.n_got, 1);
        assert_message(&p.got[0], VDP_CLIENT_PORT, VD_AGENT_CLIPBOARD, d2, n2);
        assert_int_equal(p.log.lines, 2); /* the framing error, back in step */
        pipeline_free(&p);
    }
    free(d1);
    free(d2);
    bytes_free(&in);
}

/* The owner reset the port in the middle of a chunk (the reader not reset): the
 * rest of that chunk starts no message and is dropped with a line. */
static void test_orphan_piece_after_reset(void **state)
{
    (void)state;
    uint32_t n = 2000;
    uint8_t *d = alloc_pattern(n, 15);
    bytes in = { 0 };
    add_message(&in, VDP_CLIENT_PORT, VD_AGENT_CLIPBOARD, 0, d, n);
    size_t first = in.len;
    uint8_t good[30];
    fill_pattern(good, sizeof good, 6);
    add_message(&in, VDP_CLIENT_PORT, VD_AGENT_CLIPBOARD_REQUEST, 0, good, sizeof good);
    pipeline p;
    pipeline_init(&p, LIMIT);
    pipeline_feed(&p, in.data, 500, 500);
    vda_reasm_reset_port(&p.reasm, VDP_CLIENT_PORT);
    pipeline_feed(&p, in.data + 500, in.len - 500, 100);
    assert_true(first > 500);
    assert_true(p.errors[VDA_ERR_ORPHAN_PIECE] >= 1);
    assert_int_equal(p.n_got, 1);
    assert_message(&p.got[0], VDP_CLIENT_PORT, VD_AGENT_CLIPBOARD_REQUEST, good, sizeof good);
    pipeline_free(&p);
    free(d);
    bytes_free(&in);
}

static void test_unknown_port_piece(void **state)
{
    (void)state;
    vda_reasm a;
    test_log log;
    test_log_init(&log);
    vda_reasm_init(&a, LIMIT, &log.logger);
    uint8_t x[4] = { 0 };
    vda_chunk_piece pc = { .port = 7, .chunk_size = 4, .data = x, .len = 4, .first = 1, .last = 1 };
    vda_message m;
    assert_int_equal(vda_reasm_feed(&a, &pc, &m), VDA_ERR_UNKNOWN_PORT);
    assert_int_equal(log.lines, 1);
    vda_reasm_free(&a);
}

/* The buffer is exactly the message's size, handed over to the caller. */
static void test_large_message_ownership(void **state)
{
    (void)state;
    uint32_t n = 8u * 1024 * 1024 + 3;
    uint8_t *d = alloc_pattern(n, 15);
    bytes in = { 0 };
    add_message(&in, VDP_CLIENT_PORT, VD_AGENT_CLIPBOARD, 0, d, n);
    pipeline p;
    pipeline_init(&p, LIMIT);
    pipeline_feed(&p, in.data, in.len, 65536);
    assert_int_equal(p.n_got, 1);
    assert_message(&p.got[0], VDP_CLIENT_PORT, VD_AGENT_CLIPBOARD, d, n);
    assert_true(vda_reasm_idle(&p.reasm, VDP_CLIENT_PORT));
    pipeline_free(&p); /* frees the handed-over buffer: ASan would see a double free */
    free(d);
    bytes_free(&in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_chunk_message),
        cmocka_unit_test(test_every_split),
        cmocka_unit_test(test_every_chunk_size),
        cmocka_unit_test(test_interleaved_ports),
        cmocka_unit_test(test_wrong_protocol),
        cmocka_unit_test(test_above_limit_is_skipped),
        cmocka_unit_test(test_size_overflow),
        cmocka_unit_test(test_too_short_for_type),
        cmocka_unit_test(test_chunk_overrun),
        cmocka_unit_test(test_overrun_of_skipped_message),
        cmocka_unit_test(test_empty_message),
        cmocka_unit_test(test_reset_mid_message),
        cmocka_unit_test(test_reset_is_per_port),
        cmocka_unit_test(test_joined_mid_message),
        cmocka_unit_test(test_orphan_piece_after_reset),
        cmocka_unit_test(test_largest_size_is_skipped),
        cmocka_unit_test(test_truncated_header_then_valid),
        cmocka_unit_test(test_header_split_across_chunks),
        cmocka_unit_test(test_unknown_port_piece),
        cmocka_unit_test(test_large_message_ownership),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
