/* Helpers for the image conversion tests: a reference picture, a DIB writer that
 * lays it out in any DIB format (written independently of common/dib_*), and a
 * PNG reader that uses libpng's simplified API (not common/png_codec). */
#ifndef VDA_IMAGE_TEST_SUPPORT_H
#define VDA_IMAGE_TEST_SUPPORT_H

#include <png.h>

#include "image/image_convert.h"
#include "test_support.h"

/* The reference picture: every channel varies, alpha too. */
static inline void ref_rgba(uint32_t x, uint32_t y, uint8_t px[4])
{
    px[0] = (uint8_t)(x * 37 + y * 11);
    px[1] = (uint8_t)(x * 5 + y * 71 + 13);
    px[2] = (uint8_t)(x * y * 3 + 100);
    px[3] = (uint8_t)(x * 29 + y * 43 + 1);
}

static inline void put16(bytes *b, uint16_t v)
{
    uint8_t x[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
    bytes_add(b, x, 2);
}

/* How the test writes a DIB. */
typedef struct dib_layout {
    const char *name;
    uint32_t header_size;      /* 40, 108, 124 */
    uint16_t bpp;
    uint32_t compression;      /* 0 BI_RGB, 3 BI_BITFIELDS */
    uint32_t masks[4];         /* R G B A (A only in V4/V5 headers) */
    uint32_t clr_used;         /* written to biClrUsed */
    int top_down;
    int alpha_mode;            /* 32 bpp BI_RGB: 0 = all zero, 1 = reference alpha, 2 = all FF */
    int dup_masks;             /* V4/V5 BI_BITFIELDS: masks repeated after the header */
} dib_layout;

static inline uint32_t mask_shift(uint32_t m)
{
    uint32_t s = 0;
    while (m && !(m & 1u)) {
        m >>= 1;
        s++;
    }
    return s;
}

static inline uint32_t mask_bits(uint32_t m)
{
    uint32_t n = 0;
    for (; m; m >>= 1)
        n += m & 1u;
    return n;
}

/* 8-bit value -> n-bit field value, and back as a decoder should expand it. */
static inline uint32_t quantize(uint8_t v, uint32_t n)
{
    return n >= 8 ? (uint32_t)v << (n - 8) : (uint32_t)v >> (8 - n);
}

static inline uint8_t expand(uint32_t q, uint32_t n)
{
    if (n >= 8)
        return (uint8_t)(q >> (n - 8));
    uint32_t max = (1u << n) - 1;
    return (uint8_t)((q * 255 + max / 2) / max);
}

static inline uint32_t palette_size(const dib_layout *l)
{
    return l->clr_used ? l->clr_used : 1u << l->bpp;
}

static inline void palette_color(uint32_t i, uint8_t rgb[3])
{
    rgb[0] = (uint8_t)(i * 53 + 7);
    rgb[1] = (uint8_t)(i * 101 + 60);
    rgb[2] = (uint8_t)(255 - i * 29);
}

static inline uint32_t palette_index(const dib_layout *l, uint32_t x, uint32_t y)
{
    return (x * 3 + y * 5) % palette_size(l);
}

/* The pixel a correct decoder must produce from this layout at (x, y), and
 * whether the layout carries a meaningful alpha. */
static inline void expected_rgba(const dib_layout *l, uint32_t x, uint32_t y, uint8_t px[4])
{
    if (l->bpp <= 8) {
        palette_color(palette_index(l, x, y), px);
        px[3] = 255;
        return;
    }
    ref_rgba(x, y, px);
    if (l->bpp == 24)
        px[3] = 255;
    else if (l->compression == 0 && l->bpp == 32)
        px[3] = l->alpha_mode == 1 ? px[3] : 255;
    else if (l->compression == 0) {   /* 16 bpp 5-5-5 */
        for (int c = 0; c < 3; c++)
            px[c] = expand(quantize(px[c], 5), 5);
        px[3] = 255;
    } else {
        for (int c = 0; c < 4; c++) {
            uint32_t n = mask_bits(l->masks[c]);
            if (c == 3 && !n)
                px[3] = 255;
            else
                px[c] = expand(quantize(px[c], n), n);
        }
    }
}

static inline int layout_has_alpha(const dib_layout *l)
{
    if (l->bpp == 32 && l->compression == 0)
        return l->alpha_mode == 1;
    return l->compression == 3 && l->masks[3] != 0;
}

static inline uint8_t *build_dib(const dib_layout *l, uint32_t w, uint32_t h, size_t *len)
{
    bytes b = { 0 };
    uint32_t stride = (w * l->bpp + 31) / 32 * 4;
    put32(&b, l->header_size);
    put32(&b, w);
    put32(&b, l->top_down ? (uint32_t)-(int32_t)h : h);
    put16(&b, 1);
    put16(&b, l->bpp);
    put32(&b, l->compression);
    put32(&b, stride * h);
    put32(&b, 2835);
    put32(&b, 2835);
    put32(&b, l->clr_used);
    put32(&b, 0);
    if (l->header_size > 40) {
        for (int i = 0; i < 4; i++)
            put32(&b, l->masks[i]);
        put32(&b, 0x73524742u);   /* LCS_sRGB */
        for (uint32_t i = 60; i < l->header_size; i += 4)
            put32(&b, 0);
    }
    if (l->compression == 3 && (l->header_size == 40 || l->dup_masks))
        for (int i = 0; i < 3; i++)
            put32(&b, l->masks[i]);
    if (l->bpp <= 8) {
        for (uint32_t i = 0; i < palette_size(l); i++) {
            uint8_t rgb[3];
            palette_color(i, rgb);
            uint8_t q[4] = { rgb[2], rgb[1], rgb[0], 0 };
            bytes_add(&b, q, 4);
        }
    }
    uint8_t *row = calloc(1, stride);
    assert_non_null(row);
    for (uint32_t i = 0; i < h; i++) {
        uint32_t y = l->top_down ? i : h - 1 - i;
        memset(row, 0, stride);
        for (uint32_t x = 0; x < w; x++) {
            uint8_t px[4];
            ref_rgba(x, y, px);
            if (l->bpp <= 8) {
                uint32_t idx = palette_index(l, x, y);
                uint32_t per = 8 / l->bpp;
                row[x / per] |= (uint8_t)(idx << ((per - 1 - x % per) * l->bpp));
            } else if (l->bpp == 24) {
                row[x * 3] = px[2];
                row[x * 3 + 1] = px[1];
                row[x * 3 + 2] = px[0];
            } else {
                uint32_t v = 0;
                if (l->compression == 0 && l->bpp == 16) {
                    v = quantize(px[0], 5) << 10 | quantize(px[1], 5) << 5 | quantize(px[2], 5);
                } else if (l->compression == 0) {
                    uint8_t a = l->alpha_mode == 0 ? 0 : l->alpha_mode == 1 ? px[3] : 255;
                    v = (uint32_t)a << 24 | (uint32_t)px[0] << 16 | (uint32_t)px[1] << 8 | px[2];
                } else {
                    for (int c = 0; c < 4; c++)
                        if (l->masks[c])
                            v |= quantize(px[c], mask_bits(l->masks[c])) << mask_shift(l->masks[c]);
                }
                for (uint32_t k = 0; k < l->bpp / 8u; k++)
                    row[x * (l->bpp / 8u) + k] = (uint8_t)(v >> (8 * k));
            }
        }
        bytes_add(&b, row, stride);
    }
    free(row);
    *len = b.len;
    return b.data;
}

/* A decoded PNG: RGBA, top row first (libpng's simplified API). */
typedef struct rgba_image {
    uint32_t width, height;
    int has_alpha;           /* the PNG has an alpha channel */
    uint8_t *px;
} rgba_image;

static inline void read_png_rgba(const uint8_t *png, size_t len, rgba_image *out)
{
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    assert_true(png_image_begin_read_from_memory(&img, png, len));
    out->has_alpha = (img.format & PNG_FORMAT_FLAG_ALPHA) != 0;
    img.format = PNG_FORMAT_RGBA;
    out->width = img.width;
    out->height = img.height;
    out->px = malloc(PNG_IMAGE_SIZE(img));
    assert_non_null(out->px);
    assert_true(png_image_finish_read(&img, NULL, out->px, 0, NULL));
}

/* Pixel (x, y) of a 32-bpp bottom-up BGRA DIB as RGBA. */
static inline void dib32_rgba(const uint8_t *pixels, uint32_t w, uint32_t h, uint32_t x,
                              uint32_t y, uint8_t px[4])
{
    const uint8_t *p = pixels + ((size_t)(h - 1 - y) * w + x) * 4;
    px[0] = p[2];
    px[1] = p[1];
    px[2] = p[0];
    px[3] = p[3];
}

#define assert_pixel_equal(got, want, x, y)                                                  \
    do {                                                                                     \
        if (memcmp((got), (want), 4) != 0)                                                   \
            fail_msg("pixel (%u,%u): got %02x%02x%02x%02x want %02x%02x%02x%02x",            \
                     (unsigned)(x), (unsigned)(y), (got)[0], (got)[1], (got)[2], (got)[3],   \
                     (want)[0], (want)[1], (want)[2], (want)[3]);                            \
    } while (0)

#endif
