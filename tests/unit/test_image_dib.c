/* DIB -> PNG and DIB <-> BMP for every DIB layout, checked pixel by pixel against
 * a reference decoded independently (libpng's simplified API); and every kind of
 * malformed DIB refused with the right status and one log line. */
#include "image_test_support.h"

#include "image/dib_format.h"
#include "base/le_bytes.h"

#define W 13   /* odd: rows need padding at every bpp */
#define H 7

static const dib_layout layouts[] = {
    { "1bpp full palette", 40, 1, 0, { 0 }, 0, 0, 0, 0 },
    { "1bpp clrUsed 2 top-down", 40, 1, 0, { 0 }, 2, 1, 0, 0 },
    { "4bpp full palette", 40, 4, 0, { 0 }, 0, 0, 0, 0 },
    { "4bpp clrUsed 5 top-down", 40, 4, 0, { 0 }, 5, 1, 0, 0 },
    { "8bpp full palette", 40, 8, 0, { 0 }, 0, 0, 0, 0 },
    { "8bpp clrUsed 20 top-down", 40, 8, 0, { 0 }, 20, 1, 0, 0 },
    { "16bpp BI_RGB 555", 40, 16, 0, { 0 }, 0, 0, 0, 0 },
    { "16bpp BI_RGB 555 top-down", 40, 16, 0, { 0 }, 0, 1, 0, 0 },
    { "16bpp bitfields 565", 40, 16, 3, { 0xF800, 0x07E0, 0x001F, 0 }, 0, 0, 0, 0 },
    { "16bpp bitfields 555 top-down", 40, 16, 3, { 0x7C00, 0x03E0, 0x001F, 0 }, 0, 1, 0, 0 },
    { "16bpp V5 ARGB4444", 124, 16, 3, { 0x0F00, 0x00F0, 0x000F, 0xF000 }, 0, 0, 0, 0 },
    { "16bpp V4 ARGB1555 top-down", 108, 16, 3, { 0x7C00, 0x03E0, 0x001F, 0x8000 }, 0, 1, 0, 0 },
    { "24bpp", 40, 24, 0, { 0 }, 0, 0, 0, 0 },
    { "24bpp top-down", 40, 24, 0, { 0 }, 0, 1, 0, 0 },
    { "32bpp BI_RGB zero alpha", 40, 32, 0, { 0 }, 0, 0, 0, 0 },
    { "32bpp BI_RGB zero alpha top-down", 40, 32, 0, { 0 }, 0, 1, 0, 0 },
    { "32bpp BI_RGB with alpha", 40, 32, 0, { 0 }, 0, 0, 1, 0 },
    { "32bpp BI_RGB opaque alpha", 40, 32, 0, { 0 }, 0, 1, 2, 0 },
    { "32bpp V5 BI_RGB with alpha", 124, 32, 0, { 0 }, 0, 0, 1, 0 },
    { "32bpp bitfields RGBX", 40, 32, 3, { 0x00FF0000, 0x0000FF00, 0x000000FF, 0 }, 0, 0, 0, 0 },
    { "32bpp bitfields BGR order", 40, 32, 3, { 0x000000FF, 0x0000FF00, 0x00FF0000, 0 }, 0, 1, 0, 0 },
    { "32bpp bitfields 10-10-10", 40, 32, 3, { 0x3FF00000, 0x000FFC00, 0x000003FF, 0 }, 0, 0, 0, 0 },
    { "32bpp V5 bitfields ARGB", 124, 32, 3, { 0x00FF0000, 0x0000FF00, 0x000000FF, 0xFF000000 }, 0, 0, 0, 0 },
    { "32bpp V5 bitfields RGBA top-down", 124, 32, 3, { 0xFF000000, 0x00FF0000, 0x0000FF00, 0x000000FF }, 0, 1, 0, 0 },
    { "32bpp V4 bitfields ARGB", 108, 32, 3, { 0x00FF0000, 0x0000FF00, 0x000000FF, 0xFF000000 }, 0, 0, 0, 0 },
    { "32bpp V5 bitfields masks repeated", 124, 32, 3, { 0x00FF0000, 0x0000FF00, 0x000000FF, 0xFF000000 }, 0, 0, 0, 1 },
};
#define N_LAYOUTS (sizeof layouts / sizeof layouts[0])

static void check_png_against_layout(const dib_layout *l, const uint8_t *png, size_t len)
{
    rgba_image img;
    read_png_rgba(png, len, &img);
    assert_int_equal(img.width, W);
    assert_int_equal(img.height, H);
    if (img.has_alpha != layout_has_alpha(l))
        fail_msg("%s: PNG alpha %d, expected %d", l->name, img.has_alpha, layout_has_alpha(l));
    for (uint32_t y = 0; y < H; y++)
        for (uint32_t x = 0; x < W; x++) {
            uint8_t want[4];
            expected_rgba(l, x, y, want);
            const uint8_t *got = img.px + ((size_t)y * W + x) * 4;
            if (memcmp(got, want, 4) != 0)
                fail_msg("%s: pixel (%u,%u) got %02x%02x%02x%02x want %02x%02x%02x%02x",
                         l->name, x, y, got[0], got[1], got[2], got[3], want[0], want[1],
                         want[2], want[3]);
        }
    free(img.px);
}

static void dib_to_png_every_layout(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_LAYOUTS; i++) {
        const dib_layout *l = &layouts[i];
        size_t len;
        uint8_t *dib = build_dib(l, W, H, &len);
        vda_buf png;
        test_log log;
        test_log_init(&log);
        vda_image_status st = vda_dib_to_png(dib, len, NULL, NULL, &png, &log.logger);
        if (st != VDA_IMG_OK)
            fail_msg("%s: %s (%s)", l->name, vda_image_status_str(st), log.last);
        assert_int_equal(log.lines, 0);
        check_png_against_layout(l, png.data, png.size);
        assert_int_equal(vda_dib_has_alpha(dib, len), layout_has_alpha(l));
        free(png.data);
        free(dib);
    }
}

/* DIB -> BMP -> DIB gives the same DIB back, and the BMP is a real BMP file
 * (the pixels still decode to the reference through DIB -> PNG). */
static void dib_bmp_round_trip_every_layout(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_LAYOUTS; i++) {
        const dib_layout *l = &layouts[i];
        size_t len;
        uint8_t *dib = build_dib(l, W, H, &len);
        vda_buf bmp, back, png;
        assert_int_equal(vda_dib_to_bmp(dib, len, NULL, &bmp, NULL), VDA_IMG_OK);
        if (bmp.size != 14 + len)
            fail_msg("%s: BMP of %zu bytes for a %zu-byte DIB", l->name, bmp.size, len);
        assert_int_equal(bmp.data[0], 'B');
        assert_int_equal(bmp.data[1], 'M');
        assert_int_equal(vda_le32_test(bmp.data + 2), bmp.size);
        /* bfOffBits: the rows are the last stride * H bytes. */
        uint32_t stride = (W * l->bpp + 31) / 32 * 4;
        assert_int_equal(vda_le32_test(bmp.data + 10), bmp.size - stride * H);
        assert_int_equal(vda_bmp_to_dib(bmp.data, bmp.size, NULL, &back, NULL), VDA_IMG_OK);
        if (l->dup_masks) {
            /* The repeated masks are dropped: BMP -> DIB writes the packed form. */
            assert_int_equal(back.size, len - 12);
            assert_memory_equal(back.data + 124, dib + 136, len - 136);
        } else {
            assert_int_equal(back.size, len);
            assert_memory_equal(back.data, dib, len);
        }
        assert_int_equal(vda_dib_to_png(back.data, back.size, NULL, NULL, &png, NULL), VDA_IMG_OK);
        check_png_against_layout(l, png.data, png.size);
        free(png.data);
        free(back.data);
        free(bmp.data);
        free(dib);
    }
}

/* Every PNG option set (fast default, libpng default, no compression) decodes to
 * the same pixels. */
static void png_options_do_not_change_pixels(void **state)
{
    (void)state;
    const dib_layout *l = &layouts[16];   /* 32 bpp with alpha */
    vda_png_options opts[3];
    vda_png_options_default(&opts[0]);
    opts[1] = (vda_png_options){ -1, -1, -1 };
    opts[2] = (vda_png_options){ 0, 0, PNG_FILTER_NONE };
    size_t len;
    uint8_t *dib = build_dib(l, W, H, &len);
    for (int i = 0; i < 3; i++) {
        vda_buf png;
        assert_int_equal(vda_dib_to_png(dib, len, NULL, &opts[i], &png, NULL), VDA_IMG_OK);
        check_png_against_layout(l, png.data, png.size);
        free(png.data);
    }
    free(dib);
}

/* ---- malformed DIBs --------------------------------------------------------- */

static uint8_t *good_dib(size_t *len, uint16_t bpp)
{
    static const dib_layout l24 = { "24", 40, 24, 0, { 0 }, 0, 0, 0, 0 };
    static const dib_layout l8 = { "8", 40, 8, 0, { 0 }, 0, 0, 0, 0 };
    static const dib_layout l32 = { "32", 40, 32, 3, { 0xFF0000, 0xFF00, 0xFF, 0 }, 0, 0, 0, 0 };
    return build_dib(bpp == 8 ? &l8 : bpp == 32 ? &l32 : &l24, W, H, len);
}

/* Runs all three DIB consumers on the input: same status from each, one log
 * line each, no output. */
static void expect_refused(const uint8_t *dib, size_t len, const vda_image_limits *lim,
                           vda_image_status want, const char *what)
{
    vda_buf png = { (uint8_t *)1, 1 }, bmp = { (uint8_t *)1, 1 };
    test_log log;
    test_log_init(&log);
    log.logger.max_level = VDA_LOG_INFO;   /* count the refusal, not debug detail */
    vda_image_status st = vda_dib_to_png(dib, len, lim, NULL, &png, &log.logger);
    if (st != want)
        fail_msg("%s: to PNG gave '%s', expected '%s' (%s)", what, vda_image_status_str(st),
                 vda_image_status_str(want), log.last);
    assert_int_equal(log.lines, 1);
    assert_null(png.data);
    st = vda_dib_to_bmp(dib, len, lim, &bmp, &log.logger);
    if (st != want)
        fail_msg("%s: to BMP gave '%s', expected '%s'", what, vda_image_status_str(st),
                 vda_image_status_str(want));
    assert_int_equal(log.lines, 2);
    assert_null(bmp.data);
    assert_false(vda_dib_has_alpha(dib, len));
}

static void malformed_dibs_refused(void **state)
{
    (void)state;
    size_t len;
    uint8_t *d;

    d = good_dib(&len, 24);
    for (size_t cut = 0; cut < len; cut += (cut < 64 ? 1 : 37))
        expect_refused(d, cut, NULL, VDA_IMG_ERR_MALFORMED, "truncated");
    free(d);

    struct { uint32_t off; uint32_t value; int size16; vda_image_status want; const char *what; }
    cases[] = {
        { 0, 0, 0, VDA_IMG_ERR_MALFORMED, "header size 0" },
        { 0, 39, 0, VDA_IMG_ERR_MALFORMED, "header size 39" },
        { 0, 12, 0, VDA_IMG_ERR_UNSUPPORTED, "OS/2 core header" },
        { 0, 0xFFFFFFFFu, 0, VDA_IMG_ERR_MALFORMED, "header size huge" },
        { 0, 124, 0, VDA_IMG_ERR_MALFORMED, "V5 size, header cut by pixels" },
        { 4, 0, 0, VDA_IMG_ERR_MALFORMED, "zero width" },
        { 4, (uint32_t)-13, 0, VDA_IMG_ERR_MALFORMED, "negative width" },
        { 8, 0, 0, VDA_IMG_ERR_MALFORMED, "zero height" },
        { 8, 0x80000000u, 0, VDA_IMG_ERR_MALFORMED, "height INT32_MIN" },
        { 4, 100000, 0, VDA_IMG_ERR_TOO_LARGE, "width above limit" },
        { 8, (uint32_t)-100000, 0, VDA_IMG_ERR_TOO_LARGE, "top-down height above limit" },
        { 4, 0x7FFFFFFF, 0, VDA_IMG_ERR_TOO_LARGE, "width INT32_MAX" },
        { 8, 0x7FFFFFFF, 0, VDA_IMG_ERR_TOO_LARGE, "height INT32_MAX" },
        { 8, 20, 0, VDA_IMG_ERR_MALFORMED, "height larger than the rows present" },
        { 12, 2, 1, VDA_IMG_ERR_MALFORMED, "2 planes" },
        { 14, 0, 1, VDA_IMG_ERR_MALFORMED, "bpp 0 with BI_RGB" },
        { 14, 7, 1, VDA_IMG_ERR_MALFORMED, "bpp 7" },
        { 14, 64, 1, VDA_IMG_ERR_MALFORMED, "bpp 64" },
        { 16, 1, 0, VDA_IMG_ERR_UNSUPPORTED, "BI_RLE8" },
        { 16, 4, 0, VDA_IMG_ERR_UNSUPPORTED, "BI_JPEG" },
        { 16, 3, 0, VDA_IMG_ERR_MALFORMED, "BI_BITFIELDS at 24 bpp" },
        { 16, 0x1234, 0, VDA_IMG_ERR_UNSUPPORTED, "unknown compression" },
        { 32, 257, 0, VDA_IMG_ERR_MALFORMED, "palette of 257 at 24 bpp" },
        { 32, 0xFFFFFFFFu, 0, VDA_IMG_ERR_MALFORMED, "palette of 2^32-1" },
        { 32, 200, 0, VDA_IMG_ERR_MALFORMED, "palette eats the pixels" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        d = good_dib(&len, 24);
        if (cases[i].size16) {
            d[cases[i].off] = (uint8_t)cases[i].value;
            d[cases[i].off + 1] = (uint8_t)(cases[i].value >> 8);
        } else {
            vda_put_le32(d + cases[i].off, cases[i].value);
        }
        expect_refused(d, len, NULL, cases[i].want, cases[i].what);
        free(d);
    }

    /* 8 bpp: palette larger than 2^8, and a palette that runs past the end. */
    d = good_dib(&len, 8);
    vda_put_le32(d + 32, 257);
    expect_refused(d, len, NULL, VDA_IMG_ERR_MALFORMED, "8 bpp palette of 257");
    expect_refused(d, 40 + 100, NULL, VDA_IMG_ERR_MALFORMED, "8 bpp palette truncated");
    free(d);
    d = good_dib(&len, 8);
    vda_put_le32(d + 14, 1);   /* 1 bpp with a 256-entry clrUsed... */
    d[14] = 1;
    d[15] = 0;
    vda_put_le32(d + 32, 256);
    expect_refused(d, len, NULL, VDA_IMG_ERR_MALFORMED, "1 bpp palette of 256");
    free(d);

    /* Bad masks: zero, overlapping, not contiguous, wider than the pixel. */
    uint32_t bad_masks[][3] = {
        { 0, 0xFF00, 0xFF }, { 0xFF0000, 0, 0xFF }, { 0xFF0000, 0xFF00, 0 }, { 0, 0, 0 },
        { 0xFF0000, 0xFFFF00, 0xFF }, { 0xF0F000, 0xFF00, 0xFF }, { 0xFF0000, 0xFF00, 0x101 },
    };
    for (size_t i = 0; i < sizeof bad_masks / sizeof bad_masks[0]; i++) {
        d = good_dib(&len, 32);
        for (int c = 0; c < 3; c++)
            vda_put_le32(d + 40 + 4 * c, bad_masks[i][c]);
        expect_refused(d, len, NULL, VDA_IMG_ERR_MALFORMED, "bad masks");
        free(d);
    }
    d = good_dib(&len, 32);
    d[14] = 16;   /* 16 bpp with 32-bit masks */
    expect_refused(d, len, NULL, VDA_IMG_ERR_MALFORMED, "masks wider than 16 bpp");
    free(d);

    /* Custom limits: decoded size. */
    d = good_dib(&len, 24);
    vda_image_limits lim = { 1000, 1000, (uint64_t)W * H * 4 - 1 };
    expect_refused(d, len, &lim, VDA_IMG_ERR_TOO_LARGE, "above max_bytes");
    lim.max_bytes++;
    vda_buf png;
    assert_int_equal(vda_dib_to_png(d, len, &lim, NULL, &png, NULL), VDA_IMG_OK);
    free(png.data);
    lim = (vda_image_limits){ W, H - 1, 1u << 30 };
    expect_refused(d, len, &lim, VDA_IMG_ERR_TOO_LARGE, "above max_height");
    lim = (vda_image_limits){ W - 1, H, 1u << 30 };
    expect_refused(d, len, &lim, VDA_IMG_ERR_TOO_LARGE, "above max_width");
    /* Unlimited limits: sizes still computed without overflow. */
    lim = (vda_image_limits){ UINT32_MAX, UINT32_MAX, UINT64_MAX };
    vda_put_le32(d + 4, 0x7FFFFFFF);
    vda_put_le32(d + 8, 0x7FFFFFFF);
    vda_buf out = { (uint8_t *)1, 1 };
    vda_image_status st = vda_dib_to_png(d, len, &lim, NULL, &out, NULL);
    assert_true(st == VDA_IMG_ERR_MALFORMED || st == VDA_IMG_ERR_TOO_LARGE);
    assert_null(out.data);
    free(d);
}

/* The header parser's view of a V5 DIB: geometry and masks. */
static void parse_reports_geometry(void **state)
{
    (void)state;
    static const dib_layout l = { "v5", 124, 16, 3, { 0xF800, 0x07E0, 0x001F, 0 }, 0, 1, 0, 0 };
    size_t len;
    uint8_t *d = build_dib(&l, W, H, &len);
    vda_dib_info di;
    vda_image_limits lim;
    vda_image_limits_default(&lim);
    assert_int_equal(vda_dib_parse(d, len, &lim, &di, NULL), VDA_IMG_OK);
    assert_int_equal(di.width, W);
    assert_int_equal(di.height, H);
    assert_true(di.top_down);
    assert_int_equal(di.stride, 28);
    assert_int_equal(di.pixel_offset, 124);
    assert_int_equal(di.image_size, 28 * H);
    assert_int_equal(di.red.shift, 11);
    assert_int_equal(di.red.bits, 5);
    assert_int_equal(di.green.bits, 6);
    assert_int_equal(di.alpha.mask, 0);
    free(d);
}

/* The 32-bpp alpha rule on its own. */
static void alpha_rule(void **state)
{
    (void)state;
    dib_layout l = { "32", 40, 32, 0, { 0 }, 0, 0, 0, 0 };
    size_t len;
    uint8_t *d;
    for (int mode = 0; mode < 3; mode++) {
        l.alpha_mode = mode;
        d = build_dib(&l, W, H, &len);
        assert_int_equal(vda_dib_has_alpha(d, len), mode == 1);
        free(d);
    }
    /* One non-opaque pixel among opaque ones is enough. */
    l.alpha_mode = 2;
    d = build_dib(&l, W, H, &len);
    d[40 + 3 * 4 + 3] = 0x80;
    assert_true(vda_dib_has_alpha(d, len));
    free(d);
    /* One non-zero pixel among zeros: alpha is real (a mostly transparent image). */
    l.alpha_mode = 0;
    d = build_dib(&l, W, H, &len);
    d[40 + 3] = 0xFF;
    assert_true(vda_dib_has_alpha(d, len));
    free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dib_to_png_every_layout),
        cmocka_unit_test(dib_bmp_round_trip_every_layout),
        cmocka_unit_test(png_options_do_not_change_pixels),
        cmocka_unit_test(malformed_dibs_refused),
        cmocka_unit_test(parse_reports_geometry),
        cmocka_unit_test(alpha_rule),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
