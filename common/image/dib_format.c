#include "image/dib_format.h"

#include <inttypes.h>
#include <string.h>

#include "image/image_limits.h"
#include "base/le_bytes.h"

/* Header sizes we understand: BITMAPINFOHEADER, its Adobe variants with the RGB
 * (52) and RGBA (56) masks inside, V4 and V5. Core (12-byte) headers are OS/2. */
static int known_header_size(uint32_t size)
{
    return size == 40 || size == 52 || size == 56 || size == VDA_DIB_V4_SIZE ||
           size == VDA_DIB_V5_SIZE;
}

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

/* A mask must be one run of set bits that fits in the pixel. */
static int channel_from_mask(uint32_t mask, uint16_t bpp, vda_dib_channel *c)
{
    c->mask = mask;
    c->shift = 0;
    c->bits = 0;
    if (mask == 0)
        return 0;
    if (bpp < 32 && (mask >> bpp) != 0)
        return 0;
    while (!(mask & 1u)) {
        mask >>= 1;
        c->shift++;
    }
    if ((mask & (mask + 1u)) != 0)   /* not contiguous */
        return 0;
    while (mask) {
        mask >>= 1;
        c->bits++;
    }
    return 1;
}

/* BI_RGB's implied layouts: 5-5-5 for 16 bpp, 8-8-8 with the top byte as alpha
 * for 32 bpp (screenshots leave it 0: see vda_dib_to_png). */
static void default_channels(vda_dib_info *di)
{
    if (di->bpp == 16) {
        channel_from_mask(0x7C00u, 16, &di->red);
        channel_from_mask(0x03E0u, 16, &di->green);
        channel_from_mask(0x001Fu, 16, &di->blue);
        channel_from_mask(0, 16, &di->alpha);
    } else if (di->bpp == 32) {
        channel_from_mask(0x00FF0000u, 32, &di->red);
        channel_from_mask(0x0000FF00u, 32, &di->green);
        channel_from_mask(0x000000FFu, 32, &di->blue);
        channel_from_mask(0xFF000000u, 32, &di->alpha);
    }
}

static vda_image_status parse_masks(const uint8_t *m, int with_alpha, vda_dib_info *di,
                                    const vda_logger *log)
{
    uint32_t r = vda_le32(m), g = vda_le32(m + 4), b = vda_le32(m + 8);
    uint32_t a = with_alpha ? vda_le32(m + 12) : 0;
    if (!channel_from_mask(r, di->bpp, &di->red) || !channel_from_mask(g, di->bpp, &di->green) ||
        !channel_from_mask(b, di->bpp, &di->blue) ||
        (a && !channel_from_mask(a, di->bpp, &di->alpha)) || (r & g) || (r & b) || (g & b) ||
        (a & (r | g | b))) {
        vda_warn(log, "DIB refused: bad BI_BITFIELDS masks R %08" PRIx32 " G %08" PRIx32
                 " B %08" PRIx32 " A %08" PRIx32 " for %u bpp", r, g, b, a, di->bpp);
        return VDA_IMG_ERR_MALFORMED;
    }
    if (!a)
        channel_from_mask(0, di->bpp, &di->alpha);
    return VDA_IMG_OK;
}

vda_image_status vda_dib_parse_header(const uint8_t *dib, size_t len,
                                      const vda_image_limits *lim, vda_dib_info *di,
                                      const vda_logger *log)
{
    memset(di, 0, sizeof *di);
    if (len < 4) {
        vda_warn(log, "DIB refused: %zu bytes, no header", len);
        return VDA_IMG_ERR_MALFORMED;
    }
    di->header_size = vda_le32(dib);
    if (!known_header_size(di->header_size)) {
        /* 12 and 64 are the OS/2 headers: real, but not what Windows puts on the
         * clipboard. Anything else is not a DIB header. */
        int os2 = di->header_size == 12 || di->header_size == 64;
        vda_warn(log, "DIB refused: %s header size %" PRIu32, os2 ? "unsupported" : "bad",
                 di->header_size);
        return os2 ? VDA_IMG_ERR_UNSUPPORTED : VDA_IMG_ERR_MALFORMED;
    }
    if (len < di->header_size) {
        vda_warn(log, "DIB refused: %zu bytes, shorter than its %" PRIu32 "-byte header", len,
                 di->header_size);
        return VDA_IMG_ERR_MALFORMED;
    }
    int32_t w = (int32_t)vda_le32(dib + 4);
    int32_t h = (int32_t)vda_le32(dib + 8);
    uint16_t planes = le16(dib + 12);
    di->bpp = le16(dib + 14);
    di->compression = vda_le32(dib + 16);
    uint32_t clr_used = vda_le32(dib + 32);

    if (w <= 0 || h == 0 || h == INT32_MIN) {
        vda_warn(log, "DIB refused: bad dimensions %" PRId32 "x%" PRId32, w, h);
        return VDA_IMG_ERR_MALFORMED;
    }
    di->width = (uint32_t)w;
    di->top_down = h < 0;
    di->height = h < 0 ? (uint32_t)-h : (uint32_t)h;
    if (planes != 1) {
        vda_warn(log, "DIB refused: %u planes", planes);
        return VDA_IMG_ERR_MALFORMED;
    }
    if (di->compression != VDA_BI_RGB && di->compression != VDA_BI_BITFIELDS) {
        /* RLE, JPEG, PNG, CMYK variants: real formats we do not decode. */
        vda_warn(log, "DIB refused: unsupported compression %" PRIu32, di->compression);
        return VDA_IMG_ERR_UNSUPPORTED;
    }
    switch (di->bpp) {
    case 1: case 4: case 8: case 24:
        if (di->compression != VDA_BI_RGB) {
            vda_warn(log, "DIB refused: BI_BITFIELDS with %u bpp", di->bpp);
            return VDA_IMG_ERR_MALFORMED;
        }
        break;
    case 16: case 32:
        break;
    default:
        vda_warn(log, "DIB refused: %u bits per pixel", di->bpp);
        return VDA_IMG_ERR_MALFORMED;
    }

    vda_image_status st = vda_image_check_size(di->width, di->height, lim, "DIB", log);
    if (st != VDA_IMG_OK)
        return st;

    size_t pos = di->header_size;
    default_channels(di);
    if (di->compression == VDA_BI_BITFIELDS) {
        if (di->header_size == VDA_DIB_INFO_SIZE) {
            /* BITMAPINFOHEADER: three masks follow the header. */
            if (len - pos < 12) {
                vda_warn(log, "DIB refused: truncated in its colour masks");
                return VDA_IMG_ERR_MALFORMED;
            }
            st = parse_masks(dib + pos, 0, di, log);
            pos += 12;
        } else {
            st = parse_masks(dib + 40, di->header_size >= 56, di, log);
        }
        if (st != VDA_IMG_OK)
            return st;
    }

    /* Palette: required for <= 8 bpp (0 = all 2^bpp entries), optional above. */
    uint32_t max_palette = di->bpp <= 8 ? 1u << di->bpp : 256u;
    if (clr_used > max_palette) {
        vda_warn(log, "DIB refused: %" PRIu32 " palette entries, at most %" PRIu32
                 " allowed for %u bpp", clr_used, max_palette, di->bpp);
        return VDA_IMG_ERR_MALFORMED;
    }
    if (clr_used == 0 && di->bpp <= 8)
        clr_used = max_palette;
    di->palette_count = clr_used;
    di->palette_offset = pos;
    if ((len - pos) / 4 < clr_used) {
        vda_warn(log, "DIB refused: truncated in its palette (%" PRIu32 " entries)", clr_used);
        return VDA_IMG_ERR_MALFORMED;
    }
    pos += (size_t)clr_used * 4;
    di->pixel_offset = pos;

    /* Rows are DWORD-aligned. width <= 2^31 and bpp <= 32: no 64-bit overflow. */
    uint64_t stride = ((uint64_t)di->width * di->bpp + 31) / 32 * 4;
    uint64_t size = stride * di->height;
    if (size > SIZE_MAX || stride * di->height / di->height != stride) {
        vda_warn(log, "DIB refused: %" PRIu64 "-byte rows x %" PRIu32 " too large", stride,
                 di->height);
        return VDA_IMG_ERR_TOO_LARGE;
    }
    di->stride = (size_t)stride;
    di->image_size = (size_t)size;
    return VDA_IMG_OK;
}

vda_image_status vda_dib_parse(const uint8_t *dib, size_t len, const vda_image_limits *lim,
                               vda_dib_info *di, const vda_logger *log)
{
    vda_image_status st = vda_dib_parse_header(dib, len, lim, di, log);
    if (st != VDA_IMG_OK)
        return st;
    size_t avail = len - di->pixel_offset;
    /* Some writers of V4/V5 BI_BITFIELDS DIBs also append the masks after the
     * header, as for a BITMAPINFOHEADER. Accept that only when it is unambiguous:
     * the same three masks are there and the rows still fit after them. */
    if (di->compression == VDA_BI_BITFIELDS && di->header_size > VDA_DIB_INFO_SIZE &&
        di->palette_count == 0 && avail >= 12 && avail - 12 >= di->image_size &&
        vda_le32(dib + di->pixel_offset) == di->red.mask &&
        vda_le32(dib + di->pixel_offset + 4) == di->green.mask &&
        vda_le32(dib + di->pixel_offset + 8) == di->blue.mask) {
        di->pixel_offset += 12;
        avail -= 12;
    }
    if (avail < di->image_size) {
        vda_warn(log, "DIB refused: %zu bytes of pixels, %" PRIu32 "x%" PRIu32 " at %u bpp "
                 "needs %zu", avail, di->width, di->height, di->bpp, di->image_size);
        return VDA_IMG_ERR_MALFORMED;
    }
    return VDA_IMG_OK;
}

void vda_dib_write_packed(const vda_dib_info *di, const uint8_t *headers,
                          const uint8_t *pixels, uint8_t *out)
{
    memcpy(out, headers, di->pixel_offset);
    memcpy(out + di->pixel_offset, pixels, di->image_size);
    if (di->header_size >= VDA_DIB_V5_SIZE) {
        uint32_t cs = vda_le32(out + 56);
        if (cs == VDA_PROFILE_LINKED || cs == VDA_PROFILE_EMBEDDED) {
            vda_put_le32(out + 56, VDA_LCS_SRGB);
            vda_put_le32(out + 112, 0);   /* bV5ProfileData */
            vda_put_le32(out + 116, 0);   /* bV5ProfileSize */
        }
    }
}
