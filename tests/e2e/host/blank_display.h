/* A QXL display device with one blank primary surface and no drawing commands.
 * Why it exists: spice-server offers client mouse mode only when a QXL instance
 * has an active primary surface created in client mouse mode (reds.c asks every
 * QXL instance; with none, client mode is never allowed), even when the agent
 * moves the pointer. The surface never changes: the tests only need the mode. */
#ifndef E2E_BLANK_DISPLAY_H
#define E2E_BLANK_DISPLAY_H

#include <spice.h>
#include <stdint.h>

/* The device's address as spice-server reports it in GRAPHICS_DEVICE_INFO. */
#define E2E_BLANK_DISPLAY_ADDRESS "pci/0000/02.0"

typedef struct e2e_blank_display {
    QXLInstance qxl;               /* handed to spice-server */
    uint8_t *pixels;               /* the primary surface's memory, 32 bpp */
} e2e_blank_display;

/* Adds the device to the server and creates its primary surface; 0 or -1. */
int e2e_blank_display_init(e2e_blank_display *d, SpiceServer *server, uint32_t width,
                           uint32_t height);
/* Destroys the primary surface; the device itself goes with spice_server_destroy. */
void e2e_blank_display_close(e2e_blank_display *d);

#endif
