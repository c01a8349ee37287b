#include "file_xfer_win.h"

#include <shlobj.h>
#include <knownfolders.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include <spice/vd_agent.h>

#include "agent/file_name.h"
#include "vdw_error.h"
#include "agent/file_xfer_proto.h"

enum { XJ_WRITE, XJ_COMMIT, XJ_ABORT, XJ_FAILED, XJ_COMMITTED, XJ_ABORTED };

struct vdg_xfer_job {
    vdg_xfer_job *next;
    int kind;
    vdg_xfer_file *f;
    uint8_t *buf;
    const uint8_t *data;
    uint32_t len;
    int ok;
    vda_xfer_fail why;
};

struct vdg_xfer_file {
    uint32_t id;
    HANDLE h;
    int failed, renamed;
    uint64_t written;
    char name[VDA_FILE_NAME_CAP];  /* the sanitized final name, UTF-8 */
    wchar_t tmp[MAX_PATH];
};

#define TMP_PREFIX L"~spice-xfer-"
#define TMP_SUFFIX L".part"

static const char *u8(const wchar_t *w, char *buf, int cap)
{
    if (!WideCharToMultiByte(CP_UTF8, 0, w, -1, buf, cap, NULL, NULL))
        snprintf(buf, (size_t)cap, "?");
    return buf;
}

static uint32_t gio_of(DWORD e)
{
    switch (e) {
    case ERROR_DISK_FULL:
    case ERROR_HANDLE_DISK_FULL:
        return VDA_GIO_NO_SPACE;
    case ERROR_ACCESS_DENIED:
    case ERROR_WRITE_PROTECT:
        return VDA_GIO_PERMISSION_DENIED;
    case ERROR_PATH_NOT_FOUND:
    case ERROR_FILE_NOT_FOUND:
        return VDA_GIO_NOT_FOUND;
    case ERROR_INVALID_NAME:
    case ERROR_BAD_PATHNAME:
        return VDA_GIO_INVALID_FILENAME;
    case ERROR_FILENAME_EXCED_RANGE:
        return VDA_GIO_FILENAME_TOO_LONG;
    default:
        return VDA_GIO_FAILED;
    }
}

/* ---- the writer thread ---- */

static void push_result(vdg_xfer *x, vdg_xfer_job *j, int kind)
{
    j->kind = kind;
    EnterCriticalSection(&x->lock);
    j->next = x->results;
    x->results = j;
    LeaveCriticalSection(&x->lock);
    SetEvent(x->done);
}

static void fail_file(vdg_xfer *x, vdg_xfer_file *f, const char *what, DWORD e)
{
    char t[300], p[MAX_PATH * 3];
    vda_warn(x->log, "file transfer %u: %s %s failed: %s", f->id, what, u8(f->tmp, p, sizeof p),
             vdw_err_str(e, t, sizeof t));
    if (f->h != INVALID_HANDLE_VALUE)
        CloseHandle(f->h);
    f->h = INVALID_HANDLE_VALUE;
    if (!DeleteFileW(f->tmp) && GetLastError() != ERROR_FILE_NOT_FOUND)
        vda_error(x->log, "file transfer %u: cannot delete %s: %s", f->id, p,
                  vdw_err_str(GetLastError(), t, sizeof t));
    f->failed = 1;
}

static void do_write(vdg_xfer *x, vdg_xfer_job *j)
{
    vdg_xfer_file *f = j->f;
    const uint8_t *p = j->data;
    uint32_t left = j->len;
    while (!f->failed && left > 0) {
        DWORD n = 0;
        if (!WriteFile(f->h, p, left, &n, NULL) || n == 0) {
            DWORD e = GetLastError();
            fail_file(x, f, "writing", e);
            j->why.result = VD_AGENT_FILE_XFER_STATUS_ERROR;
            j->why.gio_code = e ? gio_of(e) : VDA_GIO_FAILED;
            free(j->buf);
            j->buf = NULL;
            push_result(x, j, XJ_FAILED);
            return;
        }
        p += n;
        left -= n;
        f->written += n;
    }
    free(j->buf);
    free(j);
}

static void do_commit(vdg_xfer *x, vdg_xfer_job *j)
{
    vdg_xfer_file *f = j->f;
    if (f->failed) {  /* already reported: the abort follows */
        free(j);
        return;
    }
    if (!FlushFileBuffers(f->h)) {
        DWORD e = GetLastError();
        fail_file(x, f, "flushing", e);
        j->ok = 0;
        j->why.gio_code = gio_of(e);
        push_result(x, j, XJ_COMMITTED);
        return;
    }
    CloseHandle(f->h);
    f->h = INVALID_HANDLE_VALUE;
    /* Never overwrite: "name", then "name (1)", "name (2)", ... */
    for (unsigned n = 0; n < 10000; n++) {
        char cand[VDA_FILE_NAME_CAP];
        if (n == 0)
            snprintf(cand, sizeof cand, "%s", f->name);
        else
            vda_file_name_numbered(f->name, n, cand);
        wchar_t wname[MAX_PATH], full[MAX_PATH];
        if (!MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, cand, -1, wname, MAX_PATH) ||
            _snwprintf(full, MAX_PATH, L"%ls%ls", x->dir, wname) < 0) {
            fail_file(x, f, "naming", ERROR_FILENAME_EXCED_RANGE);
            j->ok = 0;
            j->why.gio_code = VDA_GIO_FILENAME_TOO_LONG;
            push_result(x, j, XJ_COMMITTED);
            return;
        }
        full[MAX_PATH - 1] = 0;
        if (MoveFileExW(f->tmp, full, MOVEFILE_WRITE_THROUGH)) {
            char p[MAX_PATH * 3];
            f->renamed = 1;
            vda_info(x->log, "file transfer %u: saved %s (%llu bytes)", f->id,
                     u8(full, p, sizeof p), (unsigned long long)f->written);
            j->ok = 1;
            push_result(x, j, XJ_COMMITTED);
            return;
        }
        DWORD e = GetLastError();
        if (e != ERROR_ALREADY_EXISTS && e != ERROR_FILE_EXISTS) {
            fail_file(x, f, "renaming", e);
            j->ok = 0;
            j->why.gio_code = gio_of(e);
            push_result(x, j, XJ_COMMITTED);
            return;
        }
    }
    fail_file(x, f, "renaming (10000 names taken)", ERROR_ALREADY_EXISTS);
    j->ok = 0;
    j->why.gio_code = VDA_GIO_EXISTS;
    push_result(x, j, XJ_COMMITTED);
}

static void do_abort(vdg_xfer *x, vdg_xfer_job *j)
{
    vdg_xfer_file *f = j->f;
    if (f->h != INVALID_HANDLE_VALUE)
        CloseHandle(f->h);
    f->h = INVALID_HANDLE_VALUE;
    if (!f->failed && !f->renamed) {
        char t[300], p[MAX_PATH * 3];
        if (DeleteFileW(f->tmp))
            vda_info(x->log, "file transfer %u: partial file deleted (%llu bytes)", f->id,
                     (unsigned long long)f->written);
        else
            vda_error(x->log, "file transfer %u: cannot delete %s: %s", f->id,
                      u8(f->tmp, p, sizeof p), vdw_err_str(GetLastError(), t, sizeof t));
    }
    push_result(x, j, XJ_ABORTED);
}

static DWORD WINAPI writer_main(void *arg)
{
    vdg_xfer *x = arg;
    for (;;) {
        EnterCriticalSection(&x->lock);
        vdg_xfer_job *j = x->head;
        if (j) {
            x->head = j->next;
            if (!x->head)
                x->tail = NULL;
        }
        int stop = x->stopping;
        LeaveCriticalSection(&x->lock);
        if (!j) {
            if (stop)
                return 0;
            WaitForSingleObject(x->wake, INFINITE);
            continue;
        }
        uint32_t len = j->kind == XJ_WRITE ? j->len : 0;
        switch (j->kind) {
        case XJ_WRITE: do_write(x, j); break;
        case XJ_COMMIT: do_commit(x, j); break;
        default: do_abort(x, j); break;
        }
        if (len) {
            EnterCriticalSection(&x->lock);
            int room_again = x->queued >= VDG_XFER_QUEUE_MAX &&
                             x->queued - len < VDG_XFER_QUEUE_MAX;
            x->queued -= len;
            LeaveCriticalSection(&x->lock);
            if (room_again)
                SetEvent(x->done);  /* the main loop may read the pipe again */
        }
    }
}

static void enqueue(vdg_xfer *x, vdg_xfer_file *f, int kind, uint8_t *buf, const uint8_t *data,
                    uint32_t len)
{
    vdg_xfer_job *j = calloc(1, sizeof *j);
    if (!j) {
        /* Cannot happen in practice (a few bytes); the file then fails as a write would. */
        vda_error(x->log, "file transfer %u: out of memory queueing work", f->id);
        free(buf);
        return;
    }
    j->kind = kind;
    j->f = f;
    j->buf = buf;
    j->data = data;
    j->len = len;
    EnterCriticalSection(&x->lock);
    if (x->tail)
        x->tail->next = j;
    else
        x->head = j;
    x->tail = j;
    x->queued += len;
    LeaveCriticalSection(&x->lock);
    SetEvent(x->wake);
}

/* ---- the session's file operations (agent thread) ---- */

static int io_open(void *ctx, uint32_t id, const char *name, uint64_t size, void **file,
                   vda_xfer_fail *why)
{
    vdg_xfer *x = ctx;
    char t[300], p[MAX_PATH * 3];
    ULARGE_INTEGER avail;
    if (GetDiskFreeSpaceExW(x->dir, &avail, NULL, NULL)) {
        if (size > avail.QuadPart) {
            vda_warn(x->log, "file transfer %u refused: %llu bytes do not fit in %s (%llu free)",
                     id, (unsigned long long)size, u8(x->dir, p, sizeof p),
                     (unsigned long long)avail.QuadPart);
            why->result = VD_AGENT_FILE_XFER_STATUS_NOT_ENOUGH_SPACE;
            why->free_bytes = avail.QuadPart;
            return -1;
        }
    } else {
        vda_warn(x->log, "file transfer %u: free space of %s unknown: %s", id,
                 u8(x->dir, p, sizeof p), vdw_err_str(GetLastError(), t, sizeof t));
    }
    vdg_xfer_file *f = calloc(1, sizeof *f);
    if (!f) {
        vda_error(x->log, "file transfer %u: out of memory", id);
        return -1;
    }
    f->id = id;
    f->h = INVALID_HANDLE_VALUE;
    snprintf(f->name, sizeof f->name, "%s", name);
    DWORD e = 0;
    for (int tries = 0; tries < 100; tries++) {
        _snwprintf(f->tmp, MAX_PATH, L"%ls" TMP_PREFIX L"%lu-%u-%u" TMP_SUFFIX, x->dir,
                   (unsigned long)GetCurrentProcessId(), id, x->seq++);
        f->tmp[MAX_PATH - 1] = 0;
        /* CREATE_NEW: never an existing file, nor a link someone planted there. */
        f->h = CreateFileW(f->tmp, GENERIC_WRITE, 0, NULL, CREATE_NEW,
                           FILE_ATTRIBUTE_NORMAL | FILE_FLAG_SEQUENTIAL_SCAN |
                               FILE_FLAG_OPEN_REPARSE_POINT,
                           NULL);
        if (f->h != INVALID_HANDLE_VALUE)
            break;
        e = GetLastError();
        if (e != ERROR_FILE_EXISTS && e != ERROR_ALREADY_EXISTS)
            break;
    }
    if (f->h == INVALID_HANDLE_VALUE) {
        vda_warn(x->log, "file transfer %u refused: cannot create %s: %s", id,
                 u8(f->tmp, p, sizeof p), vdw_err_str(e, t, sizeof t));
        why->result = VD_AGENT_FILE_XFER_STATUS_ERROR;
        why->gio_code = gio_of(e);
        free(f);
        return -1;
    }
    vda_debug(x->log, "file transfer %u: writing to %s", id, u8(f->tmp, p, sizeof p));
    *file = f;
    return 0;
}

static void io_write(void *ctx, void *file, uint8_t *buf, const uint8_t *data, uint32_t len)
{
    enqueue(ctx, file, XJ_WRITE, buf, data, len);
}

static void io_commit(void *ctx, void *file)
{
    enqueue(ctx, file, XJ_COMMIT, NULL, NULL, 0);
}

static void io_abort(void *ctx, void *file)
{
    enqueue(ctx, file, XJ_ABORT, NULL, NULL, 0);
}

static void io_batch_done(void *ctx, unsigned saved)
{
    vdg_xfer *x = ctx;
    char p[MAX_PATH * 3];
    if (!x->open_folder) {
        vda_info(x->log, "file transfer: %u file(s) saved in %s", saved, u8(x->dir, p, sizeof p));
        return;
    }
    if (x->no_launch) {
        vda_info(x->log, "file transfer: %u file(s) saved: opening %s in Explorer (not launched: "
                 "--test-no-explorer)", saved, u8(x->dir, p, sizeof p));
        return;
    }
    vda_info(x->log, "file transfer: %u file(s) saved: opening %s in Explorer", saved,
             u8(x->dir, p, sizeof p));
    wchar_t win[MAX_PATH], exe[MAX_PATH], cmd[2 * MAX_PATH + 8];
    UINT n = GetWindowsDirectoryW(win, MAX_PATH);
    if (n == 0 || n >= MAX_PATH)
        wcscpy(win, L"C:\\Windows");
    _snwprintf(exe, MAX_PATH, L"%ls\\explorer.exe", win);
    exe[MAX_PATH - 1] = 0;
    _snwprintf(cmd, 2 * MAX_PATH + 8, L"\"%ls\" \"%ls\"", exe, x->dir);
    cmd[2 * MAX_PATH + 7] = 0;
    STARTUPINFOW si;
    PROCESS_INFORMATION pi;
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    if (CreateProcessW(exe, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi)) {
        CloseHandle(pi.hThread);
        CloseHandle(pi.hProcess);
    } else {
        char t[300];
        vda_warn(x->log, "file transfer: cannot start Explorer: %s",
                 vdw_err_str(GetLastError(), t, sizeof t));
    }
}

/* ---- settings and set-up ---- */

/* A switch: REG_DWORD, or a string "0"/"1". Returns def when absent or unusable. */
static int reg_switch(const vda_logger *log, HKEY key, const wchar_t *name, int def)
{
    BYTE buf[64];
    DWORD type = 0, size = sizeof buf - sizeof(wchar_t);
    LSTATUS r = RegQueryValueExW(key, name, NULL, &type, buf, &size);
    char n8[64];
    if (r == ERROR_FILE_NOT_FOUND)
        return def;
    if (r == ERROR_SUCCESS && type == REG_DWORD && size == 4)
        return *(DWORD *)buf != 0;
    if (r == ERROR_SUCCESS && type == REG_SZ) {
        buf[size] = 0;
        buf[size + 1] = 0;
        const wchar_t *s = (const wchar_t *)buf;
        if (!wcscmp(s, L"0") || !wcscmp(s, L"1"))
            return s[0] == L'1';
    }
    vda_warn(log, "setting %s: not a 0/1 switch: default %d used", u8(name, n8, sizeof n8), def);
    return def;
}

/* The folder setting, expanded in the user's environment: 1 set, 0 absent, -1 bad. */
static int reg_folder(const vda_logger *log, HKEY key, wchar_t *out)
{
    wchar_t buf[MAX_PATH];
    DWORD type = 0, size = sizeof buf - sizeof(wchar_t);
    LSTATUS r = RegQueryValueExW(key, L"FileXferFolder", NULL, &type, (BYTE *)buf, &size);
    if (r == ERROR_FILE_NOT_FOUND)
        return 0;
    if (r != ERROR_SUCCESS || (type != REG_SZ && type != REG_EXPAND_SZ)) {
        vda_warn(log, "setting FileXferFolder: not a string (or too long): ignored");
        return -1;
    }
    buf[size / sizeof(wchar_t)] = 0;
    DWORD n = ExpandEnvironmentStringsW(buf, out, MAX_PATH - 2);
    if (n == 0 || n > MAX_PATH - 2 || !out[0]) {
        vda_warn(log, "setting FileXferFolder: empty or too long once expanded: ignored");
        return -1;
    }
    return 1;
}

static int downloads_folder(const vda_logger *log, wchar_t *out)
{
    PWSTR p = NULL;
    HRESULT hr = SHGetKnownFolderPath(&FOLDERID_Downloads, KF_FLAG_CREATE, NULL, &p);
    if (FAILED(hr) || !p || wcslen(p) > MAX_PATH - 2) {
        vda_warn(log, "the Downloads folder is unknown (HRESULT 0x%08lx)", (unsigned long)hr);
        CoTaskMemFree(p);
        return -1;
    }
    wcscpy(out, p);
    CoTaskMemFree(p);
    return 0;
}

/* Temporary files of agents that no longer run (killed mid-transfer) go. */
static void sweep_stale(vdg_xfer *x)
{
    wchar_t pat[MAX_PATH], full[MAX_PATH];
    _snwprintf(pat, MAX_PATH, L"%ls" TMP_PREFIX L"*" TMP_SUFFIX, x->dir);
    pat[MAX_PATH - 1] = 0;
    WIN32_FIND_DATAW fd;
    HANDLE h = FindFirstFileW(pat, &fd);
    if (h == INVALID_HANDLE_VALUE)
        return;
    do {
        unsigned long pid = wcstoul(fd.cFileName + wcslen(TMP_PREFIX), NULL, 10);
        if (fd.dwFileAttributes & (FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_REPARSE_POINT))
            continue;
        HANDLE proc = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, (DWORD)pid);
        if (proc) {
            DWORD code = 0;
            int alive = GetExitCodeProcess(proc, &code) && code == STILL_ACTIVE;
            CloseHandle(proc);
            if (alive && pid != GetCurrentProcessId())
                continue;
        }
        _snwprintf(full, MAX_PATH, L"%ls%ls", x->dir, fd.cFileName);
        full[MAX_PATH - 1] = 0;
        char p[MAX_PATH * 3];
        if (DeleteFileW(full))
            vda_info(x->log, "file transfer: deleted a stale partial file %s", u8(full, p, sizeof p));
    } while (FindNextFileW(h, &fd));
    FindClose(h);
}

int vdg_xfer_init(vdg_xfer *x, vda_agent *agent, const vdg_xfer_options *o,
                  const vda_logger *log)
{
    memset(x, 0, sizeof *x);
    x->log = log;
    x->agent = agent;
    x->no_launch = o->no_launch;
    x->enabled = 1;
    x->open_folder = 1;
    static const vda_xfer_io io_ops = { NULL, io_open, io_write, io_commit, io_abort,
                                        io_batch_done };
    vda_xfer_io io = io_ops;
    io.ctx = x;

    wchar_t folder[MAX_PATH] = L"";
    int have_folder = 0;
    HKEY key;
    HKEY root = o->settings_key ? HKEY_CURRENT_USER : HKEY_LOCAL_MACHINE;
    const wchar_t *path = o->settings_key ? o->settings_key : VDG_XFER_PARAMS_KEY;
    if (RegOpenKeyExW(root, path, 0, KEY_READ, &key) == ERROR_SUCCESS) {
        x->enabled = reg_switch(log, key, L"FileXferEnabled", 1);
        x->open_folder = reg_switch(log, key, L"FileXferOpenFolder", 1);
        have_folder = reg_folder(log, key, folder) == 1;
        RegCloseKey(key);
    }
    if (!x->enabled) {
        vda_info(log, "file transfer: disabled by the setting FileXferEnabled");
        vda_agent_set_xfer_io(agent, &io, 0, 255);
        return 0;
    }
    if (!have_folder && downloads_folder(log, folder) != 0) {
        vda_agent_set_xfer_io(agent, &io, 0, 255);
        return -1;
    }
    char p[MAX_PATH * 3], t[300];
    DWORD attr = GetFileAttributesW(folder);
    if (attr == INVALID_FILE_ATTRIBUTES && have_folder && CreateDirectoryW(folder, NULL))
        attr = GetFileAttributesW(folder);
    if (attr == INVALID_FILE_ATTRIBUTES || !(attr & FILE_ATTRIBUTE_DIRECTORY)) {
        vda_error(log, "file transfer disabled: %s is not a usable folder: %s",
                  u8(folder, p, sizeof p), vdw_err_str(GetLastError(), t, sizeof t));
        vda_agent_set_xfer_io(agent, &io, 0, 255);
        return -1;
    }
    size_t len = wcslen(folder);
    if (folder[len - 1] != L'\\' && folder[len - 1] != L'/')
        folder[len++] = L'\\';
    folder[len] = 0;
    wcscpy(x->dir, folder);
    InitializeCriticalSection(&x->lock);
    x->wake = CreateEventW(NULL, FALSE, FALSE, NULL);
    x->done = CreateEventW(NULL, TRUE, FALSE, NULL);
    x->thread = x->wake && x->done ? CreateThread(NULL, 0, writer_main, x, 0, NULL) : NULL;
    if (!x->thread) {
        vda_error(log, "file transfer disabled: cannot start its writer: %s",
                  vdw_err_str(GetLastError(), t, sizeof t));
        if (x->wake)
            CloseHandle(x->wake);
        if (x->done)
            CloseHandle(x->done);
        DeleteCriticalSection(&x->lock);
        vda_agent_set_xfer_io(agent, &io, 0, 255);
        return -1;
    }
    x->started = 1;
    sweep_stale(x);
    /* Final names must fit MAX_PATH with the folder and a " (n)". */
    size_t units = len < MAX_PATH - 1 ? MAX_PATH - 1 - len : 0;
    if (units > 255)
        units = 255;
    vda_agent_set_xfer_io(agent, &io, 1, units);
    /* Locked or not comes from WM_WTSSESSION_CHANGE: the agent starts at logon,
     * unlocked (mingw's headers lack WTSSessionInfoEx to ask). */
    vda_info(log, "file transfer: files land in %s (open the folder when done: %s)",
             u8(x->dir, p, sizeof p), x->open_folder ? "yes" : "no");
    return 0;
}

HANDLE vdg_xfer_event(const vdg_xfer *x)
{
    return x->started ? x->done : NULL;
}

int vdg_xfer_can_read(vdg_xfer *x)
{
    if (!x->started)
        return 1;
    EnterCriticalSection(&x->lock);
    int ok = x->queued < VDG_XFER_QUEUE_MAX;
    LeaveCriticalSection(&x->lock);
    return ok;
}

void vdg_xfer_poll(vdg_xfer *x)
{
    if (!x->started)
        return;
    ResetEvent(x->done);
    EnterCriticalSection(&x->lock);
    vdg_xfer_job *list = x->results;
    x->results = NULL;
    LeaveCriticalSection(&x->lock);
    /* Pushed in front: reverse into the order they happened. */
    vdg_xfer_job *ordered = NULL;
    while (list) {
        vdg_xfer_job *n = list->next;
        list->next = ordered;
        ordered = list;
        list = n;
    }
    while (ordered) {
        vdg_xfer_job *j = ordered;
        ordered = j->next;
        switch (j->kind) {
        case XJ_FAILED:
            vda_xfer_session_failed(&x->agent->xfer, j->f, &j->why);
            break;
        case XJ_COMMITTED:
            vda_xfer_session_committed(&x->agent->xfer, j->f, j->ok, j->why.gio_code);
            free(j->f);
            break;
        case XJ_ABORTED:
            free(j->f);
            break;
        }
        free(j);
    }
}

void vdg_xfer_set_locked(vdg_xfer *x, int locked)
{
    vda_xfer_session_set_locked(&x->agent->xfer, locked);
}

void vdg_xfer_shutdown(vdg_xfer *x)
{
    if (!x->started)
        return;
    EnterCriticalSection(&x->lock);
    x->stopping = 1;
    LeaveCriticalSection(&x->lock);
    SetEvent(x->wake);
    if (WaitForSingleObject(x->thread, 10000) != WAIT_OBJECT_0) {
        vda_error(x->log, "file transfer: the writer did not finish in 10 s");
        return;  /* the process exits; its stale files go at the next start */
    }
    CloseHandle(x->thread);
    vdg_xfer_poll(x);
    CloseHandle(x->wake);
    CloseHandle(x->done);
    DeleteCriticalSection(&x->lock);
    x->started = 0;
}
