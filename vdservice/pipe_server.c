/* The named pipe between the service and the session agent.
 *
 * Who may talk to the service: the name is random (128 bits, passed to the agent
 * on its command line), the DACL admits only SYSTEM and the session's user, the
 * pipe is created with FILE_FLAG_FIRST_PIPE_INSTANCE (nobody can have squatted
 * the name) and allows one instance, remote clients are rejected, and a client
 * is accepted only if its process id is the agent we launched. Anything else is
 * disconnected before it can read a byte. */
#include "pipe_server.h"
#include "logging.h"
#include "vdw_pipe.h"

#include <bcrypt.h>
#include <sddl.h>
#include <aclapi.h>
#include <stdio.h>
#include <stdlib.h>

int vds_pipe_init(vds_pipe *p, const vda_logger *log)
{
    ZeroMemory(p, sizeof *p);
    p->h = INVALID_HANDLE_VALUE;
    p->log = log;
    p->rbuf = malloc(VDS_PIPE_READ_SIZE);
    if (!p->rbuf || vdw_ovio_init(&p->rd) != 0 || vdw_ovio_init(&p->wr) != 0)
        return -1;
    return 0;
}

void vds_pipe_free(vds_pipe *p)
{
    vds_pipe_close(p);
    vdw_ovio_free(&p->rd);
    vdw_ovio_free(&p->wr);
    free(p->rbuf);
    p->rbuf = NULL;
}

static DWORD random_name(wchar_t *out, size_t len)
{
    uint8_t rnd[16];
    if (!BCRYPT_SUCCESS(BCryptGenRandom(NULL, rnd, sizeof rnd, BCRYPT_USE_SYSTEM_PREFERRED_RNG)))
        return ERROR_INTERNAL_ERROR; /* never fall back to a guessable name */
    int n = swprintf(out, len, L"\\\\.\\pipe\\spice-vdagent-");
    for (size_t i = 0; i < sizeof rnd && n > 0; i++)
        n += swprintf(out + n, len - (size_t)n, L"%02x", rnd[i]);
    return n > 0 ? ERROR_SUCCESS : ERROR_INSUFFICIENT_BUFFER;
}

DWORD vds_pipe_create(vds_pipe *p, PSID user)
{
    vds_pipe_close(p);
    DWORD err = random_name(p->name, sizeof p->name / sizeof p->name[0]);
    if (err)
        return err;
    p->short_name = p->name + wcslen(L"\\\\.\\pipe\\");
    wchar_t *sid = NULL, sddl[256];
    if (!ConvertSidToStringSidW(user, &sid))
        return GetLastError();
    /* Protected DACL: full access for SYSTEM, read/write for the session's user;
     * for the system role (the user is SYSTEM) SYSTEM alone. */
    if (IsWellKnownSid(user, WinLocalSystemSid))
        swprintf(sddl, sizeof sddl / sizeof sddl[0], L"D:P(A;;GA;;;SY)");
    else
        swprintf(sddl, sizeof sddl / sizeof sddl[0], L"D:P(A;;GA;;;SY)(A;;GRGW;;;%ls)", sid);
    LocalFree(sid);
    SECURITY_ATTRIBUTES sa = { sizeof sa, NULL, FALSE };
    if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, SDDL_REVISION_1,
                                                              &sa.lpSecurityDescriptor, NULL))
        return GetLastError();
    p->h = vdw_pipe_create(p->name, VDS_PIPE_READ_SIZE, FILE_FLAG_FIRST_PIPE_INSTANCE,
                           PIPE_REJECT_REMOTE_CLIENTS, &sa);
    err = p->h == INVALID_HANDLE_VALUE ? GetLastError() : ERROR_SUCCESS;
    LocalFree(sa.lpSecurityDescriptor);
    if (err == ERROR_SUCCESS)
        vds_pipe_log_dacl(p);
    return err;
}

void vds_pipe_log_dacl(vds_pipe *p)
{
    PSECURITY_DESCRIPTOR sd = NULL;
    wchar_t *sddl = NULL;
    char text[512], msg[300];
    DWORD err = GetSecurityInfo(p->h, SE_KERNEL_OBJECT, DACL_SECURITY_INFORMATION, NULL, NULL,
                                NULL, NULL, &sd);
    if (err == ERROR_SUCCESS &&
        ConvertSecurityDescriptorToStringSecurityDescriptorW(sd, SDDL_REVISION_1,
                                                             DACL_SECURITY_INFORMATION, &sddl,
                                                             NULL))
        vda_debug(p->log, "agent pipe DACL: %s", vdw_narrow(sddl, text, sizeof text));
    else
        vda_warn(p->log, "cannot read the agent pipe's DACL back: %s",
                 vdw_err_str(err ? err : GetLastError(), msg, sizeof msg));
    if (sddl)
        LocalFree(sddl);
    if (sd)
        LocalFree(sd);
}

DWORD vds_pipe_listen(vds_pipe *p)
{
    DWORD err = vdw_ovio_connect(&p->rd, p->h);
    p->listening = err == ERROR_SUCCESS;
    return err;
}

int vds_pipe_accept(vds_pipe *p, DWORD agent_pid)
{
    char msg[300];
    DWORD n;
    DWORD err = vdw_ovio_finish(&p->rd, p->h, &n);
    p->listening = 0;
    if (err != ERROR_SUCCESS && err != ERROR_PIPE_CONNECTED) {
        vda_warn(p->log, "agent pipe: waiting for a client failed: %s",
                 vdw_err_str(err, msg, sizeof msg));
        DisconnectNamedPipe(p->h);
        return 0;
    }
    ULONG pid = 0;
    DWORD session = (DWORD)-1;
    if (!GetNamedPipeClientProcessId(p->h, &pid))
        pid = 0;
    if (pid == 0 || pid != agent_pid) {
        ProcessIdToSessionId(pid, &session);
        vda_warn(p->log, "agent pipe: client refused: process %lu (session %ld) is not the "
                 "agent we launched (process %lu)", (unsigned long)pid, (long)session,
                 (unsigned long)agent_pid);
        DisconnectNamedPipe(p->h);
        return 0;
    }
    p->connected = 1;
    vda_info(p->log, "agent pipe: agent process %lu connected", (unsigned long)pid);
    return 1;
}

void vds_pipe_close(vds_pipe *p)
{
    if (p->h == INVALID_HANDLE_VALUE)
        return;
    vdw_ovio_cancel(&p->rd, p->h);
    vdw_ovio_cancel(&p->wr, p->h);
    DisconnectNamedPipe(p->h);
    CloseHandle(p->h);
    p->h = INVALID_HANDLE_VALUE;
    p->listening = p->connected = 0;
}
