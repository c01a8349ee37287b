/* Clipboard message parsing and building: layouts with and without the grab serial,
 * and every way a type list or a fixed-size message can be malformed. */
#include "test_support.h"

#include <spice/vd_agent.h>

#include "agent/clipboard_proto.h"

static void test_grab_roundtrip(void **state)
{
    (void)state;
    uint32_t types[] = { VD_AGENT_CLIPBOARD_UTF8_TEXT, VD_AGENT_CLIPBOARD_IMAGE_PNG, 77 };
    for (int serial_on = 0; serial_on < 2; serial_on++) {
        uint8_t buf[64];
        size_t n = vda_cb_write_grab(buf, types, 3, serial_on, 0xdeadbeef);
        assert_int_equal(n, vda_cb_grab_size(3, serial_on));
        assert_int_equal(n, serial_on ? 16 : 12);
        vda_cb_grab g;
        assert_int_equal(vda_cb_parse_grab(buf, n, serial_on, &g), VDA_CB_OK);
        assert_int_equal(g.count, 3);
        assert_int_equal(g.types[0], VD_AGENT_CLIPBOARD_UTF8_TEXT);
        assert_int_equal(g.types[1], VD_AGENT_CLIPBOARD_IMAGE_PNG);
        assert_int_equal(g.types[2], 77);  /* unknown types are kept for the caller */
        assert_int_equal(g.serial, serial_on ? 0xdeadbeef : 0);
    }
}

static void test_grab_serial_is_first(void **state)
{
    (void)state;
    /* serial 5, then UTF8_TEXT: read without the serial it is two types. */
    uint8_t buf[8] = { 5, 0, 0, 0, 1, 0, 0, 0 };
    vda_cb_grab g;
    assert_int_equal(vda_cb_parse_grab(buf, 8, 1, &g), VDA_CB_OK);
    assert_int_equal(g.serial, 5);
    assert_int_equal(g.count, 1);
    assert_int_equal(g.types[0], 1);
    assert_int_equal(vda_cb_parse_grab(buf, 8, 0, &g), VDA_CB_OK);
    assert_int_equal(g.count, 2);
    assert_int_equal(g.types[0], 5);
}

static void test_grab_bogus_lists(void **state)
{
    (void)state;
    uint8_t buf[4 * (VDA_CB_MAX_TYPES + 2)] = { 0 };
    vda_cb_grab g;
    /* empty */
    assert_int_equal(vda_cb_parse_grab(buf, 0, 0, &g), VDA_CB_ERR_NO_TYPES);
    assert_int_equal(vda_cb_parse_grab(buf, 0, 1, &g), VDA_CB_ERR_SHORT);
    uint32_t one = VD_AGENT_CLIPBOARD_UTF8_TEXT;
    vda_cb_write_grab(buf, &one, 1, 1, 9);
    assert_int_equal(vda_cb_parse_grab(buf, 4, 1, &g), VDA_CB_ERR_NO_TYPES);
    /* partial type */
    assert_int_equal(vda_cb_parse_grab(buf, 7, 1, &g), VDA_CB_ERR_SIZE);
    assert_int_equal(vda_cb_parse_grab(buf, 5, 0, &g), VDA_CB_ERR_SIZE);
    /* too many */
    uint32_t many[VDA_CB_MAX_TYPES + 1];
    for (uint32_t i = 0; i < VDA_CB_MAX_TYPES + 1; i++)
        many[i] = 100 + i;
    size_t n = vda_cb_write_grab(buf, many, VDA_CB_MAX_TYPES + 1, 0, 0);
    assert_int_equal(vda_cb_parse_grab(buf, n, 0, &g), VDA_CB_ERR_TOO_MANY);
    n = vda_cb_write_grab(buf, many, VDA_CB_MAX_TYPES, 0, 0);
    assert_int_equal(vda_cb_parse_grab(buf, n, 0, &g), VDA_CB_OK);
    assert_int_equal(g.count, VDA_CB_MAX_TYPES);
    /* duplicate */
    uint32_t dup[] = { 1, 2, 1 };
    n = vda_cb_write_grab(buf, dup, 3, 0, 0);
    assert_int_equal(vda_cb_parse_grab(buf, n, 0, &g), VDA_CB_ERR_DUPLICATE);
    /* NONE is not a type one can offer */
    uint32_t none[] = { 1, VD_AGENT_CLIPBOARD_NONE };
    n = vda_cb_write_grab(buf, none, 2, 0, 0);
    assert_int_equal(vda_cb_parse_grab(buf, n, 0, &g), VDA_CB_ERR_BAD_TYPE);
}

static void test_request(void **state)
{
    (void)state;
    uint8_t buf[8];
    uint32_t t = 0;
    assert_int_equal(vda_cb_write_request(buf, VD_AGENT_CLIPBOARD_IMAGE_BMP), 4);
    assert_int_equal(vda_cb_parse_request(buf, 4, &t), VDA_CB_OK);
    assert_int_equal(t, VD_AGENT_CLIPBOARD_IMAGE_BMP);
    assert_int_equal(vda_cb_parse_request(buf, 3, &t), VDA_CB_ERR_SHORT);
    assert_int_equal(vda_cb_parse_request(buf, 8, &t), VDA_CB_ERR_SIZE);
    vda_cb_write_request(buf, VD_AGENT_CLIPBOARD_NONE);
    assert_int_equal(vda_cb_parse_request(buf, 4, &t), VDA_CB_ERR_BAD_TYPE);
    vda_cb_write_request(buf, 1000);
    assert_int_equal(vda_cb_parse_request(buf, 4, &t), VDA_CB_ERR_BAD_TYPE);
}

static void test_data(void **state)
{
    (void)state;
    uint8_t buf[10];
    vda_cb_write_data_hdr(buf, VD_AGENT_CLIPBOARD_UTF8_TEXT);
    memcpy(buf + 4, "hello!", 6);
    uint32_t t;
    const uint8_t *d;
    size_t len;
    assert_int_equal(vda_cb_parse_data(buf, 10, &t, &d, &len), VDA_CB_OK);
    assert_int_equal(t, VD_AGENT_CLIPBOARD_UTF8_TEXT);
    assert_int_equal(len, 6);
    assert_memory_equal(d, "hello!", 6);
    /* empty data of a real type is allowed (an empty text) */
    assert_int_equal(vda_cb_parse_data(buf, 4, &t, &d, &len), VDA_CB_OK);
    assert_int_equal(len, 0);
    assert_int_equal(vda_cb_parse_data(buf, 3, &t, &d, &len), VDA_CB_ERR_SHORT);
    vda_cb_write_data_hdr(buf, VD_AGENT_CLIPBOARD_NONE);
    assert_int_equal(vda_cb_parse_data(buf, 4, &t, &d, &len), VDA_CB_OK);
    assert_int_equal(t, VD_AGENT_CLIPBOARD_NONE);
    assert_int_equal(vda_cb_parse_data(buf, 5, &t, &d, &len), VDA_CB_ERR_SIZE);
    vda_cb_write_data_hdr(buf, 99);
    assert_int_equal(vda_cb_parse_data(buf, 10, &t, &d, &len), VDA_CB_ERR_BAD_TYPE);
}

static void test_release_and_max(void **state)
{
    (void)state;
    assert_int_equal(vda_cb_parse_release(0), VDA_CB_OK);
    assert_int_equal(vda_cb_parse_release(4), VDA_CB_ERR_SIZE);
    uint8_t buf[5] = { 0xff, 0xff, 0xff, 0xff, 0 };
    int32_t max = 0;
    assert_int_equal(vda_cb_parse_max(buf, 4, &max), VDA_CB_OK);
    assert_int_equal(max, -1);
    uint8_t b2[4] = { 0x00, 0x00, 0x10, 0x00 };
    assert_int_equal(vda_cb_parse_max(b2, 4, &max), VDA_CB_OK);
    assert_int_equal(max, 0x100000);
    assert_int_equal(vda_cb_parse_max(buf, 2, &max), VDA_CB_ERR_SHORT);
    assert_int_equal(vda_cb_parse_max(buf, 5, &max), VDA_CB_ERR_SIZE);
    for (int s = VDA_CB_OK; s <= VDA_CB_ERR_BAD_TYPE; s++)
        assert_string_not_equal(vda_cb_status_str((vda_cb_status)s), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grab_roundtrip),
        cmocka_unit_test(test_grab_serial_is_first),
        cmocka_unit_test(test_grab_bogus_lists),
        cmocka_unit_test(test_request),
        cmocka_unit_test(test_data),
        cmocka_unit_test(test_release_and_max),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
