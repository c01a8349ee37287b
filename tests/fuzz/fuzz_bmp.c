/* Fuzzes BMP -> DIB. A DIB that comes out must parse, convert to PNG, and go
 * back to a BMP. Refusals must leave no output. */
#include <stdint.h>
#include <stdlib.h>

#include "image_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vda_image_limits lim;
    fuzz_limits(&lim);
    vda_buf dib;
    vda_image_status st = vda_bmp_to_dib(data, size, &lim, &dib, NULL);
    if (st != VDA_IMG_OK) {
        if (dib.data || dib.size)
            abort();
        return 0;
    }
    fuzz_check_dib(&dib, &lim);
    vda_dib_info di;
    if (vda_dib_parse(dib.data, dib.size, &lim, &di, NULL) != VDA_IMG_OK)
        abort();
    vda_buf png, bmp;
    if (vda_dib_to_png(dib.data, dib.size, &lim, NULL, &png, NULL) != VDA_IMG_OK)
        abort();
    fuzz_check_png(&png, di.width, di.height, &lim);
    if (vda_dib_to_bmp(dib.data, dib.size, &lim, &bmp, NULL) != VDA_IMG_OK || bmp.size != dib.size + 14)
        abort();
    free(bmp.data);
    free(png.data);
    free(dib.data);
    return 0;
}
