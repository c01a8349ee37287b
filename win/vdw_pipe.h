/* Named pipes: the single-instance byte pipes of the service and the test
 * hosts, and opening one as a client with retry. */
#ifndef VDW_PIPE_H
#define VDW_PIPE_H

#include <windows.h>
#include <stddef.h>

/* A client of the service's pipe lets the server identify it, never act as it
 * (no impersonation beyond SecurityIdentification). */
#define VDW_PIPE_CLIENT_SQOS (SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION)

/* \\.\pipe\NAME into out (len wide chars, truncated to fit); returns out. */
const wchar_t *vdw_pipe_path(const wchar_t *name, wchar_t *out, size_t len);

/* A single-instance overlapped duplex byte pipe at path (\\.\pipe\...), buf_size
 * bytes each way, plus open_flags / pipe_flags (e.g. FILE_FLAG_FIRST_PIPE_INSTANCE,
 * PIPE_REJECT_REMOTE_CLIENTS). INVALID_HANDLE_VALUE: GetLastError() says why. */
HANDLE vdw_pipe_create(const wchar_t *path, DWORD buf_size, DWORD open_flags, DWORD pipe_flags,
                       SECURITY_ATTRIBUTES *sa);

/* Opens the pipe at path for reading and writing with `flags` (FILE_FLAG_OVERLAPPED,
 * VDW_PIPE_CLIENT_SQOS, ...), retrying while it is busy (a single-instance pipe is,
 * for a few ms after a close) or not created yet, for up to timeout_ms.
 * INVALID_HANDLE_VALUE with *err set when it cannot. */
HANDLE vdw_pipe_open(const wchar_t *path, DWORD flags, DWORD timeout_ms, DWORD *err);

#endif
