/* Clipboard images: PNG and BMP (SPICE, VD_AGENT_CLIPBOARD_IMAGE_PNG / _BMP) <->
 * DIB (Win32 CF_DIB / CF_DIBV5: a BITMAPINFOHEADER or BITMAPV5HEADER, then colour
 * masks or palette, then pixel rows; no BITMAPFILEHEADER).
 *
 * Portable: the Windows structs are read and written byte by byte (little-endian).
 * Every size is checked before anything is allocated: dimensions against the limits,
 * row strides and total sizes against overflow and against the input's length. A
 * malformed or over-large image is refused with one log line and a status; it never
 * makes the code read or write out of bounds. */
#ifndef VDA_IMAGE_CONVERT_H
#define VDA_IMAGE_CONVERT_H

#include <stddef.h>
#include <stdint.h>

#include "vda_log.h"

typedef enum vda_image_status {
    VDA_IMG_OK = 0,
    VDA_IMG_ERR_MALFORMED,     /* headers or data inconsistent, truncated, undecodable */
    VDA_IMG_ERR_UNSUPPORTED,   /* valid but a variant we do not handle (e.g. BI_JPEG) */
    VDA_IMG_ERR_TOO_LARGE,     /* dimensions or decoded size above the limits */
    VDA_IMG_ERR_NO_MEMORY,
} vda_image_status;

typedef struct vda_image_limits {
    uint32_t max_width;        /* pixels */
    uint32_t max_height;
    uint64_t max_bytes;        /* decoded 32-bpp size (width * height * 4) */
} vda_image_limits;

/* 16384 x 16384 and 512 MiB decoded. */
void vda_image_limits_default(vda_image_limits *lim);

/* A malloc'd output buffer; the caller frees data with free(). */
typedef struct vda_buf {
    uint8_t *data;
    size_t size;
} vda_buf;

/* PNG encoder settings: the defaults are chosen for clipboard screenshots (fast,
 * small); see bench/bench_png.c. */
typedef struct vda_png_options {
    int zlib_level;            /* 0..9; -1: libpng's default */
    int zlib_strategy;         /* Z_DEFAULT_STRATEGY, Z_RLE, ...; -1: libpng's default */
    int filters;               /* PNG_FILTER_* mask; -1: libpng's default */
} vda_png_options;
void vda_png_options_default(vda_png_options *o);

/* lim may be NULL in every function below: vda_image_limits_default(). */

/* DIB (CF_DIB or CF_DIBV5 contents) -> PNG (8-bit RGB, or RGBA when
 * vda_dib_has_alpha). Handles BITMAPINFOHEADER (also the 52/56-byte variants),
 * V4 and V5 headers; top-down and bottom-up; BI_RGB and BI_BITFIELDS (any
 * contiguous, non-overlapping masks; a V4/V5 DIB that repeats its masks after the
 * header is accepted); 1/4/8 bpp with palette (biClrUsed 0 = 2^bpp entries; an
 * index past the palette reads black), 16/24/32 bpp. RLE, JPEG and PNG
 * compressions are refused as UNSUPPORTED. opts may be NULL (defaults). */
vda_image_status vda_dib_to_png(const uint8_t *dib, size_t len, const vda_image_limits *lim,
                                const vda_png_options *opts, vda_buf *png,
                                const vda_logger *log);

/* PNG -> DIB. Every colour type and bit depth libpng can expand, interlaced too.
 * Writes a bottom-up 32-bpp DIB, straight (not premultiplied) alpha in the top
 * byte (0xFF where the PNG has no transparency). With want_v5 a BITMAPV5HEADER,
 * BI_BITFIELDS with alpha mask FF000000, sRGB (for CF_DIBV5), else a
 * BITMAPINFOHEADER BI_RGB (for CF_DIB). 16-bit channels are scaled to 8. */
vda_image_status vda_png_to_dib(const uint8_t *png, size_t len, const vda_image_limits *lim,
                                int want_v5, vda_buf *dib, const vda_logger *log);

/* True if the PNG declares transparency (an alpha channel or tRNS): then the
 * agent offers CF_DIBV5 too. Reads only the header chunks; 0 for a bad PNG. */
int vda_png_has_alpha(const uint8_t *png, size_t len);

/* BMP file (BITMAPFILEHEADER + DIB) -> DIB: validated, then the DIB part copied
 * (header, masks, palette, rows; a gap before the rows is dropped, and a V5
 * header's linked/embedded colour profile too: the copy says sRGB). */
vda_image_status vda_bmp_to_dib(const uint8_t *bmp, size_t len, const vda_image_limits *lim,
                                vda_buf *dib, const vda_logger *log);

/* DIB -> BMP file: a BITMAPFILEHEADER with the right pixel offset, then the DIB. */
vda_image_status vda_dib_to_bmp(const uint8_t *dib, size_t len, const vda_image_limits *lim,
                                vda_buf *bmp, const vda_logger *log);

/* True if the DIB has an alpha channel worth keeping: 32 bpp (or 16 bpp with an
 * alpha mask) whose alpha is neither all 0 (BI_RGB screenshots: opaque) nor all
 * opaque. vda_dib_to_png writes RGBA exactly when this is true, else RGB. */
int vda_dib_has_alpha(const uint8_t *dib, size_t len);

const char *vda_image_status_str(vda_image_status s);

#endif
