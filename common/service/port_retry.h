/* What vdservice does when the virtio-serial port refuses an open or a
 * transfer, following the vioserial driver's rules (vdservice/README.md):
 *  - a write refused at once with ERROR_CANT_WAIT (host side not connected, or
 *    the port's output queue full) or, on older drivers, ERROR_NO_SYSTEM_RESOURCES,
 *    and a read refused with ERROR_NO_SYSTEM_RESOURCES (host not connected),
 *    are "wait": the data stays queued and the transfer is retried after a
 *    bounded backoff; the port stays open and the agent notices nothing;
 *  - anything else (the port was removed, the driver restarted) is "gone":
 *    close, reopen, RESET the agent;
 *  - an open that finds no device waits for the PnP arrival notification, with
 *    a slow timer only as a fallback (without a notification, as in run mode,
 *    it retries with backoff); an open refused because someone else has the
 *    port (or any other failure) retries with backoff.
 * Win32 error numbers are spelled out here: common/ does not include <windows.h>. */
#ifndef VDA_PORT_RETRY_H
#define VDA_PORT_RETRY_H

#include <stdint.h>

#include "base/backoff.h"

#define VDA_WERR_FILE_NOT_FOUND 2u
#define VDA_WERR_PATH_NOT_FOUND 3u
#define VDA_WERR_ACCESS_DENIED 5u
#define VDA_WERR_BAD_COMMAND 22u              /* STATUS_INVALID_DEVICE_STATE */
#define VDA_WERR_SHARING_VIOLATION 32u
#define VDA_WERR_ALREADY_EXISTS 183u          /* STATUS_OBJECT_NAME_EXISTS/COLLISION */
#define VDA_WERR_CANT_WAIT 554u               /* STATUS_CANT_WAIT */
#define VDA_WERR_NO_SYSTEM_RESOURCES 1450u    /* STATUS_INSUFFICIENT_RESOURCES */
#define VDA_WERR_OBJECT_NO_LONGER_EXISTS 4390u /* STATUS_OBJECT_NO_LONGER_EXISTS */

/* Transfer retries while the host is away or its queue is full: 20 ms doubling
 * to 500 ms, so at most 2 attempts a second per direction once it lasts. */
#define VDA_PORT_IO_FIRST_MS 20u
#define VDA_PORT_IO_MAX_MS 500u
/* Opens: the device is absent (PnP arrival will say when it comes): one
 * fallback attempt every 30 s. Someone else has it, or another failure: 100 ms
 * doubling to 5 s. */
#define VDA_PORT_ABSENT_FALLBACK_MS 30000u
#define VDA_PORT_OPEN_FIRST_MS 100u
#define VDA_PORT_OPEN_MAX_MS 5000u

typedef enum vda_port_io_verdict {
    VDA_PORT_IO_OK,            /* the transfer completed */
    VDA_PORT_IO_WAIT,          /* refused for now: keep the data, retry later */
    VDA_PORT_IO_GONE,          /* the port is unusable: reopen it */
} vda_port_io_verdict;

typedef enum vda_port_open_verdict {
    VDA_PORT_OPEN_ABSENT,      /* no such device (yet) */
    VDA_PORT_OPEN_BUSY,        /* someone else has it open */
    VDA_PORT_OPEN_FAILED,      /* anything else */
} vda_port_open_verdict;

/* One direction of the port (read or write). */
typedef struct vda_port_dir {
    vda_backoff backoff;
    int waiting;               /* the last attempt was refused */
} vda_port_dir;

typedef struct vda_port_retry {
    vda_port_dir rd, wr;
    vda_backoff open;
} vda_port_retry;

void vda_port_retry_init(vda_port_retry *r);
/* A fresh opening of the port: every series starts again. */
void vda_port_retry_opened(vda_port_retry *r);

vda_port_io_verdict vda_port_io_classify(uint32_t err);
vda_port_open_verdict vda_port_open_classify(uint32_t err);

/* A transfer in direction d ended with err (0: success; n bytes). A read that
 * returns 0 bytes is refused too (no spinning on empty reads). Returns the
 * verdict; on VDA_PORT_IO_WAIT *delay_ms says when to try again. */
vda_port_io_verdict vda_port_io_result(vda_port_dir *d, uint32_t err, uint32_t n,
                                       uint32_t *delay_ms);

/* An open failed with err: the delay before the next attempt. An absent device
 * waits for the fallback when arrivals are notified (notified != 0: the
 * notification cuts the wait short), else it is retried with backoff. */
uint32_t vda_port_open_failed(vda_port_retry *r, uint32_t err, int notified);

#endif
