/* Choosing the display mode closest to what the client asked for.
 *
 * The client asks for its window size; the guest's display driver offers a
 * fixed list of modes. Rules, in order:
 *   1. A mode with exactly the requested width x height wins. Among those, the
 *      requested depth if offered, else the deepest one.
 *   2. Otherwise the largest mode that fits inside the request (width and
 *      height both <= requested): the guest screen then shows whole in the
 *      client window without scaling or scrolling. Ties on area go to the
 *      aspect ratio closest to the request's, then to the depth rule above.
 *   3. If no mode fits, the smallest mode by area (the least oversized), ties
 *      again by aspect ratio, then depth.
 * A depth of 0 in the request means "any" (deepest wins). Frequency is not a
 * criterion: Windows picks it for the chosen size. Modes with a zero width or
 * height are ignored. */
#ifndef VDA_DISPLAY_MODES_H
#define VDA_DISPLAY_MODES_H

#include <stddef.h>
#include <stdint.h>

typedef struct vda_display_mode {
    uint32_t width, height;
    uint32_t depth;   /* bits per pixel */
} vda_display_mode;

/* Index into modes[] of the best mode for width x height (depth 0 = any), or
 * -1 when modes[] holds no usable mode. */
long vda_display_mode_choose(const vda_display_mode *modes, size_t count, uint32_t width,
                             uint32_t height, uint32_t depth);

#endif
