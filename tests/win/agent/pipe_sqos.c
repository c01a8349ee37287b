/* pipe_sqos.exe VDAGENT_EXE: the real vdagent.exe opens the service's pipe at
 * SecurityIdentification (issue 13: the service may identify the user, never
 * act as it). This program plays the service: it serves the pipe, waits for
 * the agent's HELLO, impersonates the client and reads the level back.
 * Exit 0 passed, 1 failed, 77 NOT RUN (Wine ignores the level). */
#include <windows.h>
#include <stdio.h>

#include "pipe_host.h"
#include "vdw_error.h"
#include "vdw_pipe.h"
#include "win_path.h"

static vda_logger quiet = { VDA_LOG_ERROR, NULL, NULL, "pipe_sqos" };

/* Impersonates the pipe's client and returns its impersonation level, or -1. */
static int client_level(HANDLE pipe)
{
    char msg[VDW_ERR_MAX];
    if (!ImpersonateNamedPipeClient(pipe)) {
        printf("pipe_sqos: ImpersonateNamedPipeClient: %s\n", vdw_last_err_str(msg, sizeof msg));
        return -1;
    }
    HANDLE tok;
    int level = -1;
    if (OpenThreadToken(GetCurrentThread(), TOKEN_QUERY, TRUE, &tok)) {
        SECURITY_IMPERSONATION_LEVEL l;
        DWORD n;
        if (GetTokenInformation(tok, TokenImpersonationLevel, &l, sizeof l, &n))
            level = (int)l;
        else
            printf("pipe_sqos: GetTokenInformation: %s\n", vdw_last_err_str(msg, sizeof msg));
        CloseHandle(tok);
    } else {
        printf("pipe_sqos: OpenThreadToken: %s\n", vdw_last_err_str(msg, sizeof msg));
    }
    RevertToSelf();
    return level;
}

/* Does this Wine honour the level a client asks for? A client of our own asks
 * for SecurityIdentification: 1 when the server sees it, 0 when not. */
static int wine_honours_sqos(void)
{
    static pipe_host cal;
    wchar_t name[64], path[96];
    _snwprintf(name, 63, L"vda-sqos-cal-%lu", (unsigned long)GetCurrentProcessId());
    name[63] = 0;
    pipe_host_init(&cal, &quiet, 4096);
    if (!pipe_host_create(&cal, name, 4096))
        return 0;
    DWORD err, n;
    HANDLE c = vdw_pipe_open(vdw_pipe_path(name, path, 96), VDW_PIPE_CLIENT_SQOS, 2000, &err);
    int level = -1;
    if (c != INVALID_HANDLE_VALUE && pipe_host_connect(&cal, 2000) == 0) {
        uint8_t b = 1, r = 0;
        WriteFile(c, &b, 1, &n, NULL);
        ReadFile(cal.pipe, &r, 1, &n, NULL);
        level = client_level(cal.pipe);
    }
    if (c != INVALID_HANDLE_VALUE)
        CloseHandle(c);
    CloseHandle(cal.pipe);
    return level == SecurityIdentification;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        printf("usage: pipe_sqos VDAGENT_EXE\n");
        return 2;
    }
    static pipe_host h;
    wchar_t exe[MAX_PATH], name[64], args[128];
    win_path_from_unix(argv[1], exe);
    _snwprintf(name, 63, L"vda-sqos-%lu", (unsigned long)GetCurrentProcessId());
    name[63] = 0;
    pipe_host_init(&h, &quiet, 1 << 20);
    if (!pipe_host_create(&h, name, 65536)) {
        printf("FAIL: cannot create the pipe\n");
        return 1;
    }
    _snwprintf(args, 127, L"--pipe %ls --log-level error", name);
    args[127] = 0;
    if (!pipe_host_start_process(exe, args, &h.agent))
        return 1;
    int rc = 1;
    vda_message m;
    if (pipe_host_connect(&h, 15000) != 0) {
        printf("FAIL: the agent never opened the pipe\n");
    } else {
        pipe_host_next_msg(&h, 3000, &m); /* HELLO, then its capabilities */
        int level = client_level(h.pipe);
        printf("pipe_sqos: client impersonation level %d (want %d, SecurityIdentification)\n",
               level, (int)SecurityIdentification);
        if (level == SecurityIdentification) {
            rc = 0;
        } else if (level == SecurityImpersonation && !wine_honours_sqos()) {
            printf("NOT RUN: this Wine ignores the impersonation level a pipe client asks "
                   "for (a client of ours asking for SecurityIdentification shows the same)\n");
            rc = 77;
        } else if (level == SecurityImpersonation) {
            printf("FAIL: the agent lets the service impersonate it\n");
        } else {
            printf("FAIL: cannot read the client's level\n");
        }
        pipe_host_send_stop(&h, 2000);
    }
    if (WaitForSingleObject(h.agent.hProcess, 10000) != WAIT_OBJECT_0)
        TerminateProcess(h.agent.hProcess, 1);
    return rc;
}
