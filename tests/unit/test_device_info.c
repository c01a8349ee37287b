/* VD_AGENT_GRAPHICS_DEVICE_INFO: validation, PCI addresses, and the mapping of
 * client display ids to Windows displays. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "agent/device_info.h"
#include "base/le_bytes.h"

/* Table rows name only the fields they need; the fault knobs default to 0. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

typedef struct ent { uint32_t ch, mon, ddi; const char *addr; int len_adjust; int no_nul; } ent;

/* Builds a message; len_adjust changes the declared address length,
 * no_nul drops the terminator (the length covers only the text). */
static size_t build(uint8_t *b, uint32_t count, const ent *e, size_t n)
{
    vda_put_le32(b, count);
    size_t o = 4;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(e[i].addr) + (e[i].no_nul ? 0 : 1);
        vda_put_le32(b + o, e[i].ch);
        vda_put_le32(b + o + 4, e[i].mon);
        vda_put_le32(b + o + 8, e[i].ddi);
        vda_put_le32(b + o + 12, (uint32_t)((int)len + e[i].len_adjust));
        memcpy(b + o + 16, e[i].addr, len);
        o += 16 + len;
    }
    return o;
}

static void test_parse_ok(void **state)
{
    (void)state;
    uint8_t b[512];
    const ent e[] = {{0, 0, 0, "pci/0000/02.0"}, {1, 0, 0, "pci/0000/03.0"}};
    size_t n = build(b, 2, e, 2);
    vda_devinfo info;
    assert_int_equal(vda_devinfo_parse(b, n, &info, NULL), VDA_DEVINFO_OK);
    assert_int_equal(info.count, 2);
    assert_string_equal(info.e[1].address, "pci/0000/03.0");
    assert_int_equal(info.e[1].display_id, 1);
    /* Trailing bytes are ignored; an empty message is valid. */
    assert_int_equal(vda_devinfo_parse(b, n + 0, &info, NULL), VDA_DEVINFO_OK);
    assert_int_equal(vda_devinfo_parse(b, 4, &info, NULL), VDA_DEVINFO_TRUNCATED);
    vda_put_le32(b, 0);
    assert_int_equal(vda_devinfo_parse(b, 4, &info, NULL), VDA_DEVINFO_OK);
    assert_int_equal(info.count, 0);
}

static void test_parse_bad(void **state)
{
    (void)state;
    uint8_t b[2048];
    memset(b, 0, sizeof b);
    vda_devinfo info;
    uint32_t bad = 99;
    assert_int_equal(vda_devinfo_parse(b, 3, &info, &bad), VDA_DEVINFO_TOO_SHORT);
    vda_put_le32(b, VDA_DEVINFO_MAX + 1);
    assert_int_equal(vda_devinfo_parse(b, 4, &info, &bad), VDA_DEVINFO_TOO_MANY);
    vda_put_le32(b, 0xffffffffu);
    assert_int_equal(vda_devinfo_parse(b, 4, &info, &bad), VDA_DEVINFO_TOO_MANY);

    static const struct { ent e[2]; size_t n; uint32_t count; size_t cut; vda_devinfo_status want;
                          uint32_t bad; } t[] = {
        /* count says 2, one entry present */
        {{{0, 0, 0, "pci/0000/02.0"}}, 1, 2, 0, VDA_DEVINFO_TRUNCATED, 1},
        /* address length past the end */
        {{{0, 0, 0, "pci/0000/02.0", 5}}, 1, 1, 0, VDA_DEVINFO_TRUNCATED, 0},
        /* header cut short */
        {{{0, 0, 0, "pci/0000/02.0"}}, 1, 1, 20, VDA_DEVINFO_TRUNCATED, 0},
        /* no terminator */
        {{{0, 0, 0, "pci/0000/02.0", 0, 1}}, 1, 1, 0, VDA_DEVINFO_BAD_ADDRESS, 0},
        /* shorter length: the terminator falls outside */
        {{{0, 0, 0, "pci/0000/02.0", -1}}, 1, 1, 0, VDA_DEVINFO_BAD_ADDRESS, 0},
        /* empty address (just the NUL) */
        {{{0, 0, 0, ""}}, 1, 1, 0, VDA_DEVINFO_BAD_ADDRESS, 0},
        /* ids out of range, and one overflowing when added */
        {{{0, 0, 0, "pci/0000/02.0"}, {VDA_MONITORS_MAX, 0, 0, "pci/0000/03.0"}}, 2, 2, 0,
         VDA_DEVINFO_BAD_ID, 1},
        {{{0xffffffffu, 1, 0, "pci/0000/02.0"}}, 1, 1, 0, VDA_DEVINFO_BAD_ID, 0},
        /* (1,0) and (0,1) are both display 1 */
        {{{1, 0, 0, "pci/0000/02.0"}, {0, 1, 0, "pci/0000/03.0"}}, 2, 2, 0,
         VDA_DEVINFO_DUPLICATE, 1},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        size_t n = build(b, t[i].count, t[i].e, t[i].n);
        if (t[i].cut) {
            n = t[i].cut;
        }
        bad = 99;
        info.count = 7;
        assert_int_equal(vda_devinfo_parse(b, n, &info, &bad), t[i].want);
        assert_int_equal(bad, t[i].bad);
        assert_int_equal(info.count, 0);
    }
    /* An inner NUL: the length covers "pci\0..." */
    const ent inner[] = {{0, 0, 0, "pci/0000/02.0"}};
    size_t n = build(b, 1, inner, 1);
    b[4 + 16 + 3] = 0;
    assert_int_equal(vda_devinfo_parse(b, n, &info, NULL), VDA_DEVINFO_BAD_ADDRESS);
    /* Too long an address */
    char longaddr[VDA_DEVADDR_MAX + 8];
    memset(longaddr, 'a', sizeof longaddr - 1);
    longaddr[sizeof longaddr - 1] = 0;
    const ent lng[] = {{0, 0, 0, longaddr}};
    n = build(b, 1, lng, 1);
    assert_int_equal(vda_devinfo_parse(b, n, &info, NULL), VDA_DEVINFO_BAD_ADDRESS);
}

static void test_pci_path(void **state)
{
    (void)state;
    vda_pci_path p, q;
    assert_int_equal(vda_pci_path_parse("pci/0000/02.0", &p), 0);
    assert_int_equal(p.domain, 0);
    assert_int_equal(p.depth, 1);
    assert_int_equal(p.hop[0].slot, 2);
    assert_int_equal(p.hop[0].func, 0);
    assert_int_equal(vda_pci_path_parse("pci/0001/1e.0/01.7", &q), 0);
    assert_int_equal(q.domain, 1);
    assert_int_equal(q.depth, 2);
    assert_int_equal(q.hop[0].slot, 0x1e);
    assert_int_equal(q.hop[1].func, 7);
    char buf[64];
    vda_pci_path_format(&q, buf, sizeof buf);
    assert_string_equal(buf, "pci/0001/1e.0/01.7");
    assert_false(vda_pci_path_equal(&p, &q));
    assert_int_equal(vda_pci_path_parse("PCI/0000/02.0", &q), -1);
    static const char *const bad[] = {
        "", "pci", "pci/", "pci/0000", "pci/0000/", "pci/0000/02", "pci/0000/02.",
        "pci/0000/20.0" /* slot > 0x1f */, "pci/0000/02.8", "pci/0000/02.0/", "pci/0000/02.0x",
        "pci/00000/02.0", "pci/0000/002.0", "usb/0000/02.0", "pci/0000/1/2.0",
        "pci/0000/01.0/01.0/01.0/01.0/01.0/01.0/01.0/01.0/01.0" /* 9 hops */,
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(vda_pci_path_parse(bad[i], &q), -1);
    }
    assert_int_equal(vda_pci_path_parse("pci/0/2.0", &q), 0);
    assert_true(vda_pci_path_equal(&p, &q));
}

static vda_guest_display gd(const char *addr)
{
    vda_guest_display d;
    memset(&d, 0, sizeof d);
    if (addr) {
        d.has_path = vda_pci_path_parse(addr, &d.path) == 0;
    }
    return d;
}

static void info_of(vda_devinfo *info, const ent *e, size_t n)
{
    uint8_t b[1024];
    size_t len = build(b, (uint32_t)n, e, n);
    assert_int_equal(vda_devinfo_parse(b, len, info, NULL), VDA_DEVINFO_OK);
}

static void test_map(void **state)
{
    (void)state;
    uint32_t map[VDA_MONITORS_MAX];
    /* Two QXL devices, Windows enumerates the second one first. */
    const vda_guest_display two[] = {gd("pci/0000/03.0"), gd("pci/0000/02.0")};
    /* No message: today's order. */
    assert_int_equal(vda_devinfo_map(NULL, two, 2, map), 0);
    assert_int_equal(map[0], 0);
    assert_int_equal(map[1], 1);
    assert_int_equal(map[2], VDA_DISPLAY_UNMAPPED);

    vda_devinfo info;
    const ent e2[] = {{0, 0, 0, "pci/0000/02.0"}, {1, 0, 0, "pci/0000/03.0"}};
    info_of(&info, e2, 2);
    assert_int_equal(vda_devinfo_map(&info, two, 2, map), 2);
    assert_int_equal(map[0], 1);
    assert_int_equal(map[1], 0);
    assert_int_equal(map[2], VDA_DISPLAY_UNMAPPED);

    /* One device with two outputs (one channel, two monitors); plus a device
     * behind a bridge; plus a display with no known location. */
    const vda_guest_display four[] = {gd(NULL), gd("pci/0000/1e.0/01.0"), gd("pci/0000/02.0"),
                                      gd("pci/0000/02.0")};
    const ent e3[] = {{0, 1, 0, "pci/0000/02.0"}, {0, 0, 1, "pci/0000/02.0"},
                      {0, 2, 0, "pci/0000/1e.0/01.0"}};
    info_of(&info, e3, 3);
    assert_int_equal(vda_devinfo_map(&info, four, 4, map), 3);
    assert_int_equal(map[1], 2);   /* output 0 of 02.0 */
    assert_int_equal(map[0], 3);   /* output 1 of 02.0 */
    assert_int_equal(map[2], 1);   /* behind the bridge */
    assert_int_equal(map[3], 0);   /* left over: the unclaimed display */
    assert_int_equal(map[4], VDA_DISPLAY_UNMAPPED);

    /* Addresses that match nothing (or do not parse): today's order for them. */
    const ent e4[] = {{0, 0, 0, "pci/0000/09.0"}, {1, 0, 5, "pci/0000/02.0"},
                      {2, 0, 0, "not-an-address"}};
    info_of(&info, e4, 3);
    assert_int_equal(vda_devinfo_map(&info, two, 2, map), 0);
    assert_int_equal(map[0], 0);
    assert_int_equal(map[1], 1);
    assert_int_equal(map[2], VDA_DISPLAY_UNMAPPED);

    /* A partial message: id 1 named, id 0 takes what is left. */
    const ent e5[] = {{1, 0, 0, "pci/0000/03.0"}};
    info_of(&info, e5, 1);
    assert_int_equal(vda_devinfo_map(&info, two, 2, map), 1);
    assert_int_equal(map[1], 0);
    assert_int_equal(map[0], 1);
}

static void test_interface_instance(void **state)
{
    (void)state;
    char out[200];
    assert_int_equal(vda_devinterface_instance(
                         "\\\\?\\PCI#VEN_1B36&DEV_0100&SUBSYS_11001AF4&REV_05#3&267a616a&0&10#"
                         "{5b45201d-f2f2-4f3b-85bb-30ff1f953599}", out, sizeof out), 0);
    assert_string_equal(out, "PCI\\VEN_1B36&DEV_0100&SUBSYS_11001AF4&REV_05\\3&267a616a&0&10");
    static const char *const bad[] = {
        "", "PCI\\VEN_1B36&DEV_0100\\3&26", "\\\\?\\PCI#VEN_1B36#3&26",
        "\\\\?\\PCI#VEN_1B36#3&26#{guid}#{guid}", "\\\\?\\#{guid}",
        "\\\\?\\PCI#VEN_1B36{guid}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(vda_devinterface_instance(bad[i], out, sizeof out), -1);
    }
    /* Does not fit. */
    assert_int_equal(vda_devinterface_instance("\\\\?\\PCI#VEN_1B36#3&26#{g}", out, 10), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_ok),
        cmocka_unit_test(test_parse_bad),
        cmocka_unit_test(test_pci_path),
        cmocka_unit_test(test_map),
        cmocka_unit_test(test_interface_instance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
