#include "image/bmp_file.h"

#include <inttypes.h>

#include "base/le_bytes.h"

vda_image_status vda_bmp_file_header_read(const uint8_t *bmp, size_t len,
                                          uint32_t *pixel_offset, const vda_logger *log)
{
    if (len < VDA_BMP_FILE_HEADER_SIZE || bmp[0] != 'B' || bmp[1] != 'M') {
        vda_warn(log, "BMP refused: no BM file header (%zu bytes)", len);
        return VDA_IMG_ERR_MALFORMED;
    }
    *pixel_offset = vda_le32(bmp + 10);
    return VDA_IMG_OK;
}

void vda_bmp_file_header_write(uint8_t *out, uint32_t file_size, uint32_t pixel_offset)
{
    out[0] = 'B';
    out[1] = 'M';
    vda_put_le32(out + 2, file_size);
    vda_put_le32(out + 6, 0);   /* bfReserved1, bfReserved2 */
    vda_put_le32(out + 10, pixel_offset);
}
