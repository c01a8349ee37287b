#include "image/image_types.h"

const char *vda_image_status_str(vda_image_status s)
{
    switch (s) {
    case VDA_IMG_OK: return "ok";
    case VDA_IMG_ERR_MALFORMED: return "malformed image";
    case VDA_IMG_ERR_UNSUPPORTED: return "unsupported image variant";
    case VDA_IMG_ERR_TOO_LARGE: return "image too large";
    case VDA_IMG_ERR_NO_MEMORY: return "out of memory";
    }
    return "unknown image status";
}
