/* Security and failure handling of vdservice (issue 13 §5), one scenario per run:
 *   logdir_create    the log folder gets the protected DACL (read back as SDDL)
 *   logdir_foreign   a folder pre-created by someone else is taken over, planted files go
 *   logdir_junction  a folder pre-created as a junction: the link goes, its target is untouched
 *   logdir_hardlink  a log file that is a second name of another file is not written through
 *   launch_env       no user environment -> no agent launched (the error is returned)
 *   wait_failed      the wait loop fails -> vdservice exits with VDS_EXIT_WAIT_FAILED
 *   failure_flag     install sets "restart on non-crash failures"
 * Wine stores security descriptors but enforces none: the logdir scenarios check
 * what the service PUTS (read back), not what Windows would refuse. */
#include <windows.h>
#include <aclapi.h>
#include <sddl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <winioctl.h>
#include <winternl.h>

#include "event_loop.h"
#include "launcher.h"
#include "logdir.h"
#include "logging.h"
#include "win_path.h"

static int failed;

#define CHECK(cond, ...)                                                                  \
    do {                                                                                  \
        if (!(cond)) {                                                                    \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                                   \
            printf(__VA_ARGS__);                                                          \
            printf("\n");                                                                 \
            fflush(stdout);                                                               \
            failed = 1;                                                                   \
            return 1;                                                                     \
        }                                                                                 \
    } while (0)

static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
}

static const char *narrow(const wchar_t *w, char *buf, size_t len)
{
    if (!w || WideCharToMultiByte(CP_UTF8, 0, w, -1, buf, (int)len, NULL, NULL) <= 0)
        snprintf(buf, len, "?");
    return buf;
}

/* A fresh folder under %TEMP% for one scenario. */
static void scratch(wchar_t *out, const char *name)
{
    wchar_t tmp[MAX_PATH];
    GetTempPathW(MAX_PATH, tmp);
    swprintf(out, MAX_PATH, L"%lsvds-hard-%hs-%lu", tmp, name, (unsigned long)GetCurrentProcessId());
    CreateDirectoryW(out, NULL);
}

/* The DACL (and control flags) of `path` as SDDL, in out. */
static int dacl_sddl(const wchar_t *path, wchar_t *out, size_t len)
{
    PSECURITY_DESCRIPTOR sd = NULL;
    if (GetNamedSecurityInfoW(path, SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, NULL, NULL, NULL,
                              NULL, &sd) != ERROR_SUCCESS)
        return -1;
    wchar_t *s = NULL;
    int rc = -1;
    if (ConvertSecurityDescriptorToStringSecurityDescriptorW(sd, SDDL_REVISION_1,
                                                             DACL_SECURITY_INFORMATION, &s, NULL)) {
        wcsncpy(out, s, len - 1);
        out[len - 1] = 0;
        LocalFree(s);
        rc = 0;
    }
    LocalFree(sd);
    return rc;
}

/* VDS_LOGDIR_SDDL as this system writes it back (normalised). */
static void expected_sddl(wchar_t *out, size_t len)
{
    PSECURITY_DESCRIPTOR sd = NULL;
    wchar_t *s = NULL;
    out[0] = 0;
    if (ConvertStringSecurityDescriptorToSecurityDescriptorW(VDS_LOGDIR_SDDL, SDDL_REVISION_1, &sd,
                                                             NULL) &&
        ConvertSecurityDescriptorToStringSecurityDescriptorW(sd, SDDL_REVISION_1,
                                                             DACL_SECURITY_INFORMATION, &s, NULL)) {
        wcsncpy(out, s, len - 1);
        out[len - 1] = 0;
    }
    if (s)
        LocalFree(s);
    if (sd)
        LocalFree(sd);
}

/* Can this prefix store a descriptor at all (Wine keeps them in extended
 * attributes, which some filesystems lack)? A folder made with a known one must
 * read it back. */
static int descriptors_stored(const wchar_t *base)
{
    wchar_t probe[MAX_PATH], want[512], got[512];
    swprintf(probe, MAX_PATH, L"%ls\\probe", base);
    PSECURITY_DESCRIPTOR sd = NULL;
    ConvertStringSecurityDescriptorToSecurityDescriptorW(L"D:P(A;;FA;;;SY)", SDDL_REVISION_1, &sd,
                                                         NULL);
    CreateDirectoryW(probe, NULL);
    BOOL present = FALSE, defaulted = FALSE;
    PACL dacl = NULL;
    GetSecurityDescriptorDacl(sd, &present, &dacl, &defaulted);
    SetNamedSecurityInfoW(probe, SE_FILE_OBJECT,
                          DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION, NULL,
                          NULL, dacl, NULL);
    LocalFree(sd);
    int ok = dacl_sddl(probe, got, 512) == 0 && wcscmp(got, L"D:P(A;;FA;;;SY)") == 0;
    if (!ok) {
        char a[600];
        say("a folder made with D:P(A;;FA;;;SY) reads back as %s", narrow(got, a, sizeof a));
    }
    RemoveDirectoryW(probe);
    (void)want;
    return ok;
}

static int not_run_without_descriptors(const wchar_t *base)
{
    if (descriptors_stored(base))
        return 0;
    say("NOT RUN: this Wine prefix does not store security descriptors on its filesystem "
        "(no extended attributes): nothing to read back");
    return 77;
}

static char *slurp(const wchar_t *path)
{
    HANDLE f = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                           NULL, OPEN_EXISTING, 0, NULL);
    char *buf = calloc(1, 65536);
    if (f != INVALID_HANDLE_VALUE) {
        DWORD n = 0;
        ReadFile(f, buf, 65535, &n, NULL);
        CloseHandle(f);
    }
    return buf;
}

static void write_text(const wchar_t *path, const char *text)
{
    HANDLE f = CreateFileW(path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
    DWORD n;
    WriteFile(f, text, (DWORD)strlen(text), &n, NULL);
    CloseHandle(f);
}

/* One line through the service's file ops, as vds_logging does. */
static int log_line(const wchar_t *dir, const char *line)
{
    wchar_t w[MAX_PATH];
    char path[MAX_PATH * 3];
    swprintf(w, MAX_PATH, L"%ls\\vdservice.log", dir);
    narrow(w, path, sizeof path);
    vda_log_file f;
    if (vda_log_file_open_ops(&f, path, 4096, &vds_logdir_file_ops) != 0)
        return -1;
    vda_logger lg = { VDA_LOG_INFO, vda_log_file_sink, &f, "t" };
    vda_info(&lg, "%s", line);
    vda_log_file_close(&f);
    return 0;
}

static int sd_note(void)
{
    say("note: Wine stores security descriptors but does not enforce them; this test "
        "reads back what the service set, it cannot show a user being refused");
    return 0;
}

/* ------------------------------------------------------------ logdir */

static int t_logdir_create(const wchar_t *service_exe)
{
    (void)service_exe;
    wchar_t base[MAX_PATH], dir[MAX_PATH], want[512], got[512];
    scratch(base, "create");
    int nr = not_run_without_descriptors(base);
    if (nr)
        return nr;
    sd_note();
    swprintf(dir, MAX_PATH, L"%ls\\spice-vdagent", base);
    HANDLE h;
    char note[300], a[600], b[600];
    DWORD err = vds_logdir_prepare(dir, &h, note, sizeof note);
    CHECK(err == ERROR_SUCCESS, "prepare failed: error %lu", (unsigned long)err);
    CHECK(note[0] == 0, "a fresh folder needed no repair, got: %s", note);
    expected_sddl(want, 512);
    CHECK(dacl_sddl(dir, got, 512) == 0, "cannot read the folder's DACL back");
    say("log folder DACL: %s", narrow(got, a, sizeof a));
    CHECK(wcscmp(got, want) == 0, "DACL %s, expected %s", narrow(got, a, sizeof a),
          narrow(want, b, sizeof b));
    CHECK(log_line(dir, "hello") == 0, "cannot open the log in the folder");
    wchar_t logf[MAX_PATH];
    swprintf(logf, MAX_PATH, L"%ls\\vdservice.log", dir);
    char *t = slurp(logf);
    CHECK(strstr(t, "hello") != NULL, "the line is not in the log");
    free(t);
    /* Held open without delete sharing: the folder cannot be renamed away. */
    wchar_t moved[MAX_PATH];
    swprintf(moved, MAX_PATH, L"%ls\\moved", base);
    CHECK(!MoveFileW(dir, moved), "the held log folder could be renamed");
    CloseHandle(h);
    /* A second start finds it as it left it: nothing to repair. */
    err = vds_logdir_prepare(dir, &h, note, sizeof note);
    CHECK(err == ERROR_SUCCESS && note[0] == 0, "second prepare: error %lu, note '%s'",
          (unsigned long)err, note);
    CloseHandle(h);
    return 0;
}

static int t_logdir_foreign(const wchar_t *service_exe)
{
    (void)service_exe;
    wchar_t base[MAX_PATH], dir[MAX_PATH], want[512], got[512], logf[MAX_PATH];
    scratch(base, "foreign");
    int nr = not_run_without_descriptors(base);
    if (nr)
        return nr;
    sd_note();
    swprintf(dir, MAX_PATH, L"%ls\\spice-vdagent", base);
    swprintf(logf, MAX_PATH, L"%ls\\vdservice.log", dir);
    /* As a user would leave it: everyone may write, owned by Users. */
    PSECURITY_DESCRIPTOR sd = NULL;
    CHECK(ConvertStringSecurityDescriptorToSecurityDescriptorW(L"O:BUD:(A;OICI;FA;;;WD)",
                                                               SDDL_REVISION_1, &sd, NULL),
          "sddl");
    SECURITY_ATTRIBUTES sa = { sizeof sa, sd, FALSE };
    CHECK(CreateDirectoryW(dir, &sa), "cannot pre-create the folder");
    LocalFree(sd);
    write_text(logf, "PLANTED\n");
    HANDLE h;
    char note[300], a[600], b[600];
    DWORD err = vds_logdir_prepare(dir, &h, note, sizeof note);
    CHECK(err == ERROR_SUCCESS, "prepare failed: error %lu", (unsigned long)err);
    say("repair note: %s", note);
    CHECK(strstr(note, "taken over") != NULL, "no repair reported");
    expected_sddl(want, 512);
    CHECK(dacl_sddl(dir, got, 512) == 0 && wcscmp(got, want) == 0, "DACL after repair %s, expected %s",
          narrow(got, a, sizeof a), narrow(want, b, sizeof b));
    CHECK(GetFileAttributesW(logf) == INVALID_FILE_ATTRIBUTES, "the planted log file is still there");
    CloseHandle(h);
    return 0;
}

/* A mount point (junction) at `link` to `target`. */
static DWORD make_junction(const wchar_t *link, const wchar_t *target)
{
    if (!CreateDirectoryW(link, NULL))
        return GetLastError();
    HANDLE h = CreateFileW(link, GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
                           FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OPEN_REPARSE_POINT, NULL);
    if (h == INVALID_HANDLE_VALUE)
        return GetLastError();
    wchar_t sub[MAX_PATH + 8];
    swprintf(sub, MAX_PATH + 8, L"\\??\\%ls", target);
    USHORT sub_len = (USHORT)(wcslen(sub) * sizeof(wchar_t));
    USHORT print_len = (USHORT)(wcslen(target) * sizeof(wchar_t));
    /* REPARSE_DATA_BUFFER's mount point layout: tag, length, reserved, then four
     * USHORT offsets/lengths and the two NUL-terminated names. */
    uint8_t buf[4096] = { 0 };
    USHORT *u = (USHORT *)(buf + 8);
    u[0] = 0;
    u[1] = sub_len;
    u[2] = (USHORT)(sub_len + sizeof(wchar_t));
    u[3] = print_len;
    memcpy(buf + 16, sub, sub_len);
    memcpy(buf + 16 + sub_len + sizeof(wchar_t), target, print_len);
    USHORT data_len = (USHORT)(8 + sub_len + print_len + 2 * sizeof(wchar_t));
    *(DWORD *)buf = IO_REPARSE_TAG_MOUNT_POINT;
    *(USHORT *)(buf + 4) = data_len;
    DWORD n, err = ERROR_SUCCESS;
    if (!DeviceIoControl(h, FSCTL_SET_REPARSE_POINT, buf, 8 + data_len, NULL, 0, &n, NULL))
        err = GetLastError();
    CloseHandle(h);
    if (err != ERROR_SUCCESS)
        RemoveDirectoryW(link);
    return err;
}

static int t_logdir_junction(const wchar_t *service_exe)
{
    (void)service_exe;
    wchar_t base[MAX_PATH], dir[MAX_PATH], target[MAX_PATH], probe[MAX_PATH];
    scratch(base, "junction");
    swprintf(dir, MAX_PATH, L"%ls\\spice-vdagent", base);
    swprintf(target, MAX_PATH, L"%ls\\elsewhere", base);
    CreateDirectoryW(target, NULL);
    DWORD err = make_junction(dir, target);
    if (err != ERROR_SUCCESS) {
        say("NOT RUN: this Wine cannot make a junction (FSCTL_SET_REPARSE_POINT: error %lu); "
            "the junction case is on vdservice/README.md's real-VM checklist",
            (unsigned long)err);
        return 77;
    }
    CHECK(GetFileAttributesW(dir) & FILE_ATTRIBUTE_REPARSE_POINT, "the junction is not one");
    /* Through the junction, a file lands in the target: the attack. */
    swprintf(probe, MAX_PATH, L"%ls\\probe.txt", dir);
    write_text(probe, "x");
    swprintf(probe, MAX_PATH, L"%ls\\probe.txt", target);
    CHECK(GetFileAttributesW(probe) != INVALID_FILE_ATTRIBUTES, "the junction does not redirect");
    DeleteFileW(probe);
    HANDLE h;
    char note[300];
    err = vds_logdir_prepare(dir, &h, note, sizeof note);
    CHECK(err == ERROR_SUCCESS, "prepare failed: error %lu", (unsigned long)err);
    say("repair note: %s", note);
    DWORD attr = GetFileAttributesW(dir);
    CHECK(attr != INVALID_FILE_ATTRIBUTES && (attr & FILE_ATTRIBUTE_DIRECTORY) &&
          !(attr & FILE_ATTRIBUTE_REPARSE_POINT), "the log folder is still a link (attributes 0x%lx)",
          (unsigned long)attr);
    CHECK(GetFileAttributesW(target) != INVALID_FILE_ATTRIBUTES, "the junction's target was removed");
    CHECK(log_line(dir, "hello") == 0, "cannot log in the new folder");
    swprintf(probe, MAX_PATH, L"%ls\\vdservice.log", target);
    CHECK(GetFileAttributesW(probe) == INVALID_FILE_ATTRIBUTES, "the log was written through the link");
    CloseHandle(h);
    return 0;
}

/* Through vds_logging as the service uses it: a log file that is a second name
 * (hard link) of another file, planted while the folder was open to users, is
 * not written through. */
static int t_logdir_hardlink(const wchar_t *service_exe)
{
    (void)service_exe;
    wchar_t base[MAX_PATH], dir[MAX_PATH], victim[MAX_PATH], logf[MAX_PATH];
    scratch(base, "hardlink");
    swprintf(dir, MAX_PATH, L"%ls\\spice-vdagent", base);
    swprintf(victim, MAX_PATH, L"%ls\\victim.txt", base);
    swprintf(logf, MAX_PATH, L"%ls\\vdservice.log", dir);
    CreateDirectoryW(dir, NULL);
    write_text(victim, "VICTIM\n");
    DeleteFileW(logf);
    if (!CreateHardLinkW(logf, victim, NULL)) {
        say("NOT RUN: this Wine cannot make a hard link (error %lu)", (unsigned long)GetLastError());
        return 77;
    }
    vds_logging l;
    vds_logging_open_in(&l, VDA_LOG_INFO, 0, dir);
    CHECK(l.have_file, "no log file in the folder");
    vda_info(&l.log, "through-the-link?");
    vds_logging_close(&l);
    char *v = slurp(victim), *t = slurp(logf);
    int ok_v = strcmp(v, "VICTIM\n") == 0, ok_l = strstr(t, "through-the-link?") != NULL;
    if (!ok_v)
        printf("victim now holds:\n%s\n", v);
    free(v);
    free(t);
    CHECK(ok_v, "the log was written into another file through its second name");
    CHECK(ok_l, "the log line is not in a new log file");
    return 0;
}

/* ------------------------------------------------------------ launch */

static BOOL WINAPI no_environment(void **env, HANDLE token, BOOL inherit)
{
    (void)env;
    (void)token;
    (void)inherit;
    SetLastError(ERROR_NOT_ENOUGH_MEMORY);
    return FALSE;
}

typedef struct capture {
    vda_logger logger;
    char last[512];
    int lines;
} capture;

static void capture_sink(void *ctx, vda_log_level level, const char *line)
{
    (void)level;
    capture *c = ctx;
    snprintf(c->last, sizeof c->last, "%s", line);
    c->lines++;
    printf("  service: %s\n", line);
}

static int t_launch_env(const wchar_t *service_exe)
{
    (void)service_exe;
    wchar_t exe[MAX_PATH];
    GetModuleFileNameW(NULL, exe, MAX_PATH);
    capture cap = { { VDA_LOG_DEBUG, capture_sink, NULL, "vdservice" }, "", 0 };
    cap.logger.ctx = &cap;
    vds_agent a;
    ZeroMemory(&a, sizeof a);
    a.log = &cap.logger;
    DWORD err = vds_agent_prepare(&a, 0);
    if (err != ERROR_SUCCESS) {
        say("NOT RUN: no console user token here (error %lu)", (unsigned long)err);
        return 77;
    }
    /* The control: with the real CreateEnvironmentBlock this very program is
     * launched as the agent (it exits at once on --pipe). */
    err = vds_agent_launch(&a, exe, L"no-such-pipe", 0);
    CHECK(err == ERROR_SUCCESS && a.process, "control launch failed: error %lu", (unsigned long)err);
    WaitForSingleObject(a.process, 10000);
    vds_agent_reap(&a, 0);
    CHECK(vds_agent_prepare(&a, 0) == ERROR_SUCCESS, "second token");
    a.create_env = no_environment;
    cap.last[0] = 0;
    err = vds_agent_launch(&a, exe, L"no-such-pipe", 0);
    CHECK(err == ERROR_NOT_ENOUGH_MEMORY, "launch without an environment returned %lu (a process "
          "%s started with the service's environment)", (unsigned long)err,
          a.process ? "WAS" : "was not");
    CHECK(a.process == NULL, "a process was started");
    CHECK(a.token == NULL, "the token was not released");
    CHECK(strstr(cap.last, "environment") != NULL, "no clear log line: '%s'", cap.last);
    return 0;
}

/* ------------------------------------------------------------ wait failure */

typedef NTSTATUS(NTAPI *query_object_fn)(HANDLE, OBJECT_INFORMATION_CLASS, void *, ULONG, ULONG *);

/* Closes, inside `proc`, the handle to the object named `name` (a suffix). */
static int close_remote_named(HANDLE proc, const wchar_t *name)
{
    query_object_fn q = (query_object_fn)(void *)GetProcAddress(GetModuleHandleW(L"ntdll.dll"),
                                                               "NtQueryObject");
    if (!q)
        return -1;
    size_t nlen = wcslen(name);
    for (ULONG_PTR v = 4; v < 0x10000; v += 4) {
        HANDLE dup;
        if (!DuplicateHandle(proc, (HANDLE)v, GetCurrentProcess(), &dup, 0, FALSE,
                             DUPLICATE_SAME_ACCESS))
            continue;
        union { UNICODE_STRING u; uint8_t b[2048]; } info;
        ULONG n = 0;
        int match = 0;
        if (q(dup, (OBJECT_INFORMATION_CLASS)1 /* ObjectNameInformation */, &info, sizeof info,
              &n) == 0 && info.u.Buffer) {
            size_t len = info.u.Length / sizeof(wchar_t);
            match = len >= nlen && wcsncmp(info.u.Buffer + len - nlen, name, nlen) == 0;
        }
        CloseHandle(dup);
        if (match) {
            HANDLE last;
            if (!DuplicateHandle(proc, (HANDLE)v, GetCurrentProcess(), &last, 0, FALSE,
                                 DUPLICATE_CLOSE_SOURCE | DUPLICATE_SAME_ACCESS))
                return -1;
            CloseHandle(last);
            say("closed vdservice's handle 0x%lx to its stop event", (unsigned long)v);
            return 0;
        }
    }
    return -1;
}

static int file_has(const wchar_t *path, const char *what)
{
    char *t = slurp(path);
    int ok = strstr(t, what) != NULL;
    free(t);
    return ok;
}

/* The role of the agent in wait_failed: says it runs, waits for "go", then
 * connects to the service's pipe (that wakes the service's wait). */
static int fake_agent(int argc, wchar_t **argv)
{
    const wchar_t *pipe = argc > 2 ? argv[2] : L"";
    wchar_t mark[MAX_PATH], go[64], name[300];
    if (!GetEnvironmentVariableW(L"VDS_HARD_MARK", mark, MAX_PATH) ||
        !GetEnvironmentVariableW(L"VDS_HARD_GO", go, 64))
        return 0; /* launched by launch_env: nothing to do */
    write_text(mark, "started");
    HANDLE ev = OpenEventW(SYNCHRONIZE, FALSE, go);
    if (!ev || WaitForSingleObject(ev, 30000) != WAIT_OBJECT_0)
        return 3;
    swprintf(name, 300, L"\\\\.\\pipe\\%ls", pipe);
    HANDLE h = CreateFileW(name, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
    if (h == INVALID_HANDLE_VALUE)
        return 4;
    char b[64];
    DWORD n;
    while (ReadFile(h, b, sizeof b, &n, NULL))
        ; /* until the service goes */
    return 0;
}

static int t_wait_failed(const wchar_t *service_exe)
{
    wchar_t self[MAX_PATH], tmp[MAX_PATH], out[MAX_PATH], mark[MAX_PATH], stop[64], go[64];
    wchar_t cmd[2048];
    GetModuleFileNameW(NULL, self, MAX_PATH);
    GetTempPathW(MAX_PATH, tmp);
    DWORD pid = GetCurrentProcessId();
    swprintf(out, MAX_PATH, L"%lsvds-hard-wait-%lu.txt", tmp, (unsigned long)pid);
    swprintf(mark, MAX_PATH, L"%lsvds-hard-mark-%lu.txt", tmp, (unsigned long)pid);
    swprintf(stop, 64, L"vds-hard-stop-%lu", (unsigned long)pid);
    swprintf(go, 64, L"vds-hard-go-%lu", (unsigned long)pid);
    DeleteFileW(mark);
    HANDLE stop_ev = CreateEventW(NULL, TRUE, FALSE, stop);
    HANDLE go_ev = CreateEventW(NULL, TRUE, FALSE, go);
    SetEnvironmentVariableW(L"VDS_HARD_MARK", mark);
    SetEnvironmentVariableW(L"VDS_HARD_GO", go);
    swprintf(cmd, 2048, L"\"%ls\" run --device \\\\.\\pipe\\vds-hard-nodev-%lu --agent \"%ls\" "
             L"--log-level debug --stop-event %ls", service_exe, (unsigned long)pid, self, stop);
    SECURITY_ATTRIBUTES sa = { sizeof sa, NULL, TRUE };
    HANDLE o = CreateFileW(out, GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, &sa,
                           CREATE_ALWAYS, 0, NULL);
    STARTUPINFOW si;
    ZeroMemory(&si, sizeof si);
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdOutput = si.hStdError = o;
    PROCESS_INFORMATION pi;
    CHECK(CreateProcessW(NULL, cmd, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi), "cannot start vdservice");
    CloseHandle(o);
    for (int i = 0; i < 300 && GetFileAttributesW(mark) == INVALID_FILE_ATTRIBUTES; i++)
        Sleep(50);
    int started = GetFileAttributesW(mark) != INVALID_FILE_ATTRIBUTES;
    int closed = started ? close_remote_named(pi.hProcess, stop) : -1;
    SetEvent(go_ev);
    DWORD code = 999;
    if (WaitForSingleObject(pi.hProcess, 20000) == WAIT_OBJECT_0)
        GetExitCodeProcess(pi.hProcess, &code);
    else
        TerminateProcess(pi.hProcess, 998);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
    CloseHandle(stop_ev);
    CloseHandle(go_ev);
    if (!file_has(out, "wait failed") || code != VDS_EXIT_WAIT_FAILED) {
        char *t = slurp(out);
        printf("----- vdservice output -----\n%s\n-----\n", t);
        free(t);
    }
    CHECK(started, "the agent never started");
    if (closed != 0) {
        say("NOT RUN: cannot find vdservice's stop-event handle to break its wait (NtQueryObject)");
        return 77;
    }
    CHECK(file_has(out, "wait failed"), "the wait did not fail (no 'wait failed' line)");
    CHECK(code == VDS_EXIT_WAIT_FAILED, "exit code %lu after the wait failed, expected %d (a "
          "service would report SERVICE_STOPPED with no error and never be restarted)",
          (unsigned long)code, VDS_EXIT_WAIT_FAILED);
    return 0;
}

/* ------------------------------------------------------------ failure actions flag */

static int run_quiet(const wchar_t *cmdline)
{
    wchar_t cmd[2048];
    wcsncpy(cmd, cmdline, 2047);
    cmd[2047] = 0;
    STARTUPINFOW si;
    ZeroMemory(&si, sizeof si);
    si.cb = sizeof si;
    PROCESS_INFORMATION pi;
    if (!CreateProcessW(NULL, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi))
        return -1;
    DWORD code = (DWORD)-2;
    if (WaitForSingleObject(pi.hProcess, 30000) == WAIT_OBJECT_0)
        GetExitCodeProcess(pi.hProcess, &code);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
    return (int)code;
}

static int t_failure_flag(const wchar_t *service_exe)
{
    wchar_t cmd[1024];
    SC_HANDLE scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT);
    CHECK(scm, "no service manager");
    SC_HANDLE old = OpenServiceW(scm, L"spice-agent", SERVICE_QUERY_STATUS);
    if (old) {
        CloseServiceHandle(old);
        swprintf(cmd, 1024, L"\"%ls\" uninstall", service_exe);
        run_quiet(cmd);
    }
    swprintf(cmd, 1024, L"\"%ls\" install", service_exe);
    CHECK(run_quiet(cmd) == 0, "vdservice install failed");
    SC_HANDLE s = OpenServiceW(scm, L"spice-agent", SERVICE_QUERY_CONFIG);
    SERVICE_FAILURE_ACTIONS_FLAG flag = { FALSE };
    DWORD n = 0, err = ERROR_SUCCESS;
    if (!s || !QueryServiceConfig2W(s, SERVICE_CONFIG_FAILURE_ACTIONS_FLAG, (BYTE *)&flag,
                                    sizeof flag, &n))
        err = GetLastError();
    if (s)
        CloseServiceHandle(s);
    swprintf(cmd, 1024, L"\"%ls\" uninstall", service_exe);
    run_quiet(cmd);
    CloseServiceHandle(scm);
    if (err == ERROR_INVALID_LEVEL) {
        say("NOT RUN: this Wine's service manager does not know SERVICE_CONFIG_FAILURE_ACTIONS_FLAG");
        return 77;
    }
    CHECK(err == ERROR_SUCCESS, "cannot query the failure-actions flag: error %lu", (unsigned long)err);
    CHECK(flag.fFailureActionsOnNonCrashFailures, "failures without a crash do not restart the service");
    return 0;
}

int wmain(int argc, wchar_t **argv);
int wmain(int argc, wchar_t **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc >= 2 && wcscmp(argv[1], L"--pipe") == 0)
        return fake_agent(argc, argv);
    if (argc < 2) {
        printf("usage: svc_hardening SCENARIO [VDSERVICE_EXE]\n");
        return 2;
    }
    wchar_t service_exe[MAX_PATH] = L"";
    if (argc >= 3) {
        char u[MAX_PATH * 3];
        WideCharToMultiByte(CP_UTF8, 0, argv[2], -1, u, sizeof u, NULL, NULL);
        win_path_from_unix(u, service_exe);
    }
    const wchar_t *sc = argv[1];
    static const struct { const wchar_t *name; int (*fn)(const wchar_t *); } tests[] = {
#define SCENARIO(name, lock) { L## #name, t_##name },
#include "hardening_scenarios.def"
#undef SCENARIO
    };
    int rc = -1;
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++)
        if (wcscmp(sc, tests[i].name) == 0)
            rc = tests[i].fn(service_exe);
    if (rc == -1) {
        printf("unknown scenario\n");
        return 2;
    }
    if (rc == 77)
        return 77;
    printf("%s\n", rc || failed ? "FAILED" : "PASSED");
    return rc || failed ? 1 : 0;
}
