#include "vdw_pipe.h"

#include <stdio.h>

const wchar_t *vdw_pipe_path(const wchar_t *name, wchar_t *out, size_t len)
{
    _snwprintf(out, len - 1, L"\\\\.\\pipe\\%ls", name);
    out[len - 1] = 0;
    return out;
}

HANDLE vdw_pipe_create(const wchar_t *path, DWORD buf_size, DWORD open_flags, DWORD pipe_flags,
                       SECURITY_ATTRIBUTES *sa)
{
    return CreateNamedPipeW(path, PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED | open_flags,
                            PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT | pipe_flags, 1,
                            buf_size, buf_size, 0, sa);
}

HANDLE vdw_pipe_open(const wchar_t *path, DWORD flags, DWORD timeout_ms, DWORD *err)
{
    ULONGLONG start = GetTickCount64();
    for (;;) {
        HANDLE h = CreateFileW(path, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, flags,
                               NULL);
        if (h != INVALID_HANDLE_VALUE)
            return h;
        *err = GetLastError();
        if ((*err != ERROR_PIPE_BUSY && *err != ERROR_FILE_NOT_FOUND) ||
            GetTickCount64() - start > timeout_ms)
            return INVALID_HANDLE_VALUE;
        if (*err == ERROR_PIPE_BUSY)
            WaitNamedPipeW(path, 50);
        else
            Sleep(20); /* the server has not created it yet */
    }
}
