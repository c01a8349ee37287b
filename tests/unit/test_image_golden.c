/* Golden files: tests/data/images/, written by ImageMagick (an encoder
 * independent of ours; see make.sh there). Each is decoded by our code and
 * compared with the reference picture it was made from (a PAM file), exactly or
 * within the format's rounding. The headers are checked too, so each file is
 * known to be the variant its name says. VDA_TEST_DATA_DIR is an absolute path;
 * under Wine it opens through drive Z:. A missing file fails the test. */
#include "image_test_support.h"

#ifndef VDA_TEST_DATA_DIR
#error "VDA_TEST_DATA_DIR must be defined (tests/CMakeLists.txt)"
#endif

static uint8_t *read_file(const char *name, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/images/%s", VDA_TEST_DATA_DIR, name);
    uint8_t *d = test_read_file(path, len);
    if (!d)
        fail_msg("cannot open golden file %s", path);
    if (*len == 0)
        fail_msg("golden file %s is empty", path);
    return d;
}

/* A reference picture from a PAM file, as RGBA. */
typedef struct ref_image {
    uint32_t w, h;
    uint8_t *px;
} ref_image;

static void read_pam(const char *name, ref_image *r)
{
    size_t len;
    uint8_t *d = read_file(name, &len);
    unsigned w = 0, h = 0, depth = 0;
    const char *hdr = (const char *)d;
    const char *end = strstr(hdr, "ENDHDR\n");
    assert_non_null(end);
    assert_int_equal(sscanf(strstr(hdr, "WIDTH"), "WIDTH %u", &w), 1);
    assert_int_equal(sscanf(strstr(hdr, "HEIGHT"), "HEIGHT %u", &h), 1);
    assert_int_equal(sscanf(strstr(hdr, "DEPTH"), "DEPTH %u", &depth), 1);
    const uint8_t *p = (const uint8_t *)end + 7;
    assert_int_equal(len - (size_t)(p - d), (size_t)w * h * depth);
    r->w = w;
    r->h = h;
    r->px = malloc((size_t)w * h * 4);
    assert_non_null(r->px);
    for (size_t i = 0; i < (size_t)w * h; i++) {
        const uint8_t *s = p + i * depth;
        uint8_t *o = r->px + i * 4;
        if (depth == 1) {
            o[0] = o[1] = o[2] = s[0];
            o[3] = 255;
        } else {
            memcpy(o, s, 3);
            o[3] = depth == 4 ? s[3] : 255;
        }
    }
    free(d);
}

/* got: RGBA pixel at (x, y) from fn. Colour of fully transparent pixels is not
 * compared (encoders may change it). */
static void compare(const char *name, const ref_image *r, const uint8_t *got_rgba, int tol)
{
    for (uint32_t y = 0; y < r->h; y++)
        for (uint32_t x = 0; x < r->w; x++) {
            const uint8_t *want = r->px + ((size_t)y * r->w + x) * 4;
            const uint8_t *got = got_rgba + ((size_t)y * r->w + x) * 4;
            for (int c = want[3] == 0 ? 3 : 0; c < 4; c++) {
                int d = got[c] - want[c];
                if (d > tol || d < -tol)
                    fail_msg("%s: pixel (%u,%u) got %02x%02x%02x%02x want %02x%02x%02x%02x "
                             "(tolerance %d)", name, x, y, got[0], got[1], got[2], got[3],
                             want[0], want[1], want[2], want[3], tol);
            }
        }
}

static const struct {
    const char *file, *ref;
    int depth, color_type, interlace, tol;
} pngs[] = {
    { "png_rgb8.png", "ref_rgb.pam", 8, 2, 0, 0 },
    { "png_rgba8.png", "ref_rgba.pam", 8, 6, 0, 0 },
    { "png_rgba8_interlaced.png", "ref_rgba.pam", 8, 6, 1, 0 },
    { "png_rgb16.png", "ref_rgb.pam", 16, 2, 0, 0 },
    { "png_rgba16.png", "ref_rgba.pam", 16, 6, 0, 0 },
    { "png_pal8_trns.png", "ref_pal_alpha.pam", 8, 3, 0, 0 },
    { "png_gray1.png", "ref_bw.pam", 1, 0, 0, 0 },
    { "png_gray4.png", "ref_gray.pam", 4, 0, 0, 0 },
    { "png_gray16.png", "ref_gray.pam", 16, 0, 0, 0 },
};

static void golden_pngs(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof pngs / sizeof pngs[0]; i++) {
        size_t len;
        uint8_t *png = read_file(pngs[i].file, &len);
        /* IHDR: depth at 24, colour type at 25, interlace at 28. */
        assert_true(len > 33);
        assert_int_equal(png[24], pngs[i].depth);
        assert_int_equal(png[25], pngs[i].color_type);
        assert_int_equal(png[28], pngs[i].interlace);
        ref_image r;
        read_pam(pngs[i].ref, &r);
        vda_buf dib;
        assert_int_equal(vda_png_to_dib(png, len, NULL, 1, &dib, NULL), VDA_IMG_OK);
        uint8_t *rgba = malloc((size_t)r.w * r.h * 4);
        assert_non_null(rgba);
        for (uint32_t y = 0; y < r.h; y++)
            for (uint32_t x = 0; x < r.w; x++)
                dib32_rgba(dib.data + 124, r.w, r.h, x, y, rgba + ((size_t)y * r.w + x) * 4);
        compare(pngs[i].file, &r, rgba, pngs[i].tol);
        int transparent = pngs[i].color_type == 6 || pngs[i].color_type == 3;
        assert_int_equal(vda_png_has_alpha(png, len), transparent);
        free(rgba);
        free(dib.data);
        free(r.px);
        free(png);
    }
}

static const struct {
    const char *file, *ref;
    uint32_t header_size;
    int bpp, compression, tol;
    vda_image_status want;
} bmps[] = {
    { "bmp_rgb24.bmp", "ref_rgb.pam", 40, 24, 0, 0, VDA_IMG_OK },
    { "bmp_v5_argb32.bmp", "ref_rgba.pam", 124, 32, 3, 0, VDA_IMG_OK },
    { "bmp_pal8.bmp", "ref_pal40.pam", 40, 8, 0, 0, VDA_IMG_OK },
    { "bmp_pal4.bmp", "ref_pal.pam", 40, 4, 0, 0, VDA_IMG_OK },
    { "bmp_pal1.bmp", "ref_bw.pam", 40, 1, 0, 0, VDA_IMG_OK },
    { "bmp_rgb565.bmp", "ref_rgb.pam", 124, 16, 3, 9, VDA_IMG_OK },   /* ImageMagick truncates: one step */
    { "bmp_rgb555.bmp", "ref_rgb.pam", 124, 16, 3, 9, VDA_IMG_OK },
    { "bmp_argb4444.bmp", "ref_rgba.pam", 124, 16, 3, 17, VDA_IMG_OK },
    { "bmp_pal8_rle8.bmp", "ref_pal40.pam", 40, 8, 1, 0, VDA_IMG_ERR_UNSUPPORTED },
};

static void golden_bmps(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bmps / sizeof bmps[0]; i++) {
        size_t len;
        uint8_t *bmp = read_file(bmps[i].file, &len);
        assert_true(len > 54);
        assert_int_equal(vda_le32_test(bmp + 14), bmps[i].header_size);
        assert_int_equal(bmp[28], bmps[i].bpp);
        assert_int_equal(vda_le32_test(bmp + 30), (uint32_t)bmps[i].compression);
        vda_buf dib, png;
        test_log log;
        test_log_init(&log);
        vda_image_status st = vda_bmp_to_dib(bmp, len, NULL, &dib, &log.logger);
        if (st != bmps[i].want)
            fail_msg("%s: %s (%s)", bmps[i].file, vda_image_status_str(st), log.last);
        if (st != VDA_IMG_OK) {
            assert_int_equal(log.lines, 1);
            free(bmp);
            continue;
        }
        ref_image r;
        read_pam(bmps[i].ref, &r);
        assert_int_equal(vda_dib_to_png(dib.data, dib.size, NULL, NULL, &png, NULL), VDA_IMG_OK);
        rgba_image img;
        read_png_rgba(png.data, png.size, &img);
        assert_int_equal(img.width, r.w);
        assert_int_equal(img.height, r.h);
        compare(bmps[i].file, &r, img.px, bmps[i].tol);
        /* And back: DIB -> BMP gives a file with the same pixels. */
        vda_buf again;
        assert_int_equal(vda_dib_to_bmp(dib.data, dib.size, NULL, &again, NULL), VDA_IMG_OK);
        assert_int_equal(again.size, 14 + dib.size);
        assert_memory_equal(again.data + 14, dib.data, dib.size);
        free(again.data);
        free(img.px);
        free(png.data);
        free(dib.data);
        free(r.px);
        free(bmp);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(golden_pngs),
        cmocka_unit_test(golden_bmps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
