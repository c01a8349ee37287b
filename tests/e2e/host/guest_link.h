/* The guest side of the vdagent char device: one loopback TCP connection at a
 * time stands for the virtio-serial port being open. A guest connecting attaches
 * the vdagent char device to spice-server (the client sees the agent connect);
 * the guest closing it detaches the device (the client sees it go). */
#ifndef E2E_GUEST_LINK_H
#define E2E_GUEST_LINK_H

#include <spice.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define E2E_GUEST_BUF 65536

typedef struct e2e_guest_link {
    SpiceCharDeviceInstance sin;   /* handed to spice-server */
    SpiceServer *server;
    int listen_fd;
    int fd;                        /* connected guest, -1 if none */
    unsigned listen_src, in_src, out_src;   /* GLib source ids, 0 if none */
    bool attached;                 /* vdagent interface added to spice-server */
    uint8_t in[E2E_GUEST_BUF];     /* read from the guest, not yet taken by spice-server */
    size_t in_off, in_len;
    uint64_t to_guest, from_guest; /* bytes of this guest session */
    unsigned session;              /* guest connections so far */
    uint64_t logged_mib;           /* progress already logged, in MiB of both */
} e2e_guest_link;

/* Listens on 127.0.0.1:port (0 = any free port); returns the port or -1. */
int e2e_guest_link_init(e2e_guest_link *g, SpiceServer *server, int port);
/* Detaches the device if attached and closes every socket. */
void e2e_guest_link_close(e2e_guest_link *g);

#endif
