/* xfer_host.exe: file transfer into the guest, against the real vdagent.exe under
 * Wine. It plays the service's end of the pipe and the client (pipe_host), points
 * the agent at its own settings key (HKCU, --settings-key) and its own empty
 * target folder, and checks the files the agent leaves there.
 *
 *   xfer_host AGENT_EXE SCENARIO
 * Scenarios: one, collisions, names, temp-rename, cancel, disconnect, stop,
 *            disabled, locked, no-space, stale, many.
 * Exit 0 pass, 1 fail. */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <spice/vd_agent.h>

#include "base/le_bytes.h"
#include "pipe_host.h"
#include "win_path.h"
#include "wire/caps.h"
#include "wire/chunk_writer.h"
#include "wire/pipe_proto.h"

#define WRITE_TIMEOUT_MS 30000
#define FAIL(...) do { printf("FAIL: " __VA_ARGS__); printf("\n"); return 0; } while (0)

typedef struct xhost {
    pipe_host io;
    wchar_t agent_exe[MAX_PATH];
    wchar_t dir[MAX_PATH];       /* the target folder, trailing backslash */
    wchar_t key[128];            /* HKCU settings key */
    char log_path[MAX_PATH];
    vda_caps agent_caps;
} xhost;

static void dump_log(xhost *h)
{
    FILE *f = fopen(h->log_path, "r");
    if (!f)
        return;
    char line[1200];
    printf("---- agent log ----\n");
    while (fgets(line, sizeof line, f))
        fputs(line, stdout);
    printf("---- end ----\n");
    fclose(f);
}

static int log_has(xhost *h, const char *needle)
{
    FILE *f = fopen(h->log_path, "r");
    if (!f)
        return 0;
    char line[1200];
    int found = 0;
    while (!found && fgets(line, sizeof line, f))
        found = strstr(line, needle) != NULL;
    fclose(f);
    return found;
}

static int send_msg(xhost *h, uint32_t port, uint32_t type, const void *data, uint32_t size)
{
    static uint8_t buf[64 * VDA_CHUNK_MAX_WIRE];
    vda_msg_writer w;
    vda_msg_writer_init(&w, port, type, 0, data, size);
    while (!vda_msg_writer_done(&w)) {
        size_t n = vda_msg_writer_next(&w, buf, sizeof buf);
        if (!pipe_host_write_all(&h->io, buf, n, WRITE_TIMEOUT_MS))
            return 0;
    }
    return 1;
}

/* The next FILE_XFER_STATUS (other messages skipped): 1 with id, result (and the message in out, if given). */
static int expect_status(xhost *h, DWORD timeout_ms, uint32_t *id, uint32_t *result,
                         vda_message *out)
{
    DWORD start = GetTickCount();
    for (;;) {
        DWORD spent = GetTickCount() - start;
        vda_message m;
        if (spent >= timeout_ms || !pipe_host_next_msg(&h->io, timeout_ms - spent, &m)) {
            printf("host: no file-xfer status within %lu ms\n", (unsigned long)timeout_ms);
            return 0;
        }
        if (m.type == VD_AGENT_FILE_XFER_STATUS && m.size >= 8) {
            *id = vda_le32(m.data);
            *result = vda_le32(m.data + 4);
            if (out)
                *out = m;
            else
                free(m.data);
            return 1;
        }
        free(m.data);
    }
}

static int want_status(xhost *h, uint32_t id, uint32_t result, DWORD timeout_ms)
{
    uint32_t gid = 0, gres = 0;
    if (!expect_status(h, timeout_ms, &gid, &gres, NULL))
        FAIL("no status for transfer %u", id);
    if (gid != id || gres != result)
        FAIL("transfer %u: status %u for id %u, want %u", id, gres, gid, result);
    return 1;
}

static int send_caps(xhost *h, int detailed)
{
    vda_caps c;
    vda_caps_clear(&c);
    vda_caps_set(&c, VD_AGENT_CAP_CLIPBOARD_BY_DEMAND);
    if (detailed)
        vda_caps_set(&c, VD_AGENT_CAP_FILE_XFER_DETAILED_ERRORS);
    uint8_t buf[64];
    size_t n = vda_caps_write(&c, 0, buf);
    return send_msg(h, VDP_CLIENT_PORT, VD_AGENT_ANNOUNCE_CAPABILITIES, buf, (uint32_t)n);
}

static int send_start(xhost *h, uint32_t id, const char *escaped_name, uint64_t size)
{
    char kf[2048];
    int k = snprintf(kf, sizeof kf, "[vdagent-file-xfer]\nname=%s\nsize=%llu\n", escaped_name,
                     (unsigned long long)size);
    uint8_t p[2100];
    vda_put_le32(p, id);
    memcpy(p + 4, kf, (size_t)k + 1);
    return send_msg(h, VDP_CLIENT_PORT, VD_AGENT_FILE_XFER_START, p, 4 + (uint32_t)k + 1);
}

static uint8_t pattern(uint32_t id, uint64_t off)
{
    return (uint8_t)(off * 31 + id * 7 + (off >> 9));
}

/* DATA for bytes [off, off + len) of transfer id, in 64 KiB messages. */
static int send_data(xhost *h, uint32_t id, uint64_t off, uint64_t len)
{
    static uint8_t p[12 + 65536];
    while (len > 0) {
        uint32_t n = len > 65536 ? 65536 : (uint32_t)len;
        vda_put_le32(p, id);
        vda_put_le64(p + 4, n);
        for (uint32_t i = 0; i < n; i++)
            p[12 + i] = pattern(id, off + i);
        if (!send_msg(h, VDP_CLIENT_PORT, VD_AGENT_FILE_XFER_DATA, p, 12 + n))
            return 0;
        off += n;
        len -= n;
    }
    return 1;
}

static int send_empty_data(xhost *h, uint32_t id)
{
    uint8_t p[12];
    vda_put_le32(p, id);
    vda_put_le64(p + 4, 0);
    return send_msg(h, VDP_CLIENT_PORT, VD_AGENT_FILE_XFER_DATA, p, 12);
}

static int send_client_status(xhost *h, uint32_t id, uint32_t result)
{
    uint8_t p[8];
    vda_put_le32(p, id);
    vda_put_le32(p + 4, result);
    return send_msg(h, VDP_CLIENT_PORT, VD_AGENT_FILE_XFER_STATUS, p, 8);
}

static void path_of(xhost *h, const wchar_t *name, wchar_t *out)
{
    _snwprintf(out, MAX_PATH - 1, L"%ls%ls", h->dir, name);
    out[MAX_PATH - 1] = 0;
}

/* The file holds exactly size bytes of transfer id's pattern. */
static int file_is(xhost *h, const wchar_t *name, uint32_t id, uint64_t size)
{
    wchar_t p[MAX_PATH];
    path_of(h, name, p);
    HANDLE f = CreateFileW(p, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    if (f == INVALID_HANDLE_VALUE)
        FAIL("%ls: not there (error %lu)", name, (unsigned long)GetLastError());
    static uint8_t buf[65536];
    uint64_t off = 0;
    DWORD n;
    int ok = 1;
    while (ok && ReadFile(f, buf, sizeof buf, &n, NULL) && n > 0) {
        for (DWORD i = 0; i < n && ok; i++)
            ok = buf[i] == pattern(id, off + i);
        off += n;
    }
    CloseHandle(f);
    if (!ok || off != size)
        FAIL("%ls: %llu bytes, want %llu of transfer %u's pattern%s", name,
             (unsigned long long)off, (unsigned long long)size, id, ok ? "" : " (content differs)");
    printf("ok: %ls holds the %llu bytes sent\n", name, (unsigned long long)size);
    return 1;
}

/* Files in the folder (names joined by '|', sorted as found), and how many. */
static int list_dir(xhost *h, char *names, size_t cap)
{
    wchar_t pat[MAX_PATH];
    path_of(h, L"*", pat);
    WIN32_FIND_DATAW fd;
    HANDLE f = FindFirstFileW(pat, &fd);
    int n = 0;
    names[0] = 0;
    if (f == INVALID_HANDLE_VALUE)
        return 0;
    do {
        if (!wcscmp(fd.cFileName, L".") || !wcscmp(fd.cFileName, L".."))
            continue;
        char u[MAX_PATH * 3];
        WideCharToMultiByte(CP_UTF8, 0, fd.cFileName, -1, u, sizeof u, NULL, NULL);
        size_t l = strlen(names);
        snprintf(names + l, cap - l, "%s%s", n ? "|" : "", u);
        n++;
    } while (FindNextFileW(f, &fd));
    FindClose(f);
    return n;
}

static int count_parts(xhost *h)
{
    wchar_t pat[MAX_PATH];
    path_of(h, L"~spice-xfer-*", pat);
    WIN32_FIND_DATAW fd;
    HANDLE f = FindFirstFileW(pat, &fd);
    int n = 0;
    if (f == INVALID_HANDLE_VALUE)
        return 0;
    do
        n++;
    while (FindNextFileW(f, &fd));
    FindClose(f);
    return n;
}

/* Waits until the folder holds exactly `want` entries (the writer is another
 * thread: deletions land a moment after the status). */
static int wait_dir_count(xhost *h, int want, DWORD timeout_ms, char *names, size_t cap)
{
    DWORD start = GetTickCount();
    for (;;) {
        int n = list_dir(h, names, cap);
        if (n == want)
            return 1;
        if (GetTickCount() - start > timeout_ms)
            FAIL("the folder holds %d entries (%s), want %d", n, names, want);
        Sleep(20);
    }
}

static void set_setting(xhost *h, const wchar_t *name, DWORD type, const void *v, DWORD size)
{
    HKEY k;
    if (RegCreateKeyExW(HKEY_CURRENT_USER, h->key, 0, NULL, 0, KEY_WRITE, NULL, &k, NULL) ==
        ERROR_SUCCESS) {
        RegSetValueExW(k, name, 0, type, v, size);
        RegCloseKey(k);
    }
}

static int start(xhost *h, const char *sc)
{
    wchar_t name[128], args[1024], logw[MAX_PATH];
    _snwprintf(name, 127, L"vda-xfer-test-%lu-%hs", (unsigned long)GetCurrentProcessId(), sc);
    name[127] = 0;
    if (!pipe_host_create(&h->io, name, 1 << 20))
        FAIL("CreateNamedPipe (%lu)", (unsigned long)GetLastError());
    path_of(h, L"", logw);
    logw[wcslen(logw) - 1] = 0;
    wcscat(logw, L".log");
    WideCharToMultiByte(CP_UTF8, 0, logw, -1, h->log_path, MAX_PATH, NULL, NULL);
    DeleteFileW(logw);
    _snwprintf(args, 1023, L"--pipe %ls --log-level debug --log-file \"%ls\" --settings-key %ls "
               L"--test-no-explorer", name, logw, h->key);
    args[1023] = 0;
    printf("host: starting vdagent.exe %ls\n", args);
    if (!pipe_host_start_process(h->agent_exe, args, &h->io.agent))
        FAIL("cannot start the agent");
    DWORD e = pipe_host_connect(&h->io, 15000);
    if (e != 0)
        FAIL("the agent did not connect (%lu)", (unsigned long)e);
    DWORD t0 = GetTickCount();
    for (;;) {
        vda_message m;
        if (!pipe_host_next_msg(&h->io, 10000, &m))
            FAIL("no capabilities from the agent");
        int caps = m.type == VD_AGENT_ANNOUNCE_CAPABILITIES;
        if (caps) {
            uint32_t req;
            vda_caps_parse(m.data, m.size, &req, &h->agent_caps);
        }
        free(m.data);
        if (caps)
            break;
        if (GetTickCount() - t0 > 10000)
            FAIL("no capabilities");
    }
    return 1;
}

static int stop(xhost *h)
{
    pipe_host_send_stop(&h->io, WRITE_TIMEOUT_MS);
    int ok = WaitForSingleObject(h->io.agent.hProcess, 15000) == WAIT_OBJECT_0;
    if (!ok) {
        printf("host: the agent did not exit on STOP: killing it\n");
        TerminateProcess(h->io.agent.hProcess, 99);
    }
    CloseHandle(h->io.pipe);
    return ok;
}

/* Empties the folder (an earlier run with the same Wine pid may have left it). */
static void empty_dir(xhost *h)
{
    wchar_t pat[MAX_PATH], p[MAX_PATH];
    path_of(h, L"*", pat);
    WIN32_FIND_DATAW fd;
    HANDLE f = FindFirstFileW(pat, &fd);
    if (f == INVALID_HANDLE_VALUE)
        return;
    do {
        path_of(h, fd.cFileName, p);
        DeleteFileW(p);
    } while (FindNextFileW(f, &fd));
    FindClose(f);
}

/* ---- scenarios ---- */

static int sc_one(xhost *h, uint64_t size)
{
    if (!send_caps(h, 1) || !send_start(h, 1, "report.bin", size))
        FAIL("send");
    if (!want_status(h, 1, VD_AGENT_FILE_XFER_STATUS_CAN_SEND_DATA, 5000))
        return 0;
    DWORD t0 = GetTickCount();
    if (size == 0 ? !send_empty_data(h, 1) : !send_data(h, 1, 0, size))
        FAIL("send data");
    if (!want_status(h, 1, VD_AGENT_FILE_XFER_STATUS_SUCCESS, 30000))
        return 0;
    printf("ok: SUCCESS for %llu bytes after %lu ms\n", (unsigned long long)size,
           (unsigned long)(GetTickCount() - t0));
    char names[4096];
    if (!wait_dir_count(h, 1, 2000, names, sizeof names) || !file_is(h, L"report.bin", 1, size))
        return 0;
    /* the batch is done: the folder would open, once */
    DWORD start_tick = GetTickCount();
    while (!log_has(h, "opening") && GetTickCount() - start_tick < 2000)
        Sleep(20);
    if (!log_has(h, "1 file(s) saved: opening") || !log_has(h, "not launched"))
        FAIL("no log line for opening the folder in Explorer");
    printf("ok: the agent logged opening the folder in Explorer (not launched under test)\n");
    return 1;
}

static int sc_collisions(xhost *h)
{
    wchar_t p[MAX_PATH];
    path_of(h, L"a.txt", p);
    HANDLE f = CreateFileW(p, GENERIC_WRITE, 0, NULL, CREATE_NEW, 0, NULL);
    DWORD n;
    WriteFile(f, "original", 8, &n, NULL);
    CloseHandle(f);
    if (!send_caps(h, 1))
        FAIL("send");
    for (uint32_t id = 1; id <= 3; id++) {
        if (!send_start(h, id, "a.txt", 1000 + id) ||
            !want_status(h, id, VD_AGENT_FILE_XFER_STATUS_CAN_SEND_DATA, 5000))
            FAIL("start %u", id);
    }
    for (uint32_t id = 1; id <= 3; id++)
        if (!send_data(h, id, 0, 1000 + id) ||
            !want_status(h, id, VD_AGENT_FILE_XFER_STATUS_SUCCESS, 10000))
            FAIL("transfer %u", id);
    char names[4096];
    if (!wait_dir_count(h, 4, 2000, names, sizeof names))
        return 0;
    printf("host: folder: %s\n", names);
    if (!file_is(h, L"a (1).txt", 1, 1001) || !file_is(h, L"a (2).txt", 2, 1002) ||
        !file_is(h, L"a (3).txt", 3, 1003))
        return 0;
    f = CreateFileW(p, GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, NULL);
    char buf[16] = "";
    ReadFile(f, buf, sizeof buf, &n, NULL);
    CloseHandle(f);
    if (n != 8 || memcmp(buf, "original", 8))
        FAIL("a.txt was overwritten");
    printf("ok: the existing a.txt is untouched; the three went to a (1..3).txt\n");
    if (!log_has(h, "3 file(s) saved: opening"))
        FAIL("the folder did not open once for the batch of three");
    return 1;
}

static int sc_names(xhost *h)
{
    /* key-file escaped name -> what must land */
    static const struct { const char *sent; const wchar_t *want; } t[] = {
        { "..\\\\..\\\\evil.exe", L"evil.exe" },
        { "C:\\\\Windows\\\\win.ini", L"win.ini" },
        { "CON.txt", L"_CON.txt" },
        { "nul", L"_nul" },
        { "lpt1.log", L"_lpt1.log" },
        { "data.txt:hidden", L"data.txt_hidden" },
        { "a<b>c|d?e*f\"g", L"a_b_c_d_e_f_g" },
        { "dots...", L"dots" },
        { "spaces\\s\\s", L"spaces" },
        { "line\\nbreak", L"line_break" },
        { "..", L"file" },
        { "\xc3\xa9t\xc3\xa9.txt", L"\x00e9t\x00e9.txt" },
    };
    int n = (int)(sizeof t / sizeof t[0]);
    if (!send_caps(h, 1))
        FAIL("send");
    for (int i = 0; i < n; i++) {
        uint32_t id = 10 + (uint32_t)i;
        if (!send_start(h, id, t[i].sent, 10) ||
            !want_status(h, id, VD_AGENT_FILE_XFER_STATUS_CAN_SEND_DATA, 5000) ||
            !send_data(h, id, 0, 10) ||
            !want_status(h, id, VD_AGENT_FILE_XFER_STATUS_SUCCESS, 5000))
            FAIL("name %s", t[i].sent);
        if (!file_is(h, t[i].want, id, 10))
            return 0;
    }
    char names[8192];
    if (!wait_dir_count(h, n, 2000, names, sizeof names))
        return 0;
    printf("ok: %d hostile names landed as their safe forms, nothing else in the folder\n", n);
    /* and nothing escaped the folder */
    wchar_t up[MAX_PATH];
    path_of(h, L"..\\evil.exe", up);
    if (GetFileAttributesW(up) != INVALID_FILE_ATTRIBUTES)
        FAIL("a file escaped the folder");
    return 1;
}

static int sc_temp_rename(xhost *h)
{
    if (!send_caps(h, 1) || !send_start(h, 5, "big.iso", 300000) ||
        !want_status(h, 5, VD_AGENT_FILE_XFER_STATUS_CAN_SEND_DATA, 5000) ||
        !send_data(h, 5, 0, 200000))
        FAIL("send");
    char names[4096];
    if (!wait_dir_count(h, 1, 3000, names, sizeof names))
        return 0;
    if (count_parts(h) != 1 || strstr(names, "big.iso"))
        FAIL("mid-way the folder holds %s, want one ~spice-xfer-*.part", names);
    printf("ok: mid-way only the temporary %s exists\n", names);
    if (!send_data(h, 5, 200000, 100000) ||
        !want_status(h, 5, VD_AGENT_FILE_XFER_STATUS_SUCCESS, 10000))
        FAIL("end");
    if (!wait_dir_count(h, 1, 2000, names, sizeof names) || count_parts(h) != 0)
        FAIL("after SUCCESS: %s", names);
    return file_is(h, L"big.iso", 5, 300000);
}

/* how: 0 client CANCELLED, 1 CLIENT_DISCONNECTED, 2 STOP, 3 DATA past the size,
 * 4 a short file (empty DATA before the end) */
static int sc_interrupted(xhost *h, int how)
{
    static const char *what[] = { "cancel", "disconnect", "stop", "too much data", "short file" };
    if (!send_caps(h, 1) || !send_start(h, 7, "partial.bin", 1 << 20) ||
        !want_status(h, 7, VD_AGENT_FILE_XFER_STATUS_CAN_SEND_DATA, 5000) ||
        !send_data(h, 7, 0, 300000))
        FAIL("send");
    char names[4096];
    if (!wait_dir_count(h, 1, 3000, names, sizeof names) || count_parts(h) != 1)
        FAIL("no temporary file mid-way (%s)", names);
    int ok = 1;
    if (how == 0) {
        ok = send_client_status(h, 7, VD_AGENT_FILE_XFER_STATUS_CANCELLED);
    } else if (how == 1) {
        ok = send_msg(h, VDP_SERVER_PORT, VD_AGENT_CLIENT_DISCONNECTED, NULL, 0);
    } else if (how == 2) {
        if (!pipe_host_send_stop(&h->io, WRITE_TIMEOUT_MS))
            FAIL("STOP");
        if (!want_status(h, 7, VD_AGENT_FILE_XFER_STATUS_ERROR, 5000))
            FAIL("the client was not told on STOP");
        if (WaitForSingleObject(h->io.agent.hProcess, 10000) != WAIT_OBJECT_0)
            FAIL("the agent did not exit on STOP");
    } else if (how == 3) {
        ok = send_data(h, 7, 300000, (1 << 20) - 300000 + 1) &&
             want_status(h, 7, VD_AGENT_FILE_XFER_STATUS_ERROR, 5000);
    } else {
        ok = send_empty_data(h, 7) && want_status(h, 7, VD_AGENT_FILE_XFER_STATUS_ERROR, 5000);
    }
    if (!ok)
        FAIL("%s", what[how]);
    if (!wait_dir_count(h, 0, 5000, names, sizeof names))
        FAIL("a partial file stayed after %s", what[how]);
    printf("ok: %s mid-file: no file left in the folder\n", what[how]);
    if (how == 2)
        return 1;
    /* the agent goes on: a new transfer (a new client after a disconnect) works */
    if ((how == 1 && !send_caps(h, 1)) || !send_start(h, 8, "after.bin", 5000) ||
        !want_status(h, 8, VD_AGENT_FILE_XFER_STATUS_CAN_SEND_DATA, 5000) ||
        !send_data(h, 8, 0, 5000) || !want_status(h, 8, VD_AGENT_FILE_XFER_STATUS_SUCCESS, 5000))
        FAIL("a transfer after the %s", what[how]);
    return file_is(h, L"after.bin", 8, 5000);
}

static int sc_disabled(xhost *h)
{
    if (!vda_caps_has(&h->agent_caps, VD_AGENT_CAP_FILE_XFER_DISABLED))
        FAIL("FILE_XFER_DISABLED not announced");
    if (!send_caps(h, 1) || !send_start(h, 3, "x.txt", 10))
        FAIL("send");
    if (!want_status(h, 3, VD_AGENT_FILE_XFER_STATUS_DISABLED, 5000))
        return 0;
    char names[1024];
    if (list_dir(h, names, sizeof names) != 0)
        FAIL("files in the folder: %s", names);
    printf("ok: disabled by the setting: FILE_XFER_DISABLED announced, START answered DISABLED\n");
    return 1;
}

static HWND agent_window(xhost *h)
{
    HWND w = NULL;
    while ((w = FindWindowExW(HWND_MESSAGE, w, L"vdagent-clipboard", NULL)) != NULL) {
        DWORD pid = 0;
        GetWindowThreadProcessId(w, &pid);
        if (pid == h->io.agent.dwProcessId)
            return w;
    }
    return NULL;
}

static int sc_locked(xhost *h)
{
    printf("NOTE: Wine delivers no session notifications; this posts the WM_WTSSESSION_CHANGE "
           "Windows sends on a lock to the agent's window. That Windows delivers it on a real "
           "lock is not shown here (vdagent/README.md has the manual check).\n");
    HWND w = agent_window(h);
    if (!w)
        FAIL("the agent's window was not found");
    if (!send_caps(h, 1))
        FAIL("send");
    PostMessageW(w, WM_WTSSESSION_CHANGE, WTS_SESSION_LOCK, 1);
    Sleep(200);
    if (!send_start(h, 1, "x.txt", 10) ||
        !want_status(h, 1, VD_AGENT_FILE_XFER_STATUS_SESSION_LOCKED, 5000))
        return 0;
    PostMessageW(w, WM_WTSSESSION_CHANGE, WTS_SESSION_UNLOCK, 1);
    Sleep(200);
    if (!send_start(h, 2, "x.txt", 10) ||
        !want_status(h, 2, VD_AGENT_FILE_XFER_STATUS_CAN_SEND_DATA, 5000) ||
        !send_data(h, 2, 0, 10) || !want_status(h, 2, VD_AGENT_FILE_XFER_STATUS_SUCCESS, 5000))
        FAIL("after unlock");
    printf("ok: locked -> SESSION_LOCKED; unlocked -> the file arrives\n");
    return file_is(h, L"x.txt", 2, 10);
}

static int sc_no_space(xhost *h)
{
    if (!send_caps(h, 1) || !send_start(h, 4, "huge.img", 1ull << 60))
        FAIL("send");
    uint32_t id, res;
    vda_message m;
    if (!expect_status(h, 5000, &id, &res, &m))
        return 0;
    int ok = id == 4 && res == VD_AGENT_FILE_XFER_STATUS_NOT_ENOUGH_SPACE && m.size == 16;
    unsigned long long free_bytes = m.size == 16 ? vda_le64(m.data + 8) : 0;
    free(m.data);
    if (!ok || free_bytes == 0)
        FAIL("status %u size %u free %llu, want NOT_ENOUGH_SPACE with the free bytes", res,
             m.size, free_bytes);
    printf("ok: NOT_ENOUGH_SPACE with %llu bytes free (detailed)\n", free_bytes);
    /* without the client's cap, the plain status */
    if (!send_caps(h, 0) || !send_start(h, 5, "huge.img", 1ull << 60) ||
        !expect_status(h, 5000, &id, &res, &m))
        FAIL("plain");
    ok = id == 5 && res == VD_AGENT_FILE_XFER_STATUS_NOT_ENOUGH_SPACE && m.size == 8;
    free(m.data);
    if (!ok)
        FAIL("plain status: %u, %u bytes", res, m.size);
    char names[1024];
    if (list_dir(h, names, sizeof names) != 0)
        FAIL("files in the folder: %s", names);
    printf("ok: without FILE_XFER_DETAILED_ERRORS the plain 8-byte status\n");
    return 1;
}

/* A partial file of an agent killed earlier (planted before the start) is gone. */
static int sc_stale(xhost *h)
{
    char names[1024];
    int ok = wait_dir_count(h, 0, 3000, names, sizeof names);
    if (ok)
        printf("ok: the stale partial file of a dead agent was deleted at start\n");
    return ok;
}

static int sc_many(xhost *h)
{
    if (!send_caps(h, 1))
        FAIL("send");
    for (uint32_t id = 1; id <= 16; id++)
        if (!send_start(h, id, "m.bin", 100) ||
            !want_status(h, id, VD_AGENT_FILE_XFER_STATUS_CAN_SEND_DATA, 5000))
            FAIL("start %u", id);
    if (!send_start(h, 17, "m.bin", 100) ||
        !want_status(h, 17, VD_AGENT_FILE_XFER_STATUS_ERROR, 5000))
        FAIL("the 17th was not refused");
    printf("ok: 16 transfers at once, the 17th refused\n");
    for (uint32_t id = 1; id <= 16; id++)
        if (!send_data(h, id, 0, 100) ||
            !want_status(h, id, VD_AGENT_FILE_XFER_STATUS_SUCCESS, 5000))
            FAIL("transfer %u", id);
    char names[8192];
    return wait_dir_count(h, 16, 2000, names, sizeof names);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc < 3) {
        printf("usage: xfer_host AGENT_EXE SCENARIO\n");
        return 1;
    }
    xhost *h = calloc(1, sizeof *h);
    vda_logger log = { VDA_LOG_WARN, vda_log_sink_stdio, NULL, "host" };
    pipe_host_init(&h->io, &log, 16u << 20);
    win_path_from_unix(argv[1], h->agent_exe);
    const char *sc = argv[2];
    wchar_t tmp[MAX_PATH];
    GetTempPathW(MAX_PATH, tmp);
    _snwprintf(h->dir, MAX_PATH - 1, L"%lsvda-xfer-%lu-%hs\\", tmp,
               (unsigned long)GetCurrentProcessId(), sc);
    CreateDirectoryW(h->dir, NULL);
    empty_dir(h);
    _snwprintf(h->key, 127, L"Software\\vda-xfer-test-%lu", (unsigned long)GetCurrentProcessId());
    RegDeleteKeyW(HKEY_CURRENT_USER, h->key);
    wchar_t folder[MAX_PATH];
    wcscpy(folder, h->dir);
    set_setting(h, L"FileXferFolder", REG_SZ, folder, (DWORD)((wcslen(folder) + 1) * 2));
    if (!strcmp(sc, "disabled")) {
        DWORD zero = 0;
        set_setting(h, L"FileXferEnabled", REG_DWORD, &zero, 4);
    }
    if (!strcmp(sc, "stale")) {
        /* a partial file of an agent killed earlier (that pid does not run) */
        wchar_t p[MAX_PATH];
        path_of(h, L"~spice-xfer-4000000-1-0.part", p);
        HANDLE f = CreateFileW(p, GENERIC_WRITE, 0, NULL, CREATE_NEW, 0, NULL);
        if (f == INVALID_HANDLE_VALUE) {
            printf("FAIL: cannot plant the stale file (%lu)\n", (unsigned long)GetLastError());
            return 1;
        }
        CloseHandle(f);
    }
    int ok;
    if (!start(h, sc)) {
        dump_log(h);
        return 1;
    }
    if (0)
        ok = 0;
#define SCENARIO(name, word, call) else if (!strcmp(sc, word)) ok = call;
#include "xfer_scenarios.def"
#undef SCENARIO
    else {
        printf("unknown scenario %s\n", sc);
        ok = 0;
    }
    if (strcmp(sc, "stop") != 0 && !stop(h))
        ok = 0;
    char names[4096];
    if (ok && count_parts(h) != 0) {
        list_dir(h, names, sizeof names);
        printf("FAIL: temporary files left after the agent exited: %s\n", names);
        ok = 0;
    }
    if (!ok)
        dump_log(h);
    RegDeleteKeyW(HKEY_CURRENT_USER, h->key);
    if (ok) {  /* leave nothing behind in the prefix */
        wchar_t logw[MAX_PATH];
        empty_dir(h);
        RemoveDirectoryW(h->dir);
        MultiByteToWideChar(CP_UTF8, 0, h->log_path, -1, logw, MAX_PATH);
        DeleteFileW(logw);
    }
    printf("xfer %s: %s\n", sc, ok ? "PASS" : "FAIL");
    return ok ? 0 : 1;
}
