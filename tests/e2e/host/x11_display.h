/* x11_display: a QXL display device that mirrors an X screen (the Xvfb Wine
 * draws on). The primary surface has the screen's size; X DAMAGE says which
 * regions changed, MIT-SHM reads just those, and each one becomes a QXL copy
 * drawable for spice-server. A RandR screen change (the agent set a new mode)
 * recreates the primary surface at the new size, so the client follows. The
 * X cursor's shape (XFIXES) goes out as QXL cursor commands: in client mouse
 * mode the viewer draws its own pointer with it.
 *
 * Everything but the QXL callbacks runs on the GLib main loop; the callbacks
 * run on spice-server's display worker and only touch the command queue. */
#ifndef E2E_X11_DISPLAY_H
#define E2E_X11_DISPLAY_H

#include <glib.h>
#include <spice.h>
#include <stdint.h>

typedef struct e2e_x11_display e2e_x11_display;

/* Connects to X display `name` (NULL: $DISPLAY), adds the QXL device to
 * `server` and creates the primary surface. NULL (with a log line) on failure. */
e2e_x11_display *e2e_x11_display_new(SpiceServer *server, const char *name);

/* Before spice_server_destroy: the primary surface goes, X is left alone. */
void e2e_x11_display_close(e2e_x11_display *d);

/* After spice_server_destroy (the worker is gone): frees what is left. */
void e2e_x11_display_free(e2e_x11_display *d);

#endif
