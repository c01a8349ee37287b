#include "agent/qxl_escape.h"

#include <string.h>

#include "base/le_bytes.h"

/* Offsets come from the protocol's own structures, so a change there shows up
 * here (and in tests/unit/test_qxl_escape.c) instead of silently. */
#define PUT(e, type, field, v) \
    vda_put_le32((e)->bytes + VDA_QXL_ESCAPE_CODE_SIZE + offsetof(type, field), (uint32_t)(v))

void vda_qxl_escape_custom_display(vda_qxl_escape *e, uint32_t width, uint32_t height,
                                   uint32_t bpp)
{
    memset(e, 0, sizeof *e);
    e->code = QXL_ESCAPE_SET_CUSTOM_DISPLAY;
    e->size = VDA_QXL_ESCAPE_CODE_SIZE + sizeof(QXLEscapeSetCustomDisplay);
    vda_put_le32(e->bytes, e->code);
    PUT(e, QXLEscapeSetCustomDisplay, xres, width);
    PUT(e, QXLEscapeSetCustomDisplay, yres, height);
    PUT(e, QXLEscapeSetCustomDisplay, bpp, bpp);
}

void vda_qxl_escape_monitor_config(vda_qxl_escape *e, uint32_t width, uint32_t height,
                                   int32_t x, int32_t y)
{
    memset(e, 0, sizeof *e);
    e->code = QXL_ESCAPE_MONITOR_CONFIG;
    e->size = VDA_QXL_ESCAPE_CODE_SIZE + sizeof(QXLHead);
    vda_put_le32(e->bytes, e->code);
    /* id and surface_id stay 0: the driver has one head per device. */
    PUT(e, QXLHead, width, width);
    PUT(e, QXLHead, height, height);
    PUT(e, QXLHead, x, x);   /* two's complement, as the driver reads it */
    PUT(e, QXLHead, y, y);
}
