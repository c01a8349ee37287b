/* Launching and ending the session agent process. */
#ifndef VDS_LAUNCHER_H
#define VDS_LAUNCHER_H

#include <windows.h>
#include <stdint.h>

#include "base/vda_log.h"

typedef struct vds_agent {
    HANDLE process;            /* NULL: none */
    DWORD pid;
    DWORD session;
    HANDLE token;              /* token for the next launch (service mode) */
    const wchar_t *role;       /* vdagent --role: L"all", L"system" or L"user" */
    int as_system;             /* service mode: run as SYSTEM in the console session */
    PSID user;                 /* the user the pipe admits (points into sid_buf) */
    uint8_t sid_buf[SECURITY_MAX_SID_SIZE];
    const vda_logger *log;
    /* CreateEnvironmentBlock; NULL means the real one (tests put a failing one). */
    BOOL (WINAPI *create_env)(void **env, HANDLE token, BOOL inherit);
} vds_agent;

/* Finds the user to run the agent for: the console session's user (service mode)
 * or our own (run mode). ERROR_NO_TOKEN: nobody is logged on. With as_system
 * (the system role, service mode): the service's own token with the console
 * session's id, also when nobody is logged on; ERROR_NO_TOKEN: no console
 * session. */
DWORD vds_agent_prepare(vds_agent *a, int run_mode);
/* Service mode: no agent is started without the user's own environment (with
 * SYSTEM's the agent would log to the shared C:\Windows\Temp and see SYSTEM's
 * profile); that failure is returned like any other, and retried with backoff. */
DWORD vds_agent_launch(vds_agent *a, const wchar_t *exe, const wchar_t *pipe_name, int run_mode);
void vds_agent_kill(vds_agent *a);
/* The process ended: log its exit code, release it. */
void vds_agent_reap(vds_agent *a, uint64_t lived_ms);
void vds_agent_release_token(vds_agent *a);

#endif
