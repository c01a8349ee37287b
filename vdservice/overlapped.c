/* One overlapped transfer at a time on a handle. Completion, synchronous or not,
 * always shows up as the event being set, so the wait loop has one path. */
#include "overlapped.h"

int vds_ovio_init(vds_ovio *io)
{
    ZeroMemory(io, sizeof *io);
    io->ov.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
    return io->ov.hEvent ? 0 : -1;
}

void vds_ovio_free(vds_ovio *io)
{
    if (io->ov.hEvent)
        CloseHandle(io->ov.hEvent);
    io->ov.hEvent = NULL;
}

static DWORD started(vds_ovio *io, BOOL ok)
{
    DWORD err = ok ? ERROR_SUCCESS : GetLastError();
    if (err == ERROR_SUCCESS || err == ERROR_IO_PENDING) {
        io->pending = 1;
        return ERROR_SUCCESS;
    }
    return err;
}

static void reset_ov(vds_ovio *io)
{
    HANDLE ev = io->ov.hEvent;
    ZeroMemory(&io->ov, sizeof io->ov);
    io->ov.hEvent = ev;
    ResetEvent(ev);
}

DWORD vds_ovio_read(vds_ovio *io, HANDLE h, void *buf, DWORD len)
{
    reset_ov(io);
    return started(io, ReadFile(h, buf, len, NULL, &io->ov));
}

DWORD vds_ovio_write(vds_ovio *io, HANDLE h, const void *buf, DWORD len)
{
    reset_ov(io);
    return started(io, WriteFile(h, buf, len, NULL, &io->ov));
}

DWORD vds_ovio_connect(vds_ovio *io, HANDLE pipe)
{
    reset_ov(io);
    BOOL ok = ConnectNamedPipe(pipe, &io->ov);
    if (!ok && GetLastError() == ERROR_PIPE_CONNECTED) { /* connected before we asked */
        SetEvent(io->ov.hEvent);                        /* the system does not set it */
        ok = TRUE;
    }
    return started(io, ok);
}

DWORD vds_ovio_finish(vds_ovio *io, HANDLE h, DWORD *n)
{
    *n = 0;
    io->pending = 0;
    if (GetOverlappedResult(h, &io->ov, n, FALSE))
        return ERROR_SUCCESS;
    DWORD err = GetLastError();
    return err == ERROR_SUCCESS ? ERROR_GEN_FAILURE : err;
}

void vds_ovio_cancel(vds_ovio *io, HANDLE h)
{
    if (!io->pending)
        return;
    DWORD n;
    CancelIoEx(h, &io->ov);
    GetOverlappedResult(h, &io->ov, &n, TRUE); /* the buffer is ours again after this */
    io->pending = 0;
}
