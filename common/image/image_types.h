/* The types every image module shares: the lowest header of image/, so that the
 * codecs (png_codec, dib_*, bmp_file) and the conversions above them (image_convert)
 * include down, never each other. */
#ifndef VDA_IMAGE_TYPES_H
#define VDA_IMAGE_TYPES_H

#include <stddef.h>
#include <stdint.h>

typedef enum vda_image_status {
    VDA_IMG_OK = 0,
    VDA_IMG_ERR_MALFORMED,     /* headers or data inconsistent, truncated, undecodable */
    VDA_IMG_ERR_UNSUPPORTED,   /* valid but a variant we do not handle (e.g. BI_JPEG) */
    VDA_IMG_ERR_TOO_LARGE,     /* dimensions or decoded size above the limits */
    VDA_IMG_ERR_NO_MEMORY,
} vda_image_status;

typedef struct vda_image_limits {
    uint32_t max_width;        /* pixels */
    uint32_t max_height;
    uint64_t max_bytes;        /* decoded 32-bpp size (width * height * 4) */
} vda_image_limits;

/* A malloc'd output buffer; the caller frees data with free(). */
typedef struct vda_buf {
    uint8_t *data;
    size_t size;
} vda_buf;

/* PNG encoder settings: the defaults are chosen for clipboard screenshots (fast,
 * small); see bench/bench_png.c. */
typedef struct vda_png_options {
    int zlib_level;            /* 0..9; -1: libpng's default */
    int zlib_strategy;         /* Z_DEFAULT_STRATEGY, Z_RLE, ...; -1: libpng's default */
    int filters;               /* PNG_FILTER_* mask; -1: libpng's default */
} vda_png_options;

const char *vda_image_status_str(vda_image_status s);

#endif
