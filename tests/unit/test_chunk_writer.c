/* Message -> chunks: chunk sizes, whole chunks only, round trip through the reader. */
#include "test_support.h"

#include <spice/vd_agent.h>

/* A type without a fixed part, so every size (even 0) is a valid message. */
#define TEST_TYPE 0x1000u

static void round_trip(uint32_t size, size_t cap)
{
    uint8_t *d = alloc_pattern(size, size);
    vda_msg_writer w;
    vda_msg_writer_init(&w, VDP_SERVER_PORT, TEST_TYPE, 42, d, size);
    bytes out = { 0 };
    uint8_t *buf = malloc(cap);
    size_t n;
    int calls = 0;
    while ((n = vda_msg_writer_next(&w, buf, cap)) > 0) {
        /* Only whole chunks: the buffer parses as complete chunks of <= 2048 bytes. */
        size_t off = 0;
        while (off < n) {
            uint32_t sz = vda_le32_test(buf + off + 4);
            assert_int_equal(vda_le32_test(buf + off), VDP_SERVER_PORT);
            assert_true(sz >= 1 && sz <= VD_AGENT_MAX_DATA_SIZE);
            off += 8 + sz;
        }
        assert_int_equal(off, n);
        bytes_add(&out, buf, n);
        calls++;
    }
    assert_true(vda_msg_writer_done(&w));
    assert_int_equal(vda_msg_writer_next_size(&w), 0);
    assert_int_equal(out.len, vda_msg_wire_size(size));
    pipeline p;
    pipeline_init(&p, 1u << 30);
    pipeline_feed(&p, out.data, out.len, out.len);
    assert_int_equal(p.n_got, 1);
    assert_message(&p.got[0], VDP_SERVER_PORT, TEST_TYPE, d, size);
    assert_true(p.got[0].opaque == 42);
    pipeline_free(&p);
    bytes_free(&out);
    free(buf);
    free(d);
}

static void test_sizes(void **state)
{
    (void)state;
    uint32_t sizes[] = { 0, 1, 2027, 2028, 2029, 4076, 4077, 100000 };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        round_trip(sizes[i], VDA_CHUNK_MAX_WIRE);
        round_trip(sizes[i], 3 * VDA_CHUNK_MAX_WIRE + 5);
        round_trip(sizes[i], 1 << 20);
    }
}

static void test_first_chunk_holds_header(void **state)
{
    (void)state;
    uint8_t d[3000] = { 0 };
    vda_msg_writer w;
    vda_msg_writer_init(&w, VDP_CLIENT_PORT, VD_AGENT_CLIPBOARD, 0, d, sizeof d);
    uint8_t buf[VDA_CHUNK_MAX_WIRE];
    assert_int_equal(vda_msg_writer_next(&w, buf, sizeof buf), VDA_CHUNK_MAX_WIRE);
    assert_int_equal(vda_le32_test(buf + 8), VD_AGENT_PROTOCOL);
    assert_int_equal(vda_le32_test(buf + 12), VD_AGENT_CLIPBOARD);
    assert_int_equal(vda_le32_test(buf + 24), sizeof d);
    /* 20 header + 3000 = 3020 bytes: a 2048 chunk then a 972 one. */
    assert_int_equal(vda_msg_writer_next_size(&w), 8 + 972);
}

static void test_no_room_writes_nothing(void **state)
{
    (void)state;
    uint8_t d[100] = { 0 };
    vda_msg_writer w;
    vda_msg_writer_init(&w, VDP_CLIENT_PORT, VD_AGENT_CLIPBOARD, 0, d, sizeof d);
    uint8_t buf[200];
    assert_int_equal(vda_msg_writer_next(&w, buf, 127), 0); /* needs 8 + 120 */
    assert_false(vda_msg_writer_done(&w));
    assert_int_equal(vda_msg_writer_next(&w, buf, 128), 128);
    assert_true(vda_msg_writer_done(&w));
    assert_int_equal(vda_msg_writer_next(&w, buf, sizeof buf), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_first_chunk_holds_header),
        cmocka_unit_test(test_no_room_writes_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
