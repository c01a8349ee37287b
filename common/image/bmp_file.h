/* BITMAPFILEHEADER: the 14 bytes a .bmp file (and SPICE's image/bmp clipboard
 * type) has in front of the DIB. */
#ifndef VDA_BMP_FILE_H
#define VDA_BMP_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "base/vda_log.h"
#include "image/image_types.h"

#define VDA_BMP_FILE_HEADER_SIZE 14u

/* Checks the "BM" signature and returns the pixel offset (bfOffBits, from the
 * start of the file) in *pixel_offset. bfSize is not trusted (writers get it
 * wrong); the DIB parser checks the real sizes. */
vda_image_status vda_bmp_file_header_read(const uint8_t *bmp, size_t len,
                                          uint32_t *pixel_offset, const vda_logger *log);

/* Writes the 14 bytes for a file of file_size bytes whose rows start at
 * pixel_offset. Both must fit in 32 bits (the caller checks). */
void vda_bmp_file_header_write(uint8_t *out, uint32_t file_size, uint32_t pixel_offset);

#endif
