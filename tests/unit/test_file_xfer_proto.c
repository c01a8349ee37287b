/* FILE_XFER_START's strict key-file parser, DATA/STATUS parsing and the STATUS
 * encoding (file_xfer_proto.c). */
#include "test_support.h"

#include <spice/vd_agent.h>

#include "agent/file_xfer_proto.h"

static vda_xp_status start(const char *kf, int with_nul, vda_xfer_start *out)
{
    size_t n = strlen(kf);
    uint8_t *p = malloc(4 + n + 1);
    assert_non_null(p);
    p[0] = 7; p[1] = 0; p[2] = 0; p[3] = 1;
    memcpy(p + 4, kf, n + 1);
    vda_xp_status st = vda_xfer_parse_start(p, 4 + n + (with_nul ? 1 : 0), out);
    free(p);
    return st;
}

static void test_start_ok(void **state)
{
    (void)state;
    vda_xfer_start s;
    /* what spice-gtk sends: g_key_file_to_data plus its NUL */
    assert_int_equal(start("[vdagent-file-xfer]\nname=a b.txt\nsize=300\n", 1, &s), VDA_XP_OK);
    assert_int_equal(s.id, 0x01000007u);
    assert_string_equal(s.name, "a b.txt");
    assert_int_equal(s.size, 300);
    /* escapes as GKeyFile writes them, comments, other groups, CRLF, spaces at '=' */
    assert_int_equal(start("# c\n[other]\nname=x\n\n[vdagent-file-xfer]\r\nname = \\sx\\\\y\\tz\r\n"
                           "size = 0\r\nextra=1\n", 0, &s), VDA_XP_OK);
    assert_string_equal(s.name, " x\\y\tz");
    assert_int_equal(s.size, 0);
    assert_int_equal(start("[vdagent-file-xfer]\nsize=9223372036854775807\nname=\xc3\xa9\n", 1, &s),
                     VDA_XP_OK);
    assert_int_equal(s.size, INT64_MAX);
}

static void test_start_refused(void **state)
{
    (void)state;
    vda_xfer_start s;
    static const struct { const char *kf; vda_xp_status st; } bad[] = {
        { "name=a\nsize=1\n", VDA_XP_NO_GROUP },
        { "[vdagent-file-xfer]\nsize=1\n", VDA_XP_NO_NAME },
        { "[vdagent-file-xfer]\nname=a\n", VDA_XP_NO_SIZE },
        { "[vdagent-file-xfer]\nname=a\nname=b\nsize=1\n", VDA_XP_DUP_KEY },
        { "[vdagent-file-xfer]\nname=a\nsize=1\nsize=1\n", VDA_XP_DUP_KEY },
        { "[vdagent-file-xfer]\nname=a\nsize=-1\n", VDA_XP_BAD_SIZE },
        { "[vdagent-file-xfer]\nname=a\nsize=+1\n", VDA_XP_BAD_SIZE },
        { "[vdagent-file-xfer]\nname=a\nsize=1x\n", VDA_XP_BAD_SIZE },
        { "[vdagent-file-xfer]\nname=a\nsize=\n", VDA_XP_BAD_SIZE },
        { "[vdagent-file-xfer]\nname=a\nsize=0x10\n", VDA_XP_BAD_SIZE },
        { "[vdagent-file-xfer]\nname=a\nsize=9223372036854775808\n", VDA_XP_BAD_SIZE },
        { "[vdagent-file-xfer]\nname=a\nsize=99999999999999999999\n", VDA_XP_BAD_SIZE },
        { "[vdagent-file-xfer]\nname=\xc0\xaf\nsize=1\n", VDA_XP_BAD_UTF8 },
        { "[vdagent-file-xfer]\nname=\xed\xa0\x80\nsize=1\n", VDA_XP_BAD_UTF8 },
        { "[vdagent-file-xfer]\nname=\xff\nsize=1\n", VDA_XP_BAD_UTF8 },
        { "[vdagent-file-xfer]\nname=\xe2\x82\nsize=1\n", VDA_XP_BAD_UTF8 },
        { "[vdagent-file-xfer]\nname=a\\x\nsize=1\n", VDA_XP_BAD_ESCAPE },
        { "[vdagent-file-xfer]\nname=a\\\nsize=1\n", VDA_XP_BAD_ESCAPE },
        { "[vdagent-file-xfer]\nname a\nsize=1\n", VDA_XP_BAD_LINE },
        { "[vdagent-file-xfer\nname=a\nsize=1\n", VDA_XP_BAD_LINE },
        { "[vdagent-file-xfer]\n=a\nsize=1\n", VDA_XP_BAD_LINE },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        vda_xp_status st = start(bad[i].kf, 1, &s);
        if (st != bad[i].st)
            fail_msg("case %zu: %s, want %s", i, vda_xp_status_str(st), vda_xp_status_str(bad[i].st));
        assert_int_equal(s.id, 0x01000007u);  /* still known, to answer */
    }
    /* a NUL inside */
    uint8_t p[] = { 1, 0, 0, 0, '[', 'a', 0, ']', 0 };
    assert_int_equal(vda_xfer_parse_start(p, sizeof p, &s), VDA_XP_NUL);
    assert_int_equal(vda_xfer_parse_start(p, 3, &s), VDA_XP_SHORT);
    /* too long: a name above VDA_XFER_NAME_MAX, a payload above VDA_XFER_START_MAX */
    char *kf = malloc(VDA_XFER_START_MAX + 100);
    strcpy(kf, "[vdagent-file-xfer]\nsize=1\nname=");
    size_t o = strlen(kf);
    memset(kf + o, 'n', VDA_XFER_NAME_MAX + 1);
    strcpy(kf + o + VDA_XFER_NAME_MAX + 1, "\n");
    assert_int_equal(start(kf, 1, &s), VDA_XP_NAME_TOO_LONG);
    memset(kf + o, 'n', VDA_XFER_START_MAX);
    strcpy(kf + o + VDA_XFER_START_MAX, "\n");
    assert_int_equal(start(kf, 1, &s), VDA_XP_TOO_LONG);
    free(kf);
}

static void test_data_and_status(void **state)
{
    (void)state;
    uint8_t p[12 + 5] = { 9, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 'h', 'e', 'l', 'l', 'o' };
    uint32_t id = 0, len = 0, result = 0;
    const uint8_t *d = NULL;
    assert_int_equal(vda_xfer_parse_data(p, sizeof p, &id, &d, &len), VDA_XP_OK);
    assert_int_equal(id, 9);
    assert_int_equal(len, 5);
    assert_memory_equal(d, "hello", 5);
    assert_int_equal(vda_xfer_parse_data(p, sizeof p - 1, &id, &d, &len), VDA_XP_SIZE_MISMATCH);
    p[11] = 1;  /* size 2^56 + 5 */
    assert_int_equal(vda_xfer_parse_data(p, sizeof p, &id, &d, &len), VDA_XP_SIZE_MISMATCH);
    assert_int_equal(vda_xfer_parse_data(p, 11, &id, &d, &len), VDA_XP_SHORT);
    uint8_t s[8] = { 3, 0, 0, 0, VD_AGENT_FILE_XFER_STATUS_CANCELLED, 0, 0, 0 };
    assert_int_equal(vda_xfer_parse_status(s, 8, &id, &result), VDA_XP_OK);
    assert_int_equal(id, 3);
    assert_int_equal(result, VD_AGENT_FILE_XFER_STATUS_CANCELLED);
    assert_int_equal(vda_xfer_parse_status(s, 7, &id, &result), VDA_XP_SHORT);
}

static void test_status_encoding(void **state)
{
    (void)state;
    uint8_t o[VDA_XFER_STATUS_MAX];
    assert_int_equal(vda_xfer_status_write(o, 5, VD_AGENT_FILE_XFER_STATUS_ERROR, 0, 0, 10), 8);
    assert_int_equal(vda_xfer_status_write(o, 5, VD_AGENT_FILE_XFER_STATUS_ERROR, 1, 0, 10), 13);
    uint8_t e[13] = { 5, 0, 0, 0, VD_AGENT_FILE_XFER_STATUS_ERROR, 0, 0, 0,
                      VD_AGENT_FILE_XFER_STATUS_ERROR_GLIB_IO, 10, 0, 0, 0 };
    assert_memory_equal(o, e, 13);
    assert_int_equal(vda_xfer_status_write(o, 6, VD_AGENT_FILE_XFER_STATUS_NOT_ENOUGH_SPACE, 1,
                                           0x0102030405ull, 0), 16);
    uint8_t f[16] = { 6, 0, 0, 0, VD_AGENT_FILE_XFER_STATUS_NOT_ENOUGH_SPACE, 0, 0, 0,
                      5, 4, 3, 2, 1, 0, 0, 0 };
    assert_memory_equal(o, f, 16);
    assert_int_equal(vda_xfer_status_write(o, 6, VD_AGENT_FILE_XFER_STATUS_NOT_ENOUGH_SPACE, 0,
                                           5, 0), 8);
    assert_int_equal(vda_xfer_status_write(o, 6, VD_AGENT_FILE_XFER_STATUS_SESSION_LOCKED, 1,
                                           5, 0), 8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_start_ok),
        cmocka_unit_test(test_start_refused),
        cmocka_unit_test(test_data_and_status),
        cmocka_unit_test(test_status_encoding),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
