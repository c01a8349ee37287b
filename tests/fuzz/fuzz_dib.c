/* Fuzzes DIB -> PNG, DIB -> BMP and vda_dib_has_alpha. What comes out must be
 * valid: the PNG decodes to the DIB's size, the BMP converts back to a DIB that
 * parses. Refusals must leave no output. */
#include <stdint.h>
#include <stdlib.h>

#include "image_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vda_image_limits lim;
    fuzz_limits(&lim);
    vda_dib_info di;
    int valid = vda_dib_parse(data, size, &lim, &di, NULL) == VDA_IMG_OK;
    (void)vda_dib_has_alpha(data, size);

    vda_buf png;
    vda_image_status st = vda_dib_to_png(data, size, &lim, NULL, &png, NULL);
    if ((st == VDA_IMG_OK) != valid)
        abort();
    if (st == VDA_IMG_OK) {
        fuzz_check_png(&png, di.width, di.height, &lim);
        free(png.data);
    } else if (png.data || png.size) {
        abort();
    }

    vda_buf bmp;
    st = vda_dib_to_bmp(data, size, &lim, &bmp, NULL);
    if ((st == VDA_IMG_OK) != valid)
        abort();
    if (st == VDA_IMG_OK) {
        vda_buf back;
        if (vda_bmp_to_dib(bmp.data, bmp.size, &lim, &back, NULL) != VDA_IMG_OK)
            abort();
        fuzz_check_dib(&back, &lim);
        free(back.data);
        free(bmp.data);
    } else if (bmp.data || bmp.size) {
        abort();
    }
    return 0;
}
