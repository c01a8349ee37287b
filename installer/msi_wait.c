/* msi_wait.exe DIR: waits (at most 20 s) until no process runs a program from DIR.
 *
 * The MSI runs it (from its Binary table, so it locks nothing in DIR) right after
 * StopServices when the product is removed (uninstall, or the old version during
 * an upgrade). The service manager reports spice-agent STOPPED a few milliseconds
 * before the vdservice.exe process has exited; until then its image (and the
 * agent's, whose handles it holds) cannot be deleted, and RemoveFiles would leave
 * them behind for a reboot. Always exits 0: the install must not fail here. */
#include <windows.h>
#include <psapi.h>
#include <stdio.h>
#include <wchar.h>

#define WAIT_LIMIT_MS 20000u
#define MAX_PROCESSES 4096u

/* 1 if process `pid` is alive and runs an exe directly in `dir` (which ends with a
 * backslash); *out is then a handle to wait on. */
static int runs_from(DWORD pid, const wchar_t *dir, size_t dir_len, HANDLE *out)
{
    HANDLE h = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION | SYNCHRONIZE, FALSE, pid);
    if (!h)
        return 0;
    wchar_t image[MAX_PATH * 2];
    DWORD n = MAX_PATH * 2, code = 0;
    if (GetExitCodeProcess(h, &code) && code == STILL_ACTIVE &&
        QueryFullProcessImageNameW(h, 0, image, &n) && n > dir_len &&
        _wcsnicmp(image, dir, dir_len) == 0 && !wcschr(image + dir_len, L'\\')) {
        *out = h;
        return 1;
    }
    CloseHandle(h);
    return 0;
}

int wmain(int argc, wchar_t **argv);
int wmain(int argc, wchar_t **argv)
{
    if (argc != 2 || !argv[1][0] || wcslen(argv[1]) >= MAX_PATH) {
        fprintf(stderr, "usage: msi_wait.exe DIR\n");
        return 0;
    }
    /* The MSI passes "[INSTALLDIR]." (a quoted path must not end with a backslash):
     * the full path form drops the dot. */
    wchar_t dir[MAX_PATH + 2];
    DWORD len = GetFullPathNameW(argv[1], MAX_PATH, dir, NULL);
    if (len == 0 || len >= MAX_PATH)
        return 0;
    size_t dir_len = len;
    if (dir[dir_len - 1] != L'\\') {
        dir[dir_len++] = L'\\';
        dir[dir_len] = 0;
    }

    static DWORD pids[MAX_PROCESSES];
    DWORD start = GetTickCount();
    while (GetTickCount() - start < WAIT_LIMIT_MS) {
        DWORD bytes = 0;
        if (!EnumProcesses(pids, sizeof pids, &bytes))
            return 0;
        HANDLE found = NULL;
        for (DWORD i = 0; i < bytes / sizeof pids[0] && !found; i++)
            runs_from(pids[i], dir, dir_len, &found);
        if (!found)
            return 0;
        DWORD elapsed = GetTickCount() - start;
        DWORD left = elapsed < WAIT_LIMIT_MS ? WAIT_LIMIT_MS - elapsed : 0;
        DWORD r = WaitForSingleObject(found, left);
        CloseHandle(found);
        if (r != WAIT_OBJECT_0)
            break;
    }
    return 0; /* still running after the limit: RemoveFiles schedules a reboot */
}
