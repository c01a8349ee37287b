/* Reading the pixels of a validated DIB (see dib_format.h) as 8-bit RGB(A) rows,
 * whatever the layout: palette, 16/24/32 bpp, any masks, either row order. */
#ifndef VDA_DIB_PIXELS_H
#define VDA_DIB_PIXELS_H

#include <stdint.h>

#include "image/dib_format.h"

typedef struct vda_dib_reader {
    const vda_dib_info *di;
    const uint8_t *pixels;
    uint8_t palette[256][3];    /* RGB; indices past palette_count read black */
    uint8_t scale[4][256];      /* R, G, B, A: channel value -> 8 bits (<= 8-bit channels) */
    int fast32;                 /* 32 bpp laid out as BGRA bytes */
} vda_dib_reader;

/* di must come from vda_dib_parse on this dib (pixels inside it). */
void vda_dib_reader_init(vda_dib_reader *r, const vda_dib_info *di, const uint8_t *dib);

/* True when the alpha channel carries something: some pixels differ from fully
 * opaque, and not all are 0 (an all-zero alpha is what BI_RGB screenshots have:
 * it means opaque). False when there is no alpha channel. */
int vda_dib_reader_alpha_used(const vda_dib_reader *r);

/* Row y (0 = the top of the picture) as RGBA (with_alpha) or RGB bytes: out has
 * room for width * 4 (or 3) bytes. Without alpha, the alpha channel is dropped. */
void vda_dib_reader_row(const vda_dib_reader *r, uint32_t y, int with_alpha, uint8_t *out);

#endif
