/* One overlapped transfer at a time on a handle: read, write or a named pipe's
 * connect. Completion, synchronous or not, always shows up as the event being
 * set, so a wait loop has one path. */
#ifndef VDW_OVERLAPPED_H
#define VDW_OVERLAPPED_H

#include <windows.h>

typedef struct vdw_ovio {
    OVERLAPPED ov;             /* ov.hEvent created once, manual reset */
    int pending;               /* the system owns ov and the buffer */
} vdw_ovio;

int vdw_ovio_init(vdw_ovio *io);
void vdw_ovio_free(vdw_ovio *io);
/* Start a transfer; its completion (also a synchronous one) is reported through
 * ov.hEvent. ERROR_SUCCESS when started (io->pending set), else the error. */
DWORD vdw_ovio_read(vdw_ovio *io, HANDLE h, void *buf, DWORD len);
DWORD vdw_ovio_write(vdw_ovio *io, HANDLE h, const void *buf, DWORD len);
/* ConnectNamedPipe; a client that connected before the call completes it at once. */
DWORD vdw_ovio_connect(vdw_ovio *io, HANDLE pipe);
/* The result of the transfer without waiting: ERROR_SUCCESS and *n, the
 * transfer's error, or ERROR_IO_INCOMPLETE (still pending, nothing changed). */
DWORD vdw_ovio_finish(vdw_ovio *io, HANDLE h, DWORD *n);
/* Waits up to timeout_ms (or until `abort`, may be NULL, is set) and finishes.
 * On timeout or abort the transfer is cancelled and WAIT_TIMEOUT or
 * ERROR_OPERATION_ABORTED returned; the buffer is free again either way. */
DWORD vdw_ovio_wait(vdw_ovio *io, HANDLE h, HANDLE abort, DWORD timeout_ms, DWORD *n);
/* Cancels a pending transfer and waits until the system is done with the buffer. */
void vdw_ovio_cancel(vdw_ovio *io, HANDLE h);

#endif
