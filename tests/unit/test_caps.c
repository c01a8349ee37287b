/* Capability bitsets: any number of words, unknown bits kept, short payloads. */
#include "test_support.h"

#include <spice/vd_agent.h>

#include "wire/caps.h"

static void test_set_has(void **state)
{
    (void)state;
    vda_caps c;
    vda_caps_clear(&c);
    assert_false(vda_caps_has(&c, VD_AGENT_CAP_CLIPBOARD_BY_DEMAND));
    vda_caps_set(&c, VD_AGENT_CAP_CLIPBOARD_BY_DEMAND);
    vda_caps_set(&c, VD_AGENT_CAP_CLIPBOARD_GRAB_SERIAL);
    vda_caps_set(&c, 40);
    assert_true(vda_caps_has(&c, VD_AGENT_CAP_CLIPBOARD_BY_DEMAND));
    assert_true(vda_caps_has(&c, VD_AGENT_CAP_CLIPBOARD_GRAB_SERIAL));
    assert_true(vda_caps_has(&c, 40));
    assert_false(vda_caps_has(&c, 41));
    assert_false(vda_caps_has(&c, VD_AGENT_CAP_MOUSE_STATE));
    assert_int_equal(c.count, 2);
    vda_caps_set(&c, 32 * VDA_CAPS_MAX_WORDS); /* out of range: ignored */
    assert_false(vda_caps_has(&c, 32 * VDA_CAPS_MAX_WORDS));
    assert_false(vda_caps_has(&c, UINT32_MAX));
}

static void test_write_parse(void **state)
{
    (void)state;
    vda_caps c, back;
    vda_caps_clear(&c);
    vda_caps_set(&c, VD_AGENT_CAP_MOUSE_STATE);
    vda_caps_set(&c, 33);
    uint8_t buf[4 + 4 * VDA_CAPS_MAX_WORDS];
    size_t n = vda_caps_write(&c, 1, buf);
    assert_int_equal(n, 12);
    assert_int_equal(vda_le32_test(buf), 1);
    assert_int_equal(vda_le32_test(buf + 4), 1u << VD_AGENT_CAP_MOUSE_STATE);
    assert_int_equal(vda_le32_test(buf + 8), 2);
    uint32_t request = 7;
    assert_int_equal(vda_caps_parse(buf, n, &request, &back), 0);
    assert_int_equal(request, 1);
    assert_true(vda_caps_has(&back, 33));
    assert_true(vda_caps_has(&back, VD_AGENT_CAP_MOUSE_STATE));
    assert_true(vda_caps_both(&c, &back, 33));
}

static void test_parse_odd_sizes(void **state)
{
    (void)state;
    uint8_t buf[64];
    memset(buf, 0xff, sizeof buf);
    vda_caps c;
    uint32_t request;
    assert_int_equal(vda_caps_parse(buf, 3, &request, &c), -1);
    assert_int_equal(c.count, 0);
    /* request only: no caps at all */
    assert_int_equal(vda_caps_parse(buf, 4, &request, &c), 0);
    assert_false(vda_caps_has(&c, 0));
    /* a trailing partial word is ignored */
    assert_int_equal(vda_caps_parse(buf, 10, &request, &c), 0);
    assert_int_equal(c.count, 1);
    assert_true(vda_caps_has(&c, 31));
    assert_false(vda_caps_has(&c, 32));
    /* more words than we keep: capped, no overflow */
    assert_int_equal(vda_caps_parse(buf, sizeof buf, &request, &c), 0);
    assert_int_equal(c.count, VDA_CAPS_MAX_WORDS);
}

static void test_both(void **state)
{
    (void)state;
    vda_caps a, b;
    vda_caps_clear(&a);
    vda_caps_clear(&b);
    vda_caps_set(&a, VD_AGENT_CAP_CLIPBOARD_GRAB_SERIAL);
    assert_false(vda_caps_both(&a, &b, VD_AGENT_CAP_CLIPBOARD_GRAB_SERIAL));
    vda_caps_set(&b, VD_AGENT_CAP_CLIPBOARD_GRAB_SERIAL);
    assert_true(vda_caps_both(&a, &b, VD_AGENT_CAP_CLIPBOARD_GRAB_SERIAL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_has),
        cmocka_unit_test(test_write_parse),
        cmocka_unit_test(test_parse_odd_sizes),
        cmocka_unit_test(test_both),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
