/* Chunk framing: every read size, every header error, zero-copy pieces. */
#include "test_support.h"

#include "wire/chunk_reader.h"

/* Runs a stream through a reader in reads of `step` bytes; concatenates the
 * payload of each port into out[port]; counts errors. */
typedef struct collected {
    bytes port[3];
    bytes other;   /* extra port */
    int errors[VDA_STATUS_COUNT];
    int pieces;
    int chunks;
} collected;

static void collect(vda_chunk_reader *r, const bytes *in, size_t step, collected *c)
{
    for (size_t off = 0; off < in->len;) {
        size_t n = in->len - off < step ? in->len - off : step;
        const uint8_t *buf = in->data + off;
        size_t left = n;
        for (;;) {
            vda_chunk_piece p;
            vda_status st = vda_chunk_reader_next(r, &buf, &left, &p);
            if (st == VDA_NEED_MORE)
                break;
            if (st != VDA_OK) {
                c->errors[st]++;
                if (st == VDA_ERR_FRAMING_LOST)
                    return;
                continue;
            }
            /* Zero copy: the piece points into this read's bytes. */
            assert_true(p.data >= in->data + off && p.data + p.len <= in->data + off + n);
            assert_true(p.len > 0);
            assert_int_equal(p.first, p.offset == 0);
            assert_int_equal(p.last, p.offset + p.len == p.chunk_size);
            c->pieces++;
            c->chunks += p.last;
            bytes_add(p.port <= 2 ? &c->port[p.port] : &c->other, p.data, p.len);
        }
        off += n;
    }
}

static void collected_free(collected *c)
{
    for (int i = 0; i < 3; i++)
        bytes_free(&c->port[i]);
    bytes_free(&c->other);
}

static void test_every_read_size(void **state)
{
    (void)state;
    uint8_t a[2048], b[100], d[1];
    fill_pattern(a, sizeof a, 1);
    fill_pattern(b, sizeof b, 2);
    fill_pattern(d, sizeof d, 3);
    bytes in = { 0 };
    add_chunk(&in, 1, a, sizeof a);
    add_chunk(&in, 2, b, sizeof b);
    add_chunk(&in, 1, d, sizeof d);
    size_t steps[] = { 1, 2, 3, 7, 8, 9, 100, 2055, 2056, 2057, 4096, 1 << 20 };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        test_log log;
        test_log_init(&log);
        vda_chunk_reader r;
        vda_chunk_reader_init(&r, &log.logger, "test", 0);
        collected c = { 0 };
        collect(&r, &in, steps[i], &c);
        assert_int_equal(c.chunks, 3);
        assert_int_equal(c.port[1].len, sizeof a + sizeof d);
        assert_memory_equal(c.port[1].data, a, sizeof a);
        assert_memory_equal(c.port[1].data + sizeof a, d, sizeof d);
        assert_int_equal(c.port[2].len, sizeof b);
        assert_memory_equal(c.port[2].data, b, sizeof b);
        assert_int_equal(log.lines, 0);
        assert_true(vda_chunk_reader_idle(&r));
        if (steps[i] >= in.len)
            assert_int_equal(c.pieces, 3); /* whole chunks in one read: one piece each */
        collected_free(&c);
    }
    bytes_free(&in);
}

static void test_size_zero_is_dropped(void **state)
{
    (void)state;
    uint8_t x[5] = { 1, 2, 3, 4, 5 };
    bytes in = { 0 };
    add_chunk(&in, 1, NULL, 0);
    add_chunk(&in, 1, x, sizeof x);
    test_log log;
    test_log_init(&log);
    vda_chunk_reader r;
    vda_chunk_reader_init(&r, &log.logger, "test", 0);
    collected c = { 0 };
    collect(&r, &in, 1, &c);
    assert_int_equal(c.errors[VDA_ERR_CHUNK_SIZE_ZERO], 1);
    assert_int_equal(log.lines, 1);
    assert_int_equal(c.port[1].len, 5);
    assert_memory_equal(c.port[1].data, x, 5);
    collected_free(&c);
    bytes_free(&in);
}

static void test_too_big_loses_framing_until_reset(void **state)
{
    (void)state;
    uint8_t x[3] = { 7, 8, 9 };
    bytes in = { 0 };
    put32(&in, 1);
    put32(&in, VD_AGENT_MAX_DATA_SIZE + 1);
    add_chunk(&in, 1, x, sizeof x); /* never reached: the stream is unframed */
    test_log log;
    test_log_init(&log);
    vda_chunk_reader r;
    vda_chunk_reader_init(&r, &log.logger, "test", 0);
    collected c = { 0 };
    collect(&r, &in, in.len, &c);
    assert_int_equal(c.errors[VDA_ERR_CHUNK_TOO_BIG], 1);
    assert_int_equal(c.errors[VDA_ERR_FRAMING_LOST], 1);
    assert_int_equal(c.port[1].len, 0);
    assert_int_equal(log.lines, 1);
    assert_false(vda_chunk_reader_idle(&r));

    /* Sticky: more input changes nothing... */
    const uint8_t *buf = in.data;
    size_t len = in.len;
    vda_chunk_piece p;
    assert_int_equal(vda_chunk_reader_next(&r, &buf, &len, &p), VDA_ERR_FRAMING_LOST);
    assert_int_equal(len, in.len);
    /* ...until a reset, after which a clean stream parses. */
    vda_chunk_reader_reset(&r);
    bytes clean = { 0 };
    add_chunk(&clean, 2, x, sizeof x);
    collected c2 = { 0 };
    collect(&r, &clean, 1, &c2);
    assert_int_equal(c2.port[2].len, 3);
    assert_memory_equal(c2.port[2].data, x, 3);
    collected_free(&c);
    collected_free(&c2);
    bytes_free(&in);
    bytes_free(&clean);
}

static void test_max_size_is_fine(void **state)
{
    (void)state;
    uint8_t x[VD_AGENT_MAX_DATA_SIZE];
    fill_pattern(x, sizeof x, 9);
    bytes in = { 0 };
    add_chunk(&in, 2, x, sizeof x);
    vda_chunk_reader r;
    vda_chunk_reader_init(&r, NULL, "test", 0);
    collected c = { 0 };
    collect(&r, &in, 1000, &c);
    assert_int_equal(c.chunks, 1);
    assert_memory_equal(c.port[2].data, x, sizeof x);
    collected_free(&c);
    bytes_free(&in);
}

static void test_unknown_port_is_skipped(void **state)
{
    (void)state;
    uint8_t junk[300], good[10];
    fill_pattern(junk, sizeof junk, 4);
    fill_pattern(good, sizeof good, 5);
    bytes in = { 0 };
    add_chunk(&in, 0, junk, sizeof junk);
    add_chunk(&in, 3, junk, 17);
    add_chunk(&in, 0x56444301u, junk, 12); /* the pipe's control port: unknown here */
    add_chunk(&in, 1, good, sizeof good);
    for (size_t step = 1; step <= in.len; step += 97) {
        test_log log;
        test_log_init(&log);
        vda_chunk_reader r;
        vda_chunk_reader_init(&r, &log.logger, "test", 0);
        collected c = { 0 };
        collect(&r, &in, step, &c);
        assert_int_equal(c.errors[VDA_ERR_UNKNOWN_PORT], 3);
        assert_int_equal(log.lines, 3);
        assert_int_equal(c.chunks, 1);
        assert_int_equal(c.port[1].len, sizeof good);
        assert_memory_equal(c.port[1].data, good, sizeof good);
        collected_free(&c);
    }
    bytes_free(&in);
}

static void test_extra_port_is_accepted(void **state)
{
    (void)state;
    uint8_t x[12] = { 1 };
    bytes in = { 0 };
    add_chunk(&in, 0x56444301u, x, sizeof x);
    vda_chunk_reader r;
    vda_chunk_reader_init(&r, NULL, "pipe", 0x56444301u);
    collected c = { 0 };
    collect(&r, &in, 5, &c);
    assert_int_equal(c.other.len, sizeof x);
    assert_int_equal(c.errors[VDA_ERR_UNKNOWN_PORT], 0);
    collected_free(&c);
    bytes_free(&in);
}

static void test_empty_input(void **state)
{
    (void)state;
    vda_chunk_reader r;
    vda_chunk_reader_init(&r, NULL, "test", 0);
    const uint8_t *buf = NULL;
    size_t len = 0;
    vda_chunk_piece p;
    assert_int_equal(vda_chunk_reader_next(&r, &buf, &len, &p), VDA_NEED_MORE);
    assert_true(vda_chunk_reader_idle(&r));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_read_size),
        cmocka_unit_test(test_size_zero_is_dropped),
        cmocka_unit_test(test_too_big_loses_framing_until_reset),
        cmocka_unit_test(test_max_size_is_fine),
        cmocka_unit_test(test_unknown_port_is_skipped),
        cmocka_unit_test(test_extra_port_is_accepted),
        cmocka_unit_test(test_empty_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
