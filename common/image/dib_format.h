/* Parsing and validating a packed DIB (CF_DIB / CF_DIBV5 contents): the header
 * (BITMAPINFOHEADER, the 52/56-byte variants, V4, V5), colour masks, palette and
 * the geometry of the pixel rows. Read byte by byte, little-endian; every size is
 * computed in 64 bits and checked against the limits and the input's length. */
#ifndef VDA_DIB_FORMAT_H
#define VDA_DIB_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "base/vda_log.h"
#include "image/image_types.h"

/* Win32 values (wingdi.h), spelled out because common/ has no Windows headers. */
#define VDA_BI_RGB 0u
#define VDA_BI_BITFIELDS 3u
#define VDA_DIB_INFO_SIZE 40u   /* BITMAPINFOHEADER */
#define VDA_DIB_V4_SIZE 108u    /* BITMAPV4HEADER */
#define VDA_DIB_V5_SIZE 124u    /* BITMAPV5HEADER */
#define VDA_LCS_SRGB 0x73524742u           /* 'sRGB' */
#define VDA_LCS_GM_IMAGES 4u
#define VDA_PROFILE_LINKED 0x4C494E4Bu     /* 'LINK' */
#define VDA_PROFILE_EMBEDDED 0x4D424544u   /* 'MBED' */

/* One colour channel given by a bit mask: value = (pixel & mask) >> shift, of
 * `bits` bits. mask 0 means the channel is absent (only alpha may be). */
typedef struct vda_dib_channel {
    uint32_t mask;
    uint8_t shift;
    uint8_t bits;
} vda_dib_channel;

typedef struct vda_dib_info {
    uint32_t header_size;
    uint32_t width;
    uint32_t height;          /* absolute value of biHeight */
    int top_down;             /* biHeight < 0: first row in memory is the top */
    uint16_t bpp;             /* 1, 4, 8, 16, 24, 32 */
    uint32_t compression;     /* VDA_BI_RGB or VDA_BI_BITFIELDS */
    vda_dib_channel red, green, blue, alpha;   /* 16/32 bpp only */
    uint32_t palette_count;   /* RGBQUAD entries present after header and masks */
    size_t palette_offset;    /* from the start of the DIB */
    size_t pixel_offset;      /* from the start of the DIB: where the rows start */
    size_t stride;            /* bytes per row, DWORD-aligned */
    size_t image_size;        /* stride * height */
} vda_dib_info;

/* Parses the header, masks and palette of a DIB of `len` bytes and computes the
 * row geometry, with pixel_offset right after the palette ("packed"). Checks the
 * dimensions against lim; does NOT check that the pixel rows are within len
 * (a BMP file may put them elsewhere). Logs one line on failure. */
vda_image_status vda_dib_parse_header(const uint8_t *dib, size_t len,
                                      const vda_image_limits *lim, vda_dib_info *di,
                                      const vda_logger *log);

/* Parses a whole packed DIB: the header as above, and the pixel rows must follow
 * within len. Tolerates V4/V5 BI_BITFIELDS DIBs that repeat the three masks after
 * the header (some producers do). */
vda_image_status vda_dib_parse(const uint8_t *dib, size_t len, const vda_image_limits *lim,
                               vda_dib_info *di, const vda_logger *log);

/* Writes a packed DIB: the di->pixel_offset header bytes from `headers`, then
 * di->image_size pixel bytes from `pixels`, to out (which has room for both). A V5
 * header's linked or embedded colour profile is not carried (it would point
 * outside the copy): the copy says sRGB instead. */
void vda_dib_write_packed(const vda_dib_info *di, const uint8_t *headers,
                          const uint8_t *pixels, uint8_t *out);

#endif
