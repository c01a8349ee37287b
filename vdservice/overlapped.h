/* One overlapped transfer on a handle (used by the port and the pipe). */
#ifndef VDS_OVERLAPPED_H
#define VDS_OVERLAPPED_H

#include <windows.h>
#include <stdint.h>

typedef struct vds_ovio {
    OVERLAPPED ov;             /* ov.hEvent created once, manual reset */
    int pending;
} vds_ovio;

int vds_ovio_init(vds_ovio *io);
void vds_ovio_free(vds_ovio *io);
/* Starts a transfer; completion (also a synchronous one) is reported through
 * ov.hEvent. Returns ERROR_SUCCESS when started, else the error. */
DWORD vds_ovio_read(vds_ovio *io, HANDLE h, void *buf, DWORD len);
DWORD vds_ovio_write(vds_ovio *io, HANDLE h, const void *buf, DWORD len);
/* ConnectNamedPipe; a client that connected before the call completes it at once. */
DWORD vds_ovio_connect(vds_ovio *io, HANDLE pipe);
/* After ov.hEvent fired: the result of the transfer (ERROR_SUCCESS and *n). */
DWORD vds_ovio_finish(vds_ovio *io, HANDLE h, DWORD *n);
/* Cancels a pending transfer and waits until the system is done with the buffer. */
void vds_ovio_cancel(vds_ovio *io, HANDLE h);

#endif
