/* The private data of the QXL display drivers' escapes, built byte by byte.
 *
 * Both QXL drivers take the structures of <spice/qxl_windows.h> and
 * <spice/qxl_dev.h> (packed, little endian):
 *  - WDDM (qxl-wddm-dod, D3DKMTEscape driver-private): the 32-bit escape code
 *    followed by the structure; the driver refuses any other size.
 *  - XPDM (Windows 7 qxl driver, ExtEscape): the escape code is ExtEscape's
 *    own argument and the input is the structure alone.
 * One buffer serves both: `bytes` is the WDDM form, the XPDM input starts at
 * VDA_QXL_ESCAPE_CODE_SIZE. */
#ifndef VDA_QXL_ESCAPE_H
#define VDA_QXL_ESCAPE_H

#include <stddef.h>
#include <stdint.h>

#include <spice/qxl_dev.h>
#include <spice/qxl_windows.h>

#define VDA_QXL_ESCAPE_CODE_SIZE 4u
#define VDA_QXL_ESCAPE_MAX (VDA_QXL_ESCAPE_CODE_SIZE + sizeof(QXLHead))

typedef struct vda_qxl_escape {
    uint32_t code;            /* QXL_ESCAPE_SET_CUSTOM_DISPLAY or QXL_ESCAPE_MONITOR_CONFIG */
    size_t size;              /* bytes used in `bytes` (code + structure) */
    uint8_t bytes[VDA_QXL_ESCAPE_MAX];
} vda_qxl_escape;

/* QXL_ESCAPE_SET_CUSTOM_DISPLAY: "add (or replace) the custom mode xres x yres
 * at bpp"; the driver then lists it. */
void vda_qxl_escape_custom_display(vda_qxl_escape *e, uint32_t width, uint32_t height,
                                   uint32_t bpp);

/* QXL_ESCAPE_MONITOR_CONFIG: the head's position and size for the host. */
void vda_qxl_escape_monitor_config(vda_qxl_escape *e, uint32_t width, uint32_t height,
                                   int32_t x, int32_t y);

/* The XPDM input (the structure without the code) and its size. */
static inline const uint8_t *vda_qxl_escape_struct(const vda_qxl_escape *e, size_t *size)
{
    *size = e->size - VDA_QXL_ESCAPE_CODE_SIZE;
    return e->bytes + VDA_QXL_ESCAPE_CODE_SIZE;
}

#endif
