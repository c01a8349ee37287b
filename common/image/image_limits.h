/* The size check every decoder makes before it allocates anything. */
#ifndef VDA_IMAGE_LIMITS_H
#define VDA_IMAGE_LIMITS_H

#include <stdint.h>

#include "base/vda_log.h"
#include "image/image_types.h"

/* 16384 x 16384 and 512 MiB decoded. */
void vda_image_limits_default(vda_image_limits *lim);

/* OK, or TOO_LARGE (logged, with `what` naming the input, e.g. "PNG") when
 * width x height is above the limits or its 32-bpp size above lim->max_bytes.
 * Zero dimensions are the caller's business (they are malformed, not large). */
vda_image_status vda_image_check_size(uint32_t width, uint32_t height,
                                      const vda_image_limits *lim, const char *what,
                                      const vda_logger *log);

#endif
