/* Shared by the image fuzzers: small limits (so a fuzzed header cannot make a
 * run allocate or loop for long) and the invariants every successful conversion
 * must satisfy. A violation aborts, which libFuzzer reports. */
#ifndef VDA_IMAGE_FUZZ_H
#define VDA_IMAGE_FUZZ_H

#include <stdlib.h>

#include "image/dib_format.h"
#include "image/image_convert.h"

static inline void fuzz_limits(vda_image_limits *lim)
{
    lim->max_width = 2048;
    lim->max_height = 2048;
    lim->max_bytes = 4u << 20;
}

/* A DIB we produced must parse, and fit its buffer exactly. */
static inline void fuzz_check_dib(const vda_buf *dib, const vda_image_limits *lim)
{
    vda_dib_info di;
    if (vda_dib_parse(dib->data, dib->size, lim, &di, NULL) != VDA_IMG_OK)
        abort();
    if (di.pixel_offset + di.image_size != dib->size)
        abort();
}

/* A PNG we produced must decode, to the given size. */
static inline void fuzz_check_png(const vda_buf *png, uint32_t w, uint32_t h,
                                  const vda_image_limits *lim)
{
    vda_buf dib;
    if (vda_png_to_dib(png->data, png->size, lim, 1, &dib, NULL) != VDA_IMG_OK)
        abort();
    if (dib.size != VDA_DIB_V5_SIZE + (size_t)w * h * 4)
        abort();
    fuzz_check_dib(&dib, lim);
    free(dib.data);
}

#endif
