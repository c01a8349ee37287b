/* A SpiceCoreInterface (timers, fd watches, channel events) on the default GLib
 * main context. spice-server's callbacks carry no context pointer of their own,
 * so the core is a constant table; each timer/watch carries its own state. */
#ifndef E2E_GLIB_CORE_H
#define E2E_GLIB_CORE_H

#include <spice.h>

/* channel_event prints one stderr line per main-channel connect/disconnect so
 * test logs show when a client came or went. */
SpiceCoreInterface *e2e_glib_core(void);

#endif
