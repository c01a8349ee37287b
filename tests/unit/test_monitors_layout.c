/* VD_AGENT_MONITORS_CONFIG: validation before reading, sparse configs, layout. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include <spice/vd_agent.h>

#include "base/le_bytes.h"
#include "agent/monitors_layout.h"

typedef struct mon_in {
    uint32_t w, h, depth;
    int32_t x, y;
} mon_in;

/* Builds a payload with `count` in the header and the given monitors after it. */
static size_t build(uint8_t *buf, uint32_t count, uint32_t flags, const mon_in *m, size_t n)
{
    vda_put_le32(buf, count);
    vda_put_le32(buf + 4, flags);
    for (size_t i = 0; i < n; i++) {
        uint8_t *p = buf + 8 + 20 * i;
        vda_put_le32(p, m[i].h);
        vda_put_le32(p + 4, m[i].w);
        vda_put_le32(p + 8, m[i].depth);
        vda_put_le32(p + 12, (uint32_t)m[i].x);
        vda_put_le32(p + 16, (uint32_t)m[i].y);
    }
    return 8 + 20 * n;
}

static void test_single(void **state)
{
    (void)state;
    uint8_t buf[64];
    mon_in m[] = {{1024, 768, 32, 50, 60}};
    size_t len = build(buf, 1, 0, m, 1);
    vda_monitors_layout l;
    assert_int_equal(vda_monitors_parse(buf, len, 0, 0, &l, NULL), VDA_MONCFG_OK);
    assert_int_equal(l.count, 1);
    assert_int_equal(l.primary, 0);
    assert_true(l.mon[0].enabled);
    assert_int_equal(l.mon[0].width, 1024);
    assert_int_equal(l.mon[0].height, 768);
    assert_int_equal(l.mon[0].depth, 32);
    assert_int_equal(l.mon[0].x, 0);  /* no USE_POS: client position ignored */
    assert_int_equal(l.mon[0].y, 0);
    assert_false(l.used_positions);
}

static void test_left_to_right(void **state)
{
    (void)state;
    uint8_t buf[128];
    mon_in m[] = {{800, 600, 32, 900, 900}, {1024, 768, 32, -5, -5}, {640, 480, 32, 0, 0}};
    /* USE_POS set but the client lacks MONITORS_CONFIG_POSITION: still laid out. */
    size_t len = build(buf, 3, VD_AGENT_CONFIG_MONITORS_FLAG_USE_POS, m, 3);
    vda_monitors_layout l;
    assert_int_equal(vda_monitors_parse(buf, len, 1, 0, &l, NULL), VDA_MONCFG_OK);
    assert_int_equal(l.mon[0].x, 0);
    assert_int_equal(l.mon[1].x, 800);
    assert_int_equal(l.mon[2].x, 1824);
    for (int i = 0; i < 3; i++) assert_int_equal(l.mon[i].y, 0);
}

static void test_use_pos(void **state)
{
    (void)state;
    uint8_t buf[128];
    mon_in m[] = {{800, 600, 32, 100, 200}, {1024, 768, 32, -924, 150}};
    size_t len = build(buf, 2, VD_AGENT_CONFIG_MONITORS_FLAG_USE_POS, m, 2);
    vda_monitors_layout l;
    assert_int_equal(vda_monitors_parse(buf, len, 1, 1, &l, NULL), VDA_MONCFG_OK);
    assert_true(l.used_positions);
    /* Shifted so the primary is at 0,0; the other keeps its relative place. */
    assert_int_equal(l.mon[0].x, 0);
    assert_int_equal(l.mon[0].y, 0);
    assert_int_equal(l.mon[1].x, -1024);
    assert_int_equal(l.mon[1].y, -50);
    /* Without the flag the same config is laid out left to right. */
    len = build(buf, 2, 0, m, 2);
    assert_int_equal(vda_monitors_parse(buf, len, 1, 1, &l, NULL), VDA_MONCFG_OK);
    assert_false(l.used_positions);
    assert_int_equal(l.mon[1].x, 800);
}

static void test_sparse(void **state)
{
    (void)state;
    uint8_t buf[128];
    mon_in m[] = {{0, 0, 0, 0, 0}, {1024, 768, 32, 0, 0}, {0, 0, 32, 7, 7}, {800, 600, 16, 0, 0}};
    size_t len = build(buf, 4, 0, m, 4);
    vda_monitors_layout l;
    uint32_t bad = 99;
    assert_int_equal(vda_monitors_parse(buf, len, 0, 0, &l, &bad), VDA_MONCFG_SPARSE_NOT_OK);
    assert_int_equal(bad, 0);
    assert_int_equal(l.count, 0);
    assert_int_equal(vda_monitors_parse(buf, len, 1, 0, &l, NULL), VDA_MONCFG_OK);
    assert_int_equal(l.count, 4);
    assert_int_equal(l.primary, 1);
    assert_false(l.mon[0].enabled);
    assert_true(l.mon[1].enabled);
    assert_false(l.mon[2].enabled);
    assert_true(l.mon[3].enabled);
    assert_int_equal(l.mon[1].x, 0);
    assert_int_equal(l.mon[3].x, 1024);
    /* Every monitor disabled: refused. */
    mon_in off[] = {{0, 0, 0, 0, 0}, {0, 0, 0, 0, 0}};
    len = build(buf, 2, 0, off, 2);
    assert_int_equal(vda_monitors_parse(buf, len, 1, 0, &l, NULL), VDA_MONCFG_ALL_DISABLED);
}

static void test_malformed(void **state)
{
    (void)state;
    uint8_t buf[8 + 20 * 20];
    memset(buf, 0, sizeof buf);
    vda_monitors_layout l;
    mon_in m[] = {{1024, 768, 32, 0, 0}, {1024, 768, 32, 0, 0}};
    /* Too short for the header (and a NULL-free empty buffer). */
    assert_int_equal(vda_monitors_parse(buf, 0, 1, 1, &l, NULL), VDA_MONCFG_TOO_SHORT);
    assert_int_equal(vda_monitors_parse(buf, 7, 1, 1, &l, NULL), VDA_MONCFG_TOO_SHORT);
    /* Zero monitors. */
    size_t len = build(buf, 0, 0, m, 0);
    assert_int_equal(vda_monitors_parse(buf, len, 1, 1, &l, NULL), VDA_MONCFG_NO_MONITORS);
    /* Count larger than the payload: 2 claimed, 1 present; and one byte short. */
    len = build(buf, 2, 0, m, 1);
    assert_int_equal(vda_monitors_parse(buf, len, 1, 1, &l, NULL), VDA_MONCFG_TRUNCATED);
    len = build(buf, 2, 0, m, 2);
    assert_int_equal(vda_monitors_parse(buf, len - 1, 1, 1, &l, NULL), VDA_MONCFG_TRUNCATED);
    assert_int_equal(vda_monitors_parse(buf, len, 1, 1, &l, NULL), VDA_MONCFG_OK);
    /* Huge counts: refused before any arithmetic can overflow. */
    vda_put_le32(buf, UINT32_MAX);
    assert_int_equal(vda_monitors_parse(buf, len, 1, 1, &l, NULL), VDA_MONCFG_TOO_MANY);
    vda_put_le32(buf, VDA_MONITORS_MAX + 1);
    assert_int_equal(vda_monitors_parse(buf, sizeof buf, 1, 1, &l, NULL), VDA_MONCFG_TOO_MANY);
    /* Absurd sizes. */
    uint32_t bad;
    mon_in big[] = {{1024, 768, 32, 0, 0}, {100000, 768, 32, 0, 0}};
    len = build(buf, 2, 0, big, 2);
    assert_int_equal(vda_monitors_parse(buf, len, 1, 1, &l, &bad), VDA_MONCFG_BAD_SIZE);
    assert_int_equal(bad, 1);
    mon_in half[] = {{1024, 0, 32, 0, 0}};
    len = build(buf, 1, 0, half, 1);
    assert_int_equal(vda_monitors_parse(buf, len, 1, 1, &l, NULL), VDA_MONCFG_BAD_SIZE);
    mon_in neg[] = {{0xffffffffu, 768, 32, 0, 0}};
    len = build(buf, 1, 0, neg, 1);
    assert_int_equal(vda_monitors_parse(buf, len, 1, 1, &l, NULL), VDA_MONCFG_BAD_SIZE);
    /* Positions outside Windows' space, and a left-to-right row too wide. */
    mon_in far[] = {{1024, 768, 32, 0, 0}, {1024, 768, 32, INT32_MIN, 0}};
    len = build(buf, 2, VD_AGENT_CONFIG_MONITORS_FLAG_USE_POS, far, 2);
    assert_int_equal(vda_monitors_parse(buf, len, 1, 1, &l, &bad), VDA_MONCFG_BAD_POSITION);
    assert_int_equal(bad, 1);
    mon_in row[] = {{16384, 100, 32, 0, 0}, {16384, 100, 32, 0, 0}, {16384, 100, 32, 0, 0}};
    len = build(buf, 3, 0, row, 3);
    assert_int_equal(vda_monitors_parse(buf, len, 1, 1, &l, NULL), VDA_MONCFG_BAD_POSITION);
    assert_int_equal(l.count, 0);
    assert_string_equal(vda_moncfg_status_str(VDA_MONCFG_TRUNCATED),
                        "monitor count larger than the payload");
}

static void test_physical_size_trailer(void **state)
{
    (void)state;
    uint8_t buf[64];
    mon_in m[] = {{1920, 1080, 32, 0, 0}};
    size_t len = build(buf, 1, VD_AGENT_CONFIG_MONITORS_FLAG_PHYSICAL_SIZE, m, 1);
    vda_put_le32(buf + len, 0x01f40320);  /* 500 x 800 mm */
    vda_monitors_layout l;
    assert_int_equal(vda_monitors_parse(buf, len + 4, 1, 1, &l, NULL), VDA_MONCFG_OK);
    assert_int_equal(l.mon[0].width, 1920);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single),
        cmocka_unit_test(test_left_to_right),
        cmocka_unit_test(test_use_pos),
        cmocka_unit_test(test_sparse),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_physical_size_trailer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
