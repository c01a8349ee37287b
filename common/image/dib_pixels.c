#include "image/dib_pixels.h"

#include <string.h>

#include "base/le_bytes.h"

static const uint8_t *row_ptr(const vda_dib_reader *r, uint32_t y)
{
    const vda_dib_info *di = r->di;
    uint32_t mem_row = di->top_down ? y : di->height - 1 - y;
    return r->pixels + (size_t)mem_row * di->stride;
}

static void init_scale(uint8_t *lut, const vda_dib_channel *c)
{
    if (c->bits == 0 || c->bits > 8)
        return;
    uint32_t max = (1u << c->bits) - 1;
    for (uint32_t v = 0; v <= max; v++)
        lut[v] = (uint8_t)((v * 255 + max / 2) / max);
}

static inline uint8_t channel8(const vda_dib_reader *r, int i, const vda_dib_channel *c,
                               uint32_t px)
{
    uint32_t v = (px & c->mask) >> c->shift;
    return c->bits > 8 ? (uint8_t)(v >> (c->bits - 8)) : r->scale[i][v];
}

void vda_dib_reader_init(vda_dib_reader *r, const vda_dib_info *di, const uint8_t *dib)
{
    memset(r, 0, sizeof *r);
    r->di = di;
    r->pixels = dib + di->pixel_offset;
    if (di->bpp <= 8) {
        const uint8_t *pal = dib + di->palette_offset;
        for (uint32_t i = 0; i < di->palette_count && i < 256; i++) {
            r->palette[i][0] = pal[i * 4 + 2];   /* RGBQUAD: blue, green, red, reserved */
            r->palette[i][1] = pal[i * 4 + 1];
            r->palette[i][2] = pal[i * 4];
        }
        return;
    }
    if (di->bpp == 24)
        return;
    init_scale(r->scale[0], &di->red);
    init_scale(r->scale[1], &di->green);
    init_scale(r->scale[2], &di->blue);
    init_scale(r->scale[3], &di->alpha);
    r->fast32 = di->bpp == 32 && di->red.mask == 0x00FF0000u && di->green.mask == 0x0000FF00u &&
                di->blue.mask == 0x000000FFu && (di->alpha.mask == 0xFF000000u || !di->alpha.mask);
}

int vda_dib_reader_alpha_used(const vda_dib_reader *r)
{
    const vda_dib_info *di = r->di;
    if (!di->alpha.mask)
        return 0;
    uint32_t amask = di->alpha.mask;
    /* OR and AND of every pixel: alpha bits seen set anywhere / set everywhere.
     * Branch-free so the compiler vectorizes it (a 4K screenshot is 33 MB). */
    uint32_t any = 0, all = ~0u;
    for (uint32_t y = 0; y < di->height; y++) {
        const uint8_t *p = r->pixels + (size_t)y * di->stride;
        if (di->bpp == 32) {
            for (uint32_t x = 0; x < di->width; x++) {
                uint32_t v = vda_le32(p + (size_t)x * 4);
                any |= v;
                all &= v;
            }
        } else {
            for (uint32_t x = 0; x < di->width; x++) {
                uint32_t v = (uint32_t)(p[x * 2] | p[x * 2 + 1] << 8);
                any |= v;
                all &= v;
            }
        }
        /* Some alpha bit set somewhere, and some pixel not fully opaque. */
        if ((any & amask) && (all & amask) != amask)
            return 1;
    }
    return 0;
}

static void row_palette(const vda_dib_reader *r, const uint8_t *src, int with_alpha,
                        uint8_t *out)
{
    const vda_dib_info *di = r->di;
    unsigned bpp = di->bpp, per_byte = 8 / bpp, mask = (1u << bpp) - 1;
    size_t step = with_alpha ? 4 : 3;
    for (uint32_t x = 0; x < di->width; x++, out += step) {
        unsigned shift = (per_byte - 1 - x % per_byte) * bpp;   /* leftmost pixel is MSB */
        unsigned idx = (src[x / per_byte] >> shift) & mask;
        if (idx < di->palette_count) {
            memcpy(out, r->palette[idx], 3);
        } else {
            memset(out, 0, 3);
        }
        if (with_alpha)
            out[3] = 255;
    }
}

static void row_24(const vda_dib_reader *r, const uint8_t *src, int with_alpha, uint8_t *out)
{
    size_t step = with_alpha ? 4 : 3;
    for (uint32_t x = 0; x < r->di->width; x++, src += 3, out += step) {
        out[0] = src[2];
        out[1] = src[1];
        out[2] = src[0];
        if (with_alpha)
            out[3] = 255;
    }
}

static void row_fast32(const vda_dib_reader *r, const uint8_t *src, int with_alpha,
                       uint8_t *out)
{
    uint32_t w = r->di->width, x = 0;
    if (with_alpha) {
        for (; x < w; x++, src += 4, out += 4) {
            out[0] = src[2];
            out[1] = src[1];
            out[2] = src[0];
            out[3] = r->di->alpha.mask ? src[3] : 255;
        }
        return;
    }
    /* The hot path of screenshots: four BGRX pixels -> twelve RGB bytes with
     * word operations. */
    for (; x + 4 <= w; x += 4, src += 16, out += 12) {
        uint32_t p0 = vda_le32(src), p1 = vda_le32(src + 4);
        uint32_t p2 = vda_le32(src + 8), p3 = vda_le32(src + 12);
        /* (p >> 16 & 0xFF) | (p & 0xFF00) | (p & 0xFF) << 16: R G B as bytes */
        p0 = (p0 >> 16 & 0xFFu) | (p0 & 0xFF00u) | (p0 & 0xFFu) << 16;
        p1 = (p1 >> 16 & 0xFFu) | (p1 & 0xFF00u) | (p1 & 0xFFu) << 16;
        p2 = (p2 >> 16 & 0xFFu) | (p2 & 0xFF00u) | (p2 & 0xFFu) << 16;
        p3 = (p3 >> 16 & 0xFFu) | (p3 & 0xFF00u) | (p3 & 0xFFu) << 16;
        vda_put_le32(out, p0 | p1 << 24);
        vda_put_le32(out + 4, p1 >> 8 | p2 << 16);
        vda_put_le32(out + 8, p2 >> 16 | p3 << 8);
    }
    for (; x < w; x++, src += 4, out += 3) {
        out[0] = src[2];
        out[1] = src[1];
        out[2] = src[0];
    }
}

static void row_masks(const vda_dib_reader *r, const uint8_t *src, int with_alpha,
                      uint8_t *out)
{
    const vda_dib_info *di = r->di;
    size_t step = with_alpha ? 4 : 3;
    for (uint32_t x = 0; x < di->width; x++, out += step) {
        uint32_t px = di->bpp == 32 ? vda_le32(src + (size_t)x * 4)
                                    : (uint32_t)(src[x * 2] | src[x * 2 + 1] << 8);
        out[0] = channel8(r, 0, &di->red, px);
        out[1] = channel8(r, 1, &di->green, px);
        out[2] = channel8(r, 2, &di->blue, px);
        if (with_alpha)
            out[3] = di->alpha.mask ? channel8(r, 3, &di->alpha, px) : 255;
    }
}

void vda_dib_reader_row(const vda_dib_reader *r, uint32_t y, int with_alpha, uint8_t *out)
{
    const uint8_t *src = row_ptr(r, y);
    if (r->di->bpp <= 8)
        row_palette(r, src, with_alpha, out);
    else if (r->di->bpp == 24)
        row_24(r, src, with_alpha, out);
    else if (r->fast32)
        row_fast32(r, src, with_alpha, out);
    else
        row_masks(r, src, with_alpha, out);
}
