#include "image/image_limits.h"

#include <inttypes.h>

void vda_image_limits_default(vda_image_limits *lim)
{
    lim->max_width = 16384;
    lim->max_height = 16384;
    lim->max_bytes = (uint64_t)512 << 20;
}

vda_image_status vda_image_check_size(uint32_t width, uint32_t height,
                                      const vda_image_limits *lim, const char *what,
                                      const vda_logger *log)
{
    if (width > lim->max_width || height > lim->max_height) {
        vda_warn(log, "%s image %" PRIu32 "x%" PRIu32 " refused: above the limit %" PRIu32
                 "x%" PRIu32, what, width, height, lim->max_width, lim->max_height);
        return VDA_IMG_ERR_TOO_LARGE;
    }
    /* width, height < 2^32, so the product of the three fits in 64 bits only if we
     * divide instead of multiplying. */
    if (height != 0 && (uint64_t)width > lim->max_bytes / 4 / height) {
        vda_warn(log, "%s image %" PRIu32 "x%" PRIu32 " refused: decoded size above %"
                 PRIu64 " bytes", what, width, height, lim->max_bytes);
        return VDA_IMG_ERR_TOO_LARGE;
    }
    return VDA_IMG_OK;
}
