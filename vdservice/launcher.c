/* Launching and ending the session agent.
 *
 * Service mode: the agent runs as the user of the active console session, on
 * winsta0\default (WTSGetActiveConsoleSessionId, WTSQueryUserToken,
 * CreateProcessAsUserW with the user's environment). Run mode: it runs as the
 * caller, in the caller's session, with the caller's environment. No handle is
 * inherited: the agent opens the pipe by the name on its command line
 * (--pipe NAME: the pipe is \\.\pipe\NAME). The agent logs at the service's
 * level; in service mode it has no console, so it logs to %TEMP%\vdagent.log,
 * expanded by the agent in the user's environment (run mode: stderr, which it
 * shares with the service). */
#include "launcher.h"
#include "logging.h"

#include <wtsapi32.h>
#include <userenv.h>
#include <stdio.h>

void vds_agent_release_token(vds_agent *a)
{
    if (a->token)
        CloseHandle(a->token);
    a->token = NULL;
}

static DWORD copy_user_sid(vds_agent *a, HANDLE token)
{
    uint8_t buf[sizeof(TOKEN_USER) + SECURITY_MAX_SID_SIZE];
    DWORD n;
    if (!GetTokenInformation(token, TokenUser, buf, sizeof buf, &n))
        return GetLastError();
    PSID sid = ((TOKEN_USER *)buf)->User.Sid;
    if (!CopySid(sizeof a->sid_buf, a->sid_buf, sid))
        return GetLastError();
    a->user = (PSID)a->sid_buf;
    return ERROR_SUCCESS;
}

/* The system role: our own (SYSTEM) token, duplicated as a primary token and
 * moved to the console session (setting TokenSessionId needs SeTcbPrivilege,
 * which SYSTEM holds), so the role can reach that session's input desktops. */
static DWORD system_token(vds_agent *a)
{
    HANDLE self = NULL, dup = NULL;
    DWORD err = ERROR_SUCCESS;
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_DUPLICATE | TOKEN_QUERY, &self))
        return GetLastError();
    if (!DuplicateTokenEx(self, TOKEN_ALL_ACCESS, NULL, SecurityImpersonation, TokenPrimary,
                          &dup))
        err = GetLastError();
    CloseHandle(self);
    if (err == ERROR_SUCCESS) {
        DWORD session = a->session;
        if (!SetTokenInformation(dup, TokenSessionId, &session, sizeof session))
            err = GetLastError();
    }
    if (err == ERROR_SUCCESS)
        err = copy_user_sid(a, dup);
    if (err == ERROR_SUCCESS)
        a->token = dup;
    else if (dup)
        CloseHandle(dup);
    return err;
}

DWORD vds_agent_prepare(vds_agent *a, int run_mode)
{
    vds_agent_release_token(a);
    HANDLE token = NULL;
    DWORD err;
    if (run_mode) {
        if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token))
            return GetLastError();
        ProcessIdToSessionId(GetCurrentProcessId(), &a->session);
        err = copy_user_sid(a, token);
        CloseHandle(token);
        return err;
    }
    a->session = WTSGetActiveConsoleSessionId();
    if (a->session == 0xFFFFFFFF)
        return ERROR_NO_TOKEN; /* no console session attached right now */
    if (a->as_system)
        return system_token(a);
    if (!WTSQueryUserToken(a->session, &token))
        return GetLastError(); /* ERROR_NO_TOKEN: nobody logged on */
    err = copy_user_sid(a, token);
    if (err == ERROR_SUCCESS)
        a->token = token;
    else
        CloseHandle(token);
    return err;
}

DWORD vds_agent_launch(vds_agent *a, const wchar_t *exe, const wchar_t *pipe_name, int run_mode)
{
    wchar_t cmdline[MAX_PATH + 256];
    /* The system role has SYSTEM's environment, whose %TEMP% (C:\Windows\Temp)
     * users can plant links in: it logs into the service's own folder. */
    const wchar_t *log_file = a->as_system
        ? L" --log-file \"%ProgramData%\\spice-vdagent\\vdagent-system.log\""
        : L" --log-file \"%TEMP%\\vdagent.log\"";
    swprintf(cmdline, sizeof cmdline / sizeof cmdline[0],
             L"\"%ls\" --pipe %ls --role %ls --log-level %hs%ls", exe, pipe_name,
             a->role ? a->role : L"all",
             vda_log_level_name(a->log ? a->log->max_level : VDA_LOG_INFO),
             run_mode ? L"" : log_file);
    STARTUPINFOW si;
    PROCESS_INFORMATION pi;
    ZeroMemory(&si, sizeof si);
    ZeroMemory(&pi, sizeof pi);
    si.cb = sizeof si;
    BOOL ok;
    DWORD err = ERROR_SUCCESS;
    if (run_mode) {
        ok = CreateProcessW(exe, cmdline, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi);
        if (!ok)
            err = GetLastError();
    } else {
        void *env = NULL;
        si.lpDesktop = L"winsta0\\default";
        if (!(a->create_env ? a->create_env : CreateEnvironmentBlock)(&env, a->token, FALSE)) {
            char msg[300];
            err = GetLastError();
            vda_error(a->log, "cannot build the user's environment for the agent: %s",
                      vdw_err_str(err, msg, sizeof msg));
            vds_agent_release_token(a);
            return err ? err : ERROR_GEN_FAILURE;
        }
        ok = CreateProcessAsUserW(a->token, exe, cmdline, NULL, NULL, FALSE,
                                  CREATE_UNICODE_ENVIRONMENT | CREATE_NO_WINDOW, env, NULL, &si,
                                  &pi);
        if (!ok)
            err = GetLastError();
        if (env)
            DestroyEnvironmentBlock(env);
        vds_agent_release_token(a);
    }
    if (!ok)
        return err ? err : ERROR_GEN_FAILURE;
    CloseHandle(pi.hThread);
    a->process = pi.hProcess;
    a->pid = pi.dwProcessId;
    char path[MAX_PATH * 3];
    vda_info(a->log, "agent launched: %s --role %ls, process %lu, session %lu",
             vdw_narrow(exe, path, sizeof path), a->role ? a->role : L"all",
             (unsigned long)a->pid, (unsigned long)a->session);
    return ERROR_SUCCESS;
}

void vds_agent_kill(vds_agent *a)
{
    if (!a->process)
        return;
    if (TerminateProcess(a->process, 1))
        vda_warn(a->log, "agent process %lu terminated", (unsigned long)a->pid);
}

void vds_agent_reap(vds_agent *a, uint64_t lived_ms)
{
    if (!a->process)
        return;
    DWORD code = 0;
    GetExitCodeProcess(a->process, &code);
    vda_info(a->log, "agent exited: process %lu, exit code %lu (0x%lx), after %llu ms",
             (unsigned long)a->pid, (unsigned long)code, (unsigned long)code,
             (unsigned long long)lived_ms);
    CloseHandle(a->process);
    a->process = NULL;
    a->pid = 0;
}
