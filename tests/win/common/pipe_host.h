/* The service's end of the service<->agent pipe, for test programs that drive
 * the real vdagent.exe (agent/agent_host.c, input/input_host.c): creates the
 * pipe, starts the agent on it, and moves whole messages both ways. Each program
 * keeps its own protocol script; this is only the plumbing they share. */
#ifndef VDA_PIPE_HOST_H
#define VDA_PIPE_HOST_H

#include <windows.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/pipe_proto.h"
#include "wire/reassembly.h"
#include "base/vda_log.h"
#include "vdw_overlapped.h"

typedef struct pipe_host {
    HANDLE pipe;
    vdw_ovio rd_io, wr_io;     /* rd_io: the connect, then reads into rbuf */
    uint8_t rbuf[1 << 16];
    const uint8_t *rp;         /* unparsed part of rbuf */
    size_t rleft;
    vda_pipe_reader rd;
    vda_reasm reasm;
    vda_logger log;
    PROCESS_INFORMATION agent;
    uint32_t hello_pid;        /* pid in the agent's HELLO control chunk; 0 before */
} pipe_host;

/* Sets up parsing (messages up to max_message bytes); log is copied. Big: keep
 * it static or on the heap. */
void pipe_host_init(pipe_host *h, const vda_logger *log, size_t max_message);

/* Creates the single-instance pipe \\.\pipe\NAME with buf_size buffers each way.
 * 1, or 0 (GetLastError() says why). */
int pipe_host_create(pipe_host *h, const wchar_t *name, DWORD buf_size);

/* Waits up to timeout_ms for the agent to open the pipe. 0 when connected,
 * WAIT_TIMEOUT, or the error ConnectNamedPipe failed with. */
DWORD pipe_host_connect(pipe_host *h, DWORD timeout_ms);

/* Runs "EXE" ARGS (pi filled in); 1, or 0 after printing why. */
int pipe_host_start_process(const wchar_t *exe, const wchar_t *args, PROCESS_INFORMATION *pi);

/* Writes all n bytes, each write of at most 1 MiB waited for up to timeout_ms
 * (then cancelled). 1, or 0 on error or timeout. */
int pipe_host_write_all(pipe_host *h, const uint8_t *p, size_t n, DWORD timeout_ms);

/* Next whole message from the agent within timeout_ms: 1, or 0 on timeout or a
 * pipe error (printed). Control chunks are consumed (HELLO sets hello_pid); bad
 * stream pieces are printed and skipped. Free m->data with free(). */
int pipe_host_next_msg(pipe_host *h, DWORD timeout_ms, vda_message *m);

/* Sends the STOP control chunk (timeout_ms as for pipe_host_write_all). */
int pipe_host_send_stop(pipe_host *h, DWORD timeout_ms);

#endif
