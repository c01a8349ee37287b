/* The named pipe to the session agent: random name, DACL, only the launched
 * process may connect. */
#ifndef VDS_PIPE_SERVER_H
#define VDS_PIPE_SERVER_H

#include <windows.h>
#include <stdint.h>

#include "base/vda_log.h"
#include "vdw_overlapped.h"

typedef struct vds_pipe {
    HANDLE h;
    wchar_t name[96];          /* \\.\pipe\spice-vdagent-<32 hex digits> */
    const wchar_t *short_name; /* "spice-vdagent-<hex>": what the agent gets (--pipe) */
    vdw_ovio rd, wr;           /* rd.ov also carries ConnectNamedPipe */
    int listening;             /* ConnectNamedPipe pending on rd */
    int connected;             /* the client is the agent we launched */
    DWORD write_len;
    uint8_t *rbuf;
    const vda_logger *log;
} vds_pipe;

#define VDS_PIPE_READ_SIZE 262144u  /* also the pipe's buffer sizes; see VDS_PORT_READ_SIZE */

int vds_pipe_init(vds_pipe *p, const vda_logger *log);
void vds_pipe_free(vds_pipe *p);
/* A new pipe with a fresh random name, usable only by SYSTEM and `user`. */
DWORD vds_pipe_create(vds_pipe *p, PSID user);
/* Starts waiting for a client (ConnectNamedPipe); returns ERROR_SUCCESS when waiting. */
DWORD vds_pipe_listen(vds_pipe *p);
/* The listen completed: accept the client if it is process `agent_pid`; else
 * disconnect it, log, and listen again. Returns 1 when the agent is connected. */
int vds_pipe_accept(vds_pipe *p, DWORD agent_pid);
void vds_pipe_close(vds_pipe *p);
/* SDDL of the pipe's DACL as the system reports it (for the log and tests). */
void vds_pipe_log_dacl(vds_pipe *p);

#endif
