/* The four clipboard image conversions, built from dib_format (headers),
 * dib_pixels (reading rows), png_codec (libpng) and bmp_file (file header). */
#include "image/image_convert.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <png.h>

#include "image/bmp_file.h"
#include "image/dib_format.h"
#include "image/dib_pixels.h"
#include "base/le_bytes.h"
#include "image/png_codec.h"

static const vda_image_limits *limits_or_default(const vda_image_limits *lim,
                                                 vda_image_limits *storage)
{
    if (lim)
        return lim;
    vda_image_limits_default(storage);
    return storage;
}

/* ---- DIB -> PNG ------------------------------------------------------------- */

typedef struct dib_rows {
    vda_dib_reader reader;
    int with_alpha;
} dib_rows;

static void fill_png_row(void *ctx, uint32_t y, uint8_t *row)
{
    dib_rows *r = ctx;
    vda_dib_reader_row(&r->reader, y, r->with_alpha, row);
}

vda_image_status vda_dib_to_png(const uint8_t *dib, size_t len, const vda_image_limits *lim,
                                const vda_png_options *opts, vda_buf *png,
                                const vda_logger *log)
{
    vda_image_limits def;
    vda_dib_info di;
    png->data = NULL;
    png->size = 0;
    vda_image_status st = vda_dib_parse(dib, len, limits_or_default(lim, &def), &di, log);
    if (st != VDA_IMG_OK)
        return st;
    dib_rows rows;
    vda_dib_reader_init(&rows.reader, &di, dib);
    rows.with_alpha = vda_dib_reader_alpha_used(&rows.reader);
    return vda_png_encode(di.width, di.height, rows.with_alpha, fill_png_row, &rows, opts, png,
                          log);
}

int vda_dib_has_alpha(const uint8_t *dib, size_t len)
{
    vda_image_limits lim;
    vda_dib_info di;
    vda_dib_reader r;
    vda_image_limits_default(&lim);
    if (vda_dib_parse(dib, len, &lim, &di, NULL) != VDA_IMG_OK)
        return 0;
    vda_dib_reader_init(&r, &di, dib);
    return vda_dib_reader_alpha_used(&r);
}

/* ---- PNG -> DIB ------------------------------------------------------------- */

/* The header of the 32-bpp bottom-up DIB that png_codec decodes into: B G R A
 * bytes, i.e. masks 00FF0000 / 0000FF00 / 000000FF / FF000000. */
static void write_dib_header(uint8_t *h, uint32_t width, uint32_t height, int v5)
{
    uint32_t size = v5 ? VDA_DIB_V5_SIZE : VDA_DIB_INFO_SIZE;
    memset(h, 0, size);
    vda_put_le32(h, size);
    vda_put_le32(h + 4, width);
    vda_put_le32(h + 8, height);                 /* positive: bottom-up */
    h[12] = 1;                                   /* planes */
    h[14] = 32;                                  /* bits per pixel */
    vda_put_le32(h + 16, v5 ? VDA_BI_BITFIELDS : VDA_BI_RGB);
    vda_put_le32(h + 20, width * 4 * height);    /* fits: checked against the limits */
    if (v5) {
        vda_put_le32(h + 40, 0x00FF0000u);
        vda_put_le32(h + 44, 0x0000FF00u);
        vda_put_le32(h + 48, 0x000000FFu);
        vda_put_le32(h + 52, 0xFF000000u);
        vda_put_le32(h + 56, VDA_LCS_SRGB);
        vda_put_le32(h + 108, VDA_LCS_GM_IMAGES);
    }
}

vda_image_status vda_png_to_dib(const uint8_t *png, size_t len, const vda_image_limits *lim,
                                int want_v5, vda_buf *dib, const vda_logger *log)
{
    vda_image_limits def;
    vda_png_info info;
    size_t hsize = want_v5 ? VDA_DIB_V5_SIZE : VDA_DIB_INFO_SIZE;
    lim = limits_or_default(lim, &def);
    vda_image_status st = vda_png_decode_bgra_bottom_up(png, len, lim, hsize, dib, &info, log);
    if (st != VDA_IMG_OK)
        return st;
    if ((uint64_t)info.width * 4 * info.height > UINT32_MAX) {
        /* biSizeImage is 32 bits: only possible with limits above the defaults. */
        vda_warn(log, "PNG refused: %" PRIu32 "x%" PRIu32 " does not fit a DIB", info.width,
                 info.height);
        free(dib->data);
        dib->data = NULL;
        dib->size = 0;
        return VDA_IMG_ERR_TOO_LARGE;
    }
    write_dib_header(dib->data, info.width, info.height, want_v5);
    return VDA_IMG_OK;
}

int vda_png_has_alpha(const uint8_t *png, size_t len)
{
    vda_png_info info;
    return vda_png_read_info(png, len, &info, NULL) == VDA_IMG_OK && info.has_alpha;
}

/* ---- BMP <-> DIB ------------------------------------------------------------ */

vda_image_status vda_bmp_to_dib(const uint8_t *bmp, size_t len, const vda_image_limits *lim,
                                vda_buf *dib, const vda_logger *log)
{
    vda_image_limits def;
    vda_dib_info di;
    uint32_t bf_off;
    dib->data = NULL;
    dib->size = 0;
    vda_image_status st = vda_bmp_file_header_read(bmp, len, &bf_off, log);
    if (st != VDA_IMG_OK)
        return st;
    const uint8_t *part = bmp + VDA_BMP_FILE_HEADER_SIZE;
    size_t part_len = len - VDA_BMP_FILE_HEADER_SIZE;
    st = vda_dib_parse_header(part, part_len, limits_or_default(lim, &def), &di, log);
    if (st != VDA_IMG_OK)
        return st;
    /* The rows are where bfOffBits says: after the palette, maybe with a gap. */
    if (bf_off < VDA_BMP_FILE_HEADER_SIZE + di.pixel_offset ||
        bf_off - VDA_BMP_FILE_HEADER_SIZE > part_len ||
        part_len - (bf_off - VDA_BMP_FILE_HEADER_SIZE) < di.image_size) {
        vda_warn(log, "BMP refused: pixel offset %" PRIu32 " with %zu bytes of rows needed, "
                 "file of %zu bytes, headers end at %zu", bf_off, di.image_size, len,
                 VDA_BMP_FILE_HEADER_SIZE + di.pixel_offset);
        return VDA_IMG_ERR_MALFORMED;
    }
    dib->size = di.pixel_offset + di.image_size;
    dib->data = malloc(dib->size);
    if (!dib->data) {
        vda_warn(log, "BMP: out of memory for %zu bytes", dib->size);
        dib->size = 0;
        return VDA_IMG_ERR_NO_MEMORY;
    }
    vda_dib_write_packed(&di, part, part + (bf_off - VDA_BMP_FILE_HEADER_SIZE), dib->data);
    return VDA_IMG_OK;
}

vda_image_status vda_dib_to_bmp(const uint8_t *dib, size_t len, const vda_image_limits *lim,
                                vda_buf *bmp, const vda_logger *log)
{
    vda_image_limits def;
    vda_dib_info di;
    bmp->data = NULL;
    bmp->size = 0;
    vda_image_status st = vda_dib_parse(dib, len, limits_or_default(lim, &def), &di, log);
    if (st != VDA_IMG_OK)
        return st;
    uint64_t file_size = (uint64_t)VDA_BMP_FILE_HEADER_SIZE + di.pixel_offset + di.image_size;
    if (file_size > UINT32_MAX || file_size > SIZE_MAX) {
        vda_warn(log, "DIB refused: a %" PRIu64 "-byte BMP file cannot say its size", file_size);
        return VDA_IMG_ERR_TOO_LARGE;
    }
    bmp->data = malloc((size_t)file_size);
    if (!bmp->data) {
        vda_warn(log, "DIB to BMP: out of memory for %" PRIu64 " bytes", file_size);
        return VDA_IMG_ERR_NO_MEMORY;
    }
    bmp->size = (size_t)file_size;
    vda_bmp_file_header_write(bmp->data, (uint32_t)file_size,
                              (uint32_t)(VDA_BMP_FILE_HEADER_SIZE + di.pixel_offset));
    vda_dib_write_packed(&di, dib, dib + di.pixel_offset, bmp->data + VDA_BMP_FILE_HEADER_SIZE);
    return VDA_IMG_OK;
}
