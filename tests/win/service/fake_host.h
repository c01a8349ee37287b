/* The host side of the vdservice tests: serves a named pipe that vdservice opens
 * as its "device" (--device), and behaves like spice-server towards it: each
 * connection (the guest opening the port) starts fresh framing and message
 * state, and whatever was half received when the guest closed is dropped. */
#ifndef FAKE_HOST_H
#define FAKE_HOST_H

#include <windows.h>
#include <stdint.h>

#define HOST_ERROR_MAX 200

typedef struct host_msg {
    int conn;              /* which connection (1, 2, ...) it came on */
    uint32_t port, type, size;
    uint8_t *data;
} host_msg;

typedef struct fake_host {
    wchar_t name[128];
    HANDLE h;
    HANDLE thread;
    CRITICAL_SECTION lock;
    HANDLE changed;        /* auto-reset: set on every connect, disconnect, message */
    HANDLE kick;           /* auto-reset: host_kick asks the host thread to cut the guest off */
    volatile LONG stop;
    int connected, connects, disconnects;
    int errors;            /* framing or message errors seen on any connection */
    char last_error[HOST_ERROR_MAX];
    host_msg q[512];
    int qn;
} fake_host;

int host_start(fake_host *h, const wchar_t *name);
void host_stop(fake_host *h);
/* The host closes the device under the guest (spice-server side disconnect). */
void host_kick(fake_host *h);
/* Waits until `field` (connects/disconnects) reaches n; 0 on success. */
int host_wait_count(fake_host *h, const int *field, int n, DWORD timeout_ms);
/* Pops the next message; 0 on success, -1 on timeout. Free data with free(). */
int host_next_msg(fake_host *h, host_msg *m, DWORD timeout_ms);
int host_write(fake_host *h, const void *data, size_t len, DWORD timeout_ms);
int host_send_msg(fake_host *h, uint32_t port, uint32_t type, const void *data, uint32_t size);
/* The host thread updates the counters and last_error under `lock`: read them
 * only through these (or host_wait_count). host_snapshot returns `connected`. */
int host_snapshot(fake_host *h, int *connects, int *disconnects, int *errors);
int host_connects(fake_host *h);
int host_disconnects(fake_host *h);
/* The error count; copies last_error into buf (cap bytes). */
int host_errors(fake_host *h, char *buf, size_t cap);

#endif
