/* Fuzzes PNG -> DIB (and vda_png_has_alpha). Half the inputs get their chunk
 * CRCs recomputed first, so mutations reach libpng's decoding instead of all
 * dying at the CRC check; the other half go in as they are. A DIB that comes out
 * must parse and re-encode to a PNG of the same size. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "image_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void fix_crcs(uint8_t *p, size_t size)
{
    size_t pos = 8;
    while (pos + 12 <= size) {
        uint32_t n = be32(p + pos);
        if (n > size - pos - 12)
            break;
        uint32_t crc = (uint32_t)crc32(0, p + pos + 4, n + 4);
        uint8_t *c = p + pos + 8 + n;
        c[0] = (uint8_t)(crc >> 24);
        c[1] = (uint8_t)(crc >> 16);
        c[2] = (uint8_t)(crc >> 8);
        c[3] = (uint8_t)crc;
        pos += 12 + (size_t)n;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vda_image_limits lim;
    fuzz_limits(&lim);
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    if (size % 2 == 0)
        fix_crcs(copy, size);
    int want_v5 = size % 4 < 2;
    (void)vda_png_has_alpha(copy, size);
    vda_buf dib;
    vda_image_status st = vda_png_to_dib(copy, size, &lim, want_v5, &dib, NULL);
    if (st == VDA_IMG_OK) {
        fuzz_check_dib(&dib, &lim);
        vda_dib_info di;
        if (vda_dib_parse(dib.data, dib.size, &lim, &di, NULL) != VDA_IMG_OK)
            abort();
        vda_buf png;
        if (vda_dib_to_png(dib.data, dib.size, &lim, NULL, &png, NULL) != VDA_IMG_OK)
            abort();
        fuzz_check_png(&png, di.width, di.height, &lim);
        free(png.data);
        free(dib.data);
    } else if (dib.data || dib.size) {
        abort();
    }
    free(copy);
    return 0;
}
