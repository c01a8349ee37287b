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

#include "base/vda_log.h"
#include "image/image_types.h"
#include "image/image_limits.h"
#include "image/png_codec.h"

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

#endif
