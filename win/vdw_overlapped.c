#include "vdw_overlapped.h"

int vdw_ovio_init(vdw_ovio *io)
{
    ZeroMemory(io, sizeof *io);
    io->ov.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
    return io->ov.hEvent ? 0 : -1;
}

void vdw_ovio_free(vdw_ovio *io)
{
    if (io->ov.hEvent)
        CloseHandle(io->ov.hEvent);
    io->ov.hEvent = NULL;
}

static DWORD started(vdw_ovio *io, BOOL ok)
{
    DWORD err = ok ? ERROR_SUCCESS : GetLastError();
    if (err == ERROR_SUCCESS || err == ERROR_IO_PENDING) {
        io->pending = 1;
        return ERROR_SUCCESS;
    }
    return err;
}

static void reset_ov(vdw_ovio *io)
{
    HANDLE ev = io->ov.hEvent;
    ZeroMemory(&io->ov, sizeof io->ov);
    io->ov.hEvent = ev;
    ResetEvent(ev);
}

DWORD vdw_ovio_read(vdw_ovio *io, HANDLE h, void *buf, DWORD len)
{
    reset_ov(io);
    return started(io, ReadFile(h, buf, len, NULL, &io->ov));
}

DWORD vdw_ovio_write(vdw_ovio *io, HANDLE h, const void *buf, DWORD len)
{
    reset_ov(io);
    return started(io, WriteFile(h, buf, len, NULL, &io->ov));
}

DWORD vdw_ovio_connect(vdw_ovio *io, HANDLE pipe)
{
    reset_ov(io);
    BOOL ok = ConnectNamedPipe(pipe, &io->ov);
    if (!ok && GetLastError() == ERROR_PIPE_CONNECTED) { /* connected before we asked */
        SetEvent(io->ov.hEvent);                        /* the system does not set it */
        ok = TRUE;
    }
    return started(io, ok);
}

DWORD vdw_ovio_finish(vdw_ovio *io, HANDLE h, DWORD *n)
{
    *n = 0;
    if (GetOverlappedResult(h, &io->ov, n, FALSE)) {
        io->pending = 0;
        return ERROR_SUCCESS;
    }
    DWORD err = GetLastError();
    if (err == ERROR_IO_INCOMPLETE)
        return err;
    io->pending = 0;
    return err == ERROR_SUCCESS ? ERROR_GEN_FAILURE : err;
}

DWORD vdw_ovio_wait(vdw_ovio *io, HANDLE h, HANDLE abort, DWORD timeout_ms, DWORD *n)
{
    HANDLE w[2] = { io->ov.hEvent, abort };
    DWORD r = WaitForMultipleObjects(abort ? 2 : 1, w, FALSE, timeout_ms);
    if (r == WAIT_OBJECT_0)
        return vdw_ovio_finish(io, h, n);
    *n = 0;
    vdw_ovio_cancel(io, h);
    return r == WAIT_TIMEOUT ? WAIT_TIMEOUT : ERROR_OPERATION_ABORTED;
}

void vdw_ovio_cancel(vdw_ovio *io, HANDLE h)
{
    if (!io->pending)
        return;
    DWORD n;
    CancelIoEx(h, &io->ov);
    GetOverlappedResult(h, &io->ov, &n, TRUE); /* the buffer is ours again after this */
    io->pending = 0;
}
