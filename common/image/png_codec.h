/* libpng in memory: encoding 8-bit RGB(A) rows into a PNG, decoding any PNG into
 * 8-bit BGRA rows laid out as a bottom-up DIB. libpng's errors are caught
 * (setjmp) and everything allocated is freed; one log line per refused input. */
#ifndef VDA_PNG_CODEC_H
#define VDA_PNG_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "base/vda_log.h"
#include "image/image_types.h"

/* Defaults chosen for clipboard screenshots (fast, small); see bench/bench_png.c. */
void vda_png_options_default(vda_png_options *o);

/* Fills row y (0 = top) with width RGB or RGBA bytes. */
typedef void (*vda_png_row_fn)(void *ctx, uint32_t y, uint8_t *row);

/* Encodes a width x height 8-bit RGB (or RGBA, with_alpha) image whose rows come
 * from fill_row, top to bottom. opts NULL: vda_png_options_default(). */
vda_image_status vda_png_encode(uint32_t width, uint32_t height, int with_alpha,
                                vda_png_row_fn fill_row, void *ctx,
                                const vda_png_options *opts, vda_buf *out,
                                const vda_logger *log);

typedef struct vda_png_info {
    uint32_t width, height;
    int has_alpha;            /* alpha channel or tRNS transparency */
    int color_type, bit_depth, interlaced;
} vda_png_info;

/* Reads only the header chunks (up to the first IDAT). */
vda_image_status vda_png_read_info(const uint8_t *png, size_t len, vda_png_info *info,
                                   const vda_logger *log);

/* Decodes the whole image after checking its size against lim. out gets `prefix`
 * bytes left for the caller (a DIB header), then height rows of width * 4 bytes,
 * B G R A, the bottom row first. info (may be NULL) describes the PNG. */
vda_image_status vda_png_decode_bgra_bottom_up(const uint8_t *png, size_t len,
                                               const vda_image_limits *lim, size_t prefix,
                                               vda_buf *out, vda_png_info *info,
                                               const vda_logger *log);

#endif
