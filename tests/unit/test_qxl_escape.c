/* QXL escape buffers: sizes and offsets against <spice/qxl_windows.h> and
 * <spice/qxl_dev.h>, and the byte layout the drivers read. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "agent/display_driver.h"
#include "agent/qxl_escape.h"
#include "base/le_bytes.h"

static void test_protocol_layout(void **state)
{
    (void)state;
    /* What the drivers check: the WDDM one refuses any size but 4 + struct. */
    assert_int_equal(QXL_ESCAPE_SET_CUSTOM_DISPLAY, 0x10001);
    assert_int_equal(QXL_ESCAPE_MONITOR_CONFIG, 0x10002);
    assert_int_equal(sizeof(QXLEscapeSetCustomDisplay), 12);
    assert_int_equal(offsetof(QXLEscapeSetCustomDisplay, xres), 0);
    assert_int_equal(offsetof(QXLEscapeSetCustomDisplay, yres), 4);
    assert_int_equal(offsetof(QXLEscapeSetCustomDisplay, bpp), 8);
    assert_int_equal(sizeof(QXLHead), 28);
    assert_int_equal(offsetof(QXLHead, width), 8);
    assert_int_equal(offsetof(QXLHead, x), 16);
    assert_int_equal(offsetof(QXLHead, flags), 24);
}

static void test_custom_display(void **state)
{
    (void)state;
    vda_qxl_escape e;
    vda_qxl_escape_custom_display(&e, 1366, 705, 32);
    assert_int_equal(e.code, QXL_ESCAPE_SET_CUSTOM_DISPLAY);
    assert_int_equal(e.size, 16);
    const uint8_t want[16] = {0x01, 0x00, 0x01, 0x00, 0x56, 0x05, 0, 0,
                              0xc1, 0x02, 0, 0, 32, 0, 0, 0};
    assert_memory_equal(e.bytes, want, 16);
    size_t n;
    const uint8_t *s = vda_qxl_escape_struct(&e, &n);
    assert_int_equal(n, sizeof(QXLEscapeSetCustomDisplay));
    assert_ptr_equal(s, e.bytes + 4);
    assert_int_equal(vda_le32(s + offsetof(QXLEscapeSetCustomDisplay, yres)), 705);
}

static void test_monitor_config(void **state)
{
    (void)state;
    vda_qxl_escape e;
    vda_qxl_escape_monitor_config(&e, 1024, 768, -1024, 5);
    assert_int_equal(e.size, 4 + sizeof(QXLHead));
    assert_int_equal(vda_le32(e.bytes), QXL_ESCAPE_MONITOR_CONFIG);
    const uint8_t *h = e.bytes + 4;
    assert_int_equal(vda_le32(h + offsetof(QXLHead, id)), 0);
    assert_int_equal(vda_le32(h + offsetof(QXLHead, surface_id)), 0);
    assert_int_equal(vda_le32(h + offsetof(QXLHead, width)), 1024);
    assert_int_equal(vda_le32(h + offsetof(QXLHead, height)), 768);
    assert_int_equal((int32_t)vda_le32(h + offsetof(QXLHead, x)), -1024);
    assert_int_equal(vda_le32(h + offsetof(QXLHead, y)), 5);
    assert_int_equal(vda_le32(h + offsetof(QXLHead, flags)), 0);
    size_t n;
    vda_qxl_escape_struct(&e, &n);
    assert_int_equal(n, 28);  /* the XPDM driver refuses any other cjIn */
}

/* Driver detection from EnumDisplayDevices' DeviceID / DeviceString. */
static void test_classify(void **state)
{
    (void)state;
    static const struct { const char *id, *desc; vda_display_driver want; } t[] = {
        {"PCI\\VEN_1B36&DEV_0100&SUBSYS_11001AF4&REV_05", "Red Hat QXL controller", VDA_DRIVER_QXL},
        {"pci\\ven_1b36&dev_0100&subsys_11001af4", "", VDA_DRIVER_QXL},
        {"PCI\\VEN_1B36&DEV_0100&SUBSYS_11001AF4&REV_04", "Red Hat QXL GPU", VDA_DRIVER_QXL},
        {"PCI\\VEN_1AF4&DEV_1050&SUBSYS_11001AF4&REV_01", "Red Hat VirtIO GPU DOD controller",
         VDA_DRIVER_VIRTIO_GPU},
        {"PCI\\VEN_1234&DEV_1111&SUBSYS_11001AF4", "Microsoft Basic Display Adapter",
         VDA_DRIVER_OTHER},
        /* Another PCI id wins over a description that says QXL. */
        {"PCI\\VEN_1234&DEV_1111", "QXL lookalike", VDA_DRIVER_OTHER},
        /* No id (some drivers leave it empty): the description decides. */
        {"", "Red Hat QXL controller", VDA_DRIVER_QXL},
        {NULL, "Red Hat VirtIO GPU DOD controller", VDA_DRIVER_VIRTIO_GPU},
        {NULL, NULL, VDA_DRIVER_OTHER},
        {"", "Wine Adapter", VDA_DRIVER_OTHER},
        /* A different Red Hat device (1b36:0101 is a PCI serial card). */
        {"PCI\\VEN_1B36&DEV_0101", "", VDA_DRIVER_OTHER},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        assert_int_equal(vda_display_driver_classify(t[i].id, t[i].desc), t[i].want);
    }
}

static void test_path_choice(void **state)
{
    (void)state;
    const char *why = NULL;
    assert_int_equal(vda_display_path_choose(VDA_DRIVER_QXL, 1, &why), VDA_DISPLAY_PATH_QXL_WDDM);
    assert_non_null(why);
    assert_int_equal(vda_display_path_choose(VDA_DRIVER_QXL, 0, &why), VDA_DISPLAY_PATH_QXL_XPDM);
    /* virtio-gpu never gets a QXL escape, WDDM or not. */
    assert_int_equal(vda_display_path_choose(VDA_DRIVER_VIRTIO_GPU, 1, &why),
                     VDA_DISPLAY_PATH_GENERIC);
    assert_non_null(strstr(why, "virtio-gpu"));
    assert_int_equal(vda_display_path_choose(VDA_DRIVER_OTHER, 1, &why), VDA_DISPLAY_PATH_GENERIC);
    assert_string_equal(vda_display_path_name(VDA_DISPLAY_PATH_QXL_WDDM), "qxl-wddm");
    assert_string_equal(vda_display_path_name(VDA_DISPLAY_PATH_QXL_XPDM), "qxl-xpdm");
    assert_string_equal(vda_display_path_name(VDA_DISPLAY_PATH_GENERIC), "generic");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_protocol_layout),
        cmocka_unit_test(test_custom_display),
        cmocka_unit_test(test_monitor_config),
        cmocka_unit_test(test_classify),
        cmocka_unit_test(test_path_choice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
