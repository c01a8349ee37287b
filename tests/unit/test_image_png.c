/* PNG -> DIB for every colour type and bit depth, interlaced or not, checked
 * pixel by pixel; PNG -> DIB -> PNG keeps alpha; malformed and over-large PNGs
 * are refused with the right status and one log line. The PNGs are written here
 * with libpng's low-level API, independently of common/png_codec. */
#include "image_test_support.h"

#include <zlib.h>

typedef struct png_spec {
    const char *name;
    int color_type, depth, interlace;
    uint32_t w, h;
    int n_trans;        /* palette: tRNS entries; gray/RGB: 1 = a transparent colour */
} png_spec;

static const png_spec specs[] = {
    { "gray 1", PNG_COLOR_TYPE_GRAY, 1, 0, 19, 11, 0 },
    { "gray 2", PNG_COLOR_TYPE_GRAY, 2, 0, 19, 11, 0 },
    { "gray 4 interlaced", PNG_COLOR_TYPE_GRAY, 4, 1, 19, 11, 0 },
    { "gray 8", PNG_COLOR_TYPE_GRAY, 8, 0, 19, 11, 0 },
    { "gray 8 tRNS", PNG_COLOR_TYPE_GRAY, 8, 0, 19, 11, 1 },
    { "gray 16", PNG_COLOR_TYPE_GRAY, 16, 0, 19, 11, 0 },
    { "gray 16 interlaced", PNG_COLOR_TYPE_GRAY, 16, 1, 19, 11, 0 },
    { "gray+alpha 8", PNG_COLOR_TYPE_GRAY_ALPHA, 8, 0, 19, 11, 0 },
    { "gray+alpha 16", PNG_COLOR_TYPE_GRAY_ALPHA, 16, 1, 19, 11, 0 },
    { "RGB 8", PNG_COLOR_TYPE_RGB, 8, 0, 19, 11, 0 },
    { "RGB 8 interlaced", PNG_COLOR_TYPE_RGB, 8, 1, 19, 11, 0 },
    { "RGB 8 interlaced 3x2", PNG_COLOR_TYPE_RGB, 8, 1, 3, 2, 0 },
    { "RGB 8 tRNS", PNG_COLOR_TYPE_RGB, 8, 0, 19, 11, 1 },
    { "RGB 16", PNG_COLOR_TYPE_RGB, 16, 0, 19, 11, 0 },
    { "RGBA 8", PNG_COLOR_TYPE_RGB_ALPHA, 8, 0, 19, 11, 0 },
    { "RGBA 8 interlaced", PNG_COLOR_TYPE_RGB_ALPHA, 8, 1, 19, 11, 0 },
    { "RGBA 16", PNG_COLOR_TYPE_RGB_ALPHA, 16, 0, 19, 11, 0 },
    { "RGBA 16 interlaced 1x1", PNG_COLOR_TYPE_RGB_ALPHA, 16, 1, 1, 1, 0 },
    { "palette 1", PNG_COLOR_TYPE_PALETTE, 1, 0, 19, 11, 0 },
    { "palette 2 tRNS", PNG_COLOR_TYPE_PALETTE, 2, 0, 19, 11, 2 },
    { "palette 4 tRNS interlaced", PNG_COLOR_TYPE_PALETTE, 4, 1, 19, 11, 5 },
    { "palette 8", PNG_COLOR_TYPE_PALETTE, 8, 0, 19, 11, 0 },
    { "palette 8 tRNS", PNG_COLOR_TYPE_PALETTE, 8, 0, 19, 11, 200 },
};
#define N_SPECS (sizeof specs / sizeof specs[0])

static int channels_of(int ct)
{
    switch (ct) {
    case PNG_COLOR_TYPE_GRAY_ALPHA: return 2;
    case PNG_COLOR_TYPE_RGB: return 3;
    case PNG_COLOR_TYPE_RGB_ALPHA: return 4;
    default: return 1;
    }
}

/* Sample c of pixel (x, y), of `depth` bits. */
static uint32_t sample(const png_spec *s, uint32_t x, uint32_t y, int c)
{
    uint32_t max = (1u << s->depth) - 1;
    if (s->color_type == PNG_COLOR_TYPE_PALETTE)
        return (x * 7 + y * 3) % (max + 1);
    uint32_t v = x * 977 + y * 3313 + (uint32_t)c * 7919 + x * y * 31;
    return v % (max + 1);
}

static void palette_entry(int i, uint8_t rgb[3])
{
    rgb[0] = (uint8_t)(i * 41 + 3);
    rgb[1] = (uint8_t)(i * 89 + 17);
    rgb[2] = (uint8_t)(250 - i * 13);
}

static uint8_t trans_alpha(int i)
{
    return (uint8_t)(i * 37 + 5);
}

/* 16 -> 8 bits as png_set_scale_16 does it, up to 1 either way. */
static uint8_t to8(uint32_t v, int depth)
{
    if (depth == 16)
        return (uint8_t)((v * 255 + 32767) / 65535);
    return (uint8_t)(v * 255 / ((1u << depth) - 1));
}

static void expected_pixel(const png_spec *s, uint32_t x, uint32_t y, uint8_t px[4])
{
    int ct = s->color_type;
    if (ct == PNG_COLOR_TYPE_PALETTE) {
        int i = (int)sample(s, x, y, 0);
        palette_entry(i, px);
        px[3] = i < s->n_trans ? trans_alpha(i) : 255;
        return;
    }
    uint32_t v[4];
    for (int c = 0; c < channels_of(ct); c++)
        v[c] = sample(s, x, y, c);
    if (ct & PNG_COLOR_MASK_COLOR) {
        for (int c = 0; c < 3; c++)
            px[c] = to8(v[c], s->depth);
        px[3] = ct & PNG_COLOR_MASK_ALPHA ? to8(v[3], s->depth) : 255;
        if (s->n_trans && v[0] == sample(s, 0, 0, 0) && v[1] == sample(s, 0, 0, 1) &&
            v[2] == sample(s, 0, 0, 2))
            px[3] = 0;
    } else {
        px[0] = px[1] = px[2] = to8(v[0], s->depth);
        px[3] = ct & PNG_COLOR_MASK_ALPHA ? to8(v[1], s->depth) : 255;
        if (s->n_trans && v[0] == sample(s, 0, 0, 0))
            px[3] = 0;
    }
}

static int spec_has_alpha(const png_spec *s)
{
    return (s->color_type & PNG_COLOR_MASK_ALPHA) || s->n_trans;
}

static void on_write(png_structp png, png_bytep data, size_t n)
{
    bytes_add(png_get_io_ptr(png), data, n);
}

static void on_flush(png_structp png)
{
    (void)png;
}

static bytes make_png(const png_spec *s)
{
    static bytes out;
    memset(&out, 0, sizeof out);
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    assert_non_null(info);
    if (setjmp(png_jmpbuf(png)))
        fail_msg("%s: libpng could not write the test PNG", s->name);
    png_set_write_fn(png, &out, on_write, on_flush);
    png_set_IHDR(png, info, s->w, s->h, s->depth, s->color_type,
                 s->interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (s->color_type == PNG_COLOR_TYPE_PALETTE) {
        png_color pal[256];
        int n = 1 << s->depth;
        for (int i = 0; i < n; i++) {
            uint8_t rgb[3];
            palette_entry(i, rgb);
            pal[i].red = rgb[0];
            pal[i].green = rgb[1];
            pal[i].blue = rgb[2];
        }
        png_set_PLTE(png, info, pal, n);
        if (s->n_trans) {
            png_byte ta[256];
            for (int i = 0; i < s->n_trans; i++)
                ta[i] = trans_alpha(i);
            png_set_tRNS(png, info, ta, s->n_trans, NULL);
        }
    } else if (s->n_trans) {
        png_color_16 tc = { 0, (png_uint_16)sample(s, 0, 0, 0), (png_uint_16)sample(s, 0, 0, 1),
                            (png_uint_16)sample(s, 0, 0, 2), (png_uint_16)sample(s, 0, 0, 0) };
        png_set_tRNS(png, info, NULL, 0, &tc);
    }
    png_write_info(png, info);
    int ch = channels_of(s->color_type);
    size_t rowbytes = ((size_t)s->w * ch * s->depth + 7) / 8;
    uint8_t *rows = calloc(s->h, rowbytes);
    png_bytep *ptrs = calloc(s->h, sizeof *ptrs);
    assert_non_null(rows);
    assert_non_null(ptrs);
    for (uint32_t y = 0; y < s->h; y++) {
        uint8_t *r = rows + y * rowbytes;
        ptrs[y] = r;
        for (uint32_t x = 0; x < s->w; x++)
            for (int c = 0; c < ch; c++) {
                uint32_t v = sample(s, x, y, c);
                size_t bit = ((size_t)x * ch + c) * s->depth;
                if (s->depth == 16) {
                    r[bit / 8] = (uint8_t)(v >> 8);
                    r[bit / 8 + 1] = (uint8_t)v;
                } else {
                    r[bit / 8] |= (uint8_t)(v << (8 - s->depth - bit % 8));
                }
            }
    }
    png_write_image(png, ptrs);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    free(rows);
    free(ptrs);
    return out;
}

static void check_dib(const png_spec *s, const vda_buf *dib, int v5)
{
    uint32_t hs = v5 ? 124 : 40;
    assert_true(dib->size == hs + (size_t)s->w * s->h * 4);
    const uint8_t *d = dib->data;
    assert_int_equal(vda_le32_test(d), hs);
    assert_int_equal(vda_le32_test(d + 4), s->w);
    assert_int_equal(vda_le32_test(d + 8), s->h);
    assert_int_equal(d[12] | d[13] << 8, 1);
    assert_int_equal(d[14] | d[15] << 8, 32);
    assert_int_equal(vda_le32_test(d + 16), v5 ? 3 : 0);
    assert_int_equal(vda_le32_test(d + 20), s->w * s->h * 4);
    if (v5) {
        assert_int_equal(vda_le32_test(d + 40), 0x00FF0000);
        assert_int_equal(vda_le32_test(d + 44), 0x0000FF00);
        assert_int_equal(vda_le32_test(d + 48), 0x000000FF);
        assert_int_equal(vda_le32_test(d + 52), 0xFF000000);
        assert_int_equal(vda_le32_test(d + 56), 0x73524742);
    }
    for (uint32_t y = 0; y < s->h; y++)
        for (uint32_t x = 0; x < s->w; x++) {
            uint8_t got[4], want[4];
            dib32_rgba(d + hs, s->w, s->h, x, y, got);
            expected_pixel(s, x, y, want);
            for (int c = 0; c < 4; c++) {
                int diff = got[c] - want[c];
                if (diff > (s->depth == 16) || diff < -(s->depth == 16))
                    fail_msg("%s: pixel (%u,%u) got %02x%02x%02x%02x want %02x%02x%02x%02x",
                             s->name, x, y, got[0], got[1], got[2], got[3], want[0], want[1],
                             want[2], want[3]);
            }
        }
}

static void png_to_dib_every_type(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_SPECS; i++) {
        const png_spec *s = &specs[i];
        bytes png = make_png(s);
        for (int v5 = 0; v5 < 2; v5++) {
            vda_buf dib;
            test_log log;
            test_log_init(&log);
            vda_image_status st = vda_png_to_dib(png.data, png.len, NULL, v5, &dib, &log.logger);
            if (st != VDA_IMG_OK)
                fail_msg("%s: %s (%s)", s->name, vda_image_status_str(st), log.last);
            assert_int_equal(log.lines, 0);
            check_dib(s, &dib, v5);
            free(dib.data);
        }
        assert_int_equal(vda_png_has_alpha(png.data, png.len), spec_has_alpha(s));
        bytes_free(&png);
    }
}

/* PNG -> DIB (V5) -> PNG: the pixels survive, alpha stays exactly when the image
 * has some transparency. */
static void png_dib_png_round_trip(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_SPECS; i++) {
        const png_spec *s = &specs[i];
        bytes png = make_png(s);
        vda_buf dib, back;
        assert_int_equal(vda_png_to_dib(png.data, png.len, NULL, 1, &dib, NULL), VDA_IMG_OK);
        assert_int_equal(vda_dib_to_png(dib.data, dib.size, NULL, NULL, &back, NULL), VDA_IMG_OK);
        rgba_image img;
        read_png_rgba(back.data, back.size, &img);
        assert_int_equal(img.width, s->w);
        assert_int_equal(img.height, s->h);
        int transparent = 0;
        for (uint32_t y = 0; y < s->h; y++)
            for (uint32_t x = 0; x < s->w; x++) {
                uint8_t got[4], want[4];
                dib32_rgba(dib.data + 124, s->w, s->h, x, y, want);
                memcpy(got, img.px + ((size_t)y * s->w + x) * 4, 4);
                assert_pixel_equal(got, want, x, y);
                transparent |= want[3] != 255;
            }
        if (img.has_alpha != transparent)
            fail_msg("%s: round-trip PNG alpha %d, image transparent %d", s->name,
                     img.has_alpha, transparent);
        free(img.px);
        free(back.data);
        free(dib.data);
        bytes_free(&png);
    }
}

/* ---- malformed PNGs ----------------------------------------------------- */

static void expect_refused(const uint8_t *png, size_t len, const vda_image_limits *lim,
                           vda_image_status want, const char *what)
{
    for (int v5 = 0; v5 < 2; v5++) {
        vda_buf dib = { (uint8_t *)1, 1 };
        test_log log;
        test_log_init(&log);
        log.logger.max_level = VDA_LOG_INFO;   /* count the refusal, not debug detail */
        vda_image_status st = vda_png_to_dib(png, len, lim, v5, &dib, &log.logger);
        if (st != want)
            fail_msg("%s: got '%s', expected '%s' (%s)", what, vda_image_status_str(st),
                     vda_image_status_str(want), log.last);
        if (log.lines != 1)
            fail_msg("%s: %d log lines (last: %s)", what, log.lines, log.last);
        assert_null(dib.data);
        assert_int_equal(dib.size, 0);
    }
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* Rewrites the IHDR of a PNG made by make_png (at offset 8) and fixes its CRC. */
static void patch_ihdr(uint8_t *png, uint32_t w, uint32_t h, int depth, int ct)
{
    uint8_t *ihdr = png + 8;
    put_be32(ihdr + 8, w);
    put_be32(ihdr + 12, h);
    ihdr[16] = (uint8_t)depth;
    ihdr[17] = (uint8_t)ct;
    put_be32(ihdr + 8 + 13, (uint32_t)crc32(0, ihdr + 4, 17));
}

static void malformed_pngs_refused(void **state)
{
    (void)state;
    const png_spec s = { "RGBA 8", PNG_COLOR_TYPE_RGB_ALPHA, 8, 0, 19, 11, 0 };
    bytes png = make_png(&s);
    uint8_t *p = malloc(png.len);
    assert_non_null(p);

    for (size_t cut = 0; cut < png.len - 12; cut++)   /* anything short of IEND */
        expect_refused(png.data, cut, NULL, VDA_IMG_ERR_MALFORMED, "truncated");

    memcpy(p, png.data, png.len);
    p[1] = 'X';
    expect_refused(p, png.len, NULL, VDA_IMG_ERR_MALFORMED, "bad signature");

    memcpy(p, png.data, png.len);
    p[8 + 8 + 3] ^= 1;   /* width changed, CRC not */
    expect_refused(p, png.len, NULL, VDA_IMG_ERR_MALFORMED, "IHDR CRC");

    struct { uint32_t w, h; int depth, ct; vda_image_status want; const char *what; } cases[] = {
        { 0, 11, 8, 6, VDA_IMG_ERR_MALFORMED, "zero width" },
        { 19, 0, 8, 6, VDA_IMG_ERR_MALFORMED, "zero height" },
        { 0x80000000u, 11, 8, 6, VDA_IMG_ERR_MALFORMED, "width 2^31" },
        { 19, 11, 7, 6, VDA_IMG_ERR_MALFORMED, "depth 7" },
        { 19, 11, 4, 2, VDA_IMG_ERR_MALFORMED, "RGB at depth 4" },
        { 19, 11, 8, 5, VDA_IMG_ERR_MALFORMED, "colour type 5" },
        { 100000, 11, 8, 6, VDA_IMG_ERR_TOO_LARGE, "width above limit" },
        { 19, 100000, 8, 6, VDA_IMG_ERR_TOO_LARGE, "height above limit" },
        { 16384, 16384, 8, 6, VDA_IMG_ERR_TOO_LARGE, "1 GiB decoded" },
        { 0x7FFFFFFF, 0x7FFFFFFF, 8, 6, VDA_IMG_ERR_TOO_LARGE, "2^31-1 squared" },
        { 19, 12, 8, 6, VDA_IMG_ERR_MALFORMED, "one row more than the data" },
        { 19, 11, 8, 2, VDA_IMG_ERR_MALFORMED, "RGB header on RGBA rows (filter bytes misplaced)" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memcpy(p, png.data, png.len);
        patch_ihdr(p, cases[i].w, cases[i].h, cases[i].depth, cases[i].ct);
        expect_refused(p, png.len, NULL, cases[i].want, cases[i].what);
    }

    /* Corrupt compressed data (the CRC fixed, so only zlib can notice). */
    memcpy(p, png.data, png.len);
    uint8_t *idat = p + 8 + 25;   /* make_png writes IHDR then IDAT */
    assert_memory_equal(idat + 4, "IDAT", 4);
    uint32_t n = (uint32_t)idat[0] << 24 | idat[1] << 16 | idat[2] << 8 | idat[3];
    for (uint32_t k = 2; k < n; k++)
        idat[8 + k] = (uint8_t)(k * 151);
    put_be32(idat + 8 + n, (uint32_t)crc32(0, idat + 4, n + 4));
    expect_refused(p, png.len, NULL, VDA_IMG_ERR_MALFORMED, "corrupt IDAT");

    /* No IDAT at all: IHDR then IEND. */
    memcpy(p, png.data, 8 + 25);
    memcpy(p + 8 + 25, png.data + png.len - 12, 12);
    expect_refused(p, 8 + 25 + 12, NULL, VDA_IMG_ERR_MALFORMED, "no IDAT");

    /* Custom limits. */
    vda_image_limits lim = { 18, 100, 1u << 20 };
    expect_refused(png.data, png.len, &lim, VDA_IMG_ERR_TOO_LARGE, "above max_width");
    lim = (vda_image_limits){ 100, 100, 19 * 11 * 4 - 1 };
    expect_refused(png.data, png.len, &lim, VDA_IMG_ERR_TOO_LARGE, "above max_bytes");
    lim.max_bytes++;
    vda_buf dib;
    assert_int_equal(vda_png_to_dib(png.data, png.len, &lim, 0, &dib, NULL), VDA_IMG_OK);
    free(dib.data);

    assert_false(vda_png_has_alpha(png.data, 20));
    free(p);
    bytes_free(&png);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(png_to_dib_every_type),
        cmocka_unit_test(png_dib_png_round_trip),
        cmocka_unit_test(malformed_pngs_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
